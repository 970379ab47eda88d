"""What every page view shares: the export a table leaves as, and how titles and file names are made.

A page's view (``chiso.views.<page>.build``) is a frozen object holding everything the page shows;
the page lays it out and ``chiso export <page>`` writes the same object, so screen and file agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from chiso.i18n import label, t
from chiso.names import slug
from chiso.selection import Selection


@dataclass(frozen=True)
class TableExport:
    """A table as it leaves the dashboard (CSV/XLSX): numbers as numbers, the page's headers.

    ``sources`` are :mod:`chiso.export.sources` entries; ``source_key`` names the column (or
    columns) their rows are named by; ``number_formats`` are Excel formats by header."""

    table: pl.DataFrame
    name: str
    sources: list[dict] = field(default_factory=list)
    source_key: str | list[str] | None = None
    number_formats: dict[str, str] | None = None


def scope_text(peer_group: str, province: str, lang: str, catalog=None) -> str:
    """'Huyện, thị xã, thành phố · Quảng Ninh', 'Tỉnh, thành phố · Toàn quốc': the table a chart is of
    (the peer group by its code when no catalog is given)."""
    groups = catalog.peer_groups if catalog is not None else {}
    group = label(groups[peer_group].name, lang) if peer_group in groups else peer_group
    return f"{group} · {province or t('sel.national', lang)}"


def titled(main: str, *details: str) -> str:
    """A chart title whose second line names what the first does not (unit, peer group, province),
    so an image that leaves the dashboard still says what it shows."""
    extra = " · ".join(d for d in details if d)
    return f"{main}<br><sup>{extra}</sup>" if extra else main


def file_name(*parts: object) -> str:
    """'chiso_thanh-phan_PCI_2019_quang-ninh': ASCII, one part per fact, no empty parts."""
    texts = [str(part) for part in parts if part not in (None, "")]
    out = [text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else slug(text) for text in texts]
    return "_".join(out)


def unit_name(rows: pl.DataFrame, unit_id: str) -> str:
    found = rows.filter(pl.col("unit_id") == unit_id)
    return found.get_column("name")[0] if not found.is_empty() else unit_id


def scope_slug(sel: Selection) -> list[str]:
    return [sel.peer_group, slug(sel.province) if sel.province else "toan-quoc"]


def index_labels(catalog, lang: str) -> pl.Expr:
    """``index_code`` replaced by the index's short name, as the page names it."""
    names = {code: label(catalog.index(code).short_name, lang) for code in catalog.codes}
    return pl.col("index_code").replace_strict(names, default=pl.col("index_code")).alias("index_code")
