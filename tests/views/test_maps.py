"""The map view: units coloured by tier with tier names in the legend, the chosen unit outlined,
Hoàng Sa and Trường Sa on every national map, 63 provinces before 1 July 2025 and 34 after,
hover that says no more than the table allows, and the same PNG/SVG export as a chart."""

from __future__ import annotations

import re

import polars as pl
import pytest

from chiso import geo
from chiso.config import load_catalog
from chiso.export import files as export
from chiso.selection import Selection
from chiso.store import queries
from chiso.views import maps, style, tables
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)


def _ranking(db, group: str, province: str, index: str, year: int) -> pl.DataFrame:
    return queries.ranking(
        queries.connect(db), index=index, year=year, peer_group=group, scope_province=province
    )


def _map(ranking: pl.DataFrame, sel: Selection, selected: str | None = None, lang: str = "vi"):
    scope = maps.map_scope(ranking, sel)
    code = ""
    if scope.level != "provinces":
        code = maps.province_code(geo.names(scope.period, "provinces"), sel.province)
    geometry = (
        geo.shapes(scope.period, scope.level, code),
        geo.names(scope.period, scope.level),
        geo.islands(scope.period),
    )
    view = maps.build(ranking, CATALOG.index(sel.index), sel, scope, geometry, lang, selected, CATALOG)
    return scope, geometry[0], view


def _fills(fig) -> dict[str, object]:
    return {trace.name: trace for trace in fig.data if trace.fill == "toself"}


def _first_ring(shapes: pl.DataFrame, frame: pl.DataFrame, name: str) -> list[float]:
    """The outline of the unit the table names ``name`` (its first ring's x values)."""
    code = frame.filter(pl.col("name") == name).get_column("code").item()
    xs = shapes.filter(pl.col("code") == code).get_column("xs").item().to_list()
    return xs[: xs.index(None)]


def _inside(trace_xs, ring: list[float]) -> bool:
    values = list(trace_xs)
    n = len(ring)
    return any(values[i : i + n] == ring for i in range(len(values) - n + 1) if values[i] == ring[0])


PCI_2019 = Selection("provinces", "", "PCI", 2019)


def test_national_map_colours_each_province_by_its_tier_and_names_the_tiers(published_db):
    ranking = _ranking(published_db, "provinces", "", "PCI", 2019)
    scope, shapes, view = _map(ranking, PCI_2019)
    fills = _fills(view.figure)
    index = CATALOG.index("PCI")
    # The legend names each tier as the table does ('Rất tốt (suy luận)': a deduced band says so).
    shown = {row["tier_order"]: tables.tier_text(row, index, "vi") for row in ranking.iter_rows(named=True)}
    assert len(shown) >= 2
    for order, tier in shown.items():
        assert fills[tier].fillcolor == style.PALETTE[order]
    assert "Không có trong bảng" in fills  # the 41 provinces the loaded table does not hold
    found = maps.matched(ranking, geo.names(scope.period, scope.level), scope)
    for row in ranking.iter_rows(named=True):
        name, tier = row["name"], tables.tier_text(row, index, "vi")
        ring = _first_ring(shapes, found, name)
        assert _inside(fills[tier].x, ring), name
        others = [t for t in fills if t != tier]
        assert not any(_inside(fills[t].x, ring) for t in others), name


def test_the_chosen_unit_is_outlined_and_named_in_the_legend(published_db):
    ranking = _ranking(published_db, "provinces", "", "PCI", 2019)
    unit = ranking.filter(pl.col("name") == "Quảng Ninh").get_column("unit_id").item()
    scope, shapes, view = _map(ranking, PCI_2019, selected=unit)
    outlined = [tr for tr in view.figure.data if tr.fill != "toself" and tr.line.width == 3]
    assert len(outlined) == 1 and "Quảng Ninh" in outlined[0].name
    found = maps.matched(ranking, geo.names(scope.period, scope.level), scope)
    assert _inside(outlined[0].x, _first_ring(shapes, found, "Quảng Ninh"))
    _, _, plain = _map(ranking, PCI_2019)
    assert not [tr for tr in plain.figure.data if tr.line.width == 3]


@pytest.mark.parametrize(("index", "year", "count"), [("PCI", 2019, 63), ("DTI", 2024, 34)])
def test_provinces_are_63_before_the_merger_and_34_after(published_db, index, year, count):
    ranking = _ranking(published_db, "provinces", "", index, year)
    scope, shapes, view = _map(ranking, Selection("provinces", "", index, year))
    assert scope.period == {63: geo.LEGACY, 34: geo.NEW}[count]
    assert shapes.height == count
    dots = [tr for tr in view.figure.data if tr.mode == "markers"]
    assert len(dots) == 1 and len(dots[0].x) == count  # one hover point per province
    # Without a published N the year decides: 1 July 2025 splits the two maps.
    unsized = ranking.with_columns(rank_of=pl.lit(None, pl.Int32))
    assert maps.map_scope(unsized, Selection("provinces", "", index, 2024)).period == geo.LEGACY
    assert maps.map_scope(unsized, Selection("provinces", "", index, 2025)).period == geo.NEW


@pytest.mark.parametrize(("index", "year"), [("PCI", 2019), ("DTI", 2024)])
def test_every_national_map_marks_hoang_sa_and_truong_sa(published_db, index, year):
    ranking = _ranking(published_db, "provinces", "", index, year)
    _, _, view = _map(ranking, Selection("provinces", "", index, year))
    marks = [tr for tr in view.figure.data if tr.mode == "markers+text"]
    assert len(marks) == 1
    names = [name for name, _ in marks[0].customdata]  # hover: the full name
    assert list(marks[0].text) == ["Hoàng Sa (Đà Nẵng)", "Trường Sa (Khánh Hòa)"]  # on the map
    places = dict(zip(names, zip(marks[0].x, marks[0].y, strict=True), strict=True))
    assert set(places) == {"Quần đảo Hoàng Sa (Đà Nẵng)", "Quần đảo Trường Sa (Khánh Hòa)"}
    lon, lat = places["Quần đảo Hoàng Sa (Đà Nẵng)"]
    assert 111 < lon < 113 and 15.5 < lat < 17.5
    lon, lat = places["Quần đảo Trường Sa (Khánh Hòa)"]
    assert 111 < lon < 117 and 7 < lat < 12


def test_hover_on_an_incomplete_table_gives_no_rank_where_none_is_published(published_db):
    ranking = _ranking(published_db, "provinces", "", "PCI", 2019)
    assert not ranking.get_column("complete").any()
    # A unit scored in the data without a published rank: the rule leaves rank and N empty.
    chosen = ranking.filter(pl.col("rank").is_not_null()).row(0, named=True)
    partial = ranking.with_columns(
        rank=pl.when(pl.col("unit_id") == chosen["unit_id"]).then(None).otherwise(pl.col("rank")),
        rank_basis=pl.when(pl.col("unit_id") == chosen["unit_id"])
        .then(pl.lit("partial"))
        .otherwise(pl.col("rank_basis")),
    )
    _, _, view = _map(partial, PCI_2019)
    dots = next(tr for tr in view.figure.data if tr.mode == "markers")
    texts = {name: detail for name, detail in dots.customdata}
    assert "không có hạng" in texts[chosen["name"]] and "Hạng" not in texts[chosen["name"]]
    assert "/" not in texts[chosen["name"]].split("Điểm")[0]  # no n/N, nor the order among loaded units
    other = ranking.filter(pl.col("rank").is_not_null() & (pl.col("unit_id") != chosen["unit_id"])).row(
        0, named=True
    )
    assert f"Hạng {other['rank']}/{other['rank_of']}" in texts[other["name"]]
    absent = [detail for _, detail in dots.customdata if detail == "Không có trong bảng"]
    assert len(absent) == 63 - ranking.height


def test_a_provinces_units_map_draws_every_district_of_the_province(published_db):
    ranking = _ranking(published_db, "localities", "Quảng Ninh", "PAR", 2024)
    scope, shapes, view = _map(ranking, Selection("localities", "Quảng Ninh", "PAR", 2024))
    assert (scope.period, scope.level) == (geo.LEGACY, "districts")
    assert shapes.height == 13 and not view.missing
    fills = _fills(view.figure)
    assert "Có hạng công bố, chưa có điểm" in fills  # the published ranks come without scores


def test_communes_after_the_merger_are_drawn_from_the_new_registry(published_db):
    ranking = _ranking(published_db, "communes", "Hải Phòng", "PAR", 2025)
    scope, shapes, view = _map(ranking, Selection("communes", "Hải Phòng", "PAR", 2025))
    assert (scope.period, scope.level) == (geo.NEW, "wards")
    assert shapes.height > 100 and not view.missing
    legend = [tr.name for tr in view.figure.data if tr.fill == "toself"]
    assert any(name.startswith("Nhóm") for name in legend)


def test_groups_without_a_place_have_no_map(published_db):
    ranking = _ranking(published_db, "departments", "Hòa Bình", "PAR", 2022)
    assert maps.map_scope(ranking, Selection("departments", "Hòa Bình", "PAR", 2022)) is None


def test_an_index_without_tiers_is_coloured_by_score_bands_darker_for_better(published_db):
    ranking = _ranking(published_db, "provinces", "", "PCI", 2019).with_columns(
        tier_vi=pl.lit(None, pl.String), tier_en=pl.lit(None, pl.String), tier_order=pl.lit(None, pl.Int32)
    )
    _, _, view = _map(ranking, PCI_2019)
    bands = [tr for tr in view.figure.data if tr.fill == "toself" and tr.fillcolor in maps.BANDS]
    assert len(bands) == 4
    assert bands[0].fillcolor == maps.BANDS[-1]  # the legend starts with the best band, darkest


needs_browser = pytest.mark.skipif(export.browser_path() is None, reason="no Chromium for kaleido")


@needs_browser
def test_the_map_exports_as_png_and_svg_like_every_chart(published_db):
    ranking = _ranking(published_db, "provinces", "", "DTI", 2024)
    _, _, view = _map(ranking, Selection("provinces", "", "DTI", 2024))
    captioned = export.with_caption(view.figure, view.source, "")
    png = export.figure_png(captioned, width=1200, height=900, scale=1)
    assert png.startswith(b"\x89PNG")
    svg = export.figure_svg(captioned, width=1200, height=900).decode("utf-8")
    assert "Hoàng Sa" in svg and "Trường Sa" in svg and "không phải ranh giới" in svg
    assert "Nguồn:" in svg


def _svg_y(pattern: str, svg: str) -> float:
    found = re.search(pattern, svg)
    assert found, pattern
    return float(found.group(1))


def test_the_map_image_keeps_its_legend_above_the_map_and_its_source_right_under_it(published_db):
    """In the PNG/SVG (1200 × 900) the legend sits between the title and the map, and the source
    line just under the map at the foot of the image. The legend had been at the foot, 130 px
    under the source line, and 400 px under a phone-wide map on the page."""
    ranking = _ranking(published_db, "provinces", "", "PCI", 2019)
    _, _, view = _map(ranking, Selection("provinces", "", "PCI", 2019))
    svg = export.figure_svg(export.with_caption(view.figure, view.source, ""), width=1200, height=900)
    svg = svg.decode("utf-8")
    plot_top = _svg_y(r'<g class="xy" transform="translate\([-0-9.]+,([-0-9.]+)\)"', svg)
    plot_height = _svg_y(r'xyplot" class="plotclip"><rect width="[0-9.]+" height="([0-9.]+)"', svg)
    legend = _svg_y(r'class="legend" [^>]*translate\([-0-9.]+,([-0-9.]+)\)', svg)
    source = _svg_y(r'translate\([-0-9.]+,([-0-9.]+)\)"><rect class="bg"[^>]*/><text [^>]*>Nguồn', svg)
    assert legend < plot_top
    assert 0 <= source - (plot_top + plot_height) <= 20 and 900 - source <= 40


def test_a_real_incomplete_table_hovers_published_ranks_only(published_db):
    """Quảng Ninh DDCI 2020: 4 of 13 scored, Hải Hà and Vân Đồn without a published rank."""
    ranking = _ranking(published_db, "localities", "Quảng Ninh", "DDCI", 2020)
    _, shapes, view = _map(ranking, Selection("localities", "Quảng Ninh", "DDCI", 2020))
    assert shapes.height == 13
    dots = next(tr for tr in view.figure.data if tr.mode == "markers")
    texts = {name.removesuffix(" ⚑"): detail for name, detail in dots.customdata}  # ⚑: a flagged value
    assert texts["Huyện Tiên Yên"].startswith("Hạng 3/13 · ")  # published, as the table shows it
    for unranked in ("Huyện Hải Hà", "Huyện Vân Đồn"):
        assert texts[unranked].startswith("không có hạng (bảng chưa đủ đơn vị) · Điểm"), texts[unranked]
        assert "/4" not in texts[unranked]


def test_the_rankings_page_shows_the_map_when_asked(published_db, demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.app.test_pages import APP, run

    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"group": "provinces", "index": "DTI", "year": "2024", "show": "map"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    captions = " ".join(c.value for c in at.caption)
    assert "không phải ranh giới hành chính" in captions and "vietnamadminunits" in captions
    assert [b.label for b in at.get("download_button")][-2:] == ["Tải PNG", "Tải SVG"]
    departments = run(group="departments", province="Hòa Bình", index="PAR", year="2022")
    assert not departments.exception
    assert not departments.get("button_group")  # no Chart | Map choice where units have no place
    assert "không phải ranh giới" not in " ".join(c.value for c in departments.caption)
    # The demo province is invented: the registry has no places for it, and the page says so.
    fictional = run(ds="demo", group="localities", index="PAR", year="2024", show="map")
    assert not fictional.exception and not fictional.error
    assert any("sổ đăng ký" in i.value for i in fictional.info)


def test_the_components_page_maps_the_peers_with_its_unit_outlined(published_db, demo_db, monkeypatch):
    """Components (PCI 2019, 63 provinces): 'Bản đồ' replaces the heatmap with the peers' map, the
    page's unit outlined without a second picker; the heatmap is back without ``show=map``."""
    import json

    from tests.app.test_pages import run

    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))
    query = {"group": "provinces", "index": "PCI", "year": "2019"}
    at = run("pages/gaps.py", **query, show="map")
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert not [s for s in at.selectbox if s.key == "w_map_unit"]  # the unit is the page's own

    def outlined(at) -> list[str]:
        charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        drawn = [c for c in charts if "bản đồ" in c["layout"]["title"]["text"]]
        assert len(drawn) == 1
        return [d["name"] for d in drawn[0]["data"] if d.get("name", "").startswith("Đang chọn")]

    picker = at.selectbox(key="w_unit")
    assert outlined(at) == [f"Đang chọn: {picker.format_func(picker.value)}"]
    assert "Đà Nẵng" in picker.options
    picker.set_value("da-nang/da-nang").run()
    assert outlined(at) == ["Đang chọn: Đà Nẵng"]
    assert [b.label for b in at.get("download_button")][-2:] == ["Tải PNG", "Tải SVG"]
    heatmap = run("pages/gaps.py", **query)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in heatmap.get("plotly_chart")]
    assert titles and not [t for t in titles if "bản đồ" in t]
