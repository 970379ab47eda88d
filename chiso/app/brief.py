"""The "Báo cáo tóm tắt" download button (Streamlit layer over :mod:`chiso.export.brief`).

The pack is made only when the user clicks "Báo cáo tóm tắt" (under a spinner: it takes a
second or two), then cached per (dataset, database version, unit, year, language), so a page
never pays for a pack nobody asked for and a second visit is immediate. A failed pack is
reported in words and the page stays usable.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from chiso import safe
from chiso.app import targets as app_targets
from chiso.app import ui
from chiso.errors import ChisoError
from chiso.export import brief
from chiso.export import files as export
from chiso.i18n import t
from chiso.store import analysis_queries, queries
from chiso.views import brief as brief_view


@st.cache_data(max_entries=32, show_spinner=False)
def briefing(dataset: str, version: str, unit_id: str, year: int, lang: str) -> bytes:
    """The pack's HTML bytes; ``version`` (the database fingerprint) is part of the cache key."""
    con = ui.connection(dataset)
    if con is None:
        raise ChisoError(t("db.missing", lang))
    catalog = ui.catalog()
    read = analysis_queries.unit_year(con, unit_id=unit_id, year=year, order=catalog.codes)
    targets = app_targets.built(dataset, lang, unit_ids=[unit_id])
    view = brief_view.build(catalog, read, year=year, lang=lang)
    return brief.briefing_html(view, targets).encode("utf-8")


@st.cache_data(max_entries=256, show_spinner=False)
def _file_name(dataset: str, version: str, unit_id: str, year: int) -> str:
    units = queries.units(ui.connection(dataset)).filter(pl.col("unit_id") == unit_id)
    if units.is_empty():
        return brief.file_name(unit_id.replace("/", "-"), "", year)
    unit = units.row(0, named=True)
    return brief.file_name(unit["name"], unit["province"] or "", year)


@st.cache_data(max_entries=16, show_spinner=False)
def briefing_pdf(dataset: str, version: str, unit_id: str, year: int, lang: str) -> bytes:
    """The pack printed to an A4 PDF by chromium; cached like the HTML."""
    return brief.pdf_from_html(briefing(dataset, version, unit_id, year, lang).decode("utf-8"))


def brief_button(dataset: str, unit_id: str, year: int, *, key: str | None = None) -> None:
    """'Báo cáo tóm tắt': prepares the unit's briefing pack for the year under a spinner (it takes
    a second or two), then offers it as one HTML file and as an A4 PDF. A failure is one sentence.

    A toggle, not a button: its state survives reruns, so the pack stays offered once prepared."""
    lang = ui.lang()
    version = ui.version(dataset)
    if not version:
        return
    key = key or f"brief_{unit_id}_{year}"
    if not st.toggle(t("brief.button", lang), help=t("brief.button_help", lang), key=f"{key}_make"):
        return
    name = _file_name(dataset, version, unit_id, int(year))
    try:
        with st.spinner(t("brief.preparing", lang)):
            html = briefing(dataset, version, unit_id, int(year), lang)
            pdf = briefing_pdf(dataset, version, unit_id, int(year), lang) if export.browser_path() else None
    except Exception as exc:  # the page stays usable; the reason is said in words
        message = exc.text(lang) if isinstance(exc, ChisoError) else f"{type(exc).__name__}: {exc}"
        st.error(safe.md(t("brief.failed", lang, message=message)))
        return
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        t("brief.download_html", lang),
        data=html,
        file_name=name,
        mime="text/html",
        on_click="ignore",
        icon=":material/description:",
        key=f"{key}_html",
    )
    if pdf is not None:
        right.download_button(
            t("brief.download_pdf", lang),
            data=pdf,
            file_name=name.replace(".html", ".pdf"),
            mime="application/pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            key=f"{key}_pdf",
        )
