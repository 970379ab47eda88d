"""Lineage of units across the 2025 reorganisation, checked against the registry's own files and
the figures of the reform (63 -> 34 provinces; 3.321 communes, wards and special zones; 471 former
communes and wards split between several new ones)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from chiso import lineage
from chiso.cli.main import main

REFORM = date(2025, 7, 1)


@pytest.fixture(scope="module")
def edges() -> pl.DataFrame:
    return lineage.lineage()  # cached: read once per process


@pytest.fixture(scope="module")
def registry() -> dict:
    """The registry read directly (not through chiso.lineage), as the oracle."""
    data_dir = Path(lineage._package_dir())
    with sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True) as con:
        new_units = set(con.execute("SELECT provinceShort, wardCode FROM admin_units").fetchall())
        new_provinces = {r[0] for r in con.execute("SELECT DISTINCT provinceShort FROM admin_units")}
        old_provinces = {r[0] for r in con.execute("SELECT DISTINCT provinceShort FROM admin_units_legacy")}
        old_wards = set(
            con.execute(
                "SELECT provinceShort, wardCode FROM admin_units_legacy WHERE wardCode IS NOT NULL"
            ).fetchall()
        )
        quang_ninh = con.execute(
            "SELECT count(*) FROM admin_units WHERE provinceShort = 'Quảng Ninh'"
        ).fetchone()[0]
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    return {
        "new_units": new_units,
        "new_provinces": new_provinces,
        "old_provinces": old_provinces,
        "old_wards": old_wards,
        "quang_ninh_new": quang_ninh,
        "divided": converter["DICT_PROVINCE_WARD_DIVIDED"],
    }


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_provinces_63_to_34_on_1_july_2025(edges, registry):
    provinces = edges.filter((pl.col("level") == "province") & (pl.col("date") == REFORM))
    assert set(provinces["predecessor_province"]) == registry["old_provinces"]
    assert provinces["predecessor_province"].n_unique() == 63
    assert set(provinces["successor_province"]) == registry["new_provinces"]
    assert provinces["successor_province"].n_unique() == 34
    assert set(provinces["kind"]) == {"whole"}  # provinces merged whole


def test_hue_renamed_before_the_reform(edges):
    renamed = edges.filter(pl.col("predecessor_province") == "Thừa Thiên Huế")
    assert renamed.select("successor", "date").rows() == [("Thành phố Huế", date(2025, 1, 1))]


def test_every_former_commune_and_ward_maps_to_a_new_unit(edges, registry):
    communes = edges.filter(pl.col("level") == "commune")
    mapped = set(communes.select("predecessor_province", "predecessor_code").iter_rows())
    assert mapped == registry["old_wards"]
    assert len(mapped) == 10035
    # Every successor at every level is one of the 3.321 new units of the 34 provinces.
    below = edges.filter(pl.col("level") != "province")
    assert set(below.select("successor_province", "successor_code").iter_rows()) <= registry["new_units"]
    assert len(registry["new_units"]) == 3321
    # Together the former districts' territory covers every new unit.
    districts = edges.filter(pl.col("level") == "district")
    assert set(districts.select("successor_province", "successor_code").iter_rows()) == registry["new_units"]
    assert districts.select("predecessor_province", "predecessor_code").n_unique() == 696


def test_split_wards_are_parts_of_several_successors(edges, registry):
    communes = edges.filter(pl.col("level") == "commune")
    per_ward = communes.group_by("predecessor_province", "predecessor_code").agg(
        pl.len().alias("successors"), pl.col("kind").unique().alias("kinds")
    )
    split = per_ward.filter(pl.col("successors") > 1)
    expected = sum(len(wards) for wards in registry["divided"].values())
    assert split.height == expected == 471  # the figure
    assert split["kinds"].to_list() == [["part"]] * split.height
    assert per_ward.filter(pl.col("successors") == 1)["kinds"].to_list() == [["whole"]] * (
        per_ward.height - split.height
    )


def test_cli_quang_ninh_lists_its_13_localities_and_54_new_units(capsys, registry):
    code, out, err = run_cli(capsys, "units", "--lineage", "quang ninh", "--format", "json")
    assert code == 0, err
    rows = pl.DataFrame(json.loads(out))
    territory = rows.filter(pl.col("role") == "territory")
    assert territory["predecessor"].n_unique() == 13
    assert territory["successor_code"].n_unique() == registry["quang_ninh_new"] == 54
    assert set(territory["date"]) == {"2025-07-01"}
    code, table, _ = run_cli(capsys, "units", "--lineage", "Quảng Ninh")
    assert code == 0
    assert "13 đơn vị cấp huyện cũ (đến 30/06/2025) → 54 xã, phường, đặc khu (từ 01/07/2025)" in table
    for name in territory["predecessor"].unique():
        assert f"  {name} (Quảng Ninh)" in table
    assert "Huyện Vân Đồn" in table and "Đặc khu Vân Đồn" in table
    code, english, _ = run_cli(capsys, "--lang", "en", "units", "--lineage", "Quảng Ninh")
    assert code == 0
    moved = "13 former districts (until 30/06/2025) → 54 communes, wards and special zones (from 01/07/2025)"
    assert moved in english
    assert "Quảng Ninh: predecessors and successors" in english
    assert "(whole)" in english or "(part)" in english  # each successor's kind, in English
    assert "đơn vị cấp huyện cũ" not in english and "Nguồn" not in english


def test_cli_ho_chi_minh_names_its_three_predecessor_provinces(capsys):
    code, out, err = run_cli(capsys, "units", "--lineage", "TP. Hồ Chí Minh", "--format", "csv")
    assert code == 0, err
    rows = pl.read_csv(out.encode(), infer_schema_length=0)
    provinces = rows.filter((pl.col("role") == "predecessor") & (pl.col("level") == "province"))
    assert set(provinces["predecessor_province"]) == {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}
    assert set(provinces["date"]) == {"2025-07-01"}
    _, table, _ = run_cli(capsys, "units", "--lineage", "Hồ Chí Minh")
    for name in ("Tỉnh Bình Dương → Thành phố Hồ Chí Minh", "Tỉnh Bà Rịa - Vũng Tàu → Thành phố Hồ Chí Minh"):
        assert name in table


def test_cli_split_ward_lists_its_successors(capsys, registry):
    code, out, err = run_cli(capsys, "units", "--lineage", "phuong linh tay", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    (old_key,) = [k for k in registry["divided"]["thanhphohochiminh"] if k.endswith("_phuonglinhtay")]
    expected = registry["divided"]["thanhphohochiminh"][old_key]
    assert len(rows) == len(expected) >= 2
    assert {r["kind"] for r in rows} == {"part"}
    assert {r["role"] for r in rows} == {"successor"}
    assert {r["predecessor"] for r in rows} == {"Phường Linh Tây"}
    _, table, _ = run_cli(capsys, "units", "--lineage", "Phường Linh Tây")
    for r in rows:
        assert f"{r['successor']} (một phần)" in table


def test_cli_new_ward_lists_its_predecessors(capsys):
    code, out, _ = run_cli(capsys, "units", "--lineage", "Phường Sài Gòn", "--format", "json")
    assert code == 0
    rows = [r for r in json.loads(out) if r["level"] == "commune"]
    assert {r["role"] for r in rows} == {"predecessor"}
    assert "Phường Bến Nghé" in {r["predecessor"] for r in rows}
    assert {r["successor"] for r in rows} == {"Phường Sài Gòn"}


def test_cli_ambiguous_or_unknown_name_is_refused_in_words(capsys):
    code, out, err = run_cli(capsys, "units", "--lineage", "Xã Tân Thành")
    assert code == 1 and out == ""
    assert "--province" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "units", "--lineage", "Không Có Nơi Này")
    assert code == 1 and "Không tìm thấy" in err


def test_importing_reads_nothing():
    probe = "import sys, chiso.lineage, chiso.cli.units; print('vietnamadminunits' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
