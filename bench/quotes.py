"""A large quote: 20 proposal SAs × 12 billing scenarios (240 simulated segments).

    python bench/quotes.py --database URL [--runs 5] [--proposals 20]

Against a demo database (``switchboard demo --accounts N --database URL``) it takes a billed
residential account, gives it ``--proposals`` proposals (E-RES-1 and E-RES-TOU in turn) with
twelve scenarios each from the account's last twelve bills, then times, per run:

* ``generate``: `services.quotes.generate` — every scenario priced through the engine and the
  quote details, simulated segments, calc headers, lines and quantities written, in one
  transaction (each run replaces the previous run's details);
* ``read``: `services.quote_views.get_quote` — the whole quote as the pane and the PDF get it;
* ``print``: `reports.quote_pdf.render_quote` of that quote (every calc line).

Targets: generate under 1 s, print under 2 s. The proposals stay in the database (they are
proposals on a demo account; a real run would cancel them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import open_database  # noqa: E402
from app.demo.quotes import _time_of_use  # noqa: E402
from app.models.enums import ServiceType  # noqa: E402
from app.reports.quote_pdf import render_quote  # noqa: E402
from app.services import proposals, quote_views, quotes  # noqa: E402
from app.services.context import SYSTEM  # noqa: E402
from app.services.quote_dto import PricingTerms, ProposalForm  # noqa: E402


def _account(db: object) -> tuple[str, str]:
    with db.engine.connect() as conn:  # type: ignore[attr-defined]
        row = conn.execute(text(
            "SELECT a.number, sp.number FROM service_agreement sa "
            "JOIN account a ON a.id = sa.account_id "
            "JOIN sa_service_point l ON l.service_agreement_id = sa.id "
            "JOIN service_point sp ON sp.id = l.service_point_id "
            "JOIN bill_segment b ON b.service_agreement_id = sa.id "
            "WHERE sa.status = 'ACTIVE' AND sa.sa_type = 'E-RES' AND sa.is_proposal = :no "
            "GROUP BY a.number, sp.number HAVING COUNT(b.id) >= 12 "
            "ORDER BY a.number DESC LIMIT 1"), {"no": False}).first()
    if row is None:
        sys.exit("the database has no residential account with 12 bills: load a demo first")
    return row[0], row[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--proposals", type=int, default=20)
    args = parser.parse_args()
    db = open_database(args.database)
    account, point = _account(db)
    history = proposals.scenarios_from_history(db, account, ServiceType.ELECTRIC)
    start = history[-1].end
    made = []
    for i in range(args.proposals):
        rate, scenarios = (("E-RES-1", history) if i % 2 == 0
                           else ("E-RES-TOU", _time_of_use(history)))
        made.append(proposals.create_proposal(db, SYSTEM, ProposalForm(
            account, "E-RES", ServiceType.ELECTRIC, (point,), start, PricingTerms(rate),
            scenarios)).number)
    print(f"{db.description}: account {account}, {len(made)} proposals × {len(history)} "
          f"scenarios")
    quote = None
    gen, read, printed = [], [], []
    out = Path(tempfile.mkdtemp()) / "quote.pdf"
    for _ in range(args.runs):
        started = time.perf_counter()
        outcome = quotes.generate(db, SYSTEM, account,
                                  quote_number=quote.number if quote else None,
                                  expected_version=quote.version if quote else None)
        gen.append((time.perf_counter() - started) * 1000)
        assert outcome.quote is not None
        started = time.perf_counter()
        quote = quote_views.get_quote(db, outcome.quote.number)
        read.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        render_quote(quote, out)
        printed.append((time.perf_counter() - started) * 1000)
    assert quote is not None
    segments = sum(len(d.segments) for d in quote.details)
    lines = sum(len(h.lines) for d in quote.details for s in d.segments for h in s.headers)
    print(f"quote {quote.number}: {len(quote.details)} details, {segments} simulated segments, "
          f"{lines} calc lines")
    for label, times, target in (("generate", gen, 1000), ("read", read, None),
                                 ("print", printed, 2000)):
        verdict = "" if target is None else ("ok" if max(times) < target
                                             else f"OVER {target} ms")
        print(f"{label:<10} n={len(times)}  median={statistics.median(times):7.1f} ms  "
              f"max={max(times):7.1f} ms  {verdict}")
    for number in made:                  # leave the demo account as it was
        proposals.cancel_proposal(db, SYSTEM, number)


if __name__ == "__main__":
    main()
