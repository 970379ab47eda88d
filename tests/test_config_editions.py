"""Editions of a year in the config (DTI 2024: 63 and 34 provinces): read as declared, and a
broken declaration stops the load with one line naming the file, the index and what is wrong."""

from pathlib import Path

import pytest
import yaml

from chiso.config import ConfigError, load_catalog
from tests.conftest import CONFIG


def test_dti_2024_has_the_63_and_the_34_province_editions_for_provinces_only():
    dti = load_catalog(CONFIG).index("DTI")
    assert [(e.code, e.units) for e in dti.editions_for(2024, "provinces")] == [
        ("63", "former"),
        ("34", "new"),
    ]
    assert dti.default_edition(2024, "provinces") == "34"
    assert dti.editions_for(2024, "communes") == [] and dti.default_edition(2023, "provinces") == ""
    assert dti.new_editions() == ["34"]


def _dti_editions(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    dti = next(i for i in raw["indices"] if i["code"] == "DTI")
    mutate(dti["editions"][0])
    path = tmp_path / "indices.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "said"),
    [
        (lambda y: y["editions"][0].update({"default": True}), "exactly one must be default"),
        (lambda y: y["editions"][1].update({"default": False}), "exactly one must be default"),
        (lambda y: y["editions"][1].update({"code": "63"}), "edition of 2024 code repeated: 63"),
        (lambda y: y["editions"][0].update({"units": "new"}), "at most one edition of the former"),
        (lambda y: y.update({"peer_groups": ["tỉnh"]}), "unknown peer group 'tỉnh'"),
        (lambda y: y["editions"][0]["name"].pop("en"), "edition 63 of 2024: name lacks language en"),
        (lambda y: y["editions"].pop(), "editions"),  # a year of one edition needs no declaration
        (lambda y: y["editions"][0].update({"territory": "old"}), "Extra inputs are not permitted"),
    ],
)
def test_a_broken_edition_declaration_is_one_line_naming_index_and_field(tmp_path, mutate, said):
    path = _dti_editions(tmp_path, mutate)
    with pytest.raises(ConfigError) as err:
        load_catalog(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and "index DTI" in message and said in message
