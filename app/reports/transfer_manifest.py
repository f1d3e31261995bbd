"""The transfer manifest (spec/50 §4.2 INV-R6, issue 10): what moved from one stock location
to another, for the people who hand it over and take it in to sign.

    render_transfer_manifest(manifest_view(db, result), Path("manifest.pdf"))

It prints the `ManifestView` the service builds from the `TransferResult`: the utility's
letterhead, from and to (with their addresses), when and who, the counts by type, every asset
moved (badge, kind, type, serial number, manufacturer and model) over as many pages as it
needs with the header repeated, and the signature lines; each page says "Page x of y".
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table

from app.reports.formatting import DASH
from app.reports.quote_pdf_parts import (
    ACCENT,
    Letterhead,
    Styles,
    facts_table,
    grid_style,
    numbered_canvas,
    para,
    plain_style,
    plural,
)
from app.services.transfer_checks import ManifestPlace, ManifestView

MARGIN = 16 * mm
COLUMNS = ("#", "Badge", "Kind", "Type", "Serial number", "Manufacturer", "Model")
SIGNATURES = ("Released by", "Received by")


def place_lines(place: ManifestPlace) -> list[str]:
    """"WH-A-S1 — Main warehouse shelf 1", its kind, and its address lines."""
    head = f"{place.code} — {place.description}" if place.description else place.code
    return [head, *([place.kind] if place.kind else []), *place.address]


def _loose(style: ParagraphStyle) -> ParagraphStyle:
    """The heading style without keep-with-next."""
    loose = copy(style)
    loose.keepWithNext = 0
    return loose


def _clip(text: str | None, most: int) -> str:
    if not text:
        return DASH
    return text if len(text) <= most else text[:most - 1] + "…"


def manifest_title(view: ManifestView) -> str:
    return f"Transfer {view.source.code} to {view.target.code} · {view.at:%Y-%m-%d %H:%M}"


def _places(view: ManifestView, s: Styles, width: float) -> Table:
    cells = [[para("From", s.muted), para("To", s.muted)],
             [[para(x, s.bold if n == 0 else s.body) for n, x in
               enumerate(place_lines(view.source))],
              [para(x, s.bold if n == 0 else s.body) for n, x in
               enumerate(place_lines(view.target))]]]
    table = Table(cells, colWidths=[width / 2, width / 2])
    table.setStyle(plain_style(("LINEBELOW", (0, 1), (-1, 1), 0.8, ACCENT),
                               ("BOTTOMPADDING", (0, 1), (-1, 1), 5)))
    return table


def _counts(view: ManifestView, s: Styles, width: float) -> Table:
    rows: list[list[Any]] = [[para(c, s.bold) for c in ("Kind", "Type", "Description")]
                             + [para("Count", s.right_bold)]]
    rows += [[c.kind.label, c.type_code, c.type_description, para(f"{c.count:,}", s.right)]
             for c in view.counts]
    rows.append(["", "", para("Total", s.bold), para(f"{len(view.lines):,}", s.right_bold)])
    widths = [22 * mm, 30 * mm, 74 * mm, 22 * mm]
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(grid_style(("FONT", (0, 1), (-1, -1), "Helvetica", s.size),
                              ("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)))
    return table


def _assets(view: ManifestView, s: Styles, width: float) -> Table:
    """Plain-string cells (one line each): fast for thousands of rows, split over pages."""
    rows: list[list[Any]] = [list(COLUMNS)]
    rows += [[str(n), x.badge_number, x.kind.label, _clip(x.type_code, 16),
              _clip(x.serial_number, 22), _clip(x.manufacturer, 18), _clip(x.model, 18)]
             for n, x in enumerate(view.lines, 1)]
    fixed = [12 * mm, 30 * mm, 14 * mm, 26 * mm, 36 * mm]
    rest = (width - sum(fixed)) / 2
    table = Table(rows, colWidths=fixed + [rest, rest], repeatRows=1)
    table.setStyle(grid_style(("FONT", (0, 0), (-1, 0), "Helvetica-Bold", s.size),
                              ("FONT", (0, 1), (-1, -1), "Helvetica", s.size),
                              ("FONT", (1, 1), (1, -1), "Courier", s.size),
                              ("TEXTCOLOR", (0, 1), (0, -1), "#6b7078"),
                              ("ALIGN", (0, 0), (0, -1), "RIGHT")))
    return table


def _signatures(s: Styles, width: float) -> KeepTogether:
    line = "_" * 34
    cells = [[para(who, s.bold) for who in SIGNATURES],
             *[[para(f"{what}  {line}", s.body) for _ in SIGNATURES]
               for what in ("Name     ", "Signature", "Date       ")]]
    table = Table(cells, colWidths=[width / 2, width / 2])
    table.setStyle(plain_style(("TOPPADDING", (0, 1), (-1, -1), 9)))
    return KeepTogether([para("Signatures", s.heading), para(
        "The assets listed above were handed over and received complete and in the condition "
        "shown.", s.small), Spacer(1, 2 * mm), table])


def render_transfer_manifest(view: ManifestView, path: Path | str, *,
                             letterhead: Letterhead | None = None) -> Path:
    """Write the manifest as a PDF; returns the path."""
    head = letterhead or Letterhead()
    s = Styles(8.5)
    out = Path(path)
    doc = SimpleDocTemplate(str(out), pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                            title=manifest_title(view), author=head.utility_name)
    width = LETTER[0] - 2 * MARGIN
    moved = len(view.lines)
    story: list[Any] = [
        para(head.utility_name, s.utility),
        para(" · ".join([*head.address_lines, *(x for x in (head.phone, head.web) if x)]),
             s.small),
        Spacer(1, 4 * mm),
        para("Stock transfer manifest", s.option),
        Spacer(1, 2 * mm),
        _places(view, s, width),
        Spacer(1, 2 * mm),
        facts_table([("Location date/time", f"{view.at:%Y-%m-%d %H:%M}"),
                     ("Transferred by", view.by_name if view.by_name == view.by
                      else f"{view.by_name} ({view.by})"),
                     ("Assets", plural(moved, "asset")),
                     ("Printed", f"{view.printed_at:%Y-%m-%d %H:%M}")],
                    s, [32 * mm, width / 2 - 32 * mm] * 2),
        para("Counts by type", s.heading),
        _counts(view, s, width),
        # Not kept with the table (a heading kept with a long table would push it all to the
        # next page): the table's own header row repeats on every page.
        para("Assets moved", _loose(s.heading)),
        _assets(view, s, width),
        Spacer(1, 4 * mm),
        _signatures(s, width),
    ]
    footer = (f"{head.utility_name} · transfer {view.source.code} to {view.target.code} "
              f"{view.at:%Y-%m-%d %H:%M} · {plural(moved, 'asset')}")
    doc.build(story, canvasmaker=numbered_canvas(footer, MARGIN))
    return out


__all__ = ["COLUMNS", "SIGNATURES", "manifest_title", "place_lines",
           "render_transfer_manifest"]
