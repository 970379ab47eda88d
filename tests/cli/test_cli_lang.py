"""`chiso --lang en …` speaks English beyond import problems: a units section's problems, the
store's lock errors, the command line's own lines ("Wrote …", no data), and `rank`, whose own
--lang the global one now reaches too. Vietnamese stays the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiso.cli.main import main
from chiso.store import swap
from tests.conftest import ROOT, built_fixture

SCORES = """unit,score,source_title
Sở Nội vụ,91.5,Quyết định mẫu
Sở Tư pháp,90.0,Quyết định mẫu
"""
WHERE = ["--index", "PAR", "--year", "2024", "--province", "Tỉnh Mẫu", "--unit-type", "department"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return built_fixture(tmp_path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_units_section_without_a_required_column_is_refused_in_english(db, tmp_path, capsys):
    path = tmp_path / "with_units.csv"
    path.write_text(SCORES + "\n[units]\nprovince,name\nTỉnh Mẫu,Sở Mới\n", encoding="utf-8")
    before = db.read_bytes()
    argv = ["import", str(path), *WHERE[:6], "--db", str(db)]
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 1
    assert "the [units] section lacks the required column 'unit_type'" in out + err
    assert "Columns of the units list" in out + err
    assert "thiếu cột" not in out + err
    code, out, err = run(capsys, *argv)
    assert code == 1 and "mục [units] thiếu cột bắt buộc 'unit_type'" in out + err
    assert db.read_bytes() == before


def test_a_locked_database_is_explained_in_english(db, capsys):
    annex = ROOT / "tests" / "fixtures" / "good" / "annex_par_2024.xlsx"
    argv = ["import", str(annex), *WHERE[:6], "--db", str(db)]
    before = db.read_bytes()
    with swap.write_lock(db, who="someone"):
        code, _, err = run(capsys, "--lang", "en", *argv)
        assert code == 1
        assert "Another write is running on" in err and "delete the lock file" in err
        assert "đang chạy" not in err
        code, _, err = run(capsys, *argv)
        assert code == 1 and "Một lần ghi khác đang chạy" in err
    assert db.read_bytes() == before


def test_export_says_what_it_wrote_in_the_language_asked_for(db, tmp_path, capsys):
    out_file = tmp_path / "rank.csv"
    argv = ["export", "rankings", *WHERE[:3], "2022", *WHERE[4:], "--format", "csv", "--db", str(db)]
    code, out, _ = run(capsys, "--lang", "en", *argv, "--out", str(out_file))
    assert code == 0 and out.startswith(f"Wrote {out_file}: csv,") and "bytes, 4 units" in out
    code, out, _ = run(capsys, *argv, "--out", str(out_file))
    assert code == 0 and out.startswith(f"Đã ghi {out_file}: csv,") and "byte, 4 đơn vị" in out
    code, _, err = run(capsys, "--lang", "en", *argv, "--out", str(tmp_path / "nowhere" / "r.csv"))
    assert code == 1 and "The folder" in err and "does not exist" in err


def test_the_global_lang_reaches_rank(db, capsys):
    argv = ["rank", *WHERE[:3], "2022", *WHERE[4:], "--format", "csv", "--db", str(db)]
    _, vi, _ = run(capsys, *argv)
    _, en_global, _ = run(capsys, "--lang", "en", *argv)
    _, en_own, _ = run(capsys, *argv, "--lang", "en")
    assert en_global == en_own != vi
    code, _, err = run(capsys, "--lang", "en", "rank", *WHERE, "--db", str(db))  # no PAR 2024 yet
    assert code == 1 and err.strip() == "chiso: No PAR data for 2024 in group departments in Tỉnh Mẫu"
    _, _, err = run(capsys, "rank", *WHERE, "--db", str(db))
    assert err.strip() == "chiso: Không có dữ liệu PAR năm 2024 cho nhóm departments ở Tỉnh Mẫu"
