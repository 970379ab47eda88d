"""Rankings, rank changes and peer statistics: pure Polars, no I/O, no Streamlit.

A *table* is one (scope province, peer group, index, component, year): the units that a
published decision ranks against each other. Provinces and ministries are ranked across
the country (scope province ''), every other peer group within its province.

Rank 1 is best; ties share the better rank (1, 2, 2, 4). A published table is
*complete* when it holds as many scored rows as its published rank-of; only then is a
computed rank shown as the rank. Otherwise the published rank is shown where there is
one, and a computed rank is labelled "among the units in the data" (basis ``partial``).
"""

from __future__ import annotations

import polars as pl

TABLE = ["scope_province", "peer_group", "index_code", "component", "year"]
SERIES = ["unit_id", "peer_group", "index_code", "component"]


def _table(*extra: str) -> list[str]:
    return [*TABLE, *extra]


def rank_table(scores: pl.LazyFrame) -> pl.LazyFrame:
    """Add computed rank, rank-of, completeness, the rank to show and its basis.

    Expects ``score`` (may be null), ``max_score``, ``higher_is_better`` and the TABLE
    columns; ``published_rank``/``published_rank_of``/``rank_basis`` may be null.
    """
    signed = pl.when(pl.col("higher_is_better")).then(-pl.col("score")).otherwise(pl.col("score"))
    ranked = scores.with_columns(
        rank_computed=signed.rank(method="min").over(TABLE).cast(pl.Int32),
        n_scored=pl.col("score").count().over(TABLE).cast(pl.Int32),
        table_rank_of=pl.col("published_rank_of").max().over(TABLE),
    ).with_columns(
        complete=pl.col("table_rank_of").is_not_null() & (pl.col("n_scored") >= pl.col("table_rank_of")),
    )
    has_published = pl.col("published_rank").is_not_null()
    return ranked.with_columns(
        rank=pl.coalesce("published_rank", "rank_computed"),
        rank_of=pl.when(has_published | pl.col("complete"))
        .then(pl.col("table_rank_of"))
        .otherwise(pl.when(pl.col("score").is_not_null()).then(pl.col("n_scored"))),
        rank_basis=pl.when(has_published)
        .then(pl.col("rank_basis"))
        .when(pl.col("score").is_null())
        .then(None)
        .when(pl.col("complete"))
        .then(pl.lit("computed"))
        .otherwise(pl.lit("partial")),
        rank_mismatch=pl.col("complete")
        & has_published
        & (pl.col("published_rank") != pl.col("rank_computed")),
    )


def add_shares(ranked: pl.LazyFrame) -> pl.LazyFrame:
    """% of maximum, percentile (share of the table ranked below, 100 = best) and peer stats.

    A percentile needs a rank within the whole table: a rank computed only among the units in
    the data of an incomplete table ('partial') has none, since the missing units may rank
    anywhere."""
    n = pl.col("rank_of").cast(pl.Float64)
    partial = pl.col("rank_basis").fill_null("") == "partial"
    return ranked.with_columns(
        pct_of_max=pl.col("score") / pl.col("max_score") * 100,
        percentile=pl.when(partial)
        .then(None)
        .when(n > 1)
        .then((n - pl.col("rank")) / (n - 1) * 100)
        .when(n == 1)
        .then(100.0),
        peer_mean=pl.col("score").mean().over(TABLE),
        peer_median=pl.col("score").median().over(TABLE),
    )


def add_tiers(ranked: pl.LazyFrame, tiers: pl.LazyFrame) -> pl.LazyFrame:
    """Attach the first tier whose ``min_pct`` the % of maximum reaches.

    ``tiers`` has TABLE-less keys (index_code, scope_province, peer_group, year) plus
    ``tier_order`` (0 = best), ``tier_code``, ``tier_vi``, ``tier_en``, ``min_pct``.
    """
    keys = ["index_code", "province", "peer_group", "year"]
    rows = ranked.with_row_index("_row")
    matched = (
        rows.filter(pl.col("component").is_null())  # tier bands are for index totals, not components
        .select("_row", *keys, "pct_of_max")
        .join(tiers, on=keys, how="inner")
        .filter(pl.col("pct_of_max") >= pl.col("min_pct") - 1e-9)
        .sort("_row", "tier_order")
        .unique("_row", keep="first")
        .select("_row", "tier_order", "tier_code", "tier_vi", "tier_en")
    )
    return rows.join(matched, on="_row", how="left").drop("_row")


def add_changes(ranked: pl.LazyFrame) -> pl.LazyFrame:
    """Change against the previous calendar year in score and rank (empty without that year).

    ``d_rank`` is positive when the unit moved up (e.g. from 5th to 3rd: +2).
    """
    previous = ranked.select(
        *SERIES,
        (pl.col("year") + 1).alias("year"),
        pl.col("score").alias("prev_score"),
        pl.col("rank").alias("prev_rank"),
        pl.col("rank_of").alias("prev_rank_of"),
    )
    return ranked.join(previous, on=[*SERIES, "year"], how="left", nulls_equal=True).with_columns(
        d_score=pl.col("score") - pl.col("prev_score"),
        d_rank=pl.col("prev_rank") - pl.col("rank"),
    )


def derive(scores: pl.LazyFrame, tiers: pl.LazyFrame) -> pl.LazyFrame:
    """Everything a page shows about a score, computed once at build time."""
    return add_changes(add_tiers(add_shares(rank_table(scores)), tiers))


def peer_average(ranked: pl.DataFrame) -> float | None:
    """Mean score of the units in a table slice (published averages are separate)."""
    scored = ranked.get_column("score").drop_nulls()
    return float(scored.mean()) if scored.len() else None
