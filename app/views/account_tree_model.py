"""The account tree's lazy item model, its status badges, icons and view (spec/60 §A9).

`AccountTreeModel` holds `TreeNode`s and fetches a node's children with
`services.account_tree.children` in a worker when the view first expands it; meanwhile the node
shows a "Loading…" row, and an error becomes a red row. No call blocks the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QIcon,
    QKeyEvent,
    QPainter,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from app.services import account_tree as tree_service
from app.services.account_tree import NodeKind, TreeNode
from app.services.errors import DomainError
from app.views.worker import run_task

COLUMNS = ("Name", "Status", "Count")
NODE_ROLE = Qt.ItemDataRole.UserRole + 1
HISTORIC_COLOUR = "#8b8f96"
ERROR_COLOUR = "#c0392b"
#: The invisible root's index, as a default argument.
ROOT = QModelIndex()


# --------------------------------------------------------------------------------- icons

#: (colour, solid fill) per kind; folders share one yellow folder.
_KIND_COLOURS: dict[str, tuple[str, bool]] = {
    "CUSTOMER": ("#2f6fd0", True), "PARTY": ("#7b4fc9", False), "ROLE": ("#7b4fc9", False),
    "ACCOUNT": ("#1f8a70", False), "PREMISE": ("#c0612b", False),
    "SERVICE_POINT": ("#c2417f", True), "SERVICE_AGREEMENT": ("#3b7dd8", False),
    "METER": ("#66717f", False), "REGISTER": ("#8a6d3b", False),
    "SUBSCRIPTION": ("#2a8f85", False), "FOLDER": ("#d19a1c", True),
    "MORE": ("#8b8f96", True), "QUOTE": ("#b5462e", False), "PROPOSAL": ("#6a5acd", False),
    "QUOTE_DETAIL": ("#b5462e", True), "LOAN": ("#2e7d32", False),
    "CASE": ("#8e44ad", False),
}
FOLDERS = frozenset({NodeKind.ROLES, NodeKind.CHILD_PREMISES, NodeKind.SUBSCRIPTIONS,
                     NodeKind.QUOTES, NodeKind.PROPOSALS, NodeKind.LOANS, NodeKind.CASES})
_icons: dict[str, QIcon] = {}


def _poly(*points: float) -> QPolygonF:
    return QPolygonF([QPointF(points[i], points[i + 1]) for i in range(0, len(points), 2)])


def _draw(p: QPainter, shape: str) -> None:
    """One 16×16 glyph in the current pen and brush."""
    if shape in ("CUSTOMER", "PARTY"):
        p.drawEllipse(QRectF(5, 1.5, 6, 6))
        p.drawRoundedRect(QRectF(2.5, 9, 11, 5.5), 2.8, 2.8)
    elif shape == "ROLE":
        p.drawRoundedRect(QRectF(1.5, 3, 13, 10), 1.5, 1.5)
        p.drawEllipse(QRectF(3.5, 5.5, 3.5, 3.5))
        p.drawLines([QPointF(9, 6.5), QPointF(12.5, 6.5), QPointF(9, 9.5), QPointF(12.5, 9.5)])
    elif shape == "FOLDER":
        p.drawPolygon(_poly(1.5, 3.5, 6, 3.5, 7.5, 5, 14.5, 5, 14.5, 13.5, 1.5, 13.5))
    elif shape == "ACCOUNT":
        p.drawRoundedRect(QRectF(2.5, 1.5, 11, 13), 1.5, 1.5)
        p.drawLines([QPointF(5, 5), QPointF(11, 5), QPointF(5, 8), QPointF(11, 8),
                     QPointF(5, 11), QPointF(9, 11)])
    elif shape == "PREMISE":
        p.drawPolygon(_poly(8, 1.5, 14.5, 7.5, 12.5, 7.5, 12.5, 14.5, 3.5, 14.5, 3.5, 7.5,
                            1.5, 7.5))
        p.drawRect(QRectF(6.8, 10, 2.4, 4.5))
    elif shape == "SERVICE_POINT":
        p.drawPolygon(_poly(8, 15, 3.2, 8, 4, 4, 8, 1.5, 12, 4, 12.8, 8))
        p.setBrush(QColor("white"))
        p.drawEllipse(QRectF(6.2, 4.2, 3.6, 3.6))
    elif shape == "SERVICE_AGREEMENT":
        p.drawPolygon(_poly(3, 1.5, 10, 1.5, 13, 4.5, 13, 14.5, 3, 14.5))
        p.drawLines([QPointF(5.5, 7), QPointF(10.5, 7), QPointF(5.5, 9.5), QPointF(10.5, 9.5),
                     QPointF(5.5, 12), QPointF(9, 12)])
    elif shape == "METER":
        p.drawEllipse(QRectF(1.5, 1.5, 13, 13))
        p.drawLine(QPointF(8, 8.5), QPointF(11.5, 4.5))
        p.drawEllipse(QRectF(7, 7.5, 2, 2))
    elif shape == "REGISTER":
        p.drawRoundedRect(QRectF(1.5, 4, 13, 8), 1.5, 1.5)
        for x in (3.5, 7, 10.5):
            p.drawRect(QRectF(x, 6, 2, 4))
    elif shape == "MORE":
        for x in (2.5, 7, 11.5):
            p.drawEllipse(QRectF(x, 7, 2.2, 2.2))
    elif shape == "QUOTE":                      # a page with a price tag corner
        p.drawPolygon(_poly(3, 1.5, 13, 1.5, 13, 14.5, 3, 14.5))
        p.drawText(QRectF(3, 2, 10, 12), Qt.AlignmentFlag.AlignCenter, "$")
    elif shape == "QUOTE_DETAIL":
        p.drawRoundedRect(QRectF(3, 5, 10, 6), 1.5, 1.5)
    elif shape == "LOAN":                       # a coin with a falling balance line
        p.drawEllipse(QRectF(1.5, 1.5, 13, 13))
        p.drawPolyline(_poly(4.5, 5, 8, 8, 11.5, 11))
    elif shape == "CASE":                       # a briefcase
        p.drawRoundedRect(QRectF(1.5, 5, 13, 9), 1.5, 1.5)
        p.drawPolyline(_poly(5.5, 5, 5.5, 2.5, 10.5, 2.5, 10.5, 5))
        p.drawLine(QPointF(1.5, 9), QPointF(14.5, 9))
    elif shape == "PROPOSAL":                   # an agreement with a question mark
        p.drawPolygon(_poly(3, 1.5, 10, 1.5, 13, 4.5, 13, 14.5, 3, 14.5))
        p.drawText(QRectF(3, 3, 10, 11), Qt.AlignmentFlag.AlignCenter, "?")
    else:  # SUBSCRIPTION: an envelope
        p.drawRect(QRectF(1.5, 3.5, 13, 9))
        p.drawPolyline(_poly(1.5, 3.5, 8, 9, 14.5, 3.5))


def _glyph(shape: str, colour: QColor, solid: bool) -> QPixmap:
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(2, 2)
    painter.setPen(QPen(colour, 1.3))
    fill = QColor(colour)
    fill.setAlpha(255 if solid else 55)
    painter.setBrush(fill)
    _draw(painter, shape)
    painter.end()
    pixmap.setDevicePixelRatio(2)
    return pixmap


def node_icon(kind: NodeKind) -> QIcon:
    """A small vector icon per node kind (drawn at 2× for high-DPI screens), white on a
    selected row so it stays visible on the highlight."""
    shape = "FOLDER" if kind in FOLDERS else str(kind)
    if shape not in _icons:
        colour_name, solid = _KIND_COLOURS.get(shape, ("#56606d", False))
        icon = QIcon(_glyph(shape, QColor(colour_name), solid))
        icon.addPixmap(_glyph(shape, QColor("white"), solid), QIcon.Mode.Selected)
        _icons[shape] = icon
    return _icons[shape]


def status_colours(status: str) -> tuple[QColor, QColor]:
    """(fill, text) of a status badge: active green, pending amber, ended grey, canceled red."""
    text = status.strip().lower()
    if text.startswith("pending") or text == "future":
        return QColor("#f2b233"), QColor("#3d2a00")
    if text in ("active", "reactivated", "open", "current", "installed"):
        return QColor("#2e8b57"), QColor("#ffffff")
    if text.startswith("cancel"):
        return QColor("#c0392b"), QColor("#ffffff")
    if text in ("closed", "stopped", "inactive", "ended", "merged", "removed"):
        return QColor("#8a8f98"), QColor("#ffffff")
    return QColor("#5b7fa6"), QColor("#ffffff")


# --------------------------------------------------------------------------------- model

class _Item:
    """One row: a node, or a "Loading…" / error placeholder (node None, `text` set)."""

    __slots__ = ("alive", "children", "count", "error", "node", "parent", "request", "row",
                 "state", "text")

    def __init__(self, node: TreeNode | None, parent: _Item | None, text: str = "",
                 error: bool = False) -> None:
        self.node, self.parent, self.text, self.error = node, parent, text, error
        self.children: list[_Item] = []
        self.count = node.child_count if node is not None else 0
        self.state = "idle"  # idle → loading → loaded | failed
        self.request = 0
        self.row = 0
        self.alive = True

    def kill(self) -> None:
        self.alive = False
        for child in self.children:
            child.kill()


class AccountTreeModel(QAbstractItemModel):
    """A lazy model over `TreeNode`s: a node's children are fetched when it is first expanded."""

    #: Children of this index were just inserted.
    branch_loaded = Signal(QModelIndex)
    #: A level could not be read: the sentence to show.
    load_failed = Signal(str)

    def __init__(self, db: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.show_history = False
        self._roots: Callable[..., list[TreeNode]] | None = None
        self._root = _Item(None, None)
        self._retired: list[_Item] = []

    # the tree's contents

    def set_roots(self, fetch: Callable[..., list[TreeNode]] | None) -> None:
        """`fetch(show_history=…)` returns the top nodes; None empties the tree."""
        self._roots = fetch
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        old = self._root
        old.kill()
        self._root = _Item(None, None)
        self.endResetModel()
        # Views hold raw pointers to items in their indexes: removed items stay alive until a
        # reset has invalidated every index, so Python never frees one Qt may still read.
        self._retired = [old]
        if self._roots is not None:
            self._load(self._root)

    def refresh(self, index: QModelIndex) -> None:
        """Fetch the children of `index` again (the root's when invalid)."""
        item = self.item(index)
        if item is self._root:
            self.reload()
        elif item.node is not None:
            self._load(item)

    def item(self, index: QModelIndex | QPersistentModelIndex) -> _Item:
        if index.isValid():
            item = index.internalPointer()
            assert isinstance(item, _Item)
            return item
        return self._root

    def index_of(self, item: _Item) -> QModelIndex:
        return QModelIndex() if item is self._root else self.createIndex(item.row, 0, item)

    def walk(self, index: QModelIndex | None = None) -> Iterator[QModelIndex]:
        """Every loaded node below `index`, depth first."""
        parent = index if index is not None else QModelIndex()
        for row in range(self.rowCount(parent)):
            child = self.index(row, 0, parent)
            if self.item(child).node is not None:
                yield child
                yield from self.walk(child)

    def _load(self, item: _Item) -> None:
        item.state = "loading"
        item.request += 1
        request = item.request
        self._set_children(item, [_Item(None, item, "Loading…")])
        if item is self._root:
            assert self._roots is not None
            call = partial(self._roots, show_history=self.show_history)
        else:
            assert item.node is not None
            call = partial(tree_service.children, self.db, item.node,
                           show_history=self.show_history)
        run_task(call, on_result=partial(self._loaded, item, request),
                 on_error=partial(self._failed, item, request))

    def _loaded(self, item: _Item, request: int, nodes: list[TreeNode]) -> None:
        if not item.alive or request != item.request:
            return  # a newer load, or the branch is gone
        self._set_children(item, [_Item(node, item) for node in nodes])
        item.state = "loaded"
        if item is not self._root and item.count != len(nodes):
            item.count = len(nodes)
            index = self.index_of(item)
            self.dataChanged.emit(index, index.siblingAtColumn(2))
        self.branch_loaded.emit(self.index_of(item))

    def _failed(self, item: _Item, request: int, exc: BaseException) -> None:
        if not item.alive or request != item.request:
            return
        text = exc.message if isinstance(exc, DomainError) else f"Could not be read: {exc}"
        self._set_children(item, [_Item(None, item, text, error=True)])
        item.state = "failed"
        where = item.node.label if item.node is not None else "The account tree"
        self.load_failed.emit(f"{where}: {text}")

    def _set_children(self, item: _Item, children: list[_Item]) -> None:
        parent = self.index_of(item)
        if item.children:
            self.beginRemoveRows(parent, 0, len(item.children) - 1)
            for child in item.children:
                child.kill()
            self._retired.extend(item.children)
            item.children = []
            self.endRemoveRows()
        if children:
            self.beginInsertRows(parent, 0, len(children) - 1)
            for row, child in enumerate(children):
                child.row = row
            item.children = children
            self.endInsertRows()

    # QAbstractItemModel

    def index(self, row: int, column: int,
              parent: QModelIndex | QPersistentModelIndex = ROOT) -> QModelIndex:
        item = self.item(parent)
        if not 0 <= row < len(item.children) or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, item.children[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = ROOT  # type: ignore[override]
               ) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        item = self.item(index)
        if item.parent is None or item.parent is self._root:
            return QModelIndex()
        return self.createIndex(item.parent.row, 0, item.parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:  # noqa: N802
        if parent.isValid() and parent.column() > 0:
            return 0
        return len(self.item(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:  # noqa: N802
        return len(COLUMNS)

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> bool:  # noqa: N802
        if parent.isValid() and parent.column() > 0:
            return False
        item = self.item(parent)
        if item is self._root or item.children:
            return bool(item.children)
        return item.node is not None and item.state == "idle" and item.count > 0

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        item = self.item(parent)
        return item.node is not None and item.state == "idle" and item.count > 0

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._load(self.item(parent))

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.item(index).node is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.item(index)
        column = index.column()
        node = item.node
        if node is None:  # placeholder row
            if column == 0 and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return item.text
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(ERROR_COLOUR if item.error else HISTORIC_COLOUR)
            return None
        if role == NODE_ROLE:
            return node
        if role == Qt.ItemDataRole.DisplayRole:
            return (node.label, node.status, f"({item.count})" if item.count else "")[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return node_icon(node.kind)
        if role == Qt.ItemDataRole.ForegroundRole and node.historic:
            return QColor(HISTORIC_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            status = f" — {node.status}" if node.status else ""
            opens = f"\nEnter opens {node.record[0].lower()} {node.record[1]}" if node.record else ""
            return f"{node.label}{status}{opens}"
        return None


class StatusBadgeDelegate(QStyledItemDelegate):
    """Draws the Status column as a coloured pill (active green, pending amber, …)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        node = index.data(NODE_ROLE)
        if not text or node is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        fill, ink = status_colours(str(text))
        metrics = opt.fontMetrics
        rect = QRect(opt.rect)
        height = min(rect.height() - 4, metrics.height() + 4)
        width = min(rect.width() - 8, metrics.horizontalAdvance(text) + 18)
        pill = QRect(rect.left() + 6, rect.top() + (rect.height() - height) // 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if node.historic:
            painter.setOpacity(0.8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(ink)
        shown = metrics.elidedText(str(text), Qt.TextElideMode.ElideRight, width - 12)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, shown)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        return QSize(option.fontMetrics.horizontalAdvance(text) + 30,
                     max(size.height(), option.fontMetrics.height() + 10))


class TreeView(QTreeView):
    """A QTreeView whose context menu also opens with the Menu key and Shift+F10."""

    menu_requested = Signal(QModelIndex, QPoint)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        shift_f10 = (event.key() == Qt.Key.Key_F10
                     and event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if event.key() == Qt.Key.Key_Menu or shift_f10:
            self._request_menu_at_current()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            index = self.indexAt(event.pos())
            if index.isValid():
                self.setCurrentIndex(index.siblingAtColumn(0))
                self.menu_requested.emit(index.siblingAtColumn(0), event.globalPos())
        else:
            self._request_menu_at_current()
        event.accept()

    def _request_menu_at_current(self) -> None:
        index = self.currentIndex().siblingAtColumn(0)
        if not index.isValid():
            return
        rect = self.visualRect(index)
        where = QPoint(rect.left() + 24, rect.bottom())
        self.menu_requested.emit(index, self.viewport().mapToGlobal(where))
