"""Reading what a loan officer typed: amounts, rates, numbers of payments and dates. Parsing
only (the service checks the values); a bad entry raises `ValidationError` naming its field,
with a sentence that says what to type."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.services.errors import ValidationError
from app.services.financials import money

__all__ = ["parse_amount", "parse_periods", "parse_rate"]


def parse_amount(text: str, field: str, what: str, *, blank: bool = False) -> Decimal | None:
    """"1,250.5" → 1250.50; blank → None when ``blank`` is allowed."""
    value = text.strip().replace(",", "").lstrip("$")
    if not value:
        if blank:
            return None
        raise ValidationError(f"Enter the {what}, e.g. 10000.00.", field)
    try:
        amount = money(value, field)
    except ValidationError as exc:
        raise ValidationError(f"{exc.message} Type the {what} in cents, e.g. 10000.00.",
                              field) from None
    if amount <= 0:
        raise ValidationError(f"The {what} must be above zero.", field)
    return amount


def parse_rate(text: str, field: str = "rate") -> Decimal:
    """"6.5" or "6.5 %" → 6.5 (an annual percentage between 0 and 100)."""
    value = text.strip().rstrip("%").strip()
    try:
        rate = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"'{text.strip()}' is not a rate. Type the annual interest rate "
                              "in percent, e.g. 6.5.", field) from None
    if not rate.is_finite() or not 0 <= rate <= 100:
        raise ValidationError("The interest rate must be between 0 and 100 %.", field)
    return rate


def parse_periods(text: str, field: str = "periods", *, blank: bool = False) -> int | None:
    value = text.strip()
    if not value:
        if blank:
            return None
        raise ValidationError("Enter the number of payments, e.g. 36.", field)
    if not value.isdigit() or int(value) < 1:
        raise ValidationError(f"'{value}' is not a number of payments. Type a whole number "
                              "of at least 1, e.g. 36.", field)
    return int(value)
