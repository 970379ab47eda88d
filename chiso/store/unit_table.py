"""``ranked_units``: the ``ranked`` rows again, stored in unit order, so that one unit's rows
(the profile page, a briefing pack) are read from the few blocks that hold them instead of a
scan of every row. Derived from ``ranked`` only; written by the build and kept by imports."""

from __future__ import annotations

import duckdb
import polars as pl

from chiso.store.queries import _frame

TABLE = "ranked_units"
ORDER = "unit_id, index_code, year, component NULLS FIRST"


def write(con) -> None:
    """(Re)create the table from ``ranked`` (a build, or a database built before it existed)."""
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM ranked ORDER BY {ORDER}")


def refresh(con, affected: str) -> None:
    """After an import replaced the ``ranked`` series listed in the table ``affected`` (index_code,
    peer_group, scope): the same series here. The new rows go at the end, so those units read a
    second block; everything else keeps its place."""
    if not exists(con):
        write(con)
        return
    match = "r.index_code = a.index_code AND r.peer_group = a.peer_group AND r.scope_province = a.scope"
    con.execute(f"DELETE FROM {TABLE} r USING {affected} a WHERE {match}")
    con.execute(
        f"INSERT INTO {TABLE} BY NAME SELECT r.* FROM ranked r WHERE EXISTS "
        f"(SELECT 1 FROM {affected} a WHERE {match}) ORDER BY {ORDER}"
    )


def exists(con) -> bool:
    try:
        with con.cursor() as cur:
            cur.sql(f"SELECT 1 FROM {TABLE} LIMIT 0").fetchall()
        return True
    except duckdb.CatalogException:
        return False


def read(con, sql: str, **params) -> pl.DataFrame:
    """``sql``, whose ``{}`` names this table, over these rows; over ``ranked`` (the same rows in
    another order) in a database built before this table existed."""
    try:
        return _frame(con, sql.format(TABLE), **params)
    except duckdb.CatalogException:
        return _frame(con, sql.format("ranked"), **params)


def read_units(con, unit_ids: list[str], tail: str = "", **params) -> pl.DataFrame:
    """Every row of several units, ``tail`` (SQL after the units' filter) applied: read between the
    first and last unit asked for, so that only the blocks holding them are scanned, not every row
    (:func:`read`: over ``ranked`` in an older file)."""
    if not unit_ids:
        return _frame(con, "SELECT * FROM ranked WHERE false")
    ids = sorted(set(unit_ids))
    sql = "SELECT * FROM {} WHERE unit_id BETWEEN $first AND $last AND unit_id IN (SELECT unnest($units)) "
    return read(con, sql + tail, units=ids, first=ids[0], last=ids[-1], **params)
