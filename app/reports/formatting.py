"""How amounts, quantities and periods read, on screen and on paper alike (no Qt here).

Formatting only: an amount is shown as the service gave it — never recomputed, never rounded
further. Two decimals are the minimum; a value given with more keeps all of its digits.

    money_text(Decimal("1234.5"), "USD")   -> "$1,234.50"
    money_text(Decimal("-3.125"), "EUR")   -> "-€3.125"
    money_text(Decimal("10"), "NZD")       -> "10.00 NZD"
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.rate_check import BilledSegment

#: Currencies written with a symbol before the amount; any other code follows the amount.
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
DASH = "—"


def money_text(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return DASH
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    digits = f"{abs(value):,.{places}f}"
    sign = "-" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    if symbol:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {currency}".rstrip()


def percent_text(rate: Decimal) -> str:
    """An annual rate as people write it: 6.000000 → "6 %", 6.500000 → "6.5 %"."""
    text = f"{rate:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} %"


def quantity_text(value: Decimal | None) -> str:
    """750 -> "750"; 1234.500 -> "1,234.500" (the digits the engine gave)."""
    if value is None:
        return DASH
    return f"{value:,f}"


def day_text(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else DASH


def period_text(start: dt.date, end: dt.date) -> str:
    """"2025-08-01 – 2025-08-31 (31 days)": a closed period, both days counted."""
    days = (end - start).days + 1
    return f"{start.isoformat()} – {end.isoformat()} ({days} day{'s' if days != 1 else ''})"


def key_text(uom: str | None, tou: str | None, sqi: str | None) -> str:
    """A service quantity key: "KWH", "KWH / ON", "KW / – / BILLED"."""
    parts = [uom or DASH, tou or DASH, sqi or DASH]
    while len(parts) > 1 and parts[-1] == DASH:
        parts.pop()
    return " / ".join(parts)


def flag_text(value: bool) -> str:
    return "✓" if value else ""


def billed_text(seg: BilledSegment | None, difference: Decimal | None, currency: str,
                rich: bool = True) -> str:
    """What a checked bill segment charged beside what the rate check gives ("" without a
    bill segment); `difference` is the check's total minus the charge, as the service gave
    it. `rich` puts the amounts in bold (Qt rich text, ReportLab paragraphs)."""
    if seg is None or difference is None:
        return ""
    b, eb = ("<b>", "</b>") if rich else ("", "")
    if difference == 0:
        verdict = "the same amount"
    else:
        verdict = (f"{b}{money_text(abs(difference), currency)}{eb} "
                   f"{'more' if difference > 0 else 'less'}")
    return (f"Bill segment {seg.number} ({period_text(seg.start, seg.end)}, billed "
            f"{seg.bill_date.isoformat()}) charged {b}{money_text(seg.amount, currency)}{eb}; "
            f"this check gives {verdict}.")
