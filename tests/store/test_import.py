"""Importing published tables: every bad file is refused where the steward can find the problem
and the database stays byte for byte the same; a decision annex imports after a preview and
shows up in the rankings; a killed import leaves the database intact; undo, lock, audit, sign-in."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from chiso import auth
from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.i18n import LANGS, messages
from chiso.ingest import annex, readers
from chiso.ingest.annex import ImportOptions
from chiso.store import imports, queries, swap
from chiso.store.build import build
from chiso.views.import_report import ROLE_KEYS, text_report
from tests.conftest import (
    CONFIG,
    built_fixture,
    choose_and_click,
    said_by_calls,
    signed_in_data_page,
    write_data,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BAD = FIXTURES / "bad"
ANNEX = FIXTURES / "good" / "annex_par_2024.xlsx"
BASE = {"index": "PAR", "year": 2024, "province": "Tỉnh Mẫu"}
PASSWORD = "mật khẩu thử nghiệm"


@pytest.fixture(scope="module")
def hashed() -> str:
    return auth.hash_password(PASSWORD)


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory) -> Path:
    """A fixture database that no test in the bad corpus may change."""
    return built_fixture(tmp_path_factory.mktemp("shared"))


def cli_args(path: Path, db: Path, options: dict) -> list[str]:
    args = ["import", str(path), "--db", str(db)]
    for key, value in options.items():
        flag = f"--{key.replace('_', '-')}"
        args += [flag] if value is True else [flag, str(value)]
    return args


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name != db.name and p.name.startswith(db.name))


def scores_and_ranked(db: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        scores = con.sql("SELECT * EXCLUDE (file, line) FROM scores ORDER BY ALL").pl()
        ranked = con.sql("SELECT * FROM ranked ORDER BY ALL").pl()
    return scores, ranked


# ---------- the bad corpus ----------

LONG = {}  # long files carry index, year and province themselves
# file, options, message fragment, row, column fragment (None: the whole file)
CASES = [
    ("empty.csv", BASE, "tệp rỗng", None, None),
    ("blank_lines.csv", BASE, "tệp rỗng", None, None),
    ("header_only_wide.csv", BASE, "chỉ có dòng tiêu đề", 1, None),
    ("header_only_long.csv", LONG, "chỉ có dòng tiêu đề", 1, None),
    ("header_only.xlsx", BASE, "chỉ có dòng tiêu đề", 3, None),
    ("empty_sheet.xlsx", BASE, "bảng trống", None, None),
    ("latin_encoding.csv", LONG, "không phải UTF-8", 2, None),
    ("utf16_no_bom.csv", BASE, "ký tự NUL", 1, None),
    ("pdf_renamed.csv", BASE, "PDF", None, None),
    ("not_excel.xlsx", BASE, "không phải tệp Excel", None, None),
    ("corrupt.xlsx", BASE, "không đọc được tệp Excel", None, None),
    ("no_header.csv", BASE, "không tìm thấy dòng tiêu đề", None, None),
    ("unknown_unit.csv", BASE, "có phải: Huyện Đầm Sen?", 2, "B «Tên đơn vị»"),
    ("unknown_unit.xlsx", BASE, "có phải: Sở Tư pháp?", 5, "B «Tên đơn vị»"),
    ("semicolon_unknown_unit.csv", BASE, "Không tìm thấy đơn vị 'Sở Ngoại vụ'", 3, "A «Tên đơn vị»"),
    ("unknown_index_long.csv", LONG, "chỉ số 'XYZ' không có trong cấu hình", 2, "C «index»"),
    ("unknown_column.csv", BASE, "không nhận ra tiêu đề cột", 1, "C «Cải cách hành chánh công»"),
    ("duplicate_component_column.csv", BASE, "đã có ở cột B", 1, "C «cai_cach_the_che»"),
    ("component_wrong_variant.csv", BASE, "không được khai báo", 2, "C «Điểm thẩm định»"),
    ("score_above_max.csv", BASE, "vượt điểm tối đa 13", 2, "C «Cải cách thể chế»"),
    ("score_above_max.xlsx", BASE, "vượt điểm tối đa 13", 5, "C «Cải cách thể chế»"),
    ("negative_score.csv", BASE, "âm", 2, "D «Tổng điểm»"),
    ("nan_score.csv", BASE, "'NaN' không phải là số hữu hạn", 2, "D «Tổng điểm»"),
    ("inf_score.xlsx", BASE, "'inf' không phải là số hữu hạn", 4, "D «Tổng điểm»"),
    ("text_score.xlsx", BASE, "'chín mươi' không phải là số", 4, "C «Cải cách thể chế»"),
    ("mixed_decimals.csv", BASE, "'90.5' viết số khác", 3, "D «Tổng điểm»"),
    ("decimal_comma_long.csv", LONG, "dấu phẩy thập phân", 2, "F «score»"),
    ("year_text.csv", {"index": "PAR", "province": "Tỉnh Mẫu"}, "năm 'năm 2024'", 2, "C «Năm»"),
    ("year_out_of_range.csv", LONG, f"1990–{readers.latest_year()}", 2, "E «year»"),
    ("year_conflict.csv", BASE, "khác với tùy chọn --year", 2, "C «Năm»"),
    ("duplicate_unit.csv", BASE, "với dòng 2", 3, "D «Tổng điểm»"),
    ("missing_unit.csv", BASE, "thiếu tên đơn vị", 3, "B «Tên đơn vị»"),
    ("no_index.csv", {"year": 2024, "province": "Tỉnh Mẫu"}, "chỉ số nào", 2, None),
    ("rank_text.csv", BASE, "thứ hạng 'Nhất'", 2, "E «Xếp hạng»"),
    ("rank_out_of_range.csv", BASE, "thứ hạng 5 nằm ngoài 1–4", 2, "E «Xếp hạng»"),
    (
        "unit_wrong_type.csv",
        BASE | {"unit_type": "district"},
        "không thuộc loại đã chọn",
        2,
        "B «Tên đơn vị»",
    ),
    ("wrong_sheet.xlsx", BASE | {"sheet": "Không có"}, "không có trang tính", None, None),
]


def test_the_corpus_is_large_and_every_file_has_a_case():
    files = sorted(p.name for p in BAD.iterdir())
    assert len(files) >= 25
    assert sorted(c[0] for c in CASES) == files
    assert {Path(f).suffix for f in files} == {".csv", ".xlsx"}


@pytest.mark.parametrize(("name", "options", "message", "row", "column"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_refused_where_it_is_wrong_and_nothing_changes(
    shared_db, capsys, name, options, message, row, column
):
    before = shared_db.read_bytes()
    plan = imports.plan_import(shared_db, BAD / name, ImportOptions(**options))
    assert not plan.ok
    found = [e for e in plan.errors if message in e.message]
    assert found, [str(e) for e in plan.errors]
    problem = found[0]
    assert problem.file == name
    assert problem.row == row
    assert problem.column == column if column is None else column in (problem.column or "")
    assert problem.hint  # every problem says how to fix it
    code = main(cli_args(BAD / name, shared_db, options))
    out, err = capsys.readouterr()
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and name in err and "không đổi" in err
    assert message in out  # the full report names it too
    assert shared_db.read_bytes() == before
    assert leftovers(shared_db) == []


def test_a_file_over_20_mb_is_refused_before_reading(shared_db, tmp_path, capsys):
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(annex.MAX_BYTES + 1)
    before = shared_db.read_bytes()
    assert main(cli_args(big, shared_db, BASE)) == 1
    assert "vượt giới hạn 20 MB" in capsys.readouterr().err
    assert shared_db.read_bytes() == before


def test_more_than_200000_rows_is_refused(shared_db, tmp_path):
    rows = "".join(f"{i},Sở Nội vụ,12,90,1\n" for i in range(annex.MAX_ROWS + 1))
    path = tmp_path / "many.csv"
    path.write_text("STT,Tên đơn vị,Cải cách thể chế,Tổng điểm,Xếp hạng\n" + rows, encoding="utf-8")
    plan = imports.plan_import(shared_db, path, ImportOptions(**BASE))
    assert "200.000" in plan.errors[0].message and plan.errors[0].row == annex.MAX_ROWS + 2


def test_the_same_windows_1258_file_imports_when_named(shared_db):
    path = BAD / "latin_encoding.csv"
    plan = imports.plan_import(shared_db, path, ImportOptions(encoding="cp1258"))
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.added["unit"].to_list() == ["Sở Nội vụ"]


@pytest.mark.parametrize("name", ["long_bom.csv", "long_utf16.csv"])
def test_utf8_bom_and_utf16_are_detected(shared_db, name):
    plan = imports.plan_import(shared_db, FIXTURES / "good" / name)
    assert plan.ok and plan.counts == (1, 0, 0)


# ---------- numbers, headers ----------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["91,24", "88,5"], ["91.24", "88.5"]),
        (["14.859", "9.120"], ["14859", "9120"]),  # thousands dots: Vietnamese
        (["14.859", "91,24"], ["14859", "91.24"]),
        (["14.859", "91.5"], ["14.859", "91.5"]),  # a dot decimal elsewhere in the column
        (["1.234.567", "12"], ["1234567", "12"]),
        (["0.859", "1"], ["0.859", "1"]),  # a leading zero is never a thousands group
        (["95,5%"], ["95.5"]),
    ],
)
def test_number_convention_is_decided_per_column(cells, expected):
    column = [annex.Cell(c) for c in cells]
    style, odd = annex.column_style(column)
    assert odd == []
    assert [annex.to_number(c, style) for c in cells] == expected


@pytest.mark.parametrize(
    ("text", "key", "declared"),
    [
        ("Công tác chỉ đạo, điều hành CCHC\n(9,5 điểm)", "cong tac chi dao dieu hanh cchc", 9.5),
        ("CẢI CÁCH  THỂ CHẾ", "cai cach the che", None),
        ("2. Cải cách thủ tục hành chính (13 điểm)", "cai cach thu tuc hanh chinh", 13.0),
        ("Tổng điểm\n(tối đa 100)", "tong diem", 100.0),
    ],
)
def test_headers_ignore_accents_case_spacing_line_breaks_and_numbering(text, key, declared):
    assert annex.header_key(text) == (key, declared)


# ---------- the good decision annex ----------


def test_decision_annex_previews_then_imports_and_ranks(fixture_db, capsys):
    before = fixture_db.read_bytes()
    assert main(cli_args(ANNEX, fixture_db, BASE | {"dry_run": True})) == 0
    preview = capsys.readouterr().out
    assert "Sẽ thêm 36 dòng, sửa 0 dòng, giữ nguyên 0 dòng." in preview
    assert "Trang tính «Phụ lục 1»" in preview and "91,24" in preview
    assert "tiêu đề nhóm" in preview and "Điểm trung bình" in preview  # skipped rows are reported
    assert fixture_db.read_bytes() == before  # a dry run writes nothing

    assert main(cli_args(ANNEX, fixture_db, BASE | {"who": "Chị Lan"})) == 0
    assert "Đã nhập lần #2" in capsys.readouterr().out
    with queries.connect(fixture_db) as con:
        ranking = queries.ranking(
            con, index="PAR", year=2024, peer_group="departments", scope_province="Tỉnh Mẫu"
        )
        component = queries.ranking(
            con,
            index="PAR",
            year=2024,
            peer_group="departments",
            scope_province="Tỉnh Mẫu",
            component="chi_dao_dieu_hanh",
        )
        tables = queries.tables(con)
    assert ranking.select("name", "score", "rank", "rank_of").rows() == [
        ("Sở Nội vụ", 94.5, 1, 4),
        ("Sở Lao động - Thương binh và Xã hội", 91.24, 2, 4),
        ("Sở Tư pháp", 90.0, 3, 4),
        ("Sở Y tế", 87.5, 4, 4),
    ]
    assert ranking["complete"].all() and not ranking["rank_mismatch"].any()
    assert ranking["d_rank"].to_list() == [1, 2, 0, -3]  # against the 2023 table of the fixture
    assert component["score"].to_list() == [9.25, 9.0, 9.0, 8.5]
    assert (tables["year"] == 2024).any()  # the selectors see the new table
    history = imports.audit(fixture_db)
    assert history.select("who", "file", "rows_added", "rows_changed").rows() == [
        ("Chị Lan", "annex_par_2024.xlsx", 36, 0)
    ]
    assert history["sha256"][0] == swap.sha256_of(ANNEX)


def test_imported_annex_appears_on_the_rankings_page(fixture_db):
    plan = imports.plan_import(fixture_db, ANNEX, ImportOptions(**BASE))
    imports.apply_import(fixture_db, plan, who="test")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {
        "group": "departments",
        "province": "Tỉnh Mẫu",
        "index": "PAR",
        "year": "2024",
    }.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    assert "2024" in at.header[0].value
    text = at.dataframe[0].value.to_csv()
    assert "Sở Lao động - Thương binh và Xã hội" in text and "91,24" in text and "2/4" in text


def test_importing_equals_building_with_the_same_rows(tmp_path):
    data = write_data(tmp_path / "data")
    imported = tmp_path / "imported.duckdb"
    build(CONFIG, data, imported)
    plan = imports.plan_import(imported, ANNEX, ImportOptions(**BASE))
    imports.apply_import(imported, plan, who="test")
    (data / "scores" / "annex.csv").write_text(plan.long_csv, encoding="utf-8")
    rebuilt = tmp_path / "rebuilt.duckdb"
    build(CONFIG, data, rebuilt)
    # Every derived table must be what a build from the same rows gives (source ids may differ).
    with (
        duckdb.connect(str(imported), read_only=True) as a,
        duckdb.connect(str(rebuilt), read_only=True) as b,
    ):
        tables = {r[0] for r in b.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        for table in sorted(tables - {"meta", "imports", "sources"}):
            columns = [r[0] for r in b.sql(f"DESCRIBE {table}").fetchall()]
            keep = ", ".join(c for c in columns if c not in ("source_id", "file", "line"))
            query = f"SELECT {keep} FROM {table} ORDER BY ALL"
            assert a.sql(query).pl().equals(b.sql(query).pl()), table


def test_total_that_is_not_the_sum_and_rank_disagreements_are_warnings(shared_db, tmp_path):
    path = tmp_path / "warn.csv"
    header = "STT,Tên đơn vị," + ",".join(annex_components()) + ",Tổng điểm,Xếp hạng\n"
    parts = ["9", "12", "12", "12", "12", "12", "12", "11"]  # sum 92
    path.write_text(
        header + "1,Sở Nội vụ," + ",".join(parts) + ',"93,5",2\n2,Sở Y tế,,,,,,,,,"95,0",1\n'
        "3,Sở Tư pháp,,,,,,,,,80,3\n",
        encoding="utf-8",
    )
    plan = imports.plan_import(shared_db, path, ImportOptions(**BASE))
    assert plan.ok, [str(e) for e in plan.errors]
    texts = [(w.row, w.column, w.message) for w in plan.warnings]
    assert any(r == 2 and "Tổng điểm" in c and "khác tổng các thành phần (92.00)" in m for r, c, m in texts)
    assert not any("thứ hạng công bố" in m for _, _, m in texts)  # 93.5 < 95: rank 2 is right
    path.write_text(path.read_text(encoding="utf-8").replace(',"93,5",2', ',"96,5",2'), encoding="utf-8")
    plan = imports.plan_import(shared_db, path, ImportOptions(**BASE))
    assert any(w.row == 2 and "thứ hạng công bố 2 khác" in w.message for w in plan.warnings)
    assert plan.ok


def annex_components() -> list[str]:
    return [
        "chi_dao_dieu_hanh",
        "cai_cach_the_che",
        "cai_cach_thu_tuc_hanh_chinh",
        "cai_cach_to_chuc_bo_may",
        "cai_cach_che_do_cong_vu",
        "cai_cach_tai_chinh_cong",
        "chinh_phu_dien_tu_so",
        "tac_dong_cua_cchc",
    ]


def test_changed_rows_show_old_and_new(fixture_db, tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text('Tên đơn vị,Tổng điểm\nSở Y tế,"94,5"\nSở Tư pháp,90\n', encoding="utf-8")
    plan = imports.plan_import(fixture_db, path, ImportOptions(index="PAR", year=2023, province="Tỉnh Mẫu"))
    assert plan.counts == (0, 1, 1)
    report = text_report(plan, load_catalog(CONFIG))
    assert "Sửa 1 dòng (cũ → mới):" in report and "94,00 → 94,50" in report
    imports.apply_import(fixture_db, plan, who="test")
    with queries.connect(fixture_db) as con:
        ranking = queries.ranking(
            con, index="PAR", year=2023, peer_group="departments", scope_province="Tỉnh Mẫu"
        )
    assert ranking.filter(pl.col("name") == "Sở Y tế")["score"].to_list() == [94.5]


def test_peer_group_as_unit_type_and_aliases(shared_db, tmp_path):
    path = tmp_path / "alias.csv"
    path.write_text("Đơn vị,Điểm\nSở LĐ-TB&XH,80\nTP Hòa Lạc,81\n", encoding="utf-8")
    plan = imports.plan_import(
        shared_db, path, ImportOptions(index="PAR", year=2024, province="tinh mau", unit_type="departments")
    )
    assert len(plan.errors) == 1
    assert str(plan.errors[0]).startswith(
        "alias.csv, dòng 3, cột A «Đơn vị»: 'TP Hòa Lạc' là Thành phố Hòa Lạc (loại city), "
        "không thuộc loại đã chọn (central_agency, department)"
    )
    path.write_text("Đơn vị,Điểm\nSở LĐ-TB&XH,80\n", encoding="utf-8")
    plan = imports.plan_import(
        shared_db, path, ImportOptions(index="PAR", year=2024, province="tinh mau", unit_type="departments")
    )
    assert plan.ok and plan.added.select("province", "unit").rows() == [
        ("Tỉnh Mẫu", "Sở Lao động - Thương binh và Xã hội")
    ]


# ---------- one transaction, lock, undo ----------


@pytest.mark.parametrize("point", ["after_copy", "before_swap"])
def test_killed_import_leaves_the_database_intact(fixture_db, point):
    before = fixture_db.read_bytes()
    env = {**os.environ, swap.CRASH_HOOK: point, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "chiso.cli.main", *cli_args(ANNEX, fixture_db, BASE)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == -9, done.stderr.decode()
    assert fixture_db.read_bytes() == before
    assert swap.lock_path(fixture_db).exists()  # the dead process's lock is still there…
    # … and the next import takes it over, cleans the dead copy and succeeds.
    plan = imports.plan_import(fixture_db, ANNEX, ImportOptions(**BASE))
    result = imports.apply_import(fixture_db, plan, who="after crash")
    assert result.added == 36
    assert not swap.lock_path(fixture_db).exists()
    assert not list(fixture_db.parent.glob(f".{fixture_db.name}.import-*"))


def test_a_second_writer_is_refused_with_a_clear_message(fixture_db, capsys):
    plan = imports.plan_import(fixture_db, ANNEX, ImportOptions(**BASE))
    before = fixture_db.read_bytes()
    lock = swap.lock_path(fixture_db)
    with swap.write_lock(fixture_db, who="someone"):
        assert str(os.getpid()) in lock.read_text(encoding="utf-8")
        with pytest.raises(swap.LockedError, match="Một lần ghi khác đang chạy"):
            imports.apply_import(fixture_db, plan, who="second")
        assert main(cli_args(ANNEX, fixture_db, BASE)) == 1
        assert "đang chạy" in capsys.readouterr().err
        with pytest.raises(swap.LockedError):
            imports.undo_last(fixture_db, who="second")
    assert fixture_db.read_bytes() == before
    assert not lock.exists()


def test_database_changed_since_preview_is_refused(fixture_db, tmp_path):
    plan = imports.plan_import(fixture_db, ANNEX, ImportOptions(**BASE))
    other = tmp_path / "other.csv"
    other.write_text("Tên đơn vị,Tổng điểm\nSở Y tế,80\n", encoding="utf-8")
    imports.apply_import(
        fixture_db,
        imports.plan_import(fixture_db, other, ImportOptions(index="PAR", year=2025, province="Tỉnh Mẫu")),
        who="first",
    )
    with pytest.raises(ChisoError, match="đã thay đổi sau khi xem trước"):
        imports.apply_import(fixture_db, plan, who="late")


def test_undo_restores_the_state_before_each_import(fixture_db, tmp_path, capsys):
    original = scores_and_ranked(fixture_db)
    imports.apply_import(fixture_db, imports.plan_import(fixture_db, ANNEX, ImportOptions(**BASE)), who="a")
    after_first = scores_and_ranked(fixture_db)
    fix = tmp_path / "fix.csv"
    fix.write_text('Tên đơn vị,Tổng điểm\nSở Y tế,"88,25"\n', encoding="utf-8")
    imports.apply_import(fixture_db, imports.plan_import(fixture_db, fix, ImportOptions(**BASE)), who="b")
    assert scores_and_ranked(fixture_db)[0].height == after_first[0].height

    assert main(["undo", "--db", str(fixture_db), "--who", "c"]) == 0
    assert "Đã hoàn tác lần nhập #3" in capsys.readouterr().out
    restored = scores_and_ranked(fixture_db)
    assert restored[0].equals(after_first[0]) and restored[1].equals(after_first[1])
    imports.undo_last(fixture_db, who="c")
    restored = scores_and_ranked(fixture_db)
    assert restored[0].equals(original[0]) and restored[1].equals(original[1])
    history = imports.audit(fixture_db)
    assert history.select("import_id", "undone_by").rows() == [(3, "c"), (2, "c")]
    assert main(["undo", "--db", str(fixture_db)]) == 1
    assert "Chưa có lần nhập nào để hoàn tác" in capsys.readouterr().err
    assert main(["audit", "--db", str(fixture_db)]) == 0
    assert "đã hoàn tác" in capsys.readouterr().out
    assert leftovers(fixture_db) == []  # backups of undone imports are removed


def test_audit_keeps_the_rows_as_imported(fixture_db, capsys):
    imports.apply_import(fixture_db, imports.plan_import(fixture_db, ANNEX, ImportOptions(**BASE)), who="a")
    assert main(["audit", "--db", str(fixture_db), "--rows", "2"]) == 0
    rows = pl.read_csv(io.StringIO(capsys.readouterr().out), infer_schema=False)
    assert rows.height == 36 and rows.columns[:3] == ["province", "unit", "unit_type"]
    assert "91.24" in rows["score"].to_list()


# ---------- round trip ----------


def test_round_trip_of_a_view_in_the_long_format_changes_nothing(fixture_db, tmp_path):
    export = pytest.importorskip("chiso.export.files")
    with queries.connect(fixture_db) as con:
        ranking = queries.ranking(
            con, index="PAR", year=2022, peer_group="departments", scope_province="Tỉnh Mẫu"
        )
    path = tmp_path / "view.csv"
    path.write_bytes(export.long_csv(ranking))
    before = fixture_db.read_bytes()
    plan = imports.plan_import(fixture_db, path)
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.counts == (0, 0, ranking.height)
    assert not imports.apply_import(fixture_db, plan, who="x").written
    assert fixture_db.read_bytes() == before


def stored_rows_as_long_csv(db: Path, path: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql(
            """
            SELECT s.province, u.name AS unit, '' AS unit_type, s.index_code AS "index",
                   coalesce(s.component, '') AS component, s.year, s.score, s.max_score,
                   s.published_rank AS rank, s.published_rank_of AS rank_of,
                   coalesce(src.title, '') AS source_title, coalesce(src.url, '') AS source_url,
                   coalesce(s.quote, '') AS quote, coalesce(s.rank_basis, '') AS rank_basis,
                   coalesce(s.flag, '') AS flag, s.edition
            FROM scores s JOIN units u USING (unit_id) LEFT JOIN sources src USING (source_id)
            """
        ).pl()
    rows.write_csv(path)
    return rows.height


def test_round_trip_of_every_stored_score_changes_nothing(fixture_db, tmp_path):
    n = stored_rows_as_long_csv(fixture_db, tmp_path / "all.csv")
    plan = imports.plan_import(fixture_db, tmp_path / "all.csv")
    assert plan.ok and plan.counts == (0, 0, n)


def test_round_trip_of_the_published_data_changes_nothing(published_db, tmp_path):
    n = stored_rows_as_long_csv(published_db, tmp_path / "published.csv")
    plan = imports.plan_import(published_db, tmp_path / "published.csv")
    assert plan.ok, [str(e) for e in plan.errors[:3]]
    assert plan.counts == (0, 0, n) and n > 100


# ---------- CLI hygiene ----------


def test_cli_never_reads_standard_input(fixture_db, monkeypatch, capsys):
    class NoInput(io.StringIO):
        def read(self, *args):
            raise AssertionError("stdin was read")

        readline = read

    monkeypatch.setattr(sys, "stdin", NoInput())
    assert main(cli_args(ANNEX, fixture_db, BASE | {"dry_run": True})) == 0
    monkeypatch.setenv("CHISO_STEWARD_PASSWORD", PASSWORD)
    assert main(["hash-password"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed.startswith("scrypt$") and auth.verify_password(PASSWORD, printed)


def test_bad_usage_exits_2(fixture_db):
    with pytest.raises(SystemExit) as exit_info:
        main(["import", str(ANNEX), "--year", "năm 2024", "--db", str(fixture_db)])
    assert exit_info.value.code == 2


def test_password_hash_round_trip():
    stored = auth.hash_password(PASSWORD)
    assert auth.verify_password(PASSWORD, stored)
    assert not auth.verify_password(PASSWORD + "x", stored)
    assert not auth.verify_password(PASSWORD, "plain text")
    assert not auth.valid_hash("scrypt$3$8$1$AAAA$AAAA")
    with pytest.raises(ValueError):
        auth.hash_password("short")


def test_report_roles_have_both_languages():
    for lang in LANGS:
        assert set(ROLE_KEYS.values()) <= set(messages(lang))


# ---------- the Data page ----------


def data_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)


def test_data_page_without_a_credential_is_read_only(fixture_db, monkeypatch):
    monkeypatch.delenv(auth.ENV_HASH, raising=False)
    at = data_page().run()
    assert not at.exception, at.exception
    assert not at.error and not at.warning
    assert any("chưa bật việc nhập số liệu" in i.value for i in at.info)
    assert not at.file_uploader and not at.text_input
    assert "Chưa có lần nhập nào." in [c.value for c in at.caption]
    assert_plain_words_for_a_viewer(at)


COMMAND_LINE = ("chiso ", "hash-password", "CHISO_", "secrets.toml", "scrypt", "`", "$ ")


def assert_plain_words_for_a_viewer(at: AppTest) -> None:
    """A committee member reads what the page is, what to download and whom to ask; no command."""
    shown = [e.value for kind in ("markdown", "caption", "info", "warning") for e in at.get(kind)]
    text = "\n".join(str(v) for v in shown)
    assert "Trang này là gì?" in text and "Mẫu tệp" in text and "nhật ký" in text
    assert "người quản lý dữ liệu của cơ quan" in text
    assert not [word for word in COMMAND_LINE if word in text], text


@pytest.mark.parametrize("configured", ["hash", "missing", "malformed"])
def test_a_viewer_reads_the_data_page_in_plain_words(fixture_db, monkeypatch, hashed, configured):
    if configured == "missing":
        monkeypatch.delenv(auth.ENV_HASH, raising=False)
    else:
        monkeypatch.setenv(auth.ENV_HASH, hashed if configured == "hash" else "my-plain-password")
    at = data_page().run()
    assert not at.exception, at.exception
    assert_plain_words_for_a_viewer(at)
    labels = [b.label for b in at.get("download_button")]
    assert any("Excel" in label or "XLSX" in label for label in labels), labels


def test_the_english_viewer_text_names_the_steward_and_no_command(fixture_db, monkeypatch):
    monkeypatch.delenv(auth.ENV_HASH, raising=False)
    at = data_page()
    at.query_params["lang"] = "en"
    at.run()
    text = "\n".join(str(e.value) for kind in ("markdown", "info") for e in at.get(kind))
    assert "What is this page?" in text and "data steward" in text
    assert not [word for word in COMMAND_LINE if word in text], text


def test_data_page_sign_in_is_slowed_after_a_failure(fixture_db, monkeypatch, hashed):
    from chiso.app import data as ui_data

    clock = [1000.0]
    monkeypatch.setattr(ui_data, "_now", lambda: clock[0])
    monkeypatch.setenv(auth.ENV_HASH, hashed)
    at = data_page().run()
    assert not at.file_uploader  # a viewer sees no upload
    at.text_input(key="data_signin_password").input("sai mật khẩu")
    at.button[0].click().run()
    assert any("Sai mật khẩu" in e.value for e in at.error)
    at.text_input(key="data_signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert any("hãy chờ" in e.value for e in at.error)  # refused without checking
    assert not at.file_uploader
    clock[0] += 2
    at.text_input(key="data_signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.file_uploader


def test_a_malformed_hash_keeps_the_page_read_only(fixture_db, monkeypatch):
    monkeypatch.setenv(auth.ENV_HASH, "my-plain-password")
    at = data_page().run()
    assert any("không hợp lệ" in w.value for w in at.warning)
    assert not at.text_input and not at.file_uploader


def test_a_forged_session_flag_is_not_a_sign_in(fixture_db, monkeypatch, hashed):
    monkeypatch.setenv(auth.ENV_HASH, hashed)
    at = data_page()
    at.session_state["_chiso_steward"] = {"fp": "0" * 16, "who": "intruder"}
    at.run()
    assert not at.file_uploader
    assert not [b for b in at.button if b.key in ("data_confirm", "data_undo")]


def test_write_functions_refuse_a_viewer(fixture_db, monkeypatch, hashed):
    monkeypatch.setenv(auth.ENV_HASH, hashed)
    before = fixture_db.read_bytes()
    said = said_by_calls(
        "from chiso.app import data as ui_data",
        'ui_data.undo("published")',
        'ui_data.preview("published", "a.csv", b"x", None)',
        'ui_data.confirm("published", None)',
    )
    assert said == ["Chỉ người quản lý dữ liệu đã đăng nhập mới được ghi dữ liệu."] * 3
    assert fixture_db.read_bytes() == before


def test_steward_previews_confirms_and_undoes_on_the_page(fixture_db, monkeypatch, hashed):
    monkeypatch.setenv(auth.ENV_HASH, hashed)
    before = scores_and_ranked(fixture_db)
    at = signed_in_data_page("Anh Minh", PASSWORD)
    assert at.file_uploader
    at.file_uploader(key="data_upload").set_value(
        (ANNEX.name, ANNEX.read_bytes(), "application/vnd.ms-excel")
    )
    at.run()
    options = {"data_opt_index": "PAR", "data_opt_year": "2024", "data_opt_province": "Tỉnh Mẫu"}
    choose_and_click(at, "data_preview", **options)
    assert any("Sẽ thêm 36 dòng" in m.value for m in at.markdown)
    assert [tab.label for tab in at.tabs] == ["Thêm (36)", "Sửa (0)", "Giữ nguyên (0)"]
    assert "C «Công tác chỉ đạo, điều hành CCHC (9,5 điểm)»" in at.dataframe[0].value.to_csv()
    assert "91,24" in at.dataframe[1].value.to_csv()  # the rows to add
    assert scores_and_ranked(fixture_db)[0].equals(before[0])  # nothing written before confirming
    at.button(key="data_confirm").click().run()
    assert not at.exception, at.exception
    assert any("Đã nhập lần #2" in s.value for s in at.success)
    assert "Anh Minh (web)" in at.dataframe[-1].value.to_csv()  # the audit view
    with queries.connect(fixture_db) as con:
        assert (
            queries.ranking(
                con, index="PAR", year=2024, peer_group="departments", scope_province="Tỉnh Mẫu"
            ).height
            == 4
        )
    at.checkbox(key="data_undo_sure").check().run()
    at.button(key="data_undo").click().run()
    assert any("Đã hoàn tác lần nhập #2" in s.value for s in at.success)
    after = scores_and_ranked(fixture_db)
    assert after[0].equals(before[0]) and after[1].equals(before[1])


def test_streamlit_upload_limit_is_configured():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "maxUploadSize = 20" in config


def test_a_rebuild_refuses_to_drop_imported_rows_unless_forced(tmp_path):
    """A build from data/ after an import would silently lose the import: it is refused."""
    from chiso.store.build import build, pending_imports
    from tests.conftest import CONFIG, write_data

    data = write_data(tmp_path / "data")
    db = tmp_path / "chiso.duckdb"
    build(CONFIG, data, db)
    long = tmp_path / "new.csv"
    long.write_text(
        "province,unit,index,year,score,rank_of\nTỉnh Mẫu,Sở Nội vụ,PAR,2024,90.5,4\n", encoding="utf-8"
    )
    plan = imports.plan_import(db, long)
    imports.apply_import(db, plan, who="test")
    assert pending_imports(db) == 1
    before = db.read_bytes()
    with pytest.raises(ChisoError, match="chiso audit --rows"):
        build(CONFIG, data, db)
    assert db.read_bytes() == before
    build(CONFIG, data, db, force=True)
    assert pending_imports(db) == 0


def test_a_published_rank_is_not_compared_with_a_rank_among_a_few_rows(shared_db, tmp_path):
    """2 of 19 departments with published ranks 8 and 3: the order of the two scores says
    nothing about ranks out of 19, so no 'thứ hạng công bố 8 khác thứ hạng theo điểm (1)'."""

    def ranked(name: str, noi_vu: str, y_te: str) -> Path:
        """Sở Nội vụ at 95 and Sở Y tế at 90 with the printed ``rank,rank_of`` given."""
        path = tmp_path / name
        path.write_text(
            "unit,index,year,score,rank,rank_of,source_title\n"
            f"Sở Nội vụ,PAR,2024,95,{noi_vu},Quyết định\nSở Y tế,PAR,2024,90,{y_te},Quyết định\n",
            encoding="utf-8",
        )
        return path

    plan = imports.plan_import(shared_db, ranked("few.csv", "8,19", "3,19"), ImportOptions(**BASE))
    assert plan.ok, [str(e) for e in plan.errors]
    assert not any("thứ hạng công bố" in w.message for w in plan.warnings)
    plan = imports.plan_import(shared_db, ranked("complete.csv", "2,2", "1,2"), ImportOptions(**BASE))
    assert any("thứ hạng công bố 2 khác thứ hạng theo điểm (1)" in w.message for w in plan.warnings)
