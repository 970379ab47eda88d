"""What every CSV/XLSX that leaves the dashboard says about where its numbers come from.

A *source entry* is one source (title, URL) listed once, with the rows of the exported table it
supports: ``rows`` holds the values of the table's key column (unit names, index names …), or is
None when the source supports every row (a components table of one unit, a two-year split), and
``note`` says in words which part of the table it supports when that is not a set of rows.

* XLSX: the "Nguồn" sheet lists each entry once: rows supported, title, URL, and the quote when the
  source has a single one.
* CSV: every row carries its own sources in two trailing columns ("Tiêu đề nguồn", "Đường dẫn
  nguồn"; several sources joined by " | "). A section after the data or a companion file would break
  ``read_csv`` or be lost in a browser download; two columns keep the file one rectangular table.

Numbers keep their on-screen rounding and get Excel formats with the same decimals.
"""

from __future__ import annotations

import polars as pl

from chiso.export import files as export
from chiso.i18n import t
from chiso.views.sources import KEY_JOIN, entries, merge, rounded  # noqa: F401  (their home is the views)

JOIN = " | "


def supported_text(entry: dict, lang: str) -> str:
    """'Sở Nội vụ, Sở Tư pháp' or 'Mọi dòng' (with the entry's note)."""
    rows = t("export.source.all_rows", lang) if entry["rows"] is None else ", ".join(entry["rows"])
    return f"{rows} ({entry['note']})" if entry["note"] else rows


def sheet(found: list[dict], lang: str) -> list[dict]:
    """The rows of the "Nguồn" sheet (``unit`` is the rows-supported column)."""
    return [
        {"unit": supported_text(e, lang), "title": e["title"], "url": e["url"], "quote": e["quote"]}
        for e in found
    ]


def labels(lang: str) -> dict[str, str]:
    return {
        "unit": t("export.source.rows", lang),
        "title": t("export.source.title", lang),
        "url": t("export.source.url", lang),
        "quote": t("export.source.quote", lang),
    }


def with_source_columns(
    table: pl.DataFrame, found: list[dict], key: str | list[str] | None, lang: str
) -> pl.DataFrame:
    """The table with each row's sources in two trailing columns (the CSV layout).

    ``key`` is the table's column (or columns, joined by ``KEY_JOIN``) whose values the entries'
    ``rows`` name; entries with
    ``rows=None`` support every row.
    """
    if table.is_empty():
        return table
    if not key:
        keys = [None] * table.height
    else:
        columns = [key] if isinstance(key, str) else key
        keys = (
            table.select(pl.concat_str([pl.col(c).cast(pl.String) for c in columns], separator=KEY_JOIN))
            .to_series()
            .to_list()
        )
    titles, urls = [], []
    for value in keys:
        mine = [e for e in found if e["rows"] is None or (value is not None and value in e["rows"])]
        titles.append(JOIN.join(e["title"] for e in mine if e["title"]) or None)
        urls.append(JOIN.join(e["url"] for e in mine if e["url"]) or None)
    return table.with_columns(
        pl.Series(t("export.csv.source_title", lang), titles, dtype=pl.String),
        pl.Series(t("export.csv.source_url", lang), urls, dtype=pl.String),
    )


def number_formats(table: pl.DataFrame, lang: str, decimals: dict[str, int] | None = None) -> dict[str, str]:
    """Excel formats with the screen's decimals: whole numbers ``#,##0`` (years plain ``0``),
    other numbers ``#,##0.00`` unless ``decimals`` names the column's places."""
    year = t("sel.year", lang)
    formats = {}
    for name, dtype in table.schema.items():
        if dtype.is_integer():
            formats[name] = "0" if name == year else export.number_format(0)
        elif dtype.is_numeric():
            formats[name] = export.number_format((decimals or {}).get(name, 2))
    return formats


def csv_bytes(table: pl.DataFrame, found: list[dict], key: str | list[str] | None, lang: str) -> bytes:
    return export.table_csv(with_source_columns(table, found, key, lang))


def xlsx_bytes(
    table: pl.DataFrame,
    found: list[dict],
    lang: str,
    *,
    formats: dict[str, str] | None = None,
) -> bytes:
    return export.table_xlsx(
        table,
        sources=sheet(found, lang),
        sheet=t("export.sheet.data", lang),
        sources_sheet=t("export.sheet.sources", lang),
        number_formats=number_formats(table, lang) if formats is None else formats,
        source_labels=labels(lang),
    )
