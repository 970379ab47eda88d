"""So sánh: two to five units side by side on one index — totals and components on % of maximum."""

import streamlit as st

from chiso.app import downloads, memo, page, ui
from chiso.views import compare


def render(frame: page.Frame) -> None:
    sel, index = frame.sel, frame.index
    rows = frame.table_rows()
    names, default = memo.shared("compare.units", frame, build=lambda: compare.unit_choices(rows))
    downloads.header(frame.t("compare.title", index=frame.label(index.short_name), year=sel.year))
    with st.sidebar:  # folds away on a phone
        chosen = ui.unit_picker(frame.t("compare.units"), names, default, max_units=5)
    if len(chosen) < 2:
        st.info(frame.t("compare.pick_two"))
        return
    view = memo.shared(
        "compare",
        frame,
        tuple(chosen),
        build=lambda: compare.build(
            rows, chosen, index, sel, frame.catalog, frame.lang, every=frame.units_rows(chosen)
        ),
    )
    ui.dataframe(view.display)
    downloads.table(view.export, key="compare")
    st.subheader(frame.t("compare.all_indices", year=sel.year))
    ui.dataframe(view.indices_display)
    downloads.table(view.indices, key="compare_indices")
    if view.figure is None:
        st.info(frame.t("compare.no_components"))
        return
    downloads.chart(view.figure, name=view.export.name, source=view.source, key="compare")


page.run(render)
