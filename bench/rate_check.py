"""Rate checks per second and batch segments per second, on one core.

    python bench/rate_check.py [--rate COM-TOU] [--seconds 3]

Uses the shipped library. The default rate, COM-TOU (version 2009-08-17), has 12 components:
customer charge, three TOU energy charges with a subtotal, two demand steps with a subtotal,
a large-customer discount with an eligibility rule, and city, state and county taxes.

* "check_rate" is the Rate Check path: one call per bill, with every calc line's description
  rendered and the whole result (SQ details, register reads, characteristics) built.
* "batch" is price_periods() over twelve monthly periods per call, as a quote simulation
  prices a year: calc lines without rendered descriptions; "batch totals" is the same with
  detail=False (amounts per header, no calc lines).
* "split" (COM-TOU only) is the rate check path for a bill period that spans two rate
  versions (2009-08-01..2009-08-31 across version 2009-08-17) and two state tax changes
  (assumed values effective 2009-08-10 and 2009-08-24 added to the shipped STTAX for Nevada):
  two calculation periods, each split again where the tax changes.
Compilation (once per rate) is timed separately.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from app.engine.rates import (
    BillFactorValue,
    BillPeriod,
    Quantity,
    check_rate,
    load_shipped_library,
    price_periods,
)

QUANTITIES = {
    "COM-TOU": [Quantity("KWH", Decimal(4000), tou="PEAK"),
                Quantity("KWH", Decimal(6000), tou="OFFPEAK"),
                Quantity("KWH", Decimal(2000), tou="SHOULDER"), Quantity("KW", Decimal(180))],
    "E-RES-1": [Quantity("KWH", Decimal(1200))],
    "E-COM1": [Quantity("KWH", Decimal(1200)), Quantity("KW", Decimal(20))],
}


def rate_per_second(fn, seconds: float) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 5:
            fn()
            n += 1
        runs.append(n / elapsed)
    return statistics.median(runs)


def months(year: int) -> list[tuple[date, date]]:
    out = []
    for m in range(1, 13):
        start = date(year, m, 1)
        end = (date(year + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)
        out.append((start, end))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", default="COM-TOU", choices=sorted(QUANTITIES))
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    library = load_shipped_library()
    t0 = time.perf_counter()
    for _ in range(100):
        rate = library.compile(args.rate)
    compile_ms = (time.perf_counter() - t0) * 10
    components = max(len(v.components) for v in rate.primary.versions)
    q = QUANTITIES[args.rate]
    chars = {"STATE": "NV"}
    result = check_rate(rate, start=date(2026, 4, 1), end=date(2026, 4, 30), quantities=q,
                        characteristics=chars)
    print(f"rate {args.rate}: {components} components, {len(result.lines)} calc lines, "
          f"total {result.total}")
    print(f"compile          {compile_ms:8.2f} ms per rate")
    checks = rate_per_second(lambda: check_rate(rate, start=date(2026, 4, 1),
                                                end=date(2026, 4, 30), quantities=q,
                                                characteristics=chars), args.seconds)
    print(f"check_rate       {checks:8.0f} checks/s")
    periods = [BillPeriod(s, e, q) for s, e in months(2026)]
    batches = rate_per_second(lambda: price_periods(rate, periods, characteristics=chars),
                              args.seconds)
    print(f"batch            {batches * len(periods):8.0f} segments/s")
    totals = rate_per_second(lambda: price_periods(rate, periods, characteristics=chars,
                                                   detail=False), args.seconds)
    print(f"batch totals     {totals * len(periods):8.0f} segments/s")
    if args.rate == "COM-TOU":
        split_rate = _with_tax_changes(library).compile("COM-TOU")
        kw = dict(start=date(2009, 8, 1), end=date(2009, 8, 31), quantities=q,
                  characteristics=chars)
        r = check_rate(split_rate, **kw)  # type: ignore[arg-type]
        tax_lines = [x for x in r.lines if x.rc_seq == 110]
        print(f"split: {len(r.headers)} calculation periods, {len(tax_lines)} state tax lines, "
              f"{len(r.lines)} calc lines, total {r.total}")
        split = rate_per_second(lambda: check_rate(split_rate, **kw),  # type: ignore[arg-type]
                                args.seconds)
        print(f"check_rate split {split:8.0f} checks/s")


def _with_tax_changes(library):  # type: ignore[no-untyped-def]
    sttax = library.bill_factors["STTAX"]
    nv = sttax.characteristics["NV"]
    nv = dataclasses.replace(nv, values=nv.values + (
        BillFactorValue(date(2009, 8, 10), Decimal("8.1")),
        BillFactorValue(date(2009, 8, 24), Decimal("8.2"))))
    sttax = dataclasses.replace(sttax, characteristics={**sttax.characteristics, "NV": nv})
    return dataclasses.replace(library, bill_factors={**library.bill_factors, "STTAX": sttax})


if __name__ == "__main__":
    main()
