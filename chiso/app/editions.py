"""The edition picker of the table selectors: shown only when the chosen index and year hold
more than one edition (DTI 2024: 63 and 34 provinces); the default edition comes first."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from chiso.app import memo, ui
from chiso.i18n import t
from chiso.selection import Selection
from chiso.store import queries
from chiso.views import editions


@memo.kept(max_entries=256)
def stored(dataset: str, db_version: str, sel: Selection) -> tuple[str, ...]:
    """The editions stored for the selected table, the default one first ('' alone for most)."""
    frame = queries.editions(
        ui.connection(dataset),
        index=sel.index,
        year=sel.year,
        peer_group=sel.peer_group,
        scope_province=sel.province,
    )
    return tuple(frame.get_column("edition").to_list())


def pick(dataset: str, db_version: str, sel: Selection, lang: str) -> Selection:
    """The selection with its edition: the picker's (or the URL's) when the table has several,
    the only one stored otherwise."""
    base = replace(sel, edition="")
    codes = stored(dataset, db_version, base)
    wanted = st.session_state.pop("w_edition", None) or ui.view().get("edition")
    if len(codes) < 2:
        ui.publish(edition=None)
        return replace(base, edition=codes[0] if codes else "")
    index = ui.catalog().index(sel.index)
    with st.sidebar:
        code = ui.widget(
            st.selectbox,
            "edition",
            t("edition.label", lang),
            list(codes),
            wanted if wanted in codes else codes[0],
            lambda c: editions.name(index, sel.year, c, lang, sel.peer_group),
        )
    ui.publish(edition=code)
    return replace(base, edition=code)


@memo.kept(max_entries=128)
def _beside(dataset: str, db_version: str, unit_ids: tuple[str, ...], index: str | None, lang: str):
    rows = queries.other_editions(ui.connection(dataset), unit_ids=list(unit_ids), index=index)
    return tuple(editions.beside_lines(rows, ui.catalog(), lang))


def beside(frame, unit_ids: list[str], index: str | None = None) -> None:
    """Under a series (Trends, Profile): the units' values in the editions the series does not
    show (DTI 2024 of 63 provinces beside the 34-province values it draws), never joined to it.
    The lines are worked out once per units, index and language."""
    for line in _beside(frame.dataset, frame.version, tuple(sorted(unit_ids)), index, frame.lang):
        st.caption(line)
