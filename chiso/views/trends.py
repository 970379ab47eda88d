"""The trends page (Xu hướng) as one view: the lines of the chosen units over the years, the
peer average and method breaks, and the yearly values as a table. ``chiso export trends`` writes
the same view."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from chiso.columns import TREND_EXPORT
from chiso.config import Index
from chiso.i18n import label, t
from chiso.metrics import trends
from chiso.selection import Selection
from chiso.views import charts, percentile, reorg_series
from chiso.views import sources as export_sources
from chiso.views import tables as views
from chiso.views.page import TableExport, file_name, scope_slug, scope_text, titled

MEASURES = ["score", "pct_of_max", "rank"]


@dataclass(frozen=True)
class TrendsChoices:
    """What the page offers before anything is drawn: the units, the default units and measure."""

    names: dict[str, str]
    default_units: list[str]
    default_measure: str


@dataclass(frozen=True)
class TrendsView:
    figure: go.Figure
    export: TableExport
    source: str
    scale_changed: bool  # the default measure is % of maximum because the scale changed
    rank_as_percentile: bool = False  # ranks out of different N: the chart shows the percentile
    score_as_pct: bool = False  # scores on different maxima drawn: the chart shows % of maximum
    reorg_notes: tuple[str, ...] = ()  # predecessors' lines, the break and the back-cast, explained
    break_notes: tuple[str, ...] = ()  # '⚑ 2022: …': what each flag of the chart marks


def choices(series: pl.DataFrame, year: int | None) -> TrendsChoices:
    if series.is_empty():
        return TrendsChoices({}, [], "score")
    year = year if year is not None else int(series.get_column("year").max())
    return TrendsChoices(
        trends.unit_names(series), trends.default_units(series, year), trends.default_measure(series)
    )


def build(
    series: pl.DataFrame,
    chosen: list[str],
    measure: str,
    index: Index,
    sel: Selection,
    lang: str,
    catalog=None,
    reorg=None,
) -> TrendsView:
    """``reorg``: (predecessor edges, their totals) of the chosen units from the store, or None."""
    additions = _additions(series, chosen, index, sel, lang, reorg)
    plotted = _plotted(series, chosen, additions)
    breaks = _breaks(_years(series, plotted), index, sel, lang, additions)
    return TrendsView(
        figure=trends_figure(series, chosen, measure, index, lang, sel, catalog, additions, breaks),
        export=TableExport(
            trends_table(plotted, None, lang),
            trends_name(series, index, sel),
            trends_sources(plotted, None),
            t("col.unit", lang),
        ),
        source=views.source_line(series, lang),
        scale_changed=trends.default_measure(series) == "pct_of_max",
        rank_as_percentile=drawn_measure(plotted, measure) == "percentile",
        score_as_pct=measure == "score" and drawn_measure(plotted, measure) == "pct_of_max",
        reorg_notes=tuple(additions.notes) if additions else (),
        break_notes=tuple(f"⚑ {year}: {note}" for year, note in breaks),  # under the chart (no hover)
    )


def _additions(series, chosen, index, sel, lang, reorg) -> reorg_series.TrendAdditions | None:
    if reorg is None or series.is_empty():
        return None
    national = sel is not None and sel.province == ""
    return reorg_series.for_trends(series, chosen, *reorg, index, national, lang)


def scales_differ(plotted: pl.DataFrame) -> bool:
    """The lines drawn hold scores on different maxima (a unit's own years on one scale, its
    predecessors' on an older one: DTI 0–1, then 1.000): one score axis would misstate them."""
    return plotted.get_column("max_score").drop_nulls().n_unique() > 1


def drawn_measure(plotted: pl.DataFrame, measure: str) -> str:
    """The measure the chart draws for the one asked: ranks out of different N as percentiles,
    scores out of different maxima as % of maximum (neither compares across them as it is)."""
    if measure == "rank" and percentile.n_changes(plotted):
        return "percentile"
    if measure == "score" and scales_differ(plotted):
        return "pct_of_max"
    return measure


def _plotted(series, chosen, additions) -> pl.DataFrame:
    own = series.filter(pl.col("unit_id").is_in(chosen))
    if additions is None:
        return own
    return pl.concat([reorg_series.split_own(own, additions), additions.rows], how="diagonal_relaxed")


def _years(series: pl.DataFrame, plotted: pl.DataFrame) -> list[int]:
    """The chart's years: the peer table's and the plotted lines' (predecessors' included)."""
    return trends.year_span(
        pl.concat([series.select("year"), plotted.select("year")], how="vertical_relaxed")
    )


def trends_figure(
    series: pl.DataFrame,
    chosen: list[str],
    measure: str,
    index: Index,
    lang: str,
    sel: Selection | None = None,
    catalog=None,
    additions: reorg_series.TrendAdditions | None = None,
    breaks: list[tuple[int, str]] | None = None,
) -> go.Figure:
    """Score, % of maximum or rank of the chosen units over every year, with the peer average;
    with ``additions``, the predecessors' lines and the reorganisation's break; ``breaks``: the
    flags (:func:`_breaks`) when the caller has them."""
    plotted = _plotted(series, chosen, additions)
    years = _years(series, plotted)
    if breaks is None:
        breaks = _breaks(years, index, sel, lang, additions)
    measure = drawn_measure(plotted, measure)
    if measure == "percentile":  # the share of peers ranked below, comparable across N
        plotted = percentile.with_percentile(plotted)
    y_labels = {
        "percentile": t("trends.percentile_axis", lang),
        "score": f"{t('chart.score', lang)} ({views.series_scale(index, series, lang)})",
        "pct_of_max": t("col.pct_of_max", lang),
        "rank": t("chart.rank", lang),
    }
    fig = charts.trend_lines(
        plotted,
        years=years,
        measure=measure,
        title=titled(
            f"{t('trends.title', lang, index=label(index.short_name, lang))} {_span(years)}",
            scope_text(sel.peer_group, sel.province, lang, catalog) if sel else "",
        ),
        y_label=y_labels[measure],
        year_label=t("chart.year", lang),
        average=trends.peer_average_by_year(series, measure),
        average_label=t("chart.peer_average", lang),
        breaks=breaks,
        source=views.source_line(series, lang),
        lang=lang,
        # the picked year: shaded, and its top units are the default
        shaded=sel.year if sel is not None and sel.year in years else None,
    )
    return fig


def _breaks(years: list[int], index: Index, sel, lang: str, additions) -> list[tuple[int, str]]:
    """The chart's breaks, one per year (a method change and a reorganisation in the same year
    share one dotted line and one flag, their notes joined): (year, note), in year order."""
    found = trends.method_breaks(index, years, lang, *((sel.province, sel.peer_group) if sel else ()))
    return trends.merged_breaks(found + (additions.breaks if additions else []))


def _span(years: list[int]) -> str:
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def trends_table(series: pl.DataFrame, chosen: list[str] | None, lang: str) -> pl.DataFrame:
    """The chosen units' yearly values (every row when ``chosen`` is None: the chart's rows, the
    predecessors' lines included), numbers as numbers rounded as on screen (CSV and XLSX)."""
    picked = (series if chosen is None else series.filter(pl.col("unit_id").is_in(chosen))).sort(
        "name", "year"
    )
    # each year's doubt flag and a rank read from list order, as the page's table notes them
    # (a trend's file had none: PCI 2021's inferred year, Hà Nội PAR 2022's listed rank)
    listed = pl.when(pl.col("rank_basis") == "list_order").then(pl.lit(t("rank.basis.list_order", lang)))
    flagged = pl.when(pl.col("flag").is_not_null()).then(pl.lit("⚑ ") + pl.col("flag"))
    note = pl.concat_str([listed, flagged], separator="; ", ignore_nulls=True).alias("note")
    return views.machine_table(
        picked.with_columns(export_sources.rounded("pct_of_max", 2), note), [*TREND_EXPORT, "note"], lang
    )


def trends_sources(series: pl.DataFrame, chosen: list[str] | None) -> list[dict]:
    """Each source of the chosen units' rows (every row when None) once, with the units whose rows
    it supports."""
    picked = series if chosen is None else series.filter(pl.col("unit_id").is_in(chosen))
    return export_sources.entries(picked.sort("name", "year"), "name")


def trends_name(series: pl.DataFrame, index: Index, sel: Selection) -> str:
    years = trends.year_span(series)
    return file_name("chiso_xu-huong", index.code, _span(years).replace("–", "-"), *scope_slug(sel))
