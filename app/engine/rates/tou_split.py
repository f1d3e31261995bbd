"""Time-of-use split of untimed consumption: what a TOU rate needs when the consumption has no
time of use (billing history keeps plain kWh only).

A rate that prices a UOM by time of use (KWH/ON and KWH/OFF) and not untimed (plain KWH)
cannot price plain kWh. To estimate what such a rate would cost, each untimed quantity of that
UOM is split over the rate's TOU codes in proportion to assumed shares (30 % ON, 70 % OFF):

* the shares are normalised over the codes the rate uses (a share for a code the rate does not
  price does not count; a code with no share counts 0);
* each part is a multiple of the UOM's unit (0 decimal positions: whole kWh), and the last part
  takes the remainder, so the parts always sum exactly to the quantity;
* parts are cut on the rounded running total (part *i* = round(running share up to *i*) −
  round(running share before *i*), half up, never past the quantity), so each is within one
  unit of its exact share and none is negative when the quantity is not: rounding each part
  alone can round two halves up and leave the last part negative (1 kWh split 50/50/0).

>>> from decimal import Decimal as D
>>> from app.engine.rates.quantities import Quantity
>>> parts = split_untimed([Quantity("KWH", D(750))], {"ON": D(30), "OFF": D(70)},
...                       {("KWH", "ON", None), ("KWH", "OFF", None)}, {"KWH": 0})
>>> [(q.tou, q.quantity) for q in parts]
[('ON', Decimal('225')), ('OFF', Decimal('525'))]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .errors import RateError
from .quantities import Quantity

ZERO = Decimal(0)
HUNDRED = Decimal(100)

#: A priced quantity key: (UOM, TOU, SQI), as an SQ component names it.
PricedKey = tuple[str | None, str | None, str | None]


class UnsplittableQuantity(RateError):
    """Untimed consumption of a UOM the rate prices only by time of use, and the shares of the
    rate's TOU codes sum to 0: there is nothing to split it by."""

    def __init__(self, message: str, split: TouSplit) -> None:
        super().__init__(message)
        self.split = split


@dataclass(frozen=True)
class TouSplit:
    """How untimed consumption of ``uom`` (and ``sqi``) is split for one rate: ``shares`` are
    the rate's TOU codes for that UOM, in splitting order, with their share as given (not
    normalised; the last code takes the rounding remainder)."""

    uom: str
    sqi: str | None
    shares: tuple[tuple[str, Decimal], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _share in self.shares)

    @property
    def total(self) -> Decimal:
        return sum((share for _code, share in self.shares), ZERO)

    def percentages(self) -> tuple[tuple[str, Decimal], ...]:
        """Each code's normalised share in percent (exact; the caller rounds for display)."""
        total = self.total
        if total == 0:
            raise UnsplittableQuantity(self._unsplittable(), self)
        return tuple((code, share * HUNDRED / total) for code, share in self.shares)

    def parts(self, quantity: Decimal, decimals: int) -> tuple[Decimal, ...]:
        """``quantity`` split over :attr:`codes`: multiples of ``10**-decimals`` (the last
        takes the remainder), summing exactly to ``quantity``."""
        total = self.total
        if total == 0:
            raise UnsplittableQuantity(self._unsplittable(), self)
        unit = Decimal(1).scaleb(-decimals)
        # a cut never passes the quantity: 0.005 split 100/0 to the cent is 0.00 and 0.005
        bound = quantity.quantize(unit, rounding=ROUND_DOWN)
        out: list[Decimal] = []
        running = ZERO
        cut_before = ZERO
        for _code, share in self.shares[:-1]:
            running += share
            cut = (quantity * running / total).quantize(unit, rounding=ROUND_HALF_UP)
            cut = min(cut, bound) if quantity >= 0 else max(cut, bound)
            out.append(cut - cut_before)
            cut_before = cut
        out.append(quantity - cut_before)
        return tuple(out)

    def _unsplittable(self) -> str:
        what = self.uom if self.sqi is None else f"{self.uom}/{self.sqi}"
        return (f"the shares of {', '.join(self.codes)} sum to 0: {what} without a time of "
                "use cannot be split over them")


def _codes_in_order(codes: Iterable[str], shares: Mapping[str, Decimal]) -> tuple[str, ...]:
    """The codes in the order the shares give them, then any without a share by code."""
    given = list(shares)
    unique = set(codes)
    return (*(c for c in given if c in unique), *sorted(unique - set(given)))


def tou_splits(priced: Collection[PricedKey], shares: Mapping[str, Decimal]
               ) -> dict[tuple[str, str | None], TouSplit]:
    """For each (UOM, SQI) the rate prices by time of use and not untimed, how an untimed
    quantity of it is split. ``priced`` are the keys the rate's SQ components price."""
    negative = sorted(code for code, share in shares.items() if share < 0)
    if negative:
        raise RateError(f"a time-of-use share cannot be negative ({', '.join(negative)}): "
                        "shares are 0 or more")
    keys = set(priced)
    by_uom: dict[tuple[str, str | None], set[str]] = {}
    for uom, tou, sqi in keys:
        if uom and tou and (uom, None, sqi) not in keys:
            by_uom.setdefault((uom, sqi), set()).add(tou)
    return {(uom, sqi): TouSplit(uom, sqi, tuple((code, shares.get(code, ZERO))
                                                 for code in _codes_in_order(codes, shares)))
            for (uom, sqi), codes in sorted(by_uom.items(), key=str)}


def split_untimed(quantities: Iterable[Quantity], shares: Mapping[str, Decimal],
                  priced: Collection[PricedKey], decimals: Mapping[str, int]
                  ) -> tuple[Quantity, ...]:
    """``quantities`` with every untimed quantity of a UOM the rate prices only by time of use
    replaced by one quantity per TOU code of the rate (see :class:`TouSplit`); the rest, and
    quantities that already carry a TOU, unchanged and in order. ``decimals`` are the UOMs'
    decimal positions (0 when not given). Raises :class:`UnsplittableQuantity` when the
    shares of the rate's codes sum to 0 and there is something to split."""
    splits = tou_splits(priced, shares)
    out: list[Quantity] = []
    for q in quantities:
        split = splits.get((q.uom, q.sqi)) if q.uom and q.tou is None else None
        if split is None:
            out.append(q)
            continue
        parts = split.parts(q.quantity, decimals.get(split.uom, 0))
        out.extend(replace(q, tou=code, quantity=part)
                   for code, part in zip(split.codes, parts, strict=True))
    return tuple(out)


__all__ = ["PricedKey", "TouSplit", "UnsplittableQuantity", "split_untimed", "tou_splits"]
