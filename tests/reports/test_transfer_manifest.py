"""The transfer manifest PDF: read back with pypdf, it names both places with their addresses,
every badge moved, the counts by type, the signature lines and "Page x of y"."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pypdf import PdfReader

from app.db import Database
from app.reports.transfer_manifest import render_transfer_manifest
from app.services.asset_locations import TransferRequest, transfer
from app.services.transfer_checks import manifest_view
from tests.conftest import WAREHOUSE
from tests.services.stock_builders import receive, stock_setup

MOVED = dt.datetime(2024, 5, 2, 8, 0)
PRINTED = dt.datetime(2024, 5, 2, 8, 30)


def _text(path: Path) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(str(path)).pages]
    return pages, "\n".join(pages)


def test_manifest_lists_places_assets_counts_and_signatures(db: Database, tmp_path: Path) -> None:
    stock_setup(db)
    badges = receive(db, "WH-A-S1", meters=4, items=2)
    result = transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "WH-RET", tuple(badges), MOVED))
    out = render_transfer_manifest(manifest_view(db, result, by_name="Wes Hale",
                                                 printed_at=PRINTED), tmp_path / "m.pdf")
    pages, text = _text(out)
    assert len(pages) == 1
    for expected in ("Switchboard Demo Utility", "Stock transfer manifest",
                     "WH-A-S1 — Main warehouse shelf 1", "WH-RET — Returns bay",
                     "400 Depot Rd", "Springfield 62702", "12 Dock St", "Springfield 62703",
                     "2024-05-02 08:00", "Wes Hale (wh1)", "6 assets",
                     "Released by", "Received by", "Signature", "Page 1 of 1"):
        assert expected in text, expected
    for badge in badges:
        assert badge in text
    assert "SN-0000004" in text and "Itron" in text and "C2SOD" in text
    assert re.search(r"E1\s+Electric meter 1-phase\s+4", text)
    assert re.search(r"SEAL\s+Meter seal\s+2", text)
    assert re.search(r"Total\s+6", text)


def test_a_thousand_assets_run_over_numbered_pages(db: Database, tmp_path: Path) -> None:
    stock_setup(db)
    badges = receive(db, "WH-A-S1", meters=900, items=150)
    result = transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7", tuple(badges), MOVED))
    out = render_transfer_manifest(manifest_view(db, result, printed_at=PRINTED),
                                   tmp_path / "big.pdf")
    pages, text = _text(out)
    assert len(pages) >= 15
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page
    listing = [page for page in pages if re.search(r"\b[MS]\d{5}\b", page)]
    assert len(listing) >= 15
    for page in listing:
        assert "Badge" in page and "Serial number" in page   # the header on every page
    assert all(badge in text for badge in badges)
    assert re.search(r"Total\s+1,050", text)
    assert "Released by" in pages[-1] and "Received by" in pages[-1]
    assert "1050 assets" in text
