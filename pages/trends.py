"""Xu hướng: score or rank of chosen units over the years, with the peer average and method breaks."""

import streamlit as st

from chiso import charts, trends, ui, views
from chiso.i18n import label, t


def render() -> None:
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return
    sel = ui.table_picker(dataset, lang)
    if sel is None:
        return
    index = ui.catalog().index(sel.index)
    series = ui.series(dataset, ui.version(dataset), sel.index, sel.peer_group, sel.province)
    st.header(t("trends.title", lang, index=label(index.short_name, lang)))
    names = trends.unit_names(series)
    if not names:
        st.info(t("trends.empty", lang))
        return
    default = trends.default_units(series, sel.year)
    chosen = ui.unit_picker(t("sel.units", lang), names, default)
    measure = ui.widget(
        st.radio,
        "measure",
        t("sel.measure", lang),
        ["score", "rank"],
        ui.view().get("measure", "score"),
        fmt=lambda m: t(f"trends.measure.{m}", lang),
        horizontal=True,
    )
    ui.publish(measure=measure if measure != "score" else None)
    picked = series.filter(series["unit_id"].is_in(chosen))
    years = trends.year_span(series)
    unit = label(index.unit, lang)
    figure = charts.trend_lines(
        picked,
        years=years,
        measure=measure,
        title=t("trends.title", lang, index=label(index.short_name, lang)),
        y_label=t("chart.rank", lang) if measure == "rank" else f"{t('chart.score', lang)} ({unit})",
        year_label=t("chart.year", lang),
        average=trends.peer_average_by_year(series) if measure == "score" else None,
        average_label=t("chart.peer_average", lang),
        breaks=[
            (c.year, label(c.note, lang))
            for c in index.method_changes
            if years and min(years) < c.year <= max(years)
        ],
        source=views.source_line(picked, lang),
        lang=lang,
    )
    st.plotly_chart(
        figure, config={"toImageButtonOptions": {"filename": f"chiso_xu-huong_{sel.index}", "scale": 3}}
    )
    st.caption(t("trends.gap_note", lang))


ui.guard(render)
