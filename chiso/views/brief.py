"""The briefing pack's view: everything one unit's pack shows for one year, as frames.

Built by ``chiso.app.brief`` and ``chiso.cli.brief`` from what the store reads
(``chiso.store.analysis_queries.unit_year``); ``chiso.export.brief`` writes it to HTML or PDF
without touching a connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from chiso.config import Catalog, Index


@dataclass(frozen=True)
class BriefView:
    catalog: Catalog
    lang: str
    year: int
    unit: dict  # the units row: unit_id, name, short_name, province, unit_type, peer_group
    meta: dict[str, str]
    rows: pl.DataFrame  # every ranked row of the unit, all years, totals and components
    profile: pl.DataFrame  # one total row per index the unit has in ``year`` (config order)
    tables: dict[str, pl.DataFrame]  # index code -> its ranked table that year (all units)
    # index code -> its peer series, all years: the indices with a score up to ``year``, config order
    series: dict[str, pl.DataFrame] = field(default_factory=dict)

    def index(self, code: str) -> Index:
        return self.catalog.index(code)


def build(catalog: Catalog, read, *, year: int, lang: str) -> BriefView:
    """The view of a unit's pack from ``read`` (what ``analysis_queries.unit_year`` returns:
    ``unit``, ``meta``, ``rows``, ``profile``, ``tables``, ``series``)."""
    return BriefView(
        catalog, lang, year, read.unit, read.meta, read.rows, read.profile, read.tables, read.series
    )
