"""Resolve and validate the rows of a read file: units, then the build's own reader.

No database: the units, the registry and the catalog are handed in (``Reference``). Every
problem is mapped back to the sheet, row and column of the source, so the steward finds it.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.ingest import units_sheet
from chiso.ingest.annex import LONG_COLUMNS, MAX_BYTES, Annex, ImportOptions, Issue, Origin, rows_frame
from chiso.ingest.readers import DataError, Problem, read_scores
from chiso.names import fold
from chiso.units import Registry


@dataclass
class Reference:
    """What a file is checked against, read from the database beforehand."""

    catalog: Catalog
    units: pl.DataFrame
    registry: Registry
    scores: pl.DataFrame
    sources: pl.DataFrame


def _unit_types(catalog: Catalog, text: str | None) -> set[str] | None:
    """A unit type code or a peer-group name -> the unit types it allows."""
    if not text:
        return None
    key = fold(text).replace(" ", "_")
    if key in catalog.unit_types:
        return {key}
    groups = {g for g in catalog.peer_groups if g == key}
    if groups:
        return {code for code, t in catalog.unit_types.items() if t.peer_group in groups}
    raise ChisoError(
        f"Loại đơn vị {text!r} không có trong cấu hình; dùng một loại "
        f"({', '.join(catalog.unit_types)}) hoặc một nhóm ({', '.join(catalog.peer_groups)})"
    )


HINTS = [
    (
        "unit",
        "",
        "Ghi tên chính thức, tên ngắn, tên khác (aliases) hoặc mã của danh mục quốc gia hoặc data/units.csv; "
        "đơn vị chưa có ở đâu (sở, ngành) hãy khai trong mục [units] cuối tệp CSV "
        "hoặc trang tính 'Đơn vị' của tệp XLSX",
    ),
    ("unit_type", "", "Bỏ tùy chọn loại đơn vị, hoặc sửa loại cho đúng danh mục đơn vị"),
    ("index", "", "Dùng một mã chỉ số trong config/indices.yaml"),
    ("component", "", "Tiêu đề cột phải là thành phần khai báo cho chỉ số, nhóm và năm này"),
    ("year", "chỉ tồn tại", "Ghi giá trị cho đơn vị kế thừa, hoặc sửa năm; ngày hiệu lực ở data/units.csv"),
    ("year", "", "Ghi năm là số nguyên 4 chữ số, ví dụ 2024"),
    ("score", "trùng", "Mỗi đơn vị chỉ một dòng cho mỗi chỉ số, thành phần và năm: xóa dòng lặp"),
    ("score", "vượt", "Kiểm tra số trong bảng gốc, hoặc điểm tối đa trong config/indices.yaml"),
    ("score", "âm", "Điểm không thể âm: kiểm tra số trong bảng gốc"),
    ("score", "dấu phẩy", "Tệp dạng dài dùng dấu chấm thập phân (91.24); bảng phụ lục thì nhận 91,24"),
    ("score", "", "Ghi điểm là một số hữu hạn, ví dụ 91,24; để trống nếu không có"),
    ("max_score", "", "Bỏ cột max_score hoặc sửa cho khớp config/indices.yaml"),
    ("rank", "", "Thứ hạng là số nguyên từ 1 đến số đơn vị được xếp hạng"),
    ("rank_of", "", "rank_of là số đơn vị được xếp hạng"),
    ("rank_basis", "", "Dùng 'published' hoặc 'list_order'"),
]


def _hint(column: str | None, message: str) -> str | None:
    for col, word, hint in HINTS:
        if column == col and word in message:
            return hint
    return None


def _origin_label(origin: Origin, column: str | None) -> str | None:
    if column is None:
        return None
    if column == "component":
        column = "score"
    return origin.columns.get(column, column)


def _to_issue(problem: Problem, annex: Annex, kept: list[int]) -> Issue:
    """A reader problem on a line of the normalised rows -> the sheet, row and column of the source."""
    if problem.line is None or problem.line - 2 >= len(kept):
        return Issue(
            annex.file, problem.message, sheet=annex.sheet, hint=_hint(problem.column, problem.message)
        )
    origin = annex.origins[kept[problem.line - 2]]

    def source_row(found: re.Match) -> str:
        line = int(found.group(1))
        if 0 <= line - 2 < len(kept):
            return f"với dòng {annex.origins[kept[line - 2]].row}"
        return found.group(0)

    message = re.sub(r"với dòng (\d+)", source_row, problem.message)
    return Issue(
        annex.file,
        message,
        sheet=origin.sheet,
        row=origin.row,
        column=_origin_label(origin, problem.column),
        hint=_hint(problem.column, problem.message),
    )


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen, out = set(), []
    for issue in sorted(issues, key=Issue.sort_key):
        key = (issue.sheet, issue.row, issue.column, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def _resolve(annex: Annex, ctx: Reference, options: ImportOptions) -> tuple[list[int], list[Issue]]:
    """Resolve every (province, unit) once, restricted to the chosen unit type; rows that name no
    unit are left out of the reader's input and reported here with the closest names."""
    types = _unit_types(ctx.catalog, options.unit_type)
    type_code = fold(options.unit_type or "").replace(" ", "_")
    is_type = type_code in ctx.catalog.unit_types
    issues, kept, cache = [], [], {}
    unknown = 0
    for i, row in enumerate(annex.rows):
        year = int(row["year"]) if str(row.get("year") or "").isdigit() else None
        key = (row["province"], row["unit"], year)
        if key not in cache:
            cache[key] = _resolve_bounded(ctx, row, types, unknown, year)
            unknown += isinstance(cache[key], ChisoError)
        found = cache[key]
        origin = annex.origins[i]
        if isinstance(found, ChisoError) and types:
            found = _other_type(ctx, row, types) or found
        if isinstance(found, ChisoError):
            hint = _hint("unit", "")
            if not row["province"]:
                hint = "Chọn tỉnh (--province) hoặc thêm cột 'Tỉnh'; " + hint
            if types:
                hint += f"; chỉ tìm trong loại: {', '.join(sorted(types))}"
            issues.append(
                Issue(
                    annex.file,
                    str(found),
                    sheet=origin.sheet,
                    row=origin.row,
                    column=_origin_label(origin, "unit"),
                    hint=hint,
                )
            )
            continue
        row["unit"], row["province"] = found.name, found.province
        if options.unit_type and row["unit_type"] == options.unit_type:
            # A type given as an option is checked by the reader; a peer group was checked above.
            row["unit_type"] = type_code if is_type else ""
        kept.append(i)
    return kept, issues


SUGGESTED_NAMES = 50  # closest names are looked for the first unknown names only (bounded time)


def _resolve_bounded(ctx: Reference, row: dict, types: set[str] | None, unknown: int, year: int | None):
    """The unit a row names, or the error; past SUGGESTED_NAMES unknown names no suggestions are
    computed, so a file of 200.000 unknown names is refused in seconds, not minutes."""
    province = row["province"] or None
    if unknown >= SUGGESTED_NAMES and not ctx.registry.candidates(row["unit"], province, types, year):
        where = f" ở {province}" if province else ""
        return ChisoError(f"Không tìm thấy đơn vị {row['unit']!r}{where}")
    try:
        return ctx.registry.resolve(row["unit"], province=province, types=types, year=year)
    except ChisoError as exc:
        return exc


def _gather(frame: pl.DataFrame, rows: list[int]) -> pl.DataFrame:
    return frame.select(pl.all().gather(rows)) if rows else frame.clear()


def _other_type(ctx: Reference, row: dict, types: set[str]) -> ChisoError | None:
    """A clearer message when the name is a unit, but not of the chosen type."""
    try:
        unit = ctx.registry.resolve(row["unit"], province=row["province"] or None)
    except ChisoError:
        return None
    return ChisoError(
        f"'{row['unit']}' là {unit.name} (loại {unit.unit_type}), không thuộc loại đã chọn "
        f"({', '.join(sorted(types))})"
    )


def _read_validated(annex: Annex, ctx: Reference, kept: list[int]) -> tuple[pl.DataFrame | None, list[Issue]]:
    """Run the build's reader over the normalised rows; map its problems back to the source."""
    if not kept:
        return None, []
    frame = _gather(rows_frame(annex), kept)
    with tempfile.TemporaryDirectory(prefix="chiso-import-") as folder:
        path = Path(folder) / "rows.csv"
        frame.select(LONG_COLUMNS).write_csv(path)
        try:
            scores = read_scores(path, ctx.catalog, ctx.registry, ctx.units)
        except DataError as exc:
            return None, [_to_issue(p, annex, kept) for p in exc.problems]
    return scores, []


def _units_section(path: Path, file: str, options: ImportOptions, catalog: Catalog):
    """The units section (CSV) or sheet (XLSX) of the file, validated; None when there is none."""
    if path.stat().st_size > MAX_BYTES:
        return None  # read_annex refuses it with its own message
    section = units_sheet.split(path.read_bytes(), file, options)
    if section.units is None and not section.header and not section.issues:
        return None
    return units_sheet.load(section, catalog)
