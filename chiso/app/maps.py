"""The rankings figure as a chart or a map ('Biểu đồ | Bản đồ', kept in the URL as ``show=map``).

The map is built only when asked for; its shapes come from :mod:`chiso.geo` (cached per process)
and its figure from :mod:`chiso.views.maps`. It has the same PNG/SVG buttons as every chart.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from chiso import geo, safe
from chiso.app import downloads, memo, ui
from chiso.app.page import Frame
from chiso.i18n import t
from chiso.store import queries
from chiso.views import maps
from chiso.views import services_map as services_map_view

SHOW = ["chart", "map"]


def chart_or_map(
    frame: Frame,
    view,
    ranking: pl.DataFrame,
    *,
    chart: bool = True,
    selected: str | None = None,
    key: str = "rankings",
) -> None:
    """The page's chart, or (chosen beside it) the map of the ranked table; ``chart=False`` where
    the page has drawn its own chart already (a large table's strip); ``selected``: the unit the
    page is about, outlined without a picker of its own (Components)."""
    scope = maps.map_scope(ranking, frame.sel)
    chosen = "chart" if scope is None else _shown(frame.lang)
    if chosen != "map":
        if chart:
            downloads.chart(view.figure, name=view.export.name, source=view.source, key=key)
        return
    show_map(frame, ranking, scope, name=view.export.name, selected=selected, key=f"{key}_map")


def _shown(lang: str, labels: str = "map.show") -> str:
    """'Biểu đồ | Bản đồ', kept in the link as ``show=map``; ``labels``: the locale keys' prefix
    of the two choices (the online-services page, whose charts are further down, offers
    'Không hiện bản đồ | Bản đồ': a 'Biểu đồ' chosen there showed nothing under it)."""
    chosen = ui.widget(
        st.segmented_control,
        "show",
        t("map.show", lang),
        SHOW,
        ui.state_choice("show", SHOW, "chart"),
        fmt=lambda v: t(f"{labels}.{v}", lang),
        required=True,
        label_visibility="collapsed",
    )
    ui.publish(show=None if chosen == "chart" else chosen)
    return chosen


@memo.kept(max_entries=8)
def _units(dataset: str, version: str) -> pl.DataFrame:
    """Every unit with its province, registry code and peer group (the map's keys)."""
    return queries.units(ui.connection(dataset))


def services_map(frame: Frame, ranked: pl.DataFrame, sel, *, rate_name: str, where: str, name: str) -> None:
    """The online-services ranking beside its table (``sel`` the page's selection): the same
    toggle (the page's charts are its 'Biểu đồ'), the map of the ranked units with the unit of the
    link (``unit=``) outlined."""

    def located():
        rows = services_map_view.rows(ranked, _units(frame.dataset, ui.version(frame.dataset)))
        return rows, services_map_view.scope(rows, sel.province, sel.period.start)

    rows, scope = memo.shared("services.map", frame, sel, build=located)
    if scope is None or _shown(frame.lang, "map.show_services") != "map":
        return
    with st.spinner(frame.t("map.building")):
        geometry = _geometry(scope)
    if geometry is None or geometry[0].is_empty():
        st.info(frame.t("map.no_shapes", province=scope.province))
        return
    wanted = ui.view().get("unit")
    selected = wanted if wanted in set(rows.get_column("unit_id").to_list()) else None
    view = services_map_view.build(
        rows,
        scope,
        geometry,
        rate_name=rate_name,
        where=where,
        lang=frame.lang,
        selected=selected,
        registry=geo.version(),
    )
    downloads.chart(view.figure, name=f"{name}_ban-do", source=view.source, key="dvc_map")
    st.caption(safe.md(view.caption))
    if view.missing:
        st.caption(safe.md(frame.t("map.missing", names=", ".join(view.missing))))


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


def show_map(
    frame: Frame,
    ranking: pl.DataFrame,
    scope: maps.MapScope,
    *,
    name: str,
    selected: str | None = None,
    key: str = "rankings_map",
) -> None:
    with st.spinner(frame.t("map.building")):
        geometry = _geometry(scope)
    if geometry is None or geometry[0].is_empty():
        st.info(frame.t("map.no_shapes", province=scope.province))
        return
    selected = selected or _outlined(frame, ranking)
    view = maps.build(
        ranking, frame.index, frame.sel, scope, geometry, frame.lang, selected, frame.catalog, geo.version()
    )
    downloads.chart(view.figure, name=f"{name}_ban-do", source=view.source, key=key)
    st.caption(safe.md(view.caption))
    if view.missing:
        st.caption(safe.md(frame.t("map.missing", names=", ".join(view.missing))))
