"""The rate library that ships with Switchboard (``app/resources/rates/``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .library import RateLibrary
from .rate_files import load_library

SHIPPED_RATES = Path(__file__).resolve().parents[2] / "resources" / "rates"


@lru_cache(maxsize=1)
def load_shipped_library() -> RateLibrary:
    """Every rate, bill factor and control table in ``app/resources/rates`` (cached)."""
    return load_library(SHIPPED_RATES)
