"""The online-services ranking on the map: the rate coloured like a score, each district hovered
with the rank its row gives (none for a unit with counts but no rate), shapes of the level and
period of the counts."""

from __future__ import annotations

from datetime import date

import polars as pl

from chiso import geo
from chiso.views import maps, services_map

RANKED = pl.DataFrame(
    {
        "unit_id": ["nam-dinh/huyen-xuan-truong", "nam-dinh/huyen-giao-thuy"],
        "name": ["Huyện Xuân Trường", "Huyện Giao Thủy"],
        "rate_pct": [98.51, None],
        "rank": [1, None],
        "rank_of": [1, None],
        "source_title": ["Báo cáo một cửa Xuân Trường", None],
    }
)
UNITS = pl.DataFrame(
    {
        "unit_id": ["nam-dinh/huyen-xuan-truong", "nam-dinh/huyen-giao-thuy", "nam-dinh/so-noi-vu"],
        "province": ["Nam Định"] * 3,
        "code": [None, None, None],
        "peer_group": ["localities", "localities", "departments"],
    }
)


def _geometry(scope: maps.MapScope):
    code = maps.province_code(geo.names(scope.period, "provinces"), scope.province)
    return (
        geo.shapes(scope.period, scope.level, code),
        geo.names(scope.period, scope.level),
        geo.islands(scope.period),
    )


def test_districts_before_the_split_communes_after_none_for_districts_after():
    rows = services_map.rows(RANKED, UNITS)
    assert services_map.scope(rows, "Nam Định", date(2024, 1, 1)) == maps.MapScope(
        geo.LEGACY, "districts", "Nam Định"
    )
    assert services_map.scope(rows, "Nam Định", date(2025, 7, 1)) is None  # no districts any more
    wards = rows.with_columns(peer_group=pl.lit("communes"))
    assert services_map.scope(wards, "Nam Định", date(2025, 8, 1)).level == "wards"
    assert services_map.scope(rows.clear(), "Nam Định", date(2024, 1, 1)) is None


def test_each_district_hovers_with_the_rank_and_rate_of_its_row_only():
    rows = services_map.rows(RANKED, UNITS)
    scope = services_map.scope(rows, "Nam Định", date(2024, 1, 1))
    view = services_map.build(
        rows,
        scope,
        _geometry(scope),
        rate_name="Tỷ lệ số hóa",
        where="Tháng 1–5/2024",
        lang="vi",
        selected="nam-dinh/huyen-xuan-truong",
    )
    hovers = [" ".join(c) for trace in view.figure.data for c in (trace.customdata or ())]
    assert any("Xuân Trường" in h and "Hạng 1/1 · Tỷ lệ 98,51 %" in h for h in hovers), hovers
    giao_thuy = [h for h in hovers if "Giao Thủy" in h]
    assert giao_thuy and "Hạng" not in giao_thuy[0] and "không có hạng" in giao_thuy[0]
    legend = [trace.name for trace in view.figure.data if trace.showlegend is not False and trace.name]
    assert "98,51" in legend and "Đang chọn: Huyện Xuân Trường" in legend
    assert view.source == "Nguồn: Báo cáo một cửa Xuân Trường" and view.missing == []
    assert "Tỷ lệ số hóa: bản đồ" in view.figure.layout.title.text


def test_units_with_counts_but_no_rate_at_all_are_drawn_without_a_score():
    """No unit has the rate in the period: every unit of the table reads 'no score', none a rank."""
    bare = RANKED.select("unit_id", "name")
    rows = services_map.rows(bare, UNITS)
    assert rows.get_column("score").null_count() == 2 and rows.get_column("rank").null_count() == 2
    scope = services_map.scope(rows, "Nam Định", date(2024, 1, 1))
    view = services_map.build(rows, scope, _geometry(scope), rate_name="R", where="", lang="vi")
    hovers = [" ".join(c) for trace in view.figure.data for c in (trace.customdata or ())]
    assert [h for h in hovers if "Xuân Trường" in h and "không có hạng" in h]
    assert not [h for h in hovers if "Hạng " in h]
