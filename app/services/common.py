"""Small helpers every service uses: fetching by people-facing number, checks with clear
messages, version checks against another user's save, and new identifiers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.identifiers import random_identifier
from app.services.errors import ConcurrentChange, NotFound, ValidationError
from app.services.lookup import check_identifier

T = TypeVar("T")

#: How many values an IN list holds at most.
IN_LIST = 900

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def get_by_number(
    session: Session, model: type[T], number: str, label: str, field: str, *, lock: bool = False
) -> T:
    """The row whose `number` is *number*; the ID's check digit is verified first."""
    digits = check_identifier(number, field)
    query = select(model).where(model.number == digits)  # type: ignore[attr-defined]
    if lock:
        query = query.with_for_update()
    found = session.scalar(query)
    if found is None:
        raise NotFound(f"There is no {label} {digits}. Check the number.")
    return found


def check_version(obj: Any, expected_version: int | None, label: str) -> None:
    """Refuse to overwrite a row another user saved since the caller loaded it."""
    if expected_version is not None and obj.version != expected_version:
        when = obj.updated_at.strftime("%Y-%m-%d %H:%M") if obj.updated_at else "just now"
        raise ConcurrentChange(
            f"{label} was changed by {obj.updated_by} at {when} while you were editing it. "
            "Your changes were not saved; reload to see theirs, then make yours again."
        )


def required_text(value: str | None, field: str, what: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"Enter {what}.", field)
    if len(text) > max_length:
        raise ValidationError(
            f"{what[0].upper()}{what[1:]} is too long ({len(text)} characters; at most "
            f"{max_length}).",
            field,
        )
    return text


def optional_text(value: str | None, field: str, what: str, max_length: int) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    return required_text(text, field, what, max_length)


def check_period(
    start: dt.date, end: dt.date | None, field: str = "end_date", what: str = "end date"
) -> None:
    if end is not None and end < start:
        raise ValidationError(
            f"The {what} {end:%Y-%m-%d} is before the start date {start:%Y-%m-%d}. "
            f"Choose a {what} on or after the start.",
            field,
        )


def periods_overlap(
    a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None
) -> bool:
    """Inclusive periods; None means open-ended."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def normalise_email(value: str, field: str = "email") -> str:
    text = value.strip().lower()
    if not _EMAIL.match(text) or len(text) > 254:
        raise ValidationError(f"'{value}' is not an e-mail address (like name@example.com).", field)
    return text


def normalise_phone(value: str, field: str = "phone", default_country: str = "1") -> str:
    """E.164: '+' and 8–15 digits. A 10-digit number gets the default country code."""
    raw = value.strip()
    digits = re.sub(r"[\s().\-]", "", raw)
    if digits.startswith("+"):
        body = digits[1:]
    elif digits.startswith("00"):
        body = digits[2:]
    elif len(digits) == 10:
        body = default_country + digits
    else:
        body = digits
    if not body.isdigit() or not 8 <= len(body) <= 15:
        raise ValidationError(
            f"'{value}' is not a phone number. Type it with its area code, e.g. (555) 555-0123 "
            "or +44 20 7946 0958.",
            field,
        )
    return "+" + body


def code_text(value: str, field: str, what: str, length: int, example: str) -> str:
    """A code typed by an administrator (a work group, a location, a dispatch group…): given,
    upper case, no spaces."""
    code = required_text(value, field, what, length).upper()
    if any(c.isspace() for c in code):
        raise ValidationError(f"{what[0].upper()}{what[1:]} has no spaces (e.g. {example}).",
                              field)
    return code


def new_number(session: Session, model: type) -> str:
    """A random, unused 10-digit identifier for a new row of *model*."""
    for _ in range(20):
        candidate = random_identifier()
        if session.scalar(select(model.id).where(model.number == candidate)) is None:  # type: ignore[attr-defined]
            return candidate
    raise RuntimeError(f"could not find a free {model.__name__} number")


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """Slices of at most `size` items: an IN list stays under the databases' parameter
    limits (SQLite's is 999)."""
    for at in range(0, len(items), size):
        yield items[at:at + size]


def postal_prefix(text: str) -> str:
    """A postal code (or its start) as prefix tables key it: no spaces, upper case."""
    return text.replace(" ", "").upper()


def longest_prefix(session: Session, prefix_column: Any, value_column: Any,
                   postal_code: str) -> Any:
    """The value of the row whose postal prefix is the longest start of `postal_code` (an
    operations area, a removal location), or None."""
    code = postal_prefix(postal_code)
    prefixes = [code[:n] for n in range(len(code), 0, -1)]
    found: dict[str, Any] = dict(session.execute(
        select(prefix_column, value_column).where(prefix_column.in_(prefixes))).all())
    return next((found[p] for p in prefixes if p in found), None)
