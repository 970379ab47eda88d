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


def test_indices_are_offered_and_fallen_back_to_in_the_catalogues_order_not_a_named_code():
    """With the catalogue's order the pickers list its first index first, and a table without the
    index asked for (or held) falls back to that first one: no index code is written in the rule."""
    choices = Choices.of(TABLES.filter(pl.col("index_code") != "PAR"), index_order=("SIPAS", "DTI"))
    assert options(choices, Selection("district", "Hà Giang", "DTI", 2024), "index") == ["DTI"]
    ordered = Choices.of(TABLES, index_order=("DTI", "PAR", "SIPAS"))
    assert options(ordered, Selection("district", "Hà Giang", "PAR", 2022), "index") == ["DTI", "PAR"]
    sel, refused = fit(ordered, {"peer_group": "province", "index": "NOPE"})
    assert sel.index == "PAR" and refused == [("index", "NOPE")]  # the held index stays while offered
    by_code = Choices.of(TABLES)  # no order given: by code, as before
    assert options(by_code, Selection("district", "Hà Giang", "PAR", 2022), "index") == ["DTI", "PAR"]


def test_the_fallback_index_is_the_first_in_the_order_given():
    """The default table is SIPAS's; Hà Giang's districts hold DTI and PAR only: the index falls
    back to whichever the catalogue lists first."""
    tables = TABLES.filter((pl.col("peer_group") == "district") | (pl.col("index_code") == "SIPAS"))
    tables = pl.concat(
        [
            tables,
            tables.filter(pl.col("scope_province") == "Hà Giang").with_columns(year=pl.lit(2024, pl.Int64)),
        ]
    )
    for order, first in ((("DTI", "PAR", "SIPAS"), "DTI"), (("PAR", "DTI", "SIPAS"), "PAR")):
        sel, _ = fit(
            Choices.of(tables, index_order=order), {"peer_group": "district", "province": "Hà Giang"}
        )
        assert sel.index == first, order
