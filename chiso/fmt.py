"""Numbers written the Vietnamese way: ``91,24`` and ``14.859``, rounded half up.

Rounding is done on the decimal value that is printed (90,925 -> 90,93), not on the
binary float, which would round 90.925 down.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

EMPTY = "–"


def round_half_up(value: float, decimals: int = 2) -> float:
    """Round like a person does; floats are first cut to 9 decimals to drop binary noise."""
    exact = Decimal(repr(round(float(value), 9)))
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def number(value: float | int | None, decimals: int = 2, *, lang: str = "vi") -> str:
    """'91,24' in Vietnamese, '91.24' in English; thousands grouped; empty shows a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    exact = Decimal(repr(round(float(value), 9))).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    if exact == 0:  # "-0" and -0.001 rounded are zero, never "-0,00"
        exact = exact.copy_abs()
    text = f"{exact:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def places(value: float | None, declared: int | None, fallback: int) -> int:
    """The decimals to print ``value`` with: the index's ``declared`` decimals where the value is
    exact at them ('943/1.000' on a whole-point scale), else ``fallback`` (a 1000-point index's
    component of 285,5 is never rounded to 286)."""
    if declared is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return fallback
    return declared if abs(round_half_up(value, declared) - float(value)) < 1e-9 else fallback


MAX_PRINTED_PLACES = 4


def printed_places(values, declared: int) -> int:
    """The decimals that print every one of ``values`` (stored published scores) to its last
    digit: the index's ``declared`` decimals, more where a source printed more (PAPI 2020's
    48,881 had read 48,88), at most 4. A stored number cannot tell 73,4 from 73,40, so the
    declared decimals stay the least. Plain Python: a table's few hundred scores take ≈ 0,1 ms."""
    values = values.to_list() if hasattr(values, "to_list") else values
    places = declared
    for value in values:
        if value is None or value != value:  # null, NaN
            continue
        while places < MAX_PRINTED_PLACES and abs(round(float(value), places) - float(value)) >= 1e-9:
            places += 1
        if places >= MAX_PRINTED_PLACES:
            break
    return places


def signed(value: float | int | None, decimals: int = 2, *, lang: str = "vi") -> str:
    """A change with its sign: '+1,27', '−0,50', '0,00'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    text = number(abs(value), decimals, lang=lang)
    rounded = round_half_up(value, decimals)
    return ("+" if rounded > 0 else "−" if rounded < 0 else "") + text


def percent(value: float | None, decimals: int = 2, *, lang: str = "vi") -> str:
    return EMPTY if value is None else f"{number(value, decimals, lang=lang)} %"


def rank(rank: int | None, rank_of: int | None) -> str:
    """'3/13'; an unknown N shows as '3/?'."""
    if rank is None:
        return EMPTY
    return f"{rank}/{rank_of if rank_of else '?'}"


def rank_change(d_rank: int | None) -> str:
    """'▲ 2' up, '▼ 1' down, '= 0' unchanged: an arrow and a number, never colour alone."""
    if d_rank is None or (isinstance(d_rank, float) and math.isnan(d_rank)):
        return EMPTY
    d_rank = int(d_rank)
    return f"▲ {d_rank}" if d_rank > 0 else f"▼ {-d_rank}" if d_rank < 0 else "= 0"
