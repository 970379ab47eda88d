"""The lineage section of the profile page: cached reads of the ``lineage`` table and its layout."""

from __future__ import annotations

import polars as pl
import streamlit as st

from chiso import safe
from chiso.app import ui
from chiso.i18n import t
from chiso.store import lineage_table


@st.cache_data(max_entries=256)
def lineage(dataset: str, db_version: str, unit_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the unit's edges, the latest stored totals of the units on their other side)."""
    con = ui.connection(dataset)
    edges = lineage_table.lineage_of(con, unit_id=unit_id)
    others = [u for u in edges.get_column("other_id").drop_nulls().unique().to_list() if u]
    return edges, lineage_table.last_results(con, unit_ids=others)


def show(view, lang: str) -> None:
    """The section, when the unit has predecessors or successors."""
    if view is None:
        return
    st.subheader(view.heading)
    st.dataframe(view.display, hide_index=True, width="stretch")
    if view.more:
        st.caption(t("lineage.more", lang, n=view.more))
    st.caption(safe.md(view.note))
