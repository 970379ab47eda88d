"""Dữ liệu: data stewards sign in, upload a published table, preview, confirm; everyone sees the audit."""

import streamlit as st

from chiso.app import data as ui_data
from chiso.app import data_forms, downloads, page, ui
from chiso.app import targets as app_targets
from chiso.views import import_report


def render() -> None:
    lang, dataset = ui.sidebar()
    st.header(page.t("data.title", lang))
    if ui_data.signed_in():
        st.caption(page.t("data.intro", lang))
    else:  # a committee member: what the page is, what to download, whom to ask
        st.markdown(page.t("data.viewer", lang))
    downloads.import_templates()
    if not ui.dataset_ready(dataset, lang):
        return
    if ui_data.signed_in():
        data_forms.steward_area(lang, dataset)
        app_targets.target_form(lang, dataset)
    else:
        data_forms.sign_in_form(lang)
    history = ui_data.history(dataset)
    if ui_data.signed_in():
        data_forms.undo_area(lang, dataset, history)
        history = ui_data.history(dataset)
    st.subheader(page.t("data.audit.title", lang))
    if history.is_empty():
        st.caption(page.t("data.audit.empty", lang))
    else:
        audit = import_report.audit_table(history, lang)
        ui.dataframe(audit)
        st.caption(page.t("data.audit.utc", lang))
        downloads.table_buttons(audit, name="nhat-ky-nhap-du-lieu", key="audit", sources=[])


ui.guard(render)
