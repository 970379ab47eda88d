"""The lineage section of the profile page: cached reads of the ``lineage`` table and its layout."""

from __future__ import annotations

import polars as pl
import streamlit as st

from chiso import safe
from chiso.app import memo, ui
from chiso.i18n import t
from chiso.store import lineage_table


# Shared, not copied: st.cache_data pickled the frames on every call that found them (frames are
# never changed in place, as for the other readers in chiso.app.ui).
@memo.kept(max_entries=256)
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
    ui.dataframe(view.display)
    if view.more:
        st.caption(t("lineage.more", lang, n=view.more))
    st.caption(safe.md(view.note))


@memo.kept(max_entries=256)
def reorg(
    dataset: str, db_version: str, unit_ids: tuple[str, ...], index: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the units' predecessor edges, the stored totals of the units and their predecessors)."""
    con = ui.connection(dataset)
    preds = lineage_table.predecessors(con, unit_ids=list(unit_ids))
    ids = sorted({*unit_ids, *(u for u in preds.get_column("other_id").drop_nulls().to_list())})
    return preds, lineage_table.totals_of(con, unit_ids=ids, index=index)


def notes(lines, lang: str) -> None:
    """Captions under a chart or table that explain predecessors, the break and derived values."""
    for line in lines:
        st.caption(safe.md(line))


def before_after(table, lines, lang: str) -> None:
    """The profile's before/after table under the lineage section."""
    if table is None or table.is_empty():
        return
    st.subheader(t("reorg.heading", lang))
    ui.dataframe(table)
    notes(lines, lang)


def ranking_predecessors(frame, ranking: pl.DataFrame) -> None:
    """Under a ranking of new units (DTI 2024 of the 34 provinces): their predecessors' values."""
    from chiso.views import reorg_series

    if ranking.is_empty():
        return

    def build():
        from chiso.metrics import backcast

        national = ranking.item(0, "scope_province") == ""
        if ranking.filter(backcast.after_reform(national, frame.index.new_editions())).is_empty():
            return pl.DataFrame(), []  # not a table of new units: no predecessors to read
        ids = ranking.get_column("unit_id").unique().to_list()
        preds, totals = frame.reorg(ids, frame.sel.index)
        return reorg_series.ranking_predecessors(ranking, preds, totals, frame.index, frame.lang)

    table, lines = memo.shared("rankings.predecessors", frame, build=build)
    if table.is_empty():
        return
    st.subheader(t("reorg.heading_ranking", frame.lang))
    ui.dataframe(table)
    notes(lines, frame.lang)
