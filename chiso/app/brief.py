"""The "Báo cáo tóm tắt" download button (Streamlit layer over :mod:`chiso.export.brief`).

The pack is prepared in the background while the profile page is read (one worker, one pack at a
time) and offered when the user switches on "Báo cáo tóm tắt"; without a prepared pack it is made
then, under a spinner, and cached per (dataset, database version, unit, year, language). A failed pack is
reported in words and the page stays usable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl
import streamlit as st

from chiso import safe
from chiso.app import busy, ui
from chiso.app import targets as app_targets
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
    targets = app_targets.built(dataset, lang, unit_ids=[unit_id])
    return pack_html(con, ui.catalog(), unit_id, year, lang, targets).encode("utf-8")


def pack_html(con, catalog, unit_id: str, year: int, lang: str, targets) -> str:
    """The pack's HTML from a connection (the page's, or the worker's own cursor)."""
    read = analysis_queries.unit_year(con, unit_id=unit_id, year=year, order=catalog.codes)
    return brief.briefing_html(brief_view.build(catalog, read, year=year, lang=lang), targets)


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
    return brief.pdf_from_html(briefing(dataset, version, unit_id, year, lang).decode("utf-8"), warm=True)


# The pack is prepared in the background while the profile is read, on one worker: by the time
# the toggle is switched on it is ready (≈ 1,5 s of work with a warm renderer, much more on a cold
# one). A busy worker takes no new job, so the extra load stays one pack at a time.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chiso-brief")
_READY: OrderedDict[tuple, Future] = OrderedDict()
_READY_LOCK = threading.Lock()
_KEEP = 8


def _make(cursor, catalog, unit_id: str, year: int, lang: str, targets) -> tuple[bytes, bytes | None]:
    """The pack's HTML and PDF, on the worker, through its own cursor of the app's connection
    (``targets`` were read on the page's thread, through its caches)."""
    try:
        with busy.background_job():  # no release of the database's cached blocks meanwhile
            html = pack_html(cursor, catalog, unit_id, year, lang, targets)
    finally:
        cursor.close()
    return html.encode("utf-8"), brief.pdf_from_html(html, warm=True) if export.browser_path() else None


def prefetch(dataset: str, version: str, unit_id: str, year: int, lang: str) -> None:
    """Start preparing the pack unless it is ready, under way, or the worker is busy; not while other
    sessions are running pages (:mod:`chiso.app.busy`): then the toggle makes it when asked."""
    if busy.others_active():
        return
    key = (dataset, version, unit_id, year, lang)
    con = ui.connection(dataset)
    with _READY_LOCK:
        if con is None or key in _READY or any(not f.done() for f in _READY.values()):
            return
        targets = app_targets.built(dataset, lang, unit_ids=[unit_id])
        _READY[key] = _WORKER.submit(_make, con.cursor(), ui.catalog(), unit_id, year, lang, targets)
        while len(_READY) > _KEEP:
            _READY.popitem(last=False)


def _prepared(dataset: str, version: str, unit_id: str, year: int, lang: str):
    """(html, pdf) from the background job when there is one (waiting for it), else None."""
    with _READY_LOCK:
        job = _READY.get((dataset, version, unit_id, year, lang))
    if job is None:
        return None
    try:
        return job.result(timeout=120)
    except Exception:  # the page makes the pack itself and reports a failure in words
        return None


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
        prefetch(dataset, version, unit_id, int(year), lang)
        return
    name = _file_name(dataset, version, unit_id, int(year))
    try:
        with st.spinner(t("brief.preparing", lang)):
            ready = _prepared(dataset, version, unit_id, int(year), lang)
            if ready is not None:
                html, pdf = ready
            else:
                html = briefing(dataset, version, unit_id, int(year), lang)
                pdf = (
                    briefing_pdf(dataset, version, unit_id, int(year), lang)
                    if export.browser_path()
                    else None
                )
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
