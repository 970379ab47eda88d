"""The rankings page's body for a large peer group (more than ``strip.LARGE`` units, e.g. HCMC's
168 wards and communes): a unit search, top/bottom n, the strip chart and a searchable table."""

from __future__ import annotations

import streamlit as st

from chiso.app import downloads, memo, ui
from chiso.i18n import t
from chiso.views import strip

TOP_N = [5, 10, 20]


def rankings(frame, view) -> None:
    """Chart and table of a large ranking; the selected unit stays in the link as ``unit``."""
    ranking, lang = view.rows, frame.lang
    names = dict(
        zip(ranking.get_column("unit_id").to_list(), ranking.get_column("name").to_list(), strict=True)
    )
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        unit = ui.single_unit(t("sel.unit", lang), names, ranking.get_column("unit_id")[0], key="unit")
    with right:
        n = ui.widget(st.radio, "top", t("rankings.top_n", lang), TOP_N, strip.DEFAULT_N, horizontal=True)
    figure = memo.shared(
        "rankings.strip",
        frame,
        unit,
        n,
        build=lambda: strip.strip_figure(
            ranking, strip.strip_rows(ranking, unit, n), frame.index, frame.sel, lang, n, frame.catalog
        ),
    )
    downloads.chart(figure, name=view.export.name, source=view.source, key="rankings")
    query = st.text_input(t("rankings.table_search", lang), key="q_table", placeholder="phuong ben thanh")
    shown = strip.filter_table(view.display, t("col.unit", lang), query)
    ui.dataframe(shown)
