"""What the trend chart writes above its plot stays readable at a phone's width."""

from __future__ import annotations

import polars as pl

from chiso.views import charts


def _flags(breaks):
    series = pl.DataFrame({"name": ["A"] * 3, "year": [2022, 2024, 2025], "score": [1.0, 2.0, 3.0]})
    fig = charts.trend_lines(
        series,
        years=[2022, 2023, 2024, 2025],
        measure="score",
        title="T",
        y_label="y",
        year_label="x",
        average=None,
        average_label="",
        breaks=breaks,
        source="",
        lang="vi",
    )
    return {a.text: a.yshift for a in fig.layout.annotations if a.text.startswith("⚑")}


def test_flags_of_method_changes_a_year_apart_sit_on_two_lines_and_others_on_one():
    # at 390 px a year is ≈ 30 px wide and "⚑ 2024" ≈ 40 px: side by side they were written over each other
    assert _flags([(2024, "a"), (2025, "b")]) == {"⚑ 2024": None, "⚑ 2025": 15}
    assert _flags([(2023, "a"), (2025, "b")]) == {"⚑ 2023": None, "⚑ 2025": None}
    assert _flags([(2023, "a"), (2024, "b"), (2025, "c")]) == {"⚑ 2023": None, "⚑ 2024": 15, "⚑ 2025": None}


def _ranking(scores, max_score):
    n = len(scores)
    return pl.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(n)],
            "name": [f"Đơn vị {i}" for i in range(n)],
            "score": scores,
            "max_score": pl.Series([max_score] * n, dtype=pl.Float64),
            "rank": list(range(1, n + 1)),
            "rank_of": [n] * n,
            "tier_vi": [None] * n,
            "tier_en": [None] * n,
            "tier_order": [None] * n,
            "flag": [None] * n,
        },
        schema_overrides={
            "tier_vi": pl.String,
            "tier_en": pl.String,
            "tier_order": pl.Int64,
            "flag": pl.String,
        },
    )


def _bars(ranking: pl.DataFrame, decimals: int, lang: str):
    return charts.ranking_bar(
        ranking,
        title="T",
        score_label="Điểm",
        peer_average=None,
        average_label="",
        source="",
        decimals=decimals,
        lang=lang,
    )


def test_the_ranking_axis_is_ticked_up_to_the_maximum_in_the_pages_number_format():
    """A 1.000-point table: the axis runs past 1.000 to leave room for the scores' labels, but no
    tick says 1.050 (no unit can score it), and 1.000 is written as the page writes numbers."""
    fig = _bars(_ranking([943.0, 812.0, 420.0], 1000.0), 0, "vi")
    axis = fig.layout.xaxis
    assert axis.range[1] > 1000
    assert max(axis.tickvals) == 1000 and axis.ticktext[-1] == "1.000"
    english = _bars(_ranking([0.91, 0.88], 1.0), 2, "en")
    assert english.layout.xaxis.ticktext[-1] == "1.0" and max(english.layout.xaxis.tickvals) == 1.0


def test_a_table_without_a_known_maximum_keeps_plotlys_own_ticks():
    fig = _bars(_ranking([943.0, 812.0, 420.0], None), 0, "vi")
    assert fig.layout.xaxis.tickvals is None and fig.layout.xaxis.tickmode is None


def test_the_rank_change_chart_leaves_room_for_the_labels_of_its_most_negative_bars():
    """At a phone's width "−7" left of its bar ran into the component name ("Nhân lực số−7"): the
    axis reaches past the lowest bar end (the waterfall's running total) by a third of the span."""
    from chiso.views import charts_analysis

    split = pl.DataFrame(
        {
            "component": ["Nhận thức số", "Nhân lực số", "An toàn", "Tổng"],
            "change": [2.0, -7.0, 11.0, 6.0],
            "kind": ["component", "component", "component", "total"],
        }
    )
    for adds_up, lowest in ((True, -5.0), (False, -7.0)):
        fig = charts_analysis.change_waterfall(
            split,
            adds_up=adds_up,
            title="T",
            y_label="Δ",
            total_label="Tổng",
            source="",
            decimals=0,
            lang="vi",
        )
        low, high = fig.layout.xaxis.range
        span = (11.0 if not adds_up else 6.0) - lowest
        assert low <= lowest - 0.25 * span and high > (6.0 if adds_up else 11.0)


def _published_ranking(published_db, index: str, year: int, group: str, province: str):
    from chiso.store import queries

    with queries.connect(published_db) as con:
        return queries.ranking(con, index=index, year=year, peer_group=group, scope_province=province)


def test_the_ranking_chart_lists_units_with_a_rank_only_in_their_rank_order(published_db):
    """Hải Phòng's PAR 2025 prints scores for 1st–3rd and 68th, ranks alone for 4th and 5th: the
    bars run 1, 2, 3, 4, 5, 68 from the top, not the scored ones first."""
    from chiso.config import load_catalog
    from chiso.paths import CONFIG_PATH
    from chiso.selection import Selection
    from chiso.views import rankings

    catalog = load_catalog(CONFIG_PATH)
    ranking = _published_ranking(published_db, "PAR", 2025, "communes", "Hải Phòng")
    sel = Selection("communes", "Hải Phòng", "PAR", 2025)
    figure = rankings.rankings_figure(ranking, catalog.index("PAR"), sel, "vi", catalog)
    top_down = list(reversed(figure.layout.yaxis.categoryarray))
    assert [label.split("/")[0] for label in top_down] == ["1", "2", "3", "4", "5", "68"]


def test_a_table_of_ranks_without_scores_draws_no_chart_and_says_why(published_db, capsys, tmp_path):
    """DDCI 2021 of Bắc Giang prints ranks only: no empty axis on the page, a sentence instead,
    and the same refusal from `chiso export rankings --format png`."""
    from chiso.config import load_catalog
    from chiso.paths import CONFIG_PATH
    from chiso.selection import Selection
    from chiso.views import rankings
    from tests.conftest import run_cli

    catalog = load_catalog(CONFIG_PATH)
    ranking = _published_ranking(published_db, "DDCI", 2021, "departments", "Bắc Giang")
    assert ranking.height and ranking.get_column("score").is_null().all()
    view = rankings.build(
        ranking, catalog.index("DDCI"), Selection("departments", "Bắc Giang", "DDCI", 2021), "vi"
    )
    assert view.figure is None
    assert (
        view.chart_note == "Nguồn chỉ công bố thứ hạng, không công bố điểm: không có cột điểm để vẽ biểu đồ."
    )
    code, _, err = run_cli(
        capsys, "export", "rankings", index="DDCI", year="2021", province="Bắc Giang",
        unit_type="departments", format="png", out=tmp_path / "x.png", db=published_db,
    )  # fmt: skip
    assert code != 0 and "chỉ công bố thứ hạng" in err and not (tmp_path / "x.png").exists()


def test_a_year_with_a_method_change_and_a_reorganisation_has_one_flag_and_both_notes(published_db):
    """DTI 2024 changed its method and Huế became a new province: one dotted rule and one
    '⚑ 2024' (two were drawn over each other), and every flag's note written under the chart."""
    from chiso.config import load_catalog
    from chiso.paths import CONFIG_PATH
    from chiso.selection import Selection
    from chiso.store import lineage_table, queries
    from chiso.views import trends

    catalog = load_catalog(CONFIG_PATH)
    chosen = ["ha-noi/ha-noi", "hue/hue"]
    with queries.connect(published_db) as con:
        series = queries.series(con, index="DTI", peer_group="provinces", scope_province="")
        preds = lineage_table.predecessors(con, unit_ids=chosen)
        others = sorted({*chosen, *preds.get_column("other_id").drop_nulls().to_list()})
        reorg = (preds, lineage_table.totals_of(con, unit_ids=others, index="DTI"))
    sel = Selection("provinces", "", "DTI", 2024)
    view = trends.build(series, chosen, "rank", catalog.index("DTI"), sel, "vi", catalog, reorg)
    flags = [a["text"] for a in view.figure.to_dict()["layout"]["annotations"] if a["text"].startswith("⚑")]
    assert flags == ["⚑ 2020", "⚑ 2022", "⚑ 2024"]
    assert [n.split(":")[0] for n in view.break_notes] == flags
    assert "Huế là đơn vị mới" in view.break_notes[-1] and "47 chỉ số thành phần" in view.break_notes[-1]
    # the image a reader downloads carries the same notes under its source line; flags unchanged
    from chiso.export import files

    image = files.with_caption(view.figure, view.source, "Số liệu đến 2025", view.break_notes)
    texts = [a.text for a in image.layout.annotations]
    assert texts[:3] == flags
    bottom = next(text for text in texts if "Số liệu đến 2025" in text)
    assert bottom.count("<br>⚑ ") == 3 and "QĐ 922" in bottom
    assert image.layout.height > (view.figure.layout.height or 0)


def test_chiso_export_trends_writes_the_flags_notes_under_the_chart(published_db, capsys, tmp_path):
    from tests.conftest import run_cli

    out = tmp_path / "dti.svg"
    code, _, err = run_cli(
        capsys, "export", "trends", index="DTI", unit_type="provinces", unit="Hà Nội", format="svg",
        out=out, db=published_db,
    )  # fmt: skip
    assert code == 0, err
    svg = out.read_text(encoding="utf-8")
    assert "⚑ 2022: QĐ 922/QĐ-BTTTT" in svg and "Nguồn:" in svg
