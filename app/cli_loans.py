"""``switchboard loan …``: an amortization forecast from the loan engine (no database), and the
loan batch.

    switchboard loan schedule --principal 20000 --annual-rate 6.5 --periods 60
        [--frequency monthly] [--payment A] [--extra 100] [--extra-at 12=500] [--start DATE]
        [--json]
    switchboard loan run [--as-of DATE] [--database URL]      # the loan batch

Give the number of payments or the payment amount (not both): the other is calculated as the
Calculate button does (spec/50 LN-F2, LN-F3). ``--extra`` adds a planned payment to every
period, ``--extra-at N=AMOUNT`` one to payment N; the output then shows the what-if schedule
and what it saves against the plan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from app.engine.loans import (
    Calculation,
    ExtraPayment,
    Frequency,
    LoanError,
    LoanTerms,
    PaymentChange,
    Schedule,
    calculate,
    savings,
    schedule,
)


class LoanCommandError(Exception):
    """Bad command-line input: the message says what is wrong and what to do."""


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"'{text}' is not an amount, e.g. 20000 or 412.50") \
            from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"'{text}' is not an amount")
    return value


def _extra_at(text: str) -> ExtraPayment:
    number, sep, amount = text.partition("=")
    if not sep or not number.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' should be PAYMENT=AMOUNT, e.g. 12=500")
    return ExtraPayment(_amount(amount), int(number))


def add_loan_parser(sub: Any, add_database_option: Callable[[Any], None]) -> None:
    loan = sub.add_parser("loan", help="loan amortization forecasts (no database)")
    actions = loan.add_subparsers(dest="loan_action", required=True, metavar="ACTION")
    plan = actions.add_parser("schedule", help="print a loan's forecast schedule")
    plan.add_argument("--principal", type=_amount, required=True, metavar="AMOUNT")
    plan.add_argument("--annual-rate", type=_amount, required=True, metavar="PERCENT",
                      help="annual interest rate in percent, e.g. 6.5")
    term = plan.add_mutually_exclusive_group(required=True)
    term.add_argument("--periods", type=int, metavar="N", help="number of payments")
    term.add_argument("--payment", type=_amount, metavar="AMOUNT",
                      help="the payment amount (the number of payments is calculated)")
    plan.add_argument("--frequency", type=str.upper, default="MONTHLY",
                      choices=[f.value for f in Frequency], help="(default: monthly)")
    plan.add_argument("--start", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                      help="the loan's start date (default: today)")
    plan.add_argument("--extra", type=_amount, metavar="AMOUNT",
                      help="a planned extra payment with every payment (what-if)")
    plan.add_argument("--extra-at", type=_extra_at, action="append", default=[],
                      metavar="N=AMOUNT", help="a one-off extra payment with payment N")
    plan.add_argument("--json", action="store_true", help="print the schedule as JSON")
    run = actions.add_parser("run", help="the loan batch: activate started loans, stop ended "
                             "ones (database)")
    run.add_argument("--as-of", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                     help="the business date (default: today)")
    add_database_option(run)


def run_loan_batch(args: argparse.Namespace, url: str, out: TextIO) -> int:
    """``loan run``: SA activation and stop for loans, as the nightly batch does."""
    from app.db import open_database
    from app.services.context import SYSTEM
    from app.services.loan_billing import run_loan_lifecycle

    db = open_database(url)
    try:
        as_of = args.as_of or dt.date.today()
        result = run_loan_lifecycle(db, SYSTEM, as_of)
    finally:
        db.dispose()
    out.write(f"Loans on {as_of:%Y-%m-%d}: {result.activated} activated, {result.stopped} "
              f"stopped, {len(result.failed)} could not move.\n")
    for number, why in result.failed:
        out.write(f"  loan {number}: {why}\n")
    return 1 if result.failed else 0


def run_loan_command(args: argparse.Namespace, out: TextIO) -> int:
    start = args.start or dt.date.today()
    frequency = Frequency(args.frequency)
    extras = list(args.extra_at)
    if args.extra is not None:
        extras.append(ExtraPayment(args.extra, 1, recurring=True))
    if any(e.amount <= 0 for e in extras):
        raise LoanCommandError("An extra payment must be above zero.")
    principal = args.principal
    if principal == principal.quantize(Decimal("0.01")):
        principal = principal.quantize(Decimal("0.01"))   # 20000 → 20000.00
    placeholder = LoanTerms(principal, args.annual_rate, frequency, start,
                            (PaymentChange(start, Decimal("1")),))
    try:
        result = calculate(placeholder, periods=args.periods, payment=args.payment,
                           annual_rate=args.annual_rate)
        what_if = None
        if extras:
            terms = LoanTerms(principal, args.annual_rate, frequency, start,
                              (PaymentChange(start, result.payment),))
            what_if = schedule(terms, extras=extras)
    except LoanError as exc:
        option = {"loan_amount": "--principal", "rate": "--annual-rate",
                  "periods": "--periods", "payment": "--payment"}.get(exc.field or "", "")
        raise LoanCommandError(f"{exc.message}{f' ({option})' if option else ''}") from None
    if args.json:
        json.dump(_as_json(principal, args.annual_rate, frequency, result, what_if), out,
                  indent=2)
        out.write("\n")
    else:
        _print(out, principal, args.annual_rate, frequency, result, what_if)
    return 0


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "period": row.period.number if row.period else None,
        "start": row.period.start.isoformat() if row.period else None,
        "end": row.period.end.isoformat() if row.period else None,
        "amount": str(row.amount), "interest": str(row.interest),
        "principal": str(row.principal), "extra": str(row.extra),
        "cumulative_interest": str(row.cumulative_interest),
        "cumulative_principal": str(row.cumulative_principal), "balance": str(row.balance),
    }


def _schedule_json(plan: Schedule) -> dict[str, Any]:
    return {"payments": len(plan.payments), "total_interest": str(plan.total_interest),
            "total_paid": str(plan.total_paid),
            "last_date": plan.last_date.isoformat() if plan.last_date else None,
            "rows": [_row_json(r) for r in plan.rows]}


def _as_json(principal: Decimal, rate: Decimal, frequency: Frequency, result: Calculation,
             what_if: Schedule | None) -> dict[str, Any]:
    data: dict[str, Any] = {"principal": str(principal), "annual_rate": str(rate),
                            "frequency": frequency.value, "payment": str(result.payment),
                            **_schedule_json(result.schedule)}
    if what_if is not None:
        saved = savings(result.schedule, what_if)
        data["what_if"] = {**_schedule_json(what_if), "interest_saved": str(saved.interest),
                           "payments_saved": saved.periods}
    return data


_HEADER = ("#", "Period", "Amount", "Interest", "Principal", "Cum. interest",
           "Cum. principal", "Balance")


def _table(out: TextIO, plan: Schedule) -> None:
    with_extra = any(r.extra for r in plan.payments)
    header = _HEADER[:3] + (("Extra",) if with_extra else ()) + _HEADER[3:]
    widths = [4, 28, 11] + ([9] if with_extra else []) + [10, 11, 14, 15, 13]
    out.write("".join(h.rjust(w) if i != 1 else "  " + h.ljust(w - 2)
                      for i, (h, w) in enumerate(zip(header, widths, strict=True))) + "\n")
    for row in plan.rows:
        cells = [str(row.period.number) if row.period else "",
                 str(row.period) if row.period else "To date",
                 f"{row.amount:,.2f}"] + ([f"{row.extra:,.2f}"] if with_extra else []) + [
                 f"{row.interest:,.2f}", f"{row.principal:,.2f}",
                 f"{row.cumulative_interest:,.2f}", f"{row.cumulative_principal:,.2f}",
                 f"{row.balance:,.2f}"]
        out.write("".join(c.rjust(w) if i != 1 else "  " + c.ljust(w - 2)
                          for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + "\n")


def _print(out: TextIO, principal: Decimal, rate: Decimal, frequency: Frequency,
           result: Calculation, what_if: Schedule | None) -> None:
    plan = result.schedule
    out.write(f"Loan {principal:,.2f} at {rate}% a year, {frequency.label.lower()}: "
              f"{result.periods} payments of {result.payment:,.2f}"
              f" (last {plan.payments[-1].amount:,.2f}), paid off {plan.last_date:%d %b %Y}\n")
    out.write(f"Total interest {plan.total_interest:,.2f}; total paid {plan.total_paid:,.2f}\n")
    if what_if is None:
        out.write("\n")
        _table(out, plan)
        return
    saved = savings(plan, what_if)
    out.write(f"With the extra payments: {len(what_if.payments)} payments, interest "
              f"{what_if.total_interest:,.2f}, paid off {what_if.last_date:%d %b %Y} — saves "
              f"{saved.interest:,.2f} interest and {saved.periods} payments\n\n")
    _table(out, what_if)
