"""Thành phần: which component indices cost a unit points, who does them best, what it takes."""

import streamlit as st

from chiso.app import downloads as ui_export
from chiso.app import ui
from chiso.i18n import label, t
from chiso.metrics import gaps
from chiso.views import findings
from chiso.views import pages as page_views
from chiso.views import tables as views


def render() -> None:
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return
    sel = ui.table_picker(dataset, lang)
    if sel is None:
        return
    index = ui.catalog().index(sel.index)
    rows = ui.table_rows(dataset, ui.version(dataset), sel)
    totals = gaps.totals(rows)
    unit_id = ui.single_unit(t("sel.unit", lang), views.unit_names(totals), views.first_unit(totals))
    ui_export.header(t("gaps.title", lang, index=label(index.short_name, lang), year=sel.year))
    if unit_id is None or gaps.components(rows).is_empty():
        st.info(
            t(
                "gaps.no_components",
                lang,
                tables=views.table_links(
                    ui.component_tables(dataset, ui.version(dataset)).sort("n_units", descending=True),
                    ui.catalog(),
                    lang,
                    "gaps",
                    dataset,
                ),
            )
        )
        return
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    ui.findings_block(findings.unit_findings(rows, unit_id, index, lang, names), lang)
    gap_table = gaps.component_gaps(rows, unit_id, names, higher_is_better=index.higher_is_better)
    st.subheader(t("gaps.table", lang))
    st.dataframe(views.gap_display(gap_table, lang), hide_index=True, width="stretch")
    name = page_views.gaps_name(rows, unit_id, index, sel)
    ui_export.table_buttons(
        views.gap_export(gap_table, lang),
        name=name,
        key="gaps",
        sources=page_views.gaps_sources(rows, unit_id, lang),
    )
    tiers = index.tiers_for(sel.province, sel.peer_group, sel.year)
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    needs = gaps.what_it_takes(
        rows, unit_id, tiers, higher_is_better=index.higher_is_better, decimals=decimals
    )
    st.subheader(t("gaps.what_it_takes", lang))
    for column, (title, value) in zip(
        st.columns(3), views.what_it_takes_cards(needs, decimals, lang), strict=True
    ):
        column.metric(title, value)
    ui_export.chart(
        page_views.gaps_figure(rows, unit_id, index, sel, lang),
        name=name,
        source=views.source_line(rows, lang),
        key="heatmap",
    )


ui.guard(render)
