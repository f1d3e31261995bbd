"""Rate Version Merge (spec/20 §8, §13.9) and Rate Schedule Merge (spec/10 EX-14)."""

from __future__ import annotations

from datetime import date

import pytest

from app.engine.rates import (
    BillMessageLink,
    ComponentType,
    RateDefinitionError,
    RateSchedule,
    RateVersion,
    RateVersionStatus,
    RuleLink,
    ValueSource,
    ValueType,
)
from app.engine.rates.merge import (
    MergeRow,
    copy_warnings,
    merge_schedule_collections,
    save_merge,
)

from .builders import rc

T = ComponentType
MERGE_FROM = RateVersion(date(2010, 1, 1), RateVersionStatus.FINISHED, (
    rc(10, T.SQ, uom="KWH", value="0.04", description="0 to 300 kWh step"),
    rc(20, T.SQ, uom="KWH", value="0.07", description="300 to max kWh"),
    rc(30, T.SUMMARY, xrefs=(10, 20), description="summary of stepped charges"),
    rc(32, T.SQ, sqi="DAYS", value="0.1", description="Days Calculation Rate"),
    rc(34, T.MIN, value="10", xrefs=(10, 20), description="Minimum Charge"),
    rc(100, T.APPLY_TO, value="-5", xrefs=(10, 20), description="Employee discount (rider req)"),
    rc(200, T.APPLY_TO, value="2", xrefs=(10, 20), description="City tax"),
    rc(210, T.APPLY_TO, value="6", xrefs=(10, 20, 34, 100), description="State tax"),
))


def test_s_merge_01() -> None:
    original = RateVersion(date(2011, 1, 1), RateVersionStatus.IN_PROGRESS, (
        rc(10, T.FLAT, value="5", description="Customer Service Charge"),))
    picked = {c.sequence: c for c in MERGE_FROM.components}
    warnings = copy_warnings(MERGE_FROM, [10, 20, 210])
    assert warnings == ["component 210 (State tax) refers to 34, 100, which are not being "
                        "copied"]
    rows = [MergeRow("MERGE", picked[10]), MergeRow("ORIGINAL", original.components[0]),
            MergeRow("MERGE", picked[20]), MergeRow("MERGE", picked[210])]
    saved = save_merge(original, rows, start=10, increment=10)
    assert [(c.sequence, c.type, c.description) for c in saved.components] == [
        (10, T.SQ, "0 to 300 kWh step"), (20, T.FLAT, "Customer Service Charge"),
        (30, T.SQ, "300 to max kWh"), (40, T.APPLY_TO, "State tax")]
    assert saved.components[3].xrefs == (10, 30)


def test_s_merge_02_two_merges_with_the_tax_moved_to_the_end() -> None:
    target = RateVersion(date(2002, 3, 1), RateVersionStatus.IN_PROGRESS)
    bakery1 = [rc(10, T.SQ, uom="KWH", tou="PEAK", value="0.212", description="kWh on-peak charge"),
               rc(20, T.SQ, uom="KWH", tou="OFFPEAK", value="0.112",
                  description="kWh off-peak charge"),
               rc(30, T.SQ, uom="KWH", tou="SHOULDER", value="0.092",
                  description="kWh shoulder charge"),
               rc(40, T.APPLY_TO, value_type=ValueType.PERCENT, value="6.191", xrefs=(10, 20, 30),
                  description="Sales tax")]
    first = save_merge(target, [MergeRow("MERGE", c) for c in bakery1])
    bakery2 = [rc(10, T.SQ, uom="KW", value="0.455", description="kW < 100"),
               rc(20, T.SQ, uom="KW", value="0.512", description="kW >= 100"),
               rc(30, T.SUMMARY, xrefs=(10, 20), description="kW Subtotal")]
    orig = [MergeRow("ORIGINAL", c) for c in first.components]
    rows = orig[:3] + [MergeRow("MERGE", c) for c in bakery2] + orig[3:]
    second = save_merge(first, rows)
    assert [c.description for c in second.components] == [
        "kWh on-peak charge", "kWh off-peak charge", "kWh shoulder charge", "kW < 100",
        "kW >= 100", "kW Subtotal", "Sales tax"]
    assert second.components[5].xrefs == (40, 50)          # the subtotal follows its steps
    assert second.components[6].xrefs == (10, 20, 30)      # the tax still covers the kWh


def test_d_merge_03_finished_target_is_rejected() -> None:
    finished = RateVersion(date(2011, 1, 1), RateVersionStatus.FINISHED, ())
    with pytest.raises(RateDefinitionError, match="is Finished and cannot be changed"):
        save_merge(finished, [MergeRow("MERGE", MERGE_FROM.components[0])])


def test_d_merge_04_validated_target_goes_back_to_in_progress() -> None:
    validated = RateVersion(date(2011, 1, 1), RateVersionStatus.VALIDATED, ())
    saved = save_merge(validated, [MergeRow("MERGE", MERGE_FROM.components[0])])
    assert saved.status is RateVersionStatus.IN_PROGRESS


def test_d19_value_reference_to_a_component_not_copied_blocks_the_save() -> None:
    src = rc(20, T.FLAT, value_source=ValueSource.OTHER_RC, value_rc=10)
    target = RateVersion(date(2011, 1, 1), RateVersionStatus.IN_PROGRESS, ())
    with pytest.raises(RateDefinitionError, match="value component 10"):
        save_merge(target, [MergeRow("MERGE", src)])


def test_ex14_rate_schedule_merge_copies_collections_only() -> None:
    bakery = RateSchedule("Bakery-1", "Bakery", frequency="MONTHLY", currency="USD")
    mfctr = RateSchedule("MFCTR-1", "Manufacturing", frequency="QUARTERLY", currency="USD",
                         sq_rules=(RuleLink(10, "SVDAY"),))
    light = RateSchedule("LightCom-1", "Light commercial", frequency="MONTHLY", currency="USD",
                         bill_messages=(BillMessageLink("CONS", date(2000, 1, 1)),),
                         meter_config_types=("E-STD",))
    once = merge_schedule_collections(bakery, mfctr)
    twice = merge_schedule_collections(once, light)
    assert [link.rule for link in twice.sq_rules] == ["SVDAY"]
    assert [m.message for m in twice.bill_messages] == ["CONS"]
    assert twice.meter_config_types == ("E-STD",)
    assert twice.frequency == "MONTHLY"
    assert merge_schedule_collections(twice, light) == twice      # nothing copied twice
