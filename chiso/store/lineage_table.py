"""The ``lineage`` table: predecessor -> successor with date and kind, written by ``chiso build``
from the national registry (:mod:`chiso.lineage`) and ``data/units.csv``; and its reads.

``predecessor_id``/``successor_id`` name the stored unit on each side where the database holds
one (see :mod:`chiso.metrics.succession`), so a page can show a former unit's results beside
its successor's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from chiso import lineage
from chiso.errors import ChisoError
from chiso.metrics import succession

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
    is ``YYYY-MM-DD``, ``kind`` is ``whole`` or ``part``. A bad row stops the build with a message
    naming the file, the line and the column."""
    frame = pl.read_csv(path, infer_schema_length=0).fill_null("")
    missing = [c for c in LINEAGE_FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise ChisoError(f"{path}: thiếu cột {', '.join(missing)}")
    names = pl.concat(
        [
            units.select("province", "name", "unit_id", "unit_type", "code"),
            units.select("province", pl.col("short_name").alias("name"), "unit_id", "unit_type", "code"),
        ]
    ).unique(["province", "name"], keep="first")
    rows = []
    for line, row in enumerate(frame.iter_rows(named=True), start=2):
        ends = {}
        for side in ("predecessor", "successor"):
            found = names.filter((pl.col("province") == row["province"]) & (pl.col("name") == row[side]))
            if found.is_empty():
                raise ChisoError(
                    f"{path}, dòng {line}, cột {side}: không có đơn vị '{row[side]}' ở {row['province']}"
                )
            ends[side] = found.row(0, named=True)
        if row["kind"] not in ("whole", "part"):
            raise ChisoError(f"{path}, dòng {line}, cột kind: '{row['kind']}' không phải whole hoặc part")
        try:
            when = date.fromisoformat(row["date"])
        except ValueError:
            raise ChisoError(
                f"{path}, dòng {line}, cột date: '{row['date']}' không phải ngày YYYY-MM-DD"
            ) from None
        old, new = ends["predecessor"], ends["successor"]
        rows.append(
            (
                "unit",
                old["name"],
                old["unit_type"],
                old["code"],
                "",
                row["province"],
                old["unit_id"],
                new["name"],
                new["unit_type"],
                new["code"],
                row["province"],
                new["unit_id"],
                when,
                row["kind"],
                row["source_title"] or str(path.name),
            )
        )
    return pl.DataFrame(rows, schema=LINEAGE_SCHEMA_TYPES, orient="row")


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


def _frame(con, sql: str, **params) -> pl.DataFrame:
    with con.cursor() as cur:
        return cur.sql(sql, params=params).pl() if params else cur.sql(sql).pl()


def has_lineage(con) -> bool:
    """False for a database built before the table existed."""
    found = _frame(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'lineage'")
    return bool(found.item(0, "n"))


def lineage_of(con, *, unit_id: str) -> pl.DataFrame:
    """A stored unit's edges: ``role`` = ``predecessor`` (the row names one of its predecessors)
    or ``successor``; ``other``/``other_id``/``other_province``/``other_type`` the unit on the
    other side. A province's edge to itself (one that kept its name) is left out."""
    if not has_lineage(con):
        return _frame(con, _EMPTY)
    return _frame(con, _LINEAGE_OF, unit=unit_id)


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
    """The stored totals (no component) of several units, ``tail`` (SQL after the WHERE) applied."""
    if not unit_ids:
        return _frame(con, "SELECT * FROM ranked WHERE false")
    return _frame(
        con,
        f"SELECT * FROM ranked WHERE list_contains($units, unit_id) AND component IS NULL {tail}",
        units=list(unit_ids),
        **params,
    )


def last_results(con, *, unit_ids: list[str]) -> pl.DataFrame:
    """Each unit's latest stored total per index: what the profile shows beside a predecessor or
    successor (rank and percentile as stored, under the partial-table rule)."""
    return _totals(
        con,
        unit_ids,
        """
        QUALIFY row_number() OVER (
            PARTITION BY unit_id, index_code ORDER BY year DESC, rank_of DESC NULLS LAST
        ) = 1
        ORDER BY unit_id, index_code
        """,
    )


def predecessors(con, *, unit_ids: list[str]) -> pl.DataFrame:
    """The predecessor edges of several stored units (``unit_id``: the successor): ``other_id``,
    ``other``, ``other_province``, ``level``, ``date``, ``kind`` and ``same_unit`` (a province's
    edge to itself: its own rows before the reform are its former territory's)."""
    if not unit_ids or not has_lineage(con):
        return _frame(
            con,
            "SELECT NULL::VARCHAR AS unit_id, NULL::VARCHAR AS other_id, NULL::VARCHAR AS other, "
            "NULL::VARCHAR AS other_province, NULL::VARCHAR AS level, NULL::DATE AS date, "
            "NULL::VARCHAR AS kind, NULL::BOOLEAN AS same_unit WHERE false",
        )
    return _frame(
        con,
        """
        SELECT successor_id AS unit_id, predecessor_id AS other_id, predecessor AS other,
               predecessor_province AS other_province, level, date, kind,
               level = 'province' AND predecessor_province = successor_province AS same_unit
        FROM lineage
        WHERE list_contains($units, successor_id) AND level IN ('province', 'unit', 'commune')
        ORDER BY unit_id, date, other_province, other
        """,
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
