from hypothesis import given
from hypothesis import strategies as st

from app.engine.identifiers import from_sequence, is_valid, random_identifier, to_sequence

digits9 = st.text(alphabet="0123456789", min_size=9, max_size=9)


def test_known_identifier_checks() -> None:
    # Damm check digit of 572 is 4 (the algorithm's published example).
    from app.engine.identifiers import check_digit

    assert check_digit("572") == "4"
    assert is_valid(from_sequence(0))
    assert not is_valid("123456789")  # nine digits
    assert not is_valid("12345678a0")


@given(digits9, st.integers(0, 9), st.integers(0, 9))
def test_every_single_digit_typo_is_caught(body: str, position: int, replacement: int) -> None:
    from app.engine.identifiers import from_body

    good = from_body(int(body))
    typo = good[:position] + str(replacement) + good[position + 1 :]
    assert is_valid(good)
    assert is_valid(typo) == (typo == good)


@given(digits9, st.integers(0, 8))
def test_every_adjacent_swap_is_caught(body: str, position: int) -> None:
    from app.engine.identifiers import from_body

    good = from_body(int(body))
    swapped = good[:position] + good[position + 1] + good[position] + good[position + 2 :]
    assert is_valid(swapped) == (swapped == good)


def test_sequence_identifiers_are_distinct_and_ten_digits() -> None:
    ids = {from_sequence(n) for n in range(100_000)}
    assert len(ids) == 100_000
    assert all(len(i) == 10 and i[0] != "0" and is_valid(i) for i in ids)
    assert is_valid(random_identifier())


@given(st.integers(min_value=0, max_value=9 * 10**8 - 1))
def test_to_sequence_undoes_from_sequence(n: int) -> None:
    assert to_sequence(from_sequence(n)) == n
