"""``switchboard dispatch …``: the dispatch set-up an Appointments pane reads.

    switchboard dispatch groups [--database URL]                 # groups, areas, alternates
    switchboard dispatch calendar CODE --country US [--subdivision IL] --year 2027 [--year …]
        [--description TEXT] [--database URL]    # a work calendar filled with public holidays

Copy Appointment Periods skips a work calendar's holidays (or gives them the holiday template's
periods); this fills one from the `holidays` package's public holidays.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TextIO

from app.db import Database


def add_dispatch_parser(sub: Any, add_database_option: Callable[[Any], None]) -> None:
    dispatch = sub.add_parser("dispatch", help="dispatch groups and work calendars")
    actions = dispatch.add_subparsers(dest="dispatch_action", required=True, metavar="ACTION")
    groups = actions.add_parser("groups", help="list the dispatch groups")
    add_database_option(groups)
    calendar = actions.add_parser(
        "calendar", help="create a work calendar (if new) and add public holidays to it")
    calendar.add_argument("code", metavar="CODE", help="the calendar's code, e.g. US-IL")
    calendar.add_argument("--country", required=True, help="two-letter country code, e.g. US")
    calendar.add_argument("--subdivision", help="a state or region code, e.g. IL")
    calendar.add_argument("--year", type=int, action="append", required=True, dest="years",
                          metavar="YEAR", help="a year to add (repeat for several)")
    calendar.add_argument("--description", help="the calendar's name (when it is new)")
    add_database_option(calendar)


def run_dispatch_command(args: argparse.Namespace, db: Database,
                         actor_of: Callable[[Database], Any], out: TextIO) -> int:
    from app.services import appointment_periods, dispatch_groups

    if args.dispatch_action == "groups":
        rows = dispatch_groups.dispatch_groups(db)
        if not rows:
            out.write("No dispatch groups yet.\n")
        for g in rows:
            extra = f", kept by {g.external_system}" if g.external_system else ""
            alternates = f"; alternates {', '.join(g.alternates)}" if g.alternates else ""
            out.write(f"{g.code:<12} {g.description} ({g.operations_area}, counts "
                      f"{g.capacity_unit.value.lower()}{extra}){alternates}\n")
        return 0
    found = appointment_periods.public_holidays(args.country, args.years, args.subdivision)
    actor = actor_of(db)
    code = args.code.strip().upper()
    if code not in {c.code for c in appointment_periods.calendars(db)}:
        region = f"{args.country.upper()}" + (f"-{args.subdivision.upper()}"
                                              if args.subdivision else "")
        appointment_periods.create_calendar(db, actor, code, args.description
                                            or f"Public holidays {region}")
    added = appointment_periods.add_holidays(db, actor, code, found)
    total = next(c.holidays for c in appointment_periods.calendars(db) if c.code == code)
    out.write(f"Work calendar {code}: {added} holiday{'s' if added != 1 else ''} added, "
              f"{total} in all.\n")
    return 0
