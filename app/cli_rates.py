"""``switchboard rate …``: rate checks from the command line, with no database, and moving rate
files in and out of a database.

    switchboard rate check --rate CODE_OR_FILE --from DATE --to DATE
                           --quantity KWH=1200 [--quantity KW=20] [--quantity KWH/PEAK=400]
                           [--char STATE=CA] [--revenue-class RES] [--json]
    switchboard rate list
    switchboard rate validate FILE_OR_DIR
    switchboard rate import FILE_OR_DIR… [--replace] [--database URL]
    switchboard rate export CODE [--out FILE] [--no-dependencies] [--database URL]

``import`` stores rate files (a code the database already has is refused unless ``--replace``);
``export`` writes a rate schedule of the database as a rate file, by default with everything it
needs (bill factors, rules, control tables, sub-rates) so that it loads on its own.

``--rate`` names a rate schedule of the shipped library (``app/resources/rates``) or a YAML
rate file; a file is loaded on top of the shipped library, so it may use its bill factors and
control tables. Quantities are ``UOM[/TOU[/SQI]]=AMOUNT`` (``//DAYS=30`` for an SQI alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.engine.rates import (
    CompiledRate,
    Quantity,
    RateCheckResult,
    RateError,
    RateLibrary,
    check_rate,
    load_library,
    load_shipped_library,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.db import Database
    from app.services.context import Actor

#: The actions that read or write a database (the others need none).
DATABASE_ACTIONS = ("import", "export")

_AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_TOO_BIG = Decimal("1e15")


class RateCommandError(Exception):
    """Bad command-line input: the message says what is wrong and what to do."""


def add_rate_parser(sub: Any) -> None:
    rate = sub.add_parser("rate", help="check rates without a database")
    actions = rate.add_subparsers(dest="rate_action", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="rate a bill period and print the calc lines")
    check.add_argument("--rate", required=True, metavar="CODE_OR_FILE",
                       help="a rate schedule code of the shipped library, or a YAML rate file")
    check.add_argument("--from", dest="start", required=True, type=_date, metavar="YYYY-MM-DD",
                       help="first day of the bill period")
    check.add_argument("--to", dest="end", required=True, type=_date, metavar="YYYY-MM-DD",
                       help="last day of the bill period (inclusive)")
    check.add_argument("--quantity", action="append", default=[], metavar="UOM[/TOU[/SQI]]=N",
                       help="a measured quantity; repeat for several (KWH=1200, KW=20)")
    check.add_argument("--char", action="append", default=[], metavar="TYPE=VALUE",
                       help="a characteristic bill factors select values by (STATE=CA)")
    check.add_argument("--revenue-class", metavar="CODE",
                       help="revenue class that picks GL distribution codes")
    check.add_argument("--accounting-date", type=_date, metavar="YYYY-MM-DD",
                       help="accounting date (default: the last day of the period)")
    check.add_argument("--library", type=Path, metavar="DIR",
                       help="use this rate library instead of the shipped one")
    check.add_argument("--json", action="store_true", help="print every result field as JSON")
    lst = actions.add_parser("list", help="list the rate schedules of the library")
    lst.add_argument("--library", type=Path, metavar="DIR")
    val = actions.add_parser("validate", help="load and compile every rate of a file or folder")
    val.add_argument("path", type=Path)

    from app.cli import _add_database_option

    imp = actions.add_parser("import", help="store rate files in the database")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE_OR_DIR",
                     help="YAML rate files, or folders of them (docs/rate-files.md)")
    imp.add_argument("--replace", action="store_true",
                     help="overwrite definitions whose codes the database already has")
    _add_database_option(imp)
    exp = actions.add_parser("export", help="write a rate schedule of the database as a rate file")
    exp.add_argument("code", metavar="CODE", help="the rate schedule's code")
    exp.add_argument("--out", type=Path, metavar="FILE",
                     help="write the file here (default: standard output)")
    exp.add_argument("--no-dependencies", dest="dependencies", action="store_false",
                     help="only the rate schedule, without the bill factors, rules, control "
                          "tables and sub-rates it uses")
    _add_database_option(exp)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2023-04-30") from None


def run_rate_command(args: argparse.Namespace, out: Any) -> int:
    if args.rate_action == "validate":
        return _validate(args.path, out)
    library = _library(getattr(args, "library", None))
    if args.rate_action == "list":
        for code, rs in sorted(library.rate_schedules.items()):
            versions = ", ".join(f"{v.effective.isoformat()} {v.status.label}"
                                 for v in rs.versions)
            print(f"{code:<12} {rs.type.value:<10} {rs.description}  [{versions}]", file=out)
        return 0
    rate = _compile(library, args.rate)
    quantities = [_quantity(text, library) for text in args.quantity]
    chars = dict(_pair(text, "--char", "TYPE=VALUE (STATE=CA)") for text in args.char)
    result = check_rate(rate, start=args.start, end=args.end, quantities=quantities,
                        characteristics=chars, revenue_class=args.revenue_class,
                        accounting_date=args.accounting_date)
    if args.json:
        json.dump(to_jsonable(result), out, indent=2)
        out.write("\n")
    else:
        out.write(format_result(result))
    return 0


def run_rate_database_command(args: argparse.Namespace, url: str, out: Any,
                              actor_for: Callable[[Database], Actor]) -> int:
    """``rate import`` and ``rate export``: ``actor_for`` says who is importing."""
    from app.db import open_database
    from app.services import rates

    if args.rate_action == "export" and args.out is not None and args.out.is_dir():
        raise RateCommandError(f"--out {args.out} is a folder; name the file to write")
    db = open_database(url)
    try:
        if args.rate_action == "import":
            summary = rates.import_rate_files(db, actor_for(db), args.files,
                                              replace_existing=args.replace)
            print(f"{db.description}: {summary.text}", file=out)
            for label, codes in (("added", summary.added), ("replaced", summary.replaced)):
                if codes:
                    print(f"  {label}: {', '.join(codes)}", file=out)
            return 0
        text = rates.export_rate_schedule(db, args.code.strip().upper(),
                                          dependencies=args.dependencies)
    finally:
        db.dispose()
    if args.out is None:
        out.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RateCommandError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out}", file=out)
    return 0


def _library(path: Path | None) -> RateLibrary:
    if path is None:
        return load_shipped_library()
    if not path.exists():
        raise RateCommandError(f"there is no rate library at {path}")
    return load_library(path)


def _compile(library: RateLibrary, rate: str) -> CompiledRate:
    path = Path(rate)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise RateCommandError(f"there is no rate file {path}")
        extra = load_library(path)
        codes = [c for c, rs in extra.rate_schedules.items() if rs.is_primary]
        if len(codes) != 1:
            found = ", ".join(sorted(codes)) or "none"
            raise RateCommandError(
                f"{path} must define exactly one primary rate schedule to check (found: "
                f"{found})")
        return library.merged(extra).compile(codes[0])
    if rate not in library.rate_schedules:
        raise RateCommandError(
            f"there is no rate {rate!r} in the library; `switchboard rate list` shows them, or "
            "give the path of a .yaml rate file")
    return library.compile(rate)


def _pair(text: str, option: str, example: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise RateCommandError(f"{option} {text!r} must look like {example}")
    return key.strip(), value.strip()


def _quantity(text: str, library: RateLibrary) -> Quantity:
    key, value = _pair(text, "--quantity", "UOM[/TOU[/SQI]]=AMOUNT (KWH=1200, KWH/PEAK=400)")
    if not _AMOUNT.fullmatch(value):
        raise RateCommandError(
            f"--quantity {text!r}: {value!r} is not an amount; write digits with '.' for "
            "decimals (1200, 1,200 or 1200.5)")
    amount = Decimal(value.replace(",", ""))
    if abs(amount) >= _TOO_BIG:
        raise RateCommandError(f"--quantity {text!r}: {value} is too large for a quantity")
    parts = [p.strip().upper() or None for p in key.split("/")]
    if len(parts) > 3 or not any(parts):
        raise RateCommandError(f"--quantity {text!r}: write UOM, UOM/TOU or UOM/TOU/SQI "
                               "before the = sign")
    uom, tou, sqi = (parts + [None, None])[:3]
    for code, table, what in ((uom, library.uoms, "unit of measure"),
                              (tou, library.tous, "time of use"),
                              (sqi, library.sqis, "service quantity identifier")):
        if code is not None and code not in table:
            raise RateCommandError(f"--quantity {text!r}: there is no {what} {code!r} "
                                   f"(known: {', '.join(sorted(table))})")
    return Quantity(uom, amount, tou=tou, sqi=sqi)


def _validate(path: Path, out: Any) -> int:
    if not path.exists():
        raise RateCommandError(f"there is no file or folder {path}")
    own = load_library(path)
    library = load_shipped_library() if path.resolve() == _shipped_path() \
        else load_shipped_library().merged(own)
    count = 0
    for code, rs in sorted(own.rate_schedules.items()):
        if rs.is_primary:
            compiled = library.compile(code)
            for warning in compiled.warnings:
                print(f"warning: {warning}", file=out)
            count += 1
    print(f"{path}: {count} primary rate schedule(s) compile without errors", file=out)
    return 0


def _shipped_path() -> Path:
    from app.engine.rates import SHIPPED_RATES

    return SHIPPED_RATES.resolve()


# -- output ------------------------------------------------------------------------------------
def _money(v: Decimal | None) -> str:
    return "" if v is None else f"{v:,}"


def _qty(v: Decimal | None) -> str:
    if v is None:
        return ""
    return f"{v.normalize():f}" if v == v.to_integral_value() else f"{v:f}"


def format_result(result: RateCheckResult) -> str:
    rows: list[str] = []
    rows.append(f"Rate {result.rate_schedule} — {result.description}")
    rows.append(f"Bill period {result.start.isoformat()} to {result.end.isoformat()}"
                + (f", revenue class {result.revenue_class}" if result.revenue_class else ""))
    for h in result.headers:
        rows.append("")
        rows.append(f"[{h.seq}] {h.rate_schedule} version {h.rate_version.isoformat()}, "
                    f"{h.start_date.isoformat()} to {h.end_date.isoformat()}: "
                    f"{_money(h.amount)} {result.currency}"
                    + (f" — {h.description_on_bill}" if h.description_on_bill else ""))
        table: list[tuple[str, ...]] = [("Seq", "RC", "Description on bill", "Amount", "Print", "UOM", "TOU", "SQI",
                  "Billable SQ", "Base", "Exempt", "Dist code")]
        for line in h.lines:
            table.append((str(line.seq), str(line.rc_seq), line.description_on_bill,
                          _money(line.amount) + ("" if line.in_total else " *"),
                          "Y" if line.print else "N", line.uom or "", line.tou or "",
                          line.sqi or "", _qty(line.billable_sq), _money(line.base_amount),
                          _money(line.exempt_amount), line.distribution_code or ""))
        rows.extend(_table(table, right={0, 1, 3, 8, 9, 10}))
    rows.append("")
    rows.append(f"Total {_money(result.total)} {result.currency}"
                "   (* not in the total: summary or calculation-only line)")
    if result.sq_details:
        rows.append("")
        rows.append("Service quantities")
        table = [("UOM", "TOU", "SQI", "Initial", "Billable")]
        table += [(d.uom or "", d.tou or "", d.sqi or "", _qty(d.initial), _qty(d.billable))
                  for d in result.sq_details]
        rows.extend(_table(table, right={3, 4}))
    for todo in result.todos:
        rows.append(f"To Do {todo.todo_type}: {todo.message}")
    for warning in result.warnings:
        rows.append(f"warning: {warning}")
    return "\n".join(rows) + "\n"


def _table(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, r in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def to_jsonable(value: Any) -> Any:
    """Decimals as strings (exact), dates ISO, fractions "n/d", records as objects."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {f: to_jsonable(getattr(value, f)) for f in value._fields}
    if hasattr(value, "__dataclass_fields__"):
        return {f: to_jsonable(getattr(value, f)) for f in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


__all__ = ["DATABASE_ACTIONS", "RateCommandError", "RateError", "add_rate_parser",
           "format_result", "run_rate_command", "run_rate_database_command", "to_jsonable"]
