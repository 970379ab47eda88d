"""The ``lineage`` table: predecessor -> successor with date and kind, written by ``chiso build``
from the national registry (:mod:`chiso.lineage`) and ``data/units.csv``; and its reads.

``predecessor_id``/``successor_id`` name the stored unit on each side where the database holds
one (see :mod:`chiso.metrics.succession`), so a page can show a former unit's results beside
its successor's.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chiso import lineage
from chiso.errors import ChisoError
from chiso.i18n import DEFAULT_LANG, t
from chiso.metrics import succession
from chiso.store import unit_table
from chiso.store.queries import _frame, has_table

LINEAGE_SCHEMA = """
CREATE TABLE IF NOT EXISTS lineage (
    level VARCHAR NOT NULL,            -- province | district | commune (registry) | unit (units.csv)
    predecessor VARCHAR NOT NULL,
    predecessor_type VARCHAR,
    predecessor_code VARCHAR,
    predecessor_district VARCHAR,
    predecessor_province VARCHAR,
    predecessor_id VARCHAR,            -- the stored unit, when the database has it
    successor VARCHAR NOT NULL,
    successor_type VARCHAR,
    successor_code VARCHAR,
    successor_province VARCHAR,
    successor_id VARCHAR,
    date DATE,                         -- the successor took over (units.csv: 1 January of its year)
    kind VARCHAR NOT NULL,             -- whole | part (split between several successors)
    source VARCHAR
);
"""

UNITS_SOURCE = "data/units.csv"


def edges(units: pl.DataFrame) -> pl.DataFrame:
    """Every edge to store, with the stored unit on each side (``units``: the build's units)."""
    renamed = {now: former for former, _kind, now, _when in lineage.RENAMED}
    return succession.all_edges(lineage.lineage(), units, renamed, UNITS_SOURCE)


LINEAGE_FILE_COLUMNS = ["province", "predecessor", "successor", "date", "kind", "source_title"]


def file_edges(path, units: pl.DataFrame) -> pl.DataFrame:
    """``data/lineage.csv`` (optional): edges no registry holds, as their sources give them —
    departments merged in 2025, a demo province's communes. Columns :data:`LINEAGE_FILE_COLUMNS`;
    ``predecessor``/``successor`` are official or short names of units in the units file, ``date``
    is ``YYYY-MM-DD``, ``kind`` is ``whole`` or ``part``. A bad file stops the build (nothing is
    written) with one coded message naming the file, the row and the column."""
    path = Path(path)
    file = f"{path.parent.name}/{path.name}"
    frame = _read_lineage_file(path, file)
    names = pl.concat(
        [
            units.select("province", "name", "unit_id", "unit_type", "code"),
            units.select("province", pl.col("short_name").alias("name"), "unit_id", "unit_type", "code"),
        ]
    ).unique(["province", "name"], keep="first")
    for side in ("predecessor", "successor"):
        found = names.rename({c: f"{side}_{c}" for c in ("name", "unit_id", "unit_type", "code")})
        frame = frame.join(
            found, left_on=["province", side], right_on=["province", f"{side}_name"], how="left"
        )
    frame = frame.sort("_line").with_columns(_date=pl.col("date").str.to_date("%Y-%m-%d", strict=False))
    _refuse_bad_rows(frame, file)
    return frame.select(
        level=pl.lit("unit"),
        predecessor=pl.col("predecessor_unit_id").replace_strict(*_official(units), default=None),
        predecessor_type="predecessor_unit_type",
        predecessor_code="predecessor_code",
        predecessor_district=pl.lit(""),
        predecessor_province="province",
        predecessor_id="predecessor_unit_id",
        successor=pl.col("successor_unit_id").replace_strict(*_official(units), default=None),
        successor_type="successor_unit_type",
        successor_code="successor_code",
        successor_province="province",
        successor_id="successor_unit_id",
        date="_date",
        kind="kind",
        source=pl.when(pl.col("source_title") == "").then(pl.lit(path.name)).otherwise("source_title"),
    ).cast(LINEAGE_SCHEMA_TYPES)


def _official(units: pl.DataFrame) -> tuple[list[str], list[str]]:
    """unit_id -> official name (a row may give the short name)."""
    return units.get_column("unit_id").to_list(), units.get_column("name").to_list()


def _read_lineage_file(path: Path, file: str) -> pl.DataFrame:
    """Every column as trimmed NFC text, with its ``_line`` (the header is line 1)."""
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except Exception as exc:  # polars raises several types for a malformed or empty CSV
        raise ChisoError.coded(
            "lineage.file.unreadable", file=file, reason=str(exc).splitlines()[0] if str(exc) else ""
        ) from None
    missing = [c for c in LINEAGE_FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise ChisoError.coded("lineage.file.missing_columns", file=file, columns=", ".join(missing))
    return (
        frame.select(LINEAGE_FILE_COLUMNS)
        .with_columns(pl.all().cast(pl.String).fill_null("").str.strip_chars().str.normalize("NFC"))
        .with_row_index("_line", offset=2)
    )


def _refuse_bad_rows(frame: pl.DataFrame, file: str) -> None:
    """The first bad cell (by row, then column) as one coded error; how many more follow."""
    checks = [
        ("predecessor", "lineage.file.no_unit", pl.col("predecessor_unit_id").is_null()),
        ("successor", "lineage.file.no_unit", pl.col("successor_unit_id").is_null()),
        ("date", "lineage.file.date", pl.col("_date").is_null()),
        ("kind", "lineage.file.kind", ~pl.col("kind").is_in(["whole", "part"])),
    ]
    bad = pl.concat(
        [
            frame.filter(test).select(
                "_line", "province", _order=pl.lit(i), column=pl.lit(column), code=pl.lit(code), value=column
            )
            for i, (column, code, test) in enumerate(checks)
        ]
    ).sort("_line", "_order")
    if bad.is_empty():
        return
    first = bad.row(0, named=True)
    error = LineageFileError.coded(
        first["code"],
        file=file,
        line=first["_line"],
        column=first["column"],
        value=first["value"],
        province=first["province"],
    )
    error.more = bad.height - 1
    raise error


class LineageFileError(ChisoError):
    """A bad row of ``lineage.csv``: the first problem, and how many more the file has."""

    more = 0

    def text(self, lang: str = DEFAULT_LANG) -> str:
        more = t("lineage.file.more", lang, n=self.more) if self.more else ""
        return super().text(lang) + more

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


LINEAGE_SCHEMA_TYPES = {
    **{c: pl.String for c in succession.LINEAGE_COLUMNS},
    "date": pl.Date,
}


def write(con, units: pl.DataFrame, data_dir=None) -> int:
    """Create and fill the table in an open build connection; the number of edges. With a data
    folder holding ``lineage.csv``, its edges are added."""
    con.execute(LINEAGE_SCHEMA)
    frame = edges(units)
    extra = None if data_dir is None else Path(data_dir) / "lineage.csv"
    if extra is not None and extra.exists():
        frame = pl.concat([frame, file_edges(extra, units)], how="vertical_relaxed")
    con.register("lineage_df", frame.to_arrow())
    con.execute("INSERT INTO lineage SELECT * FROM lineage_df")
    con.unregister("lineage_df")
    return frame.height


def _lineage_frame(con, sql: str, empty: str, **params) -> pl.DataFrame:
    """``sql`` over the ``lineage`` table; ``empty`` (its columns, no row) for a database built
    before the table existed (:func:`chiso.store.queries.has_table`)."""
    return _frame(con, sql, **params) if has_table(con, "lineage") else _frame(con, empty)


def lineage_of(con, *, unit_id: str) -> pl.DataFrame:
    """A stored unit's edges: ``role`` = ``predecessor`` (the row names one of its predecessors)
    or ``successor``; ``other``/``other_id``/``other_province``/``other_type`` the unit on the
    other side. A province's edge to itself (one that kept its name) is left out."""
    return _lineage_frame(con, _LINEAGE_OF, _EMPTY, unit=unit_id)


_COLUMNS = "role, level, other, other_type, other_district, other_province, other_id, date, kind, source"
_EMPTY = (
    "SELECT * FROM (SELECT "
    + ", ".join(f"NULL::VARCHAR AS {c}" for c in _COLUMNS.split(", "))
    + ") WHERE false"
)
_LINEAGE_OF = f"""
SELECT {_COLUMNS} FROM (
    SELECT 'predecessor' AS role, level, predecessor AS other, predecessor_type AS other_type,
           predecessor_district AS other_district, predecessor_province AS other_province,
           predecessor_id AS other_id, date, kind, source
    FROM lineage WHERE successor_id = $unit AND coalesce(predecessor_id, '') <> $unit
      AND NOT (level = 'province' AND predecessor_province = successor_province)
    UNION ALL
    SELECT 'successor', level, successor, successor_type, '', successor_province, successor_id,
           date, kind, source
    FROM lineage WHERE predecessor_id = $unit AND coalesce(successor_id, '') <> $unit
      AND NOT (level = 'province' AND predecessor_province = successor_province)
)
ORDER BY role, date, CASE level WHEN 'province' THEN 0 WHEN 'unit' THEN 1 WHEN 'district' THEN 2 ELSE 3 END,
         other_province, other
"""


def _totals(con, unit_ids: list[str], tail: str, **params) -> pl.DataFrame:
    """The stored totals (no component) of several units, ``tail`` (SQL after the WHERE) applied
    (:func:`chiso.store.unit_table.read_units`: a unit and its predecessors are mostly of one
    province, ≈ 9 ms instead of ≈ 25 ms at national scale)."""
    return unit_table.read_units(con, unit_ids, f"AND component IS NULL {tail}", **params)


def last_results(con, *, unit_ids: list[str]) -> pl.DataFrame:
    """Each unit's latest stored total per index: what the profile shows beside a predecessor or
    successor (rank and percentile as stored, under the partial-table rule)."""
    return _totals(
        con,
        unit_ids,
        """
        QUALIFY row_number() OVER (
            PARTITION BY unit_id, index_code
            ORDER BY year DESC, rank_of DESC NULLS LAST, edition_default DESC, edition
        ) = 1
        ORDER BY unit_id, index_code
        """,
    )


def predecessors(con, *, unit_ids: list[str]) -> pl.DataFrame:
    """The predecessor edges of several stored units (``unit_id``: the successor): ``other_id``,
    ``other``, ``other_province``, ``level``, ``date``, ``kind`` and ``same_unit`` (a province's
    edge to itself: its own rows before the reform are its former territory's)."""
    empty = (
        "SELECT NULL::VARCHAR AS unit_id, NULL::VARCHAR AS other_id, NULL::VARCHAR AS other, "
        "NULL::VARCHAR AS other_province, NULL::VARCHAR AS level, NULL::DATE AS date, "
        "NULL::VARCHAR AS kind, NULL::BOOLEAN AS same_unit WHERE false"
    )
    if not unit_ids:
        return _frame(con, empty)
    return _lineage_frame(
        con,
        """
        SELECT successor_id AS unit_id, predecessor_id AS other_id, predecessor AS other,
               predecessor_province AS other_province, level, date, kind,
               level = 'province' AND predecessor_province = successor_province AS same_unit
        FROM lineage
        WHERE list_contains($units, successor_id) AND level IN ('province', 'unit', 'commune')
        ORDER BY unit_id, date, other_province, other
        """,
        empty,
        units=list(unit_ids),
    )


def totals_of(con, *, unit_ids: list[str], index: str | None = None) -> pl.DataFrame:
    """Every stored total of several units, all years (one index, or all when None)."""
    return _totals(
        con,
        unit_ids,
        "AND ($index IS NULL OR index_code = $index) ORDER BY unit_id, index_code, year",
        index=index,
    )
