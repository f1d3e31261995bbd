"""spec/50 §5.5 sample case types as worked examples for the pure case lifecycle engine:
HIGH-BILL (LODGED → INVESTIGATING → RESOLVED | REJECTED, READ-CHK required to investigate, a
supervisor-only Resolve) and LIT-REQ (REQUESTED → SENT, auto-transition when SENT-DT is there)."""

from __future__ import annotations

import dataclasses

import pytest

from app.engine.cases import (
    CaseFacts,
    CaseLifecycle,
    CaseStatusDef,
    CaseTransitionDef,
    auto_next_status,
    auto_target,
    format_roles,
    lifecycle_problems,
    may_take,
    missing_chars,
    parse_roles,
    todo_summary,
    transitions_from,
)

S, T = CaseStatusDef, CaseTransitionDef

HIGH_BILL = CaseLifecycle(
    statuses=(S("LODGED", "Lodged", 10, True, False),
              S("INVESTIGATING", "Investigating", 20, False, False, alertable=True,
                script="Check the meter read before calling the customer back."),
              S("RESOLVED", "Resolved", 30, False, True),
              S("REJECTED", "Rejected", 40, False, True)),
    transitions=(T("LODGED", "INVESTIGATING", "Investigate", 10, is_default=True),
                 T("LODGED", "REJECTED", "Reject", 20),
                 T("INVESTIGATING", "REJECTED", "Reject", 20),
                 T("INVESTIGATING", "RESOLVED", "Resolve", 10, is_default=True,
                   access_role="SUPERVISOR")),
    required_chars=(("INVESTIGATING", "READ-CHK"),),
    allowed_chars=("READ-CHK", "BILL-AMT"),
)

LIT_REQ = CaseLifecycle(
    statuses=(S("REQUESTED", "Requested", 10, True, False), S("SENT", "Sent", 20, False, True)),
    transitions=(),
    allowed_chars=("SENT-DT",),
)
LIT_REQ_AUTO = (("REQUESTED", auto_target("AUTO-IF-CHAR", "SENT-DT>SENT")),)


def _with(lc: CaseLifecycle, **changes: object) -> CaseLifecycle:
    return dataclasses.replace(lc, **changes)  # type: ignore[arg-type]


# --- lifecycle_problems -------------------------------------------------------------------

def test_the_sample_types_are_sound() -> None:
    assert lifecycle_problems(HIGH_BILL) == ()
    assert lifecycle_problems(LIT_REQ, LIT_REQ_AUTO) == ()


def test_lit_req_without_its_auto_transition_strands_requested() -> None:
    assert lifecycle_problems(LIT_REQ) == (
        "Status SENT cannot be reached from the initial status REQUESTED; add a transition "
        "into it.",
        "Status REQUESTED is not final but has no way out; add a transition from it (or an "
        "auto-transition), or mark it final.")


def test_two_initial_statuses() -> None:
    statuses = (HIGH_BILL.statuses[0], dataclasses.replace(HIGH_BILL.statuses[1],
                                                           is_initial=True),
                *HIGH_BILL.statuses[2:])
    assert lifecycle_problems(_with(HIGH_BILL, statuses=statuses)) == (
        "2 statuses are marked initial (INVESTIGATING, LODGED); exactly one must be.",)
    with pytest.raises(ValueError, match="2 initial statuses"):
        _with(HIGH_BILL, statuses=statuses).initial()


def test_no_initial_and_no_final_status() -> None:
    statuses = tuple(dataclasses.replace(s, is_initial=False, is_final=False)
                     for s in HIGH_BILL.statuses)
    problems = lifecycle_problems(_with(HIGH_BILL, statuses=statuses))
    assert problems[:2] == (
        "No status is marked initial; exactly one must be (new cases start there).",
        "No status is marked final; at least one must be (entering it closes the case).")
    # Without finals, RESOLVED and REJECTED are dead ends.
    assert ("Status RESOLVED is not final but has no way out; add a transition from it (or an "
            "auto-transition), or mark it final.") in problems


def test_transition_to_an_unknown_status_and_to_itself() -> None:
    transitions = (*HIGH_BILL.transitions,
                   T("INVESTIGATING", "ESCALATED", "Escalate", 30),
                   T("LODGED", "LODGED", "Relodge", 30))
    assert lifecycle_problems(_with(HIGH_BILL, transitions=transitions)) == (
        "The transition INVESTIGATING → ESCALATED uses ESCALATED, which is not a status of "
        "this case type.",
        "The transition LODGED → LODGED goes from a status to itself; a transition must change "
        "the status.")


def test_unreachable_status() -> None:
    statuses = (*HIGH_BILL.statuses, S("ON-HOLD", "On hold", 25, False, False))
    transitions = (*HIGH_BILL.transitions, T("ON-HOLD", "INVESTIGATING", "Resume"))
    assert lifecycle_problems(_with(HIGH_BILL, statuses=statuses,
                                    transitions=transitions)) == (
        "Status ON-HOLD cannot be reached from the initial status LODGED; add a transition "
        "into it.",)


def test_duplicate_labels_pairs_and_defaults_per_from_status() -> None:
    transitions = (*HIGH_BILL.transitions,
                   T("LODGED", "RESOLVED", "reject", 30, is_default=True),
                   T("LODGED", "REJECTED", "Decline", 40))
    assert lifecycle_problems(_with(HIGH_BILL, transitions=transitions)) == (
        "There are 2 transitions from LODGED to REJECTED; keep one.",
        "2 transitions from LODGED are labelled \"reject\"; each button of a status needs its "
        "own label.",
        "2 transitions from LODGED are marked default; at most one may be.")
    # The same label from different statuses is fine (HIGH-BILL's two "Reject" buttons).
    assert lifecycle_problems(HIGH_BILL) == ()


def test_duplicate_status_and_required_char_not_allowed() -> None:
    lc = _with(HIGH_BILL, statuses=(*HIGH_BILL.statuses, S("REJECTED", "Again", 50, False, True)),
               required_chars=(("INVESTIGATING", "READ-CHK"), ("RESOLVED", "FIX-DT"),
                               ("CLOSED", "READ-CHK")))
    assert lifecycle_problems(lc) == (
        "Status REJECTED is listed 2 times; each status once.",
        "Characteristic READ-CHK is required for CLOSED, which is not a status of this case "
        "type.",
        "Characteristic FIX-DT is required to enter RESOLVED but is not one of the "
        "characteristic types the case type allows.")


def test_empty_definition() -> None:
    assert lifecycle_problems(CaseLifecycle((), ())) == (
        "The case type has no statuses; it needs at least an initial and a final one.",)


def test_status_lookup_names_the_unknown_code() -> None:
    assert HIGH_BILL.status("INVESTIGATING").alertable
    assert HIGH_BILL.initial().code == "LODGED"
    with pytest.raises(ValueError, match="CLOSED is not a status of this case type."):
        HIGH_BILL.status("CLOSED")


# --- buttons and who may press them -------------------------------------------------------

def test_transitions_from_in_seq_order() -> None:
    assert [(t.to_status, t.action_label) for t in transitions_from(HIGH_BILL, "INVESTIGATING")
            ] == [("RESOLVED", "Resolve"), ("REJECTED", "Reject")]
    assert [t.action_label for t in transitions_from(HIGH_BILL, "LODGED")] == [
        "Investigate", "Reject"]
    assert transitions_from(HIGH_BILL, "RESOLVED") == ()  # CS-T07: no button to RESOLVED
    assert "RESOLVED" not in {t.to_status for t in transitions_from(HIGH_BILL, "LODGED")}


def test_may_take_by_role_admin_and_anyone() -> None:
    resolve, reject = transitions_from(HIGH_BILL, "INVESTIGATING")
    assert not may_take(resolve, frozenset({"CSR"}))           # CS-T08: greyed for a CSR
    assert may_take(resolve, frozenset({"CSR", "SUPERVISOR"}))
    assert may_take(resolve, frozenset({"ADMIN"}))
    assert may_take(reject, frozenset({"CSR"}))                # no access role: anyone
    assert may_take(reject, frozenset())


def test_missing_chars_before_investigating() -> None:
    assert missing_chars(HIGH_BILL, "INVESTIGATING", []) == ("READ-CHK",)      # CS-T03
    assert missing_chars(HIGH_BILL, "INVESTIGATING", {"READ-CHK"}) == ()       # CS-T04
    assert missing_chars(HIGH_BILL, "REJECTED", []) == ()
    lc = _with(HIGH_BILL, required_chars=(("RESOLVED", "READ-CHK"), ("RESOLVED", "BILL-AMT")))
    assert missing_chars(lc, "RESOLVED", ["OTHER"]) == ("BILL-AMT", "READ-CHK")


# --- To Do summary ------------------------------------------------------------------------

@pytest.mark.parametrize(("counts", "text"), [
    ((0, 0, 0), ""),
    ((1, 0, 0), "1 To Do entry: 1 Open"),                                       # CS-T04
    ((1, 1, 0), "2 To Do entries: 1 Open, 1 Being Worked On"),
    ((0, 0, 1), "1 To Do entry: 1 Complete"),                                   # CS-T06
    ((0, 2, 3), "5 To Do entries: 2 Being Worked On, 3 Complete"),
    ((2, 0, 1), "3 To Do entries: 2 Open, 1 Complete"),
])
def test_todo_summary(counts: tuple[int, int, int], text: str) -> None:
    assert todo_summary(*counts) == text


# --- auto-transition algorithms -----------------------------------------------------------

def _facts(status: str = "REQUESTED", chars: set[str] | None = None, open_todos: int = 0,
           any_todos: int = 0, days: int = 0) -> CaseFacts:
    return CaseFacts(status, frozenset(chars or ()), open_todos, any_todos, days)


def test_auto_if_char_moves_lit_req_to_sent_once_sent_dt_is_there() -> None:   # CS-T09
    assert auto_next_status("AUTO-IF-CHAR", "SENT-DT>SENT", _facts()) is None
    assert auto_next_status("AUTO-IF-CHAR", "SENT-DT>SENT", _facts(chars={"SENT-DT"})) == "SENT"
    assert auto_next_status("AUTO-IF-CHAR", " sent-dt > sent ",
                            _facts(chars={"SENT-DT"})) == "SENT"
    # Already there: no move.
    assert auto_next_status("AUTO-IF-CHAR", "SENT-DT>SENT",
                            _facts("SENT", chars={"SENT-DT"})) is None


def test_auto_when_todos_done() -> None:
    f = "INVESTIGATING"
    assert auto_next_status("AUTO-WHEN-TODOS-DONE", "RESOLVED", _facts(f)) is None  # no To Dos
    assert auto_next_status("AUTO-WHEN-TODOS-DONE", "RESOLVED",
                            _facts(f, open_todos=1, any_todos=2)) is None
    assert auto_next_status("AUTO-WHEN-TODOS-DONE", "RESOLVED",
                            _facts(f, open_todos=0, any_todos=2)) == "RESOLVED"


def test_auto_after_days() -> None:
    assert auto_next_status("AUTO-AFTER-DAYS", "14>CLOSED", _facts(days=13)) is None
    assert auto_next_status("AUTO-AFTER-DAYS", "14>CLOSED", _facts(days=14)) == "CLOSED"
    assert auto_next_status("AUTO-AFTER-DAYS", "14>CLOSED", _facts(days=40)) == "CLOSED"


def test_auto_unknown_code_and_bad_parameters() -> None:
    with pytest.raises(ValueError, match="CREATE-TODO is not an auto-transition algorithm."):
        auto_next_status("CREATE-TODO", "CALLBACK", _facts())
    with pytest.raises(ValueError, match="whole number of days"):
        auto_next_status("AUTO-AFTER-DAYS", "two weeks>CLOSED", _facts())
    with pytest.raises(ValueError, match="e.g. SENT-DT>SENT"):
        auto_target("AUTO-IF-CHAR", "SENT")
    with pytest.raises(ValueError, match="e.g. RESOLVED"):
        auto_target("AUTO-WHEN-TODOS-DONE", "")
    assert auto_target("AUTO-AFTER-DAYS", "14>closed") == "CLOSED"


def test_roles_text_round_trip() -> None:
    assert parse_roles("csr, SUPERVISOR,,") == frozenset({"CSR", "SUPERVISOR"})
    assert parse_roles("") == frozenset()
    assert parse_roles(None) == frozenset()
    assert format_roles({"SUPERVISOR", "CSR"}) == "CSR,SUPERVISOR"
    assert format_roles([]) == ""
