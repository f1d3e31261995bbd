"""People-facing IDs typed by a person: checked (length, digits, Damm check digit) before any
query runs, so a mistyped ID is explained instead of finding nothing. The searches themselves
are in `app/services/search.py`."""

from __future__ import annotations

from app.engine.identifiers import ID_LENGTH, is_valid
from app.services.errors import ValidationError


def check_identifier(text: str, field: str = "search") -> str:
    """Return the 10-digit ID typed, or explain what is wrong with it."""
    digits = text.strip().replace(" ", "").replace("-", "")
    if not digits.isdigit():
        raise ValidationError(f"'{text}' is not an ID: IDs are 10 digits.", field)
    if len(digits) != ID_LENGTH:
        raise ValidationError(
            f"'{text}' has {len(digits)} digits; IDs have {ID_LENGTH}. Check the number.", field
        )
    if not is_valid(digits):
        raise ValidationError(
            f"{digits} is not a valid ID: its check digit does not match. Check the number "
            "for a typo or two swapped digits.",
            field,
        )
    return digits
