"""So sánh: two to five units side by side on one index — totals and components on % of maximum."""

import streamlit as st

from chiso.app import downloads as ui_export
from chiso.app import ui
from chiso.i18n import label, t
from chiso.metrics import gaps
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
    names = views.unit_names(gaps.totals(rows))
    ui_export.header(t("compare.title", lang, index=label(index.short_name, lang), year=sel.year))
    chosen = ui.unit_picker(t("compare.units", lang), names, list(names)[:3], max_units=5)
    if len(chosen) < 2:
        st.info(t("compare.pick_two", lang))
        return
    picked = rows.filter(rows["unit_id"].is_in(chosen))
    component_names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    st.dataframe(
        views.compare_display(picked, chosen, component_names, lang), hide_index=True, width="stretch"
    )
    name = page_views.compare_name(index, sel)
    ui_export.table_buttons(
        views.compare_export(picked, chosen, component_names, lang),
        name=name,
        key="compare",
        sources=page_views.compare_sources(rows, chosen),
        source_key=t("col.unit", lang),
    )
    st.subheader(t("compare.all_indices", lang, year=sel.year))
    every = ui.units_rows(dataset, ui.version(dataset), tuple(chosen))
    st.dataframe(
        views.compare_indices(every, chosen, ui.catalog(), sel.year, lang), hide_index=True, width="stretch"
    )
    totals = every.filter(every["component"].is_null() & (every["year"] == sel.year))
    ui_export.table_buttons(
        page_views.compare_indices_table(totals, ui.catalog(), lang),
        name=page_views.file_name("chiso_so-sanh_cac-chi-so", sel.year, *views.unit_names(totals).values()),
        key="compare_indices",
        sources=page_views.compare_indices_sources(totals, ui.catalog(), lang),
        source_key=[t("col.unit", lang), t("sel.index", lang)],
    )
    bars = views.compare_frame(picked, chosen, component_names)
    if bars.is_empty():
        st.info(t("compare.no_components", lang))
        return
    ui_export.chart(
        page_views.compare_figure(rows, chosen, index, sel, lang),
        name=name,
        source=views.source_line(picked, lang),
        key="compare",
    )


ui.guard(render)
