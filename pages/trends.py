"""Xu hướng: score, % of max or rank of chosen units over the years, peer average, method breaks."""

import streamlit as st

from chiso.app import downloads as ui_export
from chiso.app import ui
from chiso.i18n import label, t
from chiso.metrics import trends
from chiso.views import pages as page_views
from chiso.views import tables as views

MEASURES = ["score", "pct_of_max", "rank"]


def render() -> None:
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return
    sel = ui.table_picker(dataset, lang)
    if sel is None:
        return
    index = ui.catalog().index(sel.index)
    series = ui.series(dataset, ui.version(dataset), sel.index, sel.peer_group, sel.province)
    title = t("trends.title", lang, index=label(index.short_name, lang))
    ui_export.header(title)
    names = trends.unit_names(series)
    if not names:
        st.info(t("trends.empty", lang))
        return
    chosen = ui.unit_picker(t("sel.units", lang), names, trends.default_units(series, sel.year))
    default_measure = trends.default_measure(series)
    measure = ui.widget(
        st.radio,
        "measure",
        t("sel.measure", lang),
        MEASURES,
        ui.view().get("measure", default_measure),
        fmt=lambda m: t(f"trends.measure.{m}", lang),
        horizontal=True,
    )
    ui.publish(measure=measure if measure != default_measure else None)
    if default_measure == "pct_of_max":
        st.caption(t("trends.scale_changed", lang))
    figure = page_views.trends_figure(series, chosen, measure, index, lang, sel)
    name = page_views.trends_name(series, index, sel)
    ui_export.chart(figure, name=name, source=views.source_line(series, lang), key="trends")
    ui_export.table_buttons(
        page_views.trends_table(series, chosen, lang),
        name=name,
        key="trends_table",
        sources=page_views.trends_sources(series, chosen),
        source_key=t("col.unit", lang),
    )
    st.caption(t("trends.gap_note", lang))


ui.guard(render)
