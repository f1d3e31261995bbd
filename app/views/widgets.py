"""Small shared widgets: labels, buttons, inline messages (a line in the pane, or one anchored
under a field)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.errors import DomainError


def label(text: str, object_name: str = "", *, wrap: bool = False,
          parent: QWidget | None = None) -> QLabel:
    widget = QLabel(text, parent)
    if object_name:
        widget.setObjectName(object_name)
    widget.setWordWrap(wrap)
    return widget



def push_button(text: str, tip: str, slot: Callable[[], object], name: str = "") -> QPushButton:
    """A push button with a tooltip that calls `slot()`; `name` styles it (e.g. "primary")."""
    button = QPushButton(text)
    button.setToolTip(tip)
    if name:
        button.setObjectName(name)
    button.clicked.connect(lambda _=False: slot())
    return button


def error_label() -> QLabel:
    """An inline error line: hidden until it has something to say; its text can be copied."""
    error = label("", "inlineError", wrap=True)
    error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    error.hide()
    return error


def say(message: QLabel, text: str, ok: bool) -> None:
    """Show `text` in the pane's message line, styled as done (`ok`) or as an error."""
    message.setObjectName("inlineOk" if ok else "inlineError")
    message.style().unpolish(message)
    message.style().polish(message)
    message.setText(text)
    message.setVisible(bool(text))


def say_failure(message: QLabel, exc: BaseException) -> None:
    """Show why a background call failed: a refusal's own sentence, else what went wrong."""
    say(message, exc.message if isinstance(exc, DomainError) else
        f"Something went wrong: {exc}", False)

class FieldMessage(QLabel):
    """A message shown just under a field (e.g. why a search cannot run), not in a modal box.

    It is a child of the field's window, so it paints over the pane below and appears in
    `window.grab()`. It follows the field when the window resizes and hides when the field's
    text changes or the user presses Esc.
    """

    MAX_WIDTH = 460

    def __init__(self, field: QWidget, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("fieldMessage")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._field = field
        self._window = window
        window.installEventFilter(self)
        field.installEventFilter(self)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self._place()
        self.show()
        self.raise_()

    def clear(self) -> None:
        self.hide()
        self.setText("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self.isVisible() and event.type() in (QEvent.Type.Resize, QEvent.Type.Move,
                                                 QEvent.Type.LayoutRequest):
            self._place()
        return False

    def _place(self) -> None:
        anchor = self._field.mapTo(self._window, QPoint(0, self._field.height() + 4))
        width = max(self._field.width(), min(self.MAX_WIDTH, self._window.width() - 16))
        x = min(anchor.x(), self._window.width() - width - 8)
        self.setFixedWidth(width)
        self.adjustSize()
        self.move(max(8, x), anchor.y())


def arrow_icon(direction: str, colour: QColor, size: int = 20) -> QIcon:
    """A simple chevron in the palette's text colour, so it reads in light and dark themes."""
    icon = QIcon()
    for mode, alpha in ((QIcon.Mode.Normal, 255), (QIcon.Mode.Disabled, 90)):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen_colour = QColor(colour)
        pen_colour.setAlpha(alpha)
        pen = QPen(pen_colour, 2.2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        s = size
        if direction == "back":
            points = [QPointF(s * 0.62, s * 0.2), QPointF(s * 0.32, s * 0.5),
                      QPointF(s * 0.62, s * 0.8)]
        else:
            points = [QPointF(s * 0.38, s * 0.2), QPointF(s * 0.68, s * 0.5),
                      QPointF(s * 0.38, s * 0.8)]
        painter.drawPolyline(points)
        painter.end()
        icon.addPixmap(pixmap, mode)
    return icon


class EmptyCard(QFrame):
    """What a pane shows when it has nothing to show yet: a heading and what to do about it."""

    def __init__(self, heading: str, text: str = "") -> None:
        super().__init__()
        self.setObjectName("emptyCard")
        self.setMaximumWidth(760)
        card = QVBoxLayout(self)
        card.setContentsMargins(28, 22, 28, 24)
        self.heading = label(heading, "emptyHeading")
        self.text = label(text, "emptyText", wrap=True)
        card.addWidget(self.heading)
        card.addWidget(self.text)


def pane_message() -> QLabel:
    """A pane's line for what the last action did (or why it could not), hidden until `say`."""
    message = label("", "inlineOk", wrap=True)
    message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    message.hide()
    return message


def pane_shortcuts(pane: QWidget, keys_and_slots: Iterable[tuple[str, Callable[[], object]]]
                   ) -> None:
    """A pane's own keys (Ctrl+N, F5…): active while the focus is anywhere in the pane, so the
    same key can mean "new" in each pane without clashing."""
    for keys, slot in keys_and_slots:
        shortcut = QShortcut(QKeySequence(keys), pane)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)


def age_text(days: int) -> str:
    """How old something is, for a grid's Age column: "today", "1 day", "12 days"."""
    return "today" if days == 0 else "1 day" if days == 1 else f"{days} days"
