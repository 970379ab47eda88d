"""Names resolve ignoring case, accents and tone-mark placement; ambiguity is refused with candidates."""

import polars as pl
import pytest

from chiso.errors import ChisoError
from chiso.names import fold
from chiso.units import Registry, Unit, unit_id


def registry() -> Registry:
    reg = Registry()
    for province, name, short, kind, code in [
        ("Hòa Bình", "Hòa Bình", "Hòa Bình", "province", "17"),
        ("Hòa Bình", "Thành phố Hòa Bình", "Hòa Bình", "city", "148"),
        (
            "Hòa Bình",
            "Sở Lao động - Thương binh và Xã hội",
            "Sở Lao động - Thương binh và Xã hội",
            "department",
            "",
        ),
        ("Quảng Ninh", "Huyện Đầm Hà", "Đầm Hà", "district", "200"),
        ("Quảng Ninh", "Sở Y tế", "Sở Y tế", "department", ""),
        ("Bắc Giang", "Sở Y tế", "Sở Y tế", "department", ""),
    ]:
        reg.add(Unit(unit_id(province, name), province, name, short, kind, code))
    reg.add_alias(unit_id("Hòa Bình", "Sở Lao động - Thương binh và Xã hội"), "Sở Lao động - TB&XH")
    reg.add_alias(unit_id("Hòa Bình", "Thành phố Hòa Bình"), "TP Hòa Bình")
    return reg


def test_fold_ignores_tone_mark_placement_and_case():
    assert fold("Hoà Bình") == fold("Hòa Bình") == fold("HOA BINH") == "hoa binh"
    assert fold("Đầm Hà") == "dam ha"


@pytest.mark.parametrize(
    ("text", "province", "expected"),
    [
        ("Huyện Đầm Hà", None, "Huyện Đầm Hà"),
        ("dam ha", None, "Huyện Đầm Hà"),
        ("H. Đầm Hà", None, "Huyện Đầm Hà"),
        ("200", None, "Huyện Đầm Hà"),
        ("TP Hòa Bình", None, "Thành phố Hòa Bình"),
        ("thanh pho hoa binh", None, "Thành phố Hòa Bình"),
        ("Hoà Bình", None, "Hòa Bình"),  # the province: exact name beats the city's short name
        ("Sở Lao động - TB&XH", None, "Sở Lao động - Thương binh và Xã hội"),
        ("Sở Y tế", "Quảng Ninh", "Sở Y tế"),
    ],
)
def test_resolve(text, province, expected):
    assert registry().resolve(text, province=province).name == expected


def test_ambiguous_name_lists_candidates():
    with pytest.raises(ChisoError) as err:
        registry().resolve("Sở Y tế")
    assert "Quảng Ninh" in str(err.value) and "Bắc Giang" in str(err.value)


def test_unknown_name_suggests_closest_accent_insensitive():
    with pytest.raises(ChisoError, match="Huyện Đầm Hà"):
        registry().resolve("Dam Haa", province="Quảng Ninh")


def test_registry_from_frames_reads_aliases():
    units = pl.DataFrame(
        [
            {
                "unit_id": "x/a",
                "province": "X",
                "name": "Sở A",
                "short_name": "Sở A",
                "unit_type": "department",
                "code": None,
            }
        ]
    )
    reg = Registry.from_frames(units, pl.DataFrame({"unit_id": ["x/a"], "alias": ["SA"]}))
    assert reg.resolve("sa").unit_id == "x/a"
