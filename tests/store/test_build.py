"""Building the store: validation messages name file, line and column; a failed build changes nothing."""

from pathlib import Path

import duckdb
import pytest

from chiso.cli.main import main
from chiso.ingest.readers import DataError
from chiso.store.build import build
from tests.conftest import CONFIG, SCORES, score, write_csv, write_data


def _build(tmp_path: Path, rows: list[dict]) -> Path:
    data = write_data(tmp_path / "bad", rows)
    db = tmp_path / "x.duckdb"
    build(CONFIG, data, db)
    return db


def test_fixture_builds_a_real_duckdb_file(fixture_db):
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM scores").fetchall()[0][0] == len(SCORES)
        assert con.sql("SELECT count(*) FROM units").fetchall()[0][0] == 8
        assert con.sql("SELECT value FROM meta WHERE key = 'dataset'").fetchall()[0][0] == "published"


@pytest.mark.parametrize(
    ("row", "line", "column", "text"),
    [
        (score("Sở Nội vụ", "PAR", 2024, 101), 2, "score", "vượt điểm tối đa 100"),
        (score("Sở Nội vụ", "PAR", 2024, "91,24"), 2, "score", "dấu phẩy thập phân"),
        (score("Sở Nội vụ", "PAR", 2024, "NaN"), 2, "score", "không phải là số hữu hạn"),
        (score("Sở Nội vụ", "PAR", "năm 2024", 90), 2, "year", "phải là số nguyên"),
        (score("Sở Nội vụ", "XYZ", 2024, 90), 2, "index", "không có trong cấu hình"),
        (score("Đầm Sem", "PAR", 2024, 90), 2, "unit", "Huyện Đầm Sen"),
        (score("Sở Nội vụ", "PAR", 2024, 9, component="khong_co"), 2, "component", "không được khai báo"),
        (
            score("Sở Nội vụ", "PAR", 2024, 9.9, component="chi_dao_dieu_hanh"),
            2,
            "score",
            "vượt điểm tối đa 9.5",
        ),
        (score("Sở Nội vụ", "PAR", 2024, None), 2, "score", "cần có điểm"),
    ],
)
def test_bad_rows_are_named(tmp_path, row, line, column, text):
    with pytest.raises(DataError) as err:
        _build(tmp_path, [row])
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (line, column)
    assert text in problem.message
    assert "fixture.csv" in str(err.value) and "\n" not in str(err.value)


def test_duplicate_with_a_different_score_names_both_lines(tmp_path):
    rows = [score("Sở Nội vụ", "PAR", 2024, 90), score("Sở Nội vụ", "PAR", 2024, 91)]
    with pytest.raises(DataError, match=r"dòng 3, cột score: trùng .* với dòng 2"):
        _build(tmp_path, rows)


def test_same_value_from_a_second_source_is_recorded_not_duplicated(tmp_path):
    second = score("Sở Nội vụ", "PAR", 2024, 90) | {"source_title": "Bài báo khác"}
    db = _build(tmp_path, [score("Sở Nội vụ", "PAR", 2024, 90), second])
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM scores").fetchall()[0][0] == 1
        assert con.sql("SELECT count(*) FROM score_sources").fetchall()[0][0] == 1


def test_failed_build_keeps_the_previous_database(tmp_path, capsys):
    good = write_data(tmp_path / "good")
    db = tmp_path / "chiso.duckdb"
    build(CONFIG, good, db)
    before = db.read_bytes()
    bad = write_data(tmp_path / "bad", [*SCORES, score("Sở Y tế", "PAR", 2024, 120)])
    code = main(["build", "--config", str(CONFIG), "--data", str(bad), "--db", str(db)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1 and "fixture.csv, dòng 13, cột score" in err
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".chiso.duckdb.*"))


def test_unknown_config_key_stops_the_build_with_exit_1(tmp_path, capsys):
    config = tmp_path / "indices.yaml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8").replace("version: 1", "version: 1\nextra_key: 2", 1),
        encoding="utf-8",
    )
    code = main(
        [
            "build",
            "--config",
            str(config),
            "--data",
            str(write_data(tmp_path / "d")),
            "--db",
            str(tmp_path / "db.duckdb"),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1 and "extra_key" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "db.duckdb").exists()


def test_empty_and_header_only_files(tmp_path):
    data = write_data(tmp_path / "d")
    (data / "scores" / "fixture.csv").write_text("unit,index,year,score\n", encoding="utf-8")
    with pytest.raises(DataError, match="không có dòng dữ liệu"):
        build(CONFIG, data, tmp_path / "x.duckdb")
    (data / "scores" / "fixture.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match=r"fixture\.csv"):
        build(CONFIG, data, tmp_path / "x.duckdb")


def test_province_typed_without_accents_ranks_in_the_registry_table(tmp_path):
    rows = [
        *SCORES[:4],
        score("Sở Y tế", "PAR", 2024, 80, province="tinh mau"),
        score("Sở Nội vụ", "PAR", 2024, 90, province="Tỉnh Mẫu"),
    ]
    db = _build(tmp_path, rows)
    with duckdb.connect(str(db), read_only=True) as con:
        provinces = con.sql("SELECT DISTINCT province FROM ranked").fetchall()
        ranks = con.sql(
            "SELECT name, rank_computed, n_scored, rank FROM ranked WHERE year = 2024 ORDER BY rank_computed"
        ).fetchall()
    assert provinces == [("Tỉnh Mẫu",)]
    # one table of two (no published N, so an order among the loaded units, not a rank)
    assert ranks == [("Sở Nội vụ", 1, 2, None), ("Sở Y tế", 2, 2, None)]


def test_the_same_key_in_two_files_is_a_duplicate(tmp_path):
    data = write_data(tmp_path / "d")
    write_csv(data / "scores" / "zz_more.csv", [score("Sở Y tế", "PAR", 2022, 99)])
    with pytest.raises(DataError, match=r"zz_more\.csv, dòng 2, cột score: trùng .* với fixture\.csv dòng 5"):
        build(CONFIG, data, tmp_path / "x.duckdb")


def test_a_rank_printed_only_by_a_second_source_is_kept(tmp_path):
    rows = [score("Sở Nội vụ", "PAR", 2024, 90), score("Sở Nội vụ", "PAR", 2024, None, rank=2, rank_of=13)]
    db = _build(tmp_path, rows)
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.sql("SELECT score, rank, rank_of, rank_basis FROM ranked").fetchall()
    assert row == [(90.0, 2, 13, "published")]


def test_a_fractional_rank_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"dòng 2, cột rank: thứ hạng .4\.7. phải là số nguyên"):
        _build(tmp_path, [score("Sở Nội vụ", "PAR", 2024, 90, rank="4.7", rank_of=13)])
