"""The Dữ liệu (Data) page's forms: steward sign-in, upload options, the import preview with its
confirm button, and undo. Moved whole from ``pages/data.py`` so the page only lays them out."""

from __future__ import annotations

from datetime import date

import streamlit as st

from chiso import safe
from chiso.app import data as ui_data
from chiso.app import ui
from chiso.i18n import label, t
from chiso.ingest import pdf_annex
from chiso.ingest.annex import ImportOptions
from chiso.ingest.problems import note_text
from chiso.views import import_report, pdf_preview

FROM_FILE = ""


def sign_in_form(lang: str) -> None:
    state = ui_data.credential_state()
    if state == "missing":
        st.info(t("data.readonly", lang), icon=":material/lock:")
        return
    if state == "invalid":
        st.warning(t("data.bad_hash", lang), icon=":material/lock:")
        return
    with st.form("data_signin"):
        st.subheader(t("data.signin.title", lang))
        name = st.text_input(t("data.signin.name", lang), key="data_signin_name")
        password = st.text_input(t("data.signin.password", lang), type="password", key="data_signin_password")
        submitted = st.form_submit_button(t("data.signin.submit", lang))
    if submitted:
        outcome = ui_data.sign_in(name, password)
        if outcome == "ok":
            st.rerun()
        elif outcome == "wait":
            st.error(t("data.signin.wait", lang, seconds=ui_data.wait_seconds()))
        else:
            st.error(t("data.signin.failed", lang, seconds=ui_data.wait_seconds()))


def options_form(lang: str, dataset: str, data: bytes) -> ImportOptions:
    cat = ui.catalog()
    cols = st.columns(3)
    with cols[0]:
        index = st.selectbox(
            t("data.opt.index", lang),
            [FROM_FILE, *cat.codes],
            format_func=lambda c: (
                label(cat.index(c).short_name, lang) if c else t("data.opt.from_file", lang)
            ),
            key="data_opt_index",
            placeholder=t("sel.choose", lang),
        )
    with cols[1]:
        years = [FROM_FILE, *[str(y) for y in range(date.today().year, 2009, -1)]]
        year = st.selectbox(
            t("data.opt.year", lang),
            years,
            format_func=lambda y: y or t("data.opt.from_file", lang),
            key="data_opt_year",
            placeholder=t("sel.choose", lang),
        )
    with cols[2]:
        province = st.selectbox(
            t("data.opt.province", lang),
            [FROM_FILE, *ui_data.provinces(dataset, ui.version(dataset))],
            format_func=lambda p: p or t("data.opt.from_file", lang),
            key="data_opt_province",
            placeholder=t("sel.choose", lang),
        )
    cols = st.columns(3)
    with cols[0]:
        types = [FROM_FILE, *cat.unit_types, *cat.peer_groups]
        unit_type = st.selectbox(
            t("data.opt.unit_type", lang),
            types,
            format_func=lambda u: (
                label(cat.unit_types[u].name, lang)
                if u in cat.unit_types
                else label(cat.peer_groups[u].name, lang) + " ★"
                if u
                else t("data.opt.any", lang)
            ),
            key="data_opt_unit_type",
            placeholder=t("sel.choose", lang),
        )
    with cols[1]:
        names = ui_data.sheets(data)
        sheet = (
            st.selectbox(
                t("data.opt.sheet", lang), names, key="data_opt_sheet", placeholder=t("sel.choose", lang)
            )
            if names
            else st.selectbox(
                t("data.opt.sheet", lang),
                ["–"],
                disabled=True,
                key="data_opt_sheet_none",
                placeholder=t("sel.choose", lang),
            )
        )
    with cols[2]:
        source = st.text_input(t("data.opt.source", lang), key="data_opt_source")
    pdf = pdf_options(lang, data)
    return ImportOptions(
        index=index or None,
        year=int(year) if year else None,
        province=province or None,
        unit_type=unit_type or None,
        sheet=sheet if names else None,
        source_title=source.strip() or None,
        **pdf,
    )


def pdf_options(lang: str, data: bytes) -> dict:
    """A PDF or a scan: the pages with the table, corrected cells, flagged cells accepted."""
    if not (pdf_annex.is_pdf(data) or pdf_annex.is_image(data, "")):
        return {}
    cols = st.columns(3)
    pages = cols[0].text_input(t("data.opt.pages", lang), key="data_opt_pages")
    corrections = cols[1].text_input(t("data.opt.correct", lang), key="data_opt_correct")
    accept = cols[2].checkbox(t("data.opt.accept_flagged", lang), key="data_opt_accept")
    return {
        "pages": pages.strip() or None,
        "corrections": corrections.strip() or None,
        "accept_flagged": accept,
    }


def pdf_view(lang: str, table) -> None:
    """The PDF's pages with the table and flagged cells marked, beside the grid as read; edits to the
    grid fill the corrections field (then preview again)."""
    cols = st.columns(2)
    with cols[0]:
        for page in pdf_preview.pages_to_show(table):
            st.image(pdf_preview.table_picture(table, page), caption=t("data.pdf.page", lang, page=page))
    with cols[1]:
        frame = pdf_preview.grid_frame(table)

        # A new editor for each grid shown (after a correction the grid is the corrected one):
        # its edits are added to the corrections already made, never compared with another grid.
        key = f"data_pdf_grid_{pdf_preview.grid_key(frame)}"

        def edited() -> None:
            changes = st.session_state.get(key, {}).get("edited_rows", {})
            made = st.session_state.get("data_opt_correct", "")
            added = pdf_preview.corrections_from_edits(frame, changes)
            st.session_state["data_opt_correct"] = pdf_preview.merge_corrections(made, added)

        st.caption(t("data.pdf.grid", lang, n=len(table.flags)))
        st.data_editor(frame, hide_index=True, disabled=["dòng"], key=key, on_change=edited)


def show_plan(lang: str, dataset: str, plan) -> None:
    cat = ui.catalog()
    st.subheader(t("data.preview.title", lang))
    for line in import_report.summary(plan, lang, columns=False):
        st.markdown(f"- {safe.md(line)}")
    if plan.columns:
        with st.expander(t("import.columns_title", lang)):
            ui.dataframe(import_report.columns_table(plan, lang))
    for note in plan.notes:
        st.caption(safe.md(note_text(note, lang)))
    if getattr(plan, "source", None) is not None:
        pdf_view(lang, plan.source)
    if plan.errors:
        st.error(t("data.preview.errors", lang, n=len(plan.errors)))
        ui.dataframe(import_report.issues_table(plan.errors, lang))
        return
    if plan.warnings:
        st.warning(t("data.preview.warnings", lang, n=len(plan.warnings)))
        ui.dataframe(import_report.issues_table(plan.warnings, lang))
    added, changed, unchanged = plan.counts
    tabs = st.tabs(
        [
            t("data.tab.added", lang, n=added),
            t("data.tab.changed", lang, n=changed),
            t("data.tab.unchanged", lang, n=unchanged),
        ]
    )
    for tab, frame, is_change in zip(
        tabs, (plan.added, plan.changed, plan.unchanged), (False, True, False), strict=True
    ):
        with tab:
            if frame.is_empty():
                st.caption(t("data.tab.empty", lang))
            else:
                table = import_report.rows_table(frame, cat, lang, changed=is_change)
                ui.dataframe(table)
    if added + changed == 0:
        st.info(t("data.nothing", lang))
        return
    if st.button(t("data.confirm", lang, added=added, changed=changed), type="primary", key="data_confirm"):
        result = ui_data.confirm(dataset, plan)
        st.success(t("data.confirmed", lang, id=result.import_id, added=result.added, changed=result.changed))


def steward_area(lang: str, dataset: str) -> None:
    st.caption(safe.md(t("data.signed_in", lang, who=ui_data.steward_name(), db=str(ui.db_path(dataset)))))
    if st.button(t("data.signout", lang), key="data_signout"):
        ui_data.sign_out()
        st.rerun()
    st.subheader(t("data.upload.title", lang))
    uploaded = st.file_uploader(
        t("data.upload", lang),
        type=["xlsx", "xls", "csv", "pdf", "png", "jpg", "jpeg", "tif", "tiff"],
        max_upload_size=ui_data.UPLOAD_LIMIT_MB,
        help=t("data.upload.help", lang),
        key="data_upload",
    )
    if uploaded is None:
        ui_data.drop_plan()
        return
    data = uploaded.getvalue()
    options = options_form(lang, dataset, data)
    if st.button(t("data.preview", lang), key="data_preview"):
        ui_data.preview(dataset, uploaded.name, data, options)
    plan = ui_data.current_plan()
    # The preview is shown (and can be confirmed) only for exactly this file and these options:
    # a corrected re-upload with the same name, or changed options, need a new preview.
    if ui_data.plan_matches(plan, uploaded.name, data, options):
        show_plan(lang, dataset, plan)
    elif plan is not None:
        st.info(t("data.preview.stale", lang))


def undo_area(lang: str, dataset: str, history) -> None:
    live = history.filter(history["undone_at"].is_null()) if not history.is_empty() else history
    if live.is_empty():
        return
    last = live.row(0, named=True)
    st.subheader(t("data.undo.title", lang))
    sure = st.checkbox(
        safe.md(t("data.undo.sure", lang, id=last["import_id"], file=last["file"])), key="data_undo_sure"
    )
    if st.button(t("data.undo", lang), disabled=not sure, key="data_undo"):
        result = ui_data.undo(dataset)
        st.success(safe.md(t("data.undone", lang, id=result.import_id, file=result.file)))
