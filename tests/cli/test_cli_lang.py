"""`chiso --lang en …` speaks English beyond import problems: a units section's problems, the
store's lock errors, the command line's own lines ("Wrote …", no data), and `rank`, whose own
--lang the global one now reaches too. Vietnamese stays the default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chiso.cli.main import main
from chiso.store import swap
from tests.conftest import ROOT, built_fixture, write_data

SCORES = """unit,score,source_title
Sở Nội vụ,91.5,Quyết định mẫu
Sở Tư pháp,90.0,Quyết định mẫu
"""
VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
WHERE = ["--index", "PAR", "--year", "2024", "--province", "Tỉnh Mẫu", "--unit-type", "department"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return built_fixture(tmp_path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def import_refused(capsys, db: Path, path: Path, english: str, vietnamese: str) -> str:
    """``chiso import path`` refused in English with ``--lang en`` and in Vietnamese without it,
    the database unchanged; what the English run printed."""
    before = db.read_bytes()
    argv = ["import", str(path), *WHERE[:6], "--db", str(db)]
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 1 and english in out + err
    assert vietnamese not in out + err
    code, vi_out, vi_err = run(capsys, *argv)
    assert code == 1 and vietnamese in vi_out + vi_err
    assert db.read_bytes() == before
    return out + err


def test_a_units_section_without_a_required_column_is_refused_in_english(db, tmp_path, capsys):
    path = tmp_path / "with_units.csv"
    path.write_text(SCORES + "\n[units]\nprovince,name\nTỉnh Mẫu,Sở Mới\n", encoding="utf-8")
    english = "the [units] section lacks the required column 'unit_type'"
    said = import_refused(capsys, db, path, english, "mục [units] thiếu cột bắt buộc 'unit_type'")
    assert "Columns of the units list" in said and "thiếu cột" not in said


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


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a password-protected .xlsx is an OLE box holding EncryptionInfo


def test_a_units_sheet_without_a_required_column_is_refused_in_english(db, tmp_path, capsys):
    import xlsxwriter

    path = tmp_path / "with_units.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    scores = workbook.add_worksheet("Điểm")
    for r, row in enumerate([["unit", "score", "source_title"], ["Sở Mới", 91.5, "Quyết định mẫu"]]):
        scores.write_row(r, 0, row)
    units = workbook.add_worksheet("Đơn vị")
    for r, row in enumerate([["province", "name"], ["Tỉnh Mẫu", "Sở Mới"]]):
        units.write_row(r, 0, row)
    workbook.close()
    english = "sheet 'Đơn vị' lacks the required column 'unit_type'"
    said = import_refused(capsys, db, path, english, "trang tính 'Đơn vị' thiếu cột bắt buộc 'unit_type'")
    assert "thiếu cột" not in said


def test_a_refused_workbook_is_explained_in_english(db, tmp_path, capsys):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(100))
    english, vietnamese = "the Excel file is password-protected", "tệp Excel được đặt mật khẩu"
    said = import_refused(capsys, db, path, english, vietnamese)
    assert "remove the password (File → Info → Protect Workbook)" in said and "mật khẩu" not in said


def test_build_and_undo_speak_english(tmp_path, capsys):
    folder = write_data(tmp_path / "data")
    db = tmp_path / "built.duckdb"
    code, out, _ = run(capsys, "--lang", "en", "build", "--data", str(folder), "--db", str(db))
    assert code == 0 and out.startswith(f"Built {db}: ") and "published means/medians" in out
    code, _, err = run(capsys, "--lang", "en", "undo", "--db", str(db))
    assert code == 1 and err.strip() == "chiso: No import to undo yet."
    code, _, err = run(capsys, "undo", "--db", str(db))
    assert code == 1 and err.strip() == "chiso: Chưa có lần nhập nào để hoàn tác."


@pytest.mark.parametrize("command", [["rank"], ["export", "rankings"], ["import"]])
def test_help_is_english_when_asked_and_names_the_unit_types(command, capsys):
    with pytest.raises(SystemExit) as done:
        main(["--lang", "en", *command, "--help"])
    english = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    vietnamese = capsys.readouterr().out
    assert done.value.code == 0
    # every valid unit type and peer group is listed, in either language
    for name in ("department", "commune", "ward", "special_zone", "localities", "central_agencies"):
        assert name in english and name in vietnamese
    assert "--unit-type takes a unit type (" in english and "--unit-type nhận một loại đơn vị (" in vietnamese
    assert "cli.help." not in english + vietnamese  # every help text is found in locales/
    assert not VIETNAMESE.search(english.replace("Tỉnh Mẫu", ""))


def test_the_command_list_is_english_when_asked(capsys):
    with pytest.raises(SystemExit):
        main(["--lang=en", "--help"])
    english = capsys.readouterr().out
    assert "print the ranking of one index in one year" in english and "undo the last import" in english
    assert not VIETNAMESE.search(english.replace("Chỉ số", ""))


def test_a_commands_own_lang_wins_in_its_help_as_in_its_output(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "vi", "rank", "--lang", "en", "--help"])
    said = capsys.readouterr().out
    assert "index code, e.g. PAR" in said and "mã chỉ số" not in said


def test_a_damaged_database_and_a_wrong_scope_are_explained_in_english(db, tmp_path, capsys):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    argv = ["rank", *WHERE[:3], "2022", *WHERE[4:], "--db", str(broken)]
    code, _, err = run(capsys, "--lang", "en", *argv)
    assert code == 1 and f"the database file {broken} is damaged or not DuckDB" in err
    code, _, err = run(capsys, *argv)
    assert code == 1 and f"tệp cơ sở dữ liệu {broken} hỏng hoặc không phải DuckDB" in err
    wrong_type = ["rank", *WHERE[:3], "2022", *WHERE[4:6], "--unit-type", "nope", "--db", str(db)]
    code, _, err = run(capsys, "--lang", "en", *wrong_type)
    assert code == 1 and "--unit-type 'nope' is neither a unit type nor a peer group; choose one of:" in err
    wrong_place = ["rank", *WHERE[:3], "2022", "--province", "Nowhere", *WHERE[6:], "--db", str(db)]
    code, _, err = run(capsys, "--lang", "en", *wrong_place)
    assert code == 1 and err.strip() == "chiso: Province 'Nowhere' not found"


def test_an_image_too_large_to_draw_is_refused_in_english(db, tmp_path, capsys):
    out_file = tmp_path / "huge.png"
    argv = ["export", "rankings", *WHERE[:3], "2022", *WHERE[4:], "--format", "png", "--db", str(db)]
    argv += ["--width", "20000", "--out", str(out_file)]
    code, _, err = run(capsys, "--lang", "en", *argv)
    assert code == 1 and "pixels is too large (at most 16384 per side" in err and "lower --width" in err
    code, _, err = run(capsys, *argv)
    assert code == 1 and "điểm ảnh quá lớn" in err
    assert not out_file.exists()


def test_a_missing_config_file_is_explained_in_english(db, tmp_path, capsys):
    missing = tmp_path / "nowhere.yaml"
    argv = ["rank", *WHERE[:3], "2022", *WHERE[4:], "--config", str(missing), "--db", str(db)]
    code, _, err = run(capsys, "--lang", "en", *argv)
    assert code == 1 and err.strip() == f"chiso: {missing}: config file not found"
    code, _, err = run(capsys, *argv)
    assert code == 1 and err.strip() == f"chiso: {missing}: không tìm thấy tệp cấu hình"


def test_an_unknown_unit_is_named_in_english_with_suggestions(db, capsys):
    code, _, err = run(capsys, "--lang", "en", "profile", "--unit", "So Noi vu x", "--db", str(db))
    assert code == 1
    assert "No unit named 'So Noi vu x'" in err and "did you mean: " in err and "Sở Nội vụ" in err
    assert "Không tìm thấy" not in err and "có phải" not in err
    code, _, vi_err = run(capsys, "profile", "--unit", "So Noi vu x", "--db", str(db))
    assert code == 1 and "Không tìm thấy đơn vị 'So Noi vu x'" in vi_err and "có phải: " in vi_err


@pytest.mark.parametrize(
    ("period", "english"),
    [
        ("2024-13", "no such day or month in the calendar"),
        ("May 2024", "write YYYY-MM-DD:YYYY-MM-DD"),
        ("2024-05-31:2024-01-01", "the start date is after the end date"),
    ],
)
def test_a_bad_period_is_explained_in_english(db, capsys, period, english):
    argv = ["dvc", "--unit", "Sở Nội vụ", "--period", period, "--db", str(db)]
    code, _, err = run(capsys, "--lang", "en", *argv)
    assert code == 1 and f"--period {period!r}: {english}" in err
    assert not VIETNAMESE.search(err.replace("Sở Nội vụ", ""))


def test_a_short_password_is_refused_in_english(capsys):
    code, _, err = run(capsys, "--lang", "en", "hash-password", "short")
    assert code == 1 and "the password needs at least 10 characters" in err
    code, _, vi_err = run(capsys, "hash-password", "short")
    assert code == 1 and "mật khẩu cần ít nhất 10 ký tự" in vi_err
