"""Dịch vụ công: online-service rates computed from one-stop counts — ranking for a period,
monthly or quarterly trend, the chosen unit's funnel, consistency warnings, published rates."""

import streamlit as st

from chiso.app import downloads, maps, memo, page, services_page, ui
from chiso.app import services as data
from chiso.views import services


def render(frame: page.Frame) -> None:
    lang, dataset = frame.lang, frame.dataset
    downloads.header(frame.t("dvc.title"))
    st.caption(frame.t("dvc.intro"))
    sel = data.selection(dataset, lang)
    if sel is None:
        return
    rate_name = services.rate_name(data.rates(), sel.rate, lang)
    st.subheader(frame.t("dvc.ranking.title", rate=rate_name))
    level = services.level_label(sel.level, lang)
    period = data.covered_label(dataset, sel, lang)
    st.caption(frame.t("dvc.ranking.subtitle", period=period, province=sel.province, level=level))

    def build():
        ranked = data.ranking(dataset, sel)
        counts = data.source_rows(dataset, sel)
        covered = data.covered(dataset, sel)
        return ranked, services.ranking_view(ranked, data.checks(dataset, sel), counts, sel, covered, lang)

    ranked, view = memo.shared("services", frame, sel, build=build)
    if view.status:
        st.markdown(view.status)
    else:
        st.info(frame.t("dvc.ranking.empty"))
    if not view.display.is_empty():
        ui.dataframe(view.display)
        downloads.table(view.export, key="dvc_rank")
        where = frame.t("dvc.ranking.subtitle", period=period, province=sel.province, level=level)
        maps.services_map(frame, ranked, sel, rate_name=rate_name, where=where, name=view.export.name)
    st.caption(frame.t("dvc.ranking.combined_rule"))
    choice = data.unit_choice(dataset, sel, ranked, lang)
    if choice is not None:
        services_page.unit_section(frame, sel, *choice, rate_name=rate_name)


page.run(render, table=False)
