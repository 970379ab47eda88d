"""The demo province is reorganised on 1 July 2025: its localities end, 51 new communes, wards
and a special zone take their territory (one shared between two localities), a department
merges; the trend of a new unit shows its predecessors apart, the break marked."""

from __future__ import annotations

import csv
import re
from datetime import date

import duckdb
import polars as pl
import pytest

from chiso.config import load_catalog
from chiso.demo.province import write_demo_data
from chiso.errors import ChisoError
from chiso.selection import Selection
from chiso.store import lineage_table, queries
from chiso.store.build import build
from chiso.views import trends
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)


@pytest.fixture(scope="module")
def con(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as connection:
        yield connection


def test_localities_end_and_new_units_begin_in_2025(con):
    old = con.sql(
        "SELECT count(*) FROM units "
        "WHERE province = 'Sơn Hải' AND peer_group = 'localities' AND valid_to = 2025"
    ).fetchall()[0][0]
    new = con.sql(
        "SELECT count(*) FROM units WHERE province = 'Sơn Hải' AND valid_from = 2025 "
        "AND unit_type IN ('commune', 'ward', 'special_zone')"
    ).fetchall()[0][0]
    assert (old, new) == (13, 51)
    table = con.sql(
        "SELECT n_rows, complete FROM ranked_tables WHERE index_code = 'PAR' AND year = 2025 "
        "AND peer_group = 'communes' AND scope_province = 'Sơn Hải'"
    ).fetchall()
    assert table == [(51, True)]


def test_demo_lineage_splits_localities_and_shares_units(con):
    edges = con.sql("SELECT * FROM lineage WHERE successor_province = 'Sơn Hải'").pl()
    assert (
        edges.get_column("predecessor_id").null_count() == 0
        and edges.get_column("successor_id").null_count() == 0
    )
    per_old = (
        edges.filter(pl.col("predecessor_id").str.contains("thanh-pho|thi-xa|huyen"))
        .group_by("predecessor")
        .len()
    )
    assert per_old.height == 13 and per_old.get_column("len").min() >= 1
    shared = (
        edges.group_by("successor").agg(pl.col("predecessor").n_unique().alias("n")).filter(pl.col("n") == 2)
    )
    assert shared.height == 12  # every locality but the island shares one new unit with the next
    merged = edges.filter(pl.col("predecessor") == "Sở Ngoại vụ").select("successor", "date", "kind").rows()
    assert merged == [("Văn phòng UBND tỉnh", date(2025, 3, 1), "whole")]


def test_trend_of_a_new_ward_shows_its_two_predecessors_before_the_break(con):
    series = queries.series(con, index="PAR", peer_group="communes", scope_province="Sơn Hải")
    unit = series.filter(pl.col("name") == "Phường Hải Minh Tây").item(0, "unit_id")
    preds = lineage_table.predecessors(con, unit_ids=[unit])
    totals = lineage_table.totals_of(
        con, unit_ids=[unit, *preds.get_column("other_id").to_list()], index="PAR"
    )
    sel = Selection("communes", "Sơn Hải", "PAR", 2026)
    view = trends.build(series, [unit], "score", CATALOG.index("PAR"), sel, "vi", CATALOG, (preds, totals))
    lines = {d.name: [x for x, y in zip(d.x, d.y, strict=True) if y is not None] for d in view.figure.data}
    assert lines["Phường Hải Minh Tây"] == [2025, 2026]
    for former in ("Thành phố Hải Minh", "Thành phố Vân Khê"):
        assert max(lines[f"{former} (tiền thân của Phường Hải Minh Tây)"]) == 2024
    assert not any("suy ra" in name for name in lines)  # split localities: no mean is invented
    assert not any("suy ra" in note for note in view.reorg_notes)
    assert 2024.5 in [shape.x0 for shape in view.figure.layout.shapes]
    ranked = trends.build(series, [unit], "rank", CATALOG.index("PAR"), sel, "vi", CATALOG, (preds, totals))
    assert ranked.rank_as_percentile  # 13 localities, then 51 communes and wards


def _rewrite(path, change) -> None:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _spoil(rows) -> None:
    rows[2]["successor"] = "Xã Không Có"  # line 4
    rows[4]["date"] = "01/07/2025"  # line 6
    rows[5]["kind"] = "toàn bộ"  # line 7


def test_a_lineage_file_naming_an_unknown_unit_is_refused_with_its_line(tmp_path):
    folder = write_demo_data(CATALOG, tmp_path / "data", 2024)
    _rewrite(folder / "lineage.csv", _spoil)
    db = tmp_path / "demo.duckdb"
    with pytest.raises(
        ChisoError, match=r"data/lineage\.csv, dòng 4, cột successor: không có đơn vị 'Xã Không Có' ở Sơn Hải"
    ):
        build(CONFIG, folder, db)
    assert not db.exists()


def test_a_bad_lineage_file_is_one_coded_message_in_either_language_and_changes_nothing(tmp_path, capsys):
    """``chiso --lang en build`` with a bad data/lineage.csv: one English line naming the file, row
    and column of the first problem and how many more there are; the database built before is
    untouched; no traceback. The same in Vietnamese; an unreadable file and a missing column too."""
    from tests.conftest import run_cli

    folder = write_demo_data(CATALOG, tmp_path / "data", 2024)
    db = tmp_path / "demo.duckdb"
    build(CONFIG, folder, db)
    before = db.read_bytes()
    lineage_csv = folder / "lineage.csv"
    good = lineage_csv.read_bytes()
    _rewrite(lineage_csv, _spoil)
    said = {
        "en": "chiso: data/lineage.csv, row 4, column successor: no unit 'Xã Không Có' in Sơn Hải in the "
        "units file (official or short name) (and 2 more problems in the file)\n",
        "vi": "chiso: data/lineage.csv, dòng 4, cột successor: không có đơn vị 'Xã Không Có' ở Sơn Hải "
        "trong danh mục đơn vị (tên chính thức hoặc tên ngắn) (và 2 lỗi khác trong tệp)\n",
    }
    for lang, line in said.items():
        code, out, err = run_cli(capsys, "--lang", lang, "build", data=folder, db=db)
        assert (code, err) == (1, line), out
    lineage_csv.write_bytes(good)
    _rewrite(lineage_csv, lambda rows: rows[1].update(kind="một phần"))
    code, _out, err = run_cli(capsys, "--lang", "en", "build", data=folder, db=db)
    assert err == "chiso: data/lineage.csv, row 3, column kind: 'một phần' is not whole or part\n"
    lineage_csv.write_text("province,predecessor,successor\nSơn Hải,a,b\n", encoding="utf-8")
    code, _out, err = run_cli(capsys, "--lang", "en", "build", data=folder, db=db)
    assert err == "chiso: data/lineage.csv, row 1: missing columns date, kind, source_title\n"
    header = ",".join(lineage_table.LINEAGE_FILE_COLUMNS) + "\n"
    row = b"S\xf5n H\xd2ai,V\xe3n ph\xf2ng,x,2025-03-01,whole,\n"  # Windows-1258 bytes, not UTF-8
    lineage_csv.write_bytes(header.encode() + row)
    code, _out, err = run_cli(capsys, "--lang", "en", "build", data=folder, db=db)
    assert code == 1 and err.startswith("chiso: data/lineage.csv: cannot be read as CSV (")
    assert "Traceback" not in err
    assert db.read_bytes() == before


def test_profile_of_a_new_ward_sets_its_predecessors_beside_it(con):
    from chiso.store import analysis_queries
    from chiso.views import profile

    unit = con.sql("SELECT unit_id FROM units WHERE name = 'Phường Hải Minh Tây'").fetchall()[0][0]
    edges = lineage_table.lineage_of(con, unit_id=unit)
    last = lineage_table.last_results(con, unit_ids=edges.get_column("other_id").to_list())
    preds = lineage_table.predecessors(con, unit_ids=[unit])
    totals = lineage_table.totals_of(con, unit_ids=[unit, *preds.get_column("other_id").to_list()])
    rows = analysis_queries.unit_rows(con, unit_id=unit)
    view = profile.build(rows, 2026, CATALOG, "vi", (edges, last), (preds, totals))
    assert view.lineage.display.get_column("Hình thức").to_list() == ["một phần", "một phần"]
    par = view.before_after.filter(pl.col("Chỉ số") == "Chỉ số CCHC")
    assert par.get_column("Năm").to_list() == [2023, 2023, 2024, 2024, 2025, 2026]
    assert re.fullmatch(r"\d+/51 · phân vị \d+", par.filter(pl.col("Năm") == 2025).item(0, "Hạng · phân vị"))
    assert not any("suy ra" in note for note in view.before_after_notes)  # split localities: no mean
