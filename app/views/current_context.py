"""The application-wide current context (spec/60 §A8.2–§A8.3): the account a CSR is working on,
its main party and premise, and who is calling. Control Central sets it; every pane reads it and
listens to `changed`; the main window shows it in a permanent context bar.

    ctx.current.set_account(CurrentAccount("2000000017", "Okafor, Ngozi — Home", …))
    ctx.current.set_caller(caller)        # a services.control_central.Caller, or None
    ctx.current.changed.connect(pane.on_context_changed)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from app.services.control_central import Caller


@dataclass(frozen=True)
class CurrentAccount:
    account_number: str
    #: What the context bar shows, e.g. "Okafor, Ngozi · account 2000000017 (Home)".
    label: str
    main_party_number: str | None = None
    premise_number: str | None = None
    #: None = "Unknown caller".
    caller: Caller | None = None

    @property
    def caller_has_authority(self) -> bool:
        return self.caller is not None and self.caller.has_authority


class CurrentContext(QObject):
    """Holds the current account; emits `changed` with the new CurrentAccount (or None)."""

    changed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.account: CurrentAccount | None = None

    def set_account(self, account: CurrentAccount | None) -> None:
        if account != self.account:
            self.account = account
            self.changed.emit(account)

    def set_caller(self, caller: Caller | None) -> None:
        if self.account is not None and self.account.caller != caller:
            self.account = replace(self.account, caller=caller)
            self.changed.emit(self.account)

    def clear(self) -> None:
        self.set_account(None)
