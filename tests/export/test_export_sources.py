"""Exports that describe themselves (issue 11, item 8): on every page, a chart's title names the
index, the year and the unit or the peer group and province; a file name carries the unit and the
year; every CSV gives each row its sources and every XLSX lists each source once, with the rows it
supports; labels as on screen, numbers rounded as on screen. The pages call the same functions as
``chiso export``, so one test per page goes through the command line (or the page itself)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import polars as pl

from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.export import sources as export_sources
from chiso.selection import Selection
from chiso.store import analysis_queries, counts, queries
from chiso.views import compare, components, profile, trends, why
from chiso.views import services as views_dvc
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)
ASCII_NAME = re.compile(r"^[a-z0-9A-Z_-]+$")


def run_export(db: Path, tmp_path: Path, page: str, fmt: str, *args: str) -> Path:
    out = tmp_path / f"{page}.{fmt}"
    assert main(["export", page, *args, "--format", fmt, "--out", str(out), "--db", str(db)]) == 0
    return out


def sources_sheet(path: Path) -> pl.DataFrame:
    """The "Nguồn" sheet of an XLSX whose number formats show what the screen shows (no 3 decimals)."""
    with zipfile.ZipFile(path) as book:
        formats = re.findall(r'formatCode="([^"]+)"', book.read("xl/styles.xml").decode("utf-8"))
    assert formats and not any("0.000" in f for f in formats)
    return pl.read_excel(path, sheet_name="Nguồn")


def assert_sources_listed_once(sheet: pl.DataFrame) -> None:
    """A non-empty sources sheet: each (title, link) once, every entry saying which rows it supports."""
    assert sheet.height >= 1
    titles = sheet.get_column("Tiêu đề nguồn").to_list()
    links = sheet.get_column("Đường dẫn").to_list() if "Đường dẫn" in sheet.columns else [None] * len(titles)
    assert len(set(zip(titles, links, strict=True))) == sheet.height
    assert all(sheet.get_column("Dòng dữ liệu dựa trên nguồn").str.len_chars() > 0)


def assert_rows_carry_sources(path: Path) -> pl.DataFrame:
    """Every CSV row names its source in the two trailing columns; the file reads as one table."""
    table = pl.read_csv(path)
    assert table.columns[-2:] == ["Tiêu đề nguồn", "Đường dẫn nguồn"]
    assert table.height >= 1 and table.get_column("Tiêu đề nguồn").null_count() == 0
    return table


def export_both(db: Path, tmp_path: Path, page: str, *args: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The page exported as XLSX (its sources sheet, each source listed once) and as CSV (every
    row carrying its source): the sources sheet and the CSV table."""
    sheet = sources_sheet(run_export(db, tmp_path, page, "xlsx", *args))
    assert_sources_listed_once(sheet)
    return sheet, assert_rows_carry_sources(run_export(db, tmp_path, page, "csv", *args))


def title_of(figure) -> str:
    """The title as shown: its first line and, below it, its second (Plotly's subtitle)."""
    title = figure.layout.title
    sub = title.subtitle.text if title.subtitle and title.subtitle.text else ""
    return f"{title.text} {sub}".strip()


def test_rankings_exports_describe_themselves(published_db, tmp_path):
    args = ["--index", "PAR", "--year", "2022", "--province", "Hòa Bình", "--unit-type", "department"]
    sheet, _ = export_both(published_db, tmp_path, "rankings", *args)
    assert "Sở Nội vụ" in sheet.get_column("Dòng dữ liệu dựa trên nguồn")[0]
    from chiso.views import rankings as rankings_view
    from chiso.views import tables as views

    sel = Selection("departments", "Hòa Bình", "PAR", 2022)
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, **sel.table())
    title = title_of(rankings_view.rankings_figure(ranking, CATALOG.index("PAR"), sel, "vi", CATALOG))
    assert "2022" in title and "Chỉ số CCHC" in title and "Hòa Bình" in title and "Sở, ban, ngành" in title
    assert views.file_name(sel) == "chiso_PAR_2022_departments_hoa-binh"


def test_trends_exports_describe_themselves(demo_db, tmp_path):
    args = ["--index", "PAR", "--unit-type", "localities", "--province", "Sơn Hải", "--unit", "An Thạch"]
    sheet, table = export_both(demo_db, tmp_path, "trends", *args)
    assert sheet.get_column("Dòng dữ liệu dựa trên nguồn").to_list() == ["Thị xã An Thạch"]
    assert set(table.get_column("Đơn vị")) == {"Thị xã An Thạch"}
    sel = Selection("localities", "Sơn Hải", "PAR", 2024)
    with queries.connect(demo_db) as con:
        series = queries.series(con, index="PAR", peer_group="localities", scope_province="Sơn Hải")
    unit_id = series.filter(pl.col("name") == "Thị xã An Thạch").get_column("unit_id")[0]
    title = title_of(
        trends.trends_figure(series, [unit_id], "score", CATALOG.index("PAR"), "vi", sel, CATALOG)
    )
    assert "Chỉ số CCHC" in title and "2018–2024" in title and "Sơn Hải" in title
    assert trends.trends_name(series, CATALOG.index("PAR"), sel) == (
        "chiso_xu-huong_PAR_2018-2024_localities_son-hai"
    )


def test_components_exports_and_heatmap_describe_themselves(published_db, tmp_path):
    args = ["--index", "PCI", "--year", "2019", "--unit-type", "provinces", "--unit", "Quảng Ninh"]
    sheet, _ = export_both(published_db, tmp_path, "gaps", *args)
    supported = " ".join(sheet.get_column("Dòng dữ liệu dựa trên nguồn").to_list())
    assert "Đà Nẵng" not in supported  # no list of 22 unit names in one cell, but what the source supports
    assert "Mọi dòng" in supported and "21 đơn vị cùng nhóm" in supported
    sel = Selection("provinces", "", "PCI", 2019)
    with queries.connect(published_db) as con:
        rows = analysis_queries.table_rows(con, **sel.table())
    unit_id = rows.filter(pl.col("name") == "Quảng Ninh").get_column("unit_id")[0]
    title = title_of(components.gaps_figure(rows, unit_id, CATALOG.index("PCI"), sel, "vi", CATALOG))
    assert "PCI 2019" in title and "Quảng Ninh" in title and "Toàn quốc" in title
    name = components.gaps_name(rows, unit_id, CATALOG.index("PCI"), sel)
    assert ASCII_NAME.match(name) and "quang-ninh" in name and "2019" in name


def test_profile_exports_describe_themselves(published_db, tmp_path):
    args = ["--unit", "Đầm Hà", "--year", "2021"]
    sheet, table = export_both(published_db, tmp_path, "profile", *args)
    # one source behind three indices: listed once, naming the indices, not the unit three times
    assert sheet.get_column("Dòng dữ liệu dựa trên nguồn").to_list() == ["Chỉ số CCHC, SIPAS, DGI"]
    assert table.get_column("Chỉ số").to_list() == ["Chỉ số CCHC", "SIPAS", "DGI"]  # labels, not codes
    with queries.connect(published_db) as con:
        dam_ha = queries.units(con).filter(pl.col("name") == "Huyện Đầm Hà").get_column("unit_id")[0]
        rows = analysis_queries.unit_rows(con, unit_id=dam_ha)
    title = title_of(profile.profile_figure(rows, 2021, CATALOG, "vi"))
    assert "Huyện Đầm Hà (Quảng Ninh)" in title and "2021" in title
    names = {profile.profile_name(rows, year) for year in (2021, 2022)}
    assert names == {"chiso_ho-so_huyen-dam-ha_quang-ninh_2021", "chiso_ho-so_huyen-dam-ha_quang-ninh_2022"}


def test_compare_exports_describe_themselves(published_db, tmp_path):
    args = ["--index", "PCI", "--year", "2019", "--unit-type", "provinces"]
    args += ["--unit", "Quảng Ninh", "--unit", "Đà Nẵng"]
    sheet, _ = export_both(published_db, tmp_path, "compare", *args)
    assert "Quảng Ninh" in sheet.get_column("Dòng dữ liệu dựa trên nguồn")[0]
    sel = Selection("provinces", "", "PCI", 2019)
    with queries.connect(published_db) as con:
        rows = analysis_queries.table_rows(con, **sel.table())
    chosen = (
        rows.filter(pl.col("name").is_in(["Quảng Ninh", "Đà Nẵng"])).get_column("unit_id").unique().to_list()
    )
    title = title_of(compare.compare_figure(rows, chosen, CATALOG.index("PCI"), sel, "vi", CATALOG))
    assert "PCI" in title and "2019" in title and "Tỉnh, thành phố" in title and "Toàn quốc" in title
    assert compare.compare_name(CATALOG.index("PCI"), sel) == "chiso_so-sanh_PCI_2019_provinces_toan-quoc"


def test_why_exports_describe_themselves(demo_db, tmp_path):
    args = ["--index", "PAR", "--year", "2024", "--unit-type", "localities", "--province", "Sơn Hải"]
    args += ["--unit", "An Thạch"]
    sheet, table = export_both(demo_db, tmp_path, "why", *args)
    supported = sheet.get_column("Dòng dữ liệu dựa trên nguồn")[0]
    assert "cột năm 2023" in supported and "cột năm 2024" in supported
    numbers = [v for c in table.columns if table.schema[c].is_float() for v in table[c].drop_nulls()]
    assert numbers and all(round(v, 2) == v for v in numbers)  # rounded as on screen
    sel = Selection("localities", "Sơn Hải", "PAR", 2024)
    with queries.connect(demo_db) as con:
        rows = analysis_queries.tables_two_years(
            con, index="PAR", peer_group="localities", scope_province="Sơn Hải", year_a=2023, year_b=2024
        )
    unit_id = rows.filter(pl.col("name") == "Thị xã An Thạch").get_column("unit_id")[0]
    title = title_of(why.why_figure(rows, unit_id, CATALOG.index("PAR"), sel, 2023, "vi", CATALOG))
    assert "Chỉ số CCHC" in title and "2023 → 2024" in title and "An Thạch" in title and "Sơn Hải" in title
    name = why.why_name(rows, unit_id, CATALOG.index("PAR"), sel, 2023)
    assert ASCII_NAME.match(name) and "an-thach" in name and "2023-2024" in name


def test_profile_strongest_and_weakest_export_labels_and_rounded_numbers(demo_db):
    with queries.connect(demo_db) as con:
        unit_id = queries.units(con).filter(pl.col("name") == "Thị xã An Thạch").get_column("unit_id")[0]
        rows = analysis_queries.unit_rows(con, unit_id=unit_id)
    # floats as arithmetic leaves them (96.50000000000001) must leave the dashboard as shown
    noisy = rows.with_columns(
        pl.when(pl.col("component").is_not_null()).then(pl.col(c) + 1e-11).otherwise(pl.col(c)).alias(c)
        for c in ("score", "pct_of_max")
    )
    table = profile.extremes_table(noisy, 2024, CATALOG, "vi")
    assert table.columns == ["Loại", "Chỉ số thành phần", "Điểm", "Điểm tối đa", "% tối đa"]
    assert set(table.get_column("Loại")) == {"Mạnh nhất", "Yếu nhất"}
    assert all(" · " in text and "_" not in text for text in table.get_column("Chỉ số thành phần"))
    assert "Chỉ số CCHC · Cải cách thể chế" in table.get_column("Chỉ số thành phần").to_list()
    for column in ("Điểm", "% tối đa"):
        assert all(round(v, 2) == v for v in table.get_column(column))
    sheet = export_sources.sheet(profile.extremes_sources(rows, 2024, CATALOG, "vi"), "vi")
    assert len(sheet) == 1 and "Chỉ số CCHC · Cải cách thể chế" in sheet[0]["unit"]


XUAN_TRUONG = "nam-dinh/huyen-xuan-truong"


def test_online_services_exports_and_charts_describe_themselves(published_db, monkeypatch, tmp_path):
    from datetime import date

    from streamlit.testing.v1 import AppTest

    from chiso.metrics import services as dvc

    period = dvc.Period(date(2024, 1, 1), date(2024, 12, 31))
    with queries.connect(published_db) as con:
        found = counts.unit_counts(con, unit_id=XUAN_TRUONG, start=period.start, end=period.end)
        published = counts.published_rates(
            con, province="Nam Định", start=period.start, end=period.end, unit_id=XUAN_TRUONG
        )
    rates = CATALOG.index("DVC").rates
    table = views_dvc.unit_rates_export(dvc.compute_rates(found, rates), published, rates, "vi")
    assert table.schema["Tỷ lệ (%)"] == pl.Float64  # a number, never the text "82,97"
    assert 82.97 in table.get_column("Tỷ lệ (%)").to_list()
    found_sources = views_dvc.unit_rates_sources(table, found, published, "vi")
    xlsx = export_sources.xlsx_bytes(table, found_sources, "vi")
    assert_sources_listed_once(pl.read_excel(io.BytesIO(xlsx), sheet_name="Nguồn"))
    csv = export_sources.csv_bytes(table, found_sources, "Chỉ tiêu", "vi")
    (tmp_path / "dvc.csv").write_bytes(csv)
    assert_rows_carry_sources(tmp_path / "dvc.csv")
    counts_table = views_dvc.counts_export_labelled(found, "vi")
    assert "unit" not in counts_table.get_column("Cấp").to_list()  # levels in words, as on screen
    assert views_dvc.period_slug(dvc.covered(period, found)) == "2024-01_2024-05"

    monkeypatch.setenv("CHISO_DB", str(published_db))
    at = AppTest.from_file(
        str(Path(__file__).resolve().parents[2] / "pages" / "services.py"), default_timeout=60
    )
    at.run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [
        c["layout"]["title"]["text"] + " " + c["layout"]["title"].get("subtitle", {}).get("text", "")
        for c in charts
    ]
    assert titles and all("DVC trực tuyến" in t and "Nam Định" in t for t in titles)
    assert any("Huyện Xuân Trường" in t and "Tháng 1–5/2024" in t for t in titles)
