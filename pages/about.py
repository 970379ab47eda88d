"""Giới thiệu: what Chỉ số shows and the indices declared in config/indices.yaml."""

import streamlit as st

from chiso import fmt
from chiso.app import ui
from chiso.i18n import label, t


def render() -> None:
    lang, dataset = ui.sidebar()
    if dataset == "demo":
        st.info(t("demo.banner", lang), icon=":material/science:")
    st.header(t("about.title", lang))
    st.write(t("about.body", lang))
    st.subheader(t("about.indices", lang))
    for index in ui.catalog().indices:
        unit = label(index.unit, lang)
        title = (
            f"{index.code} · {label(index.name, lang)} — {fmt.number(index.max_score, 0, lang=lang)} {unit}"
        )
        with st.expander(title):
            st.write(label(index.description, lang))


ui.guard(render)
