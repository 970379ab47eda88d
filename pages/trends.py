"""Xu hướng: score, % of max or rank of chosen units over the years, peer average, method breaks."""

import streamlit as st

from chiso.app import downloads, memo, page, ui
from chiso.app import editions as app_editions
from chiso.app import lineage as lineage_section
from chiso.views import trends


def render(frame: page.Frame) -> None:
    series = frame.series()
    downloads.header(frame.t("trends.title", index=frame.label(frame.index.short_name)))
    offer = memo.shared("trends.units", frame, build=lambda: trends.choices(series, frame.sel.year))
    if not offer.names:
        st.info(frame.t("trends.empty"))
        return
    with st.sidebar:  # folds away on a phone: the first screen is the chart
        chosen = ui.unit_picker(frame.t("sel.units"), offer.names, offer.default_units)
    measure = ui.widget(
        st.radio,
        "measure",
        frame.t("sel.measure"),
        trends.MEASURES,
        ui.view().get("measure", offer.default_measure),
        fmt=lambda m: frame.t(f"trends.measure.{m}"),
        horizontal=True,
    )
    ui.publish(measure=measure if measure != offer.default_measure else None)
    view = memo.shared(
        "trends",
        frame,
        tuple(chosen),
        measure,
        build=lambda: trends.build(
            series,
            chosen,
            measure,
            frame.index,
            frame.sel,
            frame.lang,
            frame.catalog,
            frame.reorg(chosen, frame.sel.index),
        ),
    )
    said = {"scale_changed": view.scale_changed, "rank_as_percentile": view.rank_as_percentile}
    for key in [k for k, shown in (said | {"score_as_pct": view.score_as_pct}).items() if shown]:
        st.caption(frame.t(f"trends.{key}"))
    downloads.chart(  # the flags' notes under the chart and in its images
        view.figure, name=view.export.name, source=view.source, key="trends", notes=view.break_notes
    )
    lineage_section.notes(view.reorg_notes, frame.lang)
    app_editions.beside(frame, chosen, frame.sel.index)  # DTI 2024 of 63 provinces beside the 34 drawn
    downloads.table(view.export, key="trends_table")
    st.caption(frame.t("trends.year_note", year=frame.sel.year) + " " + frame.t("trends.gap_note"))


page.run(render)
