"""The Quote – Main button matrix (spec/40 §2.6): which action is open for a quote in a state,
with how many details selected. Pure: the pane enables its buttons with it and the tests walk
every state; the services refuse the same actions with a sentence.

    states = button_states(QuoteStatus.PENDING, details_ok=(True, False), selected=1,
                           quotable=2)
    states.generate, states.complete        # True, False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.models.enums import QuoteStatus

#: Select All ticks only the first 100 rows (spec/40 §2.6, T-QTE-04).
SELECT_ALL_LIMIT = 100


@dataclass(frozen=True)
class ButtonStates:
    generate: bool
    complete: bool
    close: bool
    reopen: bool
    cancel: bool
    delete: bool
    regenerate: bool
    delete_details: bool
    accept: bool
    decline: bool
    cancel_proposals: bool
    select_all: bool
    clear_all: bool
    add_routing: bool
    save: bool

    def enabled(self) -> frozenset[str]:
        return frozenset(name for name, on in vars(self).items() if on)


def button_states(status: QuoteStatus | None, *, details_ok: Sequence[bool] = (),
                  selected: int = 0, quotable: int = 0) -> ButtonStates:
    """``status`` None is a new, unsaved quote; ``details_ok`` says of each detail whether
    it is OK; ``quotable`` counts the account's Quotable proposals."""
    pending = status is QuoteStatus.PENDING
    complete = status is QuoteStatus.COMPLETE
    sel = selected > 0
    live = pending or complete
    return ButtonStates(
        generate=(status is None or pending) and quotable > 0,
        complete=pending and bool(details_ok) and all(details_ok),
        close=complete,
        reopen=complete,
        cancel=pending,
        delete=pending,
        regenerate=pending and sel,
        delete_details=pending and sel,
        accept=live and sel,
        decline=live and sel,
        cancel_proposals=live and sel,
        select_all=status is not None and status is not QuoteStatus.CLOSED
        and bool(details_ok),
        clear_all=status is not None and status is not QuoteStatus.CLOSED and sel,
        add_routing=complete,
        save=status is None or pending,
    )


def select_all(count: int) -> list[int]:
    """The rows Select All ticks: the first 100 (the rest in batches)."""
    return list(range(min(count, SELECT_ALL_LIMIT)))


__all__ = ["SELECT_ALL_LIMIT", "ButtonStates", "button_states", "select_all"]
