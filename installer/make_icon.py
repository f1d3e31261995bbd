"""Render the application icon from its SVG: PNGs for the Linux desktop entry, an .ico for Windows.

    python installer/make_icon.py

Reads app/resources/switchboard.svg and writes, beside it, switchboard-256.png,
switchboard-48.png and switchboard.ico (PNG images of 256, 48, 32 and 16 px inside one .ico, as
Windows Vista and later read them). Qt renders the SVG (no Pillow); the results are checked in,
so a build does not need to run this unless the SVG changed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "app" / "resources"
SVG = RESOURCES / "switchboard.svg"
PNG_SIZES = (256, 48)
ICO_SIZES = (256, 48, 32, 16)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent square of `size` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  (fonts, painter)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file whose images are PNGs (ICONDIR, one ICONDIRENTRY per image, the data)."""
    sizes = sorted(pngs, reverse=True)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries = b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(pngs[s] for s in sizes)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    rendered = {size: render_png(SVG, size) for size in sorted({*PNG_SIZES, *ICO_SIZES})}
    for size in PNG_SIZES:
        out = RESOURCES / f"switchboard-{size}.png"
        out.write_bytes(rendered[size])
        print(f"wrote {out} ({len(rendered[size])} bytes)")
    ico = RESOURCES / "switchboard.ico"
    ico.write_bytes(ico_bytes({size: rendered[size] for size in ICO_SIZES}))
    print(f"wrote {ico} ({ico.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
