"""``switchboard cases …``: the case jobs run from a scheduler.

    switchboard cases transitions [--as-of YYYY-MM-DD] [--database URL]

``transitions`` is the periodic case-transition job (spec/50 §5.2, CS-T10): every open case
whose status has automatic transitions is moved on where they say; a case whose automatic
transition fails stays where it is, with TRANSITION_ERROR and EXCEPTION rows in its log. It
prints one line per case moved or left, then the totals; the exit status is 1 when a case
could not move.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any, TextIO

from app.db import Database


def add_cases_parser(sub: Any, add_database_option: Callable[[Any], None]) -> None:
    cases = sub.add_parser("cases", help="case jobs (automatic case transitions)")
    actions = cases.add_subparsers(dest="cases_action", required=True, metavar="ACTION")
    transitions = actions.add_parser(
        "transitions", help="move open cases on by their automatic transitions")
    transitions.add_argument(
        "--as-of", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
        help="the business day the job runs for (default: today; days in a status count to it)")
    add_database_option(transitions)


def run_cases_command(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    from app.services import context
    from app.services.case_transitions import run_case_transitions

    now = (dt.datetime.combine(args.as_of, context.now().time()) if args.as_of else None)
    result = run_case_transitions(db, context.SYSTEM, now=now)
    for line in result.lines:
        out.write(f"  {line}\n")
    cases = "case" if result.examined == 1 else "cases"
    out.write(f"Case transitions: {result.examined} {cases} examined, {result.moved} moved "
              f"({result.transitions} transition{'s' if result.transitions != 1 else ''}), "
              f"{result.failed} could not move.\n")
    return 1 if result.failed else 0
