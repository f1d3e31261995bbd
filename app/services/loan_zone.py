"""Loans in Control Central (spec/50 §2.1 `alert_enabled`, P-LN1 entry points): the account's
loans zone and the "loan exists" alert, whose drill opens the loan. Registered with Control
Central when this module is imported (control_central imports it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Account, LoanAgreement, LoanSAType, LoanTransaction, ServiceAgreement
from app.models.enums import SAStatus
from app.services.alerts import Alert, AlertFacts, register_alert
from app.services.control_central import register_zone
from app.services.dashboard_dto import DashboardZone
from app.services.installation import Module, module_enabled_in

#: Loans the zone lists (open ones; stopped loans still owe their final bill).
ZONE_STATUSES = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP,
                 SAStatus.STOPPED)
ZONE_ROWS = 20
CENT = Decimal("0.01")


def _money(value: object) -> str:
    return f"{Decimal(str(value or 0)).quantize(CENT):,}"


def loans_zone(session: Session, account_id: int, _today: dt.date) -> DashboardZone | None:
    """The account's open loans with their balances; nothing when it has none."""
    if not module_enabled_in(session, Module.LOANS):
        return None
    totals = (select(LoanTransaction.service_agreement_id.label("sa_id"),
                     func.sum(LoanTransaction.current_amount).label("current"),
                     func.sum(LoanTransaction.payoff_amount).label("payoff"))
              .group_by(LoanTransaction.service_agreement_id).subquery())
    rows = session.execute(
        select(ServiceAgreement.number, LoanSAType.description, ServiceAgreement.status,
               LoanAgreement.loan_amount, totals.c.current, totals.c.payoff)
        .join(LoanAgreement, LoanAgreement.service_agreement_id == ServiceAgreement.id)
        .join(LoanSAType, LoanSAType.code == LoanAgreement.sa_type_code)
        .outerjoin(totals, totals.c.sa_id == ServiceAgreement.id)
        .where(ServiceAgreement.account_id == account_id,
               ServiceAgreement.status.in_(ZONE_STATUSES))
        .order_by(ServiceAgreement.start_date.desc(), ServiceAgreement.id.desc())
        .limit(ZONE_ROWS)).all()
    if not rows:
        return None
    currency = session.scalar(select(Account.currency).where(Account.id == account_id)) or ""
    return DashboardZone(
        "loans", "Loans",
        ("Loan", "Type", "Status", f"Loan amount {currency}", f"Current {currency}",
         f"Payoff {currency}"),
        tuple((number, description, status.label, _money(amount), _money(current),
               _money(payoff))
              for number, description, status, amount, current, payoff in rows),
        "No open loan.", link_kind="Loan")


def loan_exists(facts: AlertFacts) -> Iterable[Alert]:
    """AL-LOAN: the account has a loan of a type with the alert switched on; the drill opens
    the (newest) loan."""
    if not module_enabled_in(facts.session, Module.LOANS):
        return []
    rows = facts.session.execute(
        select(ServiceAgreement.number, LoanSAType.description)
        .join(LoanAgreement, LoanAgreement.service_agreement_id == ServiceAgreement.id)
        .join(LoanSAType, LoanSAType.code == LoanAgreement.sa_type_code)
        .where(ServiceAgreement.account_id == facts.account_id,
               ServiceAgreement.status.in_(ZONE_STATUSES),
               LoanSAType.alert_enabled.is_(True))
        .order_by(ServiceAgreement.start_date.desc(), ServiceAgreement.id.desc())
        .limit(ZONE_ROWS)).all()
    if not rows:
        return []
    newest, description = rows[0]
    text = (f"Loan exists: {description.lower()} {newest}" if len(rows) == 1
            else f"{len(rows)} loans exist (newest: {description.lower()} {newest})")
    return [Alert("AL-LOAN", "info", text, ("Loan", newest))]


register_zone("loans", loans_zone)
register_alert("AL-LOAN", loan_exists)
