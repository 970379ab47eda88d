"""Series across a reorganisation: which rows lie before and after it, and a merged unit's
earlier value derived from its predecessors' (the back-cast). Pure Polars, no I/O.

A derived value is never a published one: it carries ``derived = True`` and
``rank_basis = 'derived'``, has no rank, no N and no percentile, and is never written to the
database; it exists only when the index's config asks for it (``backcast: mean`` for DTI, as
its publisher did for the 34 provinces of 2024) and every predecessor has a score that year on
the same maximum.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

REFORM_YEAR = 2025
DERIVED_BASIS = "derived"
# A unit's score in one year, as a series carries it (a back-cast row too).
YEAR_SCORE_SCHEMA = {
    "year": pl.Int32,
    "score": pl.Float64,
    "max_score": pl.Float64,
    "pct_of_max": pl.Float64,
    "rank": pl.Int32,
    "rank_of": pl.Int32,
    "rank_basis": pl.String,
}


def after_reform(national: bool, new_editions: Sequence[str] = (), reform_year: int = REFORM_YEAR) -> pl.Expr:
    """True for a row of the new territory: from the reform year on or, in a national table, a
    row of an edition of the new units (config ``editions``, ``units: new``: DTI 2024 was
    recomputed by its publisher for the provinces formed on 1 July 2025)."""
    after = pl.col("year") >= reform_year
    if national and new_editions:
        after = after | pl.col("edition").is_in(list(new_editions))
    return after.fill_null(False)


def break_year(own: pl.DataFrame, national: bool, new_editions: Sequence[str] = ()) -> int | None:
    """The first year of the unit's own rows on the new territory, or None."""
    if own.is_empty():
        return None
    after = own.filter(after_reform(national, new_editions))
    return None if after.is_empty() else int(after.get_column("year").min())


def derive(
    unit_id: str,
    predecessors: pl.DataFrame,
    before: pl.DataFrame,
    rule,
    weights: dict[str, float] | None = None,
) -> pl.DataFrame:
    """The back-cast totals of ``unit_id``: one row per year before the reform in which every
    predecessor has an unflagged score on the same maximum.

    ``predecessors``: ``other_id, kind`` (one row per predecessor edge with a stored unit);
    ``before``: the predecessors' totals before the reform (``unit_id, year, score, max_score``,
    optional ``flag``); ``rule``: the index's ``backcast`` (``'none'``, ``'mean'`` or an object
    with ``weighted_by``); ``weights``: predecessor id -> population or area, when known.
    Empty when the rule is ``none``, when a predecessor went only in part (a share of a split
    unit's score is not a score), or when a weight is missing."""
    empty = _empty(unit_id)
    ids = predecessors.get_column("other_id").drop_nulls().unique().to_list()
    if rule == "none" or not ids or (predecessors.get_column("kind") != "whole").any():
        return empty
    weighted = not isinstance(rule, str)
    if weighted and (not weights or any(weights.get(i) is None for i in ids)):
        return empty
    flag = pl.col("flag").fill_null("") if "flag" in before.columns else pl.lit("")
    rows = before.filter(pl.col("unit_id").is_in(ids), pl.col("score").is_not_null(), flag == "")
    if weighted:
        rows = rows.with_columns(_w=pl.col("unit_id").replace_strict(weights, return_dtype=pl.Float64))
    else:
        rows = rows.with_columns(_w=pl.lit(1.0))
    years = (
        rows.group_by("year")
        .agg(
            pl.col("unit_id").n_unique().alias("_n"),
            pl.col("max_score").n_unique().alias("_scales"),
            pl.col("max_score").first(),
            ((pl.col("score") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("score"),
        )
        .filter((pl.col("_n") == len(ids)) & (pl.col("_scales") == 1))
        .sort("year")
    )
    return years.select(
        pl.lit(unit_id).alias("unit_id"),
        pl.col("year").cast(pl.Int32),
        pl.col("score").cast(pl.Float64),
        pl.col("max_score").cast(pl.Float64),
        (pl.col("score") / pl.col("max_score") * 100).alias("pct_of_max"),
        pl.lit(None, pl.Int32).alias("rank"),
        pl.lit(None, pl.Int32).alias("rank_of"),
        pl.lit(DERIVED_BASIS).alias("rank_basis"),
        pl.lit(True).alias("derived"),
    )


def _empty(unit_id: str) -> pl.DataFrame:
    return pl.DataFrame(schema={"unit_id": pl.String, **YEAR_SCORE_SCHEMA, "derived": pl.Boolean})
