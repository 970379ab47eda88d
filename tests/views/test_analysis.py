"""Where the points are lost: component gaps, what it takes, the rank-change split, findings
in plain Vietnamese and English, and the ``chiso gaps`` / ``chiso profile`` commands."""

from __future__ import annotations

import csv
import io
import json

import polars as pl
import pytest

from chiso.config import load_catalog
from chiso.demo.province import build_demo
from chiso.i18n import t
from chiso.metrics import gaps
from chiso.paths import CONFIG_PATH
from chiso.store import analysis_queries as aq
from chiso.store import queries
from chiso.views import findings
from tests.conftest import run_cli

CATALOG = load_catalog(CONFIG_PATH)
PCI, PAR, SIPAS = CATALOG.index("PCI"), CATALOG.index("PAR"), CATALOG.index("SIPAS")
QUANG_NINH = "quang-ninh/quang-ninh"
DAM_HA = "quang-ninh/huyen-dam-ha"


@pytest.fixture(scope="module")
def pci_2019(published_db) -> pl.DataFrame:
    with queries.connect(published_db) as con:
        return aq.table_rows(con, index="PCI", year=2019, peer_group="provinces", scope_province="")


@pytest.fixture(scope="module")
def dam_ha(published_db) -> pl.DataFrame:
    with queries.connect(published_db) as con:
        return aq.unit_rows(con, unit_id=DAM_HA)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(CONFIG_PATH, db)
    return db


def table(scores: dict[str, float | None], *, complete: bool = True, ranks: dict[str, int] | None = None):
    """A one-table frame of totals with the ranked columns the analysis reads."""
    ranks = ranks or {}
    rows = []
    for name, score in scores.items():
        rows.append(
            {
                "unit_id": name.lower(),
                "name": name,
                "short_name": name,
                "component": None,
                "score": score,
                "max_score": 100.0,
                "rank": ranks.get(name, 1 + sum(1 for s in scores.values() if s is not None and s > score)),
                "rank_of": len(scores),
                "rank_basis": "computed",
                "complete": complete,
            }
        )
    return pl.DataFrame(rows)


# ---------- component gaps on the published PCI 2019 table ----------


def test_pci_2019_has_22_provinces_and_ten_sub_indices(pci_2019):
    comps = gaps.components(pci_2019)
    assert comps.get_column("unit_id").n_unique() == 22
    assert comps.get_column("component").n_unique() == 10


def test_quang_ninh_points_lost_without_ranks_among_the_22_of_63(pci_2019):
    frame = gaps.component_gaps(
        pci_2019, QUANG_NINH, gaps.component_names(PCI, "Quảng Ninh", "provinces", 2019, "vi")
    )
    assert frame.columns[: len(gaps.GAP_COLUMNS)] == gaps.GAP_COLUMNS
    assert frame.height == 10
    comps = gaps.components(pci_2019)
    for row in frame.iter_rows(named=True):
        peers = comps.filter(pl.col("component") == row["component"]).get_column("score")
        assert row["points_lost"] == pytest.approx(10 - row["score"])
        assert row["pct_of_max"] == pytest.approx(row["score"] * 10)
        # 22 of the 63 provinces are in the data: no rank and no peer mean from them
        assert row["rank_of"] is None and row["component_rank"] is None and row["peer_mean"] is None
        assert row["best_score"] == peers.max()
        assert row["gap_to_best"] == pytest.approx(peers.max() - row["score"])
    lost = frame.get_column("points_lost").to_list()
    assert lost == sorted(lost, reverse=True)


@pytest.mark.parametrize(
    ("component", "name", "score", "points_lost", "rank", "best_unit"),
    [
        ("dich_vu_ho_tro_doanh_nghiep", "Dịch vụ hỗ trợ doanh nghiệp", 6.68, 3.32, 11, "Long An"),
        ("tiep_can_dat_dai", "Tiếp cận đất đai", 7.0, 3.0, 13, "Vĩnh Long"),
        ("tinh_nang_dong", "Tính năng động", 7.96, 2.04, 2, "Đồng Tháp"),
    ],
)
def test_quang_ninh_published_sub_indices(pci_2019, component, name, score, points_lost, rank, best_unit):
    frame = gaps.component_gaps(
        pci_2019, QUANG_NINH, gaps.component_names(PCI, "Quảng Ninh", "provinces", 2019, "vi")
    )
    row = frame.filter(pl.col("component") == component).row(0, named=True)
    assert (row["name"], row["score"], row["points_lost"], row["best_unit"]) == (
        name,
        score,
        points_lost,
        best_unit,
    )
    # ``rank`` is its order among the 22 provinces in the data: never shown as a rank of 63
    assert row["component_rank"] is None and rank > 0


def test_gap_ties_share_the_better_rank_and_name_every_best_unit():
    rows = pl.concat(
        [
            table({"A": 90.0, "B": 80.0, "C": 70.0}),
            pl.DataFrame(
                {
                    "unit_id": ["a", "b", "c"],
                    "name": ["A", "B", "C"],
                    "short_name": ["A", "B", "C"],
                    "component": ["x", "x", "x"],
                    "score": [8.0, 8.0, 6.0],
                    "max_score": [10.0, 10.0, 10.0],
                    "rank": [1, 1, 3],
                    "rank_of": [3, 3, 3],
                    "rank_basis": ["computed"] * 3,
                    "complete": [True] * 3,
                },
                schema_overrides={"rank": pl.Int64, "rank_of": pl.Int64},
            ),
        ],
        how="vertical_relaxed",
    )
    b = gaps.component_gaps(rows, "b").row(0, named=True)
    c = gaps.component_gaps(rows, "c").row(0, named=True)
    assert (b["component_rank"], b["best_unit"], b["gap_to_best"]) == (1, "A; B", 0)
    assert (c["component_rank"], c["rank_of"], c["gap_to_best"]) == (3, 3, pytest.approx(2.0))


def test_heatmap_is_22_provinces_by_10_components_in_rank_order(pci_2019):
    names = gaps.component_names(PCI, "Quảng Ninh", "provinces", 2019, "vi")
    matrix = gaps.heatmap_matrix(pci_2019, names)
    assert matrix.shape == (22, 2 + 10)
    assert matrix.columns[2:] == list(names)
    assert matrix.row(0, named=True)["unit"] == "Quảng Ninh"
    assert matrix.filter(pl.col("unit_id") == QUANG_NINH).item(0, "tinh_nang_dong") == pytest.approx(79.6)


# ---------- what it takes ----------


@pytest.mark.parametrize(
    ("score", "tier", "points"),
    [(85.5, "A", 4.5), (79.99, "B", 0.01), (40.0, "B", 40.0), (91.0, None, None), (90.0, None, None)],
)
def test_points_to_the_next_tier(score, tier, points):
    rows = table({"Unit": score, "Other": 50.0})
    result = gaps.what_it_takes(rows, "unit", PAR.tiers)
    if tier is None:
        assert result.next_tier is None
    else:
        assert result.next_tier.code == tier
        assert result.next_tier.points == pytest.approx(points)


def test_pci_next_tier_uses_the_config_bands(pci_2019):
    result = gaps.what_it_takes(
        pci_2019, "thua-thien-hue/thua-thien-hue", PCI.tiers_for("", "provinces", 2019)
    )
    assert result.next_tier.name_vi == "Tốt" and result.next_tier.points == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("unit", "points", "rank", "passes"),
    [
        ("d", 3.25, 2, ["B", "C"]),  # two units tied just above: pass both
        ("b", 4.27, 1, ["A"]),  # tied 2nd: pass the leader
        ("c", 4.27, 1, ["A"]),
        ("e", 8.01, 4, ["D"]),
    ],
)
def test_points_to_the_next_rank_with_ties(unit, points, rank, passes):
    rows = table({"A": 95.5, "B": 91.24, "C": 91.24, "D": 88.0, "E": 80.0})
    nxt = gaps.what_it_takes(rows, unit, PAR.tiers).next_rank
    assert nxt.points == pytest.approx(points)
    assert nxt.rank == rank and nxt.passes == passes
    assert nxt.target_score == pytest.approx(rows.filter(pl.col("unit_id") == unit).item(0, "score") + points)


def test_the_leader_has_no_next_rank_and_top3_needs_the_third_score():
    rows = table({"A": 95.5, "B": 91.24, "C": 91.24, "D": 88.0, "E": 80.0})
    leader = gaps.what_it_takes(rows, "a", PAR.tiers)
    assert leader.next_rank is None and leader.reason_rank == "top" and leader.top3 is None
    last = gaps.what_it_takes(rows, "e", PAR.tiers)
    assert last.top3.points == pytest.approx(11.24)  # equal 91.24: ties share rank 2 (top 3)
    assert gaps.what_it_takes(rows, "d", PAR.tiers).top3.points == pytest.approx(3.24)


def test_incomplete_table_without_its_top_3_says_nothing_about_the_top_3():
    rows = table(
        {"D": 88.0, "E": 87.0, "F": 86.0, "G": 85.0}, complete=False, ranks={"D": 4, "E": 5, "F": 6, "G": 7}
    )
    result = gaps.what_it_takes(rows, "g", PAR.tiers)
    assert result.top3 is None
    assert result.next_rank.stored_rank == 6  # passing F takes its published place


def test_room_lists_the_components_with_most_points_lost(pci_2019):
    room = gaps.what_it_takes(pci_2019, QUANG_NINH, PCI.tiers).room
    assert [r.component for r in room] == [
        "dich_vu_ho_tro_doanh_nghiep",
        "tiep_can_dat_dai",
        "chi_phi_khong_chinh_thuc",
    ]


# ---------- why the rank changed (demo province) ----------


def _demo_tables(demo_db, index, group, year_a, year_b):
    with queries.connect(demo_db) as con:
        rows = aq.tables_two_years(
            con, index=index, peer_group=group, scope_province="Sơn Hải", year_a=year_a, year_b=year_b
        )
    return rows.filter(pl.col("year") == year_a), rows.filter(pl.col("year") == year_b)


@pytest.mark.parametrize(("year_a", "year_b"), [(2018, 2019), (2021, 2023), (2023, 2024)])
def test_par_split_sums_to_the_total_change(demo_db, year_a, year_b):
    a, b = _demo_tables(demo_db, "PAR", "localities", year_a, year_b)
    assert PAR.aggregation_for("Sơn Hải", "localities", year_b) == "sum"
    for unit_id in gaps.totals(b).get_column("unit_id").to_list():
        split = gaps.rank_change_split(a, b, unit_id, "sum")
        total = split.filter(pl.col("kind") == "total").item(0, "change")
        parts = split.filter(pl.col("kind") != "total").get_column("change").sum()
        assert split.get_column("adds_up").all()
        assert parts == pytest.approx(total, abs=1e-6)
        assert split.filter(pl.col("kind") == "component").height == 8


def test_weighted_mean_split_does_not_claim_to_add_up(demo_db):
    a, b = _demo_tables(demo_db, "DDCI", "localities", 2022, 2023)
    unit_id = gaps.totals(b).item(0, "unit_id")
    aggregation = CATALOG.index("DDCI").aggregation_for("Sơn Hải", "localities", 2023)
    assert aggregation == "weighted_mean"
    split = gaps.rank_change_split(a, b, unit_id, aggregation)
    assert not split.get_column("adds_up").any()
    assert set(split.get_column("kind")) == {"component", "total"}  # no residual row forcing a sum


def test_split_follows_the_config_order_when_given(demo_db):
    a, b = _demo_tables(demo_db, "PAR", "localities", 2022, 2023)
    order = list(gaps.component_names(PAR, "Sơn Hải", "localities", 2023, "vi"))
    split = gaps.rank_change_split(a, b, "son-hai/huyen-cam-linh", "sum", order)
    assert split.filter(pl.col("kind") == "component").get_column("component").to_list() == order


def test_movers_passed_the_unit_or_were_passed(demo_db):
    a, b = _demo_tables(demo_db, "PAR", "localities", 2021, 2023)
    unit = "son-hai/huyen-cam-linh"
    mine_a = gaps.totals(a).filter(pl.col("unit_id") == unit).item(0, "rank")
    mine_b = gaps.totals(b).filter(pl.col("unit_id") == unit).item(0, "rank")
    moved = gaps.movers(a, b, unit)
    assert moved.height > 0
    for row in moved.iter_rows(named=True):
        if row["relation"] == "passed_unit":
            assert row["rank_a"] > mine_a and row["rank_b"] < mine_b
        else:
            assert row["rank_a"] < mine_a and row["rank_b"] > mine_b
        assert row["d_score"] == pytest.approx(row["score_b"] - row["score_a"])


# ---------- profile ----------


def test_dam_ha_profile_2021(dam_ha):
    profile = gaps.profile(dam_ha, 2021, CATALOG.codes)
    assert profile.select("index_code", "score", "rank", "rank_of").rows() == [
        ("PAR", 91.24, 3, 13),
        ("SIPAS", 28.81, 3, 13),
        ("DGI", None, 7, 13),  # the source prints the DGI rank and the survey part's score only
    ]
    high, low = gaps.contrast(profile)
    assert (high["index_code"], low["index_code"]) == ("PAR", "DGI")
    assert gaps.cross_index(profile).get_column("percentile").to_list() == pytest.approx(
        [250 / 3, 250 / 3, 50.0]
    )


def test_profile_extremes_on_demo(demo_db):
    with queries.connect(demo_db) as con:
        rows = aq.unit_rows(con, unit_id="son-hai/huyen-cam-linh")
    extremes = gaps.component_extremes(rows, n=3, catalog=CATALOG)
    strongest = extremes.filter(pl.col("kind") == "strongest").get_column("pct_of_max").to_list()
    weakest = extremes.filter(pl.col("kind") == "weakest").get_column("pct_of_max").to_list()
    assert len(strongest) == len(weakest) == 3
    assert min(strongest) >= max(weakest)
    assert set(gaps.profile(rows).get_column("index_code")) == {"PAR", "SIPAS", "DGI", "DDCI", "DTI"}


# ---------- findings ----------


def _texts(found) -> list[str]:
    return [f.text for f in found]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            [
                "Năm 2021, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về Chỉ số CCHC (PAR INDEX) với 91,24 điểm.",
                "Năm 2021, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về SIPAS với 28,81/30 điểm "
                "(thang điểm suy luận).",
                "Năm 2021, huyện Đầm Hà xếp thứ 7/13 (phân vị 50) về DGI.",
            ],
        ),
        (
            "en",
            [
                "In 2021, Đầm Hà district ranked 3/13 (percentile 83) on PAR INDEX with 91.24 points.",
                "In 2021, Đầm Hà district ranked 3/13 (percentile 83) on SIPAS with 28.81/30 points "
                "(inferred scale).",
                "In 2021, Đầm Hà district ranked 7/13 (percentile 50) on DGI.",
            ],
        ),
    ],
)
def test_dam_ha_2021_published_sentences(dam_ha, lang, expected):
    found = findings.profile_findings(dam_ha, CATALOG, lang, 2021)
    ranks = [f for f in found if f.kind == "rank"]
    assert _texts(ranks) == expected
    assert [f.row["score"] for f in ranks] == [91.24, 28.81, None]
    assert all("Đầm Hà" in f.row["source_title"] for f in ranks)
    assert ranks[2].note.startswith("Điểm điều tra xã hội học DGI")  # the row's doubt flag travels with it


def test_dam_ha_contrast_sentence(dam_ha):
    found = findings.profile_findings(dam_ha, CATALOG, "vi", 2021)
    assert (
        found[-1].text
        == "Huyện Đầm Hà ở phân vị 83 về Chỉ số CCHC (PAR INDEX) nhưng chỉ ở phân vị 50 về DGI."
    )
    assert found[-1].row["index_code"] == "DGI" and found[-1].extra_rows[0]["index_code"] == "PAR"


def row_of(**values) -> dict:
    base = {
        "name": "Huyện Đầm Hà",
        "short_name": "Đầm Hà",
        "unit_type": "district",
        "province": "Quảng Ninh",
        "peer_group": "localities",
        "year": 2022,
        "score": 91.24,
        "max_score": 100.0,
        "rank": 3,
        "rank_of": 13,
        "rank_basis": "published",
        "d_score": None,
        "d_rank": None,
        "flag": None,
    }
    return base | values


@pytest.mark.parametrize(
    ("values", "index", "lang", "expected"),
    [
        (
            {"score": None},
            PAR,
            "vi",
            "Năm 2022, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về Chỉ số CCHC (PAR INDEX).",
        ),
        (
            {"rank": None, "rank_of": None},
            PAR,
            "vi",
            "Năm 2022, huyện Đầm Hà đạt 91,24 điểm về Chỉ số CCHC (PAR INDEX).",
        ),
        (
            {"rank_basis": "partial", "rank": 2, "rank_of": 3},
            PAR,
            "vi",
            "Năm 2022, huyện Đầm Hà xếp thứ 2/3 (trong số các đơn vị có dữ liệu) về Chỉ số CCHC (PAR INDEX) "
            "với 91,24 điểm.",
        ),
        (
            {"rank_basis": "partial", "rank": 2, "rank_of": 3},
            PAR,
            "en",
            "In 2022, Đầm Hà district ranked 2/3 (among the units in the data) on PAR INDEX "
            "with 91.24 points.",
        ),
        (
            {"rank_basis": "list_order", "rank_of": None},
            PAR,
            "vi",
            "Năm 2022, huyện Đầm Hà xếp thứ 3 (theo thứ tự liệt kê trong nguồn) về Chỉ số CCHC (PAR INDEX) "
            "với 91,24 điểm.",
        ),
        (
            {"score": 99.38},
            SIPAS,
            "vi",
            "Năm 2022, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về SIPAS với 99,38 %.",
        ),
        (
            {"name": "Thành phố Hạ Long", "short_name": "Hạ Long", "unit_type": "city"},
            PAR,
            "vi",
            "Năm 2022, thành phố Hạ Long xếp thứ 3/13 (phân vị 83) về Chỉ số CCHC (PAR INDEX) "
            "với 91,24 điểm.",
        ),
        (
            {"name": "Thành phố Hạ Long", "short_name": "Hạ Long", "unit_type": "city"},
            PAR,
            "en",
            "In 2022, Hạ Long city ranked 3/13 (percentile 83) on PAR INDEX with 91.24 points.",
        ),
        (
            {"name": "Sở Nội vụ", "short_name": "", "unit_type": "department", "peer_group": "departments"},
            PAR,
            "vi",
            "Năm 2022, Sở Nội vụ xếp thứ 3/13 (phân vị 83) về Chỉ số CCHC (PAR INDEX) với 91,24 điểm.",
        ),
    ],
)
def test_rank_sentence_variants(values, index, lang, expected):
    assert findings.rank_finding(row_of(**values), index, lang).text == expected


@pytest.mark.parametrize(
    ("d_score", "d_rank", "lang", "expected"),
    [
        (4.54, 2, "vi", "Về Chỉ số CCHC (PAR INDEX), huyện Đầm Hà tăng 4,54 điểm và 2 bậc so với năm trước."),
        (
            -1.2,
            -1,
            "vi",
            "Về Chỉ số CCHC (PAR INDEX), huyện Đầm Hà giảm 1,20 điểm và 1 bậc so với năm trước.",
        ),
        (
            0.5,
            -3,
            "vi",
            "Về Chỉ số CCHC (PAR INDEX), huyện Đầm Hà tăng 0,50 điểm nhưng giảm 3 bậc so với năm trước.",
        ),
        (
            0.001,
            0,
            "vi",
            "Về Chỉ số CCHC (PAR INDEX), huyện Đầm Hà giữ nguyên điểm và thứ hạng so với năm trước.",
        ),
        (None, 1, "vi", "Về Chỉ số CCHC (PAR INDEX), huyện Đầm Hà tăng 1 bậc so với năm trước."),
        (
            4.54,
            2,
            "en",
            "On PAR INDEX, Đầm Hà district gained 4.54 points and moved up 2 places from the previous year.",
        ),
        (
            -0.25,
            1,
            "en",
            "On PAR INDEX, Đầm Hà district lost 0.25 points but moved up 1 place from the previous year.",
        ),
    ],
)
def test_change_sentences(d_score, d_rank, lang, expected):
    assert findings.change_finding(row_of(d_score=d_score, d_rank=d_rank), PAR, lang).text == expected


@pytest.mark.parametrize(
    ("d_score", "said"), [(1.0, "gained 1 point and"), (-1.0, "lost 1 point and"), (2.0, "gained 2 points")]
)
def test_a_change_of_one_whole_point_reads_point_in_english(d_score, said):
    dti = CATALOG.index("DTI")  # whole points on its 1.000-point scale (the demo's "gained 1 points")
    row = row_of(year=2024, score=943.0, max_score=1000.0, d_score=d_score, d_rank=-1 if d_score < 0 else 1)
    assert said in findings.change_finding(row, dti, "en").text


def test_change_on_a_percent_index_is_in_percentage_points():
    finding = findings.change_finding(row_of(score=90.0, d_score=3.02, d_rank=0), SIPAS, "vi")
    assert (
        finding.text
        == "Về SIPAS, huyện Đầm Hà tăng 3,02 điểm phần trăm và giữ nguyên thứ hạng so với năm trước."
    )


def test_no_change_sentence_without_the_previous_year():
    assert findings.change_finding(row_of(), PAR, "vi") is None


@pytest.mark.parametrize(
    ("lang", "most_lost", "best"),
    [
        (
            "vi",
            "Thành phần mất nhiều điểm nhất của PCI: Dịch vụ hỗ trợ doanh nghiệp (−3,32 điểm).",
            "Tốt nhất ở thành phần Dịch vụ hỗ trợ doanh nghiệp (trong số các đơn vị có dữ liệu) là Long An "
            "với 7,16/10 điểm, hơn Quảng Ninh 0,48 điểm.",
        ),
        (
            "en",
            "Component losing the most points on PCI: Business support services (−3.32 points).",
            "The best on Business support services (among the units in the data) is Long An "
            "with 7.16/10 points, 0.48 points ahead of Quảng Ninh.",
        ),
    ],
)
def test_gap_sentences_for_quang_ninh(pci_2019, lang, most_lost, best):
    found = findings.gap_findings(pci_2019, QUANG_NINH, PCI, lang)
    assert _texts(found) == [most_lost, best]
    assert found[0].row["component"] == "dich_vu_ho_tro_doanh_nghiep" and found[0].row["score"] == 6.68
    assert found[1].row["name"] == "Long An"


def test_what_it_takes_sentences(pci_2019):
    found = findings.what_it_takes_findings(pci_2019, "thua-thien-hue/thua-thien-hue", PCI, "vi")
    assert _texts(found)[:3] == [
        "Để lên thứ 19 về PCI, Thừa Thiên Huế cần thêm ít nhất 0,07 điểm để vượt Bình Định.",
        "Để vào mức Tốt (suy luận) về PCI (từ 66,9 % số điểm tối đa, tức 66,90 điểm), "
        "Thừa Thiên Huế cần thêm 0,40 điểm.",
        "Để vào nhóm 3 đơn vị dẫn đầu về PCI, Thừa Thiên Huế cần thêm 4,80 điểm.",
    ]
    assert found[0].extra_rows[0]["name"] == "Bình Định"


def test_ranking_findings_name_the_leader(pci_2019):
    found = findings.ranking_findings(gaps.totals(pci_2019), PCI, "vi")
    assert found[0].text == "Năm 2019, dẫn đầu PCI là Quảng Ninh với 73,40 điểm."
    assert "last" not in [f.kind for f in found]  # 22 of 63: the last of the data is not the last


def test_the_biggest_climber_of_a_partial_table_is_named_among_the_units_with_data(published_db):
    """PCI 2024 holds 6 of 63 provinces (5 with a rank in both years): Hà Nội's 4 places are the
    most among those, not across the country."""
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="PCI", year=2024, peer_group="provinces", scope_province="")
    said = {f.kind: f.text for f in findings.ranking_findings(ranking, PCI, "vi")}
    assert said["climber"] == (
        "Trong 5 đơn vị có thứ hạng so sánh được của cả hai năm, tăng nhiều bậc nhất về PCI: "
        "Hà Nội (tăng 4 bậc)."
    )
    english = {f.kind: f.text for f in findings.ranking_findings(ranking, PCI, "en")}
    assert english["faller"].startswith("Among the 5 units with comparable ranks in both years")


def test_one_unit_with_a_rank_in_both_years_is_no_biggest_climber(published_db):
    """PAPI 2020 holds 5 of 63 provinces, one with a rank in 2019 too: 'In 1 unit …, the biggest
    climber: Quảng Ninh' compared it with nobody (a truth audit)."""
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="PAPI", year=2020, peer_group="provinces", scope_province="")
    assert ranking.get_column("d_rank").drop_nulls().len() == 1
    kinds = {f.kind for f in findings.ranking_findings(ranking, CATALOG.index("PAPI"), "vi")}
    assert "climber" not in kinds and "faller" not in kinds


def test_unit_findings_on_demo_in_both_languages(demo_db):
    with queries.connect(demo_db) as con:
        rows = aq.table_rows(con, index="PAR", year=2023, peer_group="localities", scope_province="Sơn Hải")
    for lang in ("vi", "en"):
        found = findings.unit_findings(rows, "son-hai/huyen-cam-linh", PAR, lang)
        kinds = [f.kind for f in found]
        assert kinds[:3] == ["rank", "change", "most_lost"]
        assert "next_rank" in kinds and all(f.row for f in found)
    assert (
        found[0].text
        == "In 2023, Cẩm Lĩnh district ranked 8/13 (percentile 42) on PAR INDEX with 80.99 points."
    )


# ---------- CLI ----------


def test_cli_gaps_csv_for_quang_ninh(published_db, capsys):
    code, out, err = run_cli(
        capsys, "gaps", index="PCI", year="2019", unit="Quảng Ninh", format="csv", db=published_db
    )
    assert code == 0, err
    assert out.splitlines()[0] == (
        "component,score,max_score,pct_of_max,points_lost,component_rank,rank_of,peer_mean,best_unit,best_score,gap_to_best,note"
    )
    assert not out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 10
    assert all(float(r["points_lost"]) == pytest.approx(10 - float(r["score"])) for r in rows)
    assert all(r["rank_of"] == "" and r["component_rank"] == "" for r in rows)  # 22 of 63: no rank
    assert [float(r["points_lost"]) for r in rows] == sorted(
        (float(r["points_lost"]) for r in rows), reverse=True
    )
    assert rows[0] == {
        "component": "dich_vu_ho_tro_doanh_nghiep",
        "score": "6.68",
        "max_score": "10.0",
        "pct_of_max": "66.8",
        "points_lost": "3.32",
        "component_rank": "",
        "rank_of": "",
        "peer_mean": "",
        "best_unit": "Long An",
        "best_score": "7.16",
        "gap_to_best": "0.48",
        "note": "",  # PCI's sub-indices are published on 10: nothing inferred
    }


def test_cli_gaps_json_and_table(published_db, capsys):
    code, out, _ = run_cli(
        capsys, "gaps", index="pci", year="2019", unit="quang ninh", format="json", db=published_db
    )
    assert code == 0 and len(json.loads(out)) == 10
    code, out, _ = run_cli(capsys, "gaps", index="PCI", year="2019", unit="Quảng Ninh", db=published_db)
    assert code == 0 and out.splitlines()[0].startswith("Dịch vụ hỗ trợ doanh nghiệp") and "66,80 %" in out


def test_cli_gaps_without_components_says_which_years_have_them(published_db, capsys):
    code, out, err = run_cli(capsys, "gaps", index="PCI", year="2022", unit="Quảng Ninh", db=published_db)
    assert code == 1 and out == ""
    assert "2019" in err and len(err.strip().splitlines()) == 1


def test_cli_profile_dam_ha_2021(published_db, capsys):
    code, out, err = run_cli(capsys, "profile", unit="Đầm Hà", year="2021", db=published_db)
    assert code == 0, err
    lines = out.splitlines()
    assert any("3/13" in line and "91,24" in line and "PAR INDEX" in line for line in lines)
    assert lines[:3] == [  # each sentence with its doubt flag, as the Profile page shows it
        "Năm 2021, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về Chỉ số CCHC (PAR INDEX) với 91,24 điểm."
        " (⚑ lưu ý về số liệu: Chỉ một bản tin nêu, chưa có nguồn thứ hai)",
        "Năm 2021, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về SIPAS với 28,81/30 điểm (thang điểm suy luận)."
        " (⚑ lưu ý về số liệu: Chỉ một bản tin nêu; thang 30 điểm là suy luận)",
        "Năm 2021, huyện Đầm Hà xếp thứ 7/13 (phân vị 50) về DGI."
        " (⚑ lưu ý về số liệu: Điểm điều tra xã hội học DGI; chỉ một bản tin nêu)",
    ]
    assert "Nguồn:" in lines and any("Đầm Hà nâng cao các chỉ số CCHC" in line for line in lines)


def test_cli_profile_in_english(published_db, capsys):
    code, out, _ = run_cli(
        capsys, "profile", unit="dam ha", province="Quang Ninh", year="2021", lang="en", db=published_db
    )
    assert code == 0 and out.splitlines()[0].startswith(
        "In 2021, Đầm Hà district ranked 3/13 (percentile 83) on PAR INDEX with 91.24 points."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["profile", "--unit", "Sở Nội vụ"], "Sở Nội vụ (Hòa Bình); Sở Nội vụ (Ninh Thuận)"),
        (["profile", "--unit", "Không Có"], "Không tìm thấy đơn vị"),
        (["profile", "--unit", "Đầm Hà", "--year", "2015"], "có số liệu các năm: 2021"),
        (["gaps", "--index", "XYZ", "--year", "2019", "--unit", "Quảng Ninh"], "Không có chỉ số"),
    ],
)
def test_cli_errors_are_one_line(published_db, capsys, args, message):
    code, out, err = run_cli(capsys, *args, db=published_db)
    assert code == 1 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_gaps_on_demo(demo_db, capsys):
    code, out, _ = run_cli(
        capsys, "gaps", index="PAR", year="2023", unit="Cẩm Lĩnh", format="csv", db=demo_db
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 8
    assert all(r["rank_of"] == "13" for r in rows)
    assert all(
        float(r["points_lost"]) == pytest.approx(float(r["max_score"]) - float(r["score"])) for r in rows
    )


@pytest.mark.parametrize(
    ("values", "lang", "expected"),
    [
        ({"score": 0.9212, "max_score": 1.0, "year": 2020}, "vi", "0,9212 điểm (0–1)"),
        ({"score": 0.9212, "max_score": 1.0, "year": 2020}, "en", "0.9212 (0–1 scale)"),
        (
            {"score": 0.2637, "max_score": 0.3, "year": 2020, "component": "kinh_te_so"},
            "vi",
            "0,2637/0,3 điểm",
        ),
        ({"score": 712.0, "max_score": 1000.0, "year": 2023}, "vi", "712/1.000 điểm"),
        ({"score": 712.0, "max_score": 1000.0, "year": 2023}, "en", "712/1,000 points"),
    ],
)
def test_scores_keep_their_scale(values, lang, expected):
    assert findings.score_text(row_of(**values), CATALOG.index("DTI"), lang) == expected


def test_rank_only_published_row_gives_a_sentence_without_a_score(published_db, capsys):
    code, out, _ = run_cli(capsys, "profile", unit="Hạ Long", year="2024", db=published_db)
    assert code == 0
    assert (
        "Năm 2024, thành phố Hạ Long xếp thứ 1/13 (phân vị 100) về Chỉ số CCHC (PAR INDEX)."
        in out.splitlines()
    )


# ---------- strongest / weakest: only among every declared component ----------

SUPERLATIVES = ("most_lost", "strongest", "weakest", "room")


def test_no_component_superlative_from_dgi_survey_part_alone(dam_ha):
    """Đầm Hà 2021: DGI's survey part is the only DGI component known, on an inferred /80."""
    found = findings.profile_findings(dam_ha, CATALOG, "vi", 2021)
    assert [f.text for f in found if f.kind in SUPERLATIVES] == []
    assert "Điểm điều tra xã hội học" not in " ".join(f.text for f in found)
    assert gaps.component_extremes(dam_ha, 2021, catalog=CATALOG).is_empty()
    dgi = CATALOG.index("DGI")
    unit = dam_ha.get_column("unit_id")[0]
    own = dam_ha.filter((pl.col("index_code") == "DGI") & (pl.col("year") == 2021))
    assert [f for f in findings.what_it_takes_findings(own, unit, dgi, "vi") if f.kind == "room"] == []


def test_component_superlatives_need_every_declared_component(demo_db):
    with queries.connect(demo_db) as con:
        rows = aq.unit_rows(con, unit_id="son-hai/huyen-cam-linh")
    year = rows.filter(pl.col("index_code") == "PAR").get_column("year").max()
    found = findings.profile_findings(rows, CATALOG, "vi", year)
    par_lost = [f.text for f in found if f.kind == "most_lost" and "Chỉ số CCHC" in f.text]
    assert len(par_lost) == 1 and "thang điểm suy luận" in par_lost[0]  # the areas' maxima are inferred
    assert {"strongest", "weakest"} <= {f.kind for f in found}
    # One PAR area missing: no PAR component is the weakest or loses the most any more.
    one = rows.filter((pl.col("index_code") == "PAR") & pl.col("component").is_not_null()).get_column(
        "component"
    )[0]
    partial = rows.filter(~((pl.col("index_code") == "PAR") & (pl.col("component") == one)).fill_null(False))
    found = findings.profile_findings(partial, CATALOG, "vi", year)
    assert not [f for f in found if f.kind in SUPERLATIVES and "Chỉ số CCHC" in f.text]
    extremes = gaps.component_extremes(partial, year, catalog=CATALOG)
    assert not extremes.is_empty() and "PAR" not in extremes.get_column("index_code").to_list()
    assert (
        "PAR" in gaps.component_extremes(rows, year, n=10, catalog=CATALOG).get_column("index_code").to_list()
    )


def test_inferred_component_maxima_are_marked_on_the_page_and_in_chiso_gaps(
    published_db, dam_ha, capsys, tmp_path
):
    from chiso.selection import Selection
    from chiso.views import components

    dgi = CATALOG.index("DGI")
    sel = Selection("localities", "Quảng Ninh", "DGI", 2021)
    rows = dam_ha.filter((pl.col("index_code") == "DGI") & (pl.col("year") == 2021))
    view = components.build(rows, DAM_HA, dgi, sel, "vi")
    assert view.display.row(0)[1] == "72,74/80 (thang điểm suy luận)"
    code, out, _ = run_cli(
        capsys, "gaps", index="DGI", year="2021", unit="Đầm Hà", format="csv", db=published_db
    )
    row = next(csv.DictReader(io.StringIO(out)))
    assert code == 0 and "điểm tối đa 80 là suy luận" in row["note"] and "cấu trúc" in row["note"]
    # The page's CSV/XLSX (`chiso export gaps`) say it in their note column, as the rankings' do.
    assert view.export.table.get_column("Ghi chú").to_list() == [row["note"]]
    place = {"index": "DGI", "year": 2021, "province": "Quảng Ninh", "unit_type": "district"}
    for kind in ("csv", "xlsx"):
        out_file = tmp_path / f"gaps.{kind}"
        code, _, _ = run_cli(
            capsys, "export", "gaps", unit="Đầm Hà", format=kind, out=out_file, db=published_db, **place
        )
        table = pl.read_csv(out_file) if kind == "csv" else pl.read_excel(out_file)
        assert code == 0 and table.get_column("Ghi chú").to_list() == [row["note"]]
    sel = Selection("provinces", "", "PCI", 2019)  # PCI's sub-indices are published on 10
    with queries.connect(published_db) as con:
        table = aq.table_rows(con, index="PCI", year=2019, peer_group="provinces", scope_province="")
    view = components.build(table, QUANG_NINH, PCI, sel, "vi")
    assert not any("suy luận" in cell for cell in view.display.get_column(view.display.columns[1]))


def test_the_comparison_table_reads_total_then_components_by_unit_with_a_dash_where_none():
    from chiso.views import tables

    rows = pl.DataFrame(
        {
            "unit_id": ["a", "b", "a", "a", "b", "a"],
            "name": ["Xã A", "Xã B", "Xã A", "Xã A", "Xã B", "Xã A"],
            "component": [None, None, "c1", "c2", "c2", "c2"],
            "score": [91.5, 88.25, 7.16, 28.8, 27.0, 1.0],  # a second c2 row of A is not shown
            "max_score": [100.0, 100.0, 10.0, 30.0, 30.0, 30.0],
            "pct_of_max": [91.5, 88.25, 71.6, 96.0, 90.0, 3.33],
        }
    )
    shown = tables.compare_display(rows, ["b", "a"], {"c1": "Thể chế", "c2": "Nhân lực", "c3": "Số"}, "vi")
    assert shown.columns == ["Chỉ số thành phần", "Xã B", "Xã A"]
    assert shown.rows() == [
        ("Điểm tổng", "88,25/100 (88 %)", "91,50/100 (92 %)"),
        ("Thể chế", "–", "7,16/10 (72 %)"),
        ("Nhân lực", "27,00/30 (90 %)", "28,80/30 (96 %)"),
    ]


def test_a_whole_point_index_shows_whole_scores_without_decimals_and_never_rounds_a_half():
    """DTI inside a province is declared with 0 decimals (1000 points): '943/1.000', not
    '943,00/1.000'; a component of 85,5 keeps its half rather than becoming 86."""
    from chiso.views import tables

    rows = pl.DataFrame(
        {
            "unit_id": ["a", "a", "a"],
            "name": ["Xã A"] * 3,
            "component": [None, "nhan_thuc_so", "the_che_so"],
            "score": [943.0, 100.0, 85.5],
            "max_score": [1000.0, 100.0, 100.0],
            "pct_of_max": [94.3, 100.0, 85.5],
        }
    )
    names = {"nhan_thuc_so": "Nhận thức số", "the_che_so": "Thể chế số"}
    whole = tables.compare_display(
        rows, ["a"], names, "vi", CATALOG.index("DTI").decimals_for("Quảng Ninh", "communes", 2025)
    )
    assert whole.get_column("Xã A").to_list() == ["943/1.000 (94 %)", "100/100 (100 %)", "85,50/100 (86 %)"]
    extremes = rows.filter(pl.col("component").is_not_null()).with_columns(
        kind=pl.Series(["strongest", "weakest"]),
        index_code=pl.lit("DTI"),
        province=pl.lit("Quảng Ninh"),
        peer_group=pl.lit("communes"),
        year=pl.lit(2025),
    )
    shown = tables.extremes_display(extremes, CATALOG, "vi")
    # each score, before the mark of the deduced maxima
    assert [c.split(" (")[0] for c in shown.get_column(shown.columns[2])] == ["100/100", "85,50/100"]
    # an index declared with 2 decimals keeps them: '27,00/30' as before
    assert tables.out_of(27.0, 30.0, "vi", 2) == "27,00/30"


def test_every_index_of_two_provinces_reads_one_line_per_index_with_a_dash_where_one_has_none(published_db):
    from chiso.views import tables

    with queries.connect(published_db) as con:
        every = pl.concat([aq.unit_rows(con, unit_id=u) for u in (QUANG_NINH, "hai-phong/hai-phong")])
    shown = tables.compare_indices(every, ["hai-phong/hai-phong", QUANG_NINH], CATALOG, 2019, "vi")
    assert shown.columns == ["Chỉ số", "Hải Phòng", "Quảng Ninh"]
    by_index = {row[0]: row[1:] for row in shown.rows()}
    assert by_index["PCI"] == ("68,73/100 · 10/63 · phân vị 85", "73,40/100 · 1/63 · phân vị 100")
    assert by_index["DTI"] == ("–", "0,7350/1 · 3/63 · phân vị 97")


def test_a_list_of_tables_closes_its_sentence_once_whether_cut_or_not():
    from chiso.views import tables as views

    rows = pl.DataFrame(
        {"peer_group": ["provinces"] * 7, "scope_province": [""] * 7, "index_code": ["PCI"] * 7}
        | {"year": list(range(2017, 2024))}
    )
    whole = t("gaps.no_components", "vi", tables=views.table_links(rows.head(2), CATALOG, "vi", "gaps"))
    cut = t("why.no_earlier", "vi", year=2017, tables=views.table_links(rows, CATALOG, "vi", "why"))
    assert whole.endswith("&year=2018).") and whole.count(".") >= 2, whole
    assert cut.endswith(" …") and "…." not in cut, cut
    assert t(
        "gaps.no_components", "en", tables=views.table_links(rows.clear(), CATALOG, "en", "gaps")
    ).endswith(": –.")


def _components_view(published_db, index: str, year: int, name: str):
    from chiso.selection import Selection
    from chiso.views import components

    with queries.connect(published_db) as con:
        rows = aq.table_rows(con, index=index, year=year, peer_group="provinces", scope_province="")
    unit_id = rows.filter(pl.col("name") == name).item(0, "unit_id")
    sel = Selection("provinces", "", index, year)
    return components.build(rows, unit_id, CATALOG.index(index), sel, "vi", CATALOG)


def test_a_partial_table_never_puts_its_20th_of_63_in_the_top_3(published_db):
    """PAPI 2023 lists Hòa Bình alone, published 20th of 63: first of the scored units, but
    neither first nor in the top 3; the cards say the scores above it are missing."""
    view = _components_view(published_db, "PAPI", 2023, "Hòa Bình")
    cards = dict(view.cards)
    assert cards["Để vào nhóm 3 đơn vị dẫn đầu"] == "Bảng không có điểm của các đơn vị xếp trên"
    assert cards["Để lên hạng trên"] == "Bảng không có điểm của các đơn vị xếp trên"
    assert "Đã" not in " ".join(cards.values())
    assert any("20/63" in f.text for f in view.findings)


def test_no_tier_threshold_is_quoted_where_the_source_prints_other_tiers(published_db):
    """PCI 2021 prints 'Tốt' for Hải Phòng's 70,61, where the configured bands put 'Rất tốt'
    from 70 %: no unit of that table is told what 'Rất tốt' takes."""
    view = _components_view(published_db, "PCI", 2021, "Hà Nội")
    assert not any("Rất tốt" in f.text for f in view.findings)
    assert dict(view.cards)["Để lên xếp loại trên"] == "Nguồn xếp loại không theo các mức điểm đã biết"
    assert dict(view.cards)["Để vào nhóm 3 đơn vị dẫn đầu"] == "+1,93"  # complete top 3: quoted


def test_the_best_of_a_partial_tables_data_without_a_rank_is_not_called_first(published_db):
    """PAR 2021 of the provinces lists a few units; Bà Rịa - Vũng Tàu has a score and no
    published rank: the best of those scored is not 'already first' (Hải Phòng was)."""
    with queries.connect(published_db) as con:
        rows = aq.table_rows(con, index="PAR", year=2021, peer_group="provinces", scope_province="")
    brvt = rows.filter((pl.col("name") == "Bà Rịa - Vũng Tàu") & pl.col("component").is_null())
    assert brvt.height == 1 and brvt.item(0, "rank") is None and not brvt.item(0, "complete")
    view = _components_view(published_db, "PAR", 2021, "Bà Rịa - Vũng Tàu")
    assert "Đã đứng đầu" not in dict(view.cards).values()


def test_a_tie_for_the_biggest_climb_names_every_unit_in_it():
    ranking = table({"A": 90.0, "B": 80.0, "C": 70.0}).with_columns(
        d_rank=pl.Series([3, 3, -1]), year=pl.lit(2024), peer_mean=pl.lit(None, pl.Float64)
    )
    said = {f.kind: f.text for f in findings.ranking_findings(ranking, PAR, "vi")}
    assert "A và B (tăng 3 bậc)" in said["climber"] and "C (giảm 1 bậc)" in said["faller"]


def test_the_components_table_writes_a_0_to_1_scale_with_4_decimals_in_every_column():
    from chiso.views import tables

    gap = pl.DataFrame(
        {
            "name": ["Chính quyền số"],
            "score": [0.3512],
            "max_score": [0.4],
            "pct_of_max": [87.8],
            "points_lost": [0.0488],
            "component_rank": [2],
            "rank_of": [5],
            "peer_mean": [0.33415],
            "best_unit": ["Đà Nẵng"],
            "best_score": [0.3874],
            "gap_to_best": [0.0362],
        }
    )
    shown = tables.gap_display(gap, "vi", declared=4).row(0)
    assert shown[1] == "0,3512/0,40" and shown[3] == "0,0488" and shown[5] == "0,3342"
    assert shown[6] == "Đà Nẵng (0,3874)" and shown[7] == "0,0362"
    # the file keeps the same 4 decimals (it rounded them to 2: 0,05 points lost)
    filed = tables.gap_export(gap.with_columns(component=pl.lit("cqs")), "vi").row(0, named=True)
    assert (filed["Điểm mất"], filed["Bình quân nhóm"], filed["Cách tốt nhất"]) == (0.0488, 0.3342, 0.0362)


def test_a_component_scored_for_one_unit_alone_names_no_best_unit_on_screen_or_in_the_file(published_db):
    """PAPI 2023 lists Hòa Bình alone on seven of its eight dimensions: 'best: Hòa Bình · 0,00'
    compared it with nobody. Where Bắc Ninh is scored too, the best and the gap stay."""
    view = _components_view(published_db, "PAPI", 2023, "Hòa Bình")
    shown = {row[0]: row[6:8] for row in view.display.rows()}
    assert shown["Quản trị điện tử"] == ("–", "–")
    assert shown["Cung ứng dịch vụ công"] == ("Bắc Ninh (8,26)", "1,07")
    table = view.export.table
    alone = table.filter(pl.col("Chỉ số thành phần") == "Quản trị điện tử")
    assert alone.get_column("Đơn vị tốt nhất").to_list() == [None]
    assert alone.get_column("Cách tốt nhất").to_list() == [None]
