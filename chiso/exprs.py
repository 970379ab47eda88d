"""Native Polars expressions for the rounding and labelling that views need.

No Python callbacks (``map_elements``): a callback needs the GIL inside Polars' worker threads,
and with several sessions at once one session's Polars call holding the GIL while it waits for
those workers hangs the whole server (seen under the load test). Labels are looked up through a
mapping built from the few distinct values instead.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def collect(plan: pl.LazyFrame) -> pl.DataFrame:
    """A plan over a page's rows (tens to a few thousand), collected once, in memory and without
    the optimiser: ``collect``'s defaults (Polars 2's streaming engine, the planner) cost more there
    than the work, and the streaming engine's code paged in costs the process tens of MB."""
    return plan.collect(engine="in-memory", optimizations=pl.QueryOptFlags.none())


def collect_all(*plans: pl.LazyFrame) -> list[pl.DataFrame]:
    """:func:`collect` of several plans at once."""
    return pl.collect_all(plans, engine="in-memory", optimizations=pl.QueryOptFlags.none())


def round_half_up(expr: pl.Expr | str, decimals: int = 2) -> pl.Expr:
    """As :func:`chiso.fmt.round_half_up`: binary noise cut at 9 decimals, then halves away from
    zero (1.005 -> 1.01, 90.925 -> 90.93), so files hold the number the screen prints."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    scale = 10.0**decimals
    whole = (expr.cast(pl.Float64).round(9) * scale).round(6).round(0, mode="half_away_from_zero")
    return (whole / scale).round(decimals)  # the last round drops the division's binary noise


def mapped(frame: pl.DataFrame, column: str, label: Callable[[object], str]) -> pl.Expr:
    """``column`` turned into text by ``label``, computed once per distinct value."""
    values = frame.get_column(column).drop_nulls().unique().to_list()
    return pl.col(column).replace_strict({v: label(v) for v in values}, default=None, return_dtype=pl.String)


def rank_text(rank: str = "rank", rank_of: str = "rank_of") -> pl.Expr:
    """As :func:`chiso.fmt.rank`: '3/13', '3/?' for an unknown N, '–' for no rank."""
    of = pl.col(rank_of).cast(pl.String).fill_null("?")
    return (
        pl.when(pl.col(rank).is_null())
        .then(pl.lit("–"))
        .otherwise(pl.format("{}/{}", pl.col(rank).cast(pl.Int64), of))
    )
