"""Twenty-four months of bills, bill segments, payments and adjustments for each account.

Quantities follow the season of the period's month; amounts are integer cents computed from the
quantity and the demo rate schedule, so a bill is exactly the sum of its segments. Everything in
the loop is int arithmetic and list look-ups.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from app.demo.builder import Account, Builder

#: Demo rate schedules: code -> (price in tenths of a cent per unit, fixed charge per 30 days in
#: cents, unit of measure).
RATES: dict[str, tuple[int, int, str]] = {
    "E-RES-1": (142, 1000, "KWH"),
    "E-RES-TOU": (151, 1200, "KWH"),
    "E-COM-1": (128, 2500, "KWH"),
    "E-COM-DEM": (96, 15000, "KWH"),
    "G-RES-1": (1150, 1500, "THERM"),
    "G-COM-1": (920, 3500, "CCF"),
    "W-RES-1": (7, 1200, "GAL"),
    "W-COM-1": (6, 3000, "GAL"),
}

#: Seasonal factor by service and month (index 1..12).
SEASON: dict[str, tuple[float, ...]] = {
    "ELECTRIC": (0, 1.15, 1.05, 0.95, 0.85, 0.9, 1.1, 1.35, 1.4, 1.15, 0.9, 0.95, 1.1),
    "GAS": (0, 1.9, 1.7, 1.35, 0.9, 0.55, 0.35, 0.3, 0.3, 0.45, 0.85, 1.35, 1.8),
    "WATER": (0, 0.8, 0.8, 0.85, 0.95, 1.1, 1.25, 1.35, 1.3, 1.15, 0.95, 0.85, 0.8),
}

METHODS = ("DIRECT_DEBIT", "DIRECT_DEBIT", "CARD", "CARD", "BANK_TRANSFER", "CHEQUE", "CASH")

HISTORY_MONTHS = 24
SHIFTS = 28


class SaBill(NamedTuple):
    id: int
    start: int
    end: int | None
    service: str
    rate: str
    rate_change: tuple[int, str] | None
    daily: float


class Period(NamedTuple):
    start: int
    end: int
    bill: int
    month: int
    start_iso: str
    end_iso: str
    bill_iso: str
    due_iso: str


def money(cents: int) -> str:
    if cents < 0:
        return "-" + money(-cents)
    return f"{cents // 100}.{cents % 100:02d}"


def _add_months(year: int, month: int, n: int) -> dt.date:
    m = month - 1 + n
    return dt.date(year + m // 12, m % 12 + 1, 1)


class Billing:
    def __init__(self, builder: Builder, as_of: dt.date) -> None:
        self.b = builder
        self.today = as_of.toordinal()
        anchors = [_add_months(as_of.year, as_of.month, k - HISTORY_MONTHS).toordinal()
                   for k in range(HISTORY_MONTHS + 4)]
        d = builder.d
        #: (months per bill, cycle shift in days, phase) -> billing periods in the window
        self.periods: dict[tuple[int, int, int], list[Period]] = {}
        for freq in (1, 2, 3):
            for shift in range(SHIFTS):
                for phase in range(freq):
                    out: list[Period] = []
                    k = phase
                    while k + freq < len(anchors):
                        start = anchors[k] + shift
                        end = anchors[k + freq] + shift - 1
                        bill = end + 2
                        if bill > self.today:
                            break
                        month = dt.date.fromordinal(start + 14).month
                        out.append(Period(start, end, bill, month, d(start), d(end), d(bill),
                                          d(bill + 21)))
                        k += freq
                    self.periods[(freq, shift, phase)] = out
        self.window_start = anchors[0]

    def bill_account(self, acct: Account) -> None:
        if not acct.sas:
            return
        b = self.b
        rand = b.rand
        randint = b.randint
        ids = b.ids
        d = b.d
        bills = b.rows["bill"]
        segments = b.rows["bill_segment"]
        payments = b.rows["payment"]
        aid = acct.id
        periods = self.periods[(acct.freq, aid % SHIFTS, (aid // SHIFTS) % acct.freq)]
        first = min(sa.start for sa in acct.sas)
        last_end = max(self.today if sa.end is None else sa.end for sa in acct.sas)
        plan = [p for p in periods if p.end >= first and p.start <= last_end]
        method = METHODS[(aid * 31) % len(METHODS)]
        profile = acct.profile
        unpaid_from = len(plan) - randint(2, 5) if profile == 3 else len(plan)
        today = self.today
        carry = 0
        bill_id = ids["bill"]
        seg_id = ids["bill_segment"]
        pay_id = ids["payment"]
        sa_specs = [(sa, RATES[sa.rate], SEASON[sa.service]) for sa in acct.sas]
        for index, p in enumerate(plan):
            total = 0
            first_seg = len(segments)
            bill_id += 1
            for sa, (price, fixed, uom), season in sa_specs:
                s = sa.start if sa.start > p.start else p.start
                e = p.end if sa.end is None or sa.end > p.end else sa.end
                if s > e:
                    continue
                days = e - s + 1
                if sa.rate_change is not None and p.start >= sa.rate_change[0]:
                    price, fixed, uom = RATES[sa.rate_change[1]]
                qty = int(sa.daily * days * season[p.month] * (0.8 + 0.4 * rand())) + 1
                cents = fixed * days // 30 + qty * price // 10
                total += cents
                seg_id += 1
                segments.append((seg_id, bill_id, sa.id,
                                 p.start_iso if s == p.start else d(s),
                                 p.end_iso if e == p.end else d(e),
                                 qty, uom, f"{cents // 100}.{cents % 100:02d}"))
            if len(segments) == first_seg:
                bill_id -= 1
                continue
            bills.append((bill_id, aid, p.bill_iso, p.due_iso,
                          f"{total // 100}.{total % 100:02d}", "COMPLETE"))
            if index >= unpaid_from:
                continue
            r = rand()
            if profile == 0:
                when = p.bill + (randint(10, 25) if r < 0.95 else randint(26, 50))
                amount = total
            elif profile == 1:
                when = p.bill + randint(24, 55)
                amount = total
            elif profile == 2 and r < 0.35:
                when = p.bill + randint(10, 25)
                amount = total * randint(40, 90) // 100
            else:
                when = p.bill + randint(10, 30)
                amount = total
            if when > today:
                continue
            amount += carry
            carry = total + carry - amount if profile == 2 else 0
            if amount <= 0:
                continue
            pay_id += 1
            payments.append((pay_id, aid, d(when), f"{amount // 100}.{amount % 100:02d}",
                             method))
        ids["bill"] = bill_id
        ids["bill_segment"] = seg_id
        ids["payment"] = pay_id
        r = rand()
        if r < 0.035 and plan:
            self._adjustment(acct, plan, r)

    def _adjustment(self, acct: Account, plan: list[Period], r: float) -> None:
        b = self.b
        p = plan[int(r * 1000) % len(plan)]
        sa = acct.sas[0]
        if r < 0.012:
            kind, cents, reason = "CREDIT", -b.randint(500, 5000), "Goodwill credit after outage"
        elif r < 0.024:
            kind, cents, reason = "CHARGE", b.randint(500, 2500), "Late payment charge"
        elif r < 0.03:
            kind, cents, reason = "DEPOSIT", b.randint(50, 300) * 100, "Security deposit"
        else:
            kind, cents, reason = "CREDIT", -b.randint(1000, 9000), "Estimated read corrected"
        b.rows["adjustment"].append((b.next_id("adjustment"), acct.id,
                                     sa.id if kind != "DEPOSIT" else None, b.d(p.bill + 5),
                                     kind, money(cents), reason))
