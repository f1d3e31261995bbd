"""Rates in the database: a rate check as the pane makes it, and Compare Rates.

    python bench/rate_check_db.py --database URL [--samples 200]

Against a demo database (``switchboard demo --accounts N --database URL``; the demo loads the
shipped rate library) it times, per call:

* ``check (warm)``: `services.rate_check.check` for a random active agreement — read the SA,
  its premise, characteristics and pricing terms, apply its current rate (compiled rate
  cached), as the Rate Check pane does on Enter;
* ``check (after a rate save)``: the same right after another workstation saved a rate
  definition (the revision moved), so the library is read again and the rate recompiled;
* ``compare 12 × 10``: `compare_rates` of 12 months of consumption through 10 rates;
* ``pane: check``: the Rate Check pane of the main window (offscreen): Check Rate pressed →
  the service in a worker (load from the database, apply) → the four result tabs, the chart
  and the header filled and painted;
* ``pane: SA + Enter``: a CSR types an SA ID and presses Enter → the agreement's defaults
  (rate, bills, period, quantities, characteristics) read and filled in → checked → shown.

Targets: a rate check from the pane under 150 ms p95; comparing 12 months on 10 rates under 1 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from sqlalchemy import text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import report, timed  # noqa: E402

from app.db import Database, open_database  # noqa: E402
from app.models.rates import RateLibraryRevision  # noqa: E402
from app.services import rate_check as RC  # noqa: E402
from app.services import rate_compare as RCmp  # noqa: E402

TARGETS_MS = {"check": 150.0, "compare": 1000.0}


def _report(label: str, target: float, times: list[float]) -> None:
    report(label, times, target, width=28)


def _agreements(db: Database, count: int, seed: int) -> list[str]:
    with db.engine.connect() as conn:
        numbers = [r[0] for r in conn.execute(text(
            "SELECT sa.number FROM service_agreement sa WHERE sa.status = 'ACTIVE' AND "
            "sa.service_type = 'ELECTRIC' AND EXISTS (SELECT 1 FROM bill_segment b WHERE "
            "b.service_agreement_id = sa.id) ORDER BY sa.id LIMIT 5000"))]
    if not numbers:
        sys.exit("the database has no billed active electric agreement: load a demo first")
    rng = random.Random(seed)
    return [rng.choice(numbers) for _ in range(count)]


def _request(db: Database, sa: str) -> RC.RateCheckRequest:
    d = RC.agreement_defaults(db, sa)
    return RC.RateCheckRequest(sa_number=sa, start=d.start, end=d.end, quantities=d.quantities)


def bench_service(db: Database, samples: list[str]) -> None:
    requests = [_request(db, sa) for sa in samples]
    RC.check(db, requests[0])
    _report("check (warm)", TARGETS_MS["check"],
            [timed(lambda r=r: RC.check(db, r)) for r in requests])
    cold = []
    for r in requests[: max(10, len(requests) // 10)]:
        with db.engine.begin() as conn:
            conn.execute(update(RateLibraryRevision).values(
                revision=RateLibraryRevision.revision + 1))
        cold.append(timed(lambda r=r: RC.check(db, r)))
    _report("check (after a rate save)", TARGETS_MS["check"], cold)


def bench_compare(db: Database, samples: list[str]) -> None:
    electric = [code for code in RCmp.comparable_rates(db, None)
                if code.startswith(("E", "COM", "RX"))][:10]
    times = []
    for sa in samples[:20]:
        months = RCmp.usage_history(db, sa, 12)
        months = (months * 12)[:12] if len(months) < 12 else months
        request = RCmp.CompareRequest(tuple(electric), months, sa_number=sa)
        times.append(timed(lambda request=request: RCmp.compare_rates(db, request)))
    print(f"compare: {len(electric)} rates × 12 months ({', '.join(electric)})")
    _report("compare 12 × 10", TARGETS_MS["compare"], times)


def bench_pane(db: Database, samples: list[str]) -> None:
    """The pane as a CSR uses it, in the main window (offscreen unless a display is set)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.models.enums import UserRole
    from app.services.context import Actor
    from app.views.main_window import MainWindow
    from app.views.rate_check import RATE_CHECK, RateCheckPane
    from app.views.worker import wait_for_all

    app = QApplication.instance() or QApplication([])
    window = MainWindow(db, Actor("bench", "Bench CSR", frozenset({UserRole.CSR})))
    window.resize(1600, 1000)
    window.show()
    pane = window.open_pane(RATE_CHECK)
    assert isinstance(pane, RateCheckPane)
    wait_for_all()

    def shown(start: float) -> float:
        wait_for_all()
        pane.repaint()
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    requests = [_request(db, sa) for sa in samples[:100]]
    pane.check_now(requests[0])
    wait_for_all()
    checks = []
    for request in requests:
        pane.fill(request)
        wait_for_all()
        started = time.perf_counter()
        pane.check_now(request)
        checks.append(shown(started))
        assert pane.outcome is not None and pane.outcome.request == request, pane.error_text("")
    _report("pane: check", TARGETS_MS["check"], checks)
    typed = []
    for sa in samples[:50]:
        pane.sa.setEditText(sa)
        started = time.perf_counter()
        pane.load_agreement(sa, then_check=True)  # what Enter in the SA field does
        typed.append(shown(started))
        assert pane.outcome is not None and pane.outcome.request.sa_number == sa
    _report("pane: SA + Enter", TARGETS_MS["check"], typed)
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    db = open_database(args.database)
    with db.engine.connect() as conn:
        accounts = conn.execute(text("SELECT count(*) FROM account")).scalar_one()
    print(f"{db.description}: {accounts:,} accounts")
    samples = _agreements(db, args.samples, args.seed)
    bench_service(db, samples)
    bench_compare(db, samples)
    bench_pane(db, samples)


if __name__ == "__main__":
    main()
