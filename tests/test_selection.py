"""The table selectors' choices: worked out once from the tables frame, then looked up for any
link a reader opens (``chiso.selection.Choices``)."""

from __future__ import annotations

import polars as pl

from chiso.selection import Choices, Selection, fit, options

TABLES = pl.DataFrame(
    {
        "peer_group": ["province", "province", "province", "district", "district", "district", "district"],
        "scope_province": ["", "", "", "Sơn La", "Sơn La", "Hà Giang", "Hà Giang"],
        "index_code": ["PAR", "PAR", "SIPAS", "PAR", "PAR", "DTI", "PAR"],
        "year": [2023, 2024, 2024, 2023, 2024, 2024, 2022],
        "complete": [True, True, True, True, True, True, False],
        "n_scored": [63, 63, 63, 12, 12, 11, 11],
    }
)


def test_choices_offer_what_the_tables_hold_under_the_choices_above():
    choices = Choices.of(TABLES)
    assert choices.default == Selection("province", "", "PAR", 2024)
    district = Selection("district", "Hà Giang", "PAR", 2022)
    assert options(choices, district, "peer_group") == ["district", "province"]
    assert options(choices, district, "province") == ["Hà Giang", "Sơn La"]
    assert options(choices, district, "index") == ["DTI", "PAR"]
    assert options(choices, district, "year") == [2022]
    assert options(choices, Selection("district", "Sơn La", "PAR", 2024), "year") == [2024, 2023]
    assert options(choices, Selection("district", "Lai Châu", "PAR", 2024), "index") == []


def test_links_are_matched_without_diacritics_and_unknown_values_are_refused():
    choices = Choices.of(TABLES)
    assert fit(choices, {"peer_group": "district", "province": "ha giang", "index": "par"}) == (
        Selection("district", "Hà Giang", "PAR", 2022),
        [],
    )
    assert fit(choices, {"peer_group": "commune", "year": "2023"}) == (
        Selection("province", "", "PAR", 2023),
        [("peer_group", "commune")],
    )
    assert fit(choices, {"index": "SIPAS", "year": "2023"}) == (
        Selection("province", "", "SIPAS", 2024),
        [("year", "2023")],
    )


def test_a_refused_province_falls_back_to_the_groups_largest_and_is_reported():
    sel, refused = fit(Choices.of(TABLES), {"peer_group": "district", "province": "Lai Châu"})
    assert sel == Selection("district", "Sơn La", "PAR", 2024)  # 12 units scored against 11
    assert refused == [("province", "Lai Châu")]
    sel, refused = fit(Choices.of(TABLES), {"peer_group": "district", "province": "Hà Giang", "year": "2024"})
    assert sel == Selection("district", "Hà Giang", "PAR", 2022)  # PAR 2024 is not there: latest PAR
    assert refused == [("year", "2024")]
