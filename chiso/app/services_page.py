"""The chosen unit's part of the Dịch vụ công page (rates, warnings, funnel, trend, counts), laid
out from :mod:`chiso.views.services`; ``pages/services.py`` shows the ranking and calls these."""

from __future__ import annotations

import streamlit as st

from chiso import safe
from chiso.app import downloads, memo, page, ui
from chiso.app import services as data
from chiso.views import services


def unit_section(frame: page.Frame, sel, unit_id: str, unit_name: str, *, rate_name: str) -> None:
    """Rates (computed and published), warnings, funnel, trend and counts of the chosen unit."""
    lang, dataset = frame.lang, frame.dataset
    period = data.covered_label(dataset, sel, lang, unit_id)
    st.subheader(safe.md(frame.t("dvc.unit.title", unit=unit_name, period=period)))

    def build():
        rows = data.unit_inputs(dataset, sel, unit_id, unit_name)
        covered = data.covered(dataset, sel, unit_id)
        return services.unit_view(rows, data.rates(), sel, period, covered, frame.catalog, lang)

    view = memo.shared("services.unit", frame, sel, unit_id, build=build)
    if not view.has_data:
        st.info(safe.md(frame.t("dvc.unit.no_data", unit=unit_name)))
        return
    if not view.rates_display.is_empty():
        st.markdown(f"**{frame.t('dvc.unit.rates')}**")
        ui.dataframe(view.rates_display)
        downloads.table(view.rates, key="dvc_unit_rates")
    if view.has_published:
        st.caption(frame.t("dvc.published.note"))
    if not view.has_counts:
        return
    st.markdown(f"**{frame.t('dvc.checks.title')}**")
    for text in view.warnings:
        st.warning(safe.md(text), icon=":material/warning:")
    if not view.warnings:
        st.caption(frame.t("dvc.checks.ok"))
    if view.funnel is None:
        st.info(frame.t("dvc.funnel.empty"))
    else:
        downloads.chart(view.funnel, name=view.funnel_name, source=view.source, key="funnel")
        st.caption(frame.t("dvc.funnel.note"))
    trend_section(frame, sel, unit_id, unit_name, rate_name=rate_name, source=view.source)
    with st.expander(frame.t("dvc.counts.title")):
        ui.dataframe(view.counts_display)
        downloads.table(view.counts, key="dvc_counts")


def trend_section(
    frame: page.Frame, sel, unit_id: str, unit_name: str, *, rate_name: str, source: str
) -> None:
    if not data.has_trend(frame.dataset, sel, unit_id):
        st.info(safe.md(frame.t("dvc.trend.empty", unit=unit_name)))
        return
    grain = data.grain_choice(frame.lang)

    def build():
        per_unit, pooled = data.trend(frame.dataset, sel, grain)
        return services.trend_view(
            per_unit, pooled, unit_id, unit_name, sel, grain, rate_name, source, frame.catalog, frame.lang
        )

    view = memo.shared("services.trend", frame, sel, unit_id, grain, source, build=build)
    if view.figure is None:  # quarterly reports only: no monthly line to draw
        st.info(safe.md(frame.t("dvc.trend.empty", unit=unit_name)))
        return
    downloads.chart(view.figure, name=view.name, source=source, key="dvc_trend")
    st.caption(frame.t("dvc.trend.gap_note"))
