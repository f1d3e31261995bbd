"""Start and stop service from the account tree: proposals, authority, one transaction, audit,
and two workstations racing for one service point."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import Account, AuditEvent, ServiceAgreement, ServiceAgreementServicePoint
from app.models import ServicePoint as ServicePointRow
from app.models.enums import (
    CustomerClass,
    PremiseType,
    RoleTarget,
    RoleType,
    SAStatus,
    ServiceType,
)
from app.services import accounts, parties, premises, roles, service_points
from app.services import service_agreements as sas
from app.services.accounts import AccountForm
from app.services.context import transaction
from app.services.errors import PermissionDenied, ValidationError
from app.services.parties import MailingAddress, PersonForm
from app.services.premises import PremiseForm
from app.services.roles import RoleForm
from app.services.service_agreements import ServiceAgreementForm
from app.services.start_stop import (
    OverrideReasonRequired,
    StartServiceForm,
    StopServiceForm,
    start_options,
    start_service,
    stop_service,
)
from tests.conftest import CSR, WAREHOUSE
from tests.services.builders import START, Household, company, household

MOVE_IN = dt.date(2025, 6, 1)


def _sa_count(db: Database) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(ServiceAgreement)) or 0


def _new_occupant(db: Database, last: str = "Novak", first: str = "Petra") -> tuple[str, str]:
    """(party number, account number) of a new residential customer."""
    person = parties.create_person(db, CSR, PersonForm(
        last_name=last, first_name=first,
        address=MailingAddress(line1="9 Birch Ln", city="Springfield", postal_code="62704")))
    customer = accounts.create_customer(db, CSR, person.number, CustomerClass.RESIDENTIAL)
    return person.number, accounts.open_account(db, CSR, AccountForm(customer.number, START)).number


def _moved_out(db: Database) -> Household:
    """Okafor lived at 12 Elm St until 2025-05-31: electric moved to a TOU rate on 2025-03-01;
    gas was never supplied."""
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), START, "E-RES-1"))
    sa = sas.change_rate(db, CSR, sa.number, dt.date(2025, 3, 1), "E-RES-TOU")
    sa = sas.activate(db, CSR, sa.number, sa.version)
    sas.request_stop(db, CSR, sa.number, sa.version, dt.date(2025, 5, 31))
    return home


def _start(account: str, premise: str, sps: tuple[str, ...], caller: str | None,
           day: dt.date = MOVE_IN, override: str = "", requested_by: str = "") -> StartServiceForm:
    return StartServiceForm(account, premise, sps, day, requested_by, caller, override)


def _reasons(db: Database, numbers: list[str]) -> set[str | None]:
    with db.sessions() as s:
        ids = s.scalars(select(ServiceAgreement.id).where(ServiceAgreement.number.in_(numbers)))
        return set(s.scalars(select(AuditEvent.reason).where(
            AuditEvent.entity_type == "ServiceAgreement",
            AuditEvent.entity_id.in_([str(i) for i in ids]))))


def test_options_propose_the_previous_occupants_agreement_else_the_default(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    _party, account = _new_occupant(db)
    electric, gas = start_options(db, account, home.premise, MOVE_IN)
    assert (electric.service_point_number, electric.service_type, electric.sa_type,
            electric.rate_schedule_code, electric.blocked_reason) == (
        home.electric_sp, ServiceType.ELECTRIC, "E-RES", "E-RES-TOU", "")
    assert electric.previous_sa_number != ""
    assert (gas.service_type, gas.sa_type, gas.rate_schedule_code, gas.previous_sa_number) == (
        ServiceType.GAS, "G-RES", "G-RES-1", "")


def test_a_business_customer_gets_the_commercial_default(db) -> None:  # type: ignore[no-untyped-def]
    _org, customer = company(db, "Acme Foods Ltd.")
    account = accounts.open_account(db, CSR, AccountForm(customer, START, "Acme")).number
    shop = premises.create_premise(db, CSR, PremiseForm(PremiseType.COMMERCIAL, "1 Market Sq",
                                                        "Springfield", "62701"))
    for service in ServiceType:
        service_points.create_service_point(db, CSR, shop.number, service)
    assert [(o.service_type, o.sa_type, o.rate_schedule_code)
            for o in start_options(db, account, shop.number, MOVE_IN)] == [
        (ServiceType.ELECTRIC, "E-COM", "E-COM-1"), (ServiceType.GAS, "G-COM", "G-COM-1"),
        (ServiceType.WATER, "W-COM", "W-COM-1")]


def test_a_point_still_supplied_on_the_start_date_is_blocked(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    _party, account = _new_occupant(db)
    [electric, _gas] = start_options(db, account, home.premise, dt.date(2025, 5, 31))
    sa = sas.agreements_of_account(db, home.account)[0]
    assert electric.blocked_reason == (
        f"supplied by agreement {sa.number} (account {home.account}, pending stop) "
        "from 2025-01-01 to 2025-05-31")


def test_start_service_creates_pending_agreements_held_by_the_owner(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    party, account = _new_occupant(db)
    made = start_service(db, CSR, _start(account, home.premise,
                                         (home.gas_sp, home.electric_sp), party,
                                         requested_by="Petra Novak by phone"))
    assert [(m.service_point_numbers, m.sa_type, m.status, m.start_date, m.rate_on(MOVE_IN))
            for m in made] == [
        ((home.electric_sp,), "E-RES", SAStatus.PENDING_START, MOVE_IN, "E-RES-TOU"),
        ((home.gas_sp,), "G-RES", SAStatus.PENDING_START, MOVE_IN, "G-RES-1"),
    ]
    for m in made:
        [holder] = roles.roles_on(db, RoleTarget.SERVICE_AGREEMENT, m.number)
        assert (holder.role_type, holder.party_number, holder.effective_from) == (
            RoleType.HOLDER, party, MOVE_IN)
    assert _reasons(db, [m.number for m in made]) == {
        "Start service requested by Petra Novak by phone"}


def test_a_caller_without_authority_needs_an_override_reason(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    _party, account = _new_occupant(db)
    stranger, _other = _new_occupant(db, "Quist", "Olaf")
    before = _sa_count(db)
    with pytest.raises(OverrideReasonRequired) as caught:
        start_service(db, CSR, _start(account, home.premise, (home.electric_sp,), stranger))
    assert "Quist, Olaf is not owner or administrator" in caught.value.message
    assert "override" in caught.value.message and caught.value.field == "override_reason"
    with pytest.raises(OverrideReasonRequired, match="Unknown caller"):
        start_service(db, CSR, _start(account, home.premise, (home.electric_sp,), None))
    assert _sa_count(db) == before
    made = start_service(db, CSR, _start(account, home.premise, (home.electric_sp,), stranger,
                                         override="Landlord's letter on file"))
    assert _reasons(db, [made[0].number]) == {
        f"override, caller {stranger} has no authority: Landlord's letter on file"}


def test_an_administrator_may_ask_and_a_warehouse_user_may_not_start(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    owner, account = _new_occupant(db)
    helper, _ = _new_occupant(db, "Quist", "Olaf")
    roles.add_role(db, CSR, RoleForm(helper, RoleType.ADMINISTRATOR, RoleTarget.ACCOUNT, account,
                                     START, granted_by_party_number=owner))
    with pytest.raises(PermissionDenied):
        start_service(db, WAREHOUSE, _start(account, home.premise, (home.gas_sp,), helper))
    [made] = start_service(db, CSR, _start(account, home.premise, (home.gas_sp,), helper))
    assert made.status is SAStatus.PENDING_START
    assert _reasons(db, [made.number]) == {None}


def test_one_blocked_point_saves_nothing_and_names_it(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    party, account = _new_occupant(db)
    before = _sa_count(db)
    with pytest.raises(ValidationError) as caught:
        start_service(db, CSR, _start(account, home.premise, (home.electric_sp, home.gas_sp),
                                      party, dt.date(2025, 5, 15)))
    assert caught.value.message.startswith(
        f"Nothing was started: service point {home.electric_sp} (electric) is supplied by "
        "agreement ")
    assert "from 2025-01-01 to 2025-05-31" in caught.value.message
    assert _sa_count(db) == before  # the gas point was not started either


def test_a_point_of_another_premise_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    party, account = _new_occupant(db)
    elsewhere = household(db, "Berg", "Ida", "4 Oak Ave")
    with pytest.raises(ValidationError, match=f"{elsewhere.gas_sp} is not at premise"):
        start_service(db, CSR, _start(account, home.premise, (home.gas_sp, elsewhere.gas_sp),
                                      party))
    assert len(sas.agreements_of_account(db, account)) == 0


def _started(db: Database) -> tuple[Household, str, str, list[str]]:
    home = _moved_out(db)
    party, account = _new_occupant(db)
    made = start_service(db, CSR, _start(account, home.premise,
                                         (home.electric_sp, home.gas_sp), party))
    electric = sas.activate(db, CSR, made[0].number, made[0].version)
    return home, party, account, [electric.number, made[1].number]


def test_stop_service_puts_active_into_pending_stop_and_dates_pending_starts(db) -> None:  # type: ignore[no-untyped-def]
    _home, party, account, (electric, gas) = _started(db)
    stopped = stop_service(db, CSR, StopServiceForm(
        account, (gas, electric), dt.date(2025, 9, 30), "Petra Novak", party))
    by_number = {s.number: s for s in stopped}
    assert (by_number[electric].status, by_number[electric].end_date) == (
        SAStatus.PENDING_STOP, dt.date(2025, 9, 30))
    assert (by_number[gas].status, by_number[gas].end_date) == (
        SAStatus.PENDING_START, dt.date(2025, 9, 30))
    assert len(stopped) == 2
    for number in (electric, gas):
        [holder] = roles.roles_on(db, RoleTarget.SERVICE_AGREEMENT, number)
        assert holder.effective_to == dt.date(2025, 9, 30)
    assert _reasons(db, [electric]) >= {"Stop service requested by Petra Novak"}
    with db.sessions() as s:
        ends = set(s.scalars(
            select(ServiceAgreementServicePoint.end_date)
            .join(ServiceAgreement,
                  ServiceAgreement.id == ServiceAgreementServicePoint.service_agreement_id)
            .where(ServiceAgreement.number.in_([electric, gas]))))
    assert ends == {dt.date(2025, 9, 30)}


def test_stop_before_the_start_or_on_another_account_is_refused_whole(db) -> None:  # type: ignore[no-untyped-def]
    home, party, account, (electric, gas) = _started(db)
    with pytest.raises(ValidationError) as caught:
        stop_service(db, CSR, StopServiceForm(account, (electric, gas), dt.date(2025, 5, 20),
                                              caller_party_number=party))
    assert caught.value.message.startswith(
        f"Agreement {min(electric, gas)} starts on 2025-06-01; the stop date 2025-05-20 is "
        "before that.")
    old = sas.agreements_of_account(db, home.account)[0].number
    with pytest.raises(ValidationError, match=f"Agreement {old} belongs to account "
                                              f"{home.account}, not {account}"):
        stop_service(db, CSR, StopServiceForm(account, (electric, old), dt.date(2025, 9, 30),
                                              caller_party_number=party))
    with pytest.raises(ValidationError, match="is pending stop; only pending-start and active"):
        stop_service(db, CSR, StopServiceForm(home.account, (old,), dt.date(2025, 9, 30),
                                              caller_party_number=home.party))
    assert {sa.status for sa in sas.agreements_of_account(db, account)} == {
        SAStatus.ACTIVE, SAStatus.PENDING_START}
    assert all(sa.end_date is None for sa in sas.agreements_of_account(db, account))


def test_stop_without_authority_needs_an_override_and_audits_it(db) -> None:  # type: ignore[no-untyped-def]
    _home, _party, account, (electric, _gas) = _started(db)
    with pytest.raises(OverrideReasonRequired, match="Unknown caller"):
        stop_service(db, CSR, StopServiceForm(account, (electric,), dt.date(2025, 9, 30)))
    stop_service(db, CSR, StopServiceForm(account, (electric,), dt.date(2025, 9, 30),
                                          override_reason="Executor of the estate"))
    assert _reasons(db, [electric]) >= {
        "override, unknown caller has no authority: Executor of the estate"}


def test_two_workstations_cannot_both_start_service_on_one_point(db) -> None:  # type: ignore[no-untyped-def]
    """Workstation A is mid-save on the service point; B's start waits for it and then sees
    A's agreement instead of slipping in beside it."""
    home = _moved_out(db)
    party, account = _new_occupant(db)
    outcome: dict[str, object] = {}
    b_started = threading.Event()

    def workstation_b() -> None:
        b_started.set()
        try:
            outcome["b"] = start_service(db, CSR, _start(account, home.premise,
                                                         (home.gas_sp,), party))
        except ValidationError as exc:
            outcome["b"] = exc

    with transaction(db, CSR) as session:  # workstation A
        sp = session.scalar(select(ServicePointRow).where(ServicePointRow.number == home.gas_sp)
                            .with_for_update())
        other = session.scalar(select(Account).where(Account.number == home.account))
        assert sp is not None and other is not None
        thread = threading.Thread(target=workstation_b)
        thread.start()
        b_started.wait()
        time.sleep(0.5)  # give B every chance to run ahead if the lock did not hold it
        sa = ServiceAgreement(number="1000000018", account_id=other.id, sa_type="G-RES",
                              service_type=ServiceType.GAS, start_date=dt.date(2025, 5, 1),
                              status=SAStatus.PENDING_START)
        session.add(sa)
        session.flush()
        session.add(ServiceAgreementServicePoint(service_agreement_id=sa.id,
                                                 service_point_id=sp.id,
                                                 start_date=dt.date(2025, 5, 1)))
    thread.join(timeout=60)
    assert isinstance(outcome["b"], ValidationError)
    assert f"service point {home.gas_sp} (gas) is supplied by agreement 1000000018 (account " \
           f"{home.account}, pending start) from 2025-05-01 with no end date" in outcome["b"].message
    assert len(sas.agreements_of_account(db, account)) == 0


def test_two_simultaneous_starts_on_one_point_leave_one_agreement(db) -> None:  # type: ignore[no-untyped-def]
    home = _moved_out(db)
    first = _new_occupant(db)
    second = _new_occupant(db, "Quist", "Olaf")
    barrier = threading.Barrier(2)
    results: list[object] = []

    def workstation(party: str, account: str) -> None:
        barrier.wait()
        try:
            results.append(start_service(db, CSR, _start(account, home.premise,
                                                         (home.gas_sp,), party)))
        except ValidationError as exc:
            results.append(exc)

    threads = [threading.Thread(target=workstation, args=who) for who in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(type(r).__name__ for r in results) == ["ValidationError", "list"]
    with db.sessions() as s:
        on_gas = s.scalar(
            select(func.count()).select_from(ServiceAgreementServicePoint)
            .join(ServicePointRow,
                  ServicePointRow.id == ServiceAgreementServicePoint.service_point_id)
            .where(ServicePointRow.number == home.gas_sp))
    assert on_gas == 1
