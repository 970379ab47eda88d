"""A CSV in the project's long format, read a column at a time.

The same rows, origins and problems as ``annex.read_grid`` gives for a long CSV, but the cells are
cleaned, checked and filled from the options by Polars expressions over whole columns rather than
one cell at a time, so a file at the 200.000-row limit is read in a second or two. Any other CSV
(a wide annex) is read by ``annex.read_grid`` from the same records.
"""

from __future__ import annotations

import polars as pl

from chiso.columns import LONG_COLUMNS
from chiso.config import Catalog
from chiso.ingest.annex import (
    HEADER_SCAN_ROWS,
    Annex,
    ColumnRole,
    Grid,
    ImportOptions,
    Origin,
    _conflict,
    _find_header,
    _is_long_header,
    _option_label,
    check_long_header,
    column_letter,
    long_header,
    records_grid,
)
from chiso.ingest.problems import AnnexError, Issue, issue
from chiso.ingest.unit_screen import fold_expr
from chiso.names import fold

MAX_SHAPE_ISSUES = 50  # as annex.check_csv_shape


def clean_expr(expr: pl.Expr) -> pl.Expr:
    """``annex._clean`` as an expression: NFC, every run of white space one space, trimmed."""
    return (
        expr.fill_null("").str.normalize("NFC").str.replace_all(r"[\s\x1c-\x1f]+", " ").str.strip_chars(" ")
    )


def read_long_csv(
    records: list[tuple[int, list[str]]], file: str, catalog: Catalog, options: ImportOptions
) -> Annex | None:
    """The long rows of the records, or None when the header found is not the long format's (or
    none is found: ``annex.read_grid`` then says why in its own words)."""
    head = records_grid(records[:HEADER_SCAN_ROWS])
    header = _find_header(head, catalog) if any(c.text for _, cells in head.rows for c in cells) else None
    if header is None or not _is_long_header(head.rows[header][1]):
        return None
    width = max(len(values) for _, values in records)
    grid = Grid(None, head.rows[: header + 1], [column_letter(j) for j in range(width)])
    head_cells = grid.rows[header][1]
    filled = max((j + 1 for j, c in enumerate(head_cells) if c.text), default=0)
    body = _body(records[header + 1 :], filled)
    _check_shape(body, filled, file)
    check_long_header(grid, header, file)
    return _long_rows(grid, header, body.filter(~pl.col("_empty")), file, options)


def _body(records: list[tuple[int, list[str]]], width: int) -> pl.DataFrame:
    """Line, field count, the first ``width`` fields cleaned, and whether a field past them or the
    whole record holds text."""
    columns = {
        f"c{j}": pl.Series([values[j] if j < len(values) else None for _, values in records], dtype=pl.String)
        for j in range(width)
    }
    frame = pl.DataFrame(
        {
            "_line": [start for start, _ in records],
            "_n": [len(values) for _, values in records],
            "_extra": [len(v) > width and any(x.strip() for x in v[width:]) for _, v in records],
            **columns,
        },
        schema_overrides={"_line": pl.Int64, "_n": pl.Int64, "_extra": pl.Boolean},
    )
    frame = frame.with_columns(clean_expr(pl.col(name)) for name in columns)
    blank = pl.all_horizontal([pl.col(name) == "" for name in columns] or [pl.lit(True)])
    return frame.with_columns((blank & ~pl.col("_extra")).alias("_empty"))


def _check_shape(body: pl.DataFrame, width: int, file: str) -> None:
    """``annex.check_csv_shape`` over the columns: a record with more fields holding text, or fewer
    fields, than the header is refused naming its line (the first 50 such lines)."""
    wrong = body.filter(~pl.col("_empty") & (pl.col("_extra") | (pl.col("_n") < width)))
    issues = []
    for line, n, extra in wrong.head(MAX_SHAPE_ISSUES).select("_line", "_n", "_extra").iter_rows():
        code, column = ("csv.too_many_fields", width) if extra else ("csv.too_few_fields", n)
        issues.append(issue(file, code, row=line, column=column_letter(column), n=n, width=width))
    if issues:
        raise AnnexError(issues)


def _long_rows(grid: Grid, header: int, body: pl.DataFrame, file: str, options: ImportOptions) -> Annex:
    """``annex._read_long`` over the columns: each long column from the file or the option."""
    position, labels, defaults = long_header(grid, header, options)
    if body.is_empty():
        raise AnnexError([issue(file, "table.no_data", sheet=grid.sheet, row=grid.rows[header][0])])
    columns: dict[str, str] = {}
    values = []
    for name in LONG_COLUMNS:
        j, option = position.get(name), defaults.get(name, "")
        if j is not None:
            columns[name] = labels[name]
        elif option:
            columns[name] = _option_label(name)
        cell = pl.col(f"c{j}") if j is not None else pl.lit("")
        values.append(
            (pl.when(cell == "").then(pl.lit(option)).otherwise(cell) if option else cell).alias(name)
        )
    frame = body.select("_line", *values)
    issues = _conflicts(frame, grid, labels, defaults, file)
    provided = frozenset(c for c in ("score", "rank", "rank_of", "flag") if c in position)
    origins = [Origin(grid.sheet, line, columns, provided=provided) for line in frame["_line"]]
    rows = frame.select(LONG_COLUMNS).to_dicts()
    roles = [ColumnRole(labels[n], "long") for n in position if n in labels and n in LONG_COLUMNS]
    return Annex(file, "long", grid.sheet, rows, origins, issues, [], roles)


def _conflicts(frame: pl.DataFrame, grid: Grid, labels: dict, defaults: dict, file: str) -> list[Issue]:
    """Rows whose index, year or province differs from the option given (accents and case aside)."""
    checks = []
    for name in ("index", "year", "province"):
        option = defaults[name]
        if not option:
            continue
        differs = pl.col(name) != option
        if name != "year":
            differs &= fold_expr(pl.col(name)) != fold(option)
        checks.append(differs.alias(f"_conflict_{name}"))
    if not checks:
        return []
    flagged = frame.with_columns(checks).filter(pl.any_horizontal(pl.col("^_conflict_.*$")))
    issues = []
    for row in flagged.iter_rows(named=True):
        for name in ("index", "year", "province"):
            if row.get(f"_conflict_{name}"):
                label = labels.get(name)
                issues.append(
                    _conflict(file, grid.sheet, row["_line"], label, name, row[name], defaults[name])
                )
    return issues
