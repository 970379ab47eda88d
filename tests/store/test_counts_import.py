"""One-stop counts load through the same validated, one-swap import as scores."""

import shutil

import pytest

from chiso.cli.main import main
from chiso.store import queries

HEADER = "province,unit,unit_type,level,period_start,period_end,indicator,value,source_title,quote\n"


@pytest.fixture
def db(published_db, tmp_path):
    copy = tmp_path / "chiso.duckdb"
    shutil.copyfile(published_db, copy)
    return copy


def _file(tmp_path, body: str):
    path = tmp_path / "counts.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_counts_import_then_the_rate_is_computed_and_undo_restores(db, tmp_path, capsys):
    path = _file(
        tmp_path,
        "Quảng Ninh,Đầm Hà,district,unit,2024-01-01,2024-06-30,dossiers_resolved,1000,Báo cáo 6 tháng,\n"
        "Quảng Ninh,Đầm Hà,district,unit,2024-01-01,2024-06-30,dossiers_digitised,950,Báo cáo 6 tháng,\n"
        "Quảng Ninh,Đầm Hà,district,unit,2024-01-01,2024-06-30,digitised_pct,95,Báo cáo 6 tháng,\n",
    )
    before = db.read_bytes()
    assert main(["import", str(path), "--dry-run", "--db", str(db)]) == 0
    assert "Sẽ thêm 3 dòng" in capsys.readouterr().out and db.read_bytes() == before
    assert main(["import", str(path), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["dvc", "--unit", "Đầm Hà", "--period", "2024-H1", "--format", "csv", "--db", str(db)]) == 0
    assert "unit,ty_le_so_hoa,950,1000,95.00" in capsys.readouterr().out
    with queries.connect(db) as con, con.cursor() as cur:  # the published 95 % is a rate, never a count
        rates = cur.sql("SELECT count(*) FROM one_stop_rates WHERE indicator = 'digitised_pct'").fetchall()
    assert rates[0][0] == 1
    assert main(["undo", "--db", str(db)]) == 0
    with queries.connect(db) as con, con.cursor() as cur:
        assert cur.sql("SELECT count(*) FROM one_stop_counts WHERE value = 950").fetchall()[0][0] == 0


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Quảng Ninh,Dam Haa,district,unit,2024-01-01,2024-06-30,dossiers_resolved,10,x,\n", "Huyện Đầm Hà"),
        ("Quảng Ninh,Đầm Hà,district,desk,2024-01-01,2024-06-30,dossiers_resolved,10,x,\n", "level"),
        ("Quảng Ninh,Đầm Hà,district,unit,01/01/2024,2024-06-30,dossiers_resolved,10,x,\n", "YYYY-MM-DD"),
        ('Quảng Ninh,Đầm Hà,district,unit,2024-01-01,2024-06-30,dossiers_resolved,"1,5",x,\n', "dấu phẩy"),
        ("Quảng Ninh,Đầm Hà,district,unit,2024-01-01,2024-06-30,dossiers_resolved,-5,x,\n", "âm"),
        (
            "Quảng Ninh,Đầm Hà,district,unit,2024-06-30,2024-01-01,dossiers_resolved,5,x,\n",
            "trước ngày bắt đầu",
        ),
    ],
)
def test_bad_counts_are_refused_and_change_nothing(db, tmp_path, capsys, body, text):
    before = db.read_bytes()
    assert main(["import", str(_file(tmp_path, body)), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert text in err and "dòng 2" in err
    assert db.read_bytes() == before


def test_a_repeated_count_is_refused(db, tmp_path, capsys):
    row = "quang ninh,Đầm Hà,district,unit,2024-01-01,2024-06-30,dossiers_resolved,5,x,\n"
    assert main(["import", str(_file(tmp_path, row + row)), "--db", str(db)]) == 1
    assert "dòng 3" in capsys.readouterr().err


def test_a_repeated_count_names_the_first_row_in_both_languages(db, tmp_path, capsys):
    row = "quang ninh,Đầm Hà,district,unit,2024-01-01,2024-06-30,dossiers_resolved,5,x,\n"
    path = _file(tmp_path, row * 3)  # lines 2, 3 and 4: the repeats are of line 2
    before = db.read_bytes()
    assert main(["import", str(path), "--db", str(db)]) == 1
    said = capsys.readouterr().err
    assert "dòng 3, cột indicator: số liệu lặp lại: cùng đơn vị, cấp, kỳ và chỉ tiêu với dòng 2" in said
    assert "(và 1 lỗi khác)" in said  # line 4 too
    assert main(["--lang", "en", "import", str(path), "--db", str(db)]) == 1
    said = capsys.readouterr().err
    assert "row 3, column indicator: repeated count: same unit, level, period and indicator as row 2" in said
    assert db.read_bytes() == before
