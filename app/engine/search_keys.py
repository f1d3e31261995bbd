"""Search keys: the folded forms of names, addresses and phone numbers that searches compare.

A key is stored beside the text it comes from (e.g. `party.search_name`) and indexed, so a
case- and accent-insensitive prefix search is an index range scan on either database:

    >>> fold("  Muñoz,  JOSÉ ")
    'munoz, jose'
    >>> address_keys("12B Rue de l'Église")
    ("12b rue de l'eglise", "rue de l'eglise")
    >>> phone_suffix("+15105550199")
    '5550199'
"""

from __future__ import annotations

import re
import unicodedata

#: Digits a phone search needs at least, and the length of the stored suffix key.
PHONE_SUFFIX_DIGITS = 7

_SPACES = re.compile(r"\s+")
_COMMA = re.compile(r"\s*,\s*")
#: Letters that do not decompose into a base letter plus an accent.
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d",
                          "þ": "th", "ı": "i", "\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def fold(text: str) -> str:
    """Lower case, accents removed, runs of spaces collapsed, ", " after every comma."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.translate(_SPECIAL)
    return _COMMA.sub(", ", _SPACES.sub(" ", bare).strip())


def name_key(display_name: str) -> str:
    """The key of a party's display name ("Last, First" or the legal name)."""
    return fold(display_name)


def address_keys(address_line: str) -> tuple[str, str]:
    """(whole line, street without its house number): "12 Main St" is found by "12 ma" and by
    "main"."""
    whole = fold(address_line)
    first, _, rest = whole.partition(" ")
    street = rest if rest and any(ch.isdigit() for ch in first) else whole
    return whole, street


def phone_suffix(phone: str) -> str | None:
    """The last seven digits of a phone number: what a caller reads out and a search matches."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-PHONE_SUFFIX_DIGITS:] if len(digits) >= PHONE_SUFFIX_DIGITS else None


def name_variants(query: str) -> tuple[str, ...]:
    """Folded prefixes a typed name may mean: as typed, and "first last" read as "last, first".

    >>> name_variants("Mary Ann Smith")
    ('mary ann smith', 'smith, mary ann')
    >>> name_variants("smith, mary")
    ('smith, mary',)
    """
    folded = fold(query)
    variants = [folded]
    if "," not in folded and " " in folded:
        rest, _, last = folded.rpartition(" ")
        variants.append(f"{last}, {rest}")
    return tuple(dict.fromkeys(variants))
