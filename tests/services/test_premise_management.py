"""Premise Management (spec/60 §B1.3–§B1.8): the four filters, the result grid, parent and
landlord mass actions, and the three landlord scenarios of §B1.3, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import AuditEvent, PartyRole, Premise, PremiseGeo
from app.models.enums import CustomerClass, PremiseType, RoleType, ServiceType
from app.services import accounts, parties, premises, service_points
from app.services import service_agreements as sas
from app.services.accounts import AccountForm
from app.services.errors import ConcurrentChange, NotFound, PermissionDenied, ValidationError
from app.services.installation import Module, enabled_modules, module_enabled, set_module_enabled
from app.services.parties import OrganisationForm
from app.services.premise_management import (
    MAX_SELECTION,
    AddressCriteria,
    LinkFilter,
    LocationFilter,
    PremiseCriteria,
    PremiseRef,
    assign_landlord,
    assign_parent,
    describe_criteria,
    find_premises,
    remove_landlord,
    remove_parent,
)
from app.services.premises import PremiseForm
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import ADMIN, CSR, WAREHOUSE
from tests.services.builders import START, household

LINKED = LinkFilter.LINKED_TO_THIS
ANY = LinkFilter.LINKED_TO_ANY
NOT_ANY = LinkFilter.NOT_LINKED_TO_ANY
TODAY = dt.date(2026, 12, 4)


def _premise(db: Database, line1: str, *, kind: PremiseType = PremiseType.APARTMENT,
             postal: str = "62701", city: str = "Springfield", line2: str = "",
             parent: str | None = None) -> str:
    return premises.create_premise(db, CSR, PremiseForm(
        kind, line1, city, postal, address_line2=line2, parent_premise_number=parent)).number


def _org_account(db: Database, name: str) -> tuple[str, str]:
    """(party, account) of a commercial customer with one account."""
    org = parties.create_organisation(db, CSR, OrganisationForm(legal_name=name))
    customer = accounts.create_customer(db, CSR, org.number, CustomerClass.COMMERCIAL)
    return org.number, accounts.open_account(db, CSR, AccountForm(customer.number, START)).number


def _supply(db: Database, account: str, premise: str, *, active: bool = True,
            sa_type: str = "E-COM", rate: str = "E-COM-1") -> str:
    """An electric service point at the premise supplied by the account from START."""
    sp = service_points.create_service_point(db, CSR, premise, ServiceType.ELECTRIC).number
    sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        account, sa_type, ServiceType.ELECTRIC, (sp,), START, rate))
    if active:
        sas.activate(db, CSR, sa.number, sa.version)
    return sa.number


def _refs(db: Database, numbers: list[str]) -> list[PremiseRef]:
    with db.sessions() as s:
        versions = dict(s.execute(select(Premise.number, Premise.version)
                                  .where(Premise.number.in_(numbers))).all())
    return [PremiseRef(n, versions[n]) for n in numbers]


def _numbers(db: Database, criteria: PremiseCriteria, page: int = 1) -> list[str]:
    return [row.number for row in find_premises(db, criteria, page).rows]


# ------------------------------------------------------------------------------ criteria


def test_only_negative_filters_are_refused_with_the_specs_message(db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        find_premises(db, PremiseCriteria(parent=NOT_ANY, account=NOT_ANY))
    assert caught.value.message.startswith("Specify at least one positive search criterion")
    assert caught.value.field == "criteria"
    with pytest.raises(ValidationError, match="Specify at least one positive"):
        find_premises(db, PremiseCriteria())


def test_a_this_filter_needs_its_number_and_the_number_must_exist(db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        find_premises(db, PremiseCriteria(landlord=LINKED))
    assert caught.value.message == ("Type the landlord agreement number for “Linked to this "
                                    "landlord”.")
    assert caught.value.field == "landlord"
    with pytest.raises(NotFound, match="There is no account 1000000018"):
        find_premises(db, PremiseCriteria(account=LINKED, account_number="1000000018"))
    with pytest.raises(ValidationError, match="check digit"):
        find_premises(db, PremiseCriteria(parent=LINKED, parent_premise_number="1000000019"))


def test_parent_and_no_account_finds_the_unsupplied_children(db: Database) -> None:
    """L10806–10809: "Linked To Any Parent Premise" + "Not Linked To Any Account"."""
    _party, account = _org_account(db, "Harbour Heights Ltd")
    block = _premise(db, "1 Harbour Rd", kind=PremiseType.APARTMENT_BUILDING)
    flats = [_premise(db, "1 Harbour Rd", line2=f"Flat {i}", parent=block) for i in (1, 2, 3)]
    _supply(db, account, flats[1])
    loose = _premise(db, "5 Harbour Rd")
    assert _numbers(db, PremiseCriteria(parent=ANY, account=NOT_ANY)) == [flats[0], flats[2]]
    assert _numbers(db, PremiseCriteria(parent=ANY)) == flats
    assert _numbers(db, PremiseCriteria(parent=LINKED, parent_premise_number=block,
                                        account=LINKED, account_number=account)) == [flats[1]]
    assert set(_numbers(db, PremiseCriteria(
        parent=LinkFilter.NOT_LINKED_TO_THIS, parent_premise_number=block,
        location=LocationFilter.AT_ADDRESS, address=AddressCriteria("harbour")))) == {block, loose}


def test_address_constituents_match_case_and_accent_blind_and_literally(db: Database) -> None:
    a = _premise(db, "12 Rue de l'Église", city="Montréal", postal="H2X 1Y4")
    b = _premise(db, "100% Organic Way", city="Springfield", postal="62704")
    c = _premise(db, "100 Organic Way", city="Springfield", postal="62701")

    def at(**kw: str) -> list[str]:
        return _numbers(db, PremiseCriteria(location=LocationFilter.AT_ADDRESS,
                                            address=AddressCriteria(**kw)))

    assert at(address_line="EGLISE") == [a]
    assert at(city="montr") == [a]
    assert at(postal_code="h2x") == [a]
    assert at(address_line="100%") == [b]  # % is a character, not a wildcard
    assert at(address_line="organic", city="spring") == [c, b]  # postal code order
    assert at(address_line="organic", postal_code="62704") == [b]
    assert at(country="us", address_line="organic") == [c, b]
    with pytest.raises(ValidationError, match="at least one part of the address"):
        at()


def test_geographic_value_and_a_specific_premise(db: Database) -> None:
    stores = [_premise(db, f"{n} Mall Dr", kind=PremiseType.COMMERCIAL) for n in (1, 2, 3)]
    for number in stores[:2]:
        premises.set_geo_value(db, CSR, number, "latlong", "39.7817,-89.6501")
    premises.set_geo_value(db, CSR, stores[2], "LATLONG", "39.8000,-89.6000")
    assert _numbers(db, PremiseCriteria(location=LocationFilter.AT_GEOGRAPHIC_VALUE,
                                        geo_type="LATLONG", geo_value="39.7817,-89.6501")) \
        == stores[:2]
    assert premises.get_premise(db, stores[0]).geo == (("LATLONG", "39.7817,-89.6501"),)
    premises.set_geo_value(db, CSR, stores[0], "LATLONG", "")
    assert premises.get_premise(db, stores[0]).geo == ()
    assert _numbers(db, PremiseCriteria(location=LocationFilter.THIS_PREMISE,
                                        premise_number=stores[1])) == [stores[1]]
    with pytest.raises(ValidationError, match="both the geographic type"):
        find_premises(db, PremiseCriteria(location=LocationFilter.AT_GEOGRAPHIC_VALUE,
                                          geo_type="LATLONG"))


def test_pages_of_fifty_in_postal_code_address_order_with_a_count(db: Database) -> None:
    made = [_premise(db, f"{n} Long St", postal=f"6270{n % 3}") for n in range(1, 121)]
    criteria = PremiseCriteria(location=LocationFilter.AT_ADDRESS,
                               address=AddressCriteria("long st"))
    first, third = find_premises(db, criteria), find_premises(db, criteria, 3)
    assert (first.total, first.count_is_exact, first.page_count) == (120, True, 3)
    assert len(first.rows) == 50 and first.has_next
    assert len(third.rows) == 20 and not third.has_next
    seen = [r for page in (1, 2, 3) for r in find_premises(db, criteria, page).rows]
    assert sorted(r.number for r in seen) == sorted(made)
    assert [(r.postal_code, r.address) for r in seen] == sorted(
        (r.postal_code, r.address) for r in seen)
    assert seen[0].postal_code == "62700"


def test_the_grid_columns_say_who_supplies_and_under_what(db: Database) -> None:
    """Account Information: main party (distinct statuses of its agreements here)."""
    landlord_party, landlord_account = _org_account(db, "Maple Estates")
    _tenant_party, tenant_account = _org_account(db, "Corner Cafe")
    agreement = premises.create_landlord_agreement(db, CSR, landlord_party, landlord_account,
                                                   "Maple Court units")
    block = _premise(db, "7 Maple Ct", kind=PremiseType.APARTMENT_BUILDING)
    unit = _premise(db, "7 Maple Ct", line2="Unit 1", parent=block)
    premises.assign_landlord(db, CSR, unit, premises.get_premise(db, unit).version,
                             agreement.number, TODAY)
    old = _supply(db, landlord_account, unit)
    sa = sas.get_service_agreement(db, old)
    sas.request_stop(db, CSR, old, sa.version, dt.date(2025, 5, 31))
    sp2 = service_points.create_service_point(db, CSR, unit, ServiceType.GAS).number
    sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        tenant_account, "G-COM", ServiceType.GAS, (sp2,), dt.date(2025, 6, 1), "G-COM-1"))
    row = find_premises(db, PremiseCriteria(location=LocationFilter.THIS_PREMISE,
                                            premise_number=unit)).rows[0]
    assert row.account_information == "Corner Cafe (Pending start), Maple Estates (Pending stop)"
    assert row.parent_number == block and row.parent_address == "7 Maple Ct, Springfield"
    assert (row.landlord_agreement_number, row.landlord_description) == (
        agreement.number, "Maple Court units")
    assert row.address == "7 Maple Ct, Unit 1, Springfield"
    parent_row = find_premises(db, PremiseCriteria(location=LocationFilter.THIS_PREMISE,
                                                   premise_number=block)).rows[0]
    assert parent_row.child_count == 1 and parent_row.account_information == ""


def test_describe_criteria_reads_like_the_filters(db: Database) -> None:
    del db
    assert describe_criteria(PremiseCriteria(
        parent=LINKED, parent_premise_number="1000000018", account=NOT_ANY)) == (
        "Linked to this parent premise 1000000018; Not linked to any account")


# ------------------------------------------------------------------------------ parent


def test_assign_parent_to_many_refuses_cycles_and_the_parent_itself(db: Database) -> None:
    mall = _premise(db, "1 Mall Dr", kind=PremiseType.SHOPPING_CENTRE)
    stores = [_premise(db, "1 Mall Dr", line2=f"Store {n}", kind=PremiseType.COMMERCIAL)
              for n in (1, 2)]
    with pytest.raises(ValidationError, match=f"Premise {mall} is ticked itself"):
        assign_parent(db, CSR, _refs(db, [*stores, mall]), mall)
    result = assign_parent(db, CSR, _refs(db, stores), mall)
    assert result.premise_count == 2
    assert result.message == f"2 premises now under 1 Mall Dr, Springfield ({mall})."
    assert _numbers(db, PremiseCriteria(parent=LINKED, parent_premise_number=mall)) == stores
    with pytest.raises(ValidationError) as caught:  # the mall under one of its own stores
        assign_parent(db, CSR, _refs(db, [mall]), stores[0])
    assert caught.value.message.startswith(f"Nothing was changed: premise {mall}: ")
    assert premises.get_premise(db, mall).parent_premise_number is None
    remove_parent(db, CSR, _refs(db, stores[:1]))
    assert _numbers(db, PremiseCriteria(parent=LINKED, parent_premise_number=mall)) == stores[1:]


def test_a_premise_changed_since_the_search_stops_the_whole_action(db: Database) -> None:
    mall = _premise(db, "1 Mall Dr", kind=PremiseType.SHOPPING_CENTRE)
    a, b = _premise(db, "2 Mall Dr"), _premise(db, "3 Mall Dr")
    shown = _refs(db, [a, b])
    premises.set_parent_premise(db, CSR, b, shown[1].version, mall)  # another CSR, meanwhile
    with pytest.raises(ConcurrentChange) as caught:
        assign_parent(db, CSR, shown, _premise(db, "9 Other St"))
    assert f"{b} by csr1" in caught.value.message
    assert premises.get_premise(db, a).parent_premise_number is None


def test_more_than_fifty_premises_and_other_roles_are_refused(db: Database) -> None:
    refs = [PremiseRef(f"{n:09d}0", 1) for n in range(MAX_SELECTION + 1)]
    with pytest.raises(ValidationError, match="51 premises are ticked; a mass action takes at "
                                              "most 50"):
        remove_parent(db, CSR, refs)
    with pytest.raises(ValidationError, match="Tick at least one premise"):
        remove_parent(db, CSR, [])
    with pytest.raises(PermissionDenied):
        remove_parent(db, WAREHOUSE, refs[:1])


# ------------------------------------------------------------------------------ landlord


def _portfolio(db: Database, units: int = 100, vacant: int = 8) -> dict[str, object]:
    """§B1.3 scenario 1: a high-rise of `units` apartments under one landlord; `vacant` of them
    are billed to the landlord's account, the rest to their tenants."""
    old_party, old_account = _org_account(db, "Skyline Holdings")
    new_party, new_account = _org_account(db, "Riverside Property Trust")
    old = premises.create_landlord_agreement(db, CSR, old_party, old_account, "Skyline Tower")
    new = premises.create_landlord_agreement(db, CSR, new_party, new_account,
                                             "Riverside: Skyline Tower")
    tower = _premise(db, "400 River Rd", kind=PremiseType.APARTMENT_BUILDING)
    flats = [_premise(db, "400 River Rd", line2=f"Apt {n:03d}", parent=tower)
             for n in range(1, units + 1)]
    assign_landlord(db, CSR, _refs(db, [tower]), old.number, include_children=True,
                    effective=START)
    _tenant_party, tenant_account = _org_account(db, "Tenants (demo)")
    for i, flat in enumerate(flats):
        _supply(db, old_account if i % (units // vacant) == 0 and i // (units // vacant) < vacant
                else tenant_account, flat, sa_type="E-RES", rate="E-RES-1")
    return {"tower": tower, "flats": flats, "old": old, "new": new, "old_account": old_account,
            "new_account": new_account, "old_party": old_party, "new_party": new_party}


def test_portfolio_sale_moves_every_unit_and_the_property_owner_roles(db: Database) -> None:
    s = _portfolio(db)
    old, new = s["old"], s["new"]
    assert isinstance(old, premises.LandlordAgreementView)
    assert isinstance(new, premises.LandlordAgreementView)
    tower, flats = s["tower"], s["flats"]
    assert isinstance(tower, str) and isinstance(flats, list)
    result = assign_landlord(db, CSR, _refs(db, [tower]), new.number, include_children=True,
                             effective=TODAY)
    assert result.premise_count == 101
    assert result.message == (f"101 premises now linked to landlord agreement {new.number} "
                              "(Riverside: Skyline Tower).")
    by_new = find_premises(db, PremiseCriteria(landlord=LINKED,
                                               landlord_agreement_number=new.number))
    assert by_new.total == 101
    assert find_premises(db, PremiseCriteria(
        landlord=LINKED, landlord_agreement_number=old.number)).total == 0
    with db.sessions() as ses:
        owners = ses.execute(
            select(PartyRole.party_id, PartyRole.effective_from, PartyRole.effective_to)
            .join(Premise, Premise.id == PartyRole.premise_id)
            .where(Premise.number == flats[0], PartyRole.role_type == RoleType.PROPERTY_OWNER)
            .order_by(PartyRole.effective_from)).all()
        audited = ses.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity_type == "Premise", AuditEvent.field == "landlord_agreement_id",
            AuditEvent.changed_at.is_not(None)))
    assert [(f, t) for _p, f, t in owners] == [(START, TODAY - dt.timedelta(days=1)),
                                              (TODAY, None)]
    assert audited == 202  # 101 when the old landlord came, 101 now


def test_the_landlords_vacant_units_are_found_by_landlord_and_account(db: Database) -> None:
    """Scenario 1 (b): premises of this landlord in this complex billed to its account."""
    s = _portfolio(db)
    old = s["old"]
    assert isinstance(old, premises.LandlordAgreementView)
    vacant = find_premises(db, PremiseCriteria(
        landlord=LINKED, landlord_agreement_number=old.number,
        parent=LINKED, parent_premise_number=str(s["tower"]),
        account=LINKED, account_number=str(s["old_account"])))
    assert vacant.total == 8
    assert {r.account_information for r in vacant.rows} == {"Skyline Holdings (Active)"}


def test_remove_landlord_with_and_without_child_premises(db: Database) -> None:
    s = _portfolio(db, units=4, vacant=1)
    tower, flats = str(s["tower"]), s["flats"]
    assert isinstance(flats, list)
    remove_landlord(db, CSR, _refs(db, [tower]), effective=TODAY)
    assert premises.get_premise(db, tower).landlord_agreement_number is None
    assert premises.get_premise(db, flats[0]).landlord_agreement_number is not None
    result = remove_landlord(db, CSR, _refs(db, [tower]), include_children=True,
                             effective=TODAY)
    assert result.message == "5 premises no longer linked to a landlord."
    assert find_premises(db, PremiseCriteria(parent=LINKED, parent_premise_number=tower,
                                             landlord=LinkFilter.LINKED_TO_ANY)).total == 0
    with db.sessions() as ses:
        still_owning = ses.scalar(select(func.count()).select_from(PartyRole).where(
            PartyRole.role_type == RoleType.PROPERTY_OWNER,
            (PartyRole.effective_to.is_(None)) | (PartyRole.effective_to >= TODAY)))
    assert still_owning == 0


def test_an_inactive_or_unknown_landlord_agreement_is_refused(db: Database) -> None:
    premise = _premise(db, "3 Elm St")
    with pytest.raises(NotFound, match="no landlord agreement 1000000018"):
        assign_landlord(db, CSR, _refs(db, [premise]), "1000000018")


def test_mall_scenario_stores_by_geographic_value_put_under_a_new_parent(db: Database) -> None:
    """§B1.3 scenario 3."""
    stores = [_premise(db, f"{n} Commerce Way", kind=PremiseType.COMMERCIAL) for n in (2, 4, 6)]
    for number in stores:
        premises.set_geo_value(db, CSR, number, "GRIDREF", "SK-114")
    mall = _premise(db, "1 Commerce Way", kind=PremiseType.SHOPPING_CENTRE)
    found = find_premises(db, PremiseCriteria(location=LocationFilter.AT_GEOGRAPHIC_VALUE,
                                              geo_type="gridref", geo_value="SK-114"))
    assign_parent(db, CSR, [r.ref for r in found.rows], mall)
    assert _numbers(db, PremiseCriteria(parent=LINKED, parent_premise_number=mall)) == stores
    with db.sessions() as ses:
        assert ses.scalar(select(func.count()).select_from(PremiseGeo)) == 3


# ------------------------------------------------------------------------------ module switch


def test_premise_management_is_a_module_an_administrator_can_switch_off(db: Database) -> None:
    assert module_enabled(db, Module.PREMISE_MANAGEMENT)
    with pytest.raises(PermissionDenied):
        set_module_enabled(db, CSR, Module.PREMISE_MANAGEMENT, False)
    set_module_enabled(db, ADMIN, Module.PREMISE_MANAGEMENT, False)
    assert not module_enabled(db, Module.PREMISE_MANAGEMENT)
    assert enabled_modules(db) == {Module.CONTRACT_MANAGEMENT, Module.LOANS,
                                   Module.APPOINTMENTS, Module.CASES}   # the others stay
    set_module_enabled(db, ADMIN, Module.PREMISE_MANAGEMENT, True)
    assert enabled_modules(db) == set(Module)


def test_a_single_premise_landlord_change_moves_the_role_too(db: Database) -> None:
    home = household(db)
    party, account = _org_account(db, "Oak Lettings")
    agreement = premises.create_landlord_agreement(db, CSR, party, account, "Oak")
    view = premises.get_premise(db, home.premise)
    premises.assign_landlord(db, CSR, home.premise, view.version, agreement.number, TODAY)
    view = premises.get_premise(db, home.premise)
    premises.assign_landlord(db, CSR, home.premise, view.version, None, TODAY)
    with db.sessions() as ses:
        periods = ses.execute(select(PartyRole.effective_from, PartyRole.effective_to).where(
            PartyRole.role_type == RoleType.PROPERTY_OWNER)).all()
    # assigned and removed on one day: the role keeps its one day (never a negative period)
    assert [tuple(p) for p in periods] == [(TODAY, TODAY)]
