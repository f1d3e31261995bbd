"""Starting and stopping service: the no-overlap rule, also under two concurrent writers."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select

from app.models import ServiceAgreement
from app.models.enums import RoleTarget, RoleType, SAStatus, ServiceType
from app.services import roles
from app.services import service_agreements as sas
from app.services.context import transaction
from app.services.errors import ConcurrentChange, ValidationError
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import CSR
from tests.services.builders import household


def _form(account: str, sp: str, start: dt.date, end: dt.date | None = None,
          service: ServiceType = ServiceType.ELECTRIC) -> ServiceAgreementForm:
    return ServiceAgreementForm(account, "E-RES", service, (sp,), start, "E-RES-1", end)


def _sa_count(db) -> int:  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(ServiceAgreement)) or 0


def test_start_service_makes_a_pending_agreement_held_by_the_owner(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                     dt.date(2025, 2, 1)))
    assert sa.status is SAStatus.PENDING_START
    assert sa.service_point_numbers == (home.electric_sp,)
    assert sa.rate_on(dt.date(2025, 6, 1)) == "E-RES-1"
    holders = roles.roles_on(db, RoleTarget.SERVICE_AGREEMENT, sa.number)
    assert [(h.role_type, h.party_number) for h in holders] == [(RoleType.HOLDER, home.party)]


def test_overlapping_agreement_on_a_service_point_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    first = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                        dt.date(2025, 2, 1), dt.date(2025, 12, 31)))
    with pytest.raises(ValidationError) as caught:
        sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                    dt.date(2025, 12, 31)))
    assert f"already supplied by agreement {first.number}" in caught.value.message
    assert "2025-02-01 to 2025-12-31" in caught.value.message
    assert _sa_count(db) == 1
    after = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                        dt.date(2026, 1, 1)))
    assert after.start_date == dt.date(2026, 1, 1)


def test_canceled_agreement_frees_the_service_point(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    first = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                        dt.date(2025, 2, 1)))
    sas.cancel(db, CSR, first.number, first.version)
    second = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                         dt.date(2025, 2, 1)))
    assert second.status is SAStatus.PENDING_START


def test_wrong_service_type_and_bad_dates_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    with pytest.raises(ValidationError, match="is gas, but this is a electric agreement"):
        sas.create_service_agreement(db, CSR, _form(home.account, home.gas_sp, dt.date(2025, 2, 1)))
    with pytest.raises(ValidationError, match="stop date 2025-01-31 is before the start date"):
        sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                    dt.date(2025, 2, 1), dt.date(2025, 1, 31)))
    assert _sa_count(db) == 0


def test_lifecycle_start_activate_stop(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                     dt.date(2025, 2, 1)))
    sa = sas.activate(db, CSR, sa.number, sa.version)
    with pytest.raises(ValidationError, match="stop date 2025-01-15 is before"):
        sas.request_stop(db, CSR, sa.number, sa.version, dt.date(2025, 1, 15))
    sa = sas.request_stop(db, CSR, sa.number, sa.version, dt.date(2025, 8, 31))
    assert (sa.status, sa.end_date) == (SAStatus.PENDING_STOP, dt.date(2025, 8, 31))
    holder = roles.roles_on(db, RoleTarget.SERVICE_AGREEMENT, sa.number)[0]
    assert holder.effective_to == dt.date(2025, 8, 31)
    sa = sas.complete_stop(db, CSR, sa.number, sa.version)
    with pytest.raises(ValidationError, match="is stopped; it cannot become active"):
        sas.activate(db, CSR, sa.number, sa.version)
    # a new occupant can start the day after
    nxt = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                      dt.date(2025, 9, 1)))
    assert nxt.status is SAStatus.PENDING_START


def test_stale_version_is_reported(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                     dt.date(2025, 2, 1)))
    sas.activate(db, CSR, sa.number, sa.version)
    with pytest.raises(ConcurrentChange, match="changed by csr1"):
        sas.cancel(db, CSR, sa.number, sa.version)


def test_rate_history_changes_take_effect_on_their_date(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                     dt.date(2025, 2, 1)))
    sa = sas.change_rate(db, CSR, sa.number, dt.date(2025, 7, 1), "e-res-tou")
    assert sa.rate_on(dt.date(2025, 6, 30)) == "E-RES-1"
    assert sa.rate_on(dt.date(2025, 7, 1)) == "E-RES-TOU"
    with pytest.raises(ValidationError, match="cannot take effect before"):
        sas.change_rate(db, CSR, sa.number, dt.date(2025, 1, 1), "E-RES-1")


def test_two_workstations_cannot_both_start_service_on_one_point(db) -> None:  # type: ignore[no-untyped-def]
    """Workstation A is mid-save on the service point; B's start must wait for it and then
    see A's agreement, not slip in beside it."""
    home = household(db)
    from app.models import Account, ServiceAgreementServicePoint, ServicePoint

    outcome: dict[str, object] = {}
    b_started = threading.Event()

    def workstation_b() -> None:
        b_started.set()
        try:
            outcome["b"] = sas.create_service_agreement(
                db, CSR, _form(home.account, home.electric_sp, dt.date(2025, 3, 1)))
        except ValidationError as exc:
            outcome["b"] = exc

    with transaction(db, CSR) as session:  # workstation A
        sp = session.scalar(select(ServicePoint).where(ServicePoint.number == home.electric_sp)
                            .with_for_update())
        account = session.scalar(select(Account).where(Account.number == home.account))
        assert sp is not None and account is not None
        thread = threading.Thread(target=workstation_b)
        thread.start()
        b_started.wait()
        time.sleep(0.5)  # give B every chance to run ahead if the lock did not hold it
        sa = ServiceAgreement(number="1000000018", account_id=account.id, sa_type="E-RES",
                              service_type=ServiceType.ELECTRIC, start_date=dt.date(2025, 2, 1),
                              status=SAStatus.PENDING_START)
        session.add(sa)
        session.flush()
        session.add(ServiceAgreementServicePoint(service_agreement_id=sa.id,
                                                 service_point_id=sp.id,
                                                 start_date=dt.date(2025, 2, 1)))
    thread.join(timeout=60)
    assert isinstance(outcome["b"], ValidationError)
    assert "already supplied by agreement 1000000018" in outcome["b"].message
    assert _sa_count(db) == 1


def test_stopping_a_pending_start_dates_it_without_activating_it(db) -> None:  # type: ignore[no-untyped-def]
    """A customer who already knows their move-out date: the agreement stays pending start and
    ends on the stop date, as if it had been started with one."""
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, _form(home.account, home.electric_sp,
                                                     dt.date(2025, 2, 1)))
    sa = sas.request_stop(db, CSR, sa.number, sa.version, dt.date(2025, 4, 30))
    assert (sa.status, sa.end_date) == (SAStatus.PENDING_START, dt.date(2025, 4, 30))
    holder = roles.roles_on(db, RoleTarget.SERVICE_AGREEMENT, sa.number)[0]
    assert holder.effective_to == dt.date(2025, 4, 30)
    sa = sas.activate(db, CSR, sa.number, sa.version)
    assert (sa.status, sa.end_date) == (SAStatus.ACTIVE, dt.date(2025, 4, 30))
