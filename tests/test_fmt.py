"""Numbers on screen are written the Vietnamese way and rounded half up on the decimal value."""

import pytest

from chiso import fmt


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (91.24, 2, "vi", "91,24"),
        (90.925, 2, "vi", "90,93"),
        (72.74 / 80 * 100, 2, "vi", "90,93"),
        (14859, 0, "vi", "14.859"),
        (1234567.891, 2, "vi", "1.234.567,89"),
        (1234567.891, 2, "en", "1,234,567.89"),
        (0.4874, 4, "vi", "0,4874"),
        (None, 2, "vi", "–"),
        (float("nan"), 2, "vi", "–"),
    ],
)
def test_number(value, decimals, lang, expected):
    assert fmt.number(value, decimals, lang=lang) == expected


def test_signed_rank_and_change():
    assert fmt.signed(1.27) == "+1,27"
    assert fmt.signed(-0.5) == "−0,50"
    assert fmt.signed(0.001) == "0,00"
    assert fmt.rank(3, 13) == "3/13"
    assert fmt.rank(1, None) == "1/?"
    assert fmt.rank_change(2) == "▲ 2" and fmt.rank_change(-1) == "▼ 1" and fmt.rank_change(0) == "= 0"
    assert fmt.round_half_up(90.925) == 90.93
