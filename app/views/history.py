"""Back/Forward history across the panes and records the user visited (no Qt in here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_ENTRIES = 100


@dataclass(frozen=True)
class Visit:
    """A pane by name and what it showed (for the search pane: the query and its results)."""

    pane: str
    state: Any = field(default=None, compare=False)
    key: str = ""


class NavigationHistory:
    def __init__(self) -> None:
        self._entries: list[Visit] = []
        self._index = -1

    @property
    def current(self) -> Visit | None:
        return self._entries[self._index] if self._index >= 0 else None

    @property
    def can_go_back(self) -> bool:
        return self._index > 0

    @property
    def can_go_forward(self) -> bool:
        return 0 <= self._index < len(self._entries) - 1

    def visit(self, entry: Visit) -> bool:
        """Record a new visit; the forward part is dropped. False when it repeats the current."""
        if self.current == entry:
            self._entries[self._index] = entry  # keep the newest state of the same place
            return False
        del self._entries[self._index + 1 :]
        self._entries.append(entry)
        if len(self._entries) > MAX_ENTRIES:
            del self._entries[0]
        self._index = len(self._entries) - 1
        return True

    def back(self) -> Visit | None:
        if not self.can_go_back:
            return None
        self._index -= 1
        return self._entries[self._index]

    def forward(self) -> Visit | None:
        if not self.can_go_forward:
            return None
        self._index += 1
        return self._entries[self._index]

    def __len__(self) -> int:
        return len(self._entries)
