"""Validated import of a published table into an existing database: preview, apply, undo, audit.

``plan_import`` reads the file (chiso.ingest.annex), validates it with the build's own reader
(``read_scores``: units, indices, components, maxima, duplicates) and compares it with the
database: rows to add, rows to change (old → new), rows unchanged. It never writes.

``apply_import`` writes in one step by copy-and-swap: under a lock file (``<db>.lock``) it
copies the database beside itself, applies the rows to the copy, recomputes the derived
``ranked`` table, records the import in ``import_audit``, keeps the previous file as
``<db>.before-<import_id>`` (a hard link where the file system allows it) and swaps the copy
in with ``os.replace``. Readers keep the file they opened; the app reconnects on the new
modification time. A process that dies before the swap leaves the database untouched.

``undo_last`` swaps the kept file of the last import back in, carrying the audit trail over
(the undone import stays listed, marked as undone).

SQL only ever sees input through bound parameters or registered Arrow tables.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from chiso import paths
from chiso.config import Catalog, load_catalog
from chiso.errors import ChisoError
from chiso.ingest import units_sheet
from chiso.ingest.annex import (
    LONG_COLUMNS,
    MAX_BYTES,
    Annex,
    AnnexError,
    ImportOptions,
    Issue,
    Origin,
    read_annex,
    read_annex_bytes,
    rows_frame,
)
from chiso.ingest.readers import KEY, DataError, Problem, read_scores
from chiso.names import fold
from chiso.store.build import derive_ranked
from chiso.store.schema import RANKED_TABLES_SQL, SCORE_TABLE_COLUMNS, with_printed
from chiso.units import Registry

KEEP_BACKUPS = 10
LOG = logging.getLogger("chiso.import")
LOCK_STALE_EMPTY_SECONDS = 10.0
CRASH_HOOK = "CHISO_IMPORT_CRASH"  # tests only: 'after_copy' or 'before_swap' kills the process there

AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS import_audit (
    import_id INTEGER,
    imported_at TIMESTAMP,
    who VARCHAR,
    file VARCHAR,
    sha256 VARCHAR,
    bytes BIGINT,
    sheet VARCHAR,
    layout VARCHAR,
    options VARCHAR,
    rows_added INTEGER,
    rows_changed INTEGER,
    rows_unchanged INTEGER,
    backup VARCHAR,            -- file beside the database holding the state before this import
    undone_at TIMESTAMP,
    undone_by VARCHAR,
    long_csv VARCHAR           -- the rows as imported, in the long CSV format
)
"""
AUDIT_COLUMNS = [
    "import_id",
    "imported_at",
    "who",
    "file",
    "sha256",
    "bytes",
    "sheet",
    "layout",
    "options",
    "rows_added",
    "rows_changed",
    "rows_unchanged",
    "backup",
    "undone_at",
    "undone_by",
]
AUDIT_TYPES = {
    "import_id": pl.Int32,
    "imported_at": pl.Datetime,
    "bytes": pl.Int64,
    "rows_added": pl.Int32,
    "rows_changed": pl.Int32,
    "rows_unchanged": pl.Int32,
    "undone_at": pl.Datetime,
}
GIVEN = ("score", "rank", "rank_of", "flag")
KEEP_UNLESS_GIVEN = {
    "score": "score",
    "published_rank": "rank",
    "rank_basis": "rank",
    "published_rank_of": "rank_of",
    "flag": "flag",
}
VALUE_COLUMNS = ["score", "max_score", "published_rank", "published_rank_of", "rank_basis", "flag"]


class LockedError(ChisoError):
    """Another import or undo is writing the same database."""


# ---------- the plan (preview) ----------


@dataclass
class ImportPlan:
    """Everything a steward sees before confirming; ``ok`` when nothing blocks the import."""

    db_path: Path
    file: str
    sha256: str
    size: int
    options: ImportOptions
    layout: str = ""
    sheet: str | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list = field(default_factory=list)
    added: pl.DataFrame = field(default_factory=pl.DataFrame)
    changed: pl.DataFrame = field(default_factory=pl.DataFrame)
    unchanged: pl.DataFrame = field(default_factory=pl.DataFrame)
    rows: pl.DataFrame | None = None  # validated rows to write (added + changed)
    new_units: pl.DataFrame = field(default_factory=pl.DataFrame)  # units the import adds
    new_aliases: pl.DataFrame = field(default_factory=pl.DataFrame)
    long_csv: str = ""
    db_stamp: tuple = ()
    corrections: list[str] = field(default_factory=list)  # PDF: cells corrected, with the original reading
    source: object | None = None  # PDF: the table read (pages, boxes, flagged cells) for the preview

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.added.height, self.changed.height, self.unchanged.height


@dataclass(frozen=True)
class ApplyResult:
    import_id: int | None
    added: int
    changed: int
    unchanged: int
    backup: Path | None

    @property
    def written(self) -> bool:
        return self.import_id is not None


@dataclass(frozen=True)
class UndoResult:
    import_id: int
    file: str
    added: int
    changed: int


def _now() -> datetime:
    """Times are stored as UTC without a zone (the audit view says so)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@contextmanager
def reading(db: Path):
    """A read-only view of the file as it is now on disk.

    ``duckdb.connect(path)`` hands back the database already open in this process for that
    path (the app keeps one open), which after a swap is the old file. Attaching the path to a
    fresh in-memory connection always opens the current file.
    """
    db = Path(db)
    if not db.exists():
        raise ChisoError(f"Chưa có cơ sở dữ liệu {db}; hãy chạy 'chiso build' trước.")
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS chiso_db (READ_ONLY)", [str(db)])
        con.execute("USE chiso_db")
        yield con
    finally:
        con.close()


def db_stamp(db: Path) -> tuple:
    """What identifies one version of the file: swapped files differ in inode and mtime."""
    st = Path(db).stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Context:
    catalog: Catalog
    units: pl.DataFrame
    registry: Registry
    scores: pl.DataFrame
    sources: pl.DataFrame


def _context(db: Path, catalog: Catalog) -> _Context:
    with reading(db) as con:
        units = con.sql("SELECT * FROM units ORDER BY province, name").pl()
        aliases = con.sql("SELECT unit_id, alias FROM unit_aliases").pl()
        scores = con.sql(
            "SELECT s.*, src.title AS source_title, src.url AS source_url "
            "FROM scores s LEFT JOIN sources src USING (source_id)"
        ).pl()
        sources = con.sql("SELECT source_id, title, url FROM sources").pl()
    return _Context(catalog, units, Registry.from_frames(units, aliases, national=True), scores, sources)


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


def _resolve(annex: Annex, ctx: _Context, options: ImportOptions) -> tuple[list[int], list[Issue]]:
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


def _resolve_bounded(ctx: _Context, row: dict, types: set[str] | None, unknown: int, year: int | None):
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


def _other_type(ctx: _Context, row: dict, types: set[str]) -> ChisoError | None:
    """A clearer message when the name is a unit, but not of the chosen type."""
    try:
        unit = ctx.registry.resolve(row["unit"], province=row["province"] or None)
    except ChisoError:
        return None
    return ChisoError(
        f"'{row['unit']}' là {unit.name} (loại {unit.unit_type}), không thuộc loại đã chọn "
        f"({', '.join(sorted(types))})"
    )


def _read_validated(annex: Annex, ctx: _Context, kept: list[int]) -> tuple[pl.DataFrame | None, list[Issue]]:
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


def _warnings(annex: Annex, scores: pl.DataFrame, kept: list[int], catalog: Catalog) -> list[Issue]:
    """Non-blocking: totals that are not the sum of their components, published ranks that
    disagree with the scores, maxima printed in headers that differ from the config."""
    warnings: list[Issue] = []

    def at(line: int, column: str, message: str, hint: str | None = None) -> Issue:
        origin = annex.origins[kept[line - 2]]
        return Issue(
            annex.file,
            message,
            sheet=origin.sheet,
            row=origin.row,
            column=_origin_label(origin, column),
            hint=hint,
            level="warning",
        )

    first = scores.filter(pl.col("is_first"))
    for row in scores.filter(~pl.col("is_first")).iter_rows(named=True):
        warnings.append(at(row["_line"], "unit", "đơn vị lặp lại với cùng giá trị: chỉ ghi một lần"))
    # Totals against the sum of their components (aggregation 'sum' only, all components present).
    totals = first.filter(pl.col("component").is_null() & pl.col("score").is_not_null())
    parts = (
        first.filter(pl.col("component").is_not_null() & pl.col("score").is_not_null())
        .group_by("province", "unit_id", "index_code", "year")
        .agg(pl.col("score").sum().alias("parts"), pl.col("component").n_unique().alias("n_parts"))
    )
    joined = totals.join(parts, on=["province", "unit_id", "index_code", "year"], how="inner")
    for row in joined.iter_rows(named=True):
        index = catalog.index(row["index_code"])
        if index.aggregation_for(row["province"], row["peer_group"], row["year"]) != "sum":
            continue
        variant = index.variant_for(row["province"], row["peer_group"], row["year"])
        if variant is None or row["n_parts"] < len(variant.components):
            continue
        decimals = index.decimals_for(row["province"], row["peer_group"], row["year"])
        tolerance = row["n_parts"] * 0.5 * 10**-decimals + 1e-9
        if abs(row["score"] - row["parts"]) > tolerance:
            warnings.append(
                at(
                    row["_line"],
                    "score",
                    f"tổng điểm {row['score']:g} khác tổng các thành phần ({row['parts']:.{decimals}f})",
                    "Kiểm tra lại tổng hoặc các thành phần trong bảng gốc",
                )
            )
    # Published ranks against the order of the scores, within each table of the import.
    direction = {i.code: i.higher_is_better for i in catalog.indices}
    national = [g for g, spec in catalog.peer_groups.items() if spec.scope == "national"]
    ranked = (
        totals.filter(pl.col("published_rank").is_not_null())
        .with_columns(
            scope=pl.when(pl.col("peer_group").is_in(national)).then(pl.lit("")).otherwise("province"),
            signed=pl.when(pl.col("index_code").replace_strict(direction, return_dtype=pl.Boolean))
            .then(-pl.col("score"))
            .otherwise(pl.col("score")),
        )
        .with_columns(
            computed=pl.col("signed").rank(method="min").over("scope", "peer_group", "index_code", "year"),
            n_scored=pl.col("score").count().over("scope", "peer_group", "index_code", "year"),
            table_rank_of=pl.col("published_rank_of").max().over("scope", "peer_group", "index_code", "year"),
        )
    )
    # Like with like (the rule of chiso.metrics): a published rank is compared only with a rank
    # over the same N, i.e. when the file holds every unit of the published table.
    same_basis = pl.col("table_rank_of").is_not_null() & (pl.col("n_scored") >= pl.col("table_rank_of"))
    for row in ranked.filter(same_basis & (pl.col("computed") != pl.col("published_rank"))).iter_rows(
        named=True
    ):
        warnings.append(
            at(
                row["_line"],
                "rank",
                f"thứ hạng công bố {row['published_rank']} khác thứ hạng theo điểm ({int(row['computed'])})",
                "Trang Xếp hạng hiển thị thứ hạng công bố và đánh dấu chênh lệch",
            )
        )
    # Maxima printed in the headers ("Cải cách thể chế (13 điểm)") against the config.
    for row in first.iter_rows(named=True):
        origin = annex.origins[kept[row["_line"] - 2]]
        if origin.declared_max is not None and abs(origin.declared_max - row["max_score"]) > 1e-9:
            warnings.append(
                at(
                    row["_line"],
                    "score",
                    f"tiêu đề ghi tối đa {origin.declared_max:g} điểm, cấu hình ghi {row['max_score']:g}",
                    "Nếu quyết định của tỉnh khác, sửa điểm tối đa trong config/indices.yaml",
                )
            )
    # Scores that look like fractions of a percentage scale (a cell formatted as %).
    fractions = first.filter(pl.col("score").is_not_null() & (pl.col("max_score") >= 10)).group_by(
        "index_code", "component", "year"
    )
    for _, group in fractions:
        if group.height >= 3 and group["score"].max() <= 1 and group["score"].min() > 0:
            row = group.row(0, named=True)
            warnings.append(
                at(
                    row["_line"],
                    "score",
                    f"mọi điểm của cột đều ≤ 1 trong khi tối đa là {row['max_score']:g}: "
                    "ô có thể được định dạng phần trăm",
                    "Ghi 91,24 thay vì 91,24% định dạng phần trăm",
                )
            )
    seen, unique = set(), []
    for w in sorted(warnings, key=Issue.sort_key):
        if (w.row, w.column, w.message) not in seen:
            seen.add((w.row, w.column, w.message))
            unique.append(w)
    return unique


def _compare(scores: pl.DataFrame, existing: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Split validated rows into added, changed (with old values) and unchanged."""
    new = scores.filter(pl.col("is_first"))
    old = existing.select(
        *KEY, *[pl.col(c).alias(f"old_{c}") for c in VALUE_COLUMNS], pl.lit(True).alias("_exists")
    )
    joined = new.join(old, on=KEY, how="left", nulls_equal=True)
    # A value the file does not carry keeps the stored one (a table without a rank column
    # leaves the published ranks as they are).
    exists = pl.col("_exists").fill_null(False)
    joined = joined.with_columns(
        [
            pl.when(exists & ~pl.col(f"_given_{given}"))
            .then(pl.col(f"old_{column}"))
            .otherwise(pl.col(column))
            .alias(column)
            for column, given in KEEP_UNLESS_GIVEN.items()
        ]
    )
    differs = pl.lit(False)
    for column in VALUE_COLUMNS:
        a, b = pl.col(column), pl.col(f"old_{column}")
        if column in ("score", "max_score"):
            same = (a.is_null() & b.is_null()) | ((a - b).abs() <= 1e-9)
        else:
            same = (a.is_null() & b.is_null()) | (a.cast(pl.String) == b.cast(pl.String))
        differs = differs | ~same.fill_null(False)
    joined = joined.with_columns(_differs=differs)
    added = joined.filter(pl.col("_exists").is_null())
    changed = joined.filter(pl.col("_exists").is_not_null() & pl.col("_differs"))
    unchanged = joined.filter(pl.col("_exists").is_not_null() & ~pl.col("_differs"))
    return added, changed, unchanged


def _options_text(options: ImportOptions) -> str:
    return ", ".join(f"{k}={v}" for k, v in asdict(options).items() if v not in (None, ""))


def plan_import(
    db: Path,
    path: Path,
    options: ImportOptions = ImportOptions(),  # noqa: B008 - frozen dataclass
    *,
    name: str | None = None,
    config: Path | None = None,
) -> ImportPlan:
    """Read, validate and compare a file against the database; never writes. Problems in the
    file are returned in ``plan.errors``; a missing database or config raises ChisoError."""
    db, path = Path(db), Path(path)
    catalog = load_catalog(config or paths.CONFIG_PATH)
    if not db.exists():
        raise ChisoError(f"Chưa có cơ sở dữ liệu {db}; hãy chạy 'chiso build' trước khi nhập.")
    plan = ImportPlan(
        db, name or path.name, sha256_of(path), path.stat().st_size, options, db_stamp=db_stamp(db)
    )
    try:
        _unit_types(catalog, options.unit_type)
        if options.index:
            catalog.index(options.index)
    except ChisoError as exc:
        plan.errors = [Issue(plan.file, str(exc))]
        return plan
    section = _units_section(path, plan.file, options, catalog)
    try:
        if section is None:
            annex = read_annex(path, catalog, options, name=plan.file)
        else:
            annex = read_annex_bytes(section.data, plan.file, catalog, section.options)
    except AnnexError as exc:
        plan.errors = [*(section.issues or [] if section else []), *exc.issues]
        return plan
    if section is not None and section.issues:
        plan.errors = section.issues
        return plan
    plan.layout, plan.sheet, plan.notes, plan.columns = annex.layout, annex.sheet, annex.notes, annex.columns
    plan.corrections, plan.source = annex.corrections, annex.source
    ctx = _context(db, catalog)
    if section is not None:
        known = units_sheet.register(section, ctx.registry, ctx.units)
        if known:
            plan.notes = [
                *plan.notes,
                f"Đơn vị trong {section.where} đã có trong danh mục: {', '.join(known)}",
            ]
    kept, unit_issues = _resolve(annex, ctx, options)
    # Rows whose source row already has a problem are not read again (one message per cell).
    bad_rows = {(i.sheet, i.row) for i in annex.issues}
    kept = [i for i in kept if (annex.origins[i].sheet, annex.origins[i].row) not in bad_rows]
    scores, read_issues = _read_validated(annex, ctx, kept)
    plan.errors = _dedupe([*annex.issues, *unit_issues, *read_issues])
    if plan.errors or scores is None:
        return plan
    plan.warnings = [*annex.warnings, *_warnings(annex, scores, kept, catalog)]
    source_rows = pl.DataFrame(
        {"_line": range(2, len(kept) + 2), "source_row": [annex.origins[k].row for k in kept]},
        schema={"_line": pl.Int64, "source_row": pl.Int64},
    )
    given = pl.DataFrame(
        {
            "_line": range(2, len(kept) + 2),
            **{f"_given_{v}": [v in annex.origins[k].provided for k in kept] for v in GIVEN},
        },
        schema={"_line": pl.Int64, **{f"_given_{v}": pl.Boolean for v in GIVEN}},
    )
    scores = scores.join(source_rows, on="_line", how="left").join(given, on="_line", how="left")
    plan.added, plan.changed, plan.unchanged = _compare(scores, ctx.scores)
    plan.rows = pl.concat([plan.added, plan.changed], how="diagonal_relaxed")
    _plan_new_units(plan, ctx)
    plan.long_csv = _gather(rows_frame(annex), kept).write_csv()
    return plan


# ---------- lock ----------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_holder(path: Path) -> dict:
    """What a lock file says: pid, host, since, who; ``garbage`` when it is not a lock we wrote."""
    try:
        raw = path.read_bytes()[:4096]
    except OSError:
        return {}
    if not raw.strip():
        return {}
    lines = raw.decode("utf-8", errors="replace").splitlines()
    keys = ["pid", "host", "since", "who"]
    holder = dict(zip(keys, lines, strict=False))
    if holder.get("pid", "").isdigit() and len(holder["pid"]) < 10:
        holder["pid"] = int(holder["pid"])
    try:
        datetime.fromisoformat(holder.get("since", ""))
        readable = isinstance(holder["pid"], int) and bool(holder.get("host"))
    except ValueError:
        readable = False
    if not readable:
        return {"garbage": True}
    return holder


def _stale(path: Path, holder: dict) -> bool:
    """A lock nobody holds: empty or unreadable for more than a few seconds (a writer fills its
    lock the moment it creates it), or left by a process that died on this host."""
    if not holder or holder.get("garbage"):
        try:
            return time.time() - path.stat().st_mtime > LOCK_STALE_EMPTY_SECONDS
        except OSError:
            return False
    pid = holder.get("pid")
    return isinstance(pid, int) and holder.get("host") == socket.gethostname() and not _alive(pid)


def _locked_message(db: Path, path: Path, holder: dict) -> str:
    if not holder or holder.get("garbage"):
        return (
            f"Tệp khóa {path} không đọc được (không phải khóa do chiso ghi); nếu không có lần nhập "
            f"hay hoàn tác nào đang chạy trên {db}, hãy xóa tệp đó rồi thử lại "
            f"(chiso tự bỏ nó sau {LOCK_STALE_EMPTY_SECONDS:.0f} giây)."
        )
    where = holder.get("host", "?")
    return (
        f"Một lần ghi khác đang chạy trên {db} (tiến trình {holder.get('pid', '?')} trên máy {where}, "
        f"từ {holder.get('since', '?')}); hãy thử lại khi nó xong. Nếu chắc chắn tiến trình đó đã "
        f"dừng, hãy xóa tệp khóa {path} rồi thử lại."
    )


def lock_path(db: Path) -> Path:
    return Path(f"{db}.lock")


@contextmanager
def write_lock(db: Path, *, wait: float = 0.0, who: str = ""):
    """Hold ``<db>.lock`` (created with O_EXCL, holding pid, host, time and who) while writing.

    A lock left by a process that died on this host, or an empty or garbage one older than a few
    seconds, is taken over (and logged); a live one makes the caller wait up to ``wait`` seconds,
    then fail with a message naming the holder and what to do.
    """
    path = lock_path(db)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            holder = _lock_holder(path)
            if _stale(path, holder):
                LOG.warning("stale lock file %s taken over (%s)", path, holder or "empty")
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    raise LockedError(
                        f"Không bỏ được tệp khóa cũ {path} ({exc.strerror}); hãy xóa nó rồi thử lại"
                    ) from None
                continue
            if time.monotonic() >= deadline:
                raise LockedError(_locked_message(db, path, holder)) from None
            time.sleep(0.2)
    try:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(fd, f"{os.getpid()}\n{socket.gethostname()}\n{stamp}\n{who}\n".encode())
        os.close(fd)
        _clean_stale_temps(Path(db))
        yield
    finally:
        path.unlink(missing_ok=True)


def _temp_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.import-{os.getpid()}.tmp")


def _clean_stale_temps(db: Path) -> None:
    """Copies left by a process that died mid-import (the original was never touched)."""
    for tmp in db.parent.glob(f".{db.name}.import-*.tmp*"):
        found = re.search(r"\.import-(\d+)\.tmp", tmp.name)
        if found and not _alive(int(found.group(1))):
            tmp.unlink(missing_ok=True)


def _crash_hook(point: str) -> None:
    """Tests kill the process at a named point to prove the database survives."""
    if os.environ.get(CRASH_HOOK) == point:
        os.kill(os.getpid(), signal.SIGKILL)


# ---------- apply ----------


def _scope_sql(catalog: Catalog, province: str, peer_group: str) -> str:
    """SQL for a row's ranking scope: '' for national peer groups, else its province."""
    national = (
        ", ".join(f"'{g}'" for g, spec in catalog.peer_groups.items() if spec.scope == "national") or "''"
    )
    return f"CASE WHEN {peer_group} IN ({national}) THEN '' ELSE {province} END"


def _ranked_inputs(con, catalog: Catalog, *, only_affected: bool = False) -> pl.DataFrame:
    """The derived rows, recomputed from the scores; with ``only_affected`` just the series
    (index, peer group, scope: every year, since a change moves next year's Δ too) that the
    rows in ``import_keys`` touch — the rest of ``ranked`` cannot change."""
    # Read through the writing connection itself: a cursor would not see the open transaction.
    # The source title and URL travel with the scores as in a build (empty text, not NULL).
    scope = _scope_sql(catalog, "s.province", "u.peer_group")
    where = (
        f" WHERE (s.index_code, u.peer_group, {scope}) IN "
        "(SELECT index_code, peer_group, scope FROM affected)"
        if only_affected
        else ""
    )
    scores = con.sql(
        "SELECT s.province, s.unit_id, u.peer_group, s.index_code, s.component, s.year, s.score, "
        "s.max_score, s.published_rank, s.published_rank_of, s.rank_basis, s.flag, s.printed, "
        "s.printed_change, s.source_id, "
        "s.quote, coalesce(src.title, '') AS source_title, coalesce(src.url, '') AS source_url, "
        "true AS is_first FROM scores s JOIN units u USING (unit_id) LEFT JOIN sources src USING (source_id)"
        + where
    ).pl()
    units = con.sql("SELECT * FROM units").pl()
    sources = con.sql("SELECT source_id, title, url FROM sources").pl()
    return derive_ranked(scores, units, sources, catalog)


def _source_ids(con, rows: pl.DataFrame) -> pl.DataFrame:
    """Reuse a source with the same title and URL; add the others."""
    known = con.sql("SELECT source_id, title, coalesce(url, '') AS url FROM sources").pl()
    wanted = rows.select(
        pl.col("source_title").alias("title"), pl.col("source_url").fill_null("").alias("url")
    ).unique()
    fresh = wanted.join(known, on=["title", "url"], how="anti").filter(pl.col("title") != "")
    start = int(known["source_id"].max() or 0) + 1 if known.height else 1
    fresh = fresh.sort("title", "url").with_row_index("source_id", offset=start)
    if fresh.height:
        con.register(
            "fresh_sources",
            fresh.select(
                pl.col("source_id").cast(pl.Int32),
                "title",
                pl.when(pl.col("url") == "").then(None).otherwise(pl.col("url")).alias("url"),
            ).to_arrow(),
        )
        con.execute(
            "INSERT INTO sources (source_id, title, url) SELECT source_id, title, url FROM fresh_sources"
        )
        con.unregister("fresh_sources")
    lookup = pl.concat(
        [known, fresh.select(pl.col("source_id").cast(known["source_id"].dtype), "title", "url")]
    )
    return rows.with_columns(pl.col("source_url").fill_null("")).join(
        lookup.rename({"title": "source_title", "url": "source_url"}),
        on=["source_title", "source_url"],
        how="left",
    )


def _units_section(path: Path, file: str, options: ImportOptions, catalog: Catalog):
    """The units section (CSV) or sheet (XLSX) of the file, validated; None when there is none."""
    if path.stat().st_size > MAX_BYTES:
        return None  # read_annex refuses it with its own message
    section = units_sheet.split(path.read_bytes(), file, options)
    if section.units is None and not section.header and not section.issues:
        return None
    return units_sheet.load(section, catalog)


def _plan_new_units(plan: ImportPlan, ctx: _Context) -> None:
    """Units this import adds (from the national registry or the file's units sheet), previewed
    with the rows and written in the same swap, so an undo removes them too."""
    if not ctx.registry.added:
        return
    units, aliases = ctx.registry.added_frames(ctx.catalog)
    plan.new_units = units.filter(~pl.col("unit_id").is_in(ctx.units["unit_id"].implode()))
    plan.new_aliases = aliases.filter(pl.col("unit_id").is_in(plan.new_units["unit_id"].implode()))
    if plan.new_units.height:
        names = ", ".join(
            f"{r['name']} ({r['province'] or 'trung ương'})" for r in plan.new_units.iter_rows(named=True)
        )
        plan.notes = [*plan.notes, f"Thêm {plan.new_units.height} đơn vị mới: {names}"]


def _write_new_units(con, plan: ImportPlan) -> None:
    if plan.new_units.is_empty():
        return
    con.register("new_units_df", plan.new_units.to_arrow())
    con.execute("INSERT INTO units SELECT * FROM new_units_df")
    con.unregister("new_units_df")
    if plan.new_aliases.height:
        from chiso.names import fold

        rows = plan.new_aliases.with_columns(
            alias_key=pl.col("alias").map_elements(fold, return_dtype=pl.String)
        )
        con.register("new_aliases_df", rows.select("unit_id", "alias", "alias_key").to_arrow())
        con.execute("INSERT INTO unit_aliases SELECT * FROM new_aliases_df")
        con.unregister("new_aliases_df")


def _write(con, plan: ImportPlan, catalog: Catalog, import_id: int, who: str, backup: str) -> None:
    _write_new_units(con, plan)
    rows = _source_ids(con, plan.rows)
    rows = rows.with_columns(
        file=pl.lit(plan.file), line=pl.col("_line").cast(pl.Int32), year=pl.col("year").cast(pl.Int32)
    )
    keys = rows.select(KEY)
    con.register("import_keys", keys.to_arrow())
    match = (
        "t.province = k.province AND t.unit_id = k.unit_id AND t.index_code = k.index_code "
        "AND t.component IS NOT DISTINCT FROM k.component AND t.year = k.year"
    )
    con.execute(f"DELETE FROM scores t USING import_keys k WHERE {match}")
    con.execute(f"DELETE FROM score_sources t USING import_keys k WHERE {match}")
    # The source row number in the file goes to scores.line: the steward finds the value there.
    origin_rows = rows.with_columns(line=pl.col("source_row").cast(pl.Int32))
    con.register("import_rows", with_printed(origin_rows).select(SCORE_TABLE_COLUMNS).to_arrow())
    con.execute("INSERT INTO scores SELECT * FROM import_rows")
    # Only the touched series are recomputed: a province's yearly table stays fast at national size.
    con.execute(
        "CREATE TEMP TABLE affected AS SELECT DISTINCT k.index_code, u.peer_group, "
        f"{_scope_sql(catalog, 'k.province', 'u.peer_group')} AS scope "
        "FROM import_keys k JOIN units u USING (unit_id)"
    )
    ranked = _ranked_inputs(con, catalog, only_affected=True)
    con.execute(
        "DELETE FROM ranked r USING affected a WHERE r.index_code = a.index_code "
        "AND r.peer_group = a.peer_group AND r.scope_province = a.scope"
    )
    con.register("ranked_df", ranked.to_arrow())
    con.execute("INSERT INTO ranked SELECT * FROM ranked_df")
    con.execute("DROP TABLE affected")
    con.execute("DROP TABLE IF EXISTS ranked_tables")
    con.execute(RANKED_TABLES_SQL)
    version = dict(con.sql("SELECT key, value FROM meta").fetchall()).get("version", "")
    base = version.split("+import", 1)[0]
    con.execute("DELETE FROM meta WHERE key IN ('version', 'imported_at')")
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ["version", f"{base}+import{import_id}"],
            ["imported_at", datetime.now(UTC).isoformat(timespec="seconds")],
        ],
    )
    added, changed, unchanged = plan.counts
    con.execute(
        "INSERT INTO imports VALUES (?, ?, 'import', ?, ?, ?)",
        [import_id, _now(), plan.file, added + changed, f"sha256 {plan.sha256}; {who}"],
    )
    con.execute(
        "INSERT INTO import_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
        [
            import_id,
            _now(),
            who,
            plan.file,
            plan.sha256,
            plan.size,
            plan.sheet,
            plan.layout,
            "; ".join([_options_text(plan.options), *plan.corrections]),
            added,
            changed,
            unchanged,
            backup,
            plan.long_csv,
        ],
    )


def _check(path: Path, expected_scores: int) -> None:
    """Reopen the written copy read-only: the counts must be what the plan said."""
    with duckdb.connect(str(path), read_only=True) as con:
        n_scores = con.sql("SELECT count(*) FROM scores").fetchall()[0][0]
        n_ranked = con.sql("SELECT count(*) FROM ranked").fetchall()[0][0]
    if n_scores != expected_scores or n_ranked != n_scores:
        raise ChisoError(
            f"Kiểm tra sau khi ghi thất bại ({n_scores} điểm, {n_ranked} dòng xếp hạng, "
            f"cần {expected_scores}); cơ sở dữ liệu không đổi."
        )


def _next_import_id(db: Path) -> int:
    with reading(db) as con:
        ids = [r[0] for r in con.sql("SELECT max(import_id) FROM imports").fetchall()]
        if _has_audit(con):
            ids += [r[0] for r in con.sql("SELECT max(import_id) FROM import_audit").fetchall()]
    return max([i for i in ids if i is not None] + [0]) + 1


def _has_audit(con) -> bool:
    found = con.sql(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_name = 'import_audit'"
    )
    return found.fetchall()[0][0] > 0


def backup_path(db: Path, import_id: int) -> Path:
    return db.with_name(f"{db.name}.before-{import_id}")


def _keep_previous(db: Path, backup: Path) -> None:
    """The file as it is now becomes the backup: a hard link (no copy) where possible."""
    staging = backup.with_name(backup.name + ".tmp")
    staging.unlink(missing_ok=True)
    try:
        os.link(db, staging)
    except OSError:
        shutil.copyfile(db, staging)
    os.replace(staging, backup)


def swap_write(db: Path, stamp: tuple, write, *, who: str, wait: float = 0.0, check=None) -> tuple[int, Path]:
    """The one write path of every import: under the lock, check the file is the one previewed,
    copy it, run ``write(con, import_id, backup_name)`` in one transaction on the copy, optionally
    ``check(copy)``, keep the current file as the backup, and swap the copy in. On any failure
    (or a killed process) the database is exactly as before. Returns (import id, backup path)."""
    db = Path(db)
    with write_lock(db, wait=wait, who=who):
        if db_stamp(db) != stamp:
            raise ChisoError("Cơ sở dữ liệu đã thay đổi sau khi xem trước; hãy xem trước lại rồi xác nhận.")
        import_id = _next_import_id(db)
        backup = backup_path(db, import_id)
        tmp = _temp_path(db)
        tmp.unlink(missing_ok=True)
        try:
            shutil.copyfile(db, tmp)
            _crash_hook("after_copy")
            with duckdb.connect(str(tmp)) as con:
                con.execute("BEGIN TRANSACTION")
                con.execute(AUDIT_SCHEMA)
                write(con, import_id, backup.name)
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            if check is not None:
                check(tmp)
            _crash_hook("before_swap")
            _keep_previous(db, backup)
            os.replace(tmp, db)
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
        _prune_backups(db)
    return import_id, backup


def apply_import(db: Path, plan: ImportPlan, *, who: str, wait: float = 0.0, config: Path | None = None):
    """Write a validated plan in one swap; raise ChisoError when the plan has errors, the database
    changed since the preview, or another writer holds the lock."""
    db = Path(db)
    if not plan.ok:
        raise ChisoError(f"Tệp {plan.file} có {len(plan.errors)} lỗi; không ghi gì.")
    added, changed, unchanged = plan.counts
    if not added and not changed:
        return ApplyResult(None, 0, 0, unchanged, None)
    catalog = load_catalog(config or paths.CONFIG_PATH)
    with reading(db) as con:
        before = con.sql("SELECT count(*) FROM scores").fetchall()[0][0]
    import_id, backup = swap_write(
        db,
        plan.db_stamp,
        lambda con, import_id, backup_name: _write(con, plan, catalog, import_id, who, backup_name),
        who=who,
        wait=wait,
        check=lambda copy: _check(copy, before + added),
    )
    return ApplyResult(import_id, added, changed, unchanged, backup)


def _prune_backups(db: Path) -> None:
    """Keep the files of the last KEEP_BACKUPS imports that can still be undone."""
    rows = audit(db)
    live = rows.filter(pl.col("undone_at").is_null()).sort("import_id", descending=True)
    for name in live["backup"].to_list()[KEEP_BACKUPS:]:
        if name:
            (db.parent / name).unlink(missing_ok=True)


# ---------- audit and undo ----------


def audit(db: Path, *, with_rows: bool = False) -> pl.DataFrame:
    """Every import recorded in the database, newest first (empty when none)."""
    columns = AUDIT_COLUMNS + (["long_csv"] if with_rows else [])
    with reading(Path(db)) as con:
        if not _has_audit(con):
            return pl.DataFrame(schema={c: AUDIT_TYPES.get(c, pl.String) for c in columns})
        return con.sql(f"SELECT {', '.join(columns)} FROM import_audit ORDER BY import_id DESC").pl()


def undo_last(db: Path, *, who: str, wait: float = 0.0) -> UndoResult:
    """Restore the database as it was before the last import that is not undone yet."""
    db = Path(db)
    with write_lock(db, wait=wait, who=who):
        history = audit(db, with_rows=True)
        live = history.filter(pl.col("undone_at").is_null())
        if live.is_empty():
            raise ChisoError("Chưa có lần nhập nào để hoàn tác.")
        last = live.row(0, named=True)
        backup = db.parent / (last["backup"] or "")
        if not last["backup"] or not backup.exists():
            raise ChisoError(
                f"Không còn bản trước lần nhập #{last['import_id']} ({backup.name}); không thể hoàn tác."
            )
        history = history.with_columns(
            undone_at=pl.when(pl.col("import_id") == last["import_id"])
            .then(pl.lit(_now()))
            .otherwise(pl.col("undone_at")),
            undone_by=pl.when(pl.col("import_id") == last["import_id"])
            .then(pl.lit(who))
            .otherwise(pl.col("undone_by")),
        )
        tmp = _temp_path(db)
        tmp.unlink(missing_ok=True)
        try:
            shutil.copyfile(backup, tmp)
            with duckdb.connect(str(tmp)) as con:
                con.execute("BEGIN TRANSACTION")
                con.execute(AUDIT_SCHEMA)
                con.execute("DELETE FROM import_audit")
                con.register("history", history.to_arrow())
                con.execute(
                    f"INSERT INTO import_audit SELECT {', '.join(AUDIT_COLUMNS)}, long_csv FROM history"
                )
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            _crash_hook("before_swap")
            os.replace(tmp, db)
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
        backup.unlink(missing_ok=True)
    return UndoResult(last["import_id"], last["file"], last["rows_added"], last["rows_changed"])
