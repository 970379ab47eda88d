"""Peer groups and frameworks by province and year: the config says which unit types a province
ranks together in which years (Hải Phòng 2025: three blocks) and which framework applies
(commune-level PAR from 2025, marked as a method change; Hà Nội's own 2025 framework)."""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest

from chiso import paths
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.metrics import peer_rules, trends
from chiso.store.build import build
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)
PAR = CATALOG.index("PAR")


def test_rule_applies_by_province_year_and_unit_type():
    rows = pl.DataFrame(
        {
            "province": ["Hải Phòng", "Hải Phòng", "Hải Phòng", "Quảng Ninh", "Hải Phòng"],
            "unit_type": ["ward", "ward", "commune", "ward", "department"],
            "year": [2025, 2024, 2025, 2025, 2025],
            "peer_group": ["communes", "communes", "communes", "communes", "departments"],
        }
    )
    out = peer_rules.apply(rows, CATALOG).get_column("peer_group").to_list()
    assert out == ["wards", "communes", "communes", "communes", "departments"]


def test_hai_phong_2025_is_ranked_in_three_blocks_by_the_config_alone(tmp_path):
    """With data/units.csv's per-unit overrides removed, the config rule still splits the blocks."""
    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    units = pl.read_csv(data / "units.csv", infer_schema_length=0)
    cleared = units.with_columns(
        peer_group=pl.when(pl.col("peer_group") == "wards").then(pl.lit(None)).otherwise(pl.col("peer_group"))
    )
    assert cleared.get_column("peer_group").drop_nulls().to_list().count("wards") == 0
    cleared.write_csv(data / "units.csv")
    db = tmp_path / "rules.duckdb"
    build(CONFIG, data, db)
    with duckdb.connect(str(db), read_only=True) as con:
        blocks = con.sql(
            "SELECT peer_group, max(rank_of) FROM ranked WHERE index_code = 'PAR' AND year = 2025 "
            "AND province = 'Hải Phòng' AND component IS NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert blocks == [("communes", 68), ("departments", 14), ("wards", 45)]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    peer_group: wards\n", "    peer_group: khoi_moi\n", "peer_group_rules 1: unknown peer group"),
        ("    unit_types: [ward]\n", "    unit_types: [phuong]\n", "peer_group_rules 1: unknown unit type"),
        (
            "        peer_groups: [communes, wards]\n        note:",
            "        peer_groups: [xa]\n        note:",
            "method change 2025: unknown peer group",
        ),
    ],
)
def test_a_rule_naming_what_the_config_lacks_is_refused(tmp_path, old, new, message):
    text = CONFIG.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "indices.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ChisoError, match=message):
        load_catalog(broken)


def test_commune_level_par_from_2025_is_a_method_change_of_commune_tables_only():
    notes = dict(trends.method_breaks(PAR, [2024, 2025], "vi", "Hải Phòng", "wards"))
    assert "cấp xã từ năm 2025" in notes[2025]
    departments = dict(trends.method_breaks(PAR, [2024, 2025], "vi", "Hải Phòng", "departments"))
    assert "cấp xã từ năm 2025" not in departments.get(2025, "")
    assert "1187/QĐ-BNV" in departments[2025]  # the national change still concerns every table


def test_ha_noi_2025_has_its_own_framework():
    """QĐ 5666: the 100-point scale and the eight areas are published, their maxima are not (the
    variant says it is inferred); bonus/penalty points are no component."""
    variant = PAR.variant_for("Hà Nội", "communes", 2025)
    assert variant.id == "par_ha_noi_2025" and variant.max_score == 100 and variant.inferred
    assert len(variant.components) == 8 and "một cửa" in variant.components[2].name["vi"]
    assert not any("thưởng" in c.name["vi"] for c in variant.components)
    assert "5666" in variant.note["vi"] and "suy luận" in variant.note["vi"]
    assert "5666" in variant.source
    assert PAR.variant_for("Hà Nội", "departments", 2025).id == "par_ha_noi_2025"
    assert PAR.variant_for("Hà Nội", "communes", 2024).id != "par_ha_noi_2025"
    assert PAR.variant_for("Quảng Ninh", "communes", 2025).id != "par_ha_noi_2025"
