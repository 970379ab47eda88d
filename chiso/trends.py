"""Multi-year series for the trends page: pure Polars over the ``series`` query."""

from __future__ import annotations

import polars as pl


def unit_names(series: pl.DataFrame) -> dict[str, str]:
    """unit_id -> name, for the units with at least one score or rank."""
    named = series.select("unit_id", "name").unique().sort("name")
    return dict(named.rows())


def default_units(series: pl.DataFrame, year: int, chosen: str | None = None, n: int = 3) -> list[str]:
    """The top ``n`` of the selected year (by rank), plus the chosen unit when given."""
    top = (
        series.filter((pl.col("year") == year) & pl.col("rank").is_not_null())
        .sort("rank", "name")
        .head(n)
        .get_column("unit_id")
        .to_list()
    )
    if chosen and chosen not in top:
        top.append(chosen)
    return top


def year_span(series: pl.DataFrame) -> list[int]:
    """Every calendar year from the first to the last with data: gaps stay visible."""
    if series.is_empty():
        return []
    first, last = series.get_column("year").min(), series.get_column("year").max()
    return list(range(int(first), int(last) + 1))


def peer_average_by_year(series: pl.DataFrame) -> pl.DataFrame:
    """The peer mean of each year (the same for every unit of a table)."""
    return (
        series.filter(pl.col("peer_mean").is_not_null())
        .group_by("year")
        .agg(pl.col("peer_mean").first().alias("value"))
        .sort("year")
    )
