"""Units a steward supplies with an import: departments and central agencies that no registry holds.

A CSV import may end with a units section: a line ``[units]`` (or ``[đơn vị]``), then a header and
one row per unit in the columns of ``data/units.csv`` (``province, name, unit_type`` required;
``short_name, code, valid_from, valid_to, successor, peer_group, aliases`` optional). An XLSX import
may carry a sheet named ``Đơn vị`` (or ``units``) with the same columns. The units are validated like
``data/units.csv``, listed in the preview, written in the same swap as the scores and undone with
them; a unit named in the scores but supplied nowhere is refused, never created silently.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from chiso.admin_registry import AdminUnit
from chiso.config import Catalog
from chiso.ingest.annex import ImportOptions, Issue, is_excel
from chiso.ingest.problems import Note, hint_for, issue
from chiso.ingest.readers import UNIT_COLUMNS, DataError, read_units
from chiso.names import fold
from chiso.units import Registry, Unit

MARKERS = {"units", "don vi"}
SHEETS = {"units", "don vi", "danh muc don vi"}
REQUIRED = ["province", "name", "unit_type"]


@dataclass
class UnitsSection:
    """The scores part of the file (bytes to read as usual) and the units it supplies."""

    data: bytes
    options: ImportOptions
    units: pl.DataFrame | None = None
    aliases: pl.DataFrame | None = None
    issues: list[Issue] | None = None
    where: str = ""  # a Note: "mục [units]" or "trang tính 'Đơn vị'" (units.where.* in locales)
    file: str = ""
    sheet: str | None = None
    header_line: int = 0
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def _marker(line: str) -> bool:
    text = line.strip().strip(",;\t").strip()
    return text.startswith("[") and text.endswith("]") and fold(text[1:-1]) in MARKERS


def split(data: bytes, file: str, options: ImportOptions) -> UnitsSection:
    """Separate the units section or sheet from the scores; nothing to separate leaves ``units`` None."""
    if is_excel(data):
        return _split_excel(data, file, options)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return UnitsSection(data, options)  # the reader reports the encoding
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _marker(line)), None)
    if start is None:
        return UnitsSection(data, options)
    scores = "".join(lines[:start]).encode("utf-8")
    rows = list(csv.reader(io.StringIO("".join(lines[start + 1 :]), newline="")))
    # Line numbers as the steward sees them: the section's header is the line after the marker.
    numbered = [(start + 2 + i, row) for i, row in enumerate(rows)]
    found = _validate(numbered, file, Note("units.where.section"))
    found.data, found.options = scores, options
    return found


def _split_excel(data: bytes, file: str, options: ImportOptions) -> UnitsSection:
    from chiso.ingest.annex import AnnexError, _excel_grid, sheet_names

    names = sheet_names(data)
    units_sheet = next((n for n in names if fold(n) in SHEETS), None)
    if units_sheet is None:
        return UnitsSection(data, options)
    if not options.sheet:
        others = [n for n in names if n != units_sheet]
        if others:
            options = replace(options, sheet=others[0])
    try:
        grid = _excel_grid(data, file, units_sheet)
    except AnnexError as exc:
        return UnitsSection(data, options, issues=exc.issues)
    numbered = [
        (number, [c.text for c in cells]) for number, cells in grid.rows if any(c.text for c in cells)
    ]
    found = _validate(numbered, file, Note("units.where.sheet", sheet_name=units_sheet), sheet=units_sheet)
    found.data, found.options = data, options
    return found


def _code(sheet: str | None, what: str) -> str:
    """``units.section.<what>`` for a CSV's [units] section, ``units.sheet.<what>`` for a sheet."""
    return f"units.{'sheet' if sheet else 'section'}.{what}"


def _validate(numbered: list[tuple[int, list[str]]], file: str, where: str, sheet: str | None = None):
    section = UnitsSection(b"", ImportOptions(), where=where, file=file, sheet=sheet)
    if not numbered:
        section.issues = [issue(file, _code(sheet, "no_header"), sheet=sheet, sheet_name=sheet)]
        return section
    header_line, header = numbered[0]
    header = [fold(h).replace(" ", "_") for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        section.issues = [
            issue(
                file,
                _code(sheet, "missing_column"),
                sheet=sheet,
                row=header_line,
                hints=("units.columns",),
                sheet_name=sheet,
                column_name=missing[0],
            )
        ]
        return section
    section.header_line, section.header, section.rows = header_line, header, numbered[1:]
    return section


def load(section: UnitsSection, catalog: Catalog) -> UnitsSection:
    """Validate the supplied units with the build's reader; problems become issues at their row."""
    if section.issues or not section.header:
        return section
    header, rows, file, sheet = section.header, section.rows, section.file, section.sheet
    width = len(header)
    if not rows:
        section.issues = [
            issue(file, _code(sheet, "empty"), sheet=sheet, row=section.header_line, sheet_name=sheet)
        ]
        return section
    with tempfile.TemporaryDirectory(prefix="chiso-units-") as folder:
        path = Path(folder) / "units.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([h if h in UNIT_COLUMNS else f"_ignored_{i}" for i, h in enumerate(header)])
            kinds = catalog.unit_type_aliases()
            at = header.index("unit_type")
            for _, row in rows:
                row = (row + [""] * width)[:width]
                row[at] = kinds.get(row[at].strip().lower(), row[at])
                writer.writerow(row)
        try:
            units, aliases = read_units(_with_short_name(path), catalog)
        except DataError as exc:
            section.issues = [
                Issue(
                    file,
                    p.message,
                    sheet=sheet,
                    row=rows[p.line - 2][0]
                    if p.line and 2 <= p.line < len(rows) + 2
                    else section.header_line,
                    column=p.column,
                    hint=hint_for((_code(sheet, "fix"),), {"sheet_name": sheet}),
                    hints=(_code(sheet, "fix"),),
                    params=(("sheet_name", sheet),),
                )
                for p in exc.problems
            ]
            return section
    section.units, section.aliases = units, aliases
    return section


def _with_short_name(path: Path) -> Path:
    """read_units needs a short_name column; an empty one means 'the name'."""
    frame = pl.read_csv(path, infer_schema=False)
    if "short_name" not in frame.columns:
        frame = frame.with_columns(short_name=pl.lit(""))
        frame.write_csv(path)
    return path


def register(section: UnitsSection, registry: Registry, known: pl.DataFrame) -> list[str]:
    """Add the supplied units to the import's registry (new ones only); names of those already known."""
    if section.units is None:
        return []
    already = []
    known_ids = set(known["unit_id"])
    aliases = section.aliases.group_by("unit_id").agg("alias") if section.aliases is not None else None
    alias_of = dict(aliases.rows()) if aliases is not None and aliases.height else {}
    for row in section.units.iter_rows(named=True):
        if row["unit_id"] in known_ids:
            already.append(row["name"])
            continue
        unit = Unit.from_row(row)
        registry.add(unit)
        for alias in alias_of.get(row["unit_id"], []):
            registry.add_alias(unit.unit_id, alias)
        registry.added[unit.unit_id] = AdminUnit(
            row["province"],
            row["name"],
            row["short_name"],
            row["unit_type"],
            row["code"] or "",
            row["valid_from"],
            row["valid_to"],
            "",
            tuple(alias_of.get(row["unit_id"], [])),
            row["peer_group"],
        )
    return already
