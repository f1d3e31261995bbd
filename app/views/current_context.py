"""The application-wide current context (spec/60 §A8.2–§A8.3): the account a CSR is working on,
its main party and premise, and who is calling. Control Central sets it; every pane reads it and
listens to `changed`; the main window shows it in a permanent context bar.

    ctx.current.set_account(CurrentAccount("2000000017", "Okafor, Ngozi — Home", …))
    ctx.current.set_caller(caller)        # a services.control_central.Caller, or None
    ctx.current.changed.connect(pane.on_context_changed)
    ctx.current.notify_saved("2000000017")  # after any save: panes showing it refresh

`saved` is the application's "object saved" event (spec/60 §A9): a dialog or pane that saved
something emits it with the account concerned (None when it may concern any account), and every
pane that shows that account re-reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

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
    #: Something was saved: the account it concerns, or None (any account may be affected).
    saved = Signal(object)

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

    def notify_saved(self, account_number: str | None) -> None:
        self.saved.emit(account_number)


def context_text(account: CurrentAccount | None) -> str:
    """What the context bar says: the account worked on and who is calling."""
    if account is None:
        return "No account chosen — find one with Ctrl+F; it is then the context of every pane."
    caller = account.caller
    if caller is None:
        who = "Caller: unknown"
    else:
        held = f" ({caller.roles})" if caller.roles else ""
        who = f"Caller: {caller.party_name}{held}" + (
            "" if caller.has_authority else " — no authority to change the account")
    return f"Working on {account.label}  ·  {who}"


class ContextBar(QWidget):
    """The permanent bar under the toolbar that shows the current context (spec/60 §A8.2)."""

    def __init__(self, current: CurrentContext) -> None:
        super().__init__()
        self.setObjectName("contextBar")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._current = current
        self.text = QLabel()
        self.text.setObjectName("contextText")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Stop working on this account")
        self.clear_button.setFlat(True)
        self.clear_button.clicked.connect(current.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 2, 12, 2)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.clear_button)
        current.changed.connect(self.show_account)
        self.show_account(current.account)

    def show_account(self, account: CurrentAccount | None) -> None:
        self.text.setText(context_text(account))
        warn = account is not None and account.caller is not None and \
            not account.caller.has_authority
        self.text.setStyleSheet("color: #a3361f;" if warn else "")
        self.clear_button.setVisible(account is not None)
