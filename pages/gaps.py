"""Thành phần: which component indices cost a unit points, who does them best, what it takes."""

import streamlit as st

from chiso.app import downloads, maps, memo, page, ui
from chiso.app import targets as app_targets
from chiso.views import components


def render(frame: page.Frame) -> None:
    sel, index = frame.sel, frame.index
    rows = frame.table_rows()
    names, default = memo.shared("gaps.units", frame, build=lambda: components.unit_choices(rows))
    with st.sidebar:  # folds away on a phone
        unit_id = ui.single_unit(frame.t("sel.unit"), names, default)
    downloads.header(frame.t("gaps.title", index=frame.label(index.short_name), year=sel.year))
    app_targets.section(frame, index=index.code, unit_id=unit_id)
    if unit_id is None or not components.has_components(rows):
        text = components.no_components_text(
            frame.component_tables(), frame.catalog, frame.lang, frame.dataset
        )
        st.info(text)
        return
    build = lambda: components.build(rows, unit_id, index, sel, frame.lang, frame.catalog)  # noqa: E731
    view = memo.shared("gaps", frame, unit_id, build=build)
    ui.findings_block(view.findings, frame.lang)
    st.subheader(frame.t("gaps.table"))
    ui.dataframe(view.display)
    downloads.table(view.export, key="gaps")
    st.subheader(frame.t("gaps.what_it_takes"))
    for column, (title, value) in zip(st.columns(3), view.cards, strict=True):
        with column.container(border=True):  # whole words: a metric would cut "Đã ở xếp loại cao n…"
            st.caption(title)
            st.markdown(f"**{value}**")
    # The heatmap, or the peers' map with this unit outlined (the same toggle as Rankings).
    maps.chart_or_map(frame, view, frame.ranking(), selected=unit_id, key="heatmap")


page.run(render)
