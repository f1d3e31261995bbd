"""The one command-line front: the window, database upkeep, demo data, users and screenshots.

    switchboard [--database URL] [--empty]          open the workstation window
    switchboard --version
    switchboard db upgrade|current [--database URL]   (a shared database: administrators only)
    switchboard demo --accounts N [--seed S] [--as-of YYYY-MM-DD] [--database URL]
    switchboard user add NAME --role ROLE [--role ROLE…] [--name "Full Name"] [--password-stdin]
    switchboard screenshot PANE --out FILE.png [--account NUMBER] [--database URL]
    switchboard rate check --rate CODE_OR_FILE --from DATE --to DATE --quantity KWH=1200 [--json]
    switchboard rate list | rate validate FILE
    switchboard rate import FILE… [--replace] [--database URL]
    switchboard rate export CODE [--out FILE] [--no-dependencies] [--database URL]
    switchboard search TEXT [--kind K] [--json] [--history] [--page N] [--database URL]
    switchboard loan schedule --principal 20000 --annual-rate 6.5 --periods 60 [--json]
    switchboard loan run [--as-of DATE] [--database URL]
    switchboard cases transitions [--as-of DATE] [--database URL]

Errors a person can cause print one sentence to stderr and exit with status 2, no traceback.
Every command writes to the log file (app.logs); a backup made before a migration is also
printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.config import resolve_database_url
from app.models.enums import UserRole
from app.services.errors import DomainError

if TYPE_CHECKING:
    from app.db import Database, SchemaUpgradeNeeded
    from app.services.context import Actor

EXIT_USER_ERROR = 2


def _add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="sqlite:///file.sqlite or postgresql://user@host:port/db "
        "(default: $SWITCHBOARD_DATABASE_URL, then settings, then the local file)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard", description="Switchboard customer information workstation."
    )
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    _add_database_option(parser)
    parser.add_argument(
        "--empty", action="store_true", help="do not fill a new local database with demo data"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = sub.add_parser("db", help="database schema upkeep")
    db.add_argument("action", choices=["upgrade", "current"])
    _add_database_option(db)

    demo = sub.add_parser("demo", help="fill an empty database with a demo utility")
    demo.add_argument("--accounts", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--as-of", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                      help="the month the demo history runs up to (default: this month)")
    _add_database_option(demo)

    user = sub.add_parser("user", help="manage workstation users")
    user_sub = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="add a user (the first one needs no login)")
    add.add_argument("username")
    add.add_argument("--name", help="the name colleagues see (default: the user name)")
    add.add_argument("--role", action="append", required=True,
                     choices=[r.value for r in _roles()], help="repeat for several roles")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of prompting")
    _add_database_option(add)
    user_sub.add_parser("list", help="list users")
    _add_database_option(user_sub.choices["list"])

    shot = sub.add_parser("screenshot", help="render one pane offscreen to a PNG file")
    shot.add_argument("pane", help="'main' for the whole window, or a pane name")
    shot.add_argument("--out", required=True, type=Path, metavar="FILE.png")
    shot.add_argument("--account", metavar="NUMBER",
                      help="the account Control Central and the account tree show "
                           "(default: a showcase account of the database)")
    _add_database_option(shot)

    found = sub.add_parser(
        "search", help="find customers by name, ID, address, postal code, phone, e-mail, meter…"
    )
    found.add_argument("text", help="what to look for, e.g. 'okafor, ng', 62701, a 10-digit ID")
    found.add_argument("--kind", metavar="KIND",
                       help="what kind of key TEXT is (default: recognised from the text): "
                       + ", ".join(k.lower() for k in _search_kinds()))
    found.add_argument("--json", action="store_true", help="print the page as a JSON object")
    found.add_argument("--history", action="store_true",
                       help="also match closed roles and stopped or closed agreements")
    found.add_argument("--page", type=int, default=1, metavar="N", help="page number (from 1)")
    _add_database_option(found)

    from app.cli_cases import add_cases_parser
    from app.cli_dispatch import add_dispatch_parser
    from app.cli_loans import add_loan_parser
    from app.cli_quotes import add_quote_parser
    from app.cli_rates import add_rate_parser

    add_rate_parser(sub)
    add_loan_parser(sub, _add_database_option)
    add_quote_parser(sub, _add_database_option)
    add_dispatch_parser(sub, _add_database_option)
    add_cases_parser(sub, _add_database_option)
    return parser


def _roles() -> list[UserRole]:
    return list(UserRole)


def _search_kinds() -> list[str]:
    from app.services.search import SearchKind

    return [k.value for k in SearchKind]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from app.cli_loans import LoanCommandError
    from app.cli_quotes import QuoteCommandError
    from app.cli_rates import RateCommandError
    from app.engine.rates.errors import RateError
    from app.logs import log, log_start, setup_logging

    setup_logging(console_notices=args.command is not None)
    log_start(" ".join(filter(None, [args.command or "window",
                                     getattr(args, "action", None)])))
    try:
        return _dispatch(args)
    except DomainError as exc:
        log.warning("Refused: %s", exc.message)
        print(f"switchboard: {exc.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except (RateError, RateCommandError, QuoteCommandError, LoanCommandError) as exc:
        log.warning("Refused: %s", exc)
        print(f"switchboard: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("switchboard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:                      # output piped into `head` and closed early
        sys.stderr.close()
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    from app.cli_rates import DATABASE_ACTIONS

    if args.command == "rate" and args.rate_action not in DATABASE_ACTIONS:   # no database
        from app.cli_rates import run_rate_command

        return run_rate_command(args, sys.stdout)
    if args.command == "loan" and args.loan_action == "schedule":              # no database
        from app.cli_loans import run_loan_command

        return run_loan_command(args, sys.stdout)
    url = resolve_database_url(args.database)
    if args.command == "loan":
        from app.cli_loans import run_loan_batch

        return run_loan_batch(args, url, sys.stdout)
    if args.command == "cases":
        from app.cli_cases import run_cases_command
        from app.db import open_database

        db = open_database(url)
        try:
            return run_cases_command(args, db, sys.stdout)
        finally:
            db.dispose()
    if args.command == "dispatch":
        from app.cli_dispatch import run_dispatch_command
        from app.db import open_database

        db = open_database(url)
        try:
            return run_dispatch_command(args, db, _cli_actor, sys.stdout)
        finally:
            db.dispose()
    if args.command == "rate":
        from app.cli_rates import run_rate_database_command

        return run_rate_database_command(args, url, sys.stdout, _importer)
    if args.command is None:
        from app.config import is_first_run
        from app.views.launch import run_gui

        return run_gui(url, empty=args.empty, first_run=is_first_run(args.database))
    if args.command == "screenshot":
        from app.views.screenshot import take_screenshot

        return take_screenshot(args.pane, args.out, url, account=args.account)
    if args.command == "db":
        return _db(args.action, url)
    if args.command == "demo":
        return _demo(url, args.accounts, args.seed, args.as_of)
    if args.command == "user":
        return _user(args, url)
    if args.command == "search":
        return _search(args, url)
    if args.command == "quote":
        from app.cli_quotes import run_quote_command

        return run_quote_command(args, url, sys.stdout, _cli_actor)
    raise AssertionError(args.command)


def _db(action: str, url: str) -> int:
    from app.db import SchemaUpgradeNeeded, current_revision, head_revision, open_database

    if action == "current":
        db = open_database(url, migrate=False)
    else:
        try:
            db = open_database(url)
        except SchemaUpgradeNeeded as needed:   # a shared database: the administrator's way
            db = _upgrade_shared(url, needed)
    try:
        revision = current_revision(db.engine)
        if action == "current" and revision != head_revision() and db.is_networked \
                and revision is not None:
            state = f"this version needs {head_revision()}: an administrator runs " \
                    "'switchboard db upgrade'"
        else:
            state = "up to date" if revision == head_revision() else f"newest is {head_revision()}"
        print(f"{db.description}: schema {revision or '(none)'} ({state})")
        if db.upgrade_report is not None and db.upgrade_report.from_revision is not None:
            print(db.upgrade_report.sentence)
    finally:
        db.dispose()
    return 0


def _upgrade_shared(url: str, needed: SchemaUpgradeNeeded) -> Database:
    """`db upgrade` of a shared database at an older schema: an administrator logs in."""
    from app.db import open_database, upgrade_database
    from app.logs import log
    from app.services.schema_access import (
        authenticate_any_schema,
        require_schema_admin,
        user_count_any_schema,
    )

    db = open_database(url, migrate=False)
    try:
        who = "(no users yet)"
        if user_count_any_schema(db):
            print(f"{db.description} is at schema {needed.current}; this version needs "
                  f"{needed.head}. Log in as an administrator to upgrade it.", file=sys.stderr)
            name = input("Your user name: ")
            actor = authenticate_any_schema(db, name, getpass.getpass("Your password: "))
            require_schema_admin(actor, needed.description, needed.current, needed.head)
            who = actor.username
        log.info("%s upgrades %s from %s to %s", who, db.description, needed.current, needed.head)
        db.upgrade_report = upgrade_database(db.engine, shared_upgrade_allowed=True)
    except BaseException:
        db.dispose()
        raise
    return db


def _demo(url: str, accounts: int, seed: int, as_of: dt.date | None) -> int:
    from app.db import open_database
    from app.demo import generate

    if accounts < 1:
        raise DomainError("--accounts must be a whole number of at least 1.")
    db = open_database(url)
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 1.0 or done == total:
            last[0] = now
            rate = done / max(now - started, 1e-9)
            print(f"\r{done:,}/{total:,} accounts ({rate:,.0f}/s)", end="", file=sys.stderr)

    try:
        summary = generate(db, accounts, seed=seed, as_of=as_of, progress=progress)
    finally:
        db.dispose()
    print(file=sys.stderr)
    print(
        f"{db.description}: {summary.accounts:,} accounts, {summary.service_agreements:,} service "
        f"agreements, {summary.bills:,} bills in {summary.seconds:.1f} s "
        f"({summary.accounts / max(summary.seconds, 1e-9):,.0f} accounts/s)"
    )
    return 0


def _user(args: argparse.Namespace, url: str) -> int:
    from app.db import open_database
    from app.services import users

    db = open_database(url)
    try:
        if args.user_action == "list":
            for u in users.list_users(db):
                roles = ", ".join(r.value for r in u.roles)
                print(f"{u.username:20} {u.display_name:30} {roles}")
            return 0
        if args.password_stdin:
            password: str | None = sys.stdin.readline().rstrip("\n")
            confirm = password
        elif db.is_networked or sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            confirm = getpass.getpass("Again: ")
        else:
            password = confirm = None
        chosen = {UserRole(r) for r in args.role}
        actor = users.SYSTEM if users.user_count(db) == 0 else _cli_actor(db)
        view = users.create_user(
            db, actor, args.username, args.name or args.username, chosen, password, confirm
        )
        print(f"added {view.username} ({', '.join(r.value for r in view.roles)})")
        return 0
    finally:
        db.dispose()


def _search(args: argparse.Namespace, url: str) -> int:
    import dataclasses
    import json

    from app.db import open_database
    from app.services.errors import ValidationError
    from app.services.search import SearchKind, search

    kind = None
    if args.kind:
        name = args.kind.strip().upper().replace("-", "_")
        if name not in SearchKind.__members__:
            raise ValidationError(
                f"'{args.kind}' is not a kind of search key; use one of: "
                + ", ".join(k.lower() for k in _search_kinds()) + ".",
                "kind",
            )
        kind = SearchKind[name]
    if args.page < 1:
        raise ValidationError("Pages are numbered from 1: use --page 1 or more.", "page")
    db = open_database(url)
    try:
        page = search(db, args.text, kind, include_history=args.history, page=args.page - 1)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps({
            "query": page.query, "kind": page.kind.value, "note": page.note, "page": args.page,
            "has_more": page.has_more, "hits": [dataclasses.asdict(h) for h in page.hits],
        }, ensure_ascii=False, indent=2))
        return 0
    header = ("PARTY", "ROLE", "ACCOUNT", "STATUS", "PREMISE", "MATCHED")
    rows = [
        (f"{h.party_name} ({h.party_number})" if h.party_number else h.party_name, h.role,
         h.account_number or "", h.account_status, h.premise_address, h.matched)
        for h in page.hits
    ]
    if rows:
        widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
        for r in (header, *rows):
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    count = len(rows)
    more = f"; more: --page {args.page + 1}" if page.has_more else ""
    print(f"{count} match{'' if count == 1 else 'es'} (page {args.page}) — {page.note}{more}")
    return 0


def _importer(db: Database) -> Actor:
    """Who stores rate files: the system on a database without users (a fresh one, as for demo
    data), else the user running the command, as for `user add`."""
    from app.services import users

    return users.SYSTEM if users.user_count(db) == 0 else _cli_actor(db)


def _cli_actor(db: Database) -> Actor:
    """Who is running the command: the OS user on a local database, else a log-in."""
    from app.config import os_username
    from app.services import users

    if not db.is_networked:
        return users.login_os_user(db, os_username())
    name = input("Your user name: ")
    return users.authenticate(db, name, getpass.getpass("Your password: "))


if __name__ == "__main__":
    raise SystemExit(main())
