"""The rankings figure as a chart or a map ('Biểu đồ | Bản đồ', kept in the URL as ``show=map``).

The map is built only when asked for; its shapes come from :mod:`chiso.geo` (cached per process)
and its figure from :mod:`chiso.views.maps`. It has the same PNG/SVG buttons as every chart.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from chiso import geo, safe
from chiso.app import downloads, ui
from chiso.app.page import Frame
from chiso.i18n import t
from chiso.views import maps

SHOW = ["chart", "map"]


def chart_or_map(frame: Frame, view, ranking: pl.DataFrame, *, chart: bool = True) -> None:
    """The rankings chart, or (chosen beside it) the map of the same table; ``chart=False`` where
    the page has drawn its own chart already (a large table's strip)."""
    scope = maps.map_scope(ranking, frame.sel)
    chosen = "chart"
    if scope is not None:
        lang = frame.lang
        chosen = ui.widget(
            st.segmented_control,
            "show",
            t("map.show", lang),
            SHOW,
            ui.state_choice("show", SHOW, "chart"),
            fmt=lambda v: t(f"map.show.{v}", lang),
            required=True,
            label_visibility="collapsed",
        )
        ui.publish(show=None if chosen == "chart" else chosen)
    if chosen != "map":
        if chart:
            downloads.chart(view.figure, name=view.export.name, source=view.source, key="rankings")
        return
    show_map(frame, ranking, scope, name=view.export.name)


def _geometry(scope: maps.MapScope) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    code = ""
    if scope.level != "provinces":
        code = maps.province_code(geo.names(scope.period, "provinces"), scope.province)
        if code is None:
            return None
    return (
        geo.shapes(scope.period, scope.level, code),
        geo.names(scope.period, scope.level),
        geo.islands(scope.period),
    )


def _outlined(frame: Frame, ranking: pl.DataFrame) -> str | None:
    """The unit to outline: chosen here or on another page (``unit=`` in the link)."""
    names = dict(ranking.select("unit_id", "name").unique("unit_id", maintain_order=True).rows())
    choices = ["", *names]
    wanted = ui.view().get("unit")
    current = wanted if wanted in names else ""
    none = frame.t("map.pick_none")
    chosen = ui.widget(
        st.selectbox, "map_unit", frame.t("map.pick_unit"), choices, current, fmt=lambda u: names.get(u, none)
    )
    if chosen:
        ui.publish(unit=chosen)
    return chosen or None


def show_map(frame: Frame, ranking: pl.DataFrame, scope: maps.MapScope, *, name: str) -> None:
    with st.spinner(frame.t("map.building")):
        geometry = _geometry(scope)
    if geometry is None or geometry[0].is_empty():
        st.info(frame.t("map.no_shapes", province=scope.province))
        return
    selected = _outlined(frame, ranking)
    view = maps.build(
        ranking, frame.index, frame.sel, scope, geometry, frame.lang, selected, frame.catalog, geo.version()
    )
    downloads.chart(view.figure, name=f"{name}_ban-do", source=view.source, key="rankings_map")
    st.caption(safe.md(view.caption))
    if view.missing:
        st.caption(safe.md(frame.t("map.missing", names=", ".join(view.missing))))
