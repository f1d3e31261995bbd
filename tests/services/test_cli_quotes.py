"""`switchboard quote …` against a real database (SQLite and PostgreSQL): print a quote to PDF
(and a chosen routing's copy), list quotes, close the expired ones, and print a run of copies
then again from its number (spec/40 §4.1–§4.3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.db import Database
from app.models.enums import QuoteStatus, UserRole
from app.reports.formatting import money_text
from app.services import quote_views, quotes, users
from app.services.quote_dto import QuoteView
from tests.conftest import ADMIN, CSR
from tests.services.quote_fixtures import make_prospect


@pytest.fixture(autouse=True)
def _log_in(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shared database asks who is running the command: a CSR answers the prompts."""
    if db.is_networked:
        users.create_user(db, ADMIN, "ana", "Ana Quote", {UserRole.CSR}, "s3cret-pass")
        monkeypatch.setattr("builtins.input", lambda _prompt="": "ana")
        monkeypatch.setattr("getpass.getpass", lambda _prompt="": "s3cret-pass")


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _complete_quote(db: Database, expires: dt.datetime | None = None) -> QuoteView:
    prospect = make_prospect(db)
    quote = quotes.generate(db, CSR, prospect.account, expires_at=expires).quote
    assert quote is not None
    done = quotes.complete(db, CSR, quote.number, quote.version).quote
    assert done is not None
    return done


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_quote_print_writes_the_pdf_of_a_quote(db: Database, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    quote = _complete_quote(db)
    target = tmp_path / "quote"
    assert main(["quote", "print", quote.number, "--out", str(target),
                 "--database", _url(db)]) == 0
    assert f"wrote {target}.pdf (quote {quote.number}, 2 options)" in capsys.readouterr().out
    text = _text(tmp_path / "quote.pdf")
    assert "Ngozi Okafor" in text                                  # the routing's recipient
    for detail in quote.details:
        assert money_text(detail.total, "USD") in text
    assert "Six-month commitment" in text
    assert main(["quote", "print", quote.number, "--out", str(tmp_path / "r.pdf"),
                 "--routing", "7", "--database", _url(db)]) == 2
    assert "has no routing 7 (its routings: 1)" in capsys.readouterr().err


def test_quote_list_and_close_expired(db: Database,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    quote = _complete_quote(db, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert main(["quote", "list", "--status", "complete", "--database", _url(db)]) == 0
    out = capsys.readouterr().out
    lowest = quote.lowest
    assert lowest is not None
    assert quote.number in out and "COMPLETE" in out and money_text(lowest.total, "USD") in out
    assert main(["quote", "close-expired", "--database", _url(db)]) == 0
    assert "closed 0 expired quotes" in capsys.readouterr().out
    with db.engine.begin() as conn:      # a day later the quote has expired
        from sqlalchemy import update

        from app.models.quotes import Quote
        conn.execute(update(Quote).values(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
    assert main(["quote", "close-expired", "--action", "decline", "--reason", "expired",
                 "--database", _url(db)]) == 0
    assert f"closed 1 expired quote: {quote.number}" in capsys.readouterr().out
    assert quote_views.get_quote(db, quote.number).status is QuoteStatus.CLOSED


def test_a_print_run_prints_the_next_copies_once_and_an_old_run_again(
        db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quote = _complete_quote(db)
    out = tmp_path / "run"
    assert main(["quote", "print-run", "--out", str(out), "--database", _url(db)]) == 0
    said = capsys.readouterr().out
    assert "run 1 of QUOTROUT printed: 1 copy of 1 quote" in said
    pdf = out / f"quote-{quote.number}-run-1.pdf"
    assert "Ngozi Okafor" in _text(pdf)
    assert quote_views.get_quote(db, quote.number).routings[0].extracted_at is not None
    assert main(["quote", "print-run", "--out", str(out), "--database", _url(db)]) == 0
    assert "run 2 of QUOTROUT has nothing to print" in capsys.readouterr().out
    pdf.unlink()
    assert main(["quote", "print-run", "--run", "1", "--out", str(out),
                 "--database", _url(db)]) == 0
    assert "printed again: 1 copy" in capsys.readouterr().out and pdf.exists()
    assert main(["quote", "print-run", "--run", "5", "--out", str(out),
                 "--database", _url(db)]) == 2
    assert "Run 5 of QUOTROUT has not happened" in capsys.readouterr().err
