"""The shipped published data: the Hòa Bình 2022 decision table and the CLI on it."""

import csv
import io
import json

import duckdb
import pytest

from chiso import paths
from chiso.cli.main import main
from chiso.store import queries
from tests.conftest import run_cli


def rank_csv(capsys, db, **flags) -> tuple[int, str, list[dict]]:
    """``chiso rank --format csv`` with ``flags``: exit code, the CSV text and its rows."""
    code, out, _ = run_cli(capsys, "rank", format="csv", db=db, **flags)
    return code, out, list(csv.DictReader(io.StringIO(out)))


def test_par_2022_departments_match_the_published_ranks(published_db, capsys):
    code, out, rows = rank_csv(
        capsys, published_db, index="PAR", year=2022, province="Hòa Bình", unit_type="department"
    )
    assert code == 0 and len(rows) == 19
    assert out.splitlines()[0] == (
        "rank,rank_of,percentile,unit,score,max_score,pct_of_max,tier,printed_tier,printed,printed_change,"
        "printed_rank_change,published_rank,rank_basis,flag,note,source_title,source_url"
    )
    assert rows[0]["unit"] == "Sở Nội vụ" and rows[0]["score"] == "96.85"
    assert all(r["rank"] == r["published_rank"] and r["rank_of"] == "19" for r in rows)
    assert not out.startswith("\ufeff")


def test_sipas_2022_ties(published_db, capsys):
    _, _, rows = rank_csv(
        capsys, published_db, index="SIPAS", year=2022, province="Hoà Bình", unit_type="departments"
    )
    ranks = [int(r["rank"]) for r in rows]
    assert ranks[:10] == [1, 2, 3, 4, 4, 6, 7, 8, 8, 10]


@pytest.mark.parametrize(
    ("unit_type", "province", "index", "year", "first"),
    [
        # Quảng Ninh ranks its central agencies apart (units.csv), Đà Nẵng with its departments.
        ("central_agency", "Quảng Ninh", "PAR", "2024", "Kho bạc Nhà nước tỉnh"),
        ("central_agencies", "Quảng Ninh", "PAR", "2024", "Kho bạc Nhà nước tỉnh"),
        ("central_agency", "Đà Nẵng", "DDCI", "2018", "Sở Thông tin và Truyền thông"),
        ("ward", "Hải Phòng", "PAR", "2025", "Phường Hồng Bàng"),  # 45 wards ranked apart
    ],
)
def test_a_unit_type_reaches_the_block_its_units_are_ranked_in(
    published_db, capsys, unit_type, province, index, year, first
):
    code, _, rows = rank_csv(
        capsys, published_db, index=index, year=year, province=province, unit_type=unit_type
    )
    assert code == 0 and rows[0]["unit"] == first
    if unit_type == "central_agency" and province == "Đà Nẵng":
        assert "Bảo hiểm Xã hội thành phố" in [r["unit"] for r in rows]


def test_json_and_national_groups(published_db, capsys):
    code, out, _ = run_cli(
        capsys, "rank", index="PAR", year="2023", unit_type="province", format="json", db=published_db
    )
    rows = json.loads(out)
    assert code == 0 and rows[0]["unit"] == "Quảng Ninh" and rows[0]["rank_of"] == 63


HOA_BINH_DEPARTMENTS = {"unit_type": "department", "province": "Hòa Bình"}


@pytest.mark.parametrize(
    ("flags", "code", "text"),
    [
        ({"index": "PAR", "year": 2022, "unit_type": "department"}, 1, "--province"),
        ({"index": "NOPE", "year": 2022, **HOA_BINH_DEPARTMENTS}, 1, "NOPE"),
        ({"index": "PAR", "year": 1999, **HOA_BINH_DEPARTMENTS}, 1, "Không có dữ liệu"),
        ({"index": "PAR", "year": 2022, "unit_type": "galaxy", "province": "Hòa Bình"}, 1, "galaxy"),
    ],
)
def test_cli_errors(published_db, capsys, flags, code, text):
    got, _, err = run_cli(capsys, "rank", db=published_db, **flags)
    assert got == code and text in err and len(err.strip().splitlines()) == 1


def test_cli_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["rank", "--year", "2022"])
    assert exc.value.code == 2


def test_doubtful_figures_are_flagged(published_db):
    with duckdb.connect(str(published_db), read_only=True) as con:
        flag = con.sql("SELECT flag FROM ranked WHERE name = 'Huyện Vân Đồn' AND year = 2020").fetchall()[0][
            0
        ]
        averages = con.sql("SELECT count(*) FROM published_stats").fetchall()[0][0]
    assert "24,22" in flag
    # Every published average or median in data/averages.csv is stored (never as a unit).
    with (paths.DATA_DIR / "averages.csv").open(encoding="utf-8") as handle:
        assert averages == len(list(csv.DictReader(handle)))


def test_every_reference_row_is_shipped(published_db):
    with queries.connect(published_db) as con:
        n_scores = con.sql("SELECT count(*) FROM scores").fetchall()[0][0]
        n_extra = con.sql("SELECT count(*) FROM score_sources").fetchall()[0][0]
        n_stats = con.sql("SELECT count(*) FROM published_stats").fetchall()[0][0]
        counts = con.sql("SELECT count(*) FROM one_stop_counts").fetchall()[0][0]
        rates = con.sql("SELECT count(*) FROM one_stop_rates").fetchall()[0][0]
    # published_scores.csv has 448 rows (DGI Đầm Hà 2021 becomes two: the total's rank, the survey
    # component); published_scores_2026.csv 503, of which 6 are not written (the national DTI index
    # twice, four provincial PAR area scores: the converter prints why).
    assert n_scores + n_extra + n_stats == 448 + 1 + 503 - 6
    assert counts + rates == 37


def test_the_cli_file_keeps_what_the_sources_printed(published_db, capsys):
    """``chiso rank --format csv`` holds the printed score, change and rank change beside the bare
    numbers, as the page shows them: Quảng Ninh's PCI 2024 '+1,95' in words, TP HCM's '2 bậc'."""
    code, _, rows = rank_csv(capsys, published_db, index="PCI", year=2024, unit_type="provinces")
    by_unit = {r["unit"]: r for r in rows}
    assert code == 0
    assert by_unit["Quảng Ninh"]["printed_change"] == "tăng 1,95 điểm so với năm 2023"
    assert by_unit["Hồ Chí Minh"]["printed_rank_change"] == "tụt xuống 2 bậc"
    assert by_unit["Hải Phòng"]["printed_rank_change"] == ""
