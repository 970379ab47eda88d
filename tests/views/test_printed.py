"""Published beside computed, and the Profile page and ``chiso profile`` saying the same thing."""

import csv
import io
from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.i18n import t
from chiso.store import analysis_queries, counts, queries
from chiso.views import findings
from chiso.views import rankings as rankings_view
from chiso.views import services as views_dvc
from chiso.views import tables as views
from tests.app.test_pages import run, table_text
from tests.conftest import CONFIG, run_cli

CATALOG = load_catalog(CONFIG)
PCI = CATALOG.index("PCI")


@pytest.fixture
def shipped(published_db, demo_db, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))
    return published_db


def profile_page(year: str) -> AppTest:
    at = run("pages/profile.py", unit="quang-ninh/huyen-dam-ha")
    at.selectbox(key="w_year").select(int(year)).run()
    assert not at.exception, at.exception
    return at


def _dam_ha_rows(db):
    with queries.connect(db) as con:
        unit = queries.units(con).filter(name="Huyện Đầm Hà").row(0, named=True)
        return analysis_queries.unit_rows(con, unit_id=unit["unit_id"]), unit


def test_dam_ha_2021_figures_as_the_source_prints_them(published_db):
    rows, _ = _dam_ha_rows(published_db)
    lines = views.printed_lines(rows, CATALOG, 2021, "vi")
    sipas = next(line for line in lines if line.startswith("SIPAS"))
    assert "96,04 % (nguồn)" in sipas and "tính được 96,03 %" in sipas  # printed first, computed labelled
    dgi = next(line for line in lines if line.startswith("DGI"))
    assert "Điểm điều tra xã hội học" in dgi and "+4,54 so với 2020 (nguồn)" in dgi
    totals = rows.filter(
        pl.col("component").is_null() & (pl.col("year") == 2021) & (pl.col("index_code") == "DGI")
    ).row(0, named=True)
    assert totals["score"] is None and totals["rank"] == 7  # 72,74 is the survey part, not the total


def test_dam_ha_level_3_services_as_printed(published_db, capsys):
    with queries.connect(published_db) as con:
        _, unit = _dam_ha_rows(published_db)
        published = counts.published_rates(
            con,
            province="Quảng Ninh",
            start=date(2022, 1, 1),
            end=date(2022, 12, 31),
            unit_id=unit["unit_id"],
        )
    level3 = published.filter(indicator="procedures_level3_pct").row(0, named=True)
    assert views_dvc.published_rate_text(level3, "vi") == "trên 89,9 %"
    code, out, _ = run_cli(capsys, "dvc", unit="Đầm Hà", period="2022", db=published_db)
    assert code == 0 and "trên 89,9 %" in out and "89,90" not in out
    assert "Nguồn: Đầm Hà nâng cao các chỉ số CCHC" in out


DDCI_2020_DISTRICTS = {"index": "DDCI", "year": 2020, "province": "Quảng Ninh", "unit_type": "district"}


def _rank_csv(capsys, db, **flags) -> dict[str, dict]:
    """``chiso rank --format csv`` with ``flags`` (it must succeed): each unit's row."""
    code, out, _ = run_cli(capsys, "rank", format="csv", db=db, **flags)
    assert code == 0
    return {r["unit"]: r for r in csv.DictReader(io.StringIO(out))}


def test_cli_rank_csv_carries_flags_notes_and_sources(published_db, capsys):
    rows = _rank_csv(capsys, published_db, **DDCI_2020_DISTRICTS)
    van_don = rows["Huyện Vân Đồn"]
    assert "24,22" in van_don["flag"] and van_don["rank"] == ""  # no rank computed among 4 of 13
    assert "4 trong 4 đơn vị có dữ liệu" in van_don["note"] and "suy luận" in van_don["note"]
    assert van_don["source_url"].startswith("https://en.vietnamplus.vn/")
    assert rows["Huyện Tiên Yên"]["rank"] == "3" and rows["Huyện Tiên Yên"]["rank_of"] == "13"


def test_cli_rank_table_prints_flags_and_sources(published_db, capsys):
    code, out, _ = run_cli(capsys, "rank", db=published_db, **DDCI_2020_DISTRICTS)
    assert code == 0 and "⚑ Nghi lỗi in: 24,22" in out and "Nguồn:" in out
    assert "Bảng chưa đầy đủ" in out and "3/4" not in out


def _page_sentences(at: AppTest) -> list[str]:
    """The page's sentences: the findings' numbered list and the printed lines' bullets."""
    lines = [
        line
        for m in at.markdown
        if m.value[:2] == "- " or m.value[:3] == "1. "
        for line in m.value.splitlines()
    ]
    return [
        line.split(" ", 1)[1]
        for line in lines
        if line.startswith("- ") or line.split(" ", 1)[0][:-1].isdigit()
    ]


def test_cli_and_profile_page_say_the_same_sentences(shipped, capsys):
    at = profile_page("2021")
    page = _page_sentences(at)
    code, out, _ = run_cli(capsys, "profile", unit="Đầm Hà", year="2021", db=shipped)
    assert code == 0
    printed = [line[2:] if line.startswith("- ") else line for line in out.splitlines()]
    assert page and all(sentence in printed for sentence in page)
    assert any("⚑" in sentence for sentence in page)  # flags on both
    assert any("96,04 % (nguồn)" in sentence for sentence in page)


def test_cli_and_profile_page_agree_when_there_are_no_data(shipped, capsys):
    """Đầm Hà 2020 holds only business-community DDCI scores, which are not the district's."""
    at = profile_page("2020")
    assert any("chưa có dữ liệu" in i.value for i in at.info)
    assert not _page_sentences(at)
    code, out, err = run_cli(capsys, "profile", unit="Đầm Hà", year="2020", db=shipped)
    assert code == 1 and out == "" and "không có số liệu năm 2020" in err


def _sel(year: int):
    from chiso.selection import Selection

    return Selection("provinces", "", "PCI", year)


def test_pci_tier_the_portal_prints_wins_over_the_inferred_band(published_db, capsys):
    """Hải Phòng PCI 2021: 70,61 is above the inferred 'Rất tốt' band (70 %), the portal prints 'Tốt'."""
    printed = _rank_csv(capsys, published_db, index="PCI", year=2021, unit_type="province")["Hải Phòng"]
    assert (printed["tier"], printed["printed_tier"]) == ("Tốt", "Tốt")
    assert "suy luận" not in printed["note"]
    # the 2024 source prints no tier
    inferred = _rank_csv(capsys, published_db, index="PCI", year=2024, unit_type="province")["Hải Phòng"]
    assert (inferred["tier"], inferred["printed_tier"]) == ("Rất tốt", "")
    assert "suy luận" in inferred["note"]
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="PCI", year=2021, peer_group="provinces", scope_province="")
    shown = views.display_table(ranking, CATALOG.index("PCI"), "vi")
    tiers = dict(zip(shown[t("col.unit", "vi")], shown[t("col.tier", "vi")], strict=True))
    assert tiers["Hải Phòng"] == "Tốt" and tiers["Quảng Ninh"] == "Rất tốt"
    legend = [bar.name for bar in rankings_view.rankings_figure(ranking, PCI, _sel(2021), "vi").data]
    assert legend == ["Rất tốt", "Tốt", "Khá"]  # the chart's colours follow the printed tiers
    with queries.connect(published_db) as con:
        later = queries.ranking(con, index="PCI", year=2024, peer_group="provinces", scope_province="")
    legend = [bar.name for bar in rankings_view.rankings_figure(later, PCI, _sel(2024), "vi").data]
    assert "Rất tốt (suy luận)" in legend
    # No threshold is quoted from bands the printed tier contradicts; a band's threshold is marked.
    rows = ranking.filter(pl.col("component").is_null())
    said = {f.kind: f.text for f in findings.what_it_takes_findings(rows, "hai-phong/hai-phong", PCI, "vi")}
    assert "next_tier" not in said
    with queries.connect(published_db) as con:
        rows_2024 = analysis_queries.table_rows(
            con, index="PCI", year=2024, peer_group="provinces", scope_province=""
        )
    said = {f.kind: f.text for f in findings.what_it_takes_findings(rows_2024, "ha-noi/ha-noi", PCI, "vi")}
    assert "Rất tốt (suy luận)" in said["next_tier"]


def test_published_tier_unmarked_on_the_rankings_and_profile_pages(shipped):
    at = run(group="provinces", index="PCI", year="2021")
    assert not at.exception, at.exception
    row = next(line for line in table_text(at).splitlines() if "Hải Phòng" in line)
    assert ",Tốt," in row and "suy luận" not in row.split(",Tốt,")[0]
    at.selectbox(key="w_year").select(2024).run()
    row = next(line for line in table_text(at).splitlines() if "Hải Phòng" in line)
    assert "Rất tốt (suy luận)" in row
    profile = run("pages/profile.py", unit="hai-phong/hai-phong")
    profile.selectbox(key="w_year").select(2021).run()
    assert not profile.exception, profile.exception
    pci = next(line for line in table_text(profile).splitlines() if "PCI" in line)
    assert ",Tốt," in pci and "Rất tốt" not in pci


def test_a_tier_printed_for_a_component_is_refused(tmp_path):
    from chiso.ingest.readers import DataError
    from chiso.store.build import build
    from tests.conftest import SCORES, write_data

    rows = [{**r, "printed_tier": ""} for r in SCORES]
    rows[-1] = {**rows[-1], "printed_tier": "Tốt"}  # the component row of Sở Nội vụ
    data = write_data(tmp_path / "data", rows)
    with pytest.raises(DataError) as err:
        build(CONFIG, data, tmp_path / "x.duckdb")
    assert "printed_tier" in str(err.value) and "chi_dao_dieu_hanh" in str(err.value)
    assert not (tmp_path / "x.duckdb").exists()


def _built(tmp_path):
    """The fixture data built into ``tmp_path/chiso.duckdb`` (what a steward imports into)."""
    from chiso.store.build import build
    from tests.conftest import write_data

    db = tmp_path / "chiso.duckdb"
    build(CONFIG, write_data(tmp_path / "data"), db)
    return db


def _imported(db, tmp_path, capsys, text: str) -> None:
    """``chiso import`` of a CSV file holding ``text``; it must succeed."""
    path = tmp_path / "par_2024.csv"
    path.write_text(text, encoding="utf-8")
    assert main(["import", str(path), "--db", str(db)]) == 0
    capsys.readouterr()


def _par_departments(db, year: int):
    with queries.connect(db) as con:
        return queries.ranking(
            con, index="PAR", year=year, peer_group="departments", scope_province="Tỉnh Mẫu"
        )


def test_an_imported_printed_tier_is_kept_and_wins_over_the_band(tmp_path, capsys):
    """Through ``chiso import`` as through a build: 95,5 is in the band 'Nhóm A'; the file prints 'Nhóm B'."""
    db = _built(tmp_path)
    _imported(
        db,
        tmp_path,
        capsys,
        "province,unit,index,year,score,rank,rank_of,source_title,printed_tier\n"
        "Tỉnh Mẫu,Sở Nội vụ,PAR,2024,95.5,1,2,Quyết định 2024,Nhóm B\n"
        "Tỉnh Mẫu,Sở Y tế,PAR,2024,91.0,2,2,Quyết định 2024,\n",
    )
    rows = _rank_csv(capsys, db, index="PAR", year=2024, province="Tỉnh Mẫu", unit_type="department")
    assert (rows["Sở Nội vụ"]["tier"], rows["Sở Nội vụ"]["printed_tier"]) == ("Nhóm B", "Nhóm B")
    assert (rows["Sở Y tế"]["tier"], rows["Sở Y tế"]["printed_tier"]) == ("Nhóm A", "")


def _change_shown(db, index: str, year: int, unit: str, column: str = "Δ điểm") -> str:
    with queries.connect(db) as con:
        ranking = queries.ranking(con, index=index, year=year, peer_group="provinces", scope_province="")
    shown = views.display_table(ranking, CATALOG.index(index), "vi")
    return shown.filter(pl.col("Đơn vị") == unit).get_column(column).item()


def test_a_change_the_source_prints_in_words_is_shown_as_printed(published_db):
    """Trà Vinh's DTI 2022 article prints "tăng 0,1783 điẻm so với năm 2021" (its typo kept) and
    no 2021 score is stored: the change is the source's, not a dash. Quảng Ninh's PCI 2024
    "tăng 1,95 điểm so với năm 2023" is also what the stored 2023 score gives: said once."""
    assert _change_shown(published_db, "DTI", 2022, "Trà Vinh") == "tăng 0,1783 điẻm so với năm 2021 (nguồn)"
    assert _change_shown(published_db, "PCI", 2024, "Quảng Ninh") == "tăng 1,95 điểm so với năm 2023 (nguồn)"


@pytest.mark.parametrize(
    ("printed", "computed", "shown"),
    [
        ("+4,54 so với 2020", 4.54, "+4,54 so với 2020 (nguồn)"),
        ("+4,54 so với 2020", 4.5, "+4,54 so với 2020 (nguồn) · tính được +4,50"),
        ("giảm 0,5 điểm so với năm 2022", -0.5, "giảm 0,5 điểm so với năm 2022 (nguồn)"),
        ("giảm 0,5 điểm so với năm 2022", 0.5, "giảm 0,5 điểm so với năm 2022 (nguồn) · tính được +0,50"),
        ("khoảng 3 điểm", 3.0, "khoảng 3 điểm (nguồn) · tính được +3,00"),  # no sign printed: both
    ],
)
def test_a_computed_change_is_shown_beside_a_printed_one_only_where_it_differs(printed, computed, shown):
    assert views.change_text({"printed_change": printed, "d_score": computed}, 2, "vi") == shown


def test_a_change_of_rank_the_source_prints_is_shown_as_printed(published_db):
    """ "Hà Nội tăng 9 bậc" (SIPAS 2023; no 2022 rank stored) had been a dash; TP HCM "tụt xuống 2
    bậc" (PCI 2024) is also what the stored ranks give (▼ 2): said once, as printed."""
    assert _change_shown(published_db, "SIPAS", 2023, "Hà Nội", "Δ hạng") == "tăng 9 bậc (nguồn)"
    assert _change_shown(published_db, "PCI", 2024, "Hồ Chí Minh", "Δ hạng") == "tụt xuống 2 bậc (nguồn)"
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="PCI", year=2024, peer_group="provinces", scope_province="")
    table = rankings_view.rankings_table(ranking, PCI, "vi")
    hcm = table.filter(pl.col("Đơn vị") == "Hồ Chí Minh").row(0, named=True)
    assert (hcm["Δ hạng"], hcm["Thay đổi hạng như nguồn in"]) == (
        -2,
        "tụt xuống 2 bậc",
    )  # the file keeps both


@pytest.mark.parametrize(
    ("printed", "computed", "shown"),
    [
        ("tăng 9 bậc", 9, "tăng 9 bậc (nguồn)"),
        ("tăng 9 bậc", 8, "tăng 9 bậc (nguồn) · tính được ▲ 8"),
        ("giảm 7 bậc so với năm 2020", -7, "giảm 7 bậc so với năm 2020 (nguồn)"),
        ("giảm 7 bậc so với năm 2020", 7, "giảm 7 bậc so với năm 2020 (nguồn) · tính được ▲ 7"),
    ],
)
def test_a_computed_rank_change_is_shown_beside_a_printed_one_only_where_it_differs(printed, computed, shown):
    row = {"printed_rank_change": printed, "d_rank": computed, "rank_change_comparable": True}
    assert views.rank_change_shown(row, "vi") == shown


def test_an_imported_printed_rank_change_is_kept(tmp_path, capsys):
    """A steward's file with the optional column: the change is stored and shown as printed."""
    db = _built(tmp_path)
    _imported(
        db,
        tmp_path,
        capsys,
        "province,unit,index,year,score,rank,rank_of,source_title,printed_rank_change\n"
        "Tỉnh Mẫu,Sở Nội vụ,PAR,2024,95.5,1,2,Quyết định 2024,tăng 3 bậc\n"
        "Tỉnh Mẫu,Sở Y tế,PAR,2024,91.0,2,2,Quyết định 2024,\n",
    )
    shown = views.display_table(_par_departments(db, 2024), CATALOG.index("PAR"), "vi")
    changes = dict(
        zip(shown.get_column("Đơn vị").to_list(), shown.get_column("Δ hạng").to_list(), strict=True)
    )
    assert changes["Sở Nội vụ"].startswith("tăng 3 bậc (nguồn)") and "nguồn" not in changes["Sở Y tế"]


def test_a_file_built_before_the_rank_change_column_is_read_and_takes_an_import(tmp_path, capsys):
    """A steward's database from the version before (its imports keep it from being rebuilt): the
    rankings file reads it, and an import adds the column and stores the printed change."""
    import duckdb

    db = _built(tmp_path)
    with duckdb.connect(str(db)) as con:
        for table in ("scores", "ranked", "ranked_units"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN printed_rank_change")

    old = rankings_view.rankings_table(_par_departments(db, 2023), CATALOG.index("PAR"), "vi")
    assert old.height > 0 and old.get_column("Thay đổi hạng như nguồn in").null_count() == old.height
    _imported(
        db,
        tmp_path,
        capsys,
        "province,unit,index,year,score,rank,rank_of,source_title,printed_rank_change\n"
        "Tỉnh Mẫu,Sở Nội vụ,PAR,2024,95.5,1,2,Quyết định 2024,tăng 3 bậc\n",
    )
    new = rankings_view.rankings_table(_par_departments(db, 2024), CATALOG.index("PAR"), "vi")
    assert "tăng 3 bậc" in new.get_column("Thay đổi hạng như nguồn in").to_list()
    with duckdb.connect(str(db), read_only=True) as con:
        assert (
            con.sql("SELECT count(*) FROM ranked_units WHERE printed_rank_change IS NOT NULL").fetchall()[0][
                0
            ]
            == 1
        )
