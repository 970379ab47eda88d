"""Read a published results table (a decision annex) into the project's long-format rows.

Pure: bytes in, rows out; no database, no Streamlit. Validation against the unit registry
and the configured maxima happens later (chiso.store.importer reuses the build's readers);
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
from pathlib import Path

import polars as pl

from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.ingest import readers
from chiso.names import fold, nfc

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 40
ENCODINGS = ("utf-8", "cp1258")

LONG_COLUMNS = readers.LONG_COLUMNS

SAVE_AS_UTF8 = "Hãy lưu lại tệp dạng CSV UTF-8 (Excel: Lưu thành → CSV UTF-8) rồi nhập lại"

# ---------- what a header means (folded: lower case, no accents, no punctuation) ----------

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
STYLE_TEXT = {"vn": "dấu phẩy thập phân, như 91,24", "en": "dấu chấm thập phân, như 91.24"}
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


@dataclass(frozen=True)
class Issue:
    """A problem (``level='error'``, blocks the import) or a warning, where the steward sees it."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    hint: str | None = None
    level: str = "error"

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"trang tính {self.sheet}")
        if self.row:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.where()}: {self.message}"
        return text + (f" — {self.hint}" if self.hint else "")

    def sort_key(self) -> tuple:
        return (self.sheet or "", self.row or 0, self.column or "", self.message)


class AnnexError(ChisoError):
    """The file cannot be read as a table at all; ``issues`` has every problem, ``str()`` one line."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        more = f" (và {len(issues) - 1} lỗi khác)" if len(issues) > 1 else ""
        super().__init__(f"{issues[0]}{more}")


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


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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
        raise AnnexError(
            [
                Issue(
                    file,
                    exc.message,
                    sheet=exc.sheet,
                    column=exc.cell,
                    hint=exc.hint or "Mở tệp bằng Excel và lưu lại dạng .xlsx, hoặc lưu thành CSV UTF-8",
                )
            ]
        ) from exc
    width = max((len(r) for r in cells.rows), default=0)
    letters = [column_letter(cells.first_column + j) for j in range(width)]
    rows = [(r + 1, [Cell(_clean(t), n) for t, n in values]) for r, values in enumerate(cells.rows)]
    notes += [
        Issue(file, message, sheet=cells.name, column=ref, level="warning") for ref, message in cells.warnings
    ]
    return Grid(cells.name, rows, letters, notes)


def _choose_sheet(sheets, file: str, sheet: str | None, notes: list[Issue]) -> tuple[str, str | None]:
    names = [s.name for s in sheets]
    if sheet:
        matches = [s for s in sheets if fold(s.name) == fold(sheet)]
        if not matches:
            raise AnnexError(
                [
                    Issue(
                        file,
                        f"không có trang tính {sheet!r}; tệp có: {', '.join(names)}",
                        hint="Chọn một trang tính có trong tệp",
                    )
                ]
            )
        chosen = matches[0]
        if chosen.hidden:
            notes.append(
                Issue(file, "trang tính này đang bị ẩn trong tệp", sheet=chosen.name, level="warning")
            )
        return chosen.name, chosen.part
    visible = [s for s in sheets if not s.hidden]
    if not visible:
        raise AnnexError(
            [
                Issue(
                    file,
                    "tệp Excel không có trang tính nào hiển thị"
                    + (f" (ẩn: {', '.join(names)})" if names else ""),
                    hint="Bỏ ẩn trang tính có bảng trong Excel, hoặc chọn trang tính theo tên (--sheet)",
                )
            ]
        )
    hidden_before = [s.name for s in sheets[: sheets.index(visible[0])]]
    if hidden_before:
        notes.append(
            Issue(
                file,
                f"bỏ qua trang tính ẩn {', '.join(hidden_before)}; đọc trang tính {visible[0].name}",
                sheet=visible[0].name,
                level="warning",
            )
        )
    return visible[0].name, visible[0].part


def _decode(data: bytes, file: str, encoding: str | None) -> str:
    if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "cp1258", "windows-1258"):
        raise AnnexError(
            [Issue(file, f"mã hóa {encoding!r} không được hỗ trợ; chỉ nhận UTF-8, UTF-16 có BOM hoặc cp1258")]
        )
    if data.startswith(codecs.BOM_UTF8):
        body, name = data[len(codecs.BOM_UTF8) :], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        body, name = data, "utf-16"
    elif b"\x00" in data[:4096]:
        raise AnnexError(
            [
                Issue(
                    file,
                    "tệp có ký tự NUL: có thể là UTF-16 không có BOM, hoặc không phải tệp văn bản",
                    row=data[: data.index(b"\x00")].count(b"\n") + 1,
                    hint=SAVE_AS_UTF8,
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
                Issue(
                    file,
                    f"tệp không phải UTF-8 (byte 0x{body[exc.start]:02X} không hợp lệ)",
                    row=line,
                    hint=SAVE_AS_UTF8 + "; tệp Windows-1258 thì chọn mã hóa cp1258 (--encoding cp1258)",
                )
            ]
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise AnnexError(
            [
                Issue(
                    file,
                    "tệp có ký tự NUL (có thể là UTF-16 không có BOM, hoặc không phải tệp văn bản)",
                    row=line,
                    hint=SAVE_AS_UTF8,
                )
            ]
        )
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
        raise AnnexError(
            [
                Issue(
                    file,
                    "không xác định được dấu phân cách: không dòng nào có hai cột trở lên",
                    row=1,
                    hint="Lưu bảng thành CSV UTF-8 (phân cách bằng dấu phẩy) rồi nhập lại",
                )
            ]
        )
    return best


def _csv_grid(data: bytes, file: str, encoding: str | None) -> Grid:
    text = _decode(data, file, encoding)
    delimiter = _delimiter(text, file)
    _count_records(text, delimiter, file)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for values in reader:
            rows.append((start, [Cell(_clean(v)) for v in values]))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS + 1:
                raise AnnexError(
                    [
                        Issue(
                            file,
                            f"tệp có hơn {MAX_ROWS:,} dòng số liệu".replace(",", "."),
                            row=len(rows),
                            hint="Tách bảng thành nhiều tệp nhỏ hơn",
                        )
                    ]
                )
    except csv.Error as exc:
        raise AnnexError([_csv_error(file, text, start, exc)]) from exc
    width = max((len(c) for _, c in rows), default=0)
    return Grid(None, rows, [column_letter(j) for j in range(width)])


def _count_records(text: str, delimiter: str, file: str) -> None:
    """Refuse a file over the row limit before a single cell is kept (bounded memory)."""
    limit = MAX_ROWS + HEADER_SCAN_ROWS + 1
    try:
        for n, _ in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if n > limit:
                raise AnnexError(
                    [
                        Issue(
                            file,
                            f"tệp có hơn {MAX_ROWS:,} dòng số liệu".replace(",", "."),
                            row=n,
                            hint="Tách bảng thành nhiều tệp nhỏ hơn",
                        )
                    ]
                )
    except csv.Error:
        return  # the strict reading that follows names the line


def _csv_error(file: str, text: str, start: int, exc: csv.Error) -> Issue:
    """A strict parser's complaint in words, at the line where the broken record starts."""
    message = str(exc)
    if "unexpected end of data" in message or "EOF" in message:
        return Issue(
            file,
            'dấu ngoặc kép (") mở ở dòng này không bao giờ được đóng: phần còn lại của tệp sẽ thành một ô',
            row=start,
            hint='Thêm dấu " đóng, hoặc viết dấu " bên trong ô thành ""',
        )
    if "expected after" in message:
        return Issue(
            file,
            "sau dấu ngoặc kép đóng phải là dấu phân cách hoặc hết dòng",
            row=start,
            hint='Viết dấu " bên trong ô thành "" và đặt cả ô trong ngoặc kép',
        )
    if "field limit" in message:
        return Issue(
            file,
            f"một ô dài quá {csv.field_size_limit():,} ký tự".replace(",", "."),
            row=start,
            hint="Kiểm tra dấu ngoặc kép và dấu phân cách của dòng này",
        )
    return Issue(file, f"CSV không hợp lệ ({message})", row=start, hint=SAVE_AS_UTF8)


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
                Issue(
                    file,
                    f"dòng có {len(cells)} trường, dòng tiêu đề có {width}: có giá trị ngoài các cột",
                    row=number,
                    column=column_letter(width),
                    hint='Đặt ô có dấu phẩy trong ngoặc kép ("91,24") hoặc xóa trường thừa',
                )
            )
        elif len(cells) < width:
            issues.append(
                Issue(
                    file,
                    f"dòng chỉ có {len(cells)} trường, dòng tiêu đề có {width}: dòng bị cắt",
                    row=number,
                    column=column_letter(len(cells)),
                    hint="Bổ sung các trường còn thiếu (để trống thì vẫn cần dấu phân cách)",
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
                Issue(
                    file,
                    f"cột {key!r} có hai lần (cột {column_letter(seen[key])} và {column_letter(j)})",
                    sheet=grid.sheet,
                    row=grid.rows[header][0],
                    column=column_letter(j),
                    hint="Xóa hoặc đổi tên một trong hai cột",
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


def read_annex(path: Path, catalog: Catalog, options: ImportOptions, *, name: str | None = None) -> Annex:
    """Read a file into long rows; AnnexError when it cannot be read as a table at all."""
    path = Path(path)
    file = name or path.name
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise AnnexError(
            [
                Issue(
                    file,
                    f"tệp {size / 1024 / 1024:.1f} MB vượt giới hạn {MAX_BYTES // 1024 // 1024} MB".replace(
                        ".", ","
                    ),
                    hint="Tách bảng thành nhiều tệp nhỏ hơn",
                )
            ]
        )
    return read_annex_bytes(path.read_bytes(), file, catalog, options)


def read_annex_bytes(data: bytes, file: str, catalog: Catalog, options: ImportOptions) -> Annex:
    if len(data) > MAX_BYTES:
        raise AnnexError([Issue(file, f"tệp vượt giới hạn {MAX_BYTES // 1024 // 1024} MB")])
    if not data.strip():
        raise AnnexError([Issue(file, "tệp rỗng", hint="Chọn tệp có bảng số liệu")])
    from chiso.ingest import pdf_annex

    if pdf_annex.is_pdf(data) or pdf_annex.is_image(data, file):
        return pdf_annex.read_pdf_annex(data, file, catalog, options, read_grid)
    if is_excel(data):
        grid = _excel_grid(data, file, options.sheet)
    elif Path(file).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise AnnexError(
            [Issue(file, "tệp có đuôi Excel nhưng không phải tệp Excel", hint="Mở và lưu lại bằng Excel")]
        )
    else:
        grid = _csv_grid(data, file, options.encoding)
    return read_grid(grid, file, catalog, options)


def read_grid(grid: Grid, file: str, catalog: Catalog, options: ImportOptions) -> Annex:
    """A sheet's grid (rows of cells) to long rows: the header found, then the long or wide layout."""
    if not any(c.text for _, cells in grid.rows for c in cells):
        raise AnnexError([Issue(file, "bảng trống", sheet=grid.sheet, hint="Chọn đúng trang tính có bảng")])
    header = _find_header(grid, catalog)
    if header is None:
        raise AnnexError(
            [
                Issue(
                    file,
                    f"không tìm thấy dòng tiêu đề bảng trong {HEADER_SCAN_ROWS} dòng đầu",
                    sheet=grid.sheet,
                    hint="Bảng cần một dòng tiêu đề có cột tên đơn vị ('Tên đơn vị') và cột điểm "
                    "('Tổng điểm', tên các lĩnh vực) hoặc các cột dạng dài unit, index, year",
                )
            ]
        )
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
    return f"tùy chọn --{name.replace('_', '-')}"


def _conflict(file, sheet, row, label, name, value, option) -> Issue:
    return Issue(
        file,
        f"giá trị '{value}' khác với {_option_label(name)} ('{option}')",
        sheet=sheet,
        row=row,
        column=label,
        hint="Bỏ tùy chọn hoặc sửa cột trong tệp cho khớp",
    )


def _read_long(grid: Grid, header: int, file: str, options: ImportOptions) -> Annex:
    head_cells = grid.rows[header][1]
    position = {c.text.strip().lower(): j for j, c in enumerate(head_cells) if c.text}
    labels = {name: f"{grid.letters[j]} «{name}»" for name, j in position.items() if j < len(grid.letters)}
    defaults = {
        "index": options.index or "",
        "year": "" if options.year is None else str(options.year),
        "province": options.province or "",
        "unit_type": options.unit_type or "",
        "source_title": options.source_title or "",
        "source_url": options.source_url or "",
    }
    provided = frozenset(c for c in ("score", "rank", "rank_of", "flag") if c in position)
    rows, origins, issues = [], [], []
    for number, cells in grid.rows[header + 1 :]:
        if not any(c.text for c in cells):
            continue
        row, columns = {}, {}
        for name in LONG_COLUMNS:
            j = position.get(name)
            cell = cells[j] if j is not None and j < len(cells) else Cell("")
            value = _numeric_text(cell.text) if cell.numeric else cell.text
            option = defaults.get(name, "")
            if j is not None:
                columns[name] = labels[name]
            if value and option and name in ("index", "year", "province"):
                same = fold(value) == fold(option) if name != "year" else value == option
                if not same:
                    issues.append(_conflict(file, grid.sheet, number, labels.get(name), name, value, option))
            if not value and option:
                value = option
                columns.setdefault(name, _option_label(name))
            row[name] = value
        rows.append(row)
        origins.append(Origin(grid.sheet, number, columns, provided=provided))
    if not rows:
        raise AnnexError(
            [
                Issue(
                    file,
                    "chỉ có dòng tiêu đề, không có dòng số liệu",
                    sheet=grid.sheet,
                    row=grid.rows[header][0],
                    hint="Thêm các dòng số liệu dưới dòng tiêu đề",
                )
            ]
        )
    roles = [ColumnRole(labels[n], "long") for n in position if n in labels and n in LONG_COLUMNS]
    return Annex(file, "long", grid.sheet, rows, origins, issues, [], roles)


def _title(grid: Grid, header: int) -> str:
    texts = [c.text for _, cells in grid.rows[:header] for c in cells if c.text]
    return " · ".join(texts)


def _guess_from_title(title: str, catalog: Catalog) -> str:
    """A hint such as "tiêu đề có vẻ là PAR năm 2024" read from the title rows."""
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
    return f"tiêu đề gợi ý: {' '.join(bits)}" if bits else ""


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


def _read_wide(grid: Grid, header: int, file: str, catalog: Catalog, options: ImportOptions) -> Annex:
    sheet = grid.sheet
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
        texts.append(parts[-1] if parts else "")  # the deepest header row names the column
    labels = [f"{grid.letters[j]} «{t}»" if t else grid.letters[j] for j, t in enumerate(texts)]
    data_rows = grid.rows[header + span :]
    title = _title(grid, header)
    issues: list[Issue] = []

    def column_values(j: int) -> list[Cell]:
        return [cells[j] for _, cells in data_rows if j < len(cells) and cells[j].text]

    # The index: an option, or an 'index' column.
    index_col = next(
        (j for j, t in enumerate(texts) if j != unit_col and _meta_role(header_key(t)[0]) == "index"), None
    )
    codes = [options.index.upper()] if options.index else []
    if index_col is not None:
        codes += sorted({c.text.upper() for c in column_values(index_col)})
    if not codes:
        guess = _guess_from_title(title, catalog)
        raise AnnexError(
            [
                Issue(
                    file,
                    "chưa biết bảng là của chỉ số nào",
                    sheet=sheet,
                    row=head_number,
                    hint="Chọn chỉ số (--index PAR) hoặc thêm cột 'index'" + (f"; {guess}" if guess else ""),
                )
            ]
        )
    components = _Components.of(catalog, codes)

    roles: dict[int, ColumnRole] = {}
    declared: dict[int, float | None] = {}
    seen_components: dict[tuple[str, str], int] = {}
    for j, text in enumerate(texts):
        key, declared[j] = header_key(text)
        label = labels[j]
        if j == unit_col:
            roles[j] = ColumnRole(label, "unit")
            continue
        if not key:
            if column_values(j):
                issues.append(
                    Issue(
                        file,
                        "cột có số liệu nhưng không có tiêu đề",
                        sheet=sheet,
                        row=head_number,
                        column=label,
                        hint="Đặt tiêu đề là mã hoặc tên thành phần, 'Tổng điểm' hoặc 'Xếp hạng'",
                    )
                )
            continue
        role = _meta_role(key)
        if role == "unit":
            role = "ignored"  # a second unit column (e.g. 'Đơn vị' beside 'Tên đơn vị')
        if role:
            roles[j] = ColumnRole(label, role)
            continue
        matched = components.match(key)
        if matched:
            comp_codes = sorted({c for _, c in matched})
            if len(comp_codes) > 1:
                issues.append(
                    Issue(
                        file,
                        f"tiêu đề khớp nhiều thành phần: {', '.join(comp_codes)}",
                        sheet=sheet,
                        row=head_number,
                        column=label,
                        hint="Dùng mã thành phần làm tiêu đề cột",
                    )
                )
                continue
            for pair in matched:
                if pair in seen_components:
                    issues.append(
                        Issue(
                            file,
                            f"thành phần '{pair[1]}' đã có ở cột {labels[seen_components[pair]]}",
                            sheet=sheet,
                            row=head_number,
                            column=label,
                            hint="Mỗi thành phần chỉ một cột",
                        )
                    )
                seen_components[pair] = j
            roles[j] = ColumnRole(label, "component", comp_codes[0])
            continue
        role = _generic_role(key)
        if role:
            roles[j] = ColumnRole(label, role)
            continue
        if not column_values(j):
            roles[j] = ColumnRole(label, "ignored")
            continue
        close = components.suggest(key)
        issues.append(
            Issue(
                file,
                f"không nhận ra tiêu đề cột '{text}': không phải mã hay tên thành phần của "
                f"{', '.join(codes)}, cũng không phải tổng điểm hay xếp hạng",
                sheet=sheet,
                row=head_number,
                column=label,
                hint=(f"có phải: {', '.join(close)}? " if close else "")
                + "Tên thành phần lấy theo config/indices.yaml",
            )
        )

    for role_name in ("total", "rank"):
        cols = [j for j, r in roles.items() if r.role == role_name]
        for j in cols[1:]:
            issues.append(
                Issue(
                    file,
                    f"bảng có hơn một cột {'tổng điểm' if role_name == 'total' else 'xếp hạng'} "
                    f"(đã có {labels[cols[0]]})",
                    sheet=sheet,
                    row=head_number,
                    column=labels[j],
                    hint="Giữ một cột, đổi tiêu đề cột kia thành 'Ghi chú' để bỏ qua",
                )
            )
            roles[j] = ColumnRole(labels[j], "ignored")
    value_cols = [j for j, r in roles.items() if r.role in ("component", "total", "rank")]
    if not value_cols:
        raise AnnexError(
            [
                *issues,
                Issue(
                    file,
                    "bảng không có cột điểm nào (thành phần, tổng điểm hoặc xếp hạng)",
                    sheet=sheet,
                    row=head_number,
                    hint="Tiêu đề cột điểm là mã hoặc tên thành phần, 'Tổng điểm', 'Xếp hạng'",
                ),
            ]
        )
    col_of = {r.role: j for j, r in sorted(roles.items(), reverse=True)}  # first column of each role

    # Which rows carry data.
    notes: list[str] = []
    kept: list[tuple[int, list[Cell], int]] = []  # (row number, cells, block)
    block = 0

    def cell(cells: list[Cell], j: int | None) -> Cell:
        return cells[j] if j is not None and j < len(cells) else Cell("")

    for number, cells in data_rows:
        unit = cell(cells, unit_col).text
        code = cell(cells, col_of.get("code")).text
        values = [cell(cells, j) for j in value_cols]
        filled = [c for c in values if c.text not in EMPTY_TOKENS]
        if not unit and not code:
            if any(c.numeric or re.search(r"\d", c.text) for c in filled):
                issues.append(
                    Issue(
                        file,
                        "dòng có số liệu nhưng thiếu tên đơn vị",
                        sheet=sheet,
                        row=number,
                        column=labels[unit_col],
                        hint="Điền tên đơn vị, hoặc xóa dòng",
                    )
                )
            continue
        key = fold(unit)
        if re.fullmatch(r"\(?\s*[0-9]{1,3}\s*\)?|[a-z]", key) and all(
            re.fullmatch(r"\(?\s*[0-9a-zA-Z]{1,3}\s*\)?", c.text) for c in filled
        ):
            continue  # the row numbering the columns: (1) (2) (3) …
        if key.startswith(SKIP_UNIT_PREFIXES):
            notes.append(f"dòng {number}: bỏ qua dòng '{unit}' (không phải một đơn vị)")
            continue
        if not filled:
            block += 1
            notes.append(f"dòng {number}: '{unit}' không có số liệu, coi là tiêu đề nhóm")
            continue
        kept.append((number, cells, block))
    if not kept:
        raise AnnexError(
            [
                *issues,
                Issue(
                    file,
                    "chỉ có dòng tiêu đề, không có dòng số liệu",
                    sheet=sheet,
                    row=head_number,
                    hint="Thêm các dòng số liệu dưới dòng tiêu đề",
                ),
            ]
        )
    if len(kept) > MAX_ROWS:
        raise AnnexError([Issue(file, f"bảng có hơn {MAX_ROWS} dòng số liệu", sheet=sheet)])

    # Number convention of each column, from all of its cells.
    styles: dict[int, str] = {}
    for j in value_cols:
        cells_j = [cell(c, j) for _, c, _ in kept if cell(c, j).text not in EMPTY_TOKENS]
        style, odd = column_style(cells_j)
        styles[j] = style
        for bad in odd:
            number = next(n for n, c, _ in kept if cell(c, j) is bad)
            issues.append(
                Issue(
                    file,
                    f"'{bad.text}' viết số khác các ô còn lại của cột ({STYLE_TEXT[style]})",
                    sheet=sheet,
                    row=number,
                    column=labels[j],
                    hint="Viết mọi số trong một cột theo cùng một cách",
                )
            )
        text_cells = [c for c in cells_j if not c.numeric and number_kind(c.text) in ("vn", "dot3", "comma3")]
        if text_cells and style == "vn":
            roles[j] = ColumnRole(roles[j].label, roles[j].role, roles[j].component, "vn")
        elif any(not c.numeric and number_kind(c.text) == "en" for c in cells_j):
            roles[j] = ColumnRole(roles[j].label, roles[j].role, roles[j].component, "en")

    def parse_score(c: Cell, j: int, number: int) -> str | None:
        if c.numeric:
            return _numeric_text(c.text)
        kind = number_kind(c.text)
        if kind == "nonfinite":
            issues.append(
                Issue(
                    file,
                    f"'{c.text}' không phải là số hữu hạn",
                    sheet=sheet,
                    row=number,
                    column=labels[j],
                    hint="Ghi điểm là một số, ví dụ 91,24; để trống nếu không có",
                )
            )
            return None
        if kind == "bad":
            issues.append(
                Issue(
                    file,
                    f"'{c.text}' không phải là số",
                    sheet=sheet,
                    row=number,
                    column=labels[j],
                    hint="Ghi điểm là một số, ví dụ 91,24; để trống nếu không có",
                )
            )
            return None
        if (kind == "vn" and styles[j] == "en") or (kind == "en" and styles[j] == "vn"):
            return None  # already reported as a mixed column
        return to_number(c.text, styles[j])

    def parse_rank(c: Cell, j: int, number: int) -> tuple[str, str] | None:
        text = _numeric_text(c.text) if c.numeric else c.text.replace(" ", "")
        found = re.fullmatch(r"0*(\d+)(?:/(\d+))?", text)
        if not found:
            issues.append(
                Issue(
                    file,
                    f"thứ hạng '{c.text}' không phải là số nguyên",
                    sheet=sheet,
                    row=number,
                    column=labels[j],
                    hint="Thứ hạng là số nguyên từ 1 (hoặc dạng 3/15)",
                )
            )
            return None
        return found.group(1), found.group(2) or ""

    rank_col = col_of.get("rank")
    total_col = col_of.get("total")
    ranks_in_block: dict[int, int] = {}
    if rank_col is not None:
        for _, cells, blk in kept:
            if cell(cells, rank_col).text not in EMPTY_TOKENS:
                ranks_in_block[blk] = ranks_in_block.get(blk, 0) + 1

    def meta(cells: list[Cell], role: str) -> str:
        c = cell(cells, col_of.get(role))
        return _numeric_text(c.text) if c.numeric else c.text

    if options.year is None and "year" not in col_of:
        guess = _guess_from_title(title, catalog)
        raise AnnexError(
            [
                *issues,
                Issue(
                    file,
                    "chưa biết năm của bảng",
                    sheet=sheet,
                    row=head_number,
                    hint="Chọn năm (--year 2024) hoặc thêm cột 'Năm'" + (f"; {guess}" if guess else ""),
                ),
            ]
        )
    source_title = options.source_title or f"Tệp nhập {file}"
    rows: list[dict[str, str]] = []
    origins: list[Origin] = []
    for number, cells, blk in kept:
        unit_text = cell(cells, unit_col).text
        unit_label = labels[unit_col]
        if not unit_text:
            unit_text, unit_label = meta(cells, "code"), labels[col_of["code"]]
        base = {name: "" for name in LONG_COLUMNS}
        base_cols = {"unit": unit_label}
        base.update(unit=unit_text, source_title=source_title, source_url=options.source_url or "")
        base["quote"] = f"{file}" + (f", trang tính {sheet}" if sheet else "") + f", dòng {number}"
        for name, option in (
            ("index", options.index.upper() if options.index else ""),
            ("year", "" if options.year is None else str(options.year)),
            ("province", options.province or ""),
            ("unit_type", options.unit_type or ""),
        ):
            value = meta(cells, name) if name in col_of else ""
            if name in col_of:
                base_cols[name] = labels[col_of[name]]
            if value and option:
                same = value == option if name == "year" else fold(value) == fold(option)
                if not same:
                    issues.append(_conflict(file, sheet, number, base_cols.get(name), name, value, option))
            if not value and option:
                value = option
                base_cols[name] = _option_label(name)
            base[name] = value
        index_code = base["index"].upper()

        total_row = None
        if total_col is not None or rank_col is not None:
            total_cell = cell(cells, total_col)
            rank_cell = cell(cells, rank_col)
            score = rank = rank_of = ""
            ok = True
            if total_cell.text not in EMPTY_TOKENS:
                parsed = parse_score(total_cell, total_col, number)
                ok = parsed is not None
                score = parsed or ""
            if rank_cell.text not in EMPTY_TOKENS:
                parsed_rank = parse_rank(rank_cell, rank_col, number)
                ok = ok and parsed_rank is not None
                if parsed_rank:
                    rank, rank_of = parsed_rank
                    rank_of = rank_of or str(ranks_in_block.get(blk, ""))
            if ok and (score or rank):
                total_row = {**base, "score": score, "rank": rank, "rank_of": rank_of}
                columns = dict(base_cols)
                if total_col is not None:
                    columns["score"] = labels[total_col]
                if rank_col is not None:
                    columns["rank"] = columns["rank_of"] = labels[rank_col]
                rows.append(total_row)
                given = {"score"} if total_col is not None else set()
                given |= {"rank", "rank_of"} if rank_col is not None else set()
                origins.append(Origin(sheet, number, columns, declared.get(total_col), frozenset(given)))
        for j in value_cols:
            role = roles[j]
            if role.role != "component":
                continue
            c = cell(cells, j)
            if c.text in EMPTY_TOKENS:
                continue
            parsed = parse_score(c, j, number)
            if parsed is None:
                continue
            pairs = components.match(header_key(texts[j])[0])
            if index_code and not any(ix == index_code for ix, _ in pairs):
                issues.append(
                    Issue(
                        file,
                        f"thành phần '{role.component}' không thuộc chỉ số {index_code}",
                        sheet=sheet,
                        row=number,
                        column=labels[j],
                        hint="Kiểm tra chỉ số đã chọn hoặc tiêu đề cột",
                    )
                )
                continue
            rows.append({**base, "component": role.component, "score": parsed})
            columns = {**base_cols, "score": labels[j]}
            origins.append(Origin(sheet, number, columns, declared.get(j), frozenset({"score"})))

    ordered = [roles[j] for j in sorted(roles)]
    issues.sort(key=Issue.sort_key)
    return Annex(file, "wide", sheet, rows, origins, issues, notes, ordered, title)


def rows_frame(annex: Annex) -> pl.DataFrame:
    """The long rows as a frame of strings, in the column order of the long CSV format."""
    return pl.DataFrame(annex.rows, schema=dict.fromkeys(LONG_COLUMNS, pl.String))
