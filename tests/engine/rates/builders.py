"""Small builders for engine tests: a rate from a list of components in one call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from app.engine.rates import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorValue,
    CompiledRate,
    ComponentType,
    Currency,
    Frequency,
    GlDistribution,
    Quantity,
    RateComponent,
    RateLibrary,
    RateSchedule,
    RateScheduleType,
    RateVersion,
    RateVersionStatus,
    RuleLink,
    SqRule,
    TimeOfUse,
    TouGroup,
    UnitOfMeasure,
    ValueType,
)

D = Decimal
USD = Currency("USD", 2, "$")
MONTHLY = Frequency("MONTHLY", "Monthly", 12, 3, 3)
UOMS = {
    "KWH": UnitOfMeasure("KWH", "Kilowatt hours", 2),
    "KW": UnitOfMeasure("KW", "Kilowatts", 2, measures_peak=True),
    "THERM": UnitOfMeasure("THERM", "Therms", 2),
    "CCF": UnitOfMeasure("CCF", "Hundred cubic feet", 0),
    "KWAP": UnitOfMeasure("KWAP", "Annual peak kW", 1, measures_peak=True),
}
TOUS = {"PEAK": TimeOfUse("PEAK", "On Peak"), "OFFPEAK": TimeOfUse("OFFPEAK", "Off Peak"),
        "SHOULDER": TimeOfUse("SHOULDER", "Shoulder"), "ON": TimeOfUse("ON", "On Peak"),
        "OFF": TimeOfUse("OFF", "Off Peak"), "AHPEAK": TimeOfUse("AHPEAK", "Annual high peak")}
TOU_GROUPS = {"G2": TouGroup("G2", "Two-part", ("ON", "OFF"))}
GL = GlDistribution("REV")
APRIL = (date(2023, 4, 1), date(2023, 4, 30))


def rc(sequence: int, type: ComponentType | str, **kw: object) -> RateComponent:
    """A component with sensible test defaults: a GL code, VALUE source, value types by type."""
    t = ComponentType(type)
    if "value" in kw and not isinstance(kw["value"], Decimal) and kw["value"] is not None:
        kw["value"] = Decimal(str(kw["value"]))
    if "value_type" not in kw and t is not ComponentType.SUMMARY:
        kw["value_type"] = {ComponentType.SQ: ValueType.UNIT_RATE,
                            ComponentType.ITEM: ValueType.UNIT_RATE,
                            ComponentType.APPLY_TO: ValueType.PERCENT}.get(t, ValueType.CHARGE)
    if "precision" in kw and isinstance(kw["precision"], str):
        kw["precision"] = Decimal(kw["precision"])
    kw.setdefault("gl", GL)
    return RateComponent(sequence=sequence, type=t, **kw)  # type: ignore[arg-type]


def bill_factor(code: str, values: Mapping[str, Iterable[tuple[date, str]]], *,
                char_type: str = "N/A", **kw: object) -> BillFactor:
    chars = {cv: BillFactorCharacteristic(cv, tuple(BillFactorValue(d, Decimal(v))
                                                    for d, v in vs))
             for cv, vs in values.items()}
    return BillFactor(code, code, char_type, characteristics=chars, **kw)  # type: ignore[arg-type]


def library(components: Iterable[RateComponent] = (), *, code: str = "TEST",
            versions: Iterable[RateVersion] | None = None,
            bill_factors: Iterable[BillFactor] = (), sq_rules: Iterable[SqRule] = (),
            sub_rates: Iterable[RateSchedule] = (), currency: Currency = USD,
            frequency: Frequency = MONTHLY, **schedule_kw: object) -> RateLibrary:
    if versions is None:
        versions = [RateVersion(date(1990, 1, 1), RateVersionStatus.FINISHED, tuple(components))]
    subs = list(sub_rates)
    schedule = RateSchedule(
        code, f"{code} rate", RateScheduleType.PRIMARY, "ELECTRIC", frequency.code,
        currency.code, versions=tuple(versions),
        sq_rules=tuple(RuleLink((i + 1) * 10, r.code) for i, r in enumerate(sq_rules)),
        sub_rates=tuple(RuleLink((i + 1) * 10, s.code) for i, s in enumerate(subs)),
        **schedule_kw)  # type: ignore[arg-type]
    return RateLibrary(
        currencies={currency.code: currency}, frequencies={frequency.code: frequency},
        uoms=UOMS, tous=TOUS, tou_groups=TOU_GROUPS, sq_rules={r.code: r for r in sq_rules},
        bill_factors={b.code: b for b in bill_factors},
        rate_schedules={schedule.code: schedule, **{s.code: s for s in subs}})


def compiled(components: Iterable[RateComponent] = (), **kw: object) -> CompiledRate:
    lib = library(components, **kw)  # type: ignore[arg-type]
    return lib.compile(kw.get("code", "TEST"))  # type: ignore[arg-type]


def kwh(q: str | int, uom: str = "KWH", tou: str | None = None) -> Quantity:
    return Quantity(uom, Decimal(str(q)), tou=tou)


def amounts(result) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """(rc_seq, amount) of the lines that count in the total, as strings."""
    return [(line.rc_seq, str(line.amount)) for line in result.lines if line.in_total]
