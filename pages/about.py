"""Giới thiệu: what Chỉ số shows and the indices declared in config/indices.yaml."""

import streamlit as st

from chiso.app import ui
from chiso.i18n import t
from chiso.views import about


def render() -> None:
    lang, dataset = ui.sidebar()
    if dataset == "demo":
        st.info(t("demo.banner", lang), icon=":material/science:")
    st.header(t("about.title", lang))
    st.write(t("about.body", lang))
    st.subheader(t("about.indices", lang))
    for entry in about.build(ui.catalog(), lang):
        with st.expander(entry.title):
            st.write(entry.description)


ui.guard(render)
