"""Targets: the status rules (met, missed, on track, at risk, cannot be judged on a partial table),
``chiso targets set|list`` through the audited write path and ``chiso undo``, the Data page form
(stewards only), the status on Rankings, Components and Profile, and the briefing pack."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from chiso import auth
from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.export import brief
from chiso.metrics import targets as metrics
from chiso.paths import CONFIG_PATH
from chiso.store import analysis_queries, queries
from chiso.store import targets as store
from chiso.views import brief as brief_view
from chiso.views import targets as view
from tests.conftest import said_by_calls, signed_in_data_page

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(CONFIG_PATH)
PAR = CATALOG.index("PAR")
PASSWORD = "mật khẩu mục tiêu"
TU_PHAP, Y_TE, NOI_VU, BA_BE, HOA_LAC = (
    "tinh-mau/so-tu-phap",
    "tinh-mau/so-y-te",
    "tinh-mau/so-noi-vu",
    "tinh-mau/huyen-ba-be",
    "tinh-mau/thanh-pho-hoa-lac",
)


def series_of(db: Path, unit_id: str) -> pl.DataFrame:
    with queries.connect(db) as con:
        frame = pl.DataFrame({"unit_id": [unit_id], "index_code": ["PAR"]})
        return store.series(con, frame)


def judge(db: Path, unit_id: str, year: int, kind: str, **target) -> metrics.TargetStatus:
    row = {
        "unit_id": unit_id,
        "index_code": "PAR",
        "year": year,
        "kind": kind,
        "component": None,
        "rank_of": None,
    }
    return metrics.evaluate({**row, **target}, series_of(db, unit_id), PAR)


# ---------- status rules ----------


def test_a_rank_target_on_a_table_that_is_not_complete_cannot_be_judged(fixture_db):
    # Localities 2022: two of three scored; Ba Bể has a score but no rank.
    ahead = judge(fixture_db, BA_BE, 2024, "rank", rank_target=1)
    assert (ahead.status, ahead.reason) == ("cannot_judge", "partial_table")
    assert ahead.required is None and ahead.gain_per_year is None  # no score for a rank is guessed
    final = judge(fixture_db, BA_BE, 2022, "rank", rank_target=2)
    assert (final.status, final.reason) == ("cannot_judge", "partial_table")
    # A published rank is a fact even on a partial table: the target year's published 1/3 is met.
    assert judge(fixture_db, HOA_LAC, 2022, "rank", rank_target=1).status == "met"
    # ... but a gain towards a rank is never computed from it.
    assert judge(fixture_db, HOA_LAC, 2024, "rank", rank_target=1).reason == "partial_table"


def test_met_and_missed_when_the_target_year_is_out(fixture_db):
    assert judge(fixture_db, NOI_VU, 2023, "score", value=93.0).status == "met"  # 93,0 exactly
    missed = judge(fixture_db, TU_PHAP, 2023, "rank", rank_target=2)
    assert (missed.status, missed.current_rank) == ("missed", 3)


def test_at_risk_means_the_gain_needed_per_year_exceeds_the_best_so_far(fixture_db):
    # Sở Tư pháp: 91,24 (2022) → 90,00 (2023); its best yearly gain is −1,24.
    risk = judge(fixture_db, TU_PHAP, 2025, "score", value=95.0)
    assert risk.status == "at_risk"
    assert (risk.gap, risk.years_left, risk.gain_per_year) == (5.0, 2, 2.5)
    assert risk.best_gain == pytest.approx(-1.24) and risk.best_gain_years == (2022, 2023)
    # Sở Y tế: 88 → 94 (+6 a year). Needing exactly its best (6 a year) is on track; more is at risk.
    assert judge(fixture_db, Y_TE, 2024, "score", value=100.0).status == "on_track"
    assert judge(fixture_db, Y_TE, 2025, "tier", tier_code="A").status == "on_track"  # 94 % is tier A
    assert judge(fixture_db, NOI_VU, 2024, "score", value=99.5).status == "at_risk"  # fell 2,5


def test_a_rank_target_on_a_complete_table_needs_the_kth_best_score(fixture_db):
    # 2023 is complete (4 of 4): to rank first, Sở Tư pháp must reach Sở Y tế's 94.
    status = judge(fixture_db, TU_PHAP, 2024, "rank", rank_target=1, rank_of=4)
    assert (status.status, status.required, status.gap, status.gain_per_year) == ("at_risk", 94.0, 4.0, 4.0)
    other_n = judge(fixture_db, TU_PHAP, 2024, "rank", rank_target=1, rank_of=63)
    assert (other_n.status, other_n.reason) == ("cannot_judge", "other_n")


def test_a_floor_is_judged_on_its_component_and_rooms_come_from_what_it_takes(fixture_db):
    floor = judge(fixture_db, NOI_VU, 2022, "floor", component="chi_dao_dieu_hanh", value=9.0)
    assert (floor.status, floor.current) == ("met", 9.5)
    assert (
        judge(fixture_db, Y_TE, 2025, "floor", component="chi_dao_dieu_hanh", value=9.0).status == "no_data"
    )
    # Sở Nội vụ fell 95,5 → 93: a 2024 score of 99,5 is at risk, with its 2023 room (no components then).
    behind = judge(fixture_db, NOI_VU, 2024, "score", value=99.5)
    assert behind.room == ()


def test_one_year_of_data_counts_as_no_gain_yet():
    rows = pl.DataFrame(
        {
            "unit_id": ["u"],
            "name": ["Sở Mẫu"],
            "index_code": ["PAR"],
            "rank_basis": [None],
            "component": [None],
            "year": [2023],
            "score": [80.0],
            "max_score": [100.0],
            "pct_of_max": [80.0],
            "rank": [None],
            "rank_of": [None],
            "complete": [False],
            "tier_code": ["B"],
            "province": ["P"],
            "peer_group": ["departments"],
        },
        schema_overrides={
            "component": pl.String,
            "rank": pl.Int32,
            "rank_of": pl.Int32,
            "rank_basis": pl.String,
        },
    )
    status = metrics.evaluate(
        {"unit_id": "u", "index_code": "PAR", "year": 2025, "kind": "score", "value": 81.0}, rows, PAR
    )
    assert (status.status, status.reason, status.best_gain) == ("at_risk", "no_history", None)


def test_best_yearly_gain_is_compared_in_percent_of_maximum_across_gaps_in_years():
    rows = pl.DataFrame({"year": [2019, 2021, 2022], "pct_of_max": [50.0, 60.0, 61.0]})
    assert metrics.best_yearly_gain(rows) == (5.0, (2019, 2021))


# ---------- the command line ----------


def targets_file(path: Path, *lines: str) -> Path:
    """A targets CSV of ``lines`` (the header first), UTF-8."""
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def cli(db: Path, *args: str) -> int:
    return main([*args, "--db", str(db)])


def stored(db: Path) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        known = con.sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'targets'"
        ).fetchall()
        return (
            con.sql("SELECT * EXCLUDE (set_at) FROM targets ORDER BY ALL").pl()
            if known[0][0]
            else pl.DataFrame()
        )


SET = ["targets", "set", "--unit", "Sở Tư pháp", "--province", "Tỉnh Mẫu", "--index", "PAR", "--year", "2025"]
SOURCE = ["--source", "Nghị quyết 05-NQ/TU", "--source-url", "https://example.invalid/nq05"]


def test_cli_set_list_and_undo_round_trip(fixture_db, capsys):
    assert cli(fixture_db, *SET, "--rank", "2", "--rank-of", "4", *SOURCE) == 0
    assert "Đã ghi lần #2" in capsys.readouterr().out
    assert cli(fixture_db, *SET, "--floor", "chi_dao_dieu_hanh=8.5", *SOURCE) == 0
    capsys.readouterr()
    assert cli(fixture_db, "targets", "list", "--format", "csv") == 0
    listed = pl.read_csv(capsys.readouterr().out.encode(), infer_schema=False)
    assert listed.columns == view.MACHINE_COLUMNS
    rank = listed.filter(pl.col("kind") == "rank").row(0, named=True)
    assert (rank["status"], rank["required"], rank["gap"], rank["gain_per_year"]) == (
        "at_risk",
        "93.0",
        "3.0",
        "1.5",
    )
    assert rank["source_url"] == "https://example.invalid/nq05"
    assert listed.filter(pl.col("kind") == "floor")["status"].to_list() == ["no_data"]
    # The same target again changes nothing; another level needs --replace.
    assert cli(fixture_db, *SET, "--rank", "2", "--rank-of", "4", *SOURCE) == 0
    assert "Không có thay đổi nào" in capsys.readouterr().out
    before = stored(fixture_db)
    assert cli(fixture_db, *SET, "--rank", "1", *SOURCE) == 1
    assert "--replace" in capsys.readouterr().err
    assert stored(fixture_db).equals(before)
    assert cli(fixture_db, *SET, "--rank", "1", "--rank-of", "4", *SOURCE, "--replace") == 0
    capsys.readouterr()
    assert stored(fixture_db).filter(pl.col("kind") == "rank")["rank_target"].to_list() == [1]
    # chiso undo takes the last write back, then the one before.
    assert main(["undo", "--db", str(fixture_db)]) == 0
    assert stored(fixture_db).equals(before)
    assert main(["undo", "--db", str(fixture_db)]) == 0
    assert main(["undo", "--db", str(fixture_db)]) == 0
    assert stored(fixture_db).is_empty()
    capsys.readouterr()
    assert cli(fixture_db, "targets", "list") == 0
    assert "Chưa có mục tiêu nào." in capsys.readouterr().out


def test_cli_refuses_bad_targets_naming_the_column_and_changes_nothing(fixture_db, capsys, tmp_path):
    before = fixture_db.read_bytes()
    assert cli(fixture_db, *SET, "--rank", "0", *SOURCE) == 1
    assert "cột target" in capsys.readouterr().err
    assert cli(fixture_db, *SET, "--tier", "Z", "--source", "NQ") == 1
    assert "không có xếp loại Z; có: A, B, C" in capsys.readouterr().err
    assert cli(fixture_db, "--lang", "en", *SET, "--score", "101", "--source", "NQ") == 1
    assert "column target: points 101 outside 0–100" in capsys.readouterr().err
    assert cli(fixture_db, *SET, "--score", "90") == 1  # no document
    assert "--source" in capsys.readouterr().err
    rows = ["Tỉnh Mẫu,Sở Y tế,PAR,2025,rank,1,NQ", "Tỉnh Mẫu,Sở Không Có,PAR,2025,rank,1,NQ"]
    bad = targets_file(tmp_path / "targets.csv", "province,unit,index,year,kind,target,source_title", *rows)
    assert cli(fixture_db, "targets", "set", "--file", str(bad)) == 1
    assert "targets.csv, dòng 3, cột unit: Không tìm thấy đơn vị 'Sở Không Có'" in capsys.readouterr().err
    big = tmp_path / "big.csv"
    big.write_bytes(b"province,unit,index,year,kind,target\n" + b"x,y,PAR,2025,rank,1\n" * 60_000)
    assert cli(fixture_db, "targets", "set", "--file", str(big)) == 1
    assert "big.csv: tệp mục tiêu vượt 1 MB" in capsys.readouterr().err
    assert fixture_db.read_bytes() == before


def test_a_targets_file_and_its_audit_rows_read_back(fixture_db, capsys, tmp_path):
    good = targets_file(
        tmp_path / "nq.csv",
        "province,unit,index,year,kind,target,rank_of,component,source_title,source_url,quote",
        "Tỉnh Mẫu,Sở Y tế,PAR,2025,tier,A,,,NQ 05,,giữ vững xếp loại A",
        "Tỉnh Mẫu,Sở Nội vụ,PAR,2025,floor,9,,chi_dao_dieu_hanh,NQ 05,,",
    )
    assert cli(fixture_db, "targets", "set", "--file", str(good)) == 0
    capsys.readouterr()
    assert main(["audit", "--rows", "2", "--db", str(fixture_db)]) == 0
    back = tmp_path / "back.csv"
    back.write_text(capsys.readouterr().out, encoding="utf-8")
    assert cli(fixture_db, "targets", "set", "--file", str(back), "--dry-run") == 0
    assert "giữ nguyên 2" in capsys.readouterr().out


# ---------- the pages and the briefing pack ----------


@pytest.fixture
def hashed(monkeypatch) -> str:
    value = auth.hash_password(PASSWORD)
    monkeypatch.setenv(auth.ENV_HASH, value)
    return value


def test_a_viewer_sees_no_target_form(fixture_db, hashed):
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60).run()
    assert not at.exception
    assert not [b for b in at.button if b.key in ("target_preview", "target_confirm")]
    assert "target_unit" not in [s.key for s in at.selectbox]


def test_a_steward_sets_a_target_and_rankings_and_profile_show_its_status(fixture_db, hashed):
    at = signed_in_data_page("Chị Lan", PASSWORD)
    at.selectbox(key="target_unit").select(TU_PHAP)
    at.number_input(key="target_year").set_value(2025)
    at.selectbox(key="target_kind").select("rank")
    at.text_input(key="target_value").input("2")
    at.text_input(key="target_rank_of").input("4")
    at.text_input(key="target_source").input("Nghị quyết 05-NQ/TU")
    at.button(key="target_preview").click().run()
    assert not at.exception, at.exception
    assert any("Sẽ thêm 1" in m.value for m in at.markdown)
    assert stored(fixture_db).is_empty()  # nothing written before confirming
    at.button(key="target_confirm").click().run()
    assert any("Đã ghi lần #2" in s.value for s in at.success)
    assert "Chị Lan (web)" in at.dataframe[-1].value.to_csv()  # the audit view
    assert stored(fixture_db)["set_by"].to_list() == ["Chị Lan (web)"]

    def page(name: str, **query) -> str:
        run = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            run.query_params[key] = value
        run.run()
        run.switch_page(name).run()
        assert not run.exception, run.exception
        return "\n".join([m.value for m in run.markdown] + [d.value.to_csv() for d in run.dataframe])

    query = {"group": "departments", "province": "Tỉnh Mẫu", "index": "PAR", "year": "2023"}
    shown = page("pages/rankings.py", **query)
    assert "Sở Tư pháp — Chỉ số CCHC 2025, hạng ≤ 2/4: Có nguy cơ không đạt" in shown
    assert "cần tăng 1,50 điểm/năm trong 2 năm" in shown
    profile = page("pages/profile.py", unit=TU_PHAP)
    assert "Có nguy cơ không đạt" in profile
    gaps = page("pages/gaps.py", **query, unit=TU_PHAP)
    assert "Có nguy cơ không đạt" in gaps
    # Another unit's profile shows no targets section.
    assert "Mục tiêu" not in page("pages/profile.py", unit=NOI_VU)
    # The Data page's undo takes the target back; the pages no longer show it.
    at.checkbox(key="data_undo_sure").check().run()
    at.button(key="data_undo").click().run()
    assert any("Đã hoàn tác lần nhập #2" in s.value for s in at.success)
    assert stored(fixture_db).is_empty()
    assert "Có nguy cơ không đạt" not in page("pages/rankings.py", **query)


def test_the_briefing_pack_shows_the_units_targets(fixture_db, capsys, tmp_path):
    assert cli(fixture_db, *SET, "--score", "95", *SOURCE) == 0
    out = tmp_path / "brief.html"
    assert (
        cli(
            fixture_db,
            "brief",
            "--unit",
            "Sở Tư pháp",
            "--province",
            "Tỉnh Mẫu",
            "--year",
            "2023",
            "--out",
            str(out),
        )
        == 0
    )
    document = out.read_text(encoding="utf-8")
    assert "<h3>Mục tiêu</h3>" in document
    assert "điểm ≥ 95,00: Có nguy cơ không đạt" in document
    assert "Văn bản: Nghị quyết 05-NQ/TU." in document
    # The target's document is among the pack's numbered sources, with its link.
    assert 'href="https://example.invalid/nq05"' in document
    with queries.connect(fixture_db) as con:
        read = analysis_queries.unit_year(con, unit_id=NOI_VU, year=2023, order=CATALOG.codes)
    other = brief.briefing_html(brief_view.build(CATALOG, read, year=2023, lang="vi"))
    assert "Mục tiêu" not in other


def test_the_write_functions_refuse_a_viewer(fixture_db, hashed):
    before = fixture_db.read_bytes()
    said = said_by_calls(
        "from chiso.app import targets as app_targets",
        'app_targets.preview("published", {})',
        'app_targets.confirm("published", None)',
    )
    assert said == ["Chỉ người quản lý dữ liệu đã đăng nhập mới được đặt mục tiêu."] * 2
    assert fixture_db.read_bytes() == before


def test_a_tier_target_follows_the_printed_tier_and_no_band_where_the_source_contradicts_them(published_db):
    """PCI 2021 prints 'Tốt' for Hải Phòng's 70,61 where the configured bands say 'Rất tốt' from
    70 %: a 'Rất tốt' target of Hải Phòng is missed (as printed), one of 'Tốt' met; a unit whose
    tier the source did not print (Hà Nội's taken out here) cannot be judged from bands the
    source does not follow."""
    pci = CATALOG.index("PCI")
    with queries.connect(published_db) as con:
        series = queries.series(con, index="PCI", peer_group="provinces", scope_province="")
        rows = analysis_queries.table_rows(
            con, index="PCI", year=2021, peer_group="provinces", scope_province=""
        )
    rows = pl.concat([rows, series.filter(pl.col("year") != 2021)], how="diagonal_relaxed")

    def status(unit_id: str, tier: str) -> tuple:
        target = {"unit_id": unit_id, "index_code": "PCI", "year": 2021, "kind": "tier", "tier_code": tier}
        found = metrics.evaluate({**target, "component": None, "rank_of": None}, rows, pci)
        return found.status, found.reason

    assert status("hai-phong/hai-phong", "rat_tot") == ("missed", None)
    assert status("hai-phong/hai-phong", "tot") == ("met", None)
    assert status("ha-noi/ha-noi", "rat_tot") == ("missed", None)  # printed 'Tốt'
    rows = rows.with_columns(
        printed_tier=pl.when(pl.col("unit_id") == "ha-noi/ha-noi").then(None).otherwise("printed_tier")
    )
    assert status("ha-noi/ha-noi", "rat_tot") == ("cannot_judge", "bands_contradicted")
