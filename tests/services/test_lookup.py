"""IDs are checked before any query: a typo is explained, not searched."""

from __future__ import annotations

import pytest

from app.engine.identifiers import check_digit
from app.services.errors import ValidationError
from app.services.lookup import check_identifier


def test_a_valid_id_comes_back_without_spaces_or_dashes() -> None:
    number = "200000001" + check_digit("200000001")
    assert check_identifier(f"{number[:3]} {number[3:6]}-{number[6:]}") == number


@pytest.mark.parametrize(("typed", "message"), [
    ("2000000012", "check digit does not match"),
    ("200000001", "has 9 digits; IDs have 10"),
    ("12345", "'12345' has 5 digits; IDs have 10"),
    ("20000x0012", "is not an ID: IDs are 10 digits"),
])
def test_a_mistyped_id_is_explained(typed: str, message: str) -> None:
    if typed == "2000000012" and check_digit("200000001") == "2":
        typed = "2000000013"
    with pytest.raises(ValidationError, match=message) as raised:
        check_identifier(typed, "account")
    assert raised.value.field == "account"
