"""DuckDB's cached blocks of the file are handed back on request, and the connection reads on."""

import duckdb

from chiso.store import queries


def _cached_mb(con) -> float:
    with con.cursor() as cur:
        return cur.sql("SELECT sum(memory_usage_bytes) / 2^20 FROM duckdb_memory()").fetchall()[0][0]


def test_released_blocks_leave_the_memory_limit_as_it_was_and_reads_give_the_same_rows(tmp_path):
    path = tmp_path / "big.duckdb"
    with duckdb.connect(str(path)) as writer:  # ≈ 30 MB of blocks once read
        writer.execute("CREATE TABLE t AS SELECT i, md5(i::VARCHAR) AS h FROM range(1000000) r(i)")
    con = queries.connect(path)
    with con.cursor() as cur:
        limit = cur.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
    read = "SELECT count(*) AS n, max(h) AS top, sum(i) AS total FROM t"
    first = queries._frame(con, read)
    before = _cached_mb(con)
    queries.release_cache(con)
    assert _cached_mb(con) <= 1 < 10 < before  # what the 1 MB limit leaves of the blocks read
    with con.cursor() as cur:
        assert cur.sql("SELECT current_setting('memory_limit')").fetchall()[0][0] == limit
    assert queries._frame(con, read).equals(first) and first.item(0, "n") == 1_000_000
    con.close()
