"""`switchboard search`: an aligned table or a JSON page, and one-sentence errors with exit 2."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.db import Database
from app.engine.identifiers import from_body
from app.services import parties
from app.services.parties import OrganisationForm
from tests.conftest import CSR
from tests.services.builders import household


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def test_plain_output_is_an_aligned_table_with_a_summary(
        db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    home = household(db)
    household(db, "Okafor", "Chidi", "14 Elm St")
    assert main(["search", "okafor", "--database", _url(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["PARTY", "ROLE", "ACCOUNT", "STATUS", "PREMISE", "MATCHED"]
    row = lines[2]                                    # Chidi sorts first
    assert row.startswith(f"Okafor, Ngozi ({home.party})")
    assert row.split()[3:] == ["Owner", home.account, "Active"]   # no agreement: no premise
    assert lines[0].index("ROLE") == lines[1].index("Owner") == row.index("Owner")
    assert lines[0].index("ACCOUNT") == row.index(home.account)
    assert lines[-1] == "2 matches (page 1) — recognised as a name"


def test_json_output_and_the_kind_chosen_by_name(
        db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    home = household(db)
    assert main(["search", "555-0101", "--kind", "Phone", "--json", "--database", _url(db)]) == 0
    page = json.loads(capsys.readouterr().out)
    assert {k: page[k] for k in ("query", "kind", "note", "page", "has_more")} == {
        "query": "555-0101", "kind": "PHONE", "note": "as chosen", "page": 1, "has_more": False}
    (hit,) = page["hits"]
    assert (hit["party_number"], hit["account_number"], hit["matched"]) == (
        home.party, home.account, "Phone +15555550101")
    assert main(["search", home.premise, "--kind", "premise-id", "--json",
                 "--database", _url(db)]) == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["premise_number"] == home.premise


def test_pages_say_where_more_is(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(51):
        parties.create_organisation(db, CSR, OrganisationForm(f"Pagewide Supply {n:02d}"))
    assert main(["search", "pagewide", "--database", _url(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 52 and out[-1] == (
        "50 matches (page 1) — recognised as a name; more: --page 2")
    assert main(["search", "pagewide", "--page", "2", "--history", "--database", _url(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Pagewide Supply 50" in out[1] and out[-1] == (
        "1 match (page 2) — recognised as a name")
    assert main(["search", "pagewide", "--page", "0", "--database", _url(db)]) == 2
    assert "numbered from 1" in capsys.readouterr().err


def test_bad_input_is_one_sentence_and_exit_2(
        db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "okafor", "--kind", "surname", "--database", _url(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("switchboard: 'surname' is not a kind of search key; use one of: name,")
    assert "meter_badge" in err and "any_id" in err and "Traceback" not in err
    good = from_body(200000001)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert main(["search", bad, "--database", _url(db)]) == 2
    err = capsys.readouterr().err
    assert "check digit does not match" in err and len(err.strip().splitlines()) == 1
    assert main(["search", "*", "--database", _url(db)]) == 2
    assert "would match every customer" in capsys.readouterr().err
    assert main(["search", "no match here", "--database", _url(db)]) == 0
    assert capsys.readouterr().out == "0 matches (page 1) — recognised as a name\n"
