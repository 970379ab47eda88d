"""The ``lineage`` table ``chiso build`` writes (registry + data/units.csv) and the profile's
lineage section: a new unit lists its predecessors with their last results, an old one its
successors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from chiso.config import load_catalog
from chiso.paths import CONFIG_PATH
from chiso.store import lineage_table
from chiso.views import lineage as lineage_view

REFORM = date(2025, 7, 1)


@pytest.fixture(scope="module")
def con(published_db):
    with duckdb.connect(str(published_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CONFIG_PATH)


def section(con, catalog, unit_id: str, lang: str = "vi"):
    edges = lineage_table.lineage_of(con, unit_id=unit_id)
    others = edges.get_column("other_id").drop_nulls().unique().to_list()
    return lineage_view.build(edges, lineage_table.last_results(con, unit_ids=others), catalog, lang)


def test_the_stored_table_holds_63_to_34_and_every_former_ward(con):
    provinces = con.sql(
        "SELECT count(DISTINCT predecessor_province) AS old, count(DISTINCT successor_province) AS new "
        "FROM lineage WHERE level = 'province' AND date = DATE '2025-07-01'"
    ).fetchall()[0]
    assert provinces == (63, 34)
    wards = con.sql(
        "SELECT count(DISTINCT (predecessor_province, predecessor_code)) FILTER (level = 'commune'), "
        "count(DISTINCT (successor_province, successor_code)) "
        "FROM lineage WHERE level IN ('district', 'commune')"
    ).fetchall()[0]
    assert wards == (10035, 3321)  # every former ward mapped; every new unit has a predecessor
    split = con.sql(
        "SELECT count(*) FROM (SELECT predecessor_province, predecessor_code FROM lineage "
        "WHERE level = 'commune' GROUP BY ALL HAVING count(*) > 1 AND bool_and(kind = 'part'))"
    ).fetchall()[0][0]
    assert split == 471


def test_stored_units_stand_on_their_side_of_the_reform(con):
    """A new ward keeps one former ward's code: the former ward is never taken for the new unit."""
    hong_an = con.sql(
        "SELECT predecessor, predecessor_id, kind FROM lineage "
        "WHERE successor_id = 'hai-phong/phuong-hong-an'"
    ).pl()
    assert "Phường An Hồng" in hong_an["predecessor"].to_list()
    assert hong_an["predecessor_id"].null_count() == hong_an.height  # none of them is stored
    assert con.sql(
        "SELECT count(*) FROM lineage WHERE predecessor_id = 'hai-phong/phuong-hong-an'"
    ).fetchall()[0] == (0,)


def test_a_new_province_lists_its_predecessors_with_their_last_results(con, catalog):
    view = section(con, catalog, "ho-chi-minh/ho-chi-minh")
    table = view.display
    units = table.get_column("Đơn vị").to_list()
    assert any("Bình Dương" in u for u in units) and any("Bà Rịa - Vũng Tàu" in u for u in units)
    assert not any("Thành phố Hồ Chí Minh" in u for u in units)  # not its own predecessor
    assert set(table.get_column("Từ ngày")) == {"01/07/2025"}
    last = dict(zip(units, table.get_column("Kết quả gần nhất"), strict=True))
    binh_duong = next(v for k, v in last.items() if "Bình Dương" in k)
    assert "DTI 2023" in binh_duong and "7/63 · phân vị 90" in binh_duong
    assert view.heading.startswith("Tiền thân")


def test_an_old_province_lists_its_successor_and_its_result(con, catalog):
    view = section(con, catalog, "thua-thien-hue/thua-thien-hue", "en")
    row = view.display.row(0, named=True)
    assert row["Relation"] == "Successor" and "Huế" in row["Unit"]
    assert row["From"] == "01/01/2025"  # renamed a centrally-run city before the reform
    assert "2/34 · percentile 97" in row["Latest result"]


def test_an_old_district_lists_the_new_communes_that_took_it(con, catalog):
    view = section(con, catalog, "quang-ninh/thanh-pho-ha-long")
    rows = view.table.filter(pl.col("Quan hệ") == "Kế thừa")
    assert rows.height >= 5 and set(rows.get_column("Hình thức")) == {"một phần"}
    # data/units.csv's own merger (Hoành Bồ into Hạ Long, 2019) is a predecessor edge too.
    before = view.table.filter(pl.col("Quan hệ") == "Tiền thân")
    assert before.get_column("Đơn vị").to_list() == ["Huyện Hoành Bồ (Quảng Ninh)"]
    assert "DDCI 2018" in before.item(0, "Kết quả gần nhất")


def test_a_unit_without_lineage_has_no_section_and_an_old_file_reads_empty(con, catalog, tmp_path):
    assert section(con, catalog, "hoa-binh/so-noi-vu") is None
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as fresh:
        fresh.execute("CREATE TABLE ranked (unit_id VARCHAR)")
        assert lineage_table.lineage_of(fresh, unit_id="x").is_empty()


def test_profile_page_shows_the_predecessors(published_db, demo_db, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    at.query_params["unit"] = "ho-chi-minh/ho-chi-minh"
    at.run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception
    assert any(s.value.startswith("Tiền thân") for s in at.subheader)
    tables = [df.value.to_csv() for df in at.dataframe]
    assert any("Bình Dương" in t and "Kết quả gần nhất" in t for t in tables)


def _app(published_db, demo_db, monkeypatch, page: str, **query) -> AppTest:
    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception and not at.error
    return at


def test_dti_2024_of_34_provinces_shows_the_predecessors_beside_it(published_db, demo_db, monkeypatch):
    at = _app(
        published_db, demo_db, monkeypatch, "pages/rankings.py", group="provinces", index="DTI", year="2024"
    )
    published, beside = at.dataframe[0].value, at.dataframe[-1].value
    assert published.iloc[3].tolist()[:3] == ["4/34", "91", "Hồ Chí Minh"]  # as published
    hcm = beside[beside.iloc[:, 0] == "Hồ Chí Minh"]
    assert set(hcm.iloc[:, 2]) == {"Bình Dương", "Bà Rịa - Vũng Tàu", "Hồ Chí Minh (địa giới trước sắp xếp)"}
    assert any("2/63 · phân vị 98" in v for v in hcm.iloc[:, 3])
    assert "Hà Nội" not in set(beside.iloc[:, 0])  # kept its name and territory: nothing beside it
    captions = " ".join(c.value for c in at.caption)
    assert "bình quân không trọng số" in captions and "giữ nguyên như công bố" in captions


def test_profile_of_a_merged_province_shows_before_and_after(published_db, demo_db, monkeypatch):
    at = _app(
        published_db, demo_db, monkeypatch, "pages/profile.py", unit="ho-chi-minh/ho-chi-minh", lang="en"
    )
    assert any(s.value == "Figures before and after the reorganisation" for s in at.subheader)
    table = next(df.value for df in at.dataframe if "Rank · percentile" in df.value.columns)
    dti = table[table["Index"] == "DTI"]
    assert {"predecessor, before the reorganisation", "new unit, after the reorganisation"} <= set(
        dti["Note"]
    )


def test_several_units_totals_read_the_same_from_an_old_file_without_the_unit_ordered_table(
    published_db, tmp_path
):
    """The reads of several units' totals use ``ranked_units`` between the first and last unit
    asked for; a database built before that table existed reads ``ranked`` and gives the same rows,
    and units far apart in the order (two provinces) are all found."""
    old = tmp_path / "old.duckdb"
    old.write_bytes(published_db.read_bytes())
    with duckdb.connect(str(published_db), read_only=True) as con:
        ids = con.execute(
            "SELECT DISTINCT unit_id FROM ranked WHERE component IS NULL ORDER BY unit_id"
        ).fetchall()
        units = [ids[0][0], ids[len(ids) // 2][0], ids[-1][0]]
        new_totals = lineage_table.totals_of(con, unit_ids=units)
        new_last = lineage_table.last_results(con, unit_ids=units)
    with duckdb.connect(str(old)) as con:
        con.execute("DROP TABLE ranked_units")
        old_totals = lineage_table.totals_of(con, unit_ids=units)
        old_last = lineage_table.last_results(con, unit_ids=units)
    assert set(new_totals.get_column("unit_id")) == set(units)
    assert new_last.get_column("unit_id").unique().sort().to_list() == sorted(units)
    keys = ["unit_id", "index_code", "year", "edition"]
    assert new_totals.sort(keys).equals(old_totals.sort(keys))
    assert new_last.equals(old_last)
