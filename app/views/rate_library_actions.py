"""Rate files from the Rate Editor: import rate files (YAML, docs/rate-files.md), export the
open rate schedule as a rate file, and — in an empty database — load the rate library that
ships with Switchboard. The same services as `switchboard rate import|export`.

    actions = RateLibraryActions(ctx, current_code=lambda: "E-RES-1")
    actions.imported.connect(refresh)          # the summary, e.g. "3 added, 1 replaced"

Every file dialog and question goes through a replaceable callable, so a test drives it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox, QPushButton, QWidget

from app.services import rates
from app.services.errors import DomainError
from app.services.rates import ImportSummary, RatesAlreadyStored
from app.views.panes import PaneContext
from app.views.worker import run_task

EMPTY_LIBRARY = ("There are no rate schedules in this database yet. Load the rate library "
                 "that ships with Switchboard, import rate files (Import Rate Files…, or "
                 "`switchboard rate import FILE…` on the command line), or start one with "
                 "New Schedule….")


class RateLibraryActions(QWidget):
    """Import Rate Files… / Export Schedule… (and Load Shipped Rates for an empty database)."""

    #: An import or load finished: the summary sentence.
    imported = Signal(str)
    #: Something went wrong: the sentence to show.
    failed = Signal(str)
    #: An export was written: the path.
    exported = Signal(str)

    def __init__(self, ctx: PaneContext, current_code: Callable[[], str | None],
                 may_edit: bool) -> None:
        super().__init__()
        self.ctx = ctx
        self.current_code = current_code
        self.may_edit = may_edit
        #: Asks for rate files to import; [] when cancelled (a test replaces it).
        self.ask_import_paths: Callable[[], Sequence[str]] = self._ask_import_paths
        #: Asks where to write an export; None when cancelled.
        self.ask_export_path: Callable[[str], str | None] = self._ask_export_path
        #: Asks a yes/no question.
        self.confirm: Callable[[str], bool] = self._confirm
        self.import_button = QPushButton("Import Rate Files…")
        self.import_button.setToolTip("Store rate files (YAML) in the database; rate analysts "
                                      "only")
        self.import_button.clicked.connect(lambda _=False: self.import_files())
        self.import_button.setEnabled(may_edit)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the open rate schedule as a rate file, with the "
                                      "bill factors and rules it needs")
        self.export_button.clicked.connect(lambda _=False: self.export_current())
        self.shipped_button = QPushButton("Load Shipped Rates")
        self.shipped_button.setObjectName("primary")
        self.shipped_button.setToolTip("Store the rate library that ships with Switchboard "
                                       "(only what the database does not have yet)")
        self.shipped_button.clicked.connect(lambda _=False: self.load_shipped())
        self.shipped_button.setEnabled(may_edit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for b in (self.import_button, self.export_button):
            b.setStyleSheet("QPushButton { padding: 4px 8px; }")
            layout.addWidget(b)
        layout.addStretch(1)

    # ---------------------------------------------------------------------------- import

    def import_files(self, replace_existing: bool = False,
                     paths: Sequence[str] | None = None) -> None:
        chosen = list(paths if paths is not None else self.ask_import_paths())
        if not chosen:
            return
        db, actor = self.ctx.db, self.ctx.actor

        def call() -> ImportSummary:
            return rates.import_rate_files(db, actor, chosen, replace_existing=replace_existing)

        run_task(call, on_result=self._imported,
                 on_error=lambda exc: self._import_failed(exc, chosen))

    def _import_failed(self, exc: BaseException, paths: Sequence[str]) -> None:
        if isinstance(exc, RatesAlreadyStored) and self.confirm(
                f"The database already has {exc.shown}. Replace them with the definitions in "
                "the files? (Bill-protected versions stay refused.)"):
            self.import_files(replace_existing=True, paths=paths)
            return
        if isinstance(exc, RatesAlreadyStored):
            self.failed.emit("Nothing was imported.")
            return
        self.failed.emit(exc.message if isinstance(exc, DomainError)
                         else f"The rate files could not be imported: {exc}")

    def load_shipped(self) -> None:
        run_task(rates.load_shipped_rates, self.ctx.db, self.ctx.actor,
                 on_result=self._imported,
                 on_error=lambda exc: self.failed.emit(
                     exc.message if isinstance(exc, DomainError)
                     else f"The shipped rates could not be loaded: {exc}"))

    def _imported(self, summary: ImportSummary) -> None:
        self.imported.emit(f"Rate files imported: {summary.text}.")

    # ---------------------------------------------------------------------------- export

    def export_current(self) -> None:
        code = self.current_code()
        if not code:
            self.failed.emit("Pick a rate schedule on the left to export it.")
            return
        path = self.ask_export_path(f"{code}.yaml")
        if not path:
            return
        if not path.lower().endswith((".yaml", ".yml")):
            path += ".yaml"

        def call() -> str:
            text = rates.export_rate_schedule(self.ctx.db, code)
            Path(path).write_text(text, encoding="utf-8")
            return path

        run_task(call, on_result=self.exported.emit,
                 on_error=lambda exc: self.failed.emit(
                     exc.message if isinstance(exc, DomainError)
                     else f"The rate file could not be written: {exc}"))

    # ---------------------------------------------------------------------------- dialogs

    def _ask_import_paths(self) -> Sequence[str]:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, "Import rate files", "", "Rate files (*.yaml *.yml);;All files (*)")
        return paths

    def _ask_export_path(self, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(self, "Export the rate schedule",
                                                    suggested, "Rate files (*.yaml)")
        return path or None

    def _confirm(self, text: str) -> bool:
        return QMessageBox.question(self, "Import rate files", text) == \
            QMessageBox.StandardButton.Yes


__all__ = ["EMPTY_LIBRARY", "RateLibraryActions"]
