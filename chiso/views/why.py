"""The rank-change page (Vì sao thay đổi hạng) as one view: a unit's score change between two years
split by component, and who moved past it. ``chiso export why`` writes the same view."""

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
from chiso.views.page import TableExport, file_name, scope_slug, scope_text, titled, unit_name


@dataclass(frozen=True)
class WhySplit:
    """The change split by component (labelled rows) and whether the parts add up to the total."""

    split: pl.DataFrame
    adds_up: bool


@dataclass(frozen=True)
class WhyView:
    sentence: str
    has_components: bool
    adds_up: bool
    figure: go.Figure
    export: TableExport
    source: str
    movers_display: pl.DataFrame  # empty when nobody moved past
    movers: TableExport


def no_earlier_text(tables: pl.DataFrame, catalog, lang: str, dataset: str, year: int) -> str:
    """'No earlier year for this table; these tables have several: …'."""
    links = views.table_links(views.multi_year_tables(tables), catalog, lang, "why", dataset)
    return t("why.no_earlier", lang, year=year, tables=links)


def unit_choices(rows: pl.DataFrame, year: int) -> tuple[dict[str, str], str | None]:
    totals = gaps.totals(rows.filter(pl.col("year") == year))
    return views.unit_names(totals), views.first_unit(totals)


def build(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str, catalog=None
) -> WhyView:
    rows_a, rows_b = rows.filter(pl.col("year") == year_a), rows.filter(pl.col("year") == sel.year)
    found = why_split(rows, unit_id, index, sel, year_a, lang)
    movers = gaps.movers(rows_a, rows_b, unit_id)
    return WhyView(
        sentence=views.change_sentence(rows_a, rows_b, unit_id, index, lang),
        # a component counts only with a score in both years: one year's alone is no change
        # (PCI 2020 → 2021: 2021's ten sub-indices, none in 2020, drew an empty chart)
        has_components=not found.split.filter(
            (pl.col("kind") == "component") & pl.col("change").is_not_null()
        ).is_empty()
        if found.split.height
        else False,
        adds_up=found.adds_up,
        figure=why_figure(rows, unit_id, index, sel, year_a, lang, catalog),
        export=TableExport(
            why_table(rows, unit_id, index, sel, year_a, lang),
            why_name(rows, unit_id, index, sel, year_a),
            why_sources(rows, unit_id, year_a, sel.year, lang),
        ),
        source=views.source_line(rows_b, lang),
        movers_display=views.movers_display(movers, lang) if not movers.is_empty() else movers,
        movers=TableExport(
            movers_table(movers, index, sel, lang),
            file_name("chiso_vuot-hang", sel.index, f"{year_a}-{sel.year}", unit_name(rows, unit_id)),
            movers_sources(rows, movers),
            t("col.unit", lang),
        ),
    )


def why_split(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str
) -> WhySplit:
    """The split with component names, and whether it adds up, for the rank-change chart and table."""
    rows_a, rows_b = rows.filter(pl.col("year") == year_a), rows.filter(pl.col("year") == sel.year)
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    aggregation = index.aggregation_for(sel.province, sel.peer_group, sel.year)
    split = gaps.rank_change_split(rows_a, rows_b, unit_id, aggregation, order=list(names))
    adds_up = bool(split.get_column("adds_up").all()) if split.height else False
    return WhySplit(views.split_labels(split, names, lang), adds_up)


def why_figure(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str, catalog=None
) -> go.Figure:
    found = why_split(rows, unit_id, index, sel, year_a, lang)
    return charts_analysis.change_waterfall(
        found.split,
        adds_up=found.adds_up,
        title=titled(
            f"{label(index.short_name, lang)}: {t('why.chart', lang, year_a=year_a, year_b=sel.year)}",
            unit_name(rows, unit_id),
            scope_text(sel.peer_group, sel.province, lang, catalog),
        ),
        y_label=t("why.change", lang),
        total_label=t("why.total", lang),
        source=views.source_line(rows.filter(pl.col("year") == sel.year), lang),
        decimals=index.decimals_for(sel.province, sel.peer_group, sel.year),
        lang=lang,
    )


def why_table(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str
) -> pl.DataFrame:
    split = why_split(rows, unit_id, index, sel, year_a, lang).split
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    split = split.with_columns(
        *(
            export_sources.rounded(c, decimals)
            for c in ("score_a", "score_b", "change")
            if c in split.columns
        ),
        component=pl.when(pl.col("kind") == "total")
        .then(pl.lit(t("why.total", lang)))
        .otherwise("component"),
    )
    return views.machine_table(
        split.rename({"component": "component_label"}),
        ["component_label", "score_a", "score_b", "change"],
        lang,
    )


def why_sources(rows: pl.DataFrame, unit_id: str, year_a: int, year_b: int, lang: str) -> list[dict]:
    """The unit's sources of each year; each supports that year's column of every row."""
    mine = rows.filter(pl.col("unit_id") == unit_id)
    return export_sources.merge(
        *(
            export_sources.entries(
                mine.filter(pl.col("year") == year),
                None,
                note=t("export.source.year_column", lang, year=year),
            )
            for year in (year_a, year_b)
        )
    )


def why_name(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int) -> str:
    return file_name(
        "chiso_bien-dong", index.code, f"{year_a}-{sel.year}", unit_name(rows, unit_id), *scope_slug(sel)
    )


def movers_table(movers: pl.DataFrame, index: Index, sel: Selection, lang: str) -> pl.DataFrame:
    """Who passed the unit or was passed, numbers rounded as on screen."""
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    rounded = movers.with_columns(
        export_sources.rounded(c, decimals) for c in ("score_a", "score_b", "d_score") if c in movers.columns
    )
    return views.machine_table(
        rounded, ["name", "rank_a", "rank_b", "score_a", "score_b", "d_score", "d_rank"], lang
    )


def movers_sources(rows: pl.DataFrame, movers: pl.DataFrame) -> list[dict]:
    """Each source of the movers' rows (both years) once, with the units it supports."""
    names = movers.get_column("name").to_list() if not movers.is_empty() else []
    return export_sources.entries(
        rows.filter(pl.col("component").is_null() & pl.col("name").is_in(names)), "name"
    )
