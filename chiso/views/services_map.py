"""The online-services ranking on a map: the units of one province ranked on one rate over a
period, drawn by :func:`chiso.views.maps.draw` as the index rankings are (same palette, legend,
outline, hover and export). A unit is hovered with the rank the table gives it, and a unit with
counts but no rate reads "no score"; the map's shapes follow the units' level (districts before
1 July 2025, communes and wards after).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from chiso import geo
from chiso.i18n import t
from chiso.views import maps
from chiso.views import tables as views
from chiso.views.page import titled

SPLIT = date(2025, 7, 1)  # the 34 provinces and two-level local government


def rows(ranked: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """The ranking in the map's columns: the rate is the score; province, code and peer group come
    from the units table; no tiers, no flags."""
    if ranked.is_empty():
        return pl.DataFrame()
    known = units.select("unit_id", "province", "code", "peer_group").unique("unit_id")
    ranking = ranked.drop([c for c in ("province", "code", "peer_group") if c in ranked.columns])
    absent = {"rate_pct": pl.Float64, "rank": pl.Int64, "rank_of": pl.Int64, "source_title": pl.String}
    ranking = ranking.with_columns(
        pl.lit(None, d).alias(c) for c, d in absent.items() if c not in ranking.columns
    )
    out = ranking.join(known, on="unit_id", how="left", maintain_order="left").select(
        "unit_id",
        "name",
        "province",
        "code",
        "peer_group",
        pl.col("rate_pct").cast(pl.Float64).alias("score"),
        pl.col("rank").cast(pl.Int64),
        pl.col("rank_of").cast(pl.Int64),
        pl.lit(None, pl.String).alias("tier_vi"),
        pl.lit(None, pl.String).alias("tier_en"),
        pl.lit(None, pl.String).alias("tier_code"),
        pl.lit(None, pl.Int64).alias("tier_order"),
        pl.lit(None, pl.String).alias("flag"),
        "source_title",
    )
    return out


def scope(ranking: pl.DataFrame, province: str, start: date) -> maps.MapScope | None:
    """The shapes of the ranked units: their peer group's level in the province, on the map of
    the period the counts start in; None for units with no place on a map."""
    if ranking.is_empty():
        return None
    groups = ranking.get_column("peer_group").drop_nulls().mode().to_list()
    level = maps.LEVEL_OF_GROUP.get(groups[0]) if groups else None
    if level in (None, "provinces"):
        return None
    period = maps.NEW if start >= SPLIT else maps.LEGACY
    if level == "districts" and period == maps.NEW:
        return None
    return maps.MapScope(period, level, province)


def build(
    ranking: pl.DataFrame,
    map_scope: maps.MapScope,
    geometry,
    *,
    rate_name: str,
    where: str,
    lang: str,
    selected: str | None = None,
    registry: str = geo.SOURCE,
) -> maps.MapView:
    """The map of the ranking: ``rate_name`` titles it, ``where`` is its second line (period,
    province, level, as over the table)."""
    title = titled(t("dvc.map.title", lang, rate=rate_name), t(f"map.shapes.{map_scope.level}", lang), where)
    source = views.source_line(ranking, lang)
    measure = maps.Measure(2, "%", True, title, source, t("dvc.map.rate", lang))
    return maps.draw(ranking, measure, map_scope, geometry, lang, selected, registry)
