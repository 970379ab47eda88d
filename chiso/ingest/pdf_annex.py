"""A decision annex printed in a PDF (text layer or scan) or an image, as the grid the annex reader takes.

The table is located on the chosen pages and turned into rows of cells exactly as a sheet of the
same annex typed into Excel would be: title rows, the header (a merged cell's text in its first
cell), then one row per unit. The annex reader (``chiso.ingest.annex``) then maps the grid to long rows,
as it does for XLSX. Every cell remembers its page and box (PDF points, origin top left) and, when
it was OCRed, its confidence.

* **Ruled tables** (cell borders drawn): the cells are pdfplumber's (merged cells included).
* **Unruled tables**: rows are anchored on the lines that carry numbers; the columns are the bands
  the numbers and names of those rows occupy; a unit name wrapped over several lines belongs to the
  row whose numbers it surrounds; header lines are joined per column, and a header spanning several
  columns ("Điểm các lĩnh vực") becomes a row of its own.
* **Continued tables**: later pages continue the first page's table, with or without the header
  printed again (a repeated header is dropped).
* **Scans** (pages without a text layer, images): OCRed by ``chiso.ingest.ocr`` and read as unruled.

Nothing here writes anything; ``read_pdf_annex`` returns the annex reader's ``Annex`` with the
cells that need a person's eye (``flags``) reported as issues unless the steward accepted them.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import statistics
from dataclasses import dataclass, field

from chiso.config import Catalog
from chiso.i18n import t
from chiso.ingest.annex import (
    ANNEX_HEADERS,
    Annex,
    Cell,
    Grid,
    ImportOptions,
    column_letter,
    header_key,
    nfc_text,
)
from chiso.ingest.pdf_types import (
    Flag,
    Source,
    Word,
    confidence_note,
    group_lines,
    is_number,
    join_texts,
    join_words,
    phrases,
)
from chiso.ingest.problems import AnnexError, Issue, Note, issue
from chiso.names import fold

PDF_MAGIC = b"%PDF-"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_PAGES = 40
TEXT_CHARS_MIN = 20  # a page with fewer characters in its text layer is read as a scan

_NUMBERING_CELL = re.compile(r"^\(\s*\d+\s*\)$")
_PAGES = re.compile(r"^\s*(\d+)\s*(?:[-–]\s*(\d+)\s*)?$")


@dataclass
class PdfTable:
    file: str
    grid: Grid
    sources: dict[tuple[int, int], Source]  # (grid row number, column index) -> where it was read
    pages: list[int]
    scanned: bool = False
    page_sizes: dict[int, tuple[float, float]] = field(default_factory=dict)
    table_boxes: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    row_pages: dict[int, int] = field(default_factory=dict)  # grid row number -> page
    flags: list[Flag] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)  # grid row number -> title, head, body…
    images: dict[int, object] = field(default_factory=dict)  # scans: page -> the straightened image OCR read
    data: bytes = b""  # the file, for the preview's page pictures


def is_pdf(data: bytes) -> bool:
    return data[:5] == PDF_MAGIC


def is_image(data: bytes, file: str) -> bool:
    heads = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
    return any(data.startswith(h) for h in heads) or file.lower().endswith(IMAGE_SUFFIXES)


def parse_pages(spec: str | None, count: int, file: str) -> list[int]:
    """'3-5' or '2,4-6' -> [3, 4, 5]; every page when spec is empty."""
    if not spec:
        return list(range(1, count + 1))
    pages: list[int] = []
    for part in str(spec).split(","):
        found = _PAGES.match(part)
        if not found:
            raise AnnexError([issue(file, "pdf.pages_invalid", spec=repr(spec))])
        first = int(found.group(1))
        last = int(found.group(2) or first)
        if first < 1 or last < first or last > count:
            raise AnnexError([issue(file, "pdf.pages_outside", spec=repr(spec), count=count)])
        pages += [p for p in range(first, last + 1) if p not in pages]
    return pages


# ---------- unruled tables (and scans) ----------


@dataclass
class _Row:
    page: int
    cells: dict[int, list[Word]]
    kind: str  # 'title', 'head', 'spanning', 'numbering', 'body', 'other'


def _bands(anchor_lines: list[list[Word]]) -> list[tuple[float, float]]:
    intervals = sorted((w.x0, w.x1) for line in anchor_lines for w in line)
    bands: list[list[float]] = []
    for x0, x1 in intervals:
        if bands and x0 <= bands[-1][1] + 1.0:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    return [(a, b) for a, b in bands]


def _column_of(word: Word, bands: list[tuple[float, float]]) -> int:
    """The band a phrase overlaps most, or the nearest by centre."""
    best, best_overlap = None, 0.0
    for j, (a, b) in enumerate(bands):
        overlap = min(b, word.x1) - max(a, word.x0)
        if overlap > best_overlap:
            best, best_overlap = j, overlap
    if best is not None:
        return best
    return min(range(len(bands)), key=lambda j: abs((bands[j][0] + bands[j][1]) / 2 - word.center_x))


def _first_column(word: Word, bands: list[tuple[float, float]]) -> int:
    for j, (_, b) in enumerate(bands):
        if b > word.x0 + 1:
            return j
    return len(bands) - 1


def _is_data_line(line: list[Word], numbers: int = 2) -> bool:
    """A data row's line: beside its name, numbers (two or more when the table's rows have them,
    so that a header line with a "(13 điểm)" misread as "13" is not taken for data)."""
    return len(line) >= 2 and sum(1 for w in line if is_number(w.text)) >= numbers


@dataclass
class _Layout:
    """An unruled table's geometry, from its data rows on every page."""

    bands: list[tuple[float, float]]
    line_height: float
    pitch: float
    needed: int  # numbers on a line that make it a data row
    first: int  # numbers on the line that starts the body: half a typical data row's at least
    scanned: bool = False


def _unruled_rows(pages: dict[int, list[Word]], tolerance: float = 0.3) -> tuple[list[_Row], int, dict]:
    page_lines = {p: group_lines(ws, tolerance) for p, ws in pages.items()}
    layout = _layout(page_lines, tolerance)
    rows: list[_Row] = []
    header_texts: set[str] = set()
    boxes: dict[int, tuple] = {}
    order = sorted(page_lines)
    for n, page in enumerate(order):
        header_texts = _unruled_page(
            rows, boxes, page, page_lines[page], layout, header_texts, first=n == 0, last=n == len(order) - 1
        )
    return rows, len(layout.bands), boxes


def _name_bands_joined(bands: list[tuple[float, float]], lines: list[list[Word]]) -> list:
    """A scan's band of words without numbers, on fewer than half of the data rows, right of a
    band of words too: the end of a few names set apart by a wider gap ("Sở Y | tế"), joined."""
    rows: dict[int, int] = {}  # lines with a word in the band
    numbers: set[int] = set()  # bands with a number
    for line in lines:
        found = set()
        for w in line:
            j = _column_of(w, bands)
            found.add(j)
            if is_number(w.text):
                numbers.add(j)
        for j in found:
            rows[j] = rows.get(j, 0) + 1
    joined: list[tuple[float, float]] = []
    for j, band in enumerate(bands):
        words_only = j and j not in numbers and j - 1 not in numbers and rows.get(j - 1)
        if joined and words_only and 2 * rows.get(j, 0) < len(lines):
            joined[-1] = (joined[-1][0], band[1])
        else:
            joined.append(band)
    return joined


def _layout(page_lines: dict[int, list[list[Word]]], tolerance: float) -> _Layout:
    every = [line for lines in page_lines.values() for line in lines]
    needed = 2 if sum(1 for line in every if _is_data_line(line, 2)) >= 2 else 1
    anchors_all = [line for line in every if _is_data_line(line, needed)]
    if not anchors_all:
        raise _NoTableError()
    bands = _bands(anchors_all)
    if tolerance > 0.3:
        bands = _name_bands_joined(bands, anchors_all)
    heights = [w.height for line in anchors_all for w in line]
    # A text layer's boxes are the font's height; OCR boxes hug the glyphs (digits ~ 0.7 of it).
    line_height = statistics.median(heights) * (1.0 if tolerance <= 0.3 else 1.4)
    pitches = []
    for lines in page_lines.values():
        centers = [
            statistics.median(w.center_y for w in line) for line in lines if _is_data_line(line, needed)
        ]
        pitches += [b - a for a, b in itertools.pairwise(centers)]
    pitch = statistics.median(pitches) if pitches else 2 * line_height
    # A scan's header may break into short lines, one with two of its maxima ("bộ máy (13",
    # "CCHC (12,5"): its body starts at a line with half the numbers of a typical row. A text
    # layer's header lines do not break so; its first row may be a unit with a total only.
    typical = statistics.median(sum(1 for w in line if is_number(w.text)) for line in anchors_all)
    first = max(needed, math.ceil(typical / 2)) if tolerance > 0.3 else needed
    return _Layout(bands, line_height, pitch, needed, first, scanned=tolerance > 0.3)


def _unruled_page(
    rows: list[_Row],
    boxes: dict[int, tuple],
    page: int,
    lines: list[list[Word]],
    layout: _Layout,
    header_texts: set[str],
    *,
    first: bool,
    last: bool,
) -> set[str]:
    """One page's rows (title and header on the first page, a repeated header dropped on the
    next ones) added to ``rows``, its table's box to ``boxes``; the header's texts returned."""
    centers = [statistics.median(w.center_y for w in line) for line in lines]
    anchor_idx = [i for i, line in enumerate(lines) if _is_data_line(line, layout.first)]
    if anchor_idx:
        # Below the first data row, a row with a single number (an average, a unit without
        # components) is data too; above it, such a line is a header's "(12,5 điểm)".
        anchor_idx = [i for i, line in enumerate(lines) if i >= anchor_idx[0] and _is_data_line(line, 1)]
        if layout.scanned:
            # on a scan, between two full rows such a line is a speck beside a name's stray word
            # ("Xã" of "Xã Khánh Điền" a little higher): it joins the nearer row, whose cells
            # then do not parse and are flagged
            full = [i for i in anchor_idx if _is_data_line(lines[i], layout.needed)]
            anchor_idx = [i for i in anchor_idx if i in full or not full[0] < i < full[-1]]
    if not anchor_idx:
        return header_texts
    bounds = _row_bounds([centers[i] for i in anchor_idx], layout.pitch)
    body_top, body_bottom = bounds[0][0], bounds[-1][1]
    above = [i for i in range(len(lines)) if centers[i] < body_top]
    below = [i for i in range(len(lines)) if centers[i] > body_bottom]
    head = _head_lines(lines, above, body_top, layout.line_height)
    title = [i for i in above if i not in head]
    bands = layout.bands
    if first:
        for i in title:
            rows.append(_Row(page, _place(lines[i], bands, spanning=True), "title"))
        rows += _header_rows(page, [lines[i] for i in head], bands)
        header_texts = {fold(" ".join(w.text for w in lines[i])) for i in head + title}
    else:
        for i in above:
            if not _repeated(fold(" ".join(w.text for w in lines[i])), header_texts):
                rows.append(_Row(page, _place(lines[i], bands, spanning=True), "other"))
    for up, down in bounds:
        members = [lines[i] for i in range(len(lines)) if up <= centers[i] < down]
        cells: dict[int, list[Word]] = {}
        for word in (w for line in members for w in line):
            cells.setdefault(_column_of(word, bands), []).append(word)
        rows.append(_Row(page, cells, "body"))
    if last:
        for i in below:
            rows.append(_Row(page, _place(lines[i], bands, spanning=True), "other"))
    if first:
        members = [w for i in range(len(lines)) if i not in title and i not in below for w in lines[i]]
    else:
        members = [w for i in range(len(lines)) if body_top <= centers[i] < body_bottom for w in lines[i]]
    if members:
        boxes[page] = (
            min(w.x0 for w in members),
            min(w.top for w in members),
            max(w.x1 for w in members),
            max(w.bottom for w in members),
        )
    return header_texts


def _row_bounds(acenters: list[float], pitch: float) -> list[tuple[float, float]]:
    """Each data row's band: halfway to its neighbours, half a pitch at the ends."""
    bounds = []
    for k, c in enumerate(acenters):
        up = (acenters[k - 1] + c) / 2 if k else c - pitch / 2
        down = (c + acenters[k + 1]) / 2 if k + 1 < len(acenters) else c + pitch / 2
        bounds.append((up, down))
    return bounds


def _head_lines(lines: list[list[Word]], above: list[int], body_top: float, line_height: float) -> list[int]:
    """The header: the lines just above the body, closer to each other than a line's height."""
    head: list[int] = []
    for i in reversed(above):
        nxt = head[0] if head else None
        limit_top = min(w.top for w in lines[nxt]) if nxt is not None else body_top
        gap = limit_top - max(w.bottom for w in lines[i])
        if gap > 1.6 * line_height:
            break
        head.insert(0, i)
    return head


def _repeated(text: str, header_texts: set[str]) -> bool:
    """A line of the first page's header printed again (OCR may read it a little differently)."""
    import difflib

    return text in header_texts or any(
        difflib.SequenceMatcher(None, text, h).ratio() >= 0.6 for h in header_texts if h
    )


def _place(line: list[Word], bands, *, spanning: bool) -> dict[int, list[Word]]:
    cells: dict[int, list[Word]] = {}
    for word in line:
        j = _first_column(word, bands) if spanning and _spans(word, bands) else _column_of(word, bands)
        cells.setdefault(j, []).append(word)
    return cells


def _spans(word: Word, bands) -> bool:
    return sum(1 for a, b in bands if min(b, word.x1) - max(a, word.x0) > 1) >= 2


def _header_rows(page: int, lines: list[list[Word]], bands) -> list[_Row]:
    """Header lines as grid rows: spanning headers, then one row joining each column's text
    top to bottom, then a numbering row '(1) (2) …' if printed."""
    words = [w for line in lines for w in line]
    numbering = [line for line in lines if all(_NUMBERING_CELL.match(w.text) for w in line)]
    plain = [w for line in lines if line not in numbering for w in line]

    def columns_below(word: Word) -> set[int]:
        return {
            _column_of(o, bands)
            for o in plain
            if o.top >= word.bottom - 1 and min(o.x1, word.x1) - max(o.x0, word.x0) > 0
        }

    spanning = [w for w in plain if len(columns_below(w)) >= 2]
    rows = []
    for word in spanning:
        below = columns_below(word)
        rows.append(_Row(page, {min(below): [word]}, "spanning"))
    joined: dict[int, list[Word]] = {}
    for word in sorted((w for w in plain if w not in spanning), key=lambda w: (w.center_y, w.x0)):
        joined.setdefault(_column_of(word, bands), []).append(word)
    if joined:
        rows.append(_Row(page, joined, "head"))
    for line in numbering:
        rows.append(_Row(page, {_column_of(w, bands): [w] for w in line}, "numbering"))
    del words
    return rows


class _NoTableError(Exception):
    pass


# ---------- ruled tables (text PDFs) ----------


def _column_starts(found: list) -> list[float]:
    """The left edges of the ruled tables' columns, across pages (2,5 pt apart at least)."""
    column_x: list[float] = []
    for _, table in found:
        for row in table.rows:
            for cell in row.cells:
                if cell is not None and not any(abs(cell[0] - x) < 2.5 for x in column_x):
                    column_x.append(cell[0])
    return sorted(column_x)


def _ruled_rows(pdf, pages: list[int], words: dict[int, list[Word]]):
    """Rows of the ruled table on the pages, or None when a page has no ruled table."""
    found = []
    for page in pages:
        tables = [
            t for t in pdf.pages[page - 1].find_tables() if len(t.rows) >= 2 and len(t.rows[0].cells) >= 3
        ]
        if not tables:
            return None
        found.append((page, max(tables, key=lambda t: len(t.rows) * len(t.rows[0].cells))))
    column_x = _column_starts(found)

    def column(x0: float) -> int:
        return min(range(len(column_x)), key=lambda j: abs(column_x[j] - x0))

    rows: list[_Row] = []
    header_texts: set[str] = set()
    boxes = {}
    for n, (page, table) in enumerate(found):
        page_words = words[page]
        x0, top, x1, bottom = table.bbox
        boxes[page] = table.bbox
        inside = [w for w in page_words if x0 <= w.center_x <= x1 and top <= w.center_y <= bottom]
        grid_rows: list[_Row] = []
        for row in table.rows:
            cells: dict[int, list[Word]] = {}
            for cell in row.cells:
                if cell is None:
                    continue
                cx0, ctop, cx1, cbottom = cell
                taken = [w for w in inside if cx0 <= w.center_x <= cx1 and ctop <= w.center_y <= cbottom]
                j = column(cx0)
                cells[j] = [w for line in group_lines(taken) for w in line] or [
                    Word("", cx0, ctop, cx1, cbottom)
                ]
            texts = [" ".join(w.text for w in cs if w.text) for cs in cells.values()]
            body = sum(1 for t in texts if is_number(t)) >= 1 and sum(1 for t in texts if t) >= 2
            grid_rows.append(_Row(page, cells, "body" if body else "head"))
        first_body = next((i for i, r in enumerate(grid_rows) if r.kind == "body"), len(grid_rows))
        lines_above = group_lines([w for w in page_words if w.center_y < top])
        lines_below = group_lines([w for w in page_words if w.center_y > bottom])
        if n == 0:
            for line in lines_above:
                rows.append(_Row(page, {column(min(w.x0 for w in line)): line}, "title"))
            header_texts = {_row_text(r) for r in grid_rows[:first_body]}
            rows += grid_rows
        else:
            rows += [
                r for i, r in enumerate(grid_rows) if i >= first_body or _row_text(r) not in header_texts
            ]
        if n == len(found) - 1:
            for line in lines_below:
                rows.append(_Row(page, {column(min(w.x0 for w in line)): line}, "other"))
    return rows, len(column_x), boxes


def _row_text(row: _Row) -> str:
    return fold(" ".join(w.text for j in sorted(row.cells) for w in row.cells[j]))


# ---------- the grid ----------


def _to_table(file: str, rows: list[_Row], width: int, pages: list[int], **extra) -> PdfTable:
    grid_rows, sources, row_pages, kinds = [], {}, {}, {}
    for number, row in enumerate(rows, start=1):
        cells = []
        for j in range(width):
            words = [w for w in row.cells.get(j, []) if w.text]
            text = nfc_text(join_texts(words)) if words else ""
            text = " ".join(text.replace("\u00a0", " ").split())
            cells.append(Cell(text))
            box_words = row.cells.get(j, [])
            if box_words:
                joined = join_words(box_words)
                sources[(number, j)] = Source(
                    row.page, (joined.x0, joined.top, joined.x1, joined.bottom), joined.conf
                )
        grid_rows.append((number, cells))
        row_pages[number] = row.page
        kinds[number] = row.kind
    grid = Grid(None, grid_rows, [column_letter(j) for j in range(width)])
    return PdfTable(file, grid, sources, pages, row_pages=row_pages, kinds=kinds, **extra)


def pdf_page_count(data: bytes, file: str) -> int:
    pdfplumber = _pdfplumber(file)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except Exception as exc:
        raise AnnexError([_broken(file, exc)]) from exc


def read_pdf_table(data: bytes, file: str, pages: str | None = None, *, dpi: int = 300) -> PdfTable:
    """Locate the annex table on the pages and return it as a grid with each cell's source."""
    if is_image(data, file) and not is_pdf(data):
        from chiso.ingest import ocr

        words, size, image = ocr.image_words(data, file, dpi=dpi)
        table = _from_words(file, {1: words}, [1], scanned=True, page_sizes={1: size})
        table.images = {1: image}
        return table
    pdfplumber = _pdfplumber(file)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise AnnexError([_broken(file, exc)]) from exc
    with pdf:
        count = len(pdf.pages)
        if count == 0:
            raise AnnexError([issue(file, "pdf.no_pages", hints=("pdf.broken",))])
        chosen = parse_pages(pages, count, file)
        if len(chosen) > MAX_PAGES:
            raise AnnexError([issue(file, "pdf.too_many_pages", n=len(chosen), limit=MAX_PAGES)])
        sizes = {p: (float(pdf.pages[p - 1].width), float(pdf.pages[p - 1].height)) for p in chosen}
        words, scanned_pages = {}, []
        for p in chosen:
            page = pdf.pages[p - 1]
            if len(page.chars) < TEXT_CHARS_MIN:
                scanned_pages.append(p)
                continue
            words[p] = text_page_words(page)
        if scanned_pages:
            from chiso.ingest import ocr

            images = {}
            for p, (page_words, size, image) in ocr.pdf_words(data, file, scanned_pages, dpi=dpi).items():
                words[p] = page_words
                sizes[p] = size
                images[p] = image
            table = _from_words(file, words, chosen, scanned=True, page_sizes=sizes)
            table.images = images
            return table
        converted = _check_encoding(file, words)
        ruled = _ruled_rows(pdf, chosen, words)
    if ruled is not None:
        rows, width, boxes = ruled
        table = _to_table(file, rows, width, chosen, page_sizes=sizes, table_boxes=boxes)
    else:
        table = _from_words(file, words, chosen, scanned=False, page_sizes=sizes)
    table.notes += converted
    return table


def text_page_words(page) -> list[Word]:
    """A text page's phrases. Where old capital fonts (.VnTimeH) are used, words are split where
    the font changes and keep its name: their TCVN3 letters are capitals (``_check_encoding``)."""
    from chiso.ingest import legacy_fonts

    fonts = any(legacy_fonts.is_capital_font(c.get("fontname", "")) for c in page.chars)
    extra = {"extra_attrs": ["fontname"]} if fonts else {}
    raw = page.extract_words(keep_blank_chars=False, x_tolerance=1.5, y_tolerance=2.5, **extra)
    return phrases(
        [
            Word(_text(w["text"]), w["x0"], w["top"], w["x1"], w["bottom"], None, w.get("fontname", ""))
            for w in raw
            if w["text"].strip()
        ]
    )


def _text(text: str) -> str:
    return nfc_text(text)


def _check_encoding(file: str, words: dict[int, list[Word]]) -> list[str]:
    """Text in an old Vietnamese font encoding (TCVN3, VNI) converted to Unicode, and noted. TCVN3
    words in a capital font (.VnTimeH) come back in capitals; a phrase mixing a capital font with
    another cannot be told apart and is named in the note."""
    from chiso.ingest import legacy_fonts

    sample = " ".join(w.text for ws in words.values() for w in ws)
    encoding = legacy_fonts.detect(sample)
    if encoding is None:
        return []
    mixed = []
    for page, ws in words.items():
        converted = []
        for w in ws:
            capital = encoding == "TCVN3" and legacy_fonts.is_capital_font(w.font)
            text = legacy_fonts.to_unicode(w.text, encoding, capital=capital)
            if encoding == "TCVN3" and w.font == "mixed":
                mixed.append(f"«{text}» ({Note('pdf.where.page', page=page)})")
            converted.append(Word(text, w.x0, w.top, w.x1, w.bottom, w.conf, w.font))
        words[page] = converted
    notes = [Note("pdf.note.legacy_converted", name=legacy_fonts.NAMES[encoding])]
    if mixed:
        notes.append(Note("pdf.note.capitals_unknown", cells="; ".join(mixed[:5]), n=len(mixed)))
    return notes


def _from_words(
    file, words: dict[int, list[Word]], pages: list[int], *, scanned: bool, page_sizes
) -> PdfTable:
    try:
        rows, width, boxes = _unruled_rows(words, 0.45 if scanned else 0.3)
    except _NoTableError:
        hints = ("pdf.no_table", "pdf.scan_quality") if scanned else ("pdf.no_table",)
        if len(pages) == 1:
            found = issue(file, "pdf.no_table_page", hints=hints, page=pages[0])
        else:
            found = issue(file, "pdf.no_table_pages", hints=hints, first=pages[0], last=pages[-1])
        raise AnnexError([found]) from None
    return _to_table(file, rows, width, pages, scanned=scanned, page_sizes=page_sizes, table_boxes=boxes)


def _pdfplumber(file: str):
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise AnnexError([issue(file, "pdf.no_library")]) from exc
    return pdfplumber


def _broken(file: str, exc: BaseException) -> Issue:
    return issue(file, "pdf.broken", reason=_first_line(exc))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------- the annex, checked ----------


def read_pdf_annex(data: bytes, file: str, catalog: Catalog, options: ImportOptions, read_grid) -> Annex:
    """The annex read from a PDF or image, with flagged cells as issues unless accepted.

    ``read_grid(grid, file, catalog, options)`` is the annex reader's grid-to-rows step."""
    table = read_pdf_table(data, file, options.pages)
    table.data = data
    corrections = _apply_corrections(table, options.corrections, file)
    understood = _normalise_headers(table, catalog, options) if table.scanned else []
    annex = read_grid(table.grid, file, catalog, options)
    annex.notes += understood
    from chiso.ingest import pdf_checks

    flags = pdf_checks.flags(table, annex, catalog)
    # The reader's refusals (a cell that is not a number) are read again too.
    refused = [
        Flag(
            i.row,
            _column_index(i.column.split(" ")[0]),
            "",
            Note(f"problem.{i.code}", **dict(i.params)) if i.code else i.message,
        )
        for i in annex.issues
        if i.row and i.column and i.column.split(" ")[0].isupper() and table.kinds.get(i.row) == "body"
    ]
    if table.scanned and (flags or refused) and _reread(table, [*flags, *refused]):
        annex = read_grid(table.grid, file, catalog, options)
        annex.notes += understood
        flags = pdf_checks.flags(table, annex, catalog)
    annex.issues = [_with_page(problem, table) for problem in annex.issues]
    pages = table.pages
    if len(pages) == 1:
        where = Note("pdf.where.page", page=pages[0])
    else:
        where = Note("pdf.where.pages", first=pages[0], last=pages[-1])
    read_from = Note("pdf.note.read_scan" if table.scanned else "pdf.note.read_pdf", where=where)
    annex.notes[:0] = [read_from, *table.notes]
    annex.corrections = corrections
    for text in corrections:
        annex.notes.append(text)
    corrected = {c.values["cell"] for c in corrections}
    flags = [f for f in flags if f.cell not in corrected]
    if flags and options.accept_flagged:
        annex.notes += [Note("pdf.note.accepted", what=f.describe()) for f in flags]
    elif flags:
        annex.issues += [
            _with_page(
                issue(
                    file,
                    "pdf.flagged",
                    row=f.row,
                    column=column_letter(f.column),
                    what=f.describe(),
                    cell=f.cell,
                ),
                table,
            )
            for f in flags
        ]
    table.flags = flags
    annex.source = table  # the preview shows the page with the table and its flagged cells
    return annex


_CORRECTION = re.compile(r"^\s*([A-Za-z]{1,3})(\d+)\s*=(.*)$")


class CorrectionError(ValueError):
    """A correction not written as cell=value; ``part`` is what was written."""

    def __init__(self, part: str):
        super().__init__(f"not cell=value: {part!r}")  # shown through the coded pdf.correction_invalid
        self.part = part


def parse_corrections(spec: str | None) -> list[tuple[str, int, str]]:
    out = []
    for part in (spec or "").split(";"):
        if not part.strip():
            continue
        found = _CORRECTION.match(part)
        if not found:
            raise CorrectionError(part.strip())
        out.append((found.group(1).upper(), int(found.group(2)), found.group(3).strip()))
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _apply_corrections(table: PdfTable, spec: str | None, file: str) -> list[str]:
    """Replace corrected cells in the grid; one audit line per cell, with the original reading."""
    try:
        wanted = parse_corrections(spec)
    except CorrectionError as exc:
        raise AnnexError([issue(file, "pdf.correction_invalid", part=repr(exc.part))]) from None
    records = []
    rows = dict(table.grid.rows)
    for letters, number, value in wanted:
        j = _column_index(letters)
        cells = rows.get(number)
        if cells is None or j >= len(cells):
            raise AnnexError([issue(file, "pdf.no_cell", row=number, cell=f"{letters}{number}")])
        original = cells[j].text
        cells[j] = Cell(value)
        source = table.sources.get((number, j))
        where = source.where() if source else Note("pdf.where.page", page=table.row_pages.get(number, "?"))
        conf = confidence_note(source.confidence if source else None)
        cell = f"{letters}{number}"
        records.append(
            Note("pdf.note.corrected", cell=cell, where=where, original=original, conf=conf, value=value)
        )
    return records


# ---------- OCR'd headers ----------

HEADER_MATCH = 0.75  # difflib ratio of a misread header to a known one


def _normalise_headers(table: PdfTable, catalog: Catalog, options: ImportOptions) -> list[str]:
    """Header cells OCR misread ("Cải cách tài chính công 3 điểm)") replaced by the known header
    they closely match (component names of the index, total, rank, unit); each one noted."""
    import difflib

    from chiso.ingest import annex as reader

    known: dict[str, str] = {}
    codes = [options.index.upper()] if options.index else list(catalog.codes)
    for code in codes:
        try:
            index = catalog.index(code)
        except Exception:
            continue
        for variant in index.variants:
            for comp in variant.components:
                known.setdefault(fold(comp.name.get("vi", comp.code)), comp.name.get("vi", comp.code))
    for role in ANNEX_HEADERS:
        text = t(f"annex.header.{role}", "vi")  # an annex prints its headers in Vietnamese
        known.setdefault(fold(text), text)
    exact = (
        set(known) | reader.UNIT_HEADERS | reader.TOTAL_HEADERS | reader.RANK_HEADERS | reader.IGNORED_HEADERS
    )
    notes = []
    for number, cells in table.grid.rows:
        if table.kinds.get(number) != "head":
            continue
        for j, cell in enumerate(cells):
            key = header_key(cell.text)[0]
            if not key or key in exact or any(key.startswith(p) for p in reader.TOTAL_PREFIXES):
                continue
            match = difflib.get_close_matches(key, list(known), n=1, cutoff=HEADER_MATCH)
            if not match:
                # a misread maximum left "(13 điểm" without its bracket: try without the tail
                trimmed = re.sub(r"\s*\S*\d\S*\s*diem\s*$", "", key)
                match = difflib.get_close_matches(trimmed, list(known), n=1, cutoff=HEADER_MATCH)
            if match:
                name = known[match[0]]
                cells[j] = Cell(name)
                notes.append(
                    Note("pdf.note.header_understood", column=column_letter(j), text=cell.text, name=name)
                )
    return notes


def _reread(table: PdfTable, flags: list[Flag]) -> bool:
    """Flagged number cells of a scan OCRed again alone, larger; a more confident reading that
    parses as a number replaces the first. True when a cell changed."""
    from chiso.ingest import ocr

    rows = dict(table.grid.rows)
    numeric = _number_columns(table)
    todo = []
    for flag in flags:
        if flag.column not in numeric:
            continue  # a unit's name is not read again with digits only (it would come back "77")
        page = table.row_pages.get(flag.row)
        image = table.images.get(page)
        box = _cell_box(table, flag.row, flag.column) if image is not None else None
        if box is not None:
            todo.append((flag, page, box, image))
    readings = ocr.reread([(image, box, table.page_sizes[page]) for _, page, box, image in todo], table.file)
    changed = False
    for (flag, page, box, _), found in zip(todo, readings, strict=True):
        if not found:
            continue
        old = table.sources.get((flag.row, flag.column))
        text, conf = found
        text = _decimal_comma(text, rows, flag.column)
        current = rows[flag.row][flag.column].text
        if not is_number(text) or (
            is_number(current) and old and old.confidence is not None and conf <= old.confidence
        ):
            continue  # a reading that parses is only replaced by a more confident one
        if text == current and old and old.confidence is not None and conf <= old.confidence:
            continue
        rows[flag.row][flag.column] = Cell(text)
        table.sources[(flag.row, flag.column)] = Source(page, box, conf)
        changed = True
    return changed


def _number_columns(table: PdfTable) -> set[int]:
    """Columns of the body where most cells written are numbers."""
    counts: dict[int, list[int]] = {}
    for number, cells in table.grid.rows:
        if table.kinds.get(number) != "body":
            continue
        for j, cell in enumerate(cells):
            if cell.text:
                counts.setdefault(j, [0, 0])[is_number(cell.text)] += 1
    return {j for j, (other, numbers) in counts.items() if numbers > other}


def _decimal_comma(text: str, rows: dict, column: int) -> str:
    """A cell read again with a point before its one or two decimals ("12.48") where its column
    writes decimal commas: the comma (a lone cell read alone often takes the comma for a point)."""
    if not re.fullmatch(r"\d+\.\d{1,2}", text):
        return text
    written = [cells[column].text for cells in rows.values() if column < len(cells)]
    commas = sum(1 for t in written if re.fullmatch(r"\d+,\d+", t))
    points = sum(1 for t in written if re.fullmatch(r"\d+\.\d{1,2}", t))
    return text.replace(".", ",") if commas > points else text


def _cell_box(table: PdfTable, row: int, column: int):
    """A cell's box from its row's height and its column's width (the cell may be empty)."""
    in_row = [s for (r, _), s in table.sources.items() if r == row]
    in_column = [s for (r, c), s in table.sources.items() if c == column and table.kinds.get(r) == "body"]
    if not in_row or not in_column:
        return None
    top = min(s.box[1] for s in in_row)
    bottom = max(s.box[3] for s in in_row)
    # numbers sit on the row's middle line; a wrapped name makes the row taller
    numbers = [
        s for (r, c), s in table.sources.items() if r == row and c != column and s.box[3] - s.box[1] < 12
    ]
    if numbers:
        top = min(s.box[1] for s in numbers)
        bottom = max(s.box[3] for s in numbers)
    x0 = min(s.box[0] for s in in_column)
    x1 = max(s.box[2] for s in in_column)
    pad = 2.0
    return (x0 - pad, top - pad, x1 + pad, bottom + pad)


def _with_page(problem: Issue, table: PdfTable) -> Issue:
    """The annex reader's problem with the page it is on (rows are numbered across pages)."""
    from dataclasses import replace

    page = table.row_pages.get(problem.row) if problem.row else None
    if page is None or problem.page is not None:
        return problem
    return replace(problem, page=page)
