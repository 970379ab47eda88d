"""Hồ sơ đơn vị: every index for one unit — rank, percentile, tier, change, trend, strengths."""

import streamlit as st

from chiso.app import brief, downloads, memo, page, ui
from chiso.app import editions as app_editions
from chiso.app import lineage as lineage_section
from chiso.app import targets as app_targets
from chiso.views import profile


def render(frame: page.Frame) -> None:
    downloads.warm_renderer()  # the briefing pack's charts and PDF need it: started before the reads
    names, default = memo.shared(
        "profile.units", frame, build=lambda: profile.unit_choices(frame.all_units())
    )
    with st.sidebar:  # folds away on a phone: the first screen is the unit's table
        unit_id = ui.single_unit(frame.t("sel.unit"), names, ui.context_unit(frame.dataset) or default)
    if unit_id is None:
        st.info(frame.t("rankings.no_tables"))
        return
    rows = frame.unit_rows(unit_id)
    years = profile.years(rows)
    with st.sidebar:
        year = ui.year_choice(frame.t("sel.year"), years, years[0], key="year")
    lineage = frame.lineage(unit_id), frame.reorg([unit_id])
    build = lambda: profile.build(rows, year, frame.catalog, frame.lang, *lineage)  # noqa: E731
    view = memo.shared("profile", frame, unit_id, year, build=build)
    downloads.header(frame.t("profile.title", unit=names[unit_id], year=year))
    if view.empty:
        st.info(frame.t("profile.empty", year=year))
        return
    brief.brief_button(frame.dataset, unit_id, year)
    st.subheader(frame.t("profile.indices"))
    ui.dataframe(view.display)
    downloads.table(view.export, key="profile")
    ui.findings_block(view.findings, frame.lang)
    app_targets.section(frame, unit_id=unit_id)
    if view.printed:
        st.markdown(f"**{frame.t('profile.printed')}**")
        for line in view.printed:
            st.markdown(f"- {line}")
    cols = st.columns(min(4, len(view.sparks)))
    for i, spark in enumerate(view.sparks):
        with cols[i % len(cols)]:
            st.caption(spark.caption)
            st.plotly_chart(spark.figure, key=f"spark_{spark.code}", config={"displayModeBar": False})
    if not view.extremes_display.is_empty():
        st.subheader(frame.t("profile.extremes"))
        ui.dataframe(view.extremes_display)
        downloads.table(view.extremes, key="extremes")
    lineage_section.show(view.lineage, frame.lang)
    lineage_section.before_after(view.before_after, view.before_after_notes, frame.lang)
    app_editions.beside(frame, [unit_id])  # e.g. DTI 2024 of 63 provinces beside the 34 shown
    if view.figure is not None:
        downloads.chart(view.figure, name=view.figure_name, source=view.source, key="cross")


page.run(render, table=False)
