"""People-facing identifiers: 10 digits, the last one a Damm check digit.

The Damm algorithm catches every single-digit error and every swap of two adjacent
digits, which is what a CSR typing an account number from a letter gets wrong.
"""

from __future__ import annotations

import random

ID_LENGTH = 10

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_BODY_SPACE = 10 ** (ID_LENGTH - 1)
_FIRST_BODY = _BODY_SPACE // 10  # bodies never start with 0, so IDs read as 10-digit numbers
_BODY_COUNT = _BODY_SPACE - _FIRST_BODY
# A multiplier coprime with 2, 3 and 5 is a bijection on 0 .. _BODY_COUNT-1: sequence numbers map
# to distinct, unordered-looking bodies without a lookup.
_SCRAMBLE = 282_475_249  # 7**10
_OFFSET = 104_729


def check_digit(body: str) -> str:
    """The Damm check digit of a string of digits."""
    interim = 0
    for ch in body:
        interim = _DAMM[interim][ord(ch) - 48]
    return str(interim)


def is_valid(identifier: str) -> bool:
    """True when *identifier* is 10 digits whose last digit checks the first nine."""
    if len(identifier) != ID_LENGTH or not identifier.isdigit():
        return False
    interim = 0
    for ch in identifier:
        interim = _DAMM[interim][ord(ch) - 48]
    return interim == 0


def from_body(body: int) -> str:
    """The identifier for a 9-digit body (0 <= body < 10**9)."""
    text = f"{body:09d}"
    return text + check_digit(text)


def from_sequence(sequence: int) -> str:
    """A deterministic identifier for the n-th object: distinct for distinct n < 9 * 10**8."""
    return from_body(_FIRST_BODY + (sequence * _SCRAMBLE + _OFFSET) % _BODY_COUNT)


def to_sequence(identifier: str) -> int:
    """The n of ``from_sequence(n)`` (the identifier must be valid)."""
    body = int(identifier[:-1]) - _FIRST_BODY
    return (body - _OFFSET) * _UNSCRAMBLE % _BODY_COUNT


_UNSCRAMBLE = pow(_SCRAMBLE, -1, _BODY_COUNT)


def random_identifier(rng: random.Random | None = None) -> str:
    """A random identifier (first digit never 0, so it reads as a 10-digit number)."""
    generator = rng or random.SystemRandom()
    return from_body(generator.randrange(_FIRST_BODY, _BODY_SPACE))
