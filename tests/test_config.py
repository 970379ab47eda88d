"""The shipped config validates; broken or invalid files stop with one line naming file, index, field."""

from pathlib import Path

import pytest
import yaml

from chiso.config import ConfigError, load_catalog
from tests.conftest import CONFIG

EXPECTED = ["PAR", "SIPAS", "DGI", "DDCI", "DTI", "DTI_XA", "DVC", "PCI", "PAPI"]


def test_shipped_config_declares_every_index():
    catalog = load_catalog(CONFIG)
    assert catalog.codes == EXPECTED
    par = catalog.index("par")
    assert par.max_for("Hòa Bình", "provinces", 2023, "diem_tham_dinh") == 61.5
    assert sum(c.max for c in par.variant_for("Hòa Bình", "provinces", 2023).components) == pytest.approx(100)


@pytest.mark.parametrize(
    ("province", "group", "year", "component", "expected"),
    [
        ("Quảng Ninh", "localities", 2021, None, 30),  # SIPAS on 30 points in Quảng Ninh's district index
        ("Hòa Bình", "departments", 2022, None, 100),
    ],
)
def test_variant_maxima(province, group, year, component, expected):
    assert load_catalog(CONFIG).index("SIPAS").max_for(province, group, year, component) == expected


def _broken(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "indices.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_key_names_file_index_and_field(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["indices"][1].update({"maximum": 100}))
    with pytest.raises(ConfigError) as err:
        load_catalog(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message and "index SIPAS" in message and "maximum" in message
    assert "Extra inputs are not permitted" in message


def test_wrong_type_names_the_nested_field(tmp_path):
    path = _broken(
        tmp_path, lambda raw: raw["indices"][0]["variants"][0]["components"][0].update({"max": "lots"})
    )
    with pytest.raises(ConfigError, match=r"index PAR: field variants\[0\]\.components\[0\]\.max"):
        load_catalog(path)


def test_broken_yaml_is_one_line_with_position(tmp_path):
    path = tmp_path / "indices.yaml"
    path.write_text("version: 1\nindices: [\n  - code: PAR\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_catalog(path)
    assert "\n" not in str(err.value) and "dòng" in str(err.value) and str(path) in str(err.value)


def test_duplicate_index_code_is_refused(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["indices"].append(dict(raw["indices"][0])))
    with pytest.raises(ConfigError, match="index code repeated: PAR"):
        load_catalog(path)


def test_missing_language_is_named(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["indices"][2]["name"].pop("en"))
    with pytest.raises(ConfigError, match="index DGI: name lacks language en"):
        load_catalog(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="không tìm thấy"):
        load_catalog(tmp_path / "nope.yaml")


def test_a_key_given_twice_names_both_lines_in_either_language(tmp_path):
    cfg = tmp_path / "indices.yaml"
    cfg.write_text("indices:\n  - code: PAR\n    name: {vi: A, en: A}\n    code: SIPAS\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_catalog(cfg)
    assert err.value.code == "config.duplicate_key"
    assert "dòng 4, cột 5" in str(err.value) and "'code' có hai lần (dòng 2 và dòng 4)" in str(err.value)
    assert "line 4, column 5: the key 'code' is given twice (lines 2 and 4)" in err.value.text("en")


def test_nesting_too_deep_is_refused_with_its_position_in_either_language(tmp_path):
    cfg = tmp_path / "indices.yaml"
    cfg.write_text("indices: " + "[" * 60 + "]" * 60 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_catalog(cfg)
    assert "dòng 1" in str(err.value) and "lồng quá 40 mức" in str(err.value)
    assert "nested more than 40 levels deep" in err.value.text("en")
