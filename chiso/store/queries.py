"""Named read queries: bound parameters in, Polars frames out. The app opens the file read-only."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import duckdb
import polars as pl

from chiso.errors import ChisoError
from chiso.metrics import ranks
from chiso.store.schema import ADDED_COLUMNS


def connect(path: Path, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    if read_only and not Path(path).exists():
        raise ChisoError.coded("store.no_db_run", db=path)
    con = duckdb.connect(str(path), read_only=read_only)
    if read_only:
        _READ_ONLY.add(con)
        # A query's working memory (a grouping of the count rows: tens of MB) is freed into DuckDB's
        # allocator, which kept it; background threads hand it back to the system within seconds.
        con.execute("SET allocator_background_threads = true")
        # One thread per query: the app's reads are small (a table, a unit, a province's counts)
        # and several readers' pages run at once. A second DuckDB worker took about as long in wall
        # time and cost ≈ 5 ms of CPU per page run under the load test (benchmarks/load.py).
        con.execute("SET threads = 1")
    return con


def release_cache(con: duckdb.DuckDBPyConnection) -> None:
    """Hand back the blocks of the file DuckDB keeps in memory after reading them (its buffer pool,
    ≈ 60 MB once many readers have touched a national-scale file): the memory limit is lowered to
    1 MB, which evicts them, and reset to DuckDB's default (the app never sets another; set back
    from its printed value, '18.8 GiB', it came back as 18.7). Reads after it fetch their blocks
    again (from the system's file cache). Only while no read runs on the connection
    (``chiso.app.collect``)."""
    with con.cursor() as cur:
        try:
            cur.execute("SET memory_limit = '1MB'")
        finally:
            cur.execute("RESET memory_limit")


def _frame(con: duckdb.DuckDBPyConnection, sql: str, **params) -> pl.DataFrame:
    # One cursor per call: a connection is shared between Streamlit sessions and is not thread-safe.
    # Polars reads the result through Arrow's C stream: ≈ 1 ms less a read of a table's 48 columns
    # than ``.pl()`` (which makes a pyarrow table first), the same frame (measured, interleaved).
    with con.cursor() as cur:
        return pl.DataFrame(cur.sql(sql, params=params) if params else cur.sql(sql))


def has_table(con, name: str) -> bool:
    """Whether the database holds the table ``name`` (a file built before it existed does not).
    Looked up in ``duckdb_tables()`` (≈ 1 ms; the information schema took ≈ 2,5 ms), not by
    catching the error: where a table is missing, DuckDB looks for a Python object of that name to
    scan (``lineage`` is a module in the lineage reader)."""
    return (
        _frame(con, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = $name", name=name).item(
            0, "n"
        )
        > 0
    )


def ordered(frame: pl.DataFrame, keys) -> pl.DataFrame:
    """``frame`` sorted on ``keys``: (column, descending, nulls_last) triples, as an SQL ORDER BY
    would (strings by bytes, like DuckDB's default collation)."""
    return frame.sort(
        [k[0] for k in keys],
        descending=[k[1] for k in keys],
        nulls_last=[k[2] for k in keys],
        maintain_order=True,
    )


def meta(con) -> dict[str, str]:
    return dict(_frame(con, "SELECT key, value FROM meta").rows())


def units(con) -> pl.DataFrame:
    return _frame(con, "SELECT * FROM units ORDER BY province, name")


def aliases(con) -> pl.DataFrame:
    return _frame(con, "SELECT unit_id, alias FROM unit_aliases")


def tables(con) -> pl.DataFrame:
    """Every ranked table of index totals, for the selectors: one row per table with its size
    (a year of several editions by its default one: :func:`editions` lists the others)."""
    return _frame(
        con,
        """
        SELECT * FROM ranked_tables WHERE edition_default
        ORDER BY index_code, peer_group, scope_province, year
        """,
    )


def editions(con, *, index: str, year: int, peer_group: str, scope_province: str) -> pl.DataFrame:
    """The stored editions of one table of index totals (one row, edition '', for most)."""
    return _frame(
        con,
        """
        SELECT edition, edition_default, n_rows, n_scored, complete FROM ranked_tables
        WHERE index_code = $index AND year = $year AND peer_group = $peer_group AND scope_province = $scope
        ORDER BY NOT edition_default, edition
        """,
        index=index,
        year=year,
        peer_group=peer_group,
        scope=scope_province,
    )


EDITION_SQL = "(edition = $edition OR ($edition IS NULL AND edition_default))"
"""The rows of one edition; the default one when ``$edition`` is NULL."""


def ranking(
    con,
    *,
    index: str,
    year: int,
    peer_group: str,
    scope_province: str,
    component: str | None = None,
    edition: str | None = None,
) -> pl.DataFrame:
    """One ranked table (the total when component is None), best first, unranked rows last;
    ``edition`` None: the year's default edition. ``prev_flag``: the doubt flag of the unit's row
    the year before, which its change is computed from (PCI 2022 from the 2021 table whose year
    the collector inferred)."""
    rows = _frame(
        con,
        f"""
        SELECT * FROM ranked
        WHERE index_code = $index AND year = $year AND peer_group = $peer_group
          AND scope_province = $scope AND component IS NOT DISTINCT FROM $component AND {EDITION_SQL}
        """,
        index=index,
        year=year,
        peer_group=peer_group,
        scope=scope_province,
        component=component,
        edition=edition,
    )
    flags = flagged(con)  # none in a demo: nothing to look up
    before = (
        flags
        if flags.is_empty()
        else flags.filter(
            (pl.col("index_code") == index)
            & (pl.col("year") == year - 1)
            & (pl.col("peer_group") == peer_group)
            & (pl.col("scope_province") == scope_province)
            & (pl.col("component").is_null() if component is None else pl.col("component") == component)
        )
    )
    rows = ranks.with_prev_flag(rows, before.select("unit_id", prev_flag="flag"), ["unit_id"])
    missing = [c for c in ADDED_COLUMNS if c not in rows.columns]  # a file built before them
    rows = rows.with_columns(pl.lit(None, pl.String).alias(c) for c in missing) if missing else rows
    return ordered(rows, (("rank", False, True), ("score", True, True), ("name", False, True)))


_READ_ONLY: weakref.WeakSet = weakref.WeakSet()  # connections opened read-only by connect()
_ONCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> {name: frame}
_ONCE_LOCK = threading.Lock()


def _once(con, name: str, sql: str) -> pl.DataFrame:
    """``sql``'s few rows, read once per read-only connection and filtered in Polars by the
    callers (≈ 0,1 ms against ≈ 2–3 ms for a query, measured at national scale). A connection is
    opened again when its file is replaced (an import, a build); one that may be written is read
    every time."""
    if con not in _READ_ONLY:
        return _frame(con, sql)
    with _ONCE_LOCK:
        found = _ONCE.get(con, {}).get(name)
    if found is None:
        found = _frame(con, sql)
        with _ONCE_LOCK:
            _ONCE.setdefault(con, {})[name] = found
    return found


def flagged(con) -> pl.DataFrame:
    """The rows of the default editions that carry a doubt flag (a few hundred in the shipped
    data, none in a demo): a ranking looks up the year before's flags here instead of joining
    ``ranked`` again (≈ 2,5–3,5 ms a read at national scale, measured)."""
    return _once(
        con,
        "flagged",
        """
        SELECT index_code, year, peer_group, scope_province, component, unit_id, flag
        FROM ranked WHERE flag IS NOT NULL AND edition_default
        """,
    )


def published_stats(con, *, index: str, year: int, peer_group: str, province: str) -> pl.DataFrame:
    """Published averages/medians for a table: its block, or the province as a whole ('all').
    Every published figure of the file is read once (tens of rows, in the order stored) and
    filtered here; the block's own figures come before the province's."""
    every = _once(
        con,
        "published_stats",
        """
        SELECT s.*, src.title AS source_title, src.url AS source_url
        FROM published_stats s LEFT JOIN sources src USING (source_id)
        ORDER BY s.rowid
        """,
    )
    if every.is_empty():  # a file without published figures (a demo)
        return every
    return every.filter(
        (pl.col("index_code") == index)
        & (pl.col("year") == year)
        & (pl.col("province") == province)
        & pl.col("peer_group").is_in([peer_group, "all"])
        & pl.col("component").is_null()
    ).sort(pl.col("peer_group") == "all", maintain_order=True)  # the block's own figures first


def series(
    con, *, index: str, peer_group: str, scope_province: str, component: str | None = None
) -> pl.DataFrame:
    """Every year of one index for a peer group: the trends page filters units from it. One
    edition per year, the default one (``other_editions`` reads the others, shown beside)."""
    return _frame(
        con,
        """
        SELECT unit_id, name, short_name, year, edition, score, max_score, pct_of_max, rank, rank_of,
               rank_basis, peer_mean, n_scored, flag, source_title, source_url
        FROM ranked
        WHERE index_code = $index AND peer_group = $peer_group AND scope_province = $scope
          AND component IS NOT DISTINCT FROM $component AND edition_default
        ORDER BY unit_id, year
        """,
        index=index,
        peer_group=peer_group,
        scope=scope_province,
        component=component,
    )


def other_editions(con, *, unit_ids: list[str], index: str | None = None) -> pl.DataFrame:
    """The index totals of some units in the editions not shown by default (DTI 2024 of 63
    provinces beside the 34), of one index or (None) all: shown beside a series, never joined to it."""
    return _frame(
        con,
        """
        SELECT unit_id, name, province, peer_group, index_code, year, edition, score, max_score,
               pct_of_max, rank, rank_of, rank_basis, percentile
        FROM ranked
        WHERE ($index IS NULL OR index_code = $index) AND list_contains($units, unit_id)
          AND component IS NULL AND NOT edition_default
        ORDER BY index_code, year, edition, name
        """,
        index=index,
        units=list(unit_ids),
    )


def scored_units(con) -> pl.DataFrame:
    """Units with at least one stored score or rank, with their peer group and province."""
    return _frame(
        con,
        """
        SELECT DISTINCT unit_id, name, province, peer_group, scope_province
        FROM ranked ORDER BY province, name
        """,
    )
