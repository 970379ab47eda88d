"""Vì sao thay đổi hạng: a unit's score change between two years, split by component, and who moved past."""

import streamlit as st

from chiso.app import downloads, memo, page, ui
from chiso.views import why


def render(frame: page.Frame) -> None:
    sel, index = frame.sel, frame.index
    years = frame.earlier_years()
    downloads.header(frame.t("why.title", index=frame.label(index.short_name), year=sel.year))
    if not years:
        st.info(why.no_earlier_text(frame.tables(), frame.catalog, frame.lang, frame.dataset, sel.year))
        return
    with st.sidebar:  # folds away on a phone
        year_a = ui.year_choice(frame.t("why.compare_with"), years, years[0], key="from")
    rows = frame.two_years(year_a)
    names, default = memo.shared("why.units", frame, year_a, build=lambda: why.unit_choices(rows, sel.year))
    with st.sidebar:  # folds away on a phone
        unit_id = ui.single_unit(frame.t("sel.unit"), names, default)
    if unit_id is None:
        st.info(frame.t("rankings.empty"))
        return
    build = lambda: why.build(rows, unit_id, index, sel, year_a, frame.lang, frame.catalog)  # noqa: E731
    view = memo.shared("why", frame, year_a, unit_id, build=build)
    page.text(view.sentence)
    if not view.has_components:
        st.info(frame.t("why.no_components"))
    else:
        if not view.adds_up:
            st.caption(frame.t("why.not_additive"))
        downloads.chart(view.figure, name=view.export.name, source=view.source, key="why")
        downloads.table(view.export, key="why_table")
    st.subheader(frame.t("why.movers"))
    if view.movers_display.is_empty():
        st.caption(frame.t("why.no_movers"))
    else:
        ui.dataframe(view.movers_display)
        downloads.table(view.movers, key="movers")


page.run(render)
