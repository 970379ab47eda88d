"""A position that survives a change of N: the percentile beside every ``n/N``.

The percentile of rank n out of N is (N − n) / (N − 1) · 100: the share of the other units of the
table that rank below it or level with it (100 = first, 0 = last; one unit alone is 100). It is
stored with the rank (:func:`chiso.metrics.ranks.add_shares`) and exists exactly where ``n/N``
may be shown: never for a unit's order among the loaded units of an incomplete table.
"""

from __future__ import annotations

import math

from chiso import fmt
from chiso.i18n import t


def value(row: dict) -> float | None:
    """The stored percentile, or None where no rank out of a known N is shown."""
    pct = row.get("percentile")
    if row.get("rank") is None or not row.get("rank_of") or pct is None:
        return None
    if isinstance(pct, float) and math.isnan(pct):
        return None
    return float(pct)


def text(row: dict, lang: str) -> str:
    """'phân vị 83' / 'percentile 83'; '' where there is none."""
    pct = value(row)
    return "" if pct is None else t("rank.percentile", lang, pct=fmt.number(pct, 0, lang=lang))


def rank_text(row: dict, lang: str) -> str:
    """'3/13 · phân vị 83'; just '3/?' or '–' where no percentile may be given."""
    base = fmt.rank(row.get("rank"), row.get("rank_of"))
    extra = text(row, lang)
    return f"{base} · {extra}" if extra else base


def rounded(row: dict) -> int | None:
    """The machine column: the percentile rounded half up to a whole number, or None."""
    pct = value(row)
    return None if pct is None else int(fmt.round_half_up(pct, 0))
