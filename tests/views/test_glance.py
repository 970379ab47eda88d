"""The province at a glance, without a browser: the large-table strip, trends' default units,
the findings' source panel in words, sparklines with their values."""

from __future__ import annotations

import polars as pl
import pytest

from chiso.app import provenance
from chiso.config import load_catalog
from chiso.metrics import trends
from chiso.paths import CONFIG_PATH
from chiso.views import charts_analysis, strip
from chiso.views.findings import Finding


def _ranking(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(1, n + 1)],
            "name": [f"Phường {i}" for i in range(1, n + 1)],
            "rank": list(range(1, n + 1)),
            "score": [100.0 - i * 0.2 for i in range(1, n + 1)],
        }
    )


def test_a_large_table_shows_its_ends_and_the_chosen_unit_with_neighbours():
    ranking = _ranking(168)
    assert strip.is_large(ranking) and not strip.is_large(_ranking(40))
    rows = strip.strip_rows(ranking, "u80", 10)
    ranks = rows.get_column("rank").to_list()
    assert ranks == [*range(1, 11), 78, 79, 80, 81, 82, *range(159, 169)]
    assert rows.filter(pl.col("rank") == 80).get_column("name").item() == "▶ Phường 80"
    assert strip.strip_rows(ranking, "u3", 5).height == 10  # neighbours inside the top: no repeats


def test_the_table_search_ignores_accents():
    shown = pl.DataFrame({"Đơn vị": ["Phường Bến Thành", "Xã Bình Mỹ", "Phường Sài Gòn"], "Điểm": [1, 2, 3]})
    assert strip.filter_table(shown, "Đơn vị", "ben thanh").get_column("Điểm").to_list() == [1]
    assert strip.filter_table(shown, "Đơn vị", "  ").height == 3


def test_trends_open_on_units_with_scores_not_on_a_rank_only_unit():
    series = pl.DataFrame(
        {
            "unit_id": ["ha-long", "a", "b", "c"],
            "name": ["Thành phố Hạ Long", "A", "B", "C"],
            "year": [2024] * 4,
            "rank": [1, 2, 3, 4],
            "score": [None, 90.0, 89.0, 88.0],
        }
    )
    assert trends.default_units(series, 2024) == ["a", "b", "c"]
    rank_only = series.with_columns(pl.lit(None, dtype=pl.Float64).alias("score"))
    assert trends.default_units(rank_only, 2024) == ["ha-long", "a", "b"]


def _finding(url: str) -> Finding:
    row = {"name": "Sở Nội vụ", "year": 2024, "score": 93.82, "max_score": 100, "rank": 1, "rank_of": 19}
    row |= {"source_title": "Quyết định 2767/QĐ-UBND", "source_url": url, "quote": "Sở Nội vụ 93,82"}
    row |= {"index_code": "PAR", "rank_basis": "published"}
    return Finding(text="Năm 2024, Sở Nội vụ xếp thứ 1/19", kind="rank", row=row, note="số liệu sơ bộ")


def test_the_source_panel_reads_as_words_with_a_safe_link():
    block = provenance.panel_lines([_finding("https://hoabinh.gov.vn/qd")], "vi")[0]
    assert "[Quyết định 2767/QĐ-UBND](https://hoabinh.gov.vn/qd) (hoabinh.gov.vn)" in block
    assert "93,82/100" in block and "1/19" in block and "“Sở Nội vụ 93,82”" in block
    assert "⚑" in block and "số liệu sơ bộ" in block
    assert "index_code" not in block and "rank_basis" not in block and "{" not in block
    unsafe = provenance.panel_lines([_finding("javascript:alert(1)")], "vi")[0]
    assert "javascript" not in unsafe and "](" not in unsafe


def test_the_source_panel_names_a_component_and_writes_a_score_as_the_sentences_do():
    """A component by its name, not its code ('nhan_thuc_so'), and whole points as whole
    ("87 điểm", the panel had written "87,00/100"); a % index with its '%' ('98,89/100')."""
    where = {"province": "Sơn Hải", "peer_group": "communes", "year": 2026, "rank": 12, "rank_of": 51}
    dti = {"name": "Xã Cẩm Lĩnh Nam", "index_code": "DTI", "component": "nhan_thuc_so", "score": 87.0}
    sipas = {"name": "Sở Nội vụ", "index_code": "SIPAS", "component": None, "score": 98.89}
    lines = provenance.panel_lines(
        [
            Finding(text="…", kind="most_lost", row=where | dti | {"max_score": 100.0}),
            Finding(
                text="…", kind="rank", row=where | sipas | {"max_score": 100.0, "peer_group": "departments"}
            ),
        ],
        "vi",
        load_catalog(CONFIG_PATH),
    )
    assert "Xã Cẩm Lĩnh Nam · 2026 · Nhận thức số · 87 điểm · Hạng 12/51" in lines[0]
    assert "nhan_thuc_so" not in lines[0]
    assert "98,89 %" in lines[1] and "98,89/100" not in lines[1]


def test_a_sparkline_writes_its_values():
    series = pl.DataFrame({"year": [2022, 2024], "pct_of_max": [93.82, 95.5]})
    fig = charts_analysis.sparkline(series, years=[2022, 2023, 2024], lang="vi")
    assert list(fig.data[0].text) == ["93,8 %", "", "95,5 %"]


def test_a_sparkline_built_unchecked_is_a_figure_plotly_accepts_as_it_is():
    """The sparkline skips Plotly's property checks for speed: its spec, checked here as Plotly
    checks a figure, is accepted and comes back unchanged (a misspelt property would raise)."""
    import plotly.graph_objects as go

    for values, years in (
        ([93.82, 95.5], [2022, 2024]),
        ([81.3, None, 81.4], [2021, 2022, 2023]),
        ([70.0], [2025]),
    ):
        series = pl.DataFrame({"year": years, "pct_of_max": values})
        fig = charts_analysis.sparkline(series, years=list(range(years[0], years[-1] + 1)), lang="en")
        assert go.Figure(fig.to_dict()).to_dict() == fig.to_dict()
    broken = fig.to_dict()
    broken["data"][0]["textpositon"] = "top center"
    with pytest.raises(ValueError):
        go.Figure(broken)


def test_neighbouring_sparkline_labels_sit_on_opposite_sides_when_their_values_are_close():
    sides = charts_analysis.label_sides([81.3, 81.4, 83.2, 83.9, 91.1, 88.5, 88.2])
    assert sides[:2] == ["bottom", "top"]  # 81,3 and 81,4: one under, one over
    assert sides[4] == "top"  # the peak is written above it
    assert charts_analysis.label_sides([50.0, 50.0, 50.0]) == ["top", "bottom", "top"]
    assert charts_analysis.label_sides([70.0, None, 90.0]) == ["top", "top", "top"]  # a gap parts them
    low = charts_analysis.label_sides([90.0, 60.0, 90.0])
    assert low[1] == "bottom"  # a trough is written below it


def test_the_import_templates_read_back_through_the_importer():
    from chiso import paths
    from chiso.export import template
    from chiso.ingest.annex import ImportOptions
    from chiso.ingest.dispatch import read_annex_bytes

    catalog = load_catalog(paths.CONFIG_PATH)
    options = ImportOptions(index="PAR", year=2024, province="Hòa Bình")
    wide = read_annex_bytes(template.annex_xlsx("vi"), "mau_phu_luc.xlsx", catalog, options)
    long = read_annex_bytes(template.long_csv(), "mau_dang_dai.csv", catalog, ImportOptions())
    for annex in (wide, long):
        assert [(r["unit"], r["score"], r["rank"]) for r in annex.rows] == [
            ("Sở Nội vụ", "93.82", "1"),
            ("Sở Tư pháp", "93.42", "2"),
        ]
        assert not annex.issues


def test_a_sparkline_leaves_a_year_without_a_value_as_a_gap_not_a_straight_stroke():
    from chiso.views import profile as profile_view

    rows = pl.DataFrame(
        {
            "unit_id": ["u"] * 2,
            "index_code": ["PAR"] * 2,
            "component": [None, None],
            "year": [2022, 2024],
            "pct_of_max": [80.0, 90.0],
        },
        schema_overrides={"component": pl.String},
    )
    from tests.conftest import CONFIG

    sparks = profile_view._sparks(rows, pl.DataFrame({"index_code": ["PAR"]}), load_catalog(CONFIG), "vi")
    trace = sparks[0].figure.data[0]
    assert list(trace.x) == [2022, 2023, 2024] and trace.y[1] is None
