"""Start and stop service for many premises (spec/60 §B1.6–§B1.7): SA groups and their defaults,
back-to-back stops, child premises, all-or-nothing, and two CSRs starting the same premises."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import AuditEvent, ServiceAgreement
from app.models.enums import PremiseType, SAStatus, ServiceType
from app.services import premises, service_points
from app.services import service_agreements as sas
from app.services.errors import ConcurrentChange, PermissionDenied, ValidationError
from app.services.premise_management import (
    LinkFilter,
    PremiseCriteria,
    find_premises,
)
from app.services.premise_start_stop import (
    MassStartRequest,
    MassStopRequest,
    mass_start,
    mass_stop,
    start_plan,
    stop_plan,
)
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import CSR, WAREHOUSE
from tests.services.builders import START
from tests.services.test_premise_management import _org_account, _portfolio, _premise, _refs

MOVE_IN = dt.date(2026, 1, 1)
E, G = ServiceType.ELECTRIC, ServiceType.GAS


def _complex(db: Database, condos: int = 4) -> tuple[str, list[str]]:
    """A condominium complex whose condos each have an electric and a gas point, never supplied."""
    complex_ = _premise(db, "50 Lakeview Dr", kind=PremiseType.APARTMENT_BUILDING)
    units = [_premise(db, "50 Lakeview Dr", line2=f"Condo {n}", parent=complex_)
             for n in range(1, condos + 1)]
    for unit in units:
        service_points.create_service_point(db, CSR, unit, E)
        service_points.create_service_point(db, CSR, unit, G)
    return complex_, units


def _agreements(db: Database, account: str) -> list[sas.ServiceAgreementView]:
    return sas.agreements_of_account(db, account)


def test_condo_developer_starts_every_unsupplied_condo_at_once(db: Database) -> None:
    """§B1.3 scenario 2: parent = the complex, account = not linked to any; Start Service."""
    _party, developer = _org_account(db, "Lakeview Developments")
    complex_, units = _complex(db)
    found = find_premises(db, PremiseCriteria(parent=LinkFilter.LINKED_TO_THIS,
                                              parent_premise_number=complex_,
                                              account=LinkFilter.NOT_LINKED_TO_ANY))
    assert [r.number for r in found.rows] == units
    request = MassStartRequest(developer, MOVE_IN, tuple(r.ref for r in found.rows),
                               requested_by="site office")
    plan = start_plan(db, request)
    assert plan.premise_count == 4
    assert [(t.service_type, t.count, t.included) for t in plan.service_point_types] == [
        (E, 4, True), (G, 4, True)]
    # nobody lived there before: every proposed group is on (commercial defaults)
    assert [(g.key, g.default_on, len(g.service_points), g.rates) for g in plan.groups] == [
        ((E, "E-COM"), True, 4, ("E-COM-1",)), ((G, "G-COM"), True, 4, ("G-COM-1",))]
    assert plan.groups[0].summary == ("4 service agreements will be created for 4 service "
                                      "points")
    result = mass_start(db, CSR, request, [g.key for g in plan.groups])
    assert len(result.agreements) == 8 and result.back_to_back == ()
    assert result.message == (f"8 agreements pending start on 2026-01-01 for account "
                              f"{developer}.")
    made = _agreements(db, developer)
    assert {(a.sa_type, a.status, a.start_date) for a in made} == {
        ("E-COM", SAStatus.PENDING_START, MOVE_IN), ("G-COM", SAStatus.PENDING_START, MOVE_IN)}
    with db.sessions() as s:
        reasons = set(s.scalars(select(AuditEvent.reason).where(
            AuditEvent.entity_type == "ServiceAgreement")))
    assert reasons == {"Start service requested by site office (Premise Management)"}
    assert find_premises(db, PremiseCriteria(parent=LinkFilter.LINKED_TO_THIS,
                                             parent_premise_number=complex_,
                                             account=LinkFilter.NOT_LINKED_TO_ANY)).total == 0


def test_unticked_service_point_types_and_groups_are_left_out(db: Database) -> None:
    _party, developer = _org_account(db, "Lakeview Developments")
    complex_, _units = _complex(db, 2)
    request = MassStartRequest(developer, MOVE_IN, tuple(_refs(db, [complex_])),
                               include_children=True, excluded_service_types=frozenset({G}))
    plan = start_plan(db, request)
    assert plan.premise_count == 3  # the complex and its two condos
    assert [(t.service_type, t.included) for t in plan.service_point_types] == [
        (E, True), (G, False)]
    assert [g.key for g in plan.groups] == [(E, "E-COM")]
    mass_start(db, CSR, request, [(E, "E-COM")])
    assert {a.service_type for a in _agreements(db, developer)} == {E}
    with pytest.raises(ValidationError, match="The SA groups changed since they were shown"):
        mass_start(db, CSR, request, [(G, "G-COM")])


def test_the_landlord_change_starts_the_vacant_units_back_to_back(db: Database) -> None:
    """§B1.3 scenario 1 (b): the new landlord takes over the 8 vacant units; the old landlord's
    agreements stop the day before."""
    s = _portfolio(db)
    old = s["old"]
    assert isinstance(old, premises.LandlordAgreementView)
    old_account, new_account = str(s["old_account"]), str(s["new_account"])
    vacant = find_premises(db, PremiseCriteria(
        landlord=LinkFilter.LINKED_TO_THIS, landlord_agreement_number=old.number,
        account=LinkFilter.LINKED_TO_THIS, account_number=old_account))
    request = MassStartRequest(new_account, MOVE_IN, tuple(r.ref for r in vacant.rows))
    plan = start_plan(db, request)
    # the previous customer (the old landlord) had E-RES: the new one is proposed the same
    assert [(g.key, g.default_on, g.rates) for g in plan.groups] == [
        ((E, "E-RES"), True, ("E-RES-1",))]
    assert len(plan.groups[0].back_to_back) == 8
    assert {b.account_number for b in plan.groups[0].back_to_back} == {old_account}
    result = mass_start(db, CSR, request, [(E, "E-RES")])
    assert len(result.agreements) == 8 and len(result.back_to_back) == 8
    assert result.message.endswith("8 agreements of other accounts stop on 2025-12-31.")
    stopped = [a for a in _agreements(db, old_account)]
    assert {(a.status, a.end_date) for a in stopped} == {
        (SAStatus.PENDING_STOP, dt.date(2025, 12, 31))}
    assert {a.status for a in _agreements(db, new_account)} == {SAStatus.PENDING_START}
    # the tenants' 92 agreements were not touched
    with db.sessions() as ses:
        assert ses.scalar(select(func.count()).select_from(ServiceAgreement).where(
            ServiceAgreement.status == SAStatus.ACTIVE)) == 92


def test_groups_follow_what_the_previous_customers_had(db: Database) -> None:
    """A premise with a previous customer proposes that customer's type and rate; a group made
    only of premises whose previous customers had other types is off by default."""
    _p, before = _org_account(db, "Previous Occupant")
    _q, after = _org_account(db, "New Occupant")
    lived_in = _premise(db, "8 Birch Ln")
    sp = service_points.create_service_point(db, CSR, lived_in, E).number
    gas_sp = service_points.create_service_point(db, CSR, lived_in, G).number
    sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        before, "E-TOU", E, (sp,), START, "E-RES-TOU"))
    sa = sas.activate(db, CSR, sa.number, sa.version)
    sas.request_stop(db, CSR, sa.number, sa.version, dt.date(2025, 10, 31))
    plan = start_plan(db, MassStartRequest(after, MOVE_IN, tuple(_refs(db, [lived_in]))))
    groups = {g.key: g for g in plan.groups}
    assert groups[(E, "E-TOU")].default_on and groups[(E, "E-TOU")].rates == ("E-RES-TOU",)
    assert not groups[(G, "G-COM")].default_on  # the previous customer had no gas
    assert groups[(G, "G-COM")].service_points == (gas_sp,)
    assert "8 Birch Ln, Springfield: previous customer had E-TOU" in groups[(E, "E-TOU")].detail
    assert "Off by default" in groups[(G, "G-COM")].detail
    assert groups[(E, "E-TOU")].back_to_back == ()  # it ended before the start


def test_one_point_this_account_already_supplies_saves_nothing(db: Database) -> None:
    _party, account = _org_account(db, "Lakeview Developments")
    _complex_, units = _complex(db, 2)
    first = mass_start(db, CSR, MassStartRequest(account, MOVE_IN, tuple(_refs(db, units[:1]))),
                       [(E, "E-COM")])
    request = MassStartRequest(account, MOVE_IN, tuple(_refs(db, units)))
    plan = start_plan(db, request)
    assert [len(g.problems) for g in plan.groups] == [1, 0]
    with pytest.raises(ValidationError) as caught:
        mass_start(db, CSR, request, [(E, "E-COM"), (G, "G-COM")])
    assert caught.value.message.startswith(
        f"Nothing was started: premise {units[0]}, service point ")
    assert f"is already supplied by this account's agreement {first.agreements[0]} (pending " \
           "start)." in caught.value.message
    assert len(_agreements(db, account)) == 1


def test_a_later_start_of_another_account_cannot_be_stopped_back_to_back(db: Database) -> None:
    _p, early = _org_account(db, "Early Bird")
    _q, late = _org_account(db, "Late Comer")
    unit = _premise(db, "3 Elm St")
    sp = service_points.create_service_point(db, CSR, unit, E).number
    sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        late, "E-COM", E, (sp,), dt.date(2026, 3, 1), "E-COM-1"))
    plan = start_plan(db, MassStartRequest(early, MOVE_IN, tuple(_refs(db, [unit]))))
    assert plan.groups[0].problems == (
        f"premise {unit}, service point {sp}: agreement "
        f"{_agreements(db, late)[0].number} of account {late} (pending start, from "
        "2026-03-01) cannot be stopped the day before; start after it ends",)


def test_stop_groups_by_type_restricted_to_an_account_and_all_or_nothing(db: Database) -> None:
    _p, landlord = _org_account(db, "Stop Co")
    _q, other = _org_account(db, "Other Co")
    _complex_, units = _complex(db, 3)
    mass_start(db, CSR, MassStartRequest(landlord, START, tuple(_refs(db, units[:2]))),
               [(E, "E-COM"), (G, "G-COM")])
    mass_start(db, CSR, MassStartRequest(other, MOVE_IN, tuple(_refs(db, units[2:]))),
               [(E, "E-COM")])
    everyone = MassStopRequest(dt.date(2026, 6, 30), tuple(_refs(db, units)))
    plan = stop_plan(db, everyone)
    assert [(g.key, len(g.agreements), g.account_count) for g in plan.groups] == [
        ((E, "E-COM"), 3, 2), ((G, "G-COM"), 2, 1)]
    only = MassStopRequest(dt.date(2025, 6, 30), tuple(_refs(db, units)),
                           restrict_to_account=landlord, requested_by="Stop Co letter")
    assert [(g.key, len(g.agreements)) for g in stop_plan(db, only).groups] == [
        ((E, "E-COM"), 2), ((G, "G-COM"), 2)]
    too_early = MassStopRequest(dt.date(2025, 12, 31), tuple(_refs(db, units)))
    with pytest.raises(ValidationError) as caught:
        mass_stop(db, CSR, too_early, [(E, "E-COM")])
    assert "starts on 2026-01-01, after the stop date" in caught.value.message
    assert caught.value.field == "stop_date"
    assert {a.status for a in _agreements(db, landlord)} == {SAStatus.PENDING_START}
    result = mass_stop(db, CSR, only, [(G, "G-COM")])
    assert result.message == "2 agreements stop on 2025-06-30."
    assert sorted((a.service_type, a.end_date) for a in _agreements(db, landlord)) == [
        (E, None), (E, None), (G, dt.date(2025, 6, 30)), (G, dt.date(2025, 6, 30))]
    with db.sessions() as s:
        reasons = set(s.scalars(select(AuditEvent.reason).where(
            AuditEvent.entity_type == "ServiceAgreement", AuditEvent.field == "end_date")))
    assert reasons == {"Stop service requested by Stop Co letter (Premise Management)"}
    with pytest.raises(ValidationError, match="The SA groups changed"):
        mass_stop(db, CSR, only, [(G, "G-COM")])  # nothing left to stop in that group


def test_stale_rows_and_roles_are_refused(db: Database) -> None:
    _p, account = _org_account(db, "Lakeview Developments")
    _complex_, units = _complex(db, 1)
    refs = tuple(_refs(db, units))
    premises.set_geo_value(db, CSR, units[0], "TAXDIST", "7")  # does not touch the version
    view = premises.get_premise(db, units[0])
    premises.set_parent_premise(db, CSR, units[0], view.version, None)
    with pytest.raises(ConcurrentChange):
        mass_start(db, CSR, MassStartRequest(account, MOVE_IN, refs), [(E, "E-COM")])
    with pytest.raises(PermissionDenied):
        mass_start(db, WAREHOUSE, MassStartRequest(account, MOVE_IN, refs), [(E, "E-COM")])
    with pytest.raises(ValidationError, match="Tick at least one SA group"):
        mass_stop(db, CSR, MassStopRequest(MOVE_IN, refs), [])


def test_two_csrs_starting_the_same_premises_leave_one_set_of_agreements(db: Database) -> None:
    _p, first = _org_account(db, "First Co")
    _q, second = _org_account(db, "Second Co")
    _complex_, units = _complex(db, 3)
    refs = tuple(_refs(db, units))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def workstation(account: str) -> None:
        request = MassStartRequest(account, MOVE_IN, refs)
        barrier.wait()
        try:
            outcomes.append(mass_start(db, CSR, request, [(E, "E-COM"), (G, "G-COM")]))
        except ValidationError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=workstation, args=(a,)) for a in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # The second either stops the first back to back (it started on the same day: refused)
    # or finds nothing to start: never two live agreements on one point.
    kinds = sorted(type(o).__name__ for o in outcomes)
    assert kinds == ["MassServiceResult", "ValidationError"]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ServiceAgreement)) == 6
