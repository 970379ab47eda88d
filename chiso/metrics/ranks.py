"""Rankings, rank changes and peer statistics: pure Polars, no I/O, no Streamlit.

A *table* is one (scope province, peer group, index, component, year, edition): the units that
a published decision ranks against each other. A year the publisher issued twice (DTI 2024: 63
and 34 provinces; config ``editions``) has one table per edition, each with its own N, and a rank
change never crosses editions (``prev_edition``: which edition of the year before a row continues).
Provinces and ministries are ranked across the country (scope province ''), every other peer
group within its province.

Rank 1 is best; ties share the better rank (1, 2, 2, 4).

THE RULE for what may be said about a table lives here and nowhere else, so every table,
chart, sentence, briefing pack, export and CLI command says the same thing:

- a table is *complete* when every unit of its published rank-of is scored;
- on a table that is not complete no computed rank is a rank: ``rank``/``rank_of`` hold the
  published rank out of the published N, or nothing (basis ``partial``); the order among
  the loaded units stays in ``rank_computed``/``n_scored`` and may only be shown labelled
  as such (:func:`order_in_data`), never in the rank column;
- peer statistics (``peer_mean``/``peer_median``) are computed only on a complete table and
  never from flagged values; otherwise they are null and only a published average may be shown;
- a rank change (``d_rank``) is stated only between two ranks of the same basis (a rank in
  the whole table, published or computed on a complete table; or one inferred from list
  order) and the same N; ``rank_change_comparable`` is False where both ranks exist but differ in either.
"""

from __future__ import annotations

import polars as pl

from chiso import fmt
from chiso.i18n import t

TABLE = ["scope_province", "peer_group", "index_code", "component", "year", "edition"]
SERIES = ["unit_id", "peer_group", "index_code", "component"]


def _table(*extra: str) -> list[str]:
    return [*TABLE, *extra]


def rank_table(scores: pl.LazyFrame) -> pl.LazyFrame:
    """Add computed rank, rank-of, completeness, the rank to show and its basis.

    Expects ``score`` (may be null), ``max_score``, ``higher_is_better`` and the TABLE
    columns; ``published_rank``/``published_rank_of``/``rank_basis`` may be null.
    """
    if "edition" not in scores.collect_schema().names():  # a year of one edition
        scores = scores.with_columns(edition=pl.lit(""))
    signed = pl.when(pl.col("higher_is_better")).then(-pl.col("score")).otherwise(pl.col("score"))
    ranked = scores.with_columns(
        rank_computed=signed.rank(method="min").over(TABLE).cast(pl.Int32),
        n_scored=pl.col("score").count().over(TABLE).cast(pl.Int32),
        # A component table ranks the units of its index's table: without its own published
        # N it takes the N published for that table (total or any component).
        table_rank_of=pl.coalesce(
            pl.col("published_rank_of").max().over(TABLE),
            pl.col("published_rank_of").max().over([t for t in TABLE if t != "component"]),
        ),
    ).with_columns(
        complete=pl.col("table_rank_of").is_not_null() & (pl.col("n_scored") >= pl.col("table_rank_of")),
    )
    has_published = pl.col("published_rank").is_not_null()
    computed = pl.col("complete") & pl.col("score").is_not_null()
    return ranked.with_columns(
        rank=pl.when(has_published)
        .then(pl.col("published_rank"))
        .when(computed)
        .then(pl.col("rank_computed"))
        .cast(pl.Int32),
        rank_of=pl.when(has_published)
        .then(pl.coalesce("published_rank_of", "table_rank_of"))
        .when(computed)
        .then(pl.col("table_rank_of"))
        .cast(pl.Int32),
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
    if "flag" not in ranked.collect_schema().names():
        ranked = ranked.with_columns(flag=pl.lit(None, pl.String))
    return ranked.with_columns(
        pct_of_max=pl.col("score") / pl.col("max_score") * 100,
        percentile=pl.when(partial)
        .then(None)
        .when(n > 1)
        .then((n - pl.col("rank")) / (n - 1) * 100)
        .when(n == 1)
        .then(100.0),
        peer_mean=pl.when(pl.col("complete")).then(_clean_score().mean().over(TABLE)),
        peer_median=pl.when(pl.col("complete")).then(_clean_score().median().over(TABLE)),
    )


def _clean_score() -> pl.Expr:
    """The score where no doubt is flagged: flagged values enter no statistic."""
    return pl.when(pl.col("flag").fill_null("") == "").then(pl.col("score"))


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
    return _published_tiers(rows.join(matched, on="_row", how="left"), tiers, keys).drop("_row")


def _published_tiers(rows: pl.LazyFrame, tiers: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """A tier the source prints (``printed_tier``) wins over the band: it takes the declared
    tier of that Vietnamese name (its order, code and English name), or stands as printed."""
    if "printed_tier" not in rows.collect_schema().names():
        return rows.with_columns(printed_tier=pl.lit(None, pl.String))
    printed = pl.col("printed_tier").is_not_null() & pl.col("component").is_null()
    named = (
        rows.filter(printed)
        .select("_row", *keys, pl.col("printed_tier").alias("_vi"))
        .join(
            tiers.select(*keys, pl.col("tier_vi").alias("_vi"), "tier_order", "tier_code", "tier_en"),
            on=[*keys, "_vi"],
            how="inner",
        )
        .unique("_row", keep="first")
        .select("_row", pl.col("tier_order").alias("_order"), pl.col("tier_code").alias("_code"), "tier_en")
        .rename({"tier_en": "_en"})
    )
    return (
        rows.join(named, on="_row", how="left")
        .with_columns(
            tier_order=pl.when(printed).then(pl.col("_order")).otherwise(pl.col("tier_order")),
            tier_code=pl.when(printed).then(pl.col("_code")).otherwise(pl.col("tier_code")),
            tier_vi=pl.when(printed).then(pl.col("printed_tier")).otherwise(pl.col("tier_vi")),
            tier_en=pl.when(printed).then(pl.coalesce("_en", "printed_tier")).otherwise(pl.col("tier_en")),
        )
        .with_columns(printed_tier=pl.when(printed).then(pl.col("printed_tier")))
        .drop("_order", "_code", "_en")
    )


def add_changes(ranked: pl.LazyFrame) -> pl.LazyFrame:
    """Change against the previous calendar year in score and rank (empty without that year).

    ``d_rank`` is positive when the unit moved up (e.g. from 5th to 3rd: +2). ``prev_edition``
    (optional; default the row's own edition) names the edition of the year before a row
    continues; null: none, so the row has no change (the 34 new provinces' DTI 2024 does not
    continue the 63 former provinces' 2023).
    """
    names = ranked.collect_schema().names()
    if "edition" not in names:
        ranked = ranked.with_columns(edition=pl.lit(""))
    if "prev_edition" not in names:  # a year of one edition continues the year before's
        ranked = ranked.with_columns(prev_edition=pl.col("edition"))
    previous = ranked.select(
        *SERIES,
        (pl.col("year") + 1).alias("year"),
        pl.col("edition").alias("prev_edition"),
        pl.col("score").alias("prev_score"),
        pl.col("rank").alias("prev_rank"),
        pl.col("rank_of").alias("prev_rank_of"),
        pl.col("rank_basis").alias("prev_rank_basis"),
    )
    # a unit ranked the year before in a table its edition does not continue (Hà Nội 6/63 in
    # 2023, 1/34 in DTI 2024 of the new provinces): its change is "not comparable", not missing
    ranked_before = (
        ranked.filter(pl.col("rank").is_not_null())
        .select(*SERIES, (pl.col("year") + 1).alias("year"))
        .unique()
        .with_columns(_ranked_before=pl.lit(True))
    )
    both = pl.col("prev_rank").is_not_null() & pl.col("rank").is_not_null()
    comparable = (pl.col("prev_rank_of") == pl.col("rank_of")) & (
        _basis_class("prev_rank_basis") == _basis_class("rank_basis")
    )
    crossed = pl.col("_new_series") & pl.col("_ranked_before").fill_null(False) & pl.col("rank").is_not_null()
    return (
        ranked.with_columns(_new_series=pl.col("prev_edition").is_null())
        .join(previous, on=[*SERIES, "year", "prev_edition"], how="left", nulls_equal=True)
        .join(ranked_before, on=[*SERIES, "year"], how="left", nulls_equal=True)
        .with_columns(
            rank_change_comparable=pl.when(both).then(comparable.fill_null(False)).when(crossed).then(False)
        )
        .drop("prev_edition", "_new_series", "_ranked_before")
        .with_columns(
            d_score=pl.col("score") - pl.col("prev_score"),
            d_rank=pl.when(pl.col("rank_change_comparable"))
            .then(pl.col("prev_rank") - pl.col("rank"))
            .cast(pl.Int32),
        )
    )


def with_prev_flag(rows, before, on: list[str]):
    """``rows`` (a frame or a plan) with ``prev_flag``: the doubt flag of the row the year before,
    which a change is computed from (PCI 2022's from the 2021 table whose year the collector
    inferred), from ``before`` (``on`` keys and ``prev_flag``); null where no change was computed."""
    changed = pl.col("d_score").is_not_null() | pl.col("d_rank").is_not_null()
    if isinstance(before, pl.DataFrame) and before.is_empty():
        return rows.with_columns(prev_flag=pl.lit(None, pl.String))
    joined = rows.join(before, on=on, how="left", maintain_order="left")
    return joined.with_columns(prev_flag=pl.when(changed).then(pl.col("prev_flag")))


def _basis_class(column: str) -> pl.Expr:
    """A published rank and a rank computed on a complete table are both ranks in the whole
    table (same basis); a rank inferred from list order is another basis."""
    return pl.col(column).replace({"computed": "published"}).fill_null("")


def derive(scores: pl.LazyFrame, tiers: pl.LazyFrame) -> pl.LazyFrame:
    """Everything a page shows about a score, computed once at build time."""
    return add_changes(add_tiers(add_shares(rank_table(scores)), tiers))


def peer_average(ranked: pl.DataFrame) -> float | None:
    """The peer mean of one table, or None: computed only when the table is complete, never from
    flagged values (see the rule above); a published average is shown separately, labelled."""
    if ranked.is_empty() or "complete" not in ranked.columns or not bool(ranked.get_column("complete").all()):
        return None
    clean = ranked.filter(pl.col("flag").fill_null("") == "") if "flag" in ranked.columns else ranked
    scored = clean.get_column("score").drop_nulls()
    return float(scored.mean()) if scored.len() else None


def is_complete(ranked: pl.DataFrame) -> bool:
    """True when the rows hold a complete table (every unit of the published rank-of scored)."""
    return not ranked.is_empty() and bool(ranked.get_column("complete").fill_null(False).all())


def order_in_data(row: dict) -> tuple[int, int] | None:
    """(k, n): the unit's order among the n scored units of an incomplete table, to be shown only
    labelled as an order among the loaded units, never as a rank; None on a complete table or
    when the unit has a (published) rank."""
    if row.get("complete") or row.get("rank") is not None:
        return None
    if row.get("score") is None or row.get("rank_computed") is None:
        return None
    return int(row["rank_computed"]), int(row["n_scored"])


def ranks_comparable(a: dict, b: dict) -> bool | None:
    """Whether two stored rows' ranks may be compared (same basis, same N); None when either
    has no rank. The same test as ``rank_change_comparable``, for two arbitrary years."""
    if a.get("rank") is None or b.get("rank") is None:
        return None
    same_basis = {a.get("rank_basis"), b.get("rank_basis")} <= {"published", "computed"} or (
        a.get("rank_basis") == b.get("rank_basis")
    )
    return bool(same_basis and a.get("rank_of") is not None and a.get("rank_of") == b.get("rank_of"))


def rank_change_text(row: dict, lang: str = "vi") -> str:
    """The rank-change cell: the arrow when the two ranks compare, 'không so sánh được' when both
    exist on different bases or denominators, '–' when either is missing."""
    if row.get("rank_change_comparable") is False:
        return t("rank.not_comparable", lang)
    return fmt.rank_change(row.get("d_rank"))
