"""``ranked_units`` (one unit's rows in unit order, read by the profile page) holds exactly the
rows of ``ranked`` after a build and after an import; a unit's rows read from it are the rows of
``ranked``; a database built before the table existed still reads."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from chiso.ingest.annex import ImportOptions
from chiso.store import analysis_queries, imports, queries, unit_table
from tests.conftest import built_fixture

ANNEX = Path(__file__).resolve().parents[1] / "fixtures" / "good" / "annex_par_2024.xlsx"


def _differences(db: Path) -> tuple[int, int]:
    """Rows of ranked missing from ranked_units, and the other way round (as multisets)."""
    with duckdb.connect(str(db), read_only=True) as con:
        missing = con.sql(f"SELECT count(*) FROM (FROM ranked EXCEPT ALL FROM {unit_table.TABLE})").fetchall()
        extra = con.sql(f"SELECT count(*) FROM (FROM {unit_table.TABLE} EXCEPT ALL FROM ranked)").fetchall()
    return missing[0][0], extra[0][0]


def _unit_rows_from_ranked(con, unit_id: str) -> pl.DataFrame:
    with con.cursor() as cur:
        return cur.sql(
            "SELECT * FROM ranked WHERE unit_id = $u ORDER BY index_code, year, component NULLS FIRST",
            params={"u": unit_id},
        ).pl()


def test_unit_table_holds_the_ranked_rows_after_build_and_import(tmp_path):
    db = built_fixture(tmp_path)
    assert _differences(db) == (0, 0)
    with queries.connect(db) as con:
        units = sorted(con.sql("SELECT DISTINCT unit_id FROM ranked").pl()["unit_id"].to_list())
        for unit_id in units:
            assert_frame_equal(
                analysis_queries.unit_rows(con, unit_id=unit_id), _unit_rows_from_ranked(con, unit_id)
            )
        before = con.sql("SELECT count(*) FROM ranked").fetchall()[0][0]
    plan = imports.plan_import(db, ANNEX, ImportOptions(index="PAR", year=2024, province="Tỉnh Mẫu"))
    imports.apply_import(db, plan, who="test")
    with queries.connect(db) as con:
        assert con.sql("SELECT count(*) FROM ranked").fetchall()[0][0] > before  # the import added rows
        changed = con.sql("SELECT DISTINCT unit_id FROM ranked WHERE index_code = 'PAR' AND year = 2024").pl()
        for unit_id in changed["unit_id"].to_list():
            assert_frame_equal(
                analysis_queries.unit_rows(con, unit_id=unit_id), _unit_rows_from_ranked(con, unit_id)
            )
    assert _differences(db) == (0, 0)


def test_a_database_without_the_unit_table_still_reads_a_unit(tmp_path):
    db = built_fixture(tmp_path)
    with queries.connect(db) as con:
        unit_id = con.sql("SELECT unit_id FROM ranked LIMIT 1").fetchall()[0][0]
        expected = analysis_queries.unit_rows(con, unit_id=unit_id)
    with duckdb.connect(str(db)) as con:
        con.execute(f"DROP TABLE {unit_table.TABLE}")
    with queries.connect(db) as con:
        assert_frame_equal(analysis_queries.unit_rows(con, unit_id=unit_id), expected)
        assert not expected.is_empty()


def _units_rows_from_ranked(con, unit_ids: list[str]) -> pl.DataFrame:
    with con.cursor() as cur:
        return cur.sql(
            "SELECT * FROM ranked WHERE list_contains($units, unit_id) AND edition_default"
            " ORDER BY index_code, year, component NULLS FIRST, unit_id",
            params={"units": unit_ids},
        ).pl()


def test_several_units_rows_for_compare_are_the_ranked_rows_also_without_the_unit_table(tmp_path):
    """The compare page reads several units between the first and last asked for in
    ``ranked_units``: the same rows, in the same order, as a scan of ``ranked``, for units far
    apart in the order, and from an old file without that table."""
    db = built_fixture(tmp_path)
    with queries.connect(db) as con:
        ids = sorted(con.sql("SELECT DISTINCT unit_id FROM ranked").pl()["unit_id"].to_list())
        picks = [ids[-1], ids[0], ids[len(ids) // 2]]
        expected = _units_rows_from_ranked(con, picks)
        assert set(expected["unit_id"]) == set(picks)
        assert_frame_equal(analysis_queries.units_rows(con, unit_ids=picks), expected)
    with duckdb.connect(str(db)) as con:
        con.execute(f"DROP TABLE {unit_table.TABLE}")
    with queries.connect(db) as con:
        assert_frame_equal(analysis_queries.units_rows(con, unit_ids=picks), expected)
        assert analysis_queries.units_rows(con, unit_ids=[]).is_empty()
