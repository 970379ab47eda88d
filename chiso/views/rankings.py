"""The rankings view as pure functions: the figure, the table with numbers as numbers, its
number formats and its sources. The rankings page, the CLI ``export rankings`` and the
download buttons all call these, so a file leaves the dashboard exactly as the page shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from chiso import exprs, fmt
from chiso.config import Index
from chiso.i18n import label, t
from chiso.metrics.ranks import peer_average
from chiso.selection import Selection
from chiso.views import editions, findings, percentile, strip
from chiso.views import sources as export_sources
from chiso.views import tables as views
from chiso.views.page import TableExport
from chiso.views.sources import number_format


@dataclass(frozen=True)
class RankingsView:
    rows: pl.DataFrame  # the ranking as read (the long import format is written from it)
    index: Index
    sel: Selection
    status: str  # views.table_status: "complete", "incomplete" or "empty"
    sentence: str
    findings: list
    stat_lines: list[str]  # the publisher's own statistics of the table
    figure: go.Figure | None  # None for a large table (the page draws its strip for the chosen
    # unit) and for a table of ranks without scores (``chart_note`` says why)
    display: pl.DataFrame
    average_text: str | None
    export: TableExport
    source: str
    method_notes: list[str]
    description: str
    chart_note: str | None = None


def build(
    ranking: pl.DataFrame,
    index: Index,
    sel: Selection,
    lang: str,
    published: pl.DataFrame | None = None,
    catalog=None,
) -> RankingsView:
    """Everything the rankings page shows for one table; ``published`` are its published statistics."""
    status = views.table_status(ranking)
    declared = index.decimals_for(sel.province, sel.peer_group, sel.year)  # a computed figure's
    decimals = declared if ranking.is_empty() else _decimals(ranking, index)
    average = peer_average(ranking) if status != "empty" else None
    empty = status == "empty"
    # a source that printed ranks only (DDCI 2021 of Bắc Giang): no bar to draw, and it says so
    ranks_only = not empty and ranking.get_column("score").is_null().all()
    return RankingsView(
        rows=ranking,
        index=index,
        sel=sel,
        status=status,
        sentence="" if empty else views.status_sentence(ranking, status, lang),
        findings=[] if empty else findings.ranking_findings(ranking, index, lang),
        stat_lines=[]
        if empty or published is None
        else views.published_stat_lines(published, decimals, lang, index, sel),
        figure=None
        if empty or ranks_only or strip.is_large(ranking)
        else rankings_figure(ranking, index, sel, lang, catalog),
        display=pl.DataFrame() if empty else views.display_table(ranking, index, lang),
        average_text=None
        if average is None
        else t("rankings.peer_average", lang, value=fmt.number(average, declared, lang=lang)),
        export=TableExport(
            rankings_table(ranking, index, lang),
            views.file_name(sel),
            rankings_sources(ranking),
            t("col.unit", lang),
            rankings_number_formats(ranking, index, lang),
        ),
        source=views.source_line(ranking, lang),
        method_notes=[
            t("rankings.method_change", lang, year=change.year, note=label(change.note, lang))
            for change in index.method_changes
            if change.year == sel.year and change.applies(sel.province, sel.peer_group)
        ],
        description=label(index.description, lang),
        chart_note=t("rankings.ranks_only_chart", lang) if ranks_only else None,
    )


def rankings_sources(ranking: pl.DataFrame) -> list[dict]:
    """Each source of a ranked table once, with the units whose rows it supports."""
    return export_sources.entries(ranking, "name")


def rankings_figure(
    ranking: pl.DataFrame, index: Index, sel: Selection, lang: str, catalog=None
) -> go.Figure:
    """The bar chart of pages/rankings.py: title, scale on the axis, peer average, source line;
    a large table (over ``strip.LARGE`` units) draws its top and bottom 10 instead."""
    if strip.is_large(ranking):
        rows = strip.strip_rows(ranking, None, strip.DEFAULT_N)
        return strip.strip_figure(ranking, rows, index, sel, lang, strip.DEFAULT_N, catalog)
    title = t("rankings.chart_title", lang, index=label(index.short_name, lang), year=sel.year)
    return strip.bar_figure(ranking, ranking, index, sel, lang, title, catalog)


def _headers(ranking: pl.DataFrame, index: Index, lang: str) -> dict[str, str]:
    first = ranking.row(0, named=True)
    unit = views.scale_label(index, first["province"], first["peer_group"], first["year"], lang)
    return {
        "rank": t("col.rank", lang),
        "rank_of": t("export.col.rank_of", lang),
        "unit": t("col.unit", lang),
        "score": t("col.score", lang, unit=unit),
        "pct_of_max": t("col.pct_of_max", lang),
        "printed": t("export.col.printed", lang),
        "tier": t("col.tier", lang),
        "d_score": t("col.d_score", lang),
        "d_rank": t("col.d_rank", lang),
        "printed_change": t("export.col.printed_change", lang),
        "printed_rank_change": t("export.col.printed_rank_change", lang),
        "note": t("col.note", lang),
        "source": t("col.source", lang),
    }


def _decimals(ranking: pl.DataFrame, index: Index) -> int:
    """The table's decimals: the declared ones, more where a source printed more (fmt.printed_places)."""
    first = ranking.row(0, named=True)
    declared = index.decimals_for(first["province"], first["peer_group"], first["year"])
    return fmt.printed_places(ranking.get_column("score"), declared)


def rankings_table(ranking: pl.DataFrame, index: Index, lang: str) -> pl.DataFrame:
    """The rows and columns of the page's table, numbers kept as numbers (for CSV and XLSX).

    The page shows ``3/19``; the file has ``Hạng`` 3 and ``Trên tổng số`` 19. Δ hạng is positive
    when the unit moved up (the page's ▲). Empty cells are nulls, not dashes.
    """
    if ranking.is_empty():
        return pl.DataFrame()
    names = _headers(ranking, index, lang)
    decimals = _decimals(ranking, index)
    notes = [views.rank_note(row, lang, index) or None for row in ranking.iter_rows(named=True)]
    tiers = [views.tier_text(row, index, lang) or None for row in ranking.iter_rows(named=True)]
    half_up = pl.Float64

    def rounded(column: str, places: int) -> pl.Expr:
        return exprs.round_half_up(column, places).cast(half_up)

    return ranking.select(
        pl.col("rank").cast(pl.Int64).alias(names["rank"]),
        pl.col("rank_of").cast(pl.Int64).alias(names["rank_of"]),
        percentile.whole().alias(t("col.percentile", lang)),
        pl.col("name").alias(names["unit"]),
        pl.col("score").cast(pl.Float64).alias(names["score"]),
        rounded("pct_of_max", 2).alias(names["pct_of_max"]),
        pl.col("printed").alias(names["printed"]),  # as the source printed it: '96,04 %' beside 96.03
        pl.Series(names["tier"], tiers, dtype=pl.String),
        rounded("d_score", decimals).alias(names["d_score"]),
        pl.col("d_rank").cast(pl.Int64).alias(names["d_rank"]),
        pl.col("printed_change").alias(names["printed_change"]),
        pl.col("printed_rank_change").alias(names["printed_rank_change"]),
        pl.Series(names["note"], notes, dtype=pl.String),
        pl.col("source_title").alias(names["source"]),
    ).pipe(editions.with_column, ranking, index, lang)


def rankings_number_formats(ranking: pl.DataFrame, index: Index, lang: str) -> dict[str, str]:
    """Excel number formats for the table: the index's decimals, signed changes, whole ranks."""
    if ranking.is_empty():
        return {}
    names = _headers(ranking, index, lang)
    score = number_format(_decimals(ranking, index))
    return {
        names["rank"]: "0",
        names["rank_of"]: "0",
        t("col.percentile", lang): "0",
        names["score"]: score,
        names["pct_of_max"]: number_format(2),
        names["d_score"]: f"+{score};-{score};{score}",
        names["d_rank"]: "+0;-0;0",
    }


def data_date(meta: dict[str, str], lang: str) -> str:
    """'Dữ liệu cập nhật 21/11/2026' from the database's build time; demo data say so."""
    built = (meta.get("built_at") or "")[:10]
    parts = []
    if meta.get("dataset") == "demo":
        parts.append(t("export.demo_mark", lang))
    if len(built) == 10:
        year, month, day = built.split("-")
        parts.append(t("export.data_date", lang, date=f"{day}/{month}/{year}" if lang == "vi" else built))
    return " · ".join(parts)
