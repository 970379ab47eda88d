"""Import templates a data steward fills in: the wide layout of a decision annex (XLSX: title rows,
then STT, unit, total, rank, one row per unit) and the project's long CSV (one row per value).
Both read back through the importer exactly as a real file would."""

from __future__ import annotations

import io

import polars as pl

from chiso.columns import LONG_COLUMNS
from chiso.export.files import _workbook
from chiso.i18n import t

TEMPLATE_HEADERS = ("number", "unit", "total", "rank")  # locales: annex.header.*
EXAMPLES = [("Sở Nội vụ", 93.82, 1), ("Sở Tư pháp", 93.42, 2)]
SOURCE = ("Quyết định số …/QĐ-UBND ngày …", "")


def annex_xlsx(lang: str = "vi") -> bytes:
    """The annex layout: two title rows, the header, two example rows to overwrite."""
    buffer = io.BytesIO()
    book = _workbook(buffer)
    sheet = book.add_worksheet(t("template.sheet", lang))
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top"})
    number = book.add_format({"num_format": "0.00", "border": 1})
    cell = book.add_format({"border": 1})
    sheet.write(0, 0, t("template.title", lang), bold)
    sheet.write(1, 0, t("template.note", lang))
    for col, role in enumerate(TEMPLATE_HEADERS):
        sheet.write(3, col, t(f"annex.header.{role}", lang), header)
    for row, (name, score, rank) in enumerate(EXAMPLES, start=4):
        sheet.write_number(row, 0, row - 3, cell)
        sheet.write_string(row, 1, name, cell)
        sheet.write_number(row, 2, score, number)
        sheet.write_number(row, 3, rank, cell)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 3, 12)
    book.close()
    return buffer.getvalue()


def long_csv() -> bytes:
    """The long format's columns with two example rows (dot decimals, UTF-8 without BOM)."""
    rows = [
        {
            "province": "Hòa Bình",
            "unit": name,
            "unit_type": "department",
            "index": "PAR",
            "component": "",
            "year": "2024",
            "score": f"{score:.2f}",
            "max_score": "100",
            "rank": str(rank),
            "rank_of": "19",
            "source_title": SOURCE[0],
            "source_url": SOURCE[1],
            "quote": "",
        }
        for name, score, rank in EXAMPLES
    ]
    frame = pl.DataFrame(
        [{c: r.get(c, "") for c in LONG_COLUMNS} for r in rows], schema=dict.fromkeys(LONG_COLUMNS, pl.String)
    )
    return frame.write_csv().encode("utf-8")
