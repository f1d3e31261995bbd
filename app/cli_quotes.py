"""``switchboard quote …``: quotes from the command line.

    switchboard quote print QUOTE_ID --out FILE.pdf [--summary] [--routing N] [--database URL]
    switchboard quote list [--account NUMBER] [--status STATUS] [--database URL]
    switchboard quote close-expired [--action CANCEL|DECLINE|NO_ACTION] [--reason CODE]
    switchboard quote print-run --out FOLDER [--run N] [--database URL]

``print`` writes one quote as a PDF: the copy of routing N (a reprint), or by default the
first routing's (or the account's, before the quote is complete) — spec/40 §4.1, §4.2.
``close-expired`` is CLOSEQTE: every complete quote past its expiry is closed, its quotable
proposals canceled (or declined with a reason, or left alone). ``print-run`` is QUOTROUT: the
next run's copies (or an earlier run's, rebuilt from current data) into FOLDER, one PDF per
quote with a copy per recipient; a new run is then marked printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.db import Database
    from app.services.context import Actor

ACTIONS = ("NO_ACTION", "DECLINE", "CANCEL")


class QuoteCommandError(Exception):
    """Bad command-line input: the message says what is wrong and what to do."""


def add_quote_parser(sub: Any, add_database_option: Callable[[Any], None]) -> None:
    quote = sub.add_parser("quote", help="print quotes, list them, close expired ones")
    actions = quote.add_subparsers(dest="quote_action", required=True, metavar="ACTION")
    printer = actions.add_parser("print", help="write one quote as a PDF")
    printer.add_argument("quote_id", metavar="QUOTE_ID")
    printer.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    printer.add_argument("--summary", action="store_true",
                         help="print the summary lines only (default: every calc line)")
    printer.add_argument("--routing", type=int, metavar="N",
                         help="the copy of routing N (default: the first)")
    add_database_option(printer)
    listing = actions.add_parser("list", help="list quotes, the soonest to expire first")
    listing.add_argument("--account", metavar="NUMBER")
    listing.add_argument("--status", choices=("PENDING", "COMPLETE", "CLOSED", "CANCELED"),
                         type=str.upper)
    add_database_option(listing)
    closer = actions.add_parser("close-expired",
                                help="close complete quotes past their expiry (CLOSEQTE)")
    closer.add_argument("--action", choices=ACTIONS, default="CANCEL", type=str.upper,
                        help="what happens to their quotable proposals (default: CANCEL)")
    closer.add_argument("--reason", metavar="CODE", help="decline reason (with DECLINE)")
    add_database_option(closer)
    run = actions.add_parser("print-run", help="print a run of quote copies (QUOTROUT)")
    run.add_argument("--out", required=True, type=Path, metavar="FOLDER")
    run.add_argument("--run", type=int, metavar="N",
                     help="an earlier run to print again (default: the next run)")
    add_database_option(run)


def run_quote_command(args: argparse.Namespace, url: str, out: Any,
                      actor_for: Callable[[Database], Actor]) -> int:
    from app.db import open_database

    db = open_database(url)
    try:
        if args.quote_action == "print":
            return _print(db, args, out)
        if args.quote_action == "list":
            return _list(db, args, out)
        if args.quote_action == "close-expired":
            return _close_expired(db, actor_for(db), args, out)
        if args.quote_action == "print-run":
            return _print_run(db, actor_for(db), args, out)
    finally:
        db.dispose()
    raise AssertionError(args.quote_action)


def _print(db: Database, args: argparse.Namespace, out: Any) -> int:
    from app.reports.quote_pdf import render_quote
    from app.services.quote_views import get_quote

    if args.out.is_dir():
        raise QuoteCommandError(f"--out {args.out} is a folder; name the PDF file to write")
    quote = get_quote(db, args.quote_id)
    routing = None
    if args.routing is not None:
        found = [r for r in quote.routings if r.sequence == args.routing]
        if not found:
            have = ", ".join(str(r.sequence) for r in quote.routings) or "none"
            raise QuoteCommandError(f"quote {quote.number} has no routing {args.routing} "
                                    f"(its routings: {have})")
        routing = found[0]
    path = args.out if args.out.suffix.lower() == ".pdf" else args.out.with_suffix(".pdf")
    try:
        render_quote(quote, path, routing=routing,
                     detail_level="summary" if args.summary else "detail")
    except OSError as exc:
        raise QuoteCommandError(f"cannot write {path}: {exc.strerror}") from None
    print(f"wrote {path} (quote {quote.number}, {len(quote.details)} option"
          f"{'s' if len(quote.details) != 1 else ''})", file=out)
    return 0


def _list(db: Database, args: argparse.Namespace, out: Any) -> int:
    from app.models.enums import QuoteStatus
    from app.reports.formatting import money_text
    from app.services.quote_views import search_quotes

    rows = search_quotes(db, account_number=args.account,
                         status=QuoteStatus(args.status) if args.status else None)
    if not rows:
        print("no quotes", file=out)
        return 0
    print(f"{'quote':<12}{'account':<12}{'status':<10}{'expires':<12}{'options':>8}"
          f"{'lowest':>14}  name", file=out)
    for r in rows:
        print(f"{r.number:<12}{r.account_number:<12}{r.status.value:<10}"
              f"{r.expires_at:%Y-%m-%d}  {r.details:>8}{money_text(r.lowest, 'USD'):>14}  "
              f"{r.account_name}", file=out)
    return 0


def _close_expired(db: Database, actor: Actor, args: argparse.Namespace, out: Any) -> int:
    from app.services.quotes import close_expired

    closed = close_expired(db, actor, dt.datetime.now(dt.UTC), args.action, args.reason)
    print(f"closed {len(closed)} expired quote{'s' if len(closed) != 1 else ''}"
          + (f": {', '.join(closed)}" if closed else ""), file=out)
    return 0


def _print_run(db: Database, actor: Actor, args: argparse.Namespace, out: Any) -> int:
    from app.reports.quote_pdf import render_quote_copies
    from app.services.quote_routings import finish_run, print_run

    if args.out.exists() and not args.out.is_dir():
        raise QuoteCommandError(f"--out {args.out} is a file; name a folder for the PDFs")
    run = print_run(db, args.run)
    if not run.copies:
        print(f"run {run.run} of {run.batch_code} has nothing to print", file=out)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    by_quote: dict[str, list[Any]] = defaultdict(list)
    views = {}
    for quote, routing in run.copies:
        by_quote[quote.number].append(routing)
        views[quote.number] = quote
    for number, routings in by_quote.items():
        path = args.out / f"quote-{number}-run-{run.run}.pdf"
        render_quote_copies(views[number], routings, path, run=run.run)
        print(f"wrote {path} ({len(routings)} cop{'ies' if len(routings) != 1 else 'y'})",
              file=out)
    finish_run(db, actor, run)
    what = "printed again" if run.rerun else "printed"
    print(f"run {run.run} of {run.batch_code} {what}: {len(run.copies)} cop"
          f"{'ies' if len(run.copies) != 1 else 'y'} of {len(by_quote)} quote"
          f"{'s' if len(by_quote) != 1 else ''}", file=out)
    return 0


__all__ = ["QuoteCommandError", "add_quote_parser", "run_quote_command"]
