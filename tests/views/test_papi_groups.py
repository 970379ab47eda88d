"""PAPI groups provinces by quartiles recomputed each year (papi.org.vn), which no fixed band
reproduces: the fixed bands the project had inferred (60 / 56,25 / 52,5 % of 80) called Quảng
Ninh, first of 63 in 2022, 'Nhóm trung bình cao (suy luận)'. No PAPI group is given any more."""

from __future__ import annotations

from chiso.config import load_catalog
from chiso.paths import CONFIG_PATH
from chiso.store import queries
from chiso.views import tables


def test_the_first_province_on_papi_is_given_no_invented_group(published_db):
    catalog = load_catalog(CONFIG_PATH)
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="PAPI", year=2022, peer_group="provinces", scope_province="")
    first = ranking.filter(ranking.get_column("rank") == 1).row(0, named=True)
    assert first["name"] == "Quảng Ninh" and first["rank_of"] == 63
    assert ranking.get_column("tier_code").is_null().all()
    shown = tables.display_table(ranking, catalog.index("PAPI"), "vi")
    assert set(shown.get_column("Xếp loại").to_list()) == {"–"}
    assert catalog.index("PAPI").tiers_for("", "provinces", 2022) == []


def test_without_groups_no_unit_is_said_to_be_in_the_top_one(published_db):
    from tests.views.test_analysis import _components_view

    cards = dict(_components_view(published_db, "PAPI", 2023, "Hòa Bình").cards)
    assert cards["Để lên xếp loại trên"] == "Chỉ số không có xếp loại cho bảng này"
