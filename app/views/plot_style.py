"""The charts' look: a pyqtgraph plot drawn in the window's light or dark palette."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette

BAR_COLOUR = "#4a86d4"
DARK_BAR_COLOUR = "#5b93de"


def style_plot(plot: pg.PlotWidget, palette: QPalette,
               axes: Sequence[str] = ("left", "bottom")) -> tuple[QColor, QColor]:
    """Paint `plot`'s background and `axes` in `palette`; return its (base, text) colours."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.WindowText)
    plot.setBackground(base)
    axis_pen = pg.mkPen(QColor(text.red(), text.green(), text.blue(), 150))
    for name in axes:
        axis = plot.getPlotItem().getAxis(name)
        axis.setPen(axis_pen)
        axis.setTextPen(pg.mkPen(text))
    return base, text


def is_dark(base: QColor) -> bool:
    return base.lightness() < 128


def bar_colour(base: QColor) -> QColor:
    """The bars' colour on a background of `base`."""
    return QColor(DARK_BAR_COLOUR if is_dark(base) else BAR_COLOUR)
