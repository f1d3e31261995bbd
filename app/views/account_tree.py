"""The Account tree pane (spec/60 §A9): customer → accounts → premises → service points →
agreements → meters → registers, loaded one level at a time off the UI thread.

The root follows the application's current account (`ctx.current.changed`); a party number typed
in the top bar shows every account that party has a role on. Enter or double-click opens a
node's record; the Menu key, Shift+F10 or a right click opens the node's context menu, whose
actions (start/stop service, roles, subscriptions, parent premise, landlord) open the dialogs in
`service_dialogs` and `tree_dialogs`; after a save the affected branch is fetched again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import RoleTarget
from app.services import account_tree as tree_service
from app.services.account_tree import NodeKind, TreeNode
from app.services.errors import DomainError
from app.services.installation import Module
from app.services.lookup import check_identifier
from app.views.account_tree_model import (
    NODE_ROLE,
    AccountTreeModel,
    StatusBadgeDelegate,
    TreeView,
)
from app.views.current_context import CurrentAccount
from app.views.panes import PaneContext, PaneSpec, register
from app.views.record import open_record
from app.views.service_dialogs import StartServiceDialog, StopServiceDialog
from app.views.tree_dialogs import (
    ActionDialog,
    AddRoleDialog,
    AddSubscriptionDialog,
    AssignLandlordDialog,
    AssignParentDialog,
    RemoveLandlordDialog,
    RemoveParentDialog,
    caller_check,
)
from app.views.widgets import label

ACCOUNT_TREE_PANE = "account-tree"
CONTROL_CENTRAL_PANE = "control-central"
PREMISE_MANAGEMENT_PANE = "premise-management"
#: The premise node's entry that opens Premise Management on it (when the module is on).
PREMISE_MANAGEMENT_ENTRY = "Premise Management"
#: The premise node's entry that opens the booking dialog (P-AP1) on it (Appointments module).
BOOK_APPOINTMENT_ENTRY = "Book appointment…"

ACTION_LABELS: dict[str, str] = {
    tree_service.ACTION_OPEN_CONTROL_CENTRAL: "Open in Control Central",
    tree_service.ACTION_START_SERVICE: "Start service…",
    tree_service.ACTION_STOP_SERVICE: "Stop service…",
    tree_service.ACTION_ADD_ROLE: "Add role…",
    tree_service.ACTION_ADD_SUBSCRIPTION: "Add subscription…",
    tree_service.ACTION_ASSIGN_PARENT: "Assign parent premise…",
    tree_service.ACTION_REMOVE_PARENT: "Remove parent premise…",
    tree_service.ACTION_ASSIGN_LANDLORD: "Assign landlord…",
    tree_service.ACTION_REMOVE_LANDLORD: "Remove landlord…",
}
#: Actions that add nodes under the node they are run on; the others change the node itself.
ADDS_CHILDREN = frozenset({tree_service.ACTION_START_SERVICE, tree_service.ACTION_ADD_ROLE,
                           tree_service.ACTION_ADD_SUBSCRIPTION})


def resolve(where: QPersistentModelIndex) -> QModelIndex:
    """The live index a persistent index points at (invalid once its row is gone)."""
    model = where.model()
    if not where.isValid() or model is None:
        return QModelIndex()
    return model.index(where.row(), where.column(), where.parent())


def node_number(node: TreeNode) -> str:
    """The node's own 10-digit number (its record's number when it has one)."""
    return node.record[1] if node.record is not None else node.key


# ---------------------------------------------------------------------------------- pane

class AccountTreePane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self._ctx = ctx
        #: ("account" | "party", number) shown, or None for the empty state.
        self.root: tuple[str, str] | None = None
        self.context_menu: QMenu | None = None
        self.dialog: ActionDialog | None = None
        self._expand_keys: set[str] = set()
        self._select_key: str | None = None
        self._auto_account: str | None = None

        self.title = label("Account tree", "pageTitle")
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.history_box = QCheckBox("Show history")
        self.history_box.setToolTip("Also list closed roles, stopped and canceled agreements")
        self.history_box.toggled.connect(self._history_toggled)
        self.field_error = label("", "inlineError", wrap=True)
        self.field_error.hide()
        self.party_field = QLineEdit()
        self.party_field.setPlaceholderText("Party number: every account it has a role on")
        self.party_field.setAccessibleName("Party number")
        self.party_field.setMinimumWidth(360)
        self.party_field.returnPressed.connect(self.open_party_from_field)
        self.party_field.textEdited.connect(lambda _text: self.field_error.hide())
        self.party_button = QPushButton("Show party")
        self.party_button.clicked.connect(self.open_party_from_field)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Fetch the current branch again (F5)")
        self.refresh_button.clicked.connect(self.refresh_current)
        self.message = label("", "inlineOk", wrap=True)
        self.message.hide()

        bar = QHBoxLayout()
        bar.setSpacing(10)
        bar.addWidget(self.history_box)
        bar.addSpacing(12)
        bar.addWidget(self.party_field)
        bar.addWidget(self.party_button)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)

        self.model = AccountTreeModel(ctx.db, self)
        self.model.branch_loaded.connect(self._branch_loaded)
        self.model.load_failed.connect(self._load_failed)
        self.tree = TreeView()
        self.tree.setModel(self.model)
        self.tree.setItemDelegateForColumn(1, StatusBadgeDelegate(self.tree))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setIconSize(QSize(16, 16))
        self.tree.setAccessibleName("Account tree")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 150)
        header.resizeSection(2, 70)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.tree.activated.connect(self.open_node)
        self.tree.expanded.connect(self._expanded)
        self.tree.menu_requested.connect(self.show_context_menu)

        self.empty = QFrame()
        self.empty.setObjectName("emptyCard")
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.setContentsMargins(28, 24, 28, 24)
        empty_layout.setSpacing(8)
        self.empty_heading = label("No account chosen yet", "emptyHeading")
        self.empty_text = label(
            "Pick an account in Control Central (Ctrl+2): its customer, premises, service points "
            "and agreements appear here. To see every account a person or organisation has a "
            "role on, type their party number above and press Enter.", "emptyText", wrap=True)
        empty_layout.addWidget(self.empty_heading)
        empty_layout.addWidget(self.empty_text)
        empty_page = QWidget()
        empty_outer = QVBoxLayout(empty_page)
        empty_outer.setContentsMargins(0, 12, 0, 0)
        empty_outer.addWidget(self.empty)
        empty_outer.addStretch(1)
        self.stack = QStackedWidget()
        self.stack.addWidget(empty_page)
        self.stack.addWidget(self.tree)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 14)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.field_error)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

        refresh = QAction("Refresh branch", self)
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.triggered.connect(self.refresh_current)
        self.addAction(refresh)

        ctx.current.changed.connect(self.on_context_changed)
        self.on_context_changed(ctx.current.account)

    # ------------------------------------------------------------------------------ roots

    def on_context_changed(self, account: CurrentAccount | None) -> None:
        if account is None:
            if self.root is not None and self.root[0] == "account":
                self.show_root(None)
        elif self.root != ("account", account.account_number):
            self.show_root(("account", account.account_number), remember=self.isVisible())

    def show_account(self, number: str) -> None:
        self.show_root(("account", number))

    def show_party(self, number: str) -> None:
        self.show_root(("party", number))

    def open_party_from_field(self) -> None:
        text = self.party_field.text()
        try:
            if not text.strip():
                raise DomainError("Type a party's 10-digit number.", "party")
            number = check_identifier(text, "party")
        except DomainError as exc:
            self.field_error.setText(exc.message)
            self.field_error.show()
            return
        self.field_error.hide()
        self.show_party(number)
        self.tree.setFocus()

    def show_root(self, root: tuple[str, str] | None, *, remember: bool = True) -> None:
        self.root = root
        self._expand_keys.clear()
        self._select_key = None
        self._auto_account = None
        self.message.hide()
        if root is None:
            self.subtitle.setText("No account is selected.")
            self.stack.setCurrentIndex(0)
            self.model.set_roots(None)
        else:
            kind, number = root
            if kind == "account":
                self._auto_account = number
                self.subtitle.setText(f"Account {number}: its customer, premises, service "
                                      "points and agreements")
                fetch = partial(tree_service.tree_roots, self._ctx.db, account_number=number)
            else:
                self.subtitle.setText(f"Party {number}: every account it has a role on")
                fetch = partial(tree_service.tree_roots, self._ctx.db, party_number=number)
            self.stack.setCurrentIndex(1)
            self.model.set_roots(fetch)
        if remember and self.isVisible():
            self._ctx.host.record_visit(ACCOUNT_TREE_PANE)

    def _history_toggled(self, checked: bool) -> None:
        self.model.show_history = checked
        self._remember_expanded(QModelIndex())
        self.model.reload()

    # ---------------------------------------------------------------------- loading, refresh

    def _expanded(self, index: QModelIndex) -> None:
        if self.model.canFetchMore(index):
            self.model.fetchMore(index)

    def _branch_loaded(self, parent: QModelIndex) -> None:
        for row in range(self.model.rowCount(parent)):
            index = self.model.index(row, 0, parent)
            node = index.data(NODE_ROLE)
            if node is None:
                continue
            target = self._auto_account
            if node.key in self._expand_keys:
                self._expand_keys.discard(node.key)
                self.tree.expand(index)
            elif not parent.isValid():
                self.tree.expand(index)  # the customer or party at the top
            if target is not None and node.kind is NodeKind.ACCOUNT and target in (
                    node.key, node.account_number):
                self._auto_account = None
                self.tree.expand(index)
                self._select(index)
            if node.key == self._select_key:
                self._select_key = None
                self._select(index)
        if not parent.isValid() and not self.tree.currentIndex().isValid() and \
                self.model.rowCount(parent):
            self._select(self.model.index(0, 0, parent))

    def _select(self, index: QModelIndex) -> None:
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)

    def _load_failed(self, text: str) -> None:
        self._ctx.host.show_status(text)

    def _remember_expanded(self, below: QModelIndex) -> None:
        for index in self.model.walk(below):
            if self.tree.isExpanded(index):
                self._expand_keys.add(index.data(NODE_ROLE).key)
        current = self.tree.currentIndex().siblingAtColumn(0)
        ancestor = current.parent()
        while ancestor.isValid() and ancestor != below:
            ancestor = ancestor.parent()
        node = current.data(NODE_ROLE)
        if node is not None and ancestor == below:  # the current node is being re-read
            self._select_key = node.key

    def refresh_branch(self, index: QModelIndex, expand: tuple[str, ...] = ()) -> None:
        """Fetch the children of `index` again, re-opening what was open below it."""
        self._remember_expanded(index)
        self._expand_keys.update(expand)
        self.model.refresh(index)
        if index.isValid():
            self.tree.expand(index)

    def refresh_current(self) -> None:
        """F5: the current node's level (so the node itself and its open branches) again."""
        current = self.tree.currentIndex().siblingAtColumn(0)
        self.refresh_branch(current.parent() if current.isValid() else QModelIndex())

    # ------------------------------------------------------------------- opening, actions

    def open_node(self, index: QModelIndex) -> None:
        node = index.siblingAtColumn(0).data(NODE_ROLE)
        if node is None:
            return
        if node.record is not None:
            open_record(self._ctx.host, *node.record)
        elif self.model.hasChildren(index.siblingAtColumn(0)):
            self.tree.setExpanded(index.siblingAtColumn(0),
                                  not self.tree.isExpanded(index.siblingAtColumn(0)))

    def show_context_menu(self, index: QModelIndex, global_pos: QPoint) -> QMenu | None:
        node = index.data(NODE_ROLE)
        if node is None:
            return None
        where = QPersistentModelIndex(index)
        menu = QMenu(self)
        if node.record is not None:
            opener = menu.addAction(f"Open {node.record[0].lower()}")
            opener.setShortcut(QKeySequence(Qt.Key.Key_Return))
            opener.triggered.connect(lambda: self.open_node(resolve(where)))
        for action in node.actions:
            if action in ACTION_LABELS:
                entry = menu.addAction(ACTION_LABELS[action])
                entry.triggered.connect(partial(self.run_action, action, where))
        if node.kind is NodeKind.PREMISE and Module.PREMISE_MANAGEMENT in self._ctx.modules:
            manage = menu.addAction(PREMISE_MANAGEMENT_ENTRY)
            manage.triggered.connect(partial(self.open_in_premise_management, node.key))
        if node.kind is NodeKind.PREMISE and Module.APPOINTMENTS in self._ctx.modules:
            book = menu.addAction(BOOK_APPOINTMENT_ENTRY)
            book.triggered.connect(partial(self.book_appointment, node.key))
        menu.addSeparator()
        refresh = menu.addAction("Refresh")
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.triggered.connect(lambda: self.refresh_branch(resolve(where).parent()))
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = menu
        menu.popup(global_pos)
        return menu

    def _account_label(self, index: QModelIndex, number: str) -> str:
        while index.isValid():
            node = index.data(NODE_ROLE)
            if node is not None and node.kind is NodeKind.ACCOUNT:
                return str(node.label)
            index = index.parent()
        return f"Account {number}"

    def run_action(self, action: str, where: QPersistentModelIndex) -> ActionDialog | None:
        index = resolve(where)
        node: TreeNode | None = index.data(NODE_ROLE)
        if node is None:
            return None
        account = node.account_number or ""
        if action == tree_service.ACTION_OPEN_CONTROL_CENTRAL:
            self.open_in_control_central(account, self._account_label(index, account))
            return None
        dialog = self._make_dialog(action, node, index, account)
        if dialog.check is not None and account:
            dialog.verify_caller(account)
        dialog.saved.connect(partial(self._saved, action, where, dialog))
        dialog.concurrent_change.connect(
            lambda: self.refresh_branch(resolve(where).parent()))
        dialog.finished.connect(lambda _code: self.tree.setFocus())
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def _make_dialog(self, action: str, node: TreeNode, index: QModelIndex,
                     account: str) -> ActionDialog:
        ctx, check = self._ctx, caller_check(self._ctx.current, account)
        account_label = self._account_label(index, account)
        number = node_number(node)
        if action == tree_service.ACTION_START_SERVICE:
            return StartServiceDialog(ctx, self, account, account_label, number, node.label,
                                      check)
        if action == tree_service.ACTION_STOP_SERVICE:
            return StopServiceDialog(ctx, self, account, [(number, node.label)], check)
        if action == tree_service.ACTION_ADD_ROLE:
            current = ctx.current.account
            owner = (current.main_party_number
                     if current is not None and current.account_number == account else None)
            return AddRoleDialog(ctx, self, RoleTarget.ACCOUNT, account, account_label, check,
                                 owner)
        if action == tree_service.ACTION_ADD_SUBSCRIPTION:
            return AddSubscriptionDialog(ctx, self, account, account_label, check)
        premise_dialogs: dict[str, Callable[[PaneContext, QWidget, str, str], ActionDialog]] = {
            tree_service.ACTION_ASSIGN_PARENT: AssignParentDialog,
            tree_service.ACTION_REMOVE_PARENT: RemoveParentDialog,
            tree_service.ACTION_ASSIGN_LANDLORD: AssignLandlordDialog,
            tree_service.ACTION_REMOVE_LANDLORD: RemoveLandlordDialog,
        }
        return premise_dialogs[action](ctx, self, number, node.label)

    def _saved(self, action: str, where: QPersistentModelIndex, dialog: ActionDialog,
               text: str) -> None:
        self._ctx.host.show_status(text)
        self.message.setText(text)
        self.message.show()
        index = resolve(where)
        if not index.isValid():
            self.refresh_branch(QModelIndex())
        elif action in ADDS_CHILDREN:
            expand = (dialog.created_service_points()
                      if isinstance(dialog, StartServiceDialog) else ())
            self.refresh_branch(index, expand)
        else:
            self.refresh_branch(index.parent())

    def open_in_control_central(self, account_number: str, text: str) -> None:
        current = self._ctx.current.account
        if current is None or current.account_number != account_number:
            self._ctx.current.set_account(CurrentAccount(account_number, text))
        try:
            pane = self._ctx.host.open_pane(CONTROL_CENTRAL_PANE)
        except KeyError:
            self._ctx.host.show_status("Control Central is not available in this build.")
            return
        if hasattr(pane, "load_account"):
            pane.load_account(account_number)

    def open_in_premise_management(self, premise_number: str) -> None:
        """Premise Management with "Show this specific premise" for the node, searched."""
        try:
            pane = self._ctx.host.open_pane(PREMISE_MANAGEMENT_PANE)
        except KeyError:
            self._ctx.host.show_status("Premise Management is switched off for this database.")
            return
        if hasattr(pane, "show_premise"):
            pane.show_premise(premise_number)

    def book_appointment(self, premise_number: str) -> QWidget:
        """P-AP1 on the premise node; a booking refreshes the panes showing its account."""
        from app.views.appointment_booking import open_booking_dialog

        dialog = open_booking_dialog(self, self._ctx.db, self._ctx.actor, premise_number)
        dialog.changed.connect(lambda _text: self._ctx.current.notify_saved(None))
        return dialog

    # ------------------------------------------------------------------ navigation history

    def pane_state(self) -> object:
        return None if self.root is None else (*self.root, self.history_box.isChecked())

    def history_key(self) -> str:
        return "" if self.root is None else f"{self.root[0]}:{self.root[1]}"

    def restore_state(self, state: object) -> None:
        if not (isinstance(state, tuple) and len(state) == 3):
            return
        kind, number, history = state
        if bool(history) != self.history_box.isChecked():
            self.history_box.blockSignals(True)
            self.history_box.setChecked(bool(history))
            self.history_box.blockSignals(False)
            self.model.show_history = bool(history)
            self.root = None  # force the reload below
        if (kind, number) != self.root:
            self.show_root((str(kind), str(number)), remember=False)


def _make(ctx: PaneContext) -> QWidget:
    return AccountTreePane(ctx)


ACCOUNT_TREE = register(PaneSpec(ACCOUNT_TREE_PANE, "Account tree", "Ctrl+3", _make))

__all__ = ["ACCOUNT_TREE", "AccountTreeModel", "AccountTreePane", "NODE_ROLE"]
