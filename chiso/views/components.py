"""The components page (Thành phần, ``pages/gaps.py``) as one view: where a unit loses points,
what it takes to reach the next tier, and the peers × components heatmap. ``chiso export gaps``
writes the same view."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from chiso.config import Index
from chiso.i18n import label, t
from chiso.metrics import gaps
from chiso.selection import Selection
from chiso.views import charts_analysis, findings
from chiso.views import sources as export_sources
from chiso.views import tables as views
from chiso.views.page import TableExport, file_name, scope_slug, scope_text, titled, unit_name


@dataclass(frozen=True)
class ComponentsView:
    findings: list
    display: pl.DataFrame  # the gap table as shown
    export: TableExport  # the gap table as it leaves
    cards: list[tuple[str, str]]  # what it takes: (title, value) per card
    figure: go.Figure
    source: str


def has_components(rows: pl.DataFrame) -> bool:
    return not gaps.components(rows).is_empty()


def unit_choices(rows: pl.DataFrame) -> tuple[dict[str, str], str | None]:
    """(unit names, the default unit) of a table."""
    totals = gaps.totals(rows)
    return views.unit_names(totals), views.first_unit(totals)


def no_components_text(component_tables: pl.DataFrame, catalog, lang: str, dataset: str) -> str:
    """'This table has no components; these do: …' with links to the tables that have them."""
    links = views.table_links(
        component_tables.sort("n_units", descending=True), catalog, lang, "gaps", dataset
    )
    return t("gaps.no_components", lang, tables=links)


def build(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, lang: str, catalog=None
) -> ComponentsView:
    where = (sel.province, sel.peer_group, sel.year)
    names = gaps.component_names(index, *where, lang)
    gap_table = gaps.component_gaps(rows, unit_id, names, higher_is_better=index.higher_is_better)
    tiers = index.tiers_for(sel.province, sel.peer_group, sel.year)
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    needs = gaps.what_it_takes(
        rows, unit_id, tiers, higher_is_better=index.higher_is_better, decimals=decimals, gap_table=gap_table
    )
    return ComponentsView(
        findings=findings.unit_findings(rows, unit_id, index, lang, names),
        display=views.gap_display(
            gap_table,
            lang,
            inferred=gaps.component_max_inferred(index, *where),
            declared=decimals,
        ),
        export=TableExport(
            views.gap_export(gap_table, lang, views.gap_notes(gap_table, index, *where, lang)),
            gaps_name(rows, unit_id, index, sel),
            gaps_sources(rows, unit_id, lang),
        ),
        cards=views.what_it_takes_cards(needs, decimals, lang),
        figure=gaps_figure(rows, unit_id, index, sel, lang, catalog),
        source=views.source_line(rows, lang),
    )


def gaps_figure(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, lang: str, catalog=None
) -> go.Figure:
    """The peers × components heatmap (% of maximum) with the unit marked."""
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    return charts_analysis.gap_heatmap(
        gaps.heatmap_matrix(rows, names),
        chosen=unit_id,
        title=titled(
            f"{label(index.short_name, lang)} {sel.year}: {t('gaps.heatmap', lang)}",
            unit_name(rows, unit_id),
            scope_text(sel.peer_group, sel.province, lang, catalog),
        ),
        x_label=t("col.pct_of_max", lang),
        source=views.source_line(rows, lang),
        lang=lang,
        names=names,
    )


def gaps_sources(rows: pl.DataFrame, unit_id: str, lang: str) -> list[dict]:
    """The unit's own source supports every row; its peers' sources the peer mean and best columns."""
    totals = rows.filter(pl.col("component").is_not_null())
    own = export_sources.entries(totals.filter(pl.col("unit_id") == unit_id), None)
    peers = totals.filter(pl.col("unit_id") != unit_id)
    n_peers = peers.get_column("unit_id").n_unique()
    return export_sources.merge(
        own,
        export_sources.entries(peers, None, note=t("export.source.peer_columns", lang, n=n_peers)),
    )


def gaps_name(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection) -> str:
    return file_name("chiso_thanh-phan", index.code, sel.year, unit_name(rows, unit_id), *scope_slug(sel))
