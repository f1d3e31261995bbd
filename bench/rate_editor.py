"""Opening a large rate schedule in the Rate Editor pane, offscreen.

    python bench/rate_editor.py [--database URL] [--runs 20] [--components 150]

Builds (through the services, once per database) rate schedule BENCH150: one version with
`--components` components — stepped SQ charges, flat charges, Apply To taxes with cross
references, some with an eligibility group — then times, per run, what an analyst waits for
when opening it: `services.rates.open_schedule` in the worker, then filling the tree node and
the component grid and forms (the pane's `show_schedule`) and processing the events until it is
painted. Prints p50 / p95 / max in milliseconds: the service alone, the fill alone, the whole.

Default database: a new SQLite file in a temporary folder. PostgreSQL:
`createdb -h 127.0.0.1 -U postgres sb_bench_editor`, then
`--database postgresql+psycopg://postgres@127.0.0.1:5432/sb_bench_editor`. Target: p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import QuietHost, report  # noqa: E402

from app.db import open_database  # noqa: E402
from app.engine.rates.controls import SqKey  # noqa: E402
from app.engine.rates.enums import (  # noqa: E402
    Comparison,
    ComponentType,
    CriteriaField,
    CriterionAction,
    GroupAction,
    RateScheduleType,
    ValueType,
)
from app.engine.rates.schedules import (  # noqa: E402
    EligibilityCriterion,
    EligibilityGroup,
    GlDistribution,
    RateComponent,
    RateSchedule,
    RateVersion,
    Step,
)
from app.models.enums import UserRole  # noqa: E402
from app.services import rates  # noqa: E402
from app.services.context import Actor  # noqa: E402
from app.services.errors import NotFound  # noqa: E402

CODE = "BENCH150"
EFFECTIVE = dt.date(2026, 1, 1)
TARGET_MS = 300.0
ANALYST = Actor("bench", "Bench Analyst", frozenset({UserRole.RATE_ANALYST}))
GL = GlDistribution("REV-RES")


def components(n: int) -> tuple[RateComponent, ...]:
    out: list[RateComponent] = []
    for i in range(n):
        seq = (i + 1) * 10
        kind = i % 5
        if kind in (0, 1, 2):       # three tiers of energy
            low = Decimal(100 * (i % 3))
            out.append(RateComponent(
                seq, ComponentType.SQ, description=f"Energy tier {i}",
                description_on_bill="%Q kWh at %I", value_type=ValueType.UNIT_RATE,
                value=Decimal("0.1") + Decimal(i) / 1000, uom="KWH",
                step=Step(low, low + 100 if i % 3 < 2 else None), gl=GL))
        elif kind == 3:
            out.append(RateComponent(seq, ComponentType.FLAT, description=f"Charge {i}",
                                     description_on_bill="Customer charge %R",
                                     value_type=ValueType.CHARGE, value=Decimal("4.25"), gl=GL))
        else:
            group = EligibilityGroup(10, GroupAction.APPLY_RC, GroupAction.SKIP_RC, (
                EligibilityCriterion(10, CriteriaField.SQ, Comparison.GE, "100",
                                     if_true=CriterionAction.GROUP_TRUE, sq=SqKey("KWH")),),
                "Large users")
            out.append(RateComponent(
                seq, ComponentType.APPLY_TO, description=f"Tax {i}",
                description_on_bill="Tax %R", value_type=ValueType.PERCENT,
                value=Decimal("2.5"), xrefs=tuple(out[-4 + k].sequence for k in range(4)),
                gl=GlDistribution("TAX-STATE"),
                eligibility=(group,) if i % 10 == 4 else ()))
    return tuple(out)


def build(db: object, n: int) -> None:
    rates.load_shipped_rates(db, ANALYST)  # type: ignore[arg-type]
    try:
        opened = rates.open_schedule(db, ANALYST, CODE)  # type: ignore[arg-type]
    except NotFound:
        opened = rates.save_schedule(db, ANALYST, RateSchedule(  # type: ignore[arg-type]
            CODE, f"Bench rate with {n} components", RateScheduleType.PRIMARY, "ELECTRIC",
            "MONTHLY", "USD"), None)
    if opened.schedule.version(EFFECTIVE) is None:
        opened = rates.add_version(db, ANALYST, CODE, EFFECTIVE)  # type: ignore[arg-type]
    version = opened.schedule.version(EFFECTIVE)
    assert version is not None
    if len(version.components) != n:
        rates.save_version(db, ANALYST, CODE,  # type: ignore[arg-type]
                           RateVersion(EFFECTIVE, version.status, components(n)),
                           opened.version_state(EFFECTIVE).row_version)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", metavar="URL")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--components", type=int, default=150)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='sb-bench-')}/bench.sqlite"
    db = open_database(url)

    from PySide6.QtWidgets import QApplication

    from app.views.current_context import CurrentContext
    from app.views.panes import PaneContext
    from app.views.rate_editor import RateEditorPane
    from app.views.theme import apply_theme
    from app.views.worker import wait_for_all

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_theme(app, "light")
    t0 = time.perf_counter()
    build(db, args.components)
    print(f"{db.url.get_backend_name()}: built {CODE} with {args.components} components in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    pane = RateEditorPane(PaneContext(db, ANALYST, QuietHost(), CurrentContext()))  # type: ignore
    pane.resize(1400, 860)
    pane.show()
    wait_for_all()
    app.processEvents()
    print(f"pane start (schedule list, code lists): {(time.perf_counter() - t0) * 1000:.1f} ms")

    service, fill, whole = [], [], []
    for run in range(args.runs + 1):
        t0 = time.perf_counter()
        opened = rates.open_schedule(db, ANALYST, CODE)
        t1 = time.perf_counter()
        pane.show_schedule(opened)
        app.processEvents()
        t2 = time.perf_counter()
        pane.open_schedule(CODE, ask=False)        # as the pane does it: worker, then fill
        wait_for_all()
        app.processEvents()
        t3 = time.perf_counter()
        if run == 0:
            assert len(pane.components.components()) == args.components
            continue                                # the first run warms Qt's caches
        service.append((t1 - t0) * 1000)
        fill.append((t2 - t1) * 1000)
        whole.append((t3 - t2) * 1000)
    report("open_schedule (service)", service)
    report("fill tree, grid and forms", fill)
    report("open in the pane (worker + fill)", whole, TARGET_MS)
    pane.close()
    db.dispose()


if __name__ == "__main__":
    main()
