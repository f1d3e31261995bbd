"""Loans (spec/50 §2): read a loan into a `LoanView` (terms, balances, grids, history and its
forecast), list an account's loans and the loan types a loan can start with, and the loan's
start (LN-F13, Calculate then Start), activation and cancellation.

Billing, payments, adjustments and the stop are in `loan_billing`; renegotiation and the
manual rate and payment grids in `loan_terms`. The forecast and every Calculate are the
engine's (`app.engine.loans`); the pure functions here (`forecast`, `calculate_start`) take a
view the pane already holds and run no query, so a pane can recalculate as the user types.

Balances: current = Σ current amounts of the loan's transactions (billed, not paid), payoff =
Σ payoff amounts (what settles it today, without interest accrued since the last bill),
principal = payoff − current (unbilled principal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.loans import (
    ExtraPayment,
    Frequency,
    LoanError,
    LoanPeriod,
    LoanPosition,
    LoanTerms,
    NegativeAmortization,
    PaymentChange,
    RateOverride,
    Schedule,
    ScheduleRow,
    calculate,
    schedule,
    with_changes,
)
from app.models import (
    Account,
    Customer,
    LoanAgreement,
    LoanBillSegment,
    LoanPaymentAmount,
    LoanRateOverride,
    LoanSAType,
    LoanStartOption,
    LoanTransaction,
    Party,
    ServiceAgreement,
)
from app.models.enums import LoanSegmentStatus, LoanTransactionKind, SAStatus, UserRole
from app.services.common import check_version, get_by_number, new_number
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError

ZERO = Decimal("0.00")
#: Who starts, renegotiates and cancels loans (loan officers are CSRs).
LOAN_OFFICERS = (UserRole.CSR, UserRole.SUPERVISOR)
#: Agreement statuses in which a loan still has a future.
OPEN_LOAN = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP)
#: How the forecast says it has no schedule (P-LN1 §5, LN-F7).
FORECAST_REFUSED = "Forecast cannot be calculated: "
#: Rows of the history grid a view carries (newest first).
HISTORY_ROWS = 500


# ----------------------------------------------------------------------------- DTOs


#: One row of the forecasted schedule as the pane and the PDF show it: the engine's row
#: (``number``, ``start``, ``end``, ``amount``, ``extra``, ``interest``, ``principal``, the
#: cumulative figures and ``balance``; number None for the to-date row).
ForecastRow = ScheduleRow


@dataclass(frozen=True)
class Forecast:
    """A forecast, or why there is none (negative amortization, LN-F7)."""

    rows: tuple[ForecastRow, ...] = ()
    error: str | None = None
    payments: int = 0
    future_interest: Decimal = ZERO
    total_interest: Decimal = ZERO
    total_paid: Decimal = ZERO
    last_date: dt.date | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class WhatIf:
    """The plan and the schedule with planned extra payments, and what they save."""

    plan: Forecast
    with_extras: Forecast
    interest_saved: Decimal = ZERO
    payments_saved: int = 0


#: A row of the Override Interest Rate grid (start, end or None, rate) and of the Payment
#: Amount grid (effective date, amount): the engine's own records of them.
RateRow = RateOverride
PaymentRow = PaymentChange


@dataclass(frozen=True)
class HistoryRow:
    """A financial transaction of the loan, with the balances after it (newest first)."""

    date: dt.date
    kind: str
    description: str
    current_amount: Decimal
    current_balance: Decimal
    payoff_amount: Decimal
    payoff_balance: Decimal


@dataclass(frozen=True)
class LoanView:
    """Everything the loan pane shows (P-LN1), and the engine inputs behind its forecast."""

    sa_number: str
    account_number: str
    customer_name: str
    status: SAStatus
    sa_type_code: str
    sa_type: str
    start_option: str
    start_date: dt.date
    end_date: dt.date | None
    frequency: Frequency
    currency: str
    total_amount_label: str
    recurring_charge_label: str
    allow_rate_override: bool
    loan_amount: Decimal
    standard_rate: Decimal
    original_payment_periods: int
    current_balance: Decimal
    payoff_balance: Decimal
    #: The rate and payment in force for the next period, and that period.
    rate: Decimal
    next_payment: Decimal
    next_period: LoanPeriod
    rate_overrides: tuple[RateRow, ...]
    payment_amounts: tuple[PaymentRow, ...]
    history: tuple[HistoryRow, ...]
    forecast: Forecast
    terms: LoanTerms
    position: LoanPosition
    #: The end of the last billed period; None before the first bill.
    billed_through: dt.date | None
    #: The last billing that failed (ERROR segment), e.g. negative amortization.
    billing_error: str | None
    version: int

    @property
    def principal_balance(self) -> Decimal:
        return self.payoff_balance - self.current_balance

    @property
    def ever_billed(self) -> bool:
        return self.billed_through is not None

    @property
    def loan_amount_editable(self) -> bool:
        return self.status is SAStatus.PENDING_START

    def why_not_billable(self, day: dt.date) -> tuple[str, str] | None:
        """Why the next period cannot be billed on ``day``: (sentence, field), or None."""
        return why_not_billable(self.sa_number, self.status, self.end_date, self.next_period,
                                day)


@dataclass(frozen=True)
class LoanSummary:
    """A loan in an account's list."""

    sa_number: str
    sa_type: str
    status: SAStatus
    start_date: dt.date
    loan_amount: Decimal
    payoff_balance: Decimal


@dataclass(frozen=True)
class StartOptionChoice:
    code: str
    description: str
    loan_amount: Decimal | None
    payment_amount: Decimal | None
    payment_periods: int | None
    #: The rate a loan started with this option carries (the option's, else the type's).
    rate: Decimal


@dataclass(frozen=True)
class LoanTypeChoice:
    code: str
    description: str
    frequency: Frequency
    total_amount_label: str
    recurring_charge_label: str
    options: tuple[StartOptionChoice, ...]


@dataclass(frozen=True)
class StartLoanForm:
    """The Start Confirmation's loan fields (LN-F13): exactly one of payment and periods."""

    account_number: str
    sa_type_code: str
    start_option_code: str
    start_date: dt.date
    loan_amount: Decimal | None
    payment_amount: Decimal | None = None
    payment_periods: int | None = None


@dataclass(frozen=True)
class LoanCalculation:
    """The result of Calculate on some inputs: the blank field filled and the forecast. A
    Start or Save is accepted only with the calculation of the inputs being saved."""

    inputs: object
    payment: Decimal
    periods: int
    rate: Decimal
    effective: dt.date
    forecast: Forecast
    #: The loan as it would be: for a what-if on top of the calculated plan.
    terms: LoanTerms
    position: LoanPosition


# ----------------------------------------------------------------------------- pure helpers


def forecast_of(plan: Schedule) -> Forecast:
    return Forecast(plan.rows, None, len(plan.payments), plan.future_interest,
                    plan.total_interest, plan.total_paid, plan.last_date)


def _forecast(terms: LoanTerms, position: LoanPosition,
              extras: Sequence[ExtraPayment] = ()) -> tuple[Forecast, Schedule | None]:
    try:
        plan = schedule(terms, position, extras)
    except NegativeAmortization as exc:
        return Forecast(error=FORECAST_REFUSED + exc.message[0].lower() + exc.message[1:]), None
    except LoanError as exc:
        return Forecast(error=exc.message), None
    return forecast_of(plan), plan


def forecast(terms: LoanTerms, position: LoanPosition, extras: Sequence[ExtraPayment] = (),
             plan: Forecast | None = None) -> WhatIf:
    """A loan's forecast and, with ``extras``, the what-if schedule beside it. No query: the
    terms and position come from a `LoanView` or a `LoanCalculation` the pane holds, and
    ``plan``, when given, is their forecast already made."""
    if plan is None:
        plan = _forecast(terms, position)[0]
    if not extras or not plan.ok:
        return WhatIf(plan, plan)
    with_extras = _forecast(terms, position, extras)[0]
    if not with_extras.ok:
        return WhatIf(plan, with_extras)
    return WhatIf(plan, with_extras, plan.total_interest - with_extras.total_interest,
                  plan.payments - with_extras.payments)


def loan_error(exc: LoanError) -> ValidationError:
    """The engine's sentence, beside the field it names."""
    fields = {"rate": "rate", "periods": "periods", "payment": "payment",
              "loan_amount": "loan_amount"}
    return ValidationError(exc.message, fields.get(exc.field or "", "payment"))


def _choice(types: Sequence[LoanTypeChoice], type_code: str,
            option_code: str) -> tuple[LoanTypeChoice, StartOptionChoice]:
    sa_type = next((t for t in types if t.code == type_code), None)
    if sa_type is None:
        raise ValidationError(f"There is no loan type {type_code}. Choose one from the list.",
                              "sa_type")
    option = next((o for o in sa_type.options if o.code == option_code), None)
    if option is None:
        raise ValidationError(f"Loan type {type_code} has no start option {option_code}. "
                              "Choose one from the list.", "start_option")
    return sa_type, option


def calculate_start(types: Sequence[LoanTypeChoice], form: StartLoanForm) -> LoanCalculation:
    """Calculate on the Start Confirmation (LN-F13): fill the blank one of payment and
    periods with LN-F2 / LN-F3 and forecast the loan; negative amortization is an error."""
    sa_type, option = _choice(types, form.sa_type_code, form.start_option_code)
    if form.loan_amount is None:
        raise ValidationError(f"Enter the {sa_type.total_amount_label.lower()}.", "loan_amount")
    terms = LoanTerms(form.loan_amount, option.rate, sa_type.frequency, form.start_date,
                      (PaymentChange(form.start_date, Decimal("0.01")),))
    try:
        result = calculate(terms, payment=form.payment_amount, periods=form.payment_periods)
    except LoanError as exc:
        raise loan_error(exc) from None
    terms = with_changes(terms, form.start_date, payment=result.payment)
    return LoanCalculation(form, result.payment, result.periods, option.rate, form.start_date,
                           forecast_of(result.schedule), terms, LoanPosition(form.loan_amount))


def require_calculated(calculation: LoanCalculation | None, inputs: object) -> None:
    """Save only after a successful Calculate on the current inputs (LN-F10)."""
    if calculation is None or calculation.inputs != inputs:
        raise ValidationError("The inputs changed since the last Calculate. Click Calculate, "
                              "check the result, then save.", "calculate")


# ----------------------------------------------------------------------------- reading


def lock_loan(session: Session, sa_number: str, *,
              lock: bool = False) -> tuple[ServiceAgreement, LoanAgreement]:
    sa = get_by_number(session, ServiceAgreement, sa_number, "service agreement",
                       "sa_number", lock=lock)
    query = select(LoanAgreement).where(LoanAgreement.service_agreement_id == sa.id)
    loan = session.scalar(query.with_for_update() if lock else query)
    if loan is None:
        raise NotFound(f"Agreement {sa.number} is not a loan.")
    return sa, loan


def why_not_billable(number: str, status: SAStatus, end_date: dt.date | None,
                     first: LoanPeriod, day: dt.date) -> tuple[str, str] | None:
    """Why loan period ``first`` cannot be billed on ``day`` — (sentence, field) — or None.

    An active loan is billed, in advance, from each period's first day; so is one paid off
    early, for the periods that start on or before its end date (the final bill then adds only
    the last part-period's interest)."""
    if status is SAStatus.PENDING_STOP and end_date is not None and first.start > end_date:
        return (f"Loan {number} ends {end_date:%d %b %Y}: every period up to then is billed. "
                "Stop SA bills what is left.", "status")
    if status not in (SAStatus.ACTIVE, SAStatus.PENDING_STOP):
        return f"Loan {number} is {status.label.lower()}; only an active loan is billed.", \
            "status"
    if day < first.start:
        return (f"Period {first.number} starts {first.start:%d %b %Y}; loans are billed in "
                "advance from the period's first day, so bill it on or after that day.",
                "bill_date")
    return None


def require_status(sa: ServiceAgreement, allowed: Iterable[SAStatus], why: str,
                   field: str = "status") -> None:
    """Refuse unless the loan is in one of ``allowed``: "Loan 123… is closed; <why>"."""
    if sa.status not in tuple(allowed):
        raise ValidationError(f"Loan {sa.number} is {sa.status.label.lower()}; {why}", field)


def balances(session: Session, sa_id: int) -> tuple[Decimal, Decimal]:
    """(current, payoff) of a loan."""
    current, payoff = session.execute(
        select(func.coalesce(func.sum(LoanTransaction.current_amount), 0),
               func.coalesce(func.sum(LoanTransaction.payoff_amount), 0))
        .where(LoanTransaction.service_agreement_id == sa_id)).one()
    return (Decimal(str(current)).quantize(Decimal("0.01")),
            Decimal(str(payoff)).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Billed:
    """How far a loan has been billed."""

    next_period: int
    billed_through: dt.date | None
    interest: Decimal


def billed(session: Session, sa_id: int) -> Billed:
    last, through, interest, count = session.execute(
        select(func.max(LoanBillSegment.first_period + LoanBillSegment.periods_covered - 1),
               func.max(LoanBillSegment.end_date),
               func.coalesce(func.sum(LoanBillSegment.interest), 0), func.count())
        .where(LoanBillSegment.service_agreement_id == sa_id,
               LoanBillSegment.status == LoanSegmentStatus.OK)).one()
    return Billed((last or 0) + 1, through, Decimal(str(interest)).quantize(Decimal("0.01")))


def terms_of(session: Session, sa: ServiceAgreement, loan: LoanAgreement) -> LoanTerms:
    overrides = session.scalars(select(LoanRateOverride).where(
        LoanRateOverride.service_agreement_id == sa.id).order_by(LoanRateOverride.start_date))
    payments = session.scalars(select(LoanPaymentAmount).where(
        LoanPaymentAmount.service_agreement_id == sa.id)
        .order_by(LoanPaymentAmount.effective_date))
    return LoanTerms(
        loan.loan_amount, loan.standard_rate, loan.frequency, sa.start_date,
        tuple(PaymentChange(p.effective_date, p.amount) for p in payments),
        tuple(RateOverride(o.start_date, o.end_date, o.rate) for o in overrides))


def position_of(loan: LoanAgreement, sa: ServiceAgreement, current: Decimal, payoff: Decimal,
                done: Billed) -> LoanPosition:
    if sa.status is SAStatus.PENDING_START:
        return LoanPosition(loan.loan_amount, ZERO, 1)
    if sa.status in (SAStatus.CANCELED, SAStatus.STOPPED, SAStatus.CLOSED):
        return LoanPosition(ZERO, done.interest, done.next_period)
    return LoanPosition(payoff - current, done.interest, done.next_period)


def _history(session: Session, sa_id: int) -> tuple[HistoryRow, ...]:
    rows = session.execute(
        select(LoanTransaction.transaction_date, LoanTransaction.kind,
               LoanTransaction.description, LoanTransaction.current_amount,
               LoanTransaction.payoff_amount)
        .where(LoanTransaction.service_agreement_id == sa_id)
        .order_by(LoanTransaction.id)).all()
    current = payoff = ZERO
    out = []
    for day, kind, description, cur, pay in rows:
        current += cur
        payoff += pay
        out.append(HistoryRow(day, kind.label, description, cur, current, pay, payoff))
    return tuple(reversed(out[-HISTORY_ROWS:]))


def view_in(session: Session, sa: ServiceAgreement, loan: LoanAgreement) -> LoanView:
    account = session.get(Account, sa.account_id)
    assert account is not None
    customer_name = session.scalar(
        select(Party.display_name).join(Customer, Customer.legal_party_id == Party.id)
        .where(Customer.id == account.customer_id)) or ""
    sa_type = session.get(LoanSAType, loan.sa_type_code)
    option = session.get(LoanStartOption, loan.start_option_code)
    assert sa_type is not None and option is not None
    current, payoff = balances(session, sa.id)
    done = billed(session, sa.id)
    terms = terms_of(session, sa, loan)
    position = position_of(loan, sa, current, payoff, done)
    next_period = terms.period(done.next_period)
    error = session.scalar(select(LoanBillSegment.error_message).where(
        LoanBillSegment.service_agreement_id == sa.id,
        LoanBillSegment.status == LoanSegmentStatus.ERROR)
        .order_by(LoanBillSegment.id.desc()).limit(1)) if sa.status is SAStatus.ACTIVE else None
    plan = (_forecast(terms, position)[0] if sa.status in OPEN_LOAN
            else Forecast(error=f"The loan is {sa.status.label.lower()}: nothing to forecast."))
    return LoanView(
        sa.number, account.number, customer_name, sa.status, sa_type.code,
        sa_type.description, option.description, sa.start_date, sa.end_date, loan.frequency,
        account.currency, sa_type.total_amount_label, sa_type.recurring_charge_label,
        sa_type.allow_rate_override, loan.loan_amount, loan.standard_rate,
        loan.original_payment_periods, current, payoff,
        terms.rate_on(next_period.start), terms.payment_on(next_period.start), next_period,
        terms.rate_overrides, terms.payments,
        _history(session, sa.id), plan, terms, position, done.billed_through, error,
        loan.version)


def open_loan(db: Database, sa_number: str) -> LoanView:
    """The loan agreement ``sa_number`` as the loan pane shows it."""
    with read_only(db) as session:
        sa, loan = lock_loan(session, sa_number)
        return view_in(session, sa, loan)


def loans_of_account(db: Database, account_number: str) -> list[LoanSummary]:
    """An account's loans, open ones first, newest first."""
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        rows = session.execute(
            select(ServiceAgreement.id, ServiceAgreement.number, LoanSAType.description,
                   ServiceAgreement.status, ServiceAgreement.start_date,
                   LoanAgreement.loan_amount)
            .join(LoanAgreement, LoanAgreement.service_agreement_id == ServiceAgreement.id)
            .join(LoanSAType, LoanSAType.code == LoanAgreement.sa_type_code)
            .where(ServiceAgreement.account_id == account.id)
            .order_by(ServiceAgreement.start_date.desc(), ServiceAgreement.id.desc())).all()
        summaries = [LoanSummary(number, description, status, start, amount,
                                 balances(session, sa_id)[1])
                     for sa_id, number, description, status, start, amount in rows]
    return sorted(summaries, key=lambda s: s.status not in OPEN_LOAN)


def loan_types(db: Database) -> list[LoanTypeChoice]:
    """The loan SA types with their start options (the Start Confirmation's choices)."""
    with read_only(db) as session:
        types = session.scalars(select(LoanSAType).order_by(LoanSAType.description)).all()
        options = session.scalars(select(LoanStartOption).order_by(
            LoanStartOption.description)).all()
        return [
            LoanTypeChoice(
                t.code, t.description, t.frequency, t.total_amount_label,
                t.recurring_charge_label,
                tuple(StartOptionChoice(o.code, o.description, o.loan_amount,
                                        o.payment_amount, o.payment_periods,
                                        o.interest_rate if o.interest_rate is not None
                                        else t.standard_rate)
                      for o in options if o.sa_type_code == t.code))
            for t in types]


# ----------------------------------------------------------------------------- start


def start_loan(db: Database, actor: Actor, form: StartLoanForm,
               calculated: LoanCalculation | None) -> str:
    """Start a loan (LN-F13): a pending-start agreement with its loan terms and its payment
    row, after Calculate on these very inputs. Returns the new agreement's number."""
    actor.require("start loans", *LOAN_OFFICERS)
    require_calculated(calculated, form)
    types = loan_types(db)
    result = calculate_start(types, form)
    sa_type, option = _choice(types, form.sa_type_code, form.start_option_code)
    with transaction(db, actor, reason="Loan started") as session:
        account = get_by_number(session, Account, form.account_number, "account", "account")
        if account.status.value != "ACTIVE":
            raise ValidationError(f"Account {account.number} is closed; a loan needs an open "
                                  "account.", "account")
        row_type = session.get(LoanSAType, sa_type.code)
        assert row_type is not None
        sa = ServiceAgreement(
            number=new_number(session, ServiceAgreement), account_id=account.id,
            sa_type=sa_type.code, service_type=row_type.service_type,
            start_date=form.start_date, status=SAStatus.PENDING_START)
        session.add(sa)
        session.flush()
        session.add(LoanAgreement(
            service_agreement_id=sa.id, sa_type_code=sa_type.code,
            start_option_code=option.code, loan_amount=form.loan_amount,
            original_payment_periods=result.periods, standard_rate=option.rate,
            frequency=sa_type.frequency))
        session.flush()
        session.add(LoanPaymentAmount(service_agreement_id=sa.id,
                                      effective_date=form.start_date, amount=result.payment))
        session.flush()
        return sa.number


def touch(loan: LoanAgreement) -> None:
    """Mark the loan changed (its version moves on), so a view read before this change is
    refused when saved: a bill or payment changes the principal a Calculate used."""
    loan.updated_at = dt.datetime.now(dt.UTC)     # an UPDATE: the version moves on


def post_transaction(session: Session, sa: ServiceAgreement, kind: LoanTransactionKind,
                     day: dt.date, description: str, current: Decimal, payoff: Decimal,
                     **links: int) -> LoanTransaction:
    """Post one financial transaction of a loan."""
    ft = LoanTransaction(service_agreement_id=sa.id, kind=kind, transaction_date=day,
                         description=description[:120], current_amount=current,
                         payoff_amount=payoff, **links)
    session.add(ft)
    session.flush()
    return ft


def activate_loan(db: Database, actor: Actor, sa_number: str,
                  expected_version: int | None = None) -> LoanView:
    """Activate SA: the loan becomes active and its principal is booked to the payoff
    balance by the start option's adjustment (current 0, payoff + loan amount)."""
    actor.require("activate loans", *LOAN_OFFICERS)
    with transaction(db, actor, reason="Loan activated") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        check_version(loan, expected_version, f"Loan {sa.number}")
        require_status(sa, (SAStatus.PENDING_START,),
                       "only a pending-start loan can be activated.")
        option = session.get(LoanStartOption, loan.start_option_code)
        assert option is not None
        sa.status = SAStatus.ACTIVE
        post_transaction(session, sa, LoanTransactionKind.PRINCIPAL, sa.start_date,
              option.principal_adjustment_label, ZERO, loan.loan_amount)
        touch(loan)
        session.flush()
        return view_in(session, sa, loan)


def cancel_loan(db: Database, actor: Actor, sa_number: str,
                expected_version: int | None = None) -> LoanView:
    """Cancel a loan started by mistake: pending start, or active and never billed nor paid
    (its principal is taken back off the payoff balance)."""
    actor.require("cancel loans", *LOAN_OFFICERS)
    with transaction(db, actor, reason="Loan canceled") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        check_version(loan, expected_version, f"Loan {sa.number}")
        if sa.status is SAStatus.ACTIVE:
            kinds = set(session.scalars(select(LoanTransaction.kind).where(
                LoanTransaction.service_agreement_id == sa.id)))
            if kinds - {LoanTransactionKind.PRINCIPAL}:
                raise ValidationError(
                    f"Loan {sa.number} has been billed or paid, so it cannot be canceled. "
                    "Stop it with an end date instead.", "status")
            post_transaction(session, sa, LoanTransactionKind.CANCELLATION, dt.date.today(),
                  "Loan canceled: principal reversed", ZERO, -loan.loan_amount)
        else:
            require_status(sa, (SAStatus.PENDING_START,), "it cannot be canceled.")
        sa.status = SAStatus.CANCELED
        touch(loan)
        session.flush()
        return view_in(session, sa, loan)


__all__ = ["Forecast", "ForecastRow", "HistoryRow", "LoanCalculation", "LoanSummary",
           "LoanTypeChoice", "LoanView", "NegativeAmortization", "PaymentRow", "RateRow",
           "StartLoanForm", "StartOptionChoice", "WhatIf", "activate_loan", "calculate_start",
           "cancel_loan", "forecast", "loan_types", "loans_of_account",
           "open_loan", "start_loan"]
