"""The global search field's quick search: IDs checked first, names by prefix, bounded."""

from __future__ import annotations

import pytest

from app.services import lookup, parties
from app.services.errors import ValidationError
from app.services.parties import OrganisationForm, PersonForm
from tests.conftest import CSR
from tests.services.builders import household


def test_name_prefix_is_case_insensitive_ordered_and_bounded(db) -> None:  # type: ignore[no-untyped-def]
    for first in ("Zoe", "Adam", "Mia"):
        parties.create_person(db, CSR, PersonForm(last_name="Smith", first_name=first))
    parties.create_person(db, CSR, PersonForm(last_name="Smithers", first_name="Wayland"))
    parties.create_person(db, CSR, PersonForm(last_name="Jones", first_name="Sm"))
    found = lookup.quick_search(db, "sMiTh")
    assert [f.label for f in found] == ["Smith, Adam", "Smith, Mia", "Smith, Zoe", "Smithers, Wayland"]
    assert len(lookup.quick_search(db, "smith", limit=2)) == 2


def test_percent_and_underscore_are_literal(db) -> None:  # type: ignore[no-untyped-def]
    parties.create_organisation(db, CSR, OrganisationForm("100% Solar Ltd"))
    parties.create_organisation(db, CSR, OrganisationForm("1000 Lakes Dairy"))
    parties.create_organisation(db, CSR, OrganisationForm("A_B Widgets"))
    parties.create_organisation(db, CSR, OrganisationForm("AXB Widgets"))
    assert [f.label for f in lookup.quick_search(db, "100%")] == ["100% Solar Ltd"]
    assert [f.label for f in lookup.quick_search(db, "a_b")] == ["A_B Widgets"]


def test_id_finds_the_account_and_a_typo_is_explained(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    (found,) = lookup.quick_search(db, home.account)
    assert (found.kind, found.number, found.label) == ("Account", home.account, "Okafor, Ngozi")
    typo = home.account[:-1] + str((int(home.account[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="check digit does not match"):
        lookup.quick_search(db, typo)
    with pytest.raises(ValidationError, match="has 9 digits"):
        lookup.quick_search(db, home.account[:9])
    with pytest.raises(ValidationError, match="'12345' has 5 digits; IDs have 10"):
        lookup.quick_search(db, "12345")
    with pytest.raises(ValidationError, match="at least 2 letters"):
        lookup.quick_search(db, "O")
