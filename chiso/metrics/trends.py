"""Multi-year series for the trends page: pure Polars over the ``series`` query."""

from __future__ import annotations

import polars as pl

from chiso.i18n import label


def unit_names(series: pl.DataFrame) -> dict[str, str]:
    """unit_id -> name, for the units with at least one score or rank."""
    named = series.select("unit_id", "name").unique().sort("name")
    return dict(named.rows())


def default_units(series: pl.DataFrame, year: int, chosen: str | None = None, n: int = 3) -> list[str]:
    """The top ``n`` of the selected year (by rank) among units with a score that year (a unit
    known only by its published rank would open an empty score chart), plus the chosen unit when
    given; a rank-only year falls back to the ranks."""
    ranked = series.filter((pl.col("year") == year) & pl.col("rank").is_not_null())
    scored = ranked.filter(pl.col("score").is_not_null())
    top = (scored if scored.height else ranked).sort("rank", "name").head(n).get_column("unit_id").to_list()
    if chosen and chosen not in top:
        top.append(chosen)
    return top


def year_span(series: pl.DataFrame) -> list[int]:
    """Every calendar year from the first to the last with data: gaps stay visible."""
    if series.is_empty():
        return []
    first, last = series.get_column("year").min(), series.get_column("year").max()
    return list(range(int(first), int(last) + 1))


def peer_average_by_year(series: pl.DataFrame, measure: str = "score") -> pl.DataFrame | None:
    """The peer mean of each year, on the chart's measure; None for ranks (no average rank)."""
    if measure == "rank":
        return None
    value = pl.col("peer_mean") if measure == "score" else pl.col("peer_mean") / pl.col("max_score") * 100
    return (
        series.filter(pl.col("peer_mean").is_not_null())
        .group_by("year")
        .agg(value.first().alias("value"))
        .sort("year")
    )


def default_measure(series: pl.DataFrame) -> str:
    """Scores, unless the maximum changed over the years (DTI: 0–1, then 1000): then % of maximum."""
    return "pct_of_max" if series.get_column("max_score").n_unique() > 1 else "score"


def method_breaks(
    index, years: list[int], lang: str, province: str | None = None, peer_group: str | None = None
) -> list[tuple[int, str]]:
    """Method changes from the config that fall inside the charted years and concern the table's
    province and peer group (None: any), one per year with its notes joined (' · '), in year order."""
    if not years:
        return []
    return merged_breaks(
        (c.year, label(c.note, lang))
        for c in index.method_changes
        if min(years) < c.year <= max(years) and c.applies(province, peer_group)
    )


def merged_breaks(breaks) -> list[tuple[int, str]]:
    """(year, note) breaks one per year, a year's distinct notes joined with ' · ', in year order:
    a chart draws one dotted rule and one flag a year."""
    merged: dict[int, list[str]] = {}
    for year, note in sorted(breaks):
        if note not in merged.setdefault(year, []):
            merged[year].append(note)
    return [(year, " · ".join(notes)) for year, notes in merged.items()]
