"""The Data page's view of a table read from a PDF or a scan: each page with the detected table
outlined and the flagged cells highlighted, and the grid as read, whose edits become corrections.

Pure functions (PIL images, Polars frames, text); the page (pages/data.py) only shows them.
"""

from __future__ import annotations

import polars as pl

from chiso.ingest.annex import column_letter

TABLE_COLOUR = (31, 119, 180, 255)
FLAG_FILL = (214, 39, 40, 70)
FLAG_LINE = (214, 39, 40, 255)
RENDER_SCALE = 1.5  # text PDFs drawn at 108 dpi


def pages_to_show(table) -> list[int]:
    """Pages with a flagged cell first (all of them), else the first page of the table."""
    flagged = sorted({table.row_pages.get(f.row) for f in table.flags} - {None})
    return flagged or table.pages[:1]


def page_picture(table, page: int):
    """The page (PIL, RGB) with the table's box outlined and every flagged cell on it marked."""
    from PIL import ImageDraw

    from chiso.ingest.pdf_annex import _cell_box

    if page in table.images:
        image = table.images[page].convert("RGB")
    else:
        import pypdfium2

        document = pypdfium2.PdfDocument(table.data)
        try:
            image = document[page - 1].render(scale=RENDER_SCALE).to_pil().convert("RGB")
        finally:
            document.close()
    scale = image.width / table.page_sizes[page][0]  # pixels per point
    draw = ImageDraw.Draw(image, "RGBA")
    box = table.table_boxes.get(page)
    if box:
        draw.rectangle([v * scale for v in box], outline=TABLE_COLOUR, width=max(2, int(scale)))
    for flag in table.flags:
        if table.row_pages.get(flag.row) != page:
            continue
        cell = flag.source.box if flag.source else _cell_box(table, flag.row, flag.column)
        if cell is None:
            continue
        x0, top, x1, bottom = (v * scale for v in cell)
        draw.rectangle([x0 - 2, top - 2, x1 + 2, bottom + 2], fill=FLAG_FILL, outline=FLAG_LINE, width=2)
        draw.text((x1 + 3, top - 2), flag.cell, fill=FLAG_LINE)
    return image


def table_picture(table, page: int, margin: float = 24.0):
    """``page_picture`` cut to the table's width and from the page's top (the decision's title) to
    the table's foot, with a margin (points): on the Data page the table, not the blank half of an
    A4 page, fills the column."""
    image = page_picture(table, page)
    box = table.table_boxes.get(page)
    if not box:
        return image
    scale = image.width / table.page_sizes[page][0]
    x0, _, x1, bottom = box
    return image.crop(
        (
            max(0, int((x0 - margin) * scale)),
            0,
            min(image.width, int((x1 + margin) * scale)),
            min(image.height, int((bottom + margin) * scale)),
        )
    )


def grid_frame(table) -> pl.DataFrame:
    """The grid as read: a 'dòng' column (row number as in the messages), then one column per letter."""
    width = len(table.grid.letters)
    data = {"dòng": [number for number, _ in table.grid.rows]}
    for j in range(width):
        data[column_letter(j)] = [cells[j].text if j < len(cells) else "" for _, cells in table.grid.rows]
    return pl.DataFrame(
        data, schema={"dòng": pl.Int64, **{column_letter(j): pl.String for j in range(width)}}
    )


def corrections_from_edits(frame: pl.DataFrame, edited_rows: dict) -> str:
    """Streamlit data_editor's edits ({row index: {column: value}}) as "K12=91,24; D7=9"."""
    parts = []
    for index, changes in sorted(edited_rows.items(), key=lambda kv: int(kv[0])):
        number = frame["dòng"][int(index)]
        for letter, value in changes.items():
            if letter == "dòng" or value is None:
                continue
            if str(value).strip() != (frame[letter][int(index)] or ""):
                parts.append(f"{letter}{number}={str(value).strip()}")
    return "; ".join(parts)


def grid_key(frame: pl.DataFrame) -> str:
    """A short fingerprint of the grid's text (one editor per grid shown)."""
    return f"{frame.hash_rows().sum() % 10**12:012d}"


def merge_corrections(made: str, added: str) -> str:
    """Corrections already typed ("K12=91,24; D7=9") with new ones; a cell corrected again keeps
    the newer value. Text that is not cell=value is kept as typed (the import refuses it in words)."""
    cells: dict[str, str] = {}
    for part in [*made.split(";"), *added.split(";")]:
        if not part.strip():
            continue
        cell, sep, value = part.partition("=")
        cells[cell.strip().upper() if sep else part.strip()] = f"={value.strip()}" if sep else ""
    return "; ".join(f"{cell}{value}" for cell, value in cells.items())
