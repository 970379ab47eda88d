"""Real files load as sources print them: units from the national registry (63 and 34 provinces,
districts to mid-2025, communes and wards from mid-2025), index/component/unit-type spellings through
the config's aliases, and departments supplied in a units section or sheet of the same file."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.store import imports
from chiso.store.build import build
from chiso.units import Registry

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "indices.yaml"
EMPTY_UNITS = pl.DataFrame(
    schema={k: pl.String for k in ("unit_id", "province", "name", "short_name", "unit_type", "code")}
)

# A long CSV as a source prints it: index PAR_INDEX, a component written PAR.<area>, unit types as
# the reference spells them, districts that data/units.csv does not list, a province as "TP. Hồ Chí Minh".
PRINTED = """province,unit,unit_type,index,year,score,rank,rank_of,source_title,source_url
Bắc Giang,Tân Yên,district,DDCI,2023,70.5,,,Báo Bắc Giang,https://example.org/bg
Bắc Giang,TP Bắc Giang,city (district-level),PAR_INDEX,2024,88.1,,,Báo Bắc Giang,https://example.org/bg
Bắc Giang,TP Bắc Giang,city (district-level),PAR.chi_dao_dieu_hanh,2024,9.1,,,Báo Bắc Giang,https://example.org/bg
Bắc Giang,Yên Dũng,district,DDCI,2022,70.1,,,Báo Bắc Giang,https://example.org/bg
Hòa Bình,Lương Sơn,district,PAR_INDEX,2024,85.1,,,Báo Hòa Bình,https://example.org/hb
Hòa Bình,H. Cao Phong,district,PAR_INDEX,2024,84.1,,,Báo Hòa Bình,https://example.org/hb
TP. Hồ Chí Minh,TP. Hồ Chí Minh,province,PAPI,2019,41.5,,,Báo,https://example.org/papi
Thừa Thiên - Huế,Thừa Thiên - Huế,province,PAPI,2019,43.5,,,Báo,https://example.org/papi
"""
DEPARTMENT = """province,unit,unit_type,index,year,score,source_title
Bắc Giang,Sở VHTTDL Bắc Giang,department,PAR_INDEX,2024,88.5,Báo Bắc Giang
"""
UNITS_SECTION = """
[units]
province,name,short_name,unit_type,aliases
Bắc Giang,"Sở Văn hóa, Thể thao và Du lịch",,department,Sở VHTTDL Bắc Giang | Sở VHTTDL
"""


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    """The shipped data, built once; each test copies it."""
    db = tmp_path_factory.mktemp("real") / "chiso.duckdb"
    build(CONFIG, ROOT / "data", db)
    return db


@pytest.fixture
def db(real_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "chiso.duckdb"
    shutil.copy(real_db, copy)
    return copy


def national() -> Registry:
    return Registry.from_frames(EMPTY_UNITS, national=True)


# ---------- the registry ----------


@pytest.mark.parametrize(
    ("text", "province", "year", "name", "unit_type", "code"),
    [
        ("Bắc Giang", None, 2023, "Bắc Giang", "province", "24"),  # one of the 63, merged in 2025
        ("Huế", None, 2025, "Huế", "province", "46"),  # one of the 34
        ("TP. Hồ Chí Minh", None, None, "Hồ Chí Minh", "province", "79"),
        ("Thừa Thiên - Huế", None, 2023, "Thừa Thiên Huế", "province", "46"),
        ("TP Bắc Giang", "Bắc Giang", 2023, "Thành phố Bắc Giang", "city", "213"),
        ("kim boi", "Hòa Bình", 2024, "Huyện Kim Bôi", "district", "153"),
        ("Phường Hồng Bàng", "Hải Phòng", 2025, "Phường Hồng Bàng", "ward", "11311"),
        ("Cát Hải", "Hải Phòng", 2025, "Đặc khu Cát Hải", "special_zone", "11914"),
        ("Cát Hải", "Hải Phòng", 2023, "Huyện Cát Hải", "district", "317"),
    ],
)
def test_registry_resolves_units_as_printed(text, province, year, name, unit_type, code):
    unit = national().resolve(text, province=province, year=year)
    assert (unit.name, unit.unit_type, unit.code) == (name, unit_type, code)


def test_registry_validity_years_and_a_former_district():
    registry = national()
    registry.resolve("Bắc Giang", year=2023)
    registry.resolve("Huế", year=2025)
    yen_dung = registry.resolve("Yên Dũng", province="Bắc Giang", year=2022)
    units, _ = registry.added_frames(load_catalog(CONFIG))
    years = {r["name"]: (r["valid_from"], r["valid_to"]) for r in units.iter_rows(named=True)}
    assert years["Bắc Giang"] == (None, 2025)  # to 30 June 2025
    assert years["Huế"] == (2025, None)  # from 1 July 2025
    assert yen_dung.name == "Huyện Yên Dũng"
    assert (
        units.filter(pl.col("name") == "Huyện Yên Dũng")["successor_id"].item()
        == "bac-giang/thanh-pho-bac-giang"
    )


def test_an_unknown_name_is_still_refused():
    with pytest.raises(ChisoError, match="Không tìm thấy đơn vị 'Sở Chưa Có'"):
        national().resolve("Sở Chưa Có", province="Bắc Giang")


def test_the_registry_is_not_read_at_import_time():
    code = (
        "import sys, chiso.store.imports, chiso.store.build, chiso.units, chiso.admin_registry;"
        "print('vietnamadminunits' in sys.modules, chiso.admin_registry.load.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "0"]


# ---------- imports of files as sources print them ----------


def ranked_rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_a_printed_long_csv_imports_through_the_cli(db: Path, tmp_path: Path, capsys):
    path = tmp_path / "printed.csv"
    path.write_text(PRINTED, encoding="utf-8")
    assert main(["import", str(path), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Huyện Tân Yên (Bắc Giang)" in out and "Huyện Cao Phong (Hòa Bình)" in out  # new units, listed
    rows = ranked_rows(
        db,
        "SELECT name, index_code, coalesce(component, ''), year, score FROM ranked WHERE name IN "
        "('Huyện Tân Yên', 'Thành phố Bắc Giang', 'Huyện Yên Dũng', 'Huyện Lương Sơn', 'Huyện Cao Phong', "
        "'Hồ Chí Minh', 'Thừa Thiên Huế') AND year IN (2019, 2022, 2023, 2024) ORDER BY ALL",
    )
    assert ("Thành phố Bắc Giang", "PAR", "chi_dao_dieu_hanh", 2024, 9.1) in rows
    assert ("Thành phố Bắc Giang", "PAR", "", 2024, 88.1) in rows
    assert ("Huyện Yên Dũng", "DDCI", "", 2022, 70.1) in rows
    assert ("Hồ Chí Minh", "PAPI", "", 2019, 41.5) in rows
    assert ("Thừa Thiên Huế", "PAPI", "", 2019, 43.5) in rows
    assert {r[0] for r in rows} >= {"Huyện Tân Yên", "Huyện Lương Sơn", "Huyện Cao Phong"}
    peer = ranked_rows(db, "SELECT peer_group, unit_type, code FROM units WHERE name = 'Huyện Cao Phong'")
    assert peer == [("localities", "district", "154")]


def test_an_unknown_department_is_refused_by_name_then_imports_with_a_units_section(db: Path, tmp_path: Path):
    before = db.read_bytes()
    path = tmp_path / "dept.csv"
    path.write_text(DEPARTMENT, encoding="utf-8")
    plan = imports.plan_import(db, path)
    assert not plan.ok
    message = f"{plan.errors[0].message} {plan.errors[0].hint}"
    assert "Sở VHTTDL Bắc Giang" in message and "[units]" in message
    assert db.read_bytes() == before

    path.write_text(DEPARTMENT + UNITS_SECTION, encoding="utf-8")
    plan = imports.plan_import(db, path)
    assert plan.ok, plan.errors
    assert plan.new_units["name"].to_list() == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert any("Sở Văn hóa, Thể thao và Du lịch (Bắc Giang)" in n for n in plan.notes)
    imports.apply_import(db, plan, who="test")
    found = ranked_rows(
        db,
        "SELECT name, peer_group, score FROM ranked WHERE province = 'Bắc Giang' AND index_code = 'PAR' "
        "AND year = 2024 AND name LIKE 'Sở Văn hóa%'",
    )
    assert found == [("Sở Văn hóa, Thể thao và Du lịch", "departments", 88.5)]
    assert ranked_rows(db, "SELECT count(*) FROM unit_aliases WHERE alias = 'Sở VHTTDL Bắc Giang'") == [(1,)]
    imports.undo_last(db, who="test")
    assert ranked_rows(
        db, "SELECT count(*) FROM units WHERE province = 'Bắc Giang' AND name LIKE 'Sở Văn hóa%'"
    ) == [(0,)]


def test_a_bad_units_section_names_its_row(db: Path, tmp_path: Path):
    path = tmp_path / "dept.csv"
    path.write_text(DEPARTMENT + UNITS_SECTION.replace(",department,", ",sở lạ,"), encoding="utf-8")
    plan = imports.plan_import(db, path)
    assert not plan.ok
    error = plan.errors[0]
    assert "sở lạ" in error.message and error.row == 6 and error.column == "unit_type"


def test_an_xlsx_units_sheet_supplies_the_department(db: Path, tmp_path: Path):
    import xlsxwriter

    path = tmp_path / "dept.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    scores = workbook.add_worksheet("Điểm")
    for r, line in enumerate(DEPARTMENT.strip().splitlines()):
        for c, value in enumerate(line.split(",")):
            scores.write(r, c, value)
    units = workbook.add_worksheet("Đơn vị")
    for r, row in enumerate(
        [
            ["province", "name", "unit_type", "aliases"],
            ["Bắc Giang", "Sở Văn hóa, Thể thao và Du lịch", "department", "Sở VHTTDL Bắc Giang"],
        ]
    ):
        units.write_row(r, 0, row)
    workbook.close()
    plan = imports.plan_import(db, path)
    assert plan.ok, plan.errors
    assert plan.sheet == "Điểm"
    assert plan.new_units["name"].to_list() == ["Sở Văn hóa, Thể thao và Du lịch"]


def test_units_csv_lists_no_province(tmp_path: Path):
    """Provinces come from the registry; data/units.csv holds only what no registry has."""
    units = pl.read_csv(ROOT / "data" / "units.csv", infer_schema=False)
    assert units.filter(pl.col("unit_type") == "province").height == 0


# ---------- pickers ignore accents and case ----------


def run_page(page: str, **query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run()


def test_unit_pickers_find_units_typed_without_accents(published_db, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(published_db))
    at = run_page("pages/profile.py")
    at.text_input(key="q_unit").input("dam ha").run()
    assert not at.exception
    box = at.selectbox(key="w_unit")
    assert box.value == "quang-ninh/huyen-dam-ha"
    assert all("Đầm Hà" in o for o in box.options)

    at.text_input(key="q_unit").input("SO NOI VU").run()
    box = at.selectbox(key="w_unit")
    assert box.options and all("Sở Nội vụ" in o for o in box.options)

    at = run_page("pages/compare.py", group="localities", province="Quảng Ninh", index="DDCI", year="2020")
    before = at.multiselect(key="w_units")
    chosen = list(before.value)
    assert "quang-ninh/huyen-van-don" not in chosen
    at.text_input(key="q_units").input("VAN DON").run()
    assert not at.exception
    after = at.multiselect(key="w_units")
    assert "Huyện Vân Đồn" in after.options
    # units neither chosen nor matching the search leave the list
    dropped = [o for o in before.options if o not in after.options]
    assert dropped and not any("Vân Đồn" in o for o in dropped)
    assert len(after.options) == len(chosen) + 1
    assert list(after.value) == chosen  # what was chosen stays chosen


# ---------- the 2026 reference file and DTI scales ----------


def rank_table(db: Path, capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["rank", *args, "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_provincial_dti_is_on_the_ministry_scale_and_compared_as_percent(published_db, capsys):
    out = rank_table(published_db, capsys, "--index", "DTI", "--year", "2024", "--unit-type", "provinces")
    line = next(x for x in out.splitlines() if "Hà Nội" in x)
    assert "0,8241" in line and "82,41 %" in line  # the 34 merged provinces' first ranking
    assert "1/34" in line
    assert "Huế" in out  # a post-2025 province from the registry
    # Quảng Ninh's localities keep the 1000-point scale.
    out = rank_table(
        published_db,
        capsys,
        "--index",
        "DTI",
        "--year",
        "2023",
        "--unit-type",
        "localities",
        "--province",
        "Quảng Ninh",
        "--format",
        "csv",
    )
    row = pl.read_csv(io.StringIO(out)).row(0, named=True)
    assert (row["score"], row["max_score"], row["pct_of_max"]) == (712.0, 1000.0, 71.2)


def test_2026_figures_are_queryable_with_their_notes(published_db):
    rows = ranked_rows(
        published_db,
        "SELECT name, score, published_rank, published_rank_of, flag FROM ranked "
        "WHERE index_code = 'PCI' AND year = 2021 AND component IS NULL AND published_rank <= 2 ORDER BY 3",
    )
    assert [r[:4] for r in rows] == [("Quảng Ninh", 73.02, 1, 63), ("Hải Phòng", 70.61, 2, 63)]
    assert all("suy luận" in r[4] for r in rows)  # the year is the collector's inference
    subs = ranked_rows(
        published_db,
        "SELECT count(DISTINCT component) FROM ranked WHERE index_code = 'PCI' AND year = 2021 "
        "AND name = 'Quảng Ninh' AND component IS NOT NULL",
    )
    assert subs == [(10,)]
    ict = ranked_rows(
        published_db,
        "SELECT count(*), max(published_rank) FROM ranked WHERE index_code = 'DTI' AND year = 2017",
    )
    assert ict == [(53, 53)]
    blocks = ranked_rows(
        published_db,
        "SELECT peer_group, max(published_rank_of) FROM ranked WHERE province = 'Hải Phòng' AND year = 2025 "
        "AND index_code = 'PAR' AND unit_type <> 'department' GROUP BY ALL ORDER BY 1",
    )
    assert blocks == [("communes", 68), ("wards", 45)]
    hoa_binh = ranked_rows(
        published_db,
        "SELECT score, published_rank FROM ranked WHERE province = 'Hòa Bình' AND year = 2024 "
        "AND index_code = 'PAR' AND name = 'Huyện Kim Bôi'",
    )
    assert hoa_binh == [(89.65, 3)]


def test_averages_are_published_statistics_never_units(published_db):
    units = ranked_rows(published_db, "SELECT name FROM units")
    assert not [n for (n,) in units if "average" in n or "trung bình" in n.lower() or n.startswith("Vùng")]
    stats = ranked_rows(
        published_db,
        "SELECT province, value FROM published_stats WHERE index_code = 'PAR' AND year = 2024 "
        "AND province LIKE 'Vùng%' ORDER BY value DESC LIMIT 1",
    )
    assert stats == [("Vùng Đồng bằng sông Hồng", 90.17)]
    national = ranked_rows(
        published_db,
        "SELECT value FROM published_stats WHERE index_code = 'DTI' AND year = 2023 AND province = ''",
    )
    assert national == [(0.6783,)]
