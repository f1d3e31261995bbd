"""What every benchmark here shares: time a call, take a percentile, print one line.

    from timing import report, timed
    report("open a loan", [timed(lambda: open_loan(db, n)) for _ in range(50)], target=50)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds ``fn()`` took."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0.95 = p95) by the nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(label: str, times: list[float], target: float | None = None, *,
           width: int = 34, places: int = 1) -> None:
    """One line: n, p50, p95 and max in ms, and whether p95 is under ``target``."""
    if not times:
        print(f"{label:<{width}} (no samples)", flush=True)
        return
    p95 = percentile(times, 0.95)
    verdict = "" if target is None else "  ok" if p95 < target else f"  OVER {target:g} ms"
    print(f"{label:<{width}} n={len(times):<4} p50={statistics.median(times):8.{places}f} ms  "
          f"p95={p95:8.{places}f} ms  max={max(times):8.{places}f} ms{verdict}", flush=True)


class QuietHost:
    """A pane host for benchmarks: opens no other pane and shows no status."""

    def open_pane(self, name: str) -> object:
        raise KeyError(name)

    def open_settings(self) -> object:
        return None

    def show_status(self, text: str) -> None:
        pass

    def record_visit(self, name: str) -> None:
        pass


def database_size(db: Any) -> str:
    """The database's size on disk, e.g. "376 MiB" (SQLite pages, or PostgreSQL's own)."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        if db.is_sqlite:
            pages = conn.execute(text("PRAGMA page_count")).scalar_one()
            size = conn.execute(text("PRAGMA page_size")).scalar_one()
            total = int(pages) * int(size)
        else:
            total = int(conn.execute(text(
                "SELECT pg_database_size(current_database())")).scalar_one())
    return f"{total / 2**20:,.0f} MiB"
