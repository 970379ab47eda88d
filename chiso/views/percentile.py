"""A position that survives a change of N: the percentile beside every ``n/N``.

The percentile of rank n out of N is (N − n) / (N − 1) · 100: the share of the other units of the
table that rank below it or level with it (100 = first, 0 = last; a table of one unit gives 100).
It exists exactly where ``n/N`` may be shown: never without a known N, and never for a rank among
the loaded units of an incomplete table (basis ``partial``, :mod:`chiso.metrics.ranks`). The same
formula is stored with the rank at build time (``ranked.percentile``).
"""

from __future__ import annotations

import polars as pl

from chiso import exprs, fmt
from chiso.i18n import t


def value(row: dict) -> float | None:
    """The percentile of the row's rank, or None where no rank out of a known N is shown."""
    rank, n = row.get("rank"), row.get("rank_of")
    if rank is None or not n or (row.get("rank_basis") or "") == "partial":
        return None
    return 100.0 if n == 1 else (n - rank) / (n - 1) * 100


def expr(rank: str = "rank", rank_of: str = "rank_of", basis: str = "rank_basis") -> pl.Expr:
    """:func:`value` as a Polars expression (unrounded)."""
    n = pl.col(rank_of).cast(pl.Float64)
    shown = pl.col(rank).is_not_null() & (n > 0) & (pl.col(basis).fill_null("") != "partial")
    return (
        pl.when(~shown)
        .then(None)
        .when(n == 1)
        .then(100.0)
        .otherwise((n - pl.col(rank)) / (n - 1) * 100)
        .cast(pl.Float64)
    )


def whole(rank: str = "rank", rank_of: str = "rank_of", basis: str = "rank_basis") -> pl.Expr:
    """The machine column: rounded half up to a whole number."""
    return exprs.round_half_up(expr(rank, rank_of, basis).alias("_p"), 0).cast(pl.Int64)


def text(row: dict, lang: str) -> str:
    """'phân vị 83' / 'percentile 83'; '' where there is none."""
    pct = value(row)
    return "" if pct is None else t("rank.percentile", lang, pct=fmt.number(pct, 0, lang=lang))


def cell(row: dict, lang: str) -> str:
    """The table cell beside ``n/N``: '83', or '–'."""
    pct = value(row)
    return fmt.EMPTY if pct is None else fmt.number(pct, 0, lang=lang)


def rank_text(row: dict, lang: str) -> str:
    """'3/13 · phân vị 83'; just '3/?' or '–' where no percentile may be given."""
    base = fmt.rank(row.get("rank"), row.get("rank_of"))
    extra = text(row, lang)
    return f"{base} · {extra}" if extra else base


def sentence_basis(row: dict, basis: str, lang: str) -> str:
    """The parenthesis after 'xếp thứ 3/13' in a finding: ' (phân vị 83)', or the percentile
    joined to the basis note: ' (phân vị 100; theo thứ tự liệt kê trong nguồn)'."""
    extra = text(row, lang)
    if not extra:
        return basis
    if basis.startswith(" (") and basis.endswith(")"):
        return f" ({extra}; {basis[2:]}"
    return f" ({extra}){basis}"


def n_changes(rows: pl.DataFrame) -> bool:
    """True when the ranks in ``rows`` are out of more than one N (63 provinces, then 34): a rank
    line across them would compare places in different tables, so the chart uses the percentile."""
    if rows.is_empty() or "rank_of" not in rows.columns:
        return False
    return rows.filter(pl.col("rank").is_not_null()).get_column("rank_of").drop_nulls().n_unique() > 1


def with_percentile(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with the ``percentile`` column computed from rank, N and basis (:func:`expr`)."""
    return rows.with_columns(expr().alias("percentile"))


def peer_set_note(a: dict, b: dict, lang: str) -> str:
    """' The peer set changed (13 → 51 units): …' when two ranks are out of different N — the
    rank change is then no difference to split; the percentiles are the comparable positions."""
    if a.get("rank") is None or b.get("rank") is None or not a.get("rank_of") or not b.get("rank_of"):
        return ""
    if a["rank_of"] == b["rank_of"]:
        return ""
    pa, pb = value(a), value(b)
    pcts = (
        ""
        if pa is None or pb is None
        else t("rank.peer_set_pcts", lang, a=fmt.number(pa, 0, lang=lang), b=fmt.number(pb, 0, lang=lang))
    )
    return " " + t("rank.peer_set_changed", lang, n_a=a["rank_of"], n_b=b["rank_of"]) + pcts
