"""Which reader reads a file: a PDF or a scan (``pdf_annex``), a workbook or a CSV (``annex``; a
long CSV column by column, ``long_csv``). Kept apart from the readers so none of them imports
another to reach it.
"""

from __future__ import annotations

from pathlib import Path

from chiso.config import Catalog
from chiso.ingest import pdf_annex
from chiso.ingest.annex import (
    MAX_BYTES,
    Annex,
    ImportOptions,
    _excel_grid,
    csv_records,
    is_excel,
    read_grid,
    records_grid,
)
from chiso.ingest.long_csv import read_long_csv
from chiso.ingest.problems import AnnexError, issue


def read_annex(path: Path, catalog: Catalog, options: ImportOptions, *, name: str | None = None) -> Annex:
    """Read a file into long rows; AnnexError when it cannot be read as a table at all."""
    path = Path(path)
    file = name or path.name
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise AnnexError(
            [
                issue(
                    file,
                    "file.too_big",
                    hints=("file.split",),
                    size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
                    limit=MAX_BYTES // 1024 // 1024,
                )
            ]
        )
    return read_annex_bytes(path.read_bytes(), file, catalog, options)


def read_annex_bytes(data: bytes, file: str, catalog: Catalog, options: ImportOptions) -> Annex:
    if len(data) > MAX_BYTES:
        raise AnnexError([issue(file, "file.over_limit", hints=(), limit=MAX_BYTES // 1024 // 1024)])
    if not data.strip():
        raise AnnexError([issue(file, "file.empty")])
    if pdf_annex.is_pdf(data) or pdf_annex.is_image(data, file):
        return pdf_annex.read_pdf_annex(data, file, catalog, options, read_grid)
    if is_excel(data):
        return read_grid(_excel_grid(data, file, options.sheet), file, catalog, options)
    if Path(file).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise AnnexError([issue(file, "file.fake_excel")])
    records = csv_records(data, file, options.encoding)
    annex = read_long_csv(records, file, catalog, options)
    if annex is None:
        annex = read_grid(records_grid(records), file, catalog, options)
    return annex
