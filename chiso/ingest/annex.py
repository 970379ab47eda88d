"""Read a published results table (a decision annex) into the project's long-format rows.

Pure: bytes in, rows out; no database, no Streamlit. Validation against the unit registry
and the configured maxima happens later (chiso.ingest.resolve reuses the build's readers);
this module only understands the layout and remembers, for every long row, the sheet, row
and column each value came from, so that a problem can be reported where the steward sees it.

Two layouts are understood:

* the project's **long** CSV format (README: one row per value, ``unit``, ``index``, ``year``…),
  read exactly as ``chiso build`` reads it (dot decimals);
* the **wide** layout of a decision annex: title rows, then a header (possibly two rows with
  merged cells), then one row per unit with a column per component, a total and a rank.
  Headers are matched ignoring accents, case, spacing and line breaks; a component column
  is named by its code or its Vietnamese (or English) name from ``config/indices.yaml``.
  Numbers may be written the Vietnamese way (``91,24``, ``14.859``); the convention of a
  column is decided from all of its cells.

Files: CSV in UTF-8 (with or without BOM) or UTF-16 with a BOM; Windows-1258 only when asked
for; XLSX (or XLS) through calamine (fastexcel, the engine of ``pl.read_excel``).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from dataclasses import dataclass, field

import polars as pl

from chiso.columns import LONG_COLUMNS
from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.ingest.problems import AnnexError, Issue, Note, issue
from chiso.ingest.xlsx_guard import column_letter
from chiso.names import fold, nfc

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 40
ENCODINGS = ("utf-8", "cp1258")


# ---------- what a header means (folded: lower case, no accents, no punctuation) ----------

# Header roles whose printed form (locales: annex.header.*) a misread PDF header is matched against
ANNEX_HEADERS = ("total", "rank", "unit", "number", "commune", "note")
UNIT_HEADERS = {
    "ten don vi",
    "don vi",
    "ten co quan don vi",
    "co quan don vi",
    "ten co quan",
    "co quan",
    "ten dia phuong",
    "dia phuong",
    "ten don vi dia phuong",
    "don vi dia phuong",
    "ten",
    "unit",
    "ten so ban nganh",
    "so ban nganh",
    "ten huyen thi xa thanh pho",
    "huyen thi xa thanh pho",
    "ten xa phuong",
}
CODE_HEADERS = {"ma", "ma don vi", "ma dvhc", "ma hanh chinh", "ma so", "code"}
PROVINCE_HEADERS = {
    "tinh",
    "tinh thanh pho",
    "tinh thanh",
    "ten tinh",
    "ten tinh thanh pho",
    "province",
}
YEAR_HEADERS = {"nam", "year", "nam danh gia"}
INDEX_HEADERS = {"index", "ma chi so"}
UNIT_TYPE_HEADERS = {"unit type", "loai don vi"}
TOTAL_HEADERS = {
    "tong diem",
    "diem",
    "tong",
    "tong so diem",
    "tong diem dat duoc",
    "diem dat duoc",
    "diem tong",
    "diem so",
    "ket qua",
    "score",
    "total",
    "chi so",
}
TOTAL_PREFIXES = ("tong diem", "chi so ", "diem chi so", "ket qua chi so", "diem tong hop")
RANK_HEADERS = {"xep hang", "thu hang", "hang", "rank", "thu tu xep hang", "vi tri xep hang", "xep thu"}
RANK_PREFIXES = ("xep hang", "thu hang")
IGNORED_HEADERS = {"stt", "tt", "so tt", "so thu tu", "ghi chu", "note", "notes"}
IGNORED_PREFIXES = (
    "xep loai",
    "ghi chu",
    "ty le",
    "phan tram",
    "so voi",
    "muc xep",
    "phan loai",
    "diem toi da",
)

# Rows that are not units: the maxima row, averages and totals printed in the table.
SKIP_UNIT_PREFIXES = (
    "diem toi da",
    "thang diem",
    "diem chuan",
    "toi da",
    "trung binh",
    "binh quan",
    "diem trung binh",
    "diem binh quan",
    "tong cong",
    "tong so",
    "trung vi",
)
EMPTY_TOKENS = {"", "-", "–", "—", "…", "..", "..."}
NON_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"}


# ---------- results ----------


@dataclass(frozen=True)
class ImportOptions:
    """Values the file does not carry itself (or that it must agree with)."""

    index: str | None = None
    year: int | None = None
    province: str | None = None
    unit_type: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    source_title: str | None = None
    source_url: str | None = None
    pages: str | None = None  # PDF: the pages holding the table, "3-5"
    accept_flagged: bool = False  # PDF/scan: import cells flagged for review as read
    corrections: str | None = None  # PDF/scan: "K12=91,24; D7=9" (cell as printed in the preview)
    edition: str | None = None  # the edition of a year published more than once (config editions)


@dataclass
class Origin:
    """Where a long row's values came from: sheet, row, and a column label per long column."""

    sheet: str | None
    row: int
    columns: dict[str, str] = field(default_factory=dict)
    declared_max: float | None = None  # "(13 điểm)" printed in the score column's header
    # Which values the file gives for this row ('score', 'rank', 'rank_of', 'flag'); a value the
    # file does not carry (no rank column, say) keeps what the database holds.
    provided: frozenset[str] = frozenset(("score", "rank", "rank_of", "flag"))


@dataclass(frozen=True)
class ColumnRole:
    label: str  # "D «Cải cách thể chế»"
    role: str  # unit, code, province, year, index, unit_type, component, total, rank, ignored
    component: str | None = None
    number_style: str | None = None  # 'vn' (91,24 and 14.859) or 'en' (91.24) when text mattered


@dataclass
class Annex:
    file: str
    layout: str  # 'wide' or 'long'
    sheet: str | None
    rows: list[dict[str, str]]
    origins: list[Origin]
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[ColumnRole] = field(default_factory=list)
    title: str = ""
    warnings: list[Issue] = field(default_factory=list)  # from reading: hidden sheet, % cells
    corrections: list[str] = field(default_factory=list)  # PDF: corrected cells, original reading
    source: object | None = None  # PDF: the chiso.ingest.pdf_annex.PdfTable read (pages, boxes, flags)


# ---------- grid: a sheet or a CSV as rows of cells ----------


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    numeric: bool = False  # a number stored as a number (XLSX), not text


@dataclass
class Grid:
    sheet: str | None
    rows: list[tuple[int, list[Cell]]]  # (row number as the steward sees it, cells)
    letters: list[str]  # column letters of the cells
    notes: list[Issue] = field(default_factory=list)  # warnings from reading (hidden sheet, % cells)


def _dotted(n: int) -> str:
    """14859 -> '14.859' (Vietnamese thousands)."""
    return f"{n:,}".replace(",", ".")


def _clean(text: object) -> str:
    if text is None:
        return ""
    return " ".join(nfc(str(text)).replace("\u00a0", " ").split())


def is_excel(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sheet_names(data: bytes) -> list[str]:
    """Visible sheet names of an Excel file (empty for anything else), read without a parser."""
    if not is_excel(data):
        return []
    from chiso.ingest import xlsx_guard

    try:
        return [s.name for s in xlsx_guard.inspect(data) if not s.hidden]
    except Exception:  # unreadable or refused workbook: read_annex reports it
        return []


def _excel_grid(data: bytes, file: str, sheet: str | None) -> Grid:
    """A sheet read by calamine in a bounded child process (chiso.ingest.xlsx_guard); hidden sheets are
    read only when named, and then with a warning."""
    from chiso.ingest import xlsx_guard

    notes: list[Issue] = []
    try:
        sheets = xlsx_guard.inspect(data)
        if sheets:
            name, part = _choose_sheet(sheets, file, sheet, notes)
        else:  # legacy .xls: the child picks the sheet
            name, part = sheet, None
        cells = xlsx_guard.read_sheet(data, name, part)
    except xlsx_guard.WorkbookError as exc:
        if data[:8] == xlsx_guard.OLE_MAGIC and not xlsx_guard.is_encrypted(data) and not exc.hint:
            # An Excel 97–2003 container calamine cannot read as a workbook: name the format.
            found = issue(file, "file.xls_unreadable", sheet=exc.sheet, detail=exc.message)
            raise AnnexError([found]) from exc
        raise AnnexError([exc.issue(file, ("xlsx.resave_or_csv",))]) from exc
    if cells.name is None:
        names = ", ".join(cells.hidden_skipped)
        hints = ("sheet.none_visible",)
        raise AnnexError([issue(file, "sheet.none_visible_hidden", hints=hints, names=names)])
    width = max((len(r) for r in cells.rows), default=0)
    letters = [column_letter(cells.first_column + j) for j in range(width)]
    rows = [(r + 1, [Cell(_clean(t), n) for t, n in values]) for r, values in enumerate(cells.rows)]
    notes += [
        issue(file, code, sheet=cells.name, column=ref, level="warning") for ref, code in cells.warnings
    ]
    notes += _xls_sheet_notes(file, cells)
    return Grid(cells.name, rows, letters, notes)


def _xls_sheet_notes(file: str, cells) -> list[Issue]:
    """A legacy .xls whose chosen sheet is hidden (named), or comes after hidden ones: said, as for .xlsx."""
    if cells.named_hidden:
        return [issue(file, "sheet.hidden", sheet=cells.name, level="warning", hints=())]
    if cells.hidden_skipped:
        hidden = ", ".join(cells.hidden_skipped)
        return [
            issue(
                file,
                "sheet.hidden_skipped",
                sheet=cells.name,
                level="warning",
                hints=(),
                hidden=hidden,
                sheet_name=cells.name,
            )
        ]
    return []


def _choose_sheet(sheets, file: str, sheet: str | None, notes: list[Issue]) -> tuple[str, str | None]:
    names = [s.name for s in sheets]
    if sheet:
        matches = [s for s in sheets if fold(s.name) == fold(sheet)]
        if not matches:
            raise AnnexError([issue(file, "sheet.missing", sheet_name=repr(sheet), names=", ".join(names))])
        chosen = matches[0]
        if chosen.hidden:
            notes.append(issue(file, "sheet.hidden", sheet=chosen.name, level="warning", hints=()))
        return chosen.name, chosen.part
    visible = [s for s in sheets if not s.hidden]
    if not visible:
        raise AnnexError(
            [
                issue(
                    file,
                    "sheet.none_visible_hidden" if names else "sheet.none_visible",
                    hints=("sheet.none_visible",),
                    names=", ".join(names),
                )
            ]
        )
    hidden_before = [s.name for s in sheets[: sheets.index(visible[0])]]
    if hidden_before:
        notes.append(
            issue(
                file,
                "sheet.hidden_skipped",
                sheet=visible[0].name,
                level="warning",
                hints=(),
                hidden=", ".join(hidden_before),
                sheet_name=visible[0].name,
            )
        )
    return visible[0].name, visible[0].part


def _decode(data: bytes, file: str, encoding: str | None) -> str:
    if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "cp1258", "windows-1258"):
        raise AnnexError([issue(file, "encoding.unsupported", hints=(), encoding=repr(encoding))])
    if data.startswith(codecs.BOM_UTF8):
        body, name = data[len(codecs.BOM_UTF8) :], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        body, name = data, "utf-16"
    elif b"\x00" in data[:4096]:
        raise AnnexError(
            [
                issue(
                    file,
                    "encoding.nul_bytes",
                    row=data[: data.index(b"\x00")].count(b"\n") + 1,
                    hints=("encoding.save_utf8",),
                )
            ]
        )
    elif encoding and "1258" in encoding:
        return nfc_text(data.decode("cp1258", errors="strict"))
    else:
        body, name = data, "utf-8"
    try:
        text = body.decode(name)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise AnnexError(
            [
                issue(
                    file,
                    "encoding.not_utf8",
                    row=line,
                    hints=("encoding.save_utf8", "encoding.cp1258"),
                    byte=f"{body[exc.start]:02X}",
                )
            ]
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise AnnexError([issue(file, "encoding.nul_text", row=line, hints=("encoding.save_utf8",))])
    return text


def nfc_text(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text)


def _delimiter(text: str, file: str = "") -> str:
    """The separator that gives the most rows of one consistent width (more columns, then comma,
    on a tie), read by the quoting rules so a quoted "a; b; c" counts as one field."""
    sample = text[:65536]
    cut = sample.rfind("\n")
    if len(text) > len(sample) and cut > 0:
        sample = sample[:cut]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            widths = [
                len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)
            ][:200]
        except csv.Error:
            continue
        if not widths:
            continue
        mode = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(mode) * mode, mode) if mode > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    if best_score == (0, 0) and text.strip():
        raise AnnexError([issue(file, "csv.no_delimiter", row=1)])
    return best


def csv_records(data: bytes, file: str, encoding: str | None) -> list[tuple[int, list[str]]]:
    """A CSV's records as read by a strict parser: (line where the record starts, raw fields)."""
    text = _decode(data, file, encoding)
    delimiter = _delimiter(text, file)
    _count_records(text, delimiter, file)
    records = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for values in reader:
            records.append((start, values))
            start = reader.line_num + 1
            if len(records) > MAX_ROWS + 1:
                raise AnnexError(
                    [
                        issue(
                            file,
                            "csv.too_many_rows",
                            row=len(records),
                            hints=("file.split",),
                            n=_dotted(MAX_ROWS),
                        )
                    ]
                )
    except csv.Error as exc:
        raise AnnexError([_csv_error(file, text, start, exc)]) from exc
    return records


def records_grid(records: list[tuple[int, list[str]]]) -> Grid:
    """CSV records as a grid of cleaned cells."""
    rows = [(start, [Cell(_clean(v)) for v in values]) for start, values in records]
    width = max((len(c) for _, c in rows), default=0)
    return Grid(None, rows, [column_letter(j) for j in range(width)])


def _count_records(text: str, delimiter: str, file: str) -> None:
    """Refuse a file over the row limit before a single cell is kept (bounded memory)."""
    limit = MAX_ROWS + HEADER_SCAN_ROWS + 1
    try:
        for n, _ in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if n > limit:
                raise AnnexError(
                    [issue(file, "csv.too_many_rows", row=n, hints=("file.split",), n=_dotted(MAX_ROWS))]
                )
    except csv.Error:
        return  # the strict reading that follows names the line


def _csv_error(file: str, text: str, start: int, exc: csv.Error) -> Issue:
    """A strict parser's complaint in words, at the line where the broken record starts."""
    message = str(exc)
    if "unexpected end of data" in message or "EOF" in message:
        return issue(file, "csv.unclosed_quote", row=start)
    if "expected after" in message:
        return issue(file, "csv.after_quote", row=start)
    if "field limit" in message:
        return issue(file, "csv.field_too_long", row=start, n=_dotted(csv.field_size_limit()))
    return issue(file, "csv.invalid", row=start, hints=("encoding.save_utf8",), detail=message)


def check_csv_shape(grid: Grid, header: int, file: str) -> None:
    """Every CSV record below the header has the header's fields: a row with more (an unquoted
    comma) or fewer (a truncated row) is refused naming its line, never read shifted or short."""
    head = grid.rows[header][1]
    width = max((j + 1 for j, c in enumerate(head) if c.text), default=0)
    issues = []
    for number, cells in grid.rows[header + 1 :]:
        if not any(c.text for c in cells):
            continue
        filled = max((j + 1 for j, c in enumerate(cells) if c.text), default=0)
        if filled > width:
            issues.append(
                issue(
                    file,
                    "csv.too_many_fields",
                    row=number,
                    column=column_letter(width),
                    n=len(cells),
                    width=width,
                )
            )
        elif len(cells) < width:
            issues.append(
                issue(
                    file,
                    "csv.too_few_fields",
                    row=number,
                    column=column_letter(len(cells)),
                    n=len(cells),
                    width=width,
                )
            )
        if len(issues) >= 50:
            break
    if issues:
        raise AnnexError(issues)


def check_long_header(grid: Grid, header: int, file: str) -> None:
    """A long-format column named twice is refused: which one to read would be a guess."""
    seen: dict[str, int] = {}
    issues = []
    for j, cell in enumerate(grid.rows[header][1]):
        key = cell.text.strip().lower()
        if not key:
            continue
        if key in seen:
            issues.append(
                issue(
                    file,
                    "header.long_twice",
                    sheet=grid.sheet,
                    row=grid.rows[header][0],
                    column=column_letter(j),
                    name=repr(key),
                    first=column_letter(seen[key]),
                    second=column_letter(j),
                )
            )
        else:
            seen[key] = j
    if issues:
        raise AnnexError(issues)


# ---------- numbers ----------

_INT = re.compile(r"^[+-]?\d+$")
_DOT3 = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")  # 14.859: thousands (vi) or decimals (en)
_COMMA3 = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")  # 1,234: decimals (vi) or thousands (en)
_VN = re.compile(r"^[+-]?(\d+,\d+|[1-9]\d{0,2}(\.\d{3})+(,\d+)?)$")
_EN = re.compile(r"^[+-]?(\d+\.\d+|[1-9]\d{0,2}(,\d{3})+(\.\d+)?)$")


def number_kind(text: str) -> str:
    """'int', 'dot3', 'comma3', 'vn', 'en', 'nonfinite' or 'bad' for a cell typed as text."""
    t = text.replace(" ", "").removesuffix("%")
    if t.lower() in NON_FINITE:
        return "nonfinite"
    for kind, pattern in (("int", _INT), ("dot3", _DOT3), ("comma3", _COMMA3), ("vn", _VN), ("en", _EN)):
        if pattern.match(t):
            return kind
    return "bad"


def to_number(text: str, style: str) -> str:
    """Canonical dot-decimal text of a number cell read with the column's style ('vn' or 'en')."""
    t = text.replace(" ", "").removesuffix("%")
    if style == "vn":
        return t.replace(".", "").replace(",", ".")
    return t.replace(",", "")


def _numeric_text(text: str) -> str:
    """A number stored as a number: '2024.0' -> '2024'."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def column_style(cells: list[Cell]) -> tuple[str, list[Cell]]:
    """The number convention of a column and the cells that contradict it."""
    kinds = [(c, number_kind(c.text)) for c in cells if not c.numeric]
    vn = [c for c, k in kinds if k == "vn"]
    en = [c for c, k in kinds if k == "en"]
    if vn and en:
        return ("vn", en) if len(vn) >= len(en) else ("en", vn)
    return ("en" if en else "vn"), []


# ---------- headers ----------

_MAX_IN_HEADER = re.compile(
    r"\(\s*(?:tối đa|max)?\s*:?\s*([0-9]+(?:[.,][0-9]+)?)\s*(?:điểm|đ|points?)?\s*\)", re.IGNORECASE
)
_NUMBERING = re.compile(r"^\s*(?:[IVXL]+|\d+|[a-zđ])\s*[.)/:]\s*(?=\S)")
_PAREN = re.compile(r"\([^()]*\)")


def header_key(text: str) -> tuple[str, float | None]:
    """Folded header and the maximum it declares.

    'Cải cách thể chế\\n(13 điểm)' -> ('cai cach the che', 13.0)
    """
    declared = None
    found = _MAX_IN_HEADER.search(text)
    if found:
        declared = float(found.group(1).replace(",", "."))
    stripped = _PAREN.sub(" ", text)
    stripped = _NUMBERING.sub("", stripped)
    return fold(stripped), declared


@dataclass
class _Components:
    """Component headers of the indices in play: folded code or name -> {(index, component)}."""

    keys: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # folded -> display name for suggestions

    @classmethod
    def of(cls, catalog: Catalog, codes: list[str]) -> _Components:
        found = cls()
        for code in codes:
            try:
                index = catalog.index(code)
            except ChisoError:
                continue
            for variant in index.variants:
                for comp in variant.components:
                    for text in (comp.code, *comp.name.values()):
                        key = fold(text)
                        found.keys.setdefault(key, set()).add((index.code, comp.code))
                        found.names.setdefault(key, comp.name.get("vi", comp.code))
        return found

    def match(self, key: str) -> set[tuple[str, str]]:
        return self.keys.get(key, set())

    def suggest(self, key: str) -> list[str]:
        close = difflib.get_close_matches(key, list(self.names), n=3, cutoff=0.6)
        return list(dict.fromkeys(self.names[k] for k in close))


def _meta_role(key: str) -> str | None:
    for role, keys in (
        ("unit", UNIT_HEADERS),
        ("code", CODE_HEADERS),
        ("province", PROVINCE_HEADERS),
        ("year", YEAR_HEADERS),
        ("index", INDEX_HEADERS),
        ("unit_type", UNIT_TYPE_HEADERS),
    ):
        if key in keys:
            return role
    return None


def _generic_role(key: str) -> str | None:
    if key in TOTAL_HEADERS or key.startswith(TOTAL_PREFIXES):
        return "total"
    if key in RANK_HEADERS or key.startswith(RANK_PREFIXES):
        return "rank"
    if key in IGNORED_HEADERS or key.startswith(IGNORED_PREFIXES):
        return "ignored"
    return None


def _is_long_header(cells: list[Cell]) -> bool:
    names = {c.text.strip().lower() for c in cells}
    return {"unit", "index", "year"} <= names


def _find_header(grid: Grid, catalog: Catalog) -> int | None:
    """Index (in grid.rows) of the header row: the first with a unit column and another known column."""
    every = _Components.of(catalog, catalog.codes)
    for i, (_, cells) in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        if _is_long_header(cells):
            return i
        keys = [header_key(c.text)[0] for c in cells if c.text]
        has_unit = any(k in UNIT_HEADERS or k in PROVINCE_HEADERS for k in keys)
        known = sum(1 for k in keys if _meta_role(k) or _generic_role(k) or every.match(k))
        if has_unit and known >= 2:
            return i
    return None


# ---------- reading ----------


def read_grid(grid: Grid, file: str, catalog: Catalog, options: ImportOptions) -> Annex:
    """A sheet's grid (rows of cells) to long rows: the header found, then the long or wide layout."""
    if not any(c.text for _, cells in grid.rows for c in cells):
        raise AnnexError([issue(file, "table.empty", sheet=grid.sheet)])
    header = _find_header(grid, catalog)
    if header is None:
        raise AnnexError([issue(file, "table.no_header", sheet=grid.sheet, n=HEADER_SCAN_ROWS)])
    if grid.sheet is None:
        check_csv_shape(grid, header, file)
    if _is_long_header(grid.rows[header][1]):
        check_long_header(grid, header, file)
        annex = _read_long(grid, header, file, options)
    else:
        annex = _read_wide(grid, header, file, catalog, options)
    annex.warnings[:0] = grid.notes
    return annex


def _option_label(name: str) -> str:
    return Note("import.option_label", flag=f"--{name.replace('_', '-')}")


def _conflict(file, sheet, row, label, name, value, option) -> Issue:
    flag = f"--{name.replace('_', '-')}"
    return issue(
        file, "option.conflict", sheet=sheet, row=row, column=label, value=value, flag=flag, option=option
    )


def long_header(
    grid: Grid, header: int, options: ImportOptions
) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    """A long table's header: each column name's position, its label ("C «score»"), and the
    values the options give the columns a file may leave out."""
    position = {c.text.strip().lower(): j for j, c in enumerate(grid.rows[header][1]) if c.text}
    labels = {name: f"{grid.letters[j]} «{name}»" for name, j in position.items() if j < len(grid.letters)}
    defaults = {
        "index": options.index or "",
        "year": "" if options.year is None else str(options.year),
        "province": options.province or "",
        "unit_type": options.unit_type or "",
        "source_title": options.source_title or "",
        "source_url": options.source_url or "",
        "edition": options.edition or "",
    }
    return position, labels, defaults


def _read_long(grid: Grid, header: int, file: str, options: ImportOptions) -> Annex:
    position, labels, defaults = long_header(grid, header, options)
    provided = frozenset(c for c in ("score", "rank", "rank_of", "flag") if c in position)
    rows, origins, issues = [], [], []
    for number, cells in grid.rows[header + 1 :]:
        if not any(c.text for c in cells):
            continue
        row, columns = {}, {}
        for name in LONG_COLUMNS:
            j = position.get(name)
            if j is not None:
                columns[name] = labels[name]
            row[name] = _long_value(_cell(cells, j), name, defaults.get(name, ""), columns)
            option = defaults.get(name, "")
            if row[name] != option and option and name in ("index", "year", "province"):
                same = fold(row[name]) == fold(option) if name != "year" else row[name] == option
                if not same:
                    issues.append(
                        _conflict(file, grid.sheet, number, labels.get(name), name, row[name], option)
                    )
        rows.append(row)
        origins.append(Origin(grid.sheet, number, columns, provided=provided))
    if not rows:
        raise AnnexError([issue(file, "table.no_data", sheet=grid.sheet, row=grid.rows[header][0])])
    roles = [ColumnRole(labels[n], "long") for n in position if n in labels and n in LONG_COLUMNS]
    return Annex(file, "long", grid.sheet, rows, origins, issues, [], roles)


def _long_value(cell: Cell, name: str, option: str, columns: dict[str, str]) -> str:
    """A long cell's text; an empty cell takes the option's value (and its label)."""
    value = _numeric_text(cell.text) if cell.numeric else cell.text
    if not value and option:
        columns.setdefault(name, _option_label(name))
        return option
    return value


def _title(grid: Grid, header: int) -> str:
    texts = [c.text for _, cells in grid.rows[:header] for c in cells if c.text]
    return " · ".join(texts)


def _guess_from_title(title: str, catalog: Catalog) -> str:
    """Options the title rows suggest, such as "--index PAR --year 2024" ("" when none)."""
    key = fold(title)
    found = []
    for index in catalog.indices:
        names = [index.code, *index.short_name.values()]
        if any(re.search(rf"\b{re.escape(fold(n))}\b", key) for n in names if fold(n)):
            found.append(index.code)
    year = re.search(r"\bnam (\d{4})\b", key)
    bits = []
    if len(found) == 1:
        bits.append(f"--index {found[0]}")
    if year:
        bits.append(f"--year {year.group(1)}")
    return " ".join(bits)


def _header_rows(grid: Grid, header: int, unit_col: int) -> int:
    """Rows the header spans: those below it with an empty unit cell and some text (merged cells)."""
    span = 1
    for _, cells in grid.rows[header + 1 : header + 3]:
        unit = cells[unit_col].text if unit_col < len(cells) else ""
        texts = [c for c in cells if c.text]
        if unit or not texts:
            break
        if all(c.numeric or number_kind(c.text) != "bad" for c in texts):
            break  # a data row without a unit name, not a header
        span += 1
    return span


def _cell(cells: list[Cell], j: int | None) -> Cell:
    return cells[j] if j is not None and j < len(cells) else Cell("")


def _is_numbering(key: str, filled: list[Cell]) -> bool:
    """The row numbering the columns: (1) (2) (3) …"""
    return bool(re.fullmatch(r"\(?\s*[0-9]{1,3}\s*\)?|[a-z]", key)) and all(
        re.fullmatch(r"\(?\s*[0-9a-zA-Z]{1,3}\s*\)?", c.text) for c in filled
    )


def _read_wide(grid: Grid, header: int, file: str, catalog: Catalog, options: ImportOptions) -> Annex:
    """A decision annex: header → index → column roles → data rows → number styles → long rows."""
    wide = _wide_head(grid, header, file, catalog, options)
    wide.find_index()
    wide.assign_roles()
    wide.keep_data_rows()
    wide.decide_styles()
    wide.count_ranks()
    wide.check_year()
    wide.long_rows()
    ordered = [wide.roles[j] for j in sorted(wide.roles)]
    wide.issues.sort(key=Issue.sort_key)
    return Annex(
        file, "wide", grid.sheet, wide.rows, wide.origins, wide.issues, wide.notes, ordered, wide.title
    )


def _wide_head(grid: Grid, header: int, file: str, catalog: Catalog, options: ImportOptions) -> _Wide:
    """The header of a wide table: one text and label per column (the deepest header row names it)."""
    head_number, head_cells = grid.rows[header]
    width = max(len(cells) for _, cells in grid.rows)
    raw_keys = [header_key(c.text)[0] for c in head_cells]
    unit_col = next((j for j, k in enumerate(raw_keys) if k in UNIT_HEADERS), None)
    if unit_col is None:  # a table of provinces: the province column names the units
        unit_col = next(j for j, k in enumerate(raw_keys) if k in PROVINCE_HEADERS)
    span = _header_rows(grid, header, unit_col)
    header_rows = grid.rows[header : header + span]
    texts = []
    for j in range(width):
        parts = [cells[j].text for _, cells in header_rows if j < len(cells) and cells[j].text]
        texts.append(parts[-1] if parts else "")
    labels = [f"{grid.letters[j]} «{t}»" if t else grid.letters[j] for j, t in enumerate(texts)]
    data_rows = grid.rows[header + span :]
    return _Wide(
        grid, file, catalog, options, head_number, texts, labels, unit_col, data_rows, _title(grid, header)
    )


@dataclass
class _Wide:
    """A wide table being read, step by step (see ``_read_wide``); problems gather in ``issues``."""

    grid: Grid
    file: str
    catalog: Catalog
    options: ImportOptions
    head_number: int
    texts: list[str]
    labels: list[str]
    unit_col: int
    data_rows: list[tuple[int, list[Cell]]]
    title: str
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    components: _Components = field(default_factory=_Components)
    roles: dict[int, ColumnRole] = field(default_factory=dict)
    declared: dict[int, float | None] = field(default_factory=dict)
    value_cols: list[int] = field(default_factory=list)
    col_of: dict[str, int] = field(default_factory=dict)  # first column of each role
    kept: list[tuple[int, list[Cell], int]] = field(default_factory=list)  # (row number, cells, block)
    styles: dict[int, str] = field(default_factory=dict)
    ranks_in_block: dict[int, int] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    @property
    def sheet(self) -> str | None:
        return self.grid.sheet

    def problem(self, code: str, *, row: int | None = None, column: str | None = None, **params) -> Issue:
        """A coded problem on this sheet, on the header row unless another row is named."""
        row = self.head_number if row is None else row
        return issue(self.file, code, sheet=self.sheet, row=row, column=column, **params)

    def column_values(self, j: int) -> list[Cell]:
        return [cells[j] for _, cells in self.data_rows if j < len(cells) and cells[j].text]

    def meta(self, cells: list[Cell], role: str) -> str:
        c = _cell(cells, self.col_of.get(role))
        return _numeric_text(c.text) if c.numeric else c.text

    def _guessed(self, code: str) -> Issue:
        guess = _guess_from_title(self.title, self.catalog)
        return self.problem(code, hints=(code, "title_guess") if guess else (code,), guess=guess)

    # ---- the index and the role of each column ----

    def find_index(self) -> None:
        """The index: an option, or an 'index' column."""
        index_col = next(
            (
                j
                for j, t in enumerate(self.texts)
                if j != self.unit_col and _meta_role(header_key(t)[0]) == "index"
            ),
            None,
        )
        codes = [self.options.index.upper()] if self.options.index else []
        if index_col is not None:
            codes += sorted({c.text.upper() for c in self.column_values(index_col)})
        if not codes:
            raise AnnexError([self._guessed("index.unknown")])
        self.codes = codes
        self.components = _Components.of(self.catalog, codes)

    def assign_roles(self) -> None:
        seen: dict[tuple[str, str], int] = {}
        for j, text in enumerate(self.texts):
            key, self.declared[j] = header_key(text)
            role = self._role(j, key, text, seen)
            if role is not None:
                self.roles[j] = role
        for role_name in ("total", "rank"):
            self._one_column_of(role_name)
        self.value_cols = [j for j, r in self.roles.items() if r.role in ("component", "total", "rank")]
        if not self.value_cols:
            raise AnnexError([*self.issues, self.problem("table.no_score_columns")])
        self.col_of = {r.role: j for j, r in sorted(self.roles.items(), reverse=True)}

    def _role(self, j: int, key: str, text: str, seen: dict) -> ColumnRole | None:
        label = self.labels[j]
        if j == self.unit_col:
            return ColumnRole(label, "unit")
        if not key:
            if self.column_values(j):
                self.issues.append(self.problem("header.missing", column=label))
            return None
        role = _meta_role(key)
        if role:  # a second unit column (e.g. 'Đơn vị' beside 'Tên đơn vị') is ignored
            return ColumnRole(label, "ignored" if role == "unit" else role)
        matched = self.components.match(key)
        if matched:
            return self._component_role(j, matched, seen)
        role = _generic_role(key)
        if role:
            return ColumnRole(label, role)
        if not self.column_values(j):
            return ColumnRole(label, "ignored")
        close = self.components.suggest(key)
        hints = ("header.unknown_close",) if close else ("header.unknown",)
        codes, close_text = ", ".join(self.codes), ", ".join(close)
        self.issues.append(
            self.problem(
                "header.unknown", column=label, hints=hints, text=text, codes=codes, close=close_text
            )
        )
        return None

    def _component_role(self, j: int, matched: set[tuple[str, str]], seen: dict) -> ColumnRole | None:
        label = self.labels[j]
        comp_codes = sorted({c for _, c in matched})
        if len(comp_codes) > 1:
            self.issues.append(
                self.problem("header.ambiguous", column=label, components=", ".join(comp_codes))
            )
            return None
        for pair in matched:
            if pair in seen:
                other = self.labels[seen[pair]]
                self.issues.append(
                    self.problem("header.component_twice", column=label, component=pair[1], other=other)
                )
            seen[pair] = j
        return ColumnRole(label, "component", comp_codes[0])

    def _one_column_of(self, role_name: str) -> None:
        """A second total (or rank) column is refused and ignored."""
        cols = [j for j, r in self.roles.items() if r.role == role_name]
        for j in cols[1:]:
            self.issues.append(
                self.problem(
                    f"header.{role_name}_twice",
                    column=self.labels[j],
                    hints=("header.second_column",),
                    other=self.labels[cols[0]],
                )
            )
            self.roles[j] = ColumnRole(self.labels[j], "ignored")

    # ---- which rows carry data ----

    def keep_data_rows(self) -> None:
        block = 0
        for number, cells in self.data_rows:
            kind = self._row_kind(number, cells)
            if kind == "group":
                block += 1
            elif kind == "data":
                self.kept.append((number, cells, block))
        if not self.kept:
            raise AnnexError([*self.issues, self.problem("table.no_data")])
        if len(self.kept) > MAX_ROWS:
            raise AnnexError(
                [issue(self.file, "table.too_many_rows", sheet=self.sheet, hints=(), n=MAX_ROWS)]
            )

    def _row_kind(self, number: int, cells: list[Cell]) -> str:
        """'data', 'group' (a heading row: ranks restart below it) or 'skip'."""
        unit = _cell(cells, self.unit_col).text
        code = _cell(cells, self.col_of.get("code")).text
        filled = [c for c in (_cell(cells, j) for j in self.value_cols) if c.text not in EMPTY_TOKENS]
        if not unit and not code:
            if any(c.numeric or re.search(r"\d", c.text) for c in filled):
                self.issues.append(self.problem("row.no_unit", row=number, column=self.labels[self.unit_col]))
            return "skip"
        key = fold(unit)
        if _is_numbering(key, filled):
            return "skip"
        if key.startswith(SKIP_UNIT_PREFIXES):
            self.notes.append(Note("import.note.not_a_unit", line=number, unit=unit))
            return "skip"
        if not filled:
            self.notes.append(Note("import.note.group_title", line=number, unit=unit))
            return "group"
        return "data"

    # ---- numbers ----

    def decide_styles(self) -> None:
        """Number convention of each column, from all of its cells."""
        for j in self.value_cols:
            cells_j = [_cell(c, j) for _, c, _ in self.kept if _cell(c, j).text not in EMPTY_TOKENS]
            style, odd = column_style(cells_j)
            self.styles[j] = style
            for bad in odd:
                number = next(n for n, c, _ in self.kept if _cell(c, j) is bad)
                self.issues.append(
                    self.problem(
                        f"number.mixed_{style}",
                        row=number,
                        column=self.labels[j],
                        hints=("number.mixed",),
                        text=bad.text,
                    )
                )
            self._mark_style(j, style, cells_j)

    def _mark_style(self, j: int, style: str, cells_j: list[Cell]) -> None:
        role = self.roles[j]
        text_cells = [c for c in cells_j if not c.numeric and number_kind(c.text) in ("vn", "dot3", "comma3")]
        if text_cells and style == "vn":
            self.roles[j] = ColumnRole(role.label, role.role, role.component, "vn")
        elif any(not c.numeric and number_kind(c.text) == "en" for c in cells_j):
            self.roles[j] = ColumnRole(role.label, role.role, role.component, "en")

    def parse_score(self, c: Cell, j: int, number: int) -> str | None:
        if c.numeric:
            return _numeric_text(c.text)
        kind = number_kind(c.text)
        if kind in ("nonfinite", "bad"):
            code = "score.not_finite" if kind == "nonfinite" else "score.not_number"
            self.issues.append(
                self.problem(code, row=number, column=self.labels[j], hints=("score.number",), text=c.text)
            )
            return None
        if (kind == "vn" and self.styles[j] == "en") or (kind == "en" and self.styles[j] == "vn"):
            return None  # already reported as a mixed column
        return to_number(c.text, self.styles[j])

    def parse_rank(self, c: Cell, j: int, number: int) -> tuple[str, str] | None:
        text = _numeric_text(c.text) if c.numeric else c.text.replace(" ", "")
        found = re.fullmatch(r"0*(\d+)(?:/(\d+))?", text)
        if not found:
            self.issues.append(
                self.problem("rank.not_integer", row=number, column=self.labels[j], text=c.text)
            )
            return None
        return found.group(1), found.group(2) or ""

    def count_ranks(self) -> None:
        """Units ranked in each block (the rank-of of a rank printed without '/N')."""
        rank_col = self.col_of.get("rank")
        if rank_col is None:
            return
        for _, cells, blk in self.kept:
            if _cell(cells, rank_col).text not in EMPTY_TOKENS:
                self.ranks_in_block[blk] = self.ranks_in_block.get(blk, 0) + 1

    def check_year(self) -> None:
        if self.options.year is None and "year" not in self.col_of:
            raise AnnexError([*self.issues, self._guessed("year.unknown")])

    # ---- long rows ----

    def long_rows(self) -> None:
        for number, cells, blk in self.kept:
            base, base_cols = self._base(number, cells)
            self._total_row(number, cells, blk, base, base_cols)
            self._component_rows(number, cells, base, base_cols)

    def _base(self, number: int, cells: list[Cell]) -> tuple[dict[str, str], dict[str, str]]:
        """The values every long row of a unit shares, and the column each came from."""
        options = self.options
        unit_text, unit_label = _cell(cells, self.unit_col).text, self.labels[self.unit_col]
        if not unit_text:
            unit_text, unit_label = self.meta(cells, "code"), self.labels[self.col_of["code"]]
        base = dict.fromkeys(LONG_COLUMNS, "")
        base_cols = {"unit": unit_label}
        base.update(
            unit=unit_text,
            source_title=options.source_title or str(Note("import.source_title", file=self.file)),
            source_url=options.source_url or "",
            edition=options.edition or "",
        )
        # the provenance stored with each value: in the data's language (Vietnamese), from locales/
        where = {"file": self.file, "sheet": self.sheet, "line": number}
        base["quote"] = str(Note("import.quote.sheet" if self.sheet else "import.quote", **where))
        for name, option in (
            ("index", options.index.upper() if options.index else ""),
            ("year", "" if options.year is None else str(options.year)),
            ("province", options.province or ""),
            ("unit_type", options.unit_type or ""),
        ):
            base[name] = self._meta_value(number, cells, name, option, base_cols)
        return base, base_cols

    def _meta_value(self, number: int, cells: list[Cell], name: str, option: str, base_cols: dict) -> str:
        """A unit's index, year, province or unit type: its column, else the option (never both differing)."""
        value = self.meta(cells, name) if name in self.col_of else ""
        if name in self.col_of:
            base_cols[name] = self.labels[self.col_of[name]]
        if value and option:
            same = value == option if name == "year" else fold(value) == fold(option)
            if not same:
                self.issues.append(
                    _conflict(self.file, self.sheet, number, base_cols.get(name), name, value, option)
                )
        if not value and option:
            value = option
            base_cols[name] = _option_label(name)
        return value

    def _total_values(self, number: int, cells: list[Cell], blk: int) -> tuple[bool, str, str, str]:
        """(readable, score, rank, rank of) of the total and rank columns of a row."""
        total_col, rank_col = self.col_of.get("total"), self.col_of.get("rank")
        total_cell, rank_cell = _cell(cells, total_col), _cell(cells, rank_col)
        score = rank = rank_of = ""
        ok = True
        if total_cell.text not in EMPTY_TOKENS:
            parsed = self.parse_score(total_cell, total_col, number)
            ok, score = parsed is not None, parsed or ""
        if rank_cell.text not in EMPTY_TOKENS:
            parsed_rank = self.parse_rank(rank_cell, rank_col, number)
            ok = ok and parsed_rank is not None
            if parsed_rank:
                rank, rank_of = parsed_rank[0], parsed_rank[1] or str(self.ranks_in_block.get(blk, ""))
        return ok, score, rank, rank_of

    def _total_row(self, number: int, cells: list[Cell], blk: int, base: dict, base_cols: dict) -> None:
        total_col, rank_col = self.col_of.get("total"), self.col_of.get("rank")
        if total_col is None and rank_col is None:
            return
        ok, score, rank, rank_of = self._total_values(number, cells, blk)
        if not ok or not (score or rank):
            return
        self.rows.append({**base, "score": score, "rank": rank, "rank_of": rank_of})
        columns = dict(base_cols)
        given = set()
        if total_col is not None:
            columns["score"] = self.labels[total_col]
            given.add("score")
        if rank_col is not None:
            columns["rank"] = columns["rank_of"] = self.labels[rank_col]
            given |= {"rank", "rank_of"}
        self.origins.append(
            Origin(self.sheet, number, columns, self.declared.get(total_col), frozenset(given))
        )

    def _component_rows(self, number: int, cells: list[Cell], base: dict, base_cols: dict) -> None:
        index_code = base["index"].upper()
        for j in self.value_cols:
            role, c = self.roles[j], _cell(cells, j)
            if role.role != "component" or c.text in EMPTY_TOKENS:
                continue
            parsed = self.parse_score(c, j, number)
            if parsed is None:
                continue
            pairs = self.components.match(header_key(self.texts[j])[0])
            if index_code and not any(ix == index_code for ix, _ in pairs):
                self.issues.append(
                    self.problem(
                        "component.other_index",
                        row=number,
                        column=self.labels[j],
                        component=role.component,
                        index=index_code,
                    )
                )
                continue
            self.rows.append({**base, "component": role.component, "score": parsed})
            columns = {**base_cols, "score": self.labels[j]}
            self.origins.append(
                Origin(self.sheet, number, columns, self.declared.get(j), frozenset({"score"}))
            )


def rows_frame(annex: Annex) -> pl.DataFrame:
    """The long rows as a frame of strings, in the column order of the long CSV format."""
    return pl.DataFrame(annex.rows, schema=dict.fromkeys(LONG_COLUMNS, pl.String))
