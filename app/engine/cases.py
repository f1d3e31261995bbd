"""Cases (spec/50 §5), the pure part: a case type's lifecycle — its statuses, the transitions
between them (the action buttons), the characteristics a status requires — and the decisions
taken on it: is a lifecycle well formed, which buttons a status shows, may a user press one,
which characteristics are still missing, where an auto-transition algorithm moves a case, and
the To Do summary line of the case pane.

    >>> lc = CaseLifecycle(
    ...     statuses=(CaseStatusDef("REQUESTED", "Requested", 10, True, False),
    ...               CaseStatusDef("SENT", "Sent", 20, False, True)),
    ...     transitions=(CaseTransitionDef("REQUESTED", "SENT", "Send"),))
    >>> lifecycle_problems(lc)
    ()
    >>> lc.initial().code
    'REQUESTED'

No database here: `services.case_types.lifecycle_of` turns a case type's rows into a
`CaseLifecycle`; the case services call these functions and write back what they decide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: The role that may take every transition, whatever its access role.
ADMIN_ROLE = "ADMIN"

#: The auto-transition algorithms the engine decides (their parameter names the target status).
AUTO_IF_CHAR = "AUTO-IF-CHAR"
AUTO_WHEN_TODOS_DONE = "AUTO-WHEN-TODOS-DONE"
AUTO_AFTER_DAYS = "AUTO-AFTER-DAYS"
AUTO_ALGORITHMS = (AUTO_IF_CHAR, AUTO_WHEN_TODOS_DONE, AUTO_AFTER_DAYS)


@dataclass(frozen=True)
class CaseStatusDef:
    """A status of a case type: exactly one is initial (a new case starts there), one or more
    are final (entering one closes the case). An alertable status raises a dashboard alert;
    the script is the text shown to the CSR while the case is in the status."""

    code: str
    description: str
    seq: int
    is_initial: bool
    is_final: bool
    alertable: bool = False
    script: str | None = None


@dataclass(frozen=True)
class CaseTransitionDef:
    """A configured move from one status to another: an action button labelled
    `action_label`. `access_role` None means anyone who may work the case type may press it."""

    from_status: str
    to_status: str
    action_label: str
    seq: int = 0
    is_default: bool = False
    access_role: str | None = None


@dataclass(frozen=True)
class CaseLifecycle:
    """The statuses and transitions of one case type, with the characteristics each status
    requires (`required_chars`: (status code, characteristic type code) pairs) and the
    characteristic types the case type allows."""

    statuses: tuple[CaseStatusDef, ...]
    transitions: tuple[CaseTransitionDef, ...]
    required_chars: tuple[tuple[str, str], ...] = ()
    allowed_chars: tuple[str, ...] = ()

    def status(self, code: str) -> CaseStatusDef:
        """The status with this code; ValueError (with a sentence) when the type has none."""
        for status in self.statuses:
            if status.code == code:
                return status
        raise ValueError(f"{code} is not a status of this case type.")

    def initial(self) -> CaseStatusDef:
        """The one status a new case starts in; ValueError when there is not exactly one."""
        initials = [s for s in self.statuses if s.is_initial]
        if len(initials) != 1:
            raise ValueError(f"The case type has {len(initials)} initial statuses; it needs "
                             "exactly one.")
        return initials[0]


@dataclass(frozen=True)
class CaseFacts:
    """What an auto-transition algorithm looks at: the case's status, the characteristic types
    it has a value for, its To Do entries (not complete / all) and how many whole days it has
    been in the status."""

    status: str
    chars: frozenset[str]
    open_todos: int
    any_todos: int
    days_in_status: int


def _auto_parts(algorithm_code: str, parameter: str) -> tuple[str, str]:
    """An AUTO algorithm's parameter split into (condition, target status); ValueError with a
    sentence an administrator understands when the parameter does not fit the algorithm."""
    text = parameter.strip().upper()
    if algorithm_code == AUTO_WHEN_TODOS_DONE:
        if not text or ">" in text:
            raise ValueError(f"{AUTO_WHEN_TODOS_DONE} takes the status to move to as its "
                             "parameter, e.g. RESOLVED.")
        return "", text
    if algorithm_code in (AUTO_IF_CHAR, AUTO_AFTER_DAYS):
        condition, sep, target = (part.strip() for part in text.partition(">"))
        example = "SENT-DT>SENT" if algorithm_code == AUTO_IF_CHAR else "14>CLOSED"
        what = ("characteristic type" if algorithm_code == AUTO_IF_CHAR
                else "number of days")
        if not sep or not condition or not target:
            raise ValueError(f"{algorithm_code} takes a {what}, '>' and the status to move "
                             f"to as its parameter, e.g. {example}.")
        if algorithm_code == AUTO_AFTER_DAYS and not condition.isdigit():
            raise ValueError(f"{AUTO_AFTER_DAYS} needs a whole number of days before the "
                             f"'>', e.g. {example}.")
        return condition, target
    raise ValueError(f"{algorithm_code} is not an auto-transition algorithm.")


def auto_target(algorithm_code: str, parameter: str) -> str:
    """The status an AUTO algorithm moves a case to (from its parameter). ValueError for an
    unknown algorithm or a parameter that does not fit it."""
    return _auto_parts(algorithm_code, parameter)[1]


def auto_next_status(algorithm_code: str, parameter: str, facts: CaseFacts) -> str | None:
    """Where an AUTO algorithm moves the case now, or None to leave it where it is.

    * AUTO-IF-CHAR "SENT-DT>SENT": to SENT once the case has a SENT-DT characteristic;
    * AUTO-WHEN-TODOS-DONE "RESOLVED": to RESOLVED once the case has To Do entries and none of
      them is still open or being worked on;
    * AUTO-AFTER-DAYS "14>CLOSED": to CLOSED after 14 days in the status.

    A move to the status the case is already in is no move (None). An unknown algorithm or a
    parameter that does not fit raises ValueError.
    """
    condition, target = _auto_parts(algorithm_code, parameter)
    if algorithm_code == AUTO_IF_CHAR:
        due = condition in facts.chars
    elif algorithm_code == AUTO_WHEN_TODOS_DONE:
        due = facts.any_todos > 0 and facts.open_todos == 0
    else:
        due = facts.days_in_status >= int(condition)
    return target if due and target != facts.status else None


def lifecycle_problems(lc: CaseLifecycle,
                       auto_moves: Iterable[tuple[str, str]] = ()) -> tuple[str, ...]:
    """Everything wrong with a lifecycle, one sentence each (empty when it is sound).

    Sound means: status codes are unique; exactly one status is initial and at least one is
    final; every transition joins two statuses of the type, and not a status to itself; a
    from-status has one transition per to-status, unique action labels and at most one
    default; every status can be reached from the initial one; a status that is not final has
    a way out; every required characteristic is one the type allows, for one of its statuses.

    `auto_moves` are the (from, to) moves the type's auto-transition algorithms can make
    (see `auto_target`): they count as ways in and out like transitions do.
    """
    problems: list[str] = []
    codes = [s.code for s in lc.statuses]
    known = set(codes)
    for code, count in sorted(Counter(codes).items()):
        if count > 1:
            problems.append(f"Status {code} is listed {count} times; each status once.")
    if not lc.statuses:
        problems.append("The case type has no statuses; it needs at least an initial and a "
                        "final one.")
    initials = sorted({s.code for s in lc.statuses if s.is_initial})
    if lc.statuses and not initials:
        problems.append("No status is marked initial; exactly one must be (new cases start "
                        "there).")
    elif len(initials) > 1:
        problems.append(f"{len(initials)} statuses are marked initial ({', '.join(initials)}); "
                        "exactly one must be.")
    if lc.statuses and not any(s.is_final for s in lc.statuses):
        problems.append("No status is marked final; at least one must be (entering it closes "
                        "the case).")

    moves: list[tuple[str, str]] = []
    pairs: Counter[tuple[str, str]] = Counter()
    labels: Counter[tuple[str, str]] = Counter()
    defaults: Counter[str] = Counter()
    for t in lc.transitions:
        where = f"The transition {t.from_status} → {t.to_status}"
        missing = [c for c in (t.from_status, t.to_status) if c not in known]
        if missing:
            problems.append(f"{where} uses {' and '.join(sorted(set(missing)))}, which "
                            f"{'is' if len(set(missing)) == 1 else 'are'} not a status of "
                            "this case type.")
            continue
        if t.from_status == t.to_status:
            problems.append(f"{where} goes from a status to itself; a transition must change "
                            "the status.")
            continue
        if not t.action_label.strip():
            problems.append(f"{where} has no action label (the text of its button).")
        moves.append((t.from_status, t.to_status))
        pairs[(t.from_status, t.to_status)] += 1
        labels[(t.from_status, t.action_label.strip().casefold())] += 1
        if t.is_default:
            defaults[t.from_status] += 1
    for (start, end), count in sorted(pairs.items()):
        if count > 1:
            problems.append(f"There are {count} transitions from {start} to {end}; keep one.")
    label_text = {(t.from_status, t.action_label.strip().casefold()): t.action_label.strip()
                  for t in lc.transitions}
    for key, count in sorted(labels.items()):
        if count > 1 and key[1]:
            problems.append(f"{count} transitions from {key[0]} are labelled "
                            f"\"{label_text[key]}\"; each button of a status needs its own "
                            "label.")
    for start, count in sorted(defaults.items()):
        if count > 1:
            problems.append(f"{count} transitions from {start} are marked default; at most "
                            "one may be.")

    for start, end in auto_moves:
        if start not in known or end not in known:
            continue  # the service names an auto target that is not a status itself
        if start != end:
            moves.append((start, end))

    if len(initials) == 1 and initials[0] in known:
        reached = {initials[0]}
        frontier = [initials[0]]
        while frontier:
            at = frontier.pop()
            for start, end in moves:
                if start == at and end not in reached:
                    reached.add(end)
                    frontier.append(end)
        for s in sorted(lc.statuses, key=lambda s: (s.seq, s.code)):
            if s.code not in reached:
                problems.append(f"Status {s.code} cannot be reached from the initial status "
                                f"{initials[0]}; add a transition into it.")
    outs = {start for start, _ in moves}
    for s in sorted({s.code: s for s in lc.statuses}.values(), key=lambda s: (s.seq, s.code)):
        if not s.is_final and s.code not in outs:
            problems.append(f"Status {s.code} is not final but has no way out; add a "
                            "transition from it (or an auto-transition), or mark it final.")

    allowed = set(lc.allowed_chars)
    for status, char in sorted(set(lc.required_chars)):
        if status not in known:
            problems.append(f"Characteristic {char} is required for {status}, which is not a "
                            "status of this case type.")
        elif char not in allowed:
            problems.append(f"Characteristic {char} is required to enter {status} but is not "
                            "one of the characteristic types the case type allows.")
    return tuple(problems)


def transitions_from(lc: CaseLifecycle, status_code: str) -> tuple[CaseTransitionDef, ...]:
    """The transitions (action buttons) of a status, in their order (seq, then label)."""
    return tuple(sorted((t for t in lc.transitions if t.from_status == status_code),
                        key=lambda t: (t.seq, t.action_label, t.to_status)))


def may_take(t: CaseTransitionDef, roles: frozenset[str]) -> bool:
    """Whether a user with these roles may take the transition: an administrator always; anyone
    when the transition has no access role; otherwise who has that role."""
    return ADMIN_ROLE in roles or t.access_role is None or t.access_role in roles


def missing_chars(lc: CaseLifecycle, to_status: str, present: Iterable[str]) -> tuple[str, ...]:
    """The characteristic types `to_status` requires that the case has no value for, sorted:
    they must be given before the case may enter the status (CS-T03)."""
    have = set(present)
    return tuple(sorted({char for status, char in lc.required_chars
                         if status == to_status and char not in have}))


def todo_summary(open_: int, being_worked: int, complete: int) -> str:
    """The To Do line of the case pane, e.g. "2 To Do entries: 1 Open, 1 Being Worked On";
    zero counts are left out, and a case without To Do entries has no line ("")."""
    total = open_ + being_worked + complete
    if total == 0:
        return ""
    parts = [f"{count} {label}" for count, label in ((open_, "Open"),
                                                     (being_worked, "Being Worked On"),
                                                     (complete, "Complete")) if count]
    noun = "entry" if total == 1 else "entries"
    return f"{total} To Do {noun}: {', '.join(parts)}"


def parse_roles(text: str | None) -> frozenset[str]:
    """The roles of a comma-separated list ("CSR, SUPERVISOR"); "" or None is no role (which,
    as a case type's access roles, means every user)."""
    return frozenset(part.strip().upper() for part in (text or "").split(",") if part.strip())


def format_roles(roles: Iterable[str]) -> str:
    """The comma-separated, sorted text `parse_roles` reads back."""
    return ",".join(sorted({r.strip().upper() for r in roles if r.strip()}))
