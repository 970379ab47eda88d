"""Read an Excel workbook without letting it take the process down.

A workbook is a zip of XML files, and both can lie: a sheet can claim a cell at XFD1048576 (the
reader then allocates the whole rectangle, half a terabyte) and 2,8 MB can inflate to a 1,1 GB
sheet. So, before any parser sees the bytes:

1. ``inspect`` looks at the zip's directory only (uncompressed sizes, compression ratio), the
   workbook's sheet list (names, hidden state) and each sheet's declared ``<dimension>``;
2. ``read_sheet`` runs in a child process whose address space is limited (``RLIMIT_AS``) and whose
   time is limited: it scans the chosen sheet's XML once, as a stream, for the true extent of its
   cells, for formulas whose cached value is not a number and for percent-formatted numbers, then
   lets calamine (fastexcel) read it. Whatever the file does, the parent only ever receives either
   the cells or a list of problems; a child that dies is reported as a file that cannot be read.

Pure functions of bytes; no Streamlit, no database.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field

from chiso.ingest.problems import Issue, Note, hint_for, issue

MAX_SHEET_ROWS = 200_040  # MAX_ROWS plus title and header rows
MAX_SHEET_COLUMNS = 200
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # every member of the zip together
MAX_RATIO = 100  # uncompressed / compressed size of one member; sheets compress 5–30 times
CHILD_MEMORY = 768 * 1024 * 1024  # address space of the reading process
CHILD_SECONDS = 60

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


class WorkbookError(Exception):
    """The workbook is refused, by code: ``problem.xlsx.<code>`` in ``locales/*.xlsx.yaml`` says
    why (with ``params``), ``hint.xlsx.<hint>`` what to do, ``sheet``/``cell`` where. ``message``
    and ``hint`` are the Vietnamese texts; :meth:`issue` the coded problem in any language."""

    def __init__(
        self,
        code: str,
        hints: tuple[str, ...] = (),
        sheet: str | None = None,
        cell: str | None = None,
        **params,
    ):
        self.code, self.hints = f"xlsx.{code}", tuple(f"xlsx.{h}" for h in hints)
        self.sheet, self.cell, self.params = sheet, cell, params
        self.message = Note(f"problem.{self.code}", **params)
        self.hint = hint_for(self.hints, params) or ""
        self.raised = (code, hints, sheet, cell, params)  # what the reading process sends back
        super().__init__(self.message)

    def issue(self, file: str, default_hints: tuple[str, ...]) -> Issue:
        return issue(
            file,
            self.code,
            sheet=self.sheet,
            column=self.cell,
            hints=self.hints or default_hints,
            **self.params,
        )


@dataclass(frozen=True)
class SheetInfo:
    name: str
    hidden: bool
    part: str | None  # zip member of the sheet XML (None for .xls)


@dataclass
class SheetCells:
    """What the child read: rows of (text, numeric) cells, their column letters, and warnings."""

    name: str | None  # None: a legacy .xls with hidden sheets only (``hidden_skipped``)
    rows: list[list[tuple[str, bool]]]
    first_column: int
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (cell, message)
    # Legacy .xls (the child chose the sheet): the hidden sheets passed over before it, and
    # whether the sheet named was itself hidden; the reader turns both into warnings.
    hidden_skipped: list[str] = field(default_factory=list)
    named_hidden: bool = False


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _ref_extent(ref: str) -> tuple[int, int]:
    """'A1:XFD1048576' -> (1048576, 16384): the last row and column a reference reaches."""
    rows, cols = 0, 0
    for letters, digits in _REF.findall(ref.upper()):
        rows, cols = max(rows, int(digits)), max(cols, _col_number(letters))
    return rows, cols


def _check_extent(
    rows: int, cols: int, sheet: str, declared: str | None = None, cell: str | None = None
) -> None:
    """Refuse cells beyond the limits: ``declared`` the range a sheet declares, ``cell`` the one found."""
    far = ("rows" if rows > MAX_SHEET_ROWS else "") + ("columns" if cols > MAX_SHEET_COLUMNS else "")
    if not far:
        return
    extent = Note(
        f"problem.xlsx.extent.{far}",
        rows=_fmt(rows),
        row_limit=_fmt(MAX_SHEET_ROWS),
        columns=_fmt(cols),
        column_limit=MAX_SHEET_COLUMNS,
    )
    code = "far_declared" if declared else "far_cell" if cell else "far"
    raise WorkbookError(code, ("far",), sheet=sheet, cell=cell, range=declared, cell_ref=cell, extent=extent)


def is_encrypted(data: bytes) -> bool:
    """A password-protected .xlsx is an OLE container holding EncryptionInfo/EncryptedPackage."""
    return data[:8] == OLE_MAGIC and any(m in data[:65536] or m in data for m in ENCRYPTED_MARKERS)


def inspect(data: bytes) -> list[SheetInfo]:
    """The workbook's sheets, after refusing what no parser should be given (WorkbookError)."""
    if is_encrypted(data):
        raise WorkbookError("encrypted", ("encrypted",))
    if data[:8] == OLE_MAGIC:
        return []  # legacy .xls: no zip to inspect; the child's limits still apply
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookError("corrupt", ("resave",), error=str(exc)) from exc
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        mb, limit = _fmt(total // 1024 // 1024), MAX_UNCOMPRESSED // 1024 // 1024
        raise WorkbookError("too_big", ("split_or_csv",), mb=mb, limit=limit)
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            raise WorkbookError("ratio", ("copy",), part=m.filename, ratio=ratio, limit=MAX_RATIO)
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise WorkbookError("no_workbook", ("resave",))
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = (
        archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        if ("xl/_rels/workbook.xml.rels" in names)
        else ""
    )
    targets = {}
    for rel in re.finditer(r"<Relationship\b([^>]*)/?>", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', rel.group(1)))
        target = attrs.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attrs.get("Id")] = target
    sheets = []
    for tag in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', tag.group(1)))
        name = _unescape(attrs.get("name", ""))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        part = targets.get(rid)
        sheets.append(
            SheetInfo(name, attrs.get("state", "visible") != "visible", part if part in names else None)
        )
        if part in names:
            with archive.open(part) as stream:
                head = stream.read(65536).decode("utf-8", "replace")
            dim = re.search(r"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]+)\"", head)
            if dim:
                rows, cols = _ref_extent(dim.group(1))
                _check_extent(rows, cols, name, dim.group(1), dim.group(1).split(":")[-1])
    return sheets


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# ---------- the child: scan the sheet's XML, then let calamine read it ----------

_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'\b([rst])="([^"]*)"')
_ROW_R = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of cell formats that show a number as a percentage (built-in 9, 10 or a custom '%')."""
    try:
        styles = archive.read("xl/styles.xml").decode("utf-8", "replace")
    except KeyError:
        return set()
    custom = {
        int(m.group(1))
        for m in re.finditer(r'<numFmt\b[^>]*numFmtId="([0-9]+)"[^>]*formatCode="([^"]*)"', styles)
        if "%" in re.sub(r"&quot;.*?&quot;|\\.", "", m.group(2))
    }
    xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    if not xfs:
        return set()
    found = set()
    for i, xf in enumerate(re.finditer(r"<xf\b([^>]*)", xfs.group(1))):
        fmt = re.search(r'numFmtId="([0-9]+)"', xf.group(1))
        fid = int(fmt.group(1)) if fmt else 0
        if fid in (9, 10) or fid in custom:
            found.add(i)
    return found


def _scan_sheet(archive: zipfile.ZipFile, part: str, sheet: str) -> tuple[list[tuple[str, str]], set[str]]:
    """Stream the sheet's XML: refuse far cells and formulas without a numeric cached value;
    return warnings and the cells shown as percentages."""
    percent_styles = _percent_styles(archive)
    percent_cells: set[str] = set()
    max_row = max_col = 0
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(4 * 1024 * 1024)
            buffer = tail + chunk
            if chunk:
                cut = buffer.rfind(b"</row>")
                if cut < 0:
                    if len(buffer) > 64 * 1024 * 1024:
                        raise WorkbookError("row_too_big", sheet=sheet)
                    tail = buffer
                    continue
                body, tail = buffer[: cut + 6], buffer[cut + 6 :]
            else:
                body, tail = buffer, b""
            for m in _CELL.finditer(body):
                attrs = dict(_ATTR.findall(m.group(1)))
                ref = attrs.get(b"r", b"").decode()
                if ref:
                    rows, cols = _ref_extent(ref)
                    max_row, max_col = max(max_row, rows), max(max_col, cols)
                    if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLUMNS:
                        _check_extent(rows, cols, sheet, cell=ref)
                inner = m.group(2) or b""
                kind = attrs.get(b"t", b"n")
                if b"<f" in inner:
                    value = re.search(rb"<v>(.*?)</v>", inner, re.S)
                    if value is None or kind not in (b"n",) or not _is_number(value.group(1)):
                        if value is None:
                            raise WorkbookError("formula_no_value", ("formula",), sheet, ref, cell_ref=ref)
                        shown = value.group(1).decode("utf-8", "replace")
                        raise WorkbookError(
                            "formula_text", ("formula",), sheet, ref, cell_ref=ref, shown=shown
                        )
                style = attrs.get(b"s")
                if style and kind == b"n" and b"<v>" in inner and int(style) in percent_styles:
                    percent_cells.add(ref)
            for m in _ROW_R.finditer(body):
                max_row = max(max_row, int(m.group(1)))
                if max_row > MAX_SHEET_ROWS:
                    _check_extent(max_row, max_col, sheet)
            if not chunk:
                break
    warnings = [
        (ref, "xlsx.percent") for ref in sorted(percent_cells, key=lambda r: _ref_extent(r)[::-1])[:20]
    ]
    return warnings, percent_cells


def _is_number(raw: bytes) -> bool:
    try:
        value = float(raw)
    except ValueError:
        return False
    return value == value and abs(value) != float("inf")


def _child_read(data: bytes, sheet: str, part: str | None) -> SheetCells:
    import fastexcel

    warnings: list[tuple[str, str]] = []
    percent_cells: set[str] = set()
    if part:
        archive = zipfile.ZipFile(io.BytesIO(data))
        warnings, percent_cells = _scan_sheet(archive, part, sheet)
    reader = fastexcel.read_excel(data)
    skipped, named_hidden = [], False
    if part is None:  # legacy .xls: the first visible sheet, or the one named (any case, any accents)
        from chiso.names import fold

        names = list(reader.sheet_names)
        named = [n for n in names if sheet is not None and fold(n) == fold(sheet)]
        if sheet is not None and not named:
            raise WorkbookError("no_such_sheet", name=repr(sheet), names=", ".join(names))
        if not names:
            raise WorkbookError("no_sheets")
        shown = {n: _xls_visible(reader, n) for n in names}
        if named:
            sheet, named_hidden = named[0], not shown[named[0]]
        else:
            visible = [n for n in names if shown[n]]
            if not visible:  # no sheet to read: the reader says so in its words
                return SheetCells(None, [], 0, [], names)
            sheet, skipped = visible[0], names[: names.index(visible[0])]
    text_sheet = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
    # calamine turns only numeric cells into datetimes: a non-null value marks a number typed
    # as a number, so "14.859" typed as text can be told from the number 14.859.
    kinds = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="datetime").to_polars()
    texts = text_sheet.to_polars()
    columns = text_sheet.available_columns()
    first = columns[0].absolute_index if columns else 0
    _check_extent(texts.height, texts.width, sheet)
    numeric_cols = [kinds.get_column(c).is_not_null().to_list() for c in kinds.columns]
    rows = []
    for r, values in enumerate(texts.iter_rows()):
        cells = []
        for j, v in enumerate(values):
            numeric = bool(numeric_cols[j][r]) if j < len(numeric_cols) else False
            text = "" if v is None else str(v)
            if numeric and percent_cells:
                ref = f"{column_letter(first + j)}{r + 1}"
                if ref in percent_cells:
                    text = repr(round(float(text) * 100, 10))
            cells.append((text, numeric))
        rows.append(cells)
    return SheetCells(sheet, rows, first, warnings, skipped, named_hidden)


def _xls_visible(reader, name: str) -> bool:
    """Whether a legacy .xls sheet is shown (calamine tells it once the sheet is opened)."""
    return reader.load_sheet(name, header_row=None, n_rows=1).visible == "visible"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


CHILD_PEAKS_KB: list[int] = []  # peak resident memory of each reading process (tests measure it)


def peak_kb() -> int:
    """This process's peak resident memory (VmHWM; reset by exec, unlike ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_main() -> None:
    """Entry point of the reading process: a pickled request on stdin, a pickled answer on stdout."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    data, sheet, part = pickle.loads(sys.stdin.buffer.read())
    try:
        answer = ("ok", _child_read(data, sheet, part))
    except WorkbookError as exc:
        answer = ("problem", exc.raised)
    except MemoryError:
        answer = ("problem", ("memory", (), sheet, None, {}))
    except Exception as exc:  # calamine's own errors: the file is unreadable, say so
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        answer = ("problem", ("unreadable_sheet", (), sheet, None, {"error": first}))
    sys.stdout.buffer.write(pickle.dumps((*answer, peak_kb())))
    sys.stdout.buffer.flush()


def read_sheet(data: bytes, sheet: str, part: str | None) -> SheetCells:
    """Read one sheet in a child process limited in memory and time (WorkbookError otherwise)."""
    env = dict(os.environ, POLARS_MAX_THREADS="1", RAYON_NUM_THREADS="1", MALLOC_ARENA_MAX="2")
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from chiso.ingest.xlsx_guard import child_main; child_main()"],
            input=pickle.dumps((data, sheet, part)),
            capture_output=True,
            timeout=CHILD_SECONDS,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise WorkbookError("timeout", ("split",), sheet=sheet, seconds=CHILD_SECONDS) from exc
    if done.returncode != 0 or not done.stdout:
        raise WorkbookError("crashed", ("copy_or_csv",), sheet=sheet)
    status, payload, peak = pickle.loads(done.stdout)
    CHILD_PEAKS_KB.append(peak)
    if status == "problem":
        code, hints, where, cell, params = payload
        raise WorkbookError(code, hints, where, cell, **params)
    return payload
