"""The frame every page starts with: language and dataset pickers, the demo banner, the table
picker, and the page's cached reads with the data version looked up inside (pages never pass it).

    frame = page.start()          # None: the page has already said why it cannot show anything
    view = rankings.build(frame.ranking(), frame.index, frame.sel, frame.lang, frame.published_stats())
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# pandas is loaded before any page runs: Plotly's array check reads sys.modules["pandas"] without
# the import lock, and a page running while another thread imports pandas failed on it.
import pandas  # noqa: F401
import polars as pl
import streamlit as st

from chiso import safe
from chiso.app import collect, ui
from chiso.config import Catalog, Index
from chiso.i18n import label, t
from chiso.selection import Selection

__all__ = ["Frame", "label", "run", "start", "t", "text"]


@dataclass(frozen=True)
class Frame:
    lang: str
    dataset: str
    sel: Selection | None = None  # None on pages without the table picker

    @property
    def catalog(self) -> Catalog:
        return ui.catalog()

    @property
    def index(self) -> Index:
        return ui.catalog().index(self.sel.index)

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def label(self, text) -> str:
        return label(text, self.lang)

    @property
    def version(self) -> str:
        return ui.version(self.dataset)

    def tables(self) -> pl.DataFrame:
        return ui.tables(self.dataset, self.version)

    def ranking(self) -> pl.DataFrame:
        return ui.ranking(self.dataset, self.version, self.sel)

    def published_stats(self) -> pl.DataFrame:
        return ui.published_stats(self.dataset, self.version, self.sel)

    def series(self) -> pl.DataFrame:
        return ui.series(self.dataset, self.version, self.sel.index, self.sel.peer_group, self.sel.province)

    def table_rows(self) -> pl.DataFrame:
        return ui.table_rows(self.dataset, self.version, self.sel)

    def units_rows(self, unit_ids: list[str]) -> pl.DataFrame:
        return ui.units_rows(self.dataset, self.version, tuple(unit_ids))

    def unit_rows(self, unit_id: str) -> pl.DataFrame:
        return ui.unit_rows(self.dataset, self.version, unit_id)

    def lineage(self, unit_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        from chiso.app import lineage

        return lineage.lineage(self.dataset, self.version, unit_id)

    def reorg(self, unit_ids: list[str], index: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
        from chiso.app import lineage

        return lineage.reorg(self.dataset, self.version, tuple(unit_ids), index)

    def two_years(self, year_a: int) -> pl.DataFrame:
        return ui.two_years(self.dataset, self.version, self.sel, year_a, self.sel.year)

    def component_tables(self) -> pl.DataFrame:
        return ui.component_tables(self.dataset, self.version)

    def all_units(self) -> pl.DataFrame:
        return ui.all_units(self.dataset, self.version)

    def earlier_years(self) -> list[int]:
        """Years of the selected table before the selected one, latest first."""
        return [y for y in ui.years_of(self.dataset, self.sel) if y < self.sel.year]


def start(table: bool = True) -> Frame | None:
    """Sidebar, dataset check and (with ``table``) the table picker; None when the page can show
    nothing (the reason is already on screen)."""
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return None
    if not table:
        return Frame(lang, dataset)
    sel = ui.table_picker(dataset, lang)
    if sel is None:
        return None
    from chiso.app import editions  # the edition of a year published twice (DTI 2024)

    return Frame(lang, dataset, editions.pick(dataset, ui.version(dataset), sel, lang))


def run(render: Callable[[Frame], None], *, table: bool = True) -> None:
    """A page: its frame (:func:`start`), then ``render(frame)``, guarded so that an error is shown
    in words (:func:`chiso.app.ui.guard`); nothing more when the frame has said why it cannot show
    anything."""

    collect.start()  # full garbage collections off the page's path (see chiso.app.collect)

    def body() -> None:
        frame = start(table)
        if frame is not None:
            render(frame)

    ui.guard(body)  # counted as a page run in progress (chiso.app.busy)


def text(line: str, *, caption: bool = False) -> None:
    """A sentence that carries file-borne values (unit names, flags): shown as text, never markup."""
    (st.caption if caption else st.markdown)(safe.md(line))
