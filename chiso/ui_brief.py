"""The "Báo cáo tóm tắt" download button (Streamlit layer over :mod:`chiso.brief`).

The pack is made only when the button is clicked (Streamlit's deferred ``data`` callable),
then cached per (dataset, database version, unit, year, language), so a page never pays
for a pack nobody asked for and a second click is immediate. A failed pack is reported in
words and the page stays usable.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from chiso import brief, ui
from chiso.errors import ChisoError
from chiso.i18n import t
from chiso.store import queries


@st.cache_data(max_entries=32, show_spinner=False)
def briefing(dataset: str, version: str, unit_id: str, year: int, lang: str) -> bytes:
    """The pack's HTML bytes; ``version`` (the database fingerprint) is part of the cache key."""
    con = ui.connection(dataset)
    if con is None:
        raise ChisoError(t("db.missing", lang))
    return brief.briefing_html(con, ui.catalog(), unit_id=unit_id, year=year, lang=lang).encode("utf-8")


@st.cache_data(max_entries=256, show_spinner=False)
def _file_name(dataset: str, version: str, unit_id: str, year: int) -> str:
    units = queries.units(ui.connection(dataset)).filter(pl.col("unit_id") == unit_id)
    if units.is_empty():
        return brief.file_name(unit_id.replace("/", "-"), "", year)
    unit = units.row(0, named=True)
    return brief.file_name(unit["name"], unit["province"] or "", year)


def _deferred(dataset: str, version: str, unit_id: str, year: int, lang: str):
    """The callable the button runs on click: no session state is read in it (it runs outside
    the script run), and any failure becomes one sentence."""

    def make() -> bytes:
        try:
            return briefing(dataset, version, unit_id, year, lang)
        except ChisoError:
            raise
        except Exception as exc:
            raise ChisoError(t("brief.failed", lang, message=f"{type(exc).__name__}: {exc}")) from exc

    return make


def brief_button(dataset: str, unit_id: str, year: int, *, key: str | None = None) -> None:
    """'Báo cáo tóm tắt': downloads the unit's briefing pack for the year as one HTML file."""
    lang = ui.lang()
    version = ui.version(dataset)
    if not version:
        return
    st.download_button(
        t("brief.button", lang),
        data=_deferred(dataset, version, unit_id, int(year), lang),
        file_name=_file_name(dataset, version, unit_id, int(year)),
        mime="text/html",
        on_click="ignore",
        help=t("brief.button_help", lang),
        icon=":material/description:",
        key=key or f"brief_{unit_id}_{year}",
    )
