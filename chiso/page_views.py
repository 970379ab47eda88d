"""The main chart and table of the trends and components pages as pure functions, shared by
the pages and ``chiso export`` so a file leaves exactly as the page shows it."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from chiso import charts, charts_analysis, gaps, trends, views
from chiso.config import Index
from chiso.i18n import label, t
from chiso.selection import Selection


def trends_figure(
    series: pl.DataFrame, chosen: list[str], measure: str, index: Index, lang: str
) -> go.Figure:
    """Score, % of maximum or rank of the chosen units over every year, with the peer average."""
    years = trends.year_span(series)
    y_labels = {
        "score": f"{t('chart.score', lang)} ({views.series_scale(index, series, lang)})",
        "pct_of_max": t("col.pct_of_max", lang),
        "rank": t("chart.rank", lang),
    }
    return charts.trend_lines(
        series.filter(pl.col("unit_id").is_in(chosen)),
        years=years,
        measure=measure,
        title=t("trends.title", lang, index=label(index.short_name, lang)),
        y_label=y_labels[measure],
        year_label=t("chart.year", lang),
        average=trends.peer_average_by_year(series, measure),
        average_label=t("chart.peer_average", lang),
        breaks=trends.method_breaks(index, years, lang),
        source=views.source_line(series, lang),
        lang=lang,
    )


TREND_EXPORT = ["name", "year", "score", "max_score", "pct_of_max", "rank", "rank_of"]


def trends_table(series: pl.DataFrame, chosen: list[str], lang: str) -> pl.DataFrame:
    """The chosen units' yearly values, numbers as numbers (for CSV and XLSX)."""
    picked = series.filter(pl.col("unit_id").is_in(chosen)).sort("name", "year")
    return views.machine_table(picked, TREND_EXPORT, lang)


def gaps_figure(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, lang: str) -> go.Figure:
    """The peers × components heatmap (% of maximum) with the unit marked."""
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    return charts_analysis.gap_heatmap(
        gaps.heatmap_matrix(rows, names),
        chosen=unit_id,
        title=t("gaps.heatmap", lang),
        x_label=t("col.pct_of_max", lang),
        source=views.source_line(rows, lang),
        lang=lang,
        names=names,
    )


def gaps_table(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, lang: str) -> pl.DataFrame:
    """The unit's points lost per component, largest first, numbers as numbers."""
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    table = gaps.component_gaps(rows, unit_id, names, higher_is_better=index.higher_is_better)
    return views.gap_export(table, lang)


def profile_figure(rows: pl.DataFrame, year: int, catalog, lang: str) -> go.Figure | None:
    """The unit's percentile on each index (the profile page's chart); None with fewer than two."""
    cross = views.cross_index_frame(gaps.cross_index(gaps.profile(rows, year, catalog.codes)), catalog, lang)
    if cross.height < 2:
        return None
    return charts_analysis.percentile_bars(
        cross,
        title=t("profile.cross_index", lang),
        x_label=t("profile.percentile", lang),
        source=views.source_line(rows, lang),
        lang=lang,
    )


def profile_table(rows: pl.DataFrame, year: int, catalog, lang: str) -> pl.DataFrame:
    return views.profile_export(gaps.profile(rows, year, catalog.codes), lang)


def compare_figure(
    rows: pl.DataFrame, chosen: list[str], index: Index, sel: Selection, lang: str
) -> go.Figure | None:
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    picked = rows.filter(pl.col("unit_id").is_in(chosen))
    bars = views.compare_frame(picked, chosen, names)
    if bars.is_empty():
        return None
    return charts_analysis.compare_bars(
        bars,
        title=t("compare.chart", lang, index=label(index.short_name, lang), year=sel.year),
        y_label=t("col.pct_of_max", lang),
        source=views.source_line(picked, lang),
        lang=lang,
    )


def compare_table(
    rows: pl.DataFrame, chosen: list[str], index: Index, sel: Selection, lang: str
) -> pl.DataFrame:
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    return views.compare_export(rows.filter(pl.col("unit_id").is_in(chosen)), chosen, names, lang)


def why_split(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str):
    """(split with component names, whether it adds up) for the rank-change chart and table."""
    rows_a, rows_b = rows.filter(pl.col("year") == year_a), rows.filter(pl.col("year") == sel.year)
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    aggregation = index.aggregation_for(sel.province, sel.peer_group, sel.year)
    split = gaps.rank_change_split(rows_a, rows_b, unit_id, aggregation, order=list(names))
    return views.split_labels(split, names, lang), bool(
        split.get_column("adds_up").all()
    ) if split.height else False


def why_figure(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str
) -> go.Figure:
    split, adds_up = why_split(rows, unit_id, index, sel, year_a, lang)
    return charts_analysis.change_waterfall(
        split,
        adds_up=adds_up,
        title=t("why.chart", lang, year_a=year_a, year_b=sel.year),
        y_label=t("why.change", lang),
        total_label=t("why.total", lang),
        source=views.source_line(rows.filter(pl.col("year") == sel.year), lang),
        decimals=index.decimals_for(sel.province, sel.peer_group, sel.year),
        lang=lang,
    )


def why_table(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str
) -> pl.DataFrame:
    split, _ = why_split(rows, unit_id, index, sel, year_a, lang)
    split = split.with_columns(
        component=pl.when(pl.col("kind") == "total").then(pl.lit(t("why.total", lang))).otherwise("component")
    )
    return views.machine_table(
        split.rename({"component": "component_label"}),
        ["component_label", "score_a", "score_b", "change"],
        lang,
    )
