"""Where the points are lost: component gaps, what it takes to move up, why a rank changed,
and a unit's profile across indices. Pure Polars over rows of the ``ranked`` table.

Conventions (as in ``chiso.metrics``): rank 1 is best and ties share the better rank
(1, 2, 2, 4). Ranks computed here are among the units *in the data* given: for an
incomplete table (PCI 2019 holds 22 of 63 provinces) they are not the published ranks and
a page must say so. Rows are frames of the ``ranked`` table with its column names
(``unit_id``, ``name``, ``component`` NULL for the index total, ``score``, ``max_score``,
``rank``, ``rank_of``, ``rank_basis`` …).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from chiso import exprs
from chiso.columns import GAP_COLUMNS
from chiso.config import Index, Tier
from chiso.i18n import label
from chiso.metrics import ranks

_EPS = 1e-9


def _clean(value: float | None) -> float | None:
    """Drop binary noise from a difference (10 − 7.16 = 2.8400000000000003 → 2.84)."""
    return None if value is None else round(float(value), 9)


def totals(rows: pl.DataFrame) -> pl.DataFrame:
    """The index-total rows (component NULL)."""
    return rows.filter(pl.col("component").is_null())


def components(rows: pl.DataFrame) -> pl.DataFrame:
    """The component rows (component not NULL) of the authority: scores of the local business
    community (config ``community: true``) are never a unit's component, strength or weakness."""
    return rows.filter(_own_component(rows.columns))


def _own_component(columns: Sequence[str]) -> pl.Expr:
    """True on the component rows of the authority (see :func:`components`)."""
    own = pl.col("component").is_not_null()
    if "community" in columns:
        own = own & ~pl.col("community").fill_null(False)
    return own


def component_names(index: Index, province: str, peer_group: str, year: int, lang: str) -> dict[str, str]:
    """component code -> its name in ``lang`` for the variant that applies to a table, in the
    config's order. Pass it as ``names`` to :func:`component_gaps` and :func:`heatmap_matrix`."""
    variant = index.variant_for(province, peer_group, year)
    if variant is None:
        return {}
    return {c.code: label(c.name, lang) for c in variant.components}


def declared_components(index: Index, province: str, peer_group: str, year: int) -> list[str]:
    """The authority's components the config declares for a table (business-community scores
    aside, which are never a unit's component)."""
    variant = index.variant_for(province, peer_group, year)
    return [c.code for c in variant.components if not c.community] if variant else []


MIN_COMPARED = 2  # a component is the strongest or weakest only among at least two


def scored_completely(table_rows: pl.DataFrame, unit_id: str, index: Index) -> bool:
    """True when the unit has a score on every component the config declares for its table
    (at least two): :func:`fully_scored` for one unit in one table."""
    own = components(table_rows).filter((pl.col("unit_id") == unit_id) & pl.col("score").is_not_null())
    if own.is_empty():
        return False
    first = own.row(0, named=True)
    codes = declared_components(index, first["province"] or "", first["peer_group"], first["year"])
    return len(codes) >= MIN_COMPARED and set(codes) <= set(own.get_column("component").to_list())


def fully_scored(rows: pl.DataFrame, catalog) -> pl.DataFrame:
    """The component rows of the (unit, index, year)s whose every declared component is
    scored, at least two of them: only there may one component be called the strongest, the
    weakest or the one losing the most points (one component known out of several, or one
    alone, is no comparison)."""
    keys = ["index_code", "province", "peer_group", "year"]
    comps = rows.lazy().filter(_own_component(rows.columns) & pl.col("score").is_not_null())
    tables = exprs.collect(comps.select(keys).unique()).rows()  # the few tables the rows belong to
    declared = [
        (*key, code, len(codes))
        for key in tables
        for codes in [declared_components(catalog.index(key[0]), key[1] or "", key[2], key[3])]
        if len(codes) >= MIN_COMPARED
        for code in codes
    ]
    frame = pl.DataFrame(
        declared,
        schema={**{k: rows.schema[k] for k in keys}, "component": pl.String, "_n": pl.Int64},
        orient="row",
    ).lazy()
    own = comps.join(frame, on=[*keys, "component"], how="inner", nulls_equal=True, maintain_order="left")
    whole = own.group_by("unit_id", *keys).agg(pl.col("component").n_unique() == pl.col("_n").first())
    done = whole.filter(pl.col("component")).drop("component")
    return exprs.collect(
        own.join(done, on=["unit_id", *keys], how="semi", nulls_equal=True, maintain_order="left").drop("_n")
    )


def component_max_inferred(index: Index, province: str, peer_group: str, year: int) -> bool:
    """True when the components' maxima of a table are the project's deduction (an inferred
    structure, or components read on an inferred index maximum)."""
    variant = index.variant_for(province, peer_group, year)
    return bool(variant and variant.inferred) or index.inferred_max(province, peer_group, year)


def component_gaps(
    table_rows: pl.DataFrame,
    unit_id: str,
    names: Mapping[str, str] | None = None,
    *,
    higher_is_better: bool = True,
) -> pl.DataFrame:
    """Per component of one unit in one table: how many points it loses and who does best.

    ``table_rows``: rows of one ranked table (totals may be included, they are ignored), e.g.
    ``analysis_queries.table_rows``. ``names``: component code -> display name (see
    :func:`component_names`); the code is used when a name is missing.

    Returns one row per component the unit has, with :data:`GAP_COLUMNS` then
    ``published_rank`` and ``n_in_data`` (the units scored on the component in the rows):

    - ``pct_of_max`` = score / max × 100; ``points_lost`` = max_score − score;
    - ``component_rank`` / ``rank_of``: the stored rank and N (published, or computed on a
      complete table; none on an incomplete one, see :mod:`chiso.metrics`);
    - ``peer_mean``: the stored peer mean (complete tables only, flagged values left out);
    - ``best_unit`` / ``best_score``: the best score on the component and the unit(s) holding
      it (tied names joined with "; "); ``gap_to_best`` = best_score − score (0 for the best);
    - ``published_rank``: the stored rank when a source published it, else null.

    Sorted by points lost, largest first (unscored components last). Empty frame (same
    columns) when the unit has no component rows.
    """
    comps = table_rows.lazy().filter(_own_component(table_rows.columns))  # one plan, collected once
    for column in ("rank", "rank_of", "peer_mean"):
        if column not in table_rows.columns:
            comps = comps.with_columns(pl.lit(None, pl.Float64).alias(column))
    stats = _best_by_component(comps.filter(pl.col("score").is_not_null()), higher_is_better)
    mine = comps.filter(pl.col("unit_id") == unit_id)
    names = dict(names or {})
    sign = 1 if higher_is_better else -1
    out = (
        mine.select(
            "component",
            "unit_id",
            "score",
            "max_score",
            published_rank=pl.when(pl.col("rank_basis").is_in(["published", "list_order"])).then(
                pl.col("rank")
            ),
            # The stored rank, N and peer mean obey the one rule of chiso.metrics: none computed
            # from the loaded units of an incomplete table.
            _rank="rank",
            _rank_of="rank_of",
            _peer_mean="peer_mean",
        )
        .join(stats, on="component", how="left")
        .with_columns(
            component_rank=pl.col("_rank").cast(pl.Int32),
            rank_of=pl.col("_rank_of").cast(pl.Int32),
            peer_mean=pl.col("_peer_mean"),
        )
        .with_columns(
            name=pl.col("component").replace_strict(
                names, default=pl.col("component"), return_dtype=pl.String
            ),
            pct_of_max=pl.col("score") / pl.col("max_score") * 100,
            points_lost=(pl.col("max_score") - pl.col("score")).round(9),
            gap_to_best=((pl.col("best_score") - pl.col("score")) * sign).round(9),
        )
    )
    return exprs.collect(
        out.select(*GAP_COLUMNS, "published_rank", "n_in_data").sort(
            ["points_lost", "component"], descending=[True, False], nulls_last=True
        )
    )


def _best_by_component(scored, higher_is_better: bool):
    """Per component of the scored rows: how many, the best score and the unit(s) holding it."""
    key = pl.col("score") if higher_is_better else -pl.col("score")
    return (
        scored.with_columns(_key=key)
        .with_columns(_best=pl.col("_key").max().over("component"))
        .group_by("component")
        .agg(
            n_in_data=pl.len().cast(pl.Int32),
            best_score=pl.col("score").filter(pl.col("_key") == pl.col("_best")).first(),
            best_unit=pl.col("name").filter(pl.col("_key") == pl.col("_best")).sort().str.join("; "),
        )
    )


def heatmap_matrix(
    table_rows: pl.DataFrame,
    names: Mapping[str, str] | None = None,
    *,
    unit_label: str = "short_name",
) -> pl.DataFrame:
    """Units × components on % of maximum, for a heatmap.

    Columns: ``unit_id``, ``unit`` (the ``unit_label`` column, falling back to ``name``), then
    one column per component holding its % of maximum (null where a unit has no score). The
    component columns follow ``names``' order (config order) when given, else alphabetical;
    rows follow the index total's rank when the table holds totals, else the mean % of
    maximum, best first. Empty frame when the table has no component scores.
    """
    comps = exprs.collect(
        table_rows.lazy()
        .filter(_own_component(table_rows.columns) & pl.col("score").is_not_null())
        .with_columns(
            unit=pl.when(pl.col(unit_label).fill_null("") != "").then(pl.col(unit_label)).otherwise("name")
        )
    )
    if comps.is_empty():
        return pl.DataFrame(schema={"unit_id": pl.String, "unit": pl.String})
    wide = comps.pivot(on="component", index=["unit_id", "unit"], values="pct_of_max")
    present = [c for c in wide.columns if c not in ("unit_id", "unit")]
    order = [c for c in (names or {}) if c in present] + sorted(c for c in present if c not in (names or {}))
    order_key = (
        table_rows.lazy()
        .filter(pl.col("component").is_null())
        .select("unit_id", _order=pl.col("rank").cast(pl.Float64))
    )
    wide = (
        wide.lazy()
        .join(order_key, on="unit_id", how="left")
        .with_columns(_mean=pl.mean_horizontal(*order) if order else pl.lit(None))
        .sort(["_order", "_mean", "unit"], descending=[False, True, False], nulls_last=True)
    )
    return exprs.collect(wide.select("unit_id", "unit", *order))


def _tier_of(tiers: Sequence[Tier], pct: float) -> int | None:
    for i, tier in enumerate(tiers):
        if pct >= tier.min_pct - _EPS:
            return i
    return None


@dataclass(frozen=True)
class NextRank:
    """Passing the unit(s) just above: strictly, so with ties every one of them is passed and
    ``points`` = score just above − score + step. ``rank``: the rank then held among the units in
    the data; ``stored_rank``: the rank the passed unit(s) hold in the stored table (published
    where published), the rank the unit would take in the full table."""

    rank: int
    stored_rank: int | None
    target_score: float | None
    gap: float | None
    points: float | None
    passes: list[str]
    passes_ids: list[str]


@dataclass(frozen=True)
class NextTier:
    """The next band up: reaching ``min_pct`` of the maximum (``min_score``) enters it.
    ``inferred``: the band is the project's deduction, not published."""

    code: str
    name_vi: str
    name_en: str
    min_pct: float
    min_score: float | None
    points: float | None
    inferred: bool = False


@dataclass(frozen=True)
class TopThree:
    """Equalling the 3rd-best other score ranks 3rd (ties share the better rank)."""

    rank: int
    target_score: float | None
    points: float | None


@dataclass(frozen=True)
class Room:
    """A component with points lost."""

    component: str
    score: float | None
    max_score: float | None
    pct_of_max: float | None
    points_lost: float | None


@dataclass(frozen=True)
class WhatItTakes:
    """What it would take one unit to move up in one table (:func:`what_it_takes`).

    The stored row's ``name`` … ``complete``; ``rank_in_data`` / ``n_in_data``: the rank among
    the scored units given and how many they are; ``step``: one printed decimal step.
    ``next_rank`` is None when no unit in the data is above (``reason_rank`` says ``top`` or
    ``no_data_above``: an incomplete table may rank the unit lower than first); ``next_tier``
    None in the top tier, without tiers, or when the source prints, for any unit of the table,
    a tier other than its score's band (``bands_contradicted``); ``top3`` None when the unit ranks
    3rd or better among the units in the data, when fewer than 3 others are scored, or when the
    table is incomplete and the data do not hold its top 3. ``room``: up to ``n_room`` components
    with the most points lost, largest first. ``reason``: None, ``no_row`` (the unit is not in the table) or
    ``no_score`` (rank only).
    """

    unit_id: str
    step: float
    room: tuple[Room, ...] = ()
    next_rank: NextRank | None = None
    next_tier: NextTier | None = None
    top3: TopThree | None = None
    reason: str | None = None
    reason_rank: str | None = None
    name: str | None = None
    score: float | None = None
    max_score: float | None = None
    pct_of_max: float | None = None
    rank: int | None = None
    rank_of: int | None = None
    rank_basis: str | None = None
    complete: bool | None = None
    rank_in_data: int | None = None
    n_in_data: int | None = None
    bands_contradicted: bool = False  # a tier printed in the table is not its band's: no next tier
    has_tiers: bool = True  # False: no bands apply (PAPI), so no unit is in the top one either


_STORED = ("name", "score", "max_score", "pct_of_max", "rank", "rank_of", "rank_basis", "complete")


def what_it_takes(
    table_rows: pl.DataFrame,
    unit_id: str,
    tiers: Sequence[Tier],
    *,
    higher_is_better: bool = True,
    decimals: int = 2,
    n_room: int = 3,
    gap_table: pl.DataFrame | None = None,
) -> WhatItTakes:
    """What it would take one unit to move up in one table (see :class:`WhatItTakes`).

    ``table_rows``: the table's rows; the index totals (component NULL) are used for ranks,
    the unit's component rows (if any) for the room left. ``tiers``: the bands that apply
    (``Index.tiers_for(province, peer_group, year)``), highest ``min_pct`` first.
    ``decimals``: the index's printed decimals; passing means beating a score by one step
    (0.01 for 2 decimals). ``gap_table``: :func:`component_gaps` of the same rows, unit and
    direction when the caller has it (the room left is read from it).
    """
    step = 10.0 ** (-decimals)
    sign = 1.0 if higher_is_better else -1.0
    tot = totals(table_rows.lazy())
    mine, others = exprs.collect_all(  # the unit's total, and the other scored ones (``_key``: signed)
        tot.filter(pl.col("unit_id") == unit_id),
        tot.filter((pl.col("unit_id") != unit_id) & pl.col("score").is_not_null()).with_columns(
            _key=pl.col("score") * sign
        ),
    )
    gaps = gap_table
    if gaps is None:
        gaps = component_gaps(table_rows, unit_id, higher_is_better=higher_is_better)
    room = tuple(
        Room(**{k: r[k] for k in ("component", "score", "max_score", "pct_of_max", "points_lost")})
        for r in gaps.filter(pl.col("points_lost").is_not_null()).head(n_room).iter_rows(named=True)
    )
    if mine.is_empty():
        return WhatItTakes(unit_id, step, room, reason="no_row")
    row = mine.row(0, named=True)
    stored = {key: row.get(key) for key in _STORED}
    score = row["score"]
    if score is None:
        return WhatItTakes(unit_id, step, room, reason="no_score", **stored)
    above = others.filter(pl.col("_key") > sign * score + _EPS)
    rank_in_data = above.height + 1
    # first only on its stored rank, or as the best of a complete table without ranks; the best of
    # the few units a partial table holds may rank lower (PAR 2021: Bà Rịa - Vũng Tàu, no rank)
    first = row["rank"] == 1 or (row["rank"] is None and bool(row.get("complete")))
    at_top = "top" if first else "no_data_above"
    contradicted = printed_tiers_contradict(mine, tiers) or printed_tiers_contradict(others, tiers)
    return WhatItTakes(
        unit_id,
        step,
        room,
        next_rank=_next_rank(above, others, sign, sign * score, step),
        next_tier=_next_tier(tiers, score, row["max_score"], contradicted) if higher_is_better else None,
        top3=_top_three(others, row, sign, sign * score) if rank_in_data > 3 else None,
        reason_rank=at_top if above.is_empty() else None,
        rank_in_data=rank_in_data,
        n_in_data=others.height + 1,
        bands_contradicted=contradicted,
        has_tiers=bool(tiers) and higher_is_better,
        **stored,
    )


def _next_rank(above: pl.DataFrame, others: pl.DataFrame, sign: float, mine_key: float, step: float):
    """Passing the unit(s) just above (``_key``: the score signed so that higher is better)."""
    if above.is_empty():
        return None
    just_above = above.get_column("_key").min()
    passed = above.filter((pl.col("_key") - just_above).abs() <= _EPS).sort("name")
    gap = _clean(just_above - mine_key)
    stored = [r for r in passed.get_column("rank").to_list() if r is not None]
    return NextRank(
        rank=others.filter(pl.col("_key") > just_above + _EPS).height + 1,
        stored_rank=min(stored) if stored else None,
        target_score=_clean(sign * (just_above + step)),
        gap=gap,
        points=_clean(gap + step),
        passes=passed.get_column("name").to_list(),
        passes_ids=passed.get_column("unit_id").to_list(),
    )


def _top_three(others: pl.DataFrame, row: dict, sign: float, mine_key: float) -> TopThree | None:
    """Equalling the 3rd-best other score; on an incomplete table the data may lack part of the
    real top 3: then None."""
    best_others = others.sort("_key", descending=True).head(3)
    if best_others.height < 3:
        return None
    holds_top3 = bool(row.get("complete")) or (
        (best_others.item(2, "rank") or 99) <= 3
        and best_others.item(2, "rank_basis") in ("published", "list_order", "computed")
    )
    if not holds_top3:
        return None
    third = best_others.item(2, "_key")
    return TopThree(rank=3, target_score=_clean(sign * third), points=_clean(third - mine_key))


def printed_tiers_contradict(scored: pl.DataFrame, tiers: Sequence[Tier]) -> bool:
    """True when the source prints, for some unit of the table, a tier other than the band its
    score falls in (PCI 2021: 70,61 printed 'Tốt' where the bands say 'Rất tốt' from 70 %)."""
    if not tiers or "printed_tier" not in scored.columns:
        return False
    pct = pl.col("score") / pl.col("max_score") * 100
    band = pl.lit(None, pl.String)
    for tier in reversed(tiers):  # the highest band is tested first, as _tier_of does
        band = pl.when(pct >= tier.min_pct - _EPS).then(pl.lit(label(tier.name, "vi"))).otherwise(band)
    printed = pl.col("printed_tier").is_not_null() & pl.col("max_score").is_not_null()
    return not scored.filter(printed & band.ne_missing(pl.col("printed_tier"))).is_empty()


def _next_tier(
    tiers: Sequence[Tier], score: float, max_score: float | None, contradicted: bool = False
) -> NextTier | None:
    """The band above the unit's; None in the top band, and when a tier the source prints in the
    table (``contradicted``) is not the band of its score: the bands do not hold for that year,
    so no threshold may be quoted."""
    if not tiers or not max_score or contradicted:
        return None
    current = _tier_of(tiers, score / max_score * 100)
    if current == 0:
        return None
    target = tiers[(len(tiers) if current is None else current) - 1]
    min_score = target.min_pct * max_score / 100
    return NextTier(
        code=target.code,
        name_vi=label(target.name, "vi"),
        name_en=label(target.name, "en"),
        min_pct=target.min_pct,
        min_score=_clean(min_score),
        points=_clean(max(min_score - score, 0.0)),
        inferred=bool(target.inferred),
    )


def rank_change_split(
    rows_year_a: pl.DataFrame,
    rows_year_b: pl.DataFrame,
    unit_id: str,
    aggregation: str,
    order: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The change in one unit's total score from year a to year b, split by component.

    ``rows_year_a`` / ``rows_year_b``: rows of the table (or of the unit) in each year,
    totals and components (other units are ignored). ``aggregation``: the index's
    ``aggregation_for(...)`` of year b (``sum``, ``weighted_mean`` or ``published``).
    ``order``: component codes in display order (config order), else largest change first.

    One row per component present in either year, then (for ``sum``) a ``residual`` row
    when the component changes do not add up to the total change exactly (rounding in the
    published figures, or a component missing in one year), then the ``total`` row.
    Columns: ``component`` (null on the total and residual rows), ``kind``
    (``component`` | ``residual`` | ``total``), ``score_a``, ``score_b``, ``max_a``, ``max_b``,
    ``change`` (score_b − score_a), ``pct_a``, ``pct_b``, ``d_pct`` (change in % of maximum,
    the fair comparison when a maximum changed) and ``adds_up``: True only when the total is
    the sum of its components — then the component and residual changes sum to the total
    change (a waterfall); False for a weighted mean or a total published on its own: the
    component changes are shown side by side and must not be read as adding up.
    """

    def pick(rows: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return rows.filter(pl.col("unit_id") == unit_id).select(
            pl.col("component"),
            pl.col("score").alias(f"score_{suffix}"),
            pl.col("max_score").alias(f"max_{suffix}"),
        )

    a, b = pick(rows_year_a.lazy(), "a"), pick(rows_year_b.lazy(), "b")  # collected at once below
    joined = a.join(b, on="component", how="full", coalesce=True, nulls_equal=True).with_columns(
        change=(pl.col("score_b") - pl.col("score_a")).round(9),
        pct_a=pl.col("score_a") / pl.col("max_a") * 100,
        pct_b=pl.col("score_b") / pl.col("max_b") * 100,
    )
    joined = joined.with_columns(d_pct=pl.col("pct_b") - pl.col("pct_a"))
    comps = joined.filter(pl.col("component").is_not_null()).with_columns(kind=pl.lit("component"))
    total = joined.filter(pl.col("component").is_null()).with_columns(kind=pl.lit("total"))
    if order:
        rank = {code: i for i, code in enumerate(order)}
        comps = (
            comps.with_columns(
                _o=pl.col("component").replace_strict(rank, default=len(rank), return_dtype=pl.Int32)
            )
            .sort(["_o", "component"])
            .drop("_o")
        )
    else:
        comps = comps.sort(["change", "component"], descending=[True, False], nulls_last=True)
    comps, total = exprs.collect_all(comps, total)
    adds_up = aggregation == "sum"
    parts = [comps]
    if adds_up and total.height and total.item(0, "change") is not None:
        residual = _clean(total.item(0, "change") - float(comps.get_column("change").fill_null(0).sum()))
        if residual is not None and abs(residual) > _EPS:
            parts.append(
                pl.DataFrame(
                    {"component": [None], "kind": ["residual"], "change": [residual]},
                    schema={"component": pl.String, "kind": pl.String, "change": pl.Float64},
                )
            )
    parts.append(total)
    columns = [
        "component",
        "kind",
        "score_a",
        "score_b",
        "max_a",
        "max_b",
        "change",
        "pct_a",
        "pct_b",
        "d_pct",
    ]
    out = pl.concat([p.select([c for c in columns if c in p.columns]) for p in parts], how="diagonal_relaxed")
    return out.select(columns).with_columns(adds_up=pl.lit(adds_up))


def movers(rows_year_a: pl.DataFrame, rows_year_b: pl.DataFrame, unit_id: str) -> pl.DataFrame:
    """Units that passed the unit, or that the unit passed, between year a and year b.

    Uses the index totals and the ranks shown (published where published, else computed):
    another unit *passed* the unit when it ranked below it in year a and above it in year b
    (ties are neither). Columns: ``unit_id``, ``name``, ``short_name``, ``relation``
    (``passed_unit``: it overtook the unit; ``passed_by_unit``: the unit overtook it),
    ``rank_a``, ``rank_b``, ``score_a``, ``score_b``, ``d_score`` (score_b − score_a) and
    ``d_rank`` (rank_a − rank_b, positive = moved up). Overtakers first, by rank in year b.
    Empty when the unit has no rank in one of the years.
    """

    def pick(rows: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return totals(rows).select(
            "unit_id",
            "name",
            "short_name",
            pl.col("rank").alias(f"rank_{suffix}"),
            pl.col("score").alias(f"score_{suffix}"),
        )

    a, b = pick(rows_year_a.lazy(), "a"), pick(rows_year_b.lazy(), "b").drop("name", "short_name")
    both = a.join(b, on="unit_id", how="inner").filter(
        pl.col("rank_a").is_not_null() & pl.col("rank_b").is_not_null()
    )
    both = exprs.collect(both)
    mine = both.filter(pl.col("unit_id") == unit_id)
    columns = ["unit_id", "name", "short_name", "relation", "rank_a", "rank_b", "score_a", "score_b"]
    if mine.is_empty():
        empty = both.clear().with_columns(
            relation=pl.lit(None, pl.String), d_score=pl.lit(None, pl.Float64), d_rank=pl.lit(None, pl.Int32)
        )
        return empty.select(*columns, "d_score", "d_rank")
    ra, rb = mine.item(0, "rank_a"), mine.item(0, "rank_b")
    out = (
        both.lazy()
        .filter(pl.col("unit_id") != unit_id)
        .with_columns(
            relation=pl.when((pl.col("rank_a") > ra) & (pl.col("rank_b") < rb))
            .then(pl.lit("passed_unit"))
            .when((pl.col("rank_a") < ra) & (pl.col("rank_b") > rb))
            .then(pl.lit("passed_by_unit"))
        )
        .filter(pl.col("relation").is_not_null())
        .with_columns(
            d_score=(pl.col("score_b") - pl.col("score_a")).round(9),
            d_rank=(pl.col("rank_a") - pl.col("rank_b")).cast(pl.Int32),
        )
    )
    return exprs.collect(
        out.select(*columns, "d_score", "d_rank").sort(
            [pl.col("relation") != "passed_unit", "rank_b", "name"]
        )
    )


def _chosen_years(rows: pl.DataFrame, year: int | None) -> pl.DataFrame:
    """Rows of ``year``; without one, each index's latest year with a score or a rank."""
    if year is not None:
        return rows.filter(pl.col("year") == year)
    shown = rows.filter(pl.col("score").is_not_null() | pl.col("rank").is_not_null())
    return shown.filter(pl.col("year") == pl.col("year").max().over("index_code"))


def profile(
    unit_rows: pl.DataFrame, year: int | None = None, order: Sequence[str] | None = None
) -> pl.DataFrame:
    """Every index of one unit: one row per index with its total in ``year`` (or, without a
    year, the latest year with a score or a rank for that index).

    ``unit_rows``: all rows of one unit (``analysis_queries.unit_rows``). ``order``: index
    codes in display order (``catalog.codes``), else alphabetical. The rows are the stored
    ``ranked`` rows (score, max_score, pct_of_max, rank, rank_of, rank_basis, percentile,
    tier_code/tier_vi/tier_en, d_score, d_rank, prev_score, prev_rank, flag, source…) plus
    ``n_years`` (years with a total for that index) and ``n_components`` (component scores
    that year). Indices where the unit has only component rows have no row here.
    """
    rows = unit_rows.lazy()  # one plan, collected once
    tot = totals(rows)
    chosen = _chosen_years(tot, year)
    n_years = (
        tot.filter(pl.col("score").is_not_null() | pl.col("rank").is_not_null())
        .group_by("index_code")
        .agg(n_years=pl.col("year").n_unique().cast(pl.Int32))
    )
    n_comp = (
        rows.filter(_own_component(unit_rows.columns) & pl.col("score").is_not_null())
        .group_by("index_code", "year")
        .agg(n_components=pl.len().cast(pl.Int32))
    )
    # the doubt flag of the year before, which a change is computed from (``prev_flag``, as
    # queries.ranking gives it): PCI 2022's change from the 2021 table whose year was inferred
    keys = ["index_code", "peer_group", "scope_province", "year"]
    before = tot.filter(pl.col("flag").is_not_null()).select(
        *keys[:3], (pl.col("year") + 1).alias("year"), pl.col("flag").alias("prev_flag")
    )
    out = (
        chosen.join(n_years, on="index_code", how="left", maintain_order="left")
        .join(n_comp, on=["index_code", "year"], how="left", maintain_order="left")
        .pipe(ranks.with_prev_flag, before.unique(keys, keep="first"), keys)
        .with_columns(pl.col("n_components").fill_null(0), pl.col("n_years").fill_null(0))
    )
    return exprs.collect(_in_order(out, order))


def _in_order(frame: pl.LazyFrame, order: Sequence[str] | None) -> pl.LazyFrame:
    rank = {code: i for i, code in enumerate(order or [])}
    return (
        frame.with_columns(
            _o=pl.col("index_code").replace_strict(rank, default=len(rank), return_dtype=pl.Int32)
        )
        .sort(["_o", "index_code", "year"])
        .drop("_o")
    )


def scored_tables(unit_rows: pl.DataFrame, year: int | None, catalog) -> pl.DataFrame:
    """:func:`fully_scored` of the unit's rows of ``year`` (all years without one): what
    :func:`component_extremes` and :func:`most_lost` read, computed once for both."""
    return fully_scored(unit_rows if year is None else unit_rows.filter(pl.col("year") == year), catalog)


def component_extremes(
    unit_rows: pl.DataFrame,
    year: int | None = None,
    n: int = 3,
    *,
    catalog,
    complete: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The unit's strongest and weakest components across all its indices, by % of maximum.

    Uses, per index, the components of ``year`` (or of the latest year with component
    scores), only of indices whose every declared component is scored (:func:`fully_scored`).
    Returns up to ``n`` ``strongest`` rows (highest % of maximum first) and up to ``n``
    ``weakest`` rows (lowest first) that are not among the strongest; column ``kind`` says
    which. Other columns are the stored ``ranked`` columns (index_code, component, year,
    score, max_score, pct_of_max, rank, rank_of, rank_basis, …). ``complete``:
    :func:`scored_tables` of the same rows and year when the caller has it.
    """
    # fully_scored decides per (index, year): the year's rows are all it needs when one is given.
    if complete is None:
        complete = scored_tables(unit_rows, year, catalog)
    elif year is not None:
        complete = complete.filter(pl.col("year") == year)
    comps = complete.lazy().filter(pl.col("score").is_not_null() & pl.col("pct_of_max").is_not_null())
    if year is None:
        comps = comps.filter(pl.col("year") == pl.col("year").max().over("index_code"))
    ranked = comps.sort(["pct_of_max", "index_code", "component"], descending=[True, False, False])
    strongest = ranked.head(n)
    rest = ranked.slice(n).sort(["pct_of_max", "index_code", "component"])
    weakest = rest.head(n)
    return exprs.collect(
        pl.concat(
            [strongest.with_columns(kind=pl.lit("strongest")), weakest.with_columns(kind=pl.lit("weakest"))]
        )
    )


def cross_index(profile_rows: pl.DataFrame) -> pl.DataFrame:
    """The unit's percentile on each index side by side (100 = best of its peers, 0 = last).

    ``profile_rows``: the output of :func:`profile`. Columns: ``index_code``, ``year``,
    ``percentile``, ``rank``, ``rank_of``, ``rank_basis``, ``pct_of_max``, ``peer_group``;
    indices without a rank are left out. Keeps the profile's index order.
    """
    keep = ["index_code", "year", "percentile", "rank", "rank_of", "rank_basis", "pct_of_max", "peer_group"]
    if profile_rows.is_empty():
        return pl.DataFrame(schema={c: profile_rows.schema.get(c, pl.String) for c in keep})
    return profile_rows.filter(pl.col("percentile").is_not_null()).select(keep)


def contrast(profile_rows: pl.DataFrame, threshold: float = 30.0) -> tuple[dict, dict] | None:
    """The unit's highest- and lowest-percentile indices when they are at least ``threshold``
    percentile points apart (a high self-assessed PAR next to a low citizen SIPAS or business
    DDCI), else None. Returns the two stored rows (high, low)."""
    ranked = profile_rows.filter(pl.col("percentile").is_not_null())
    if ranked.height < 2:
        return None
    rows = ranked.to_dicts()
    high = max(rows, key=lambda r: r["percentile"])
    low = min(rows, key=lambda r: r["percentile"])
    if high["percentile"] - low["percentile"] < threshold - _EPS:
        return None
    return high, low


def most_lost(
    unit_rows: pl.DataFrame, chosen: pl.DataFrame, catalog, complete: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, set[str]]:
    """Per index, the component of one unit that loses the most points, for every index at once:
    what :func:`component_gaps` on the unit's own rows of that index and year puts first (ties by
    component code), among indices whose declared components are all scored (``scored_completely``).

    ``unit_rows``: all rows of one unit; ``chosen``: (index_code, year) pairs, e.g. the profile.
    Returns (the stored component rows with ``points_lost``, one per index at most; the index codes
    whose rows hold a component twice in a year, which only the per-index functions answer).
    ``complete``: :func:`fully_scored` of rows holding the chosen years (:func:`scored_tables`).
    """
    pairs = chosen.lazy().select("index_code", "year")
    own_plan = unit_rows.lazy().join(pairs, on=["index_code", "year"], how="semi", maintain_order="left")
    own_plan = own_plan.filter(_own_component(unit_rows.columns))
    if complete is None:
        own = exprs.collect(own_plan)
        complete = fully_scored(own, catalog)
        own_plan = own.lazy()
    held_twice = own_plan.filter(pl.len().over("index_code", "year", "component") > 1).select("index_code")
    whole = (
        complete.lazy()
        .join(pairs, on=["index_code", "year"], how="semi")
        .select("index_code")
        .unique()
        .join(held_twice.unique(), on="index_code", how="anti")
    )
    lost_plan = (
        own_plan.join(whole, on="index_code", how="semi", maintain_order="left")
        .with_columns(points_lost=(pl.col("max_score") - pl.col("score")).round(9))
        .filter(pl.col("points_lost").is_not_null() & (pl.col("points_lost") > _EPS))
        .sort(["points_lost", "component"], descending=[True, False], maintain_order=True)
        .unique("index_code", keep="first", maintain_order=True)
    )
    twice_codes, lost = exprs.collect_all(held_twice, lost_plan)
    return lost, set(twice_codes.get_column("index_code").to_list())
