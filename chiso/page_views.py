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
