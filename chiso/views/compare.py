"""The compare page (So sánh) as one view: two to five units side by side on one index (table and
component bars) and on every index of the year. ``chiso export compare`` writes the same view."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from chiso.config import Index
from chiso.i18n import label, t
from chiso.metrics import gaps
from chiso.selection import Selection
from chiso.views import charts_analysis
from chiso.views import sources as export_sources
from chiso.views import tables as views
from chiso.views.page import TableExport, file_name, index_labels, scope_slug, scope_text, titled


@dataclass(frozen=True)
class CompareView:
    display: pl.DataFrame
    export: TableExport
    indices_display: pl.DataFrame | None  # every index of the compared units (None when not asked)
    indices: TableExport | None
    figure: go.Figure | None  # None when the table has no components
    source: str


def unit_choices(rows: pl.DataFrame) -> tuple[dict[str, str], list[str]]:
    """(unit names, the three units offered first)."""
    names = views.unit_names(gaps.totals(rows))
    return names, list(names)[:3]


def build(
    rows: pl.DataFrame,
    chosen: list[str],
    index: Index,
    sel: Selection,
    catalog,
    lang: str,
    every: pl.DataFrame | None = None,
) -> CompareView:
    """``every`` (the chosen units' rows on every index) adds the all-indices table."""
    picked = rows.filter(pl.col("unit_id").is_in(chosen))
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    indices_display = indices = None
    if every is not None:
        totals = every.filter(pl.col("component").is_null() & (pl.col("year") == sel.year))
        indices_display = views.compare_indices(every, chosen, catalog, sel.year, lang)
        indices = TableExport(
            compare_indices_table(totals, catalog, lang),
            file_name("chiso_so-sanh_cac-chi-so", sel.year, *views.unit_names(totals).values()),
            compare_indices_sources(totals, catalog, lang),
            [t("col.unit", lang), t("sel.index", lang)],
        )
    return CompareView(
        display=views.compare_display(
            picked, chosen, names, lang, index.decimals_for(sel.province, sel.peer_group, sel.year)
        ),
        export=TableExport(
            views.compare_export(picked, chosen, names, lang),
            compare_name(index, sel),
            compare_sources(rows, chosen),
            t("col.unit", lang),
        ),
        indices_display=indices_display,
        indices=indices,
        figure=compare_figure(rows, chosen, index, sel, lang, catalog),
        source=views.source_line(picked, lang),
    )


def compare_figure(
    rows: pl.DataFrame, chosen: list[str], index: Index, sel: Selection, lang: str, catalog=None
) -> go.Figure | None:
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    picked = rows.filter(pl.col("unit_id").is_in(chosen))
    bars = views.compare_frame(picked, chosen, names)
    if bars.is_empty():
        return None
    return charts_analysis.compare_bars(
        bars,
        title=titled(
            t("compare.chart", lang, index=label(index.short_name, lang), year=sel.year),
            scope_text(sel.peer_group, sel.province, lang, catalog),
        ),
        y_label=t("col.pct_of_max", lang),
        source=views.source_line(picked, lang),
        lang=lang,
    )


def compare_table(
    rows: pl.DataFrame, chosen: list[str], index: Index, sel: Selection, lang: str
) -> pl.DataFrame:
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    return views.compare_export(rows.filter(pl.col("unit_id").is_in(chosen)), chosen, names, lang)


def compare_sources(rows: pl.DataFrame, chosen: list[str]) -> list[dict]:
    """Each source of the compared units once, with the units whose rows it supports."""
    return export_sources.entries(rows.filter(pl.col("unit_id").is_in(chosen)), "name")


def compare_indices_table(totals: pl.DataFrame, catalog, lang: str) -> pl.DataFrame:
    """Every index of the compared units in one year, indices named as on screen."""
    return views.machine_table(
        totals.with_columns(index_labels(catalog, lang)),
        ["name", "index_code", "year", "score", "max_score", "rank", "rank_of"],
        lang,
    )


def compare_indices_sources(totals: pl.DataFrame, catalog, lang: str) -> list[dict]:
    """Each source once, with the (unit · index) rows it supports."""
    labelled = totals.with_columns(index_labels(catalog, lang))
    return export_sources.entries(
        labelled, pl.concat_str("name", pl.lit(export_sources.KEY_JOIN), "index_code")
    )


def compare_name(index: Index, sel: Selection) -> str:
    return file_name("chiso_so-sanh", index.code, sel.year, *scope_slug(sel))
