"""Extra steps of merging duplicate parties (`services.duplicates.merge_parties`): later
features (cases, quotes…) register how to re-point their own references to a party. Called
inside the merge transaction as step(session, survivor, duplicate).

This module imports no service, so a feature can register its step at import time without
importing the merge (and what it imports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.models import Party

MergeStep = Callable[["Session", "Party", "Party"], None]
_STEPS: list[MergeStep] = []


def register_merge_step(step: MergeStep) -> None:
    if step not in _STEPS:
        _STEPS.append(step)


def merge_steps() -> tuple[MergeStep, ...]:
    return tuple(_STEPS)
