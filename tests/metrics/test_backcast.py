"""Series across a reorganisation: the back-cast is computed only as the config says, labelled
derived everywhere, never ranked and never in place of a published value; trend lines never
join the two sides of a merger."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from pydantic import TypeAdapter, ValidationError

from chiso.config import Index, load_catalog
from chiso.errors import ChisoError
from chiso.metrics import backcast
from chiso.selection import Selection
from chiso.views import reorg_series, trends
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)
DTI = CATALOG.index("DTI")
PAR = CATALOG.index("PAR")
RULE = TypeAdapter(Index.model_fields["backcast"].annotation)


def total(unit_id, name, year, score, rank=None, rank_of=None, flag=None, max_score=1.0):
    return {
        "unit_id": unit_id,
        "name": name,
        "province": name,
        "peer_group": "provinces",
        "scope_province": "",
        "index_code": "DTI",
        "component": None,
        "year": year,
        "score": score,
        "max_score": max_score,
        "pct_of_max": None if score is None else score / max_score * 100,
        "rank": rank,
        "rank_of": rank_of,
        "rank_basis": None if rank is None else "published",
        "peer_mean": None,
        "n_scored": None,
        "flag": flag,
        "source_title": "s",
        "source_url": "",
        # DTI 2024 was published for the 63 former and the 34 new provinces (config editions)
        "edition": {63: "63", 34: "34"}.get(rank_of, "") if year == 2024 else "",
    }


def preds(unit_id, others, kinds=None, same=()):
    rows = [
        {
            "unit_id": unit_id,
            "other_id": o,
            "other": f"Tỉnh {o.title()}",
            "other_province": o.title(),
            "level": "province",
            "date": date(2025, 7, 1),
            "kind": (kinds or {}).get(o, "whole"),
            "same_unit": o in same,
        }
        for o in others
    ]
    return pl.DataFrame(rows)


# A merged province "moi" (kept the name of "moi" before, absorbed "a"), its published DTI 2024 of 34.
TOTALS = pl.DataFrame(
    [
        total("moi", "Mới", 2022, 0.50, 10, 63),
        total("a", "A", 2022, 0.70, 3, 63),
        total("moi", "Mới", 2023, 0.60, 8, 63),
        total("a", "A", 2023, None, 5, 63),  # rank only: no mean that year
        total("moi", "Mới", 2024, 0.66, 4, 34),
    ]
)
EDGES = preds("moi", ["a", "moi"], same=("moi",))


def test_mean_of_predecessors_only_where_every_one_has_a_score():
    before = TOTALS.filter(pl.col("year") < 2024)
    derived = backcast.derive("moi", EDGES, before, "mean")
    assert derived.select("year", "score").rows() == [(2022, pytest.approx(0.60))]
    assert derived.get_column("rank").is_null().all() and derived.get_column("rank_of").is_null().all()
    assert derived.get_column("rank_basis").to_list() == ["derived"]


@pytest.mark.parametrize(
    ("edges", "rows", "rule", "weights"),
    [
        (EDGES, TOTALS, "none", None),  # the default: nothing derived
        (
            preds("moi", ["a", "moi"], kinds={"a": "part"}, same=("moi",)),
            TOTALS,
            "mean",
            None,
        ),  # a split unit
        (EDGES, TOTALS.with_columns(flag=pl.when(pl.col("unit_id") == "a").then(pl.lit("?"))), "mean", None),
        (
            EDGES,
            TOTALS.with_columns(max_score=pl.when(pl.col("unit_id") == "a").then(1000.0).otherwise(1.0)),
            "mean",
            None,
        ),  # different scales
        (EDGES, TOTALS, {"weighted_by": "area"}, None),  # no weights known
    ],
)
def test_no_back_cast_where_it_would_be_invented(edges, rows, rule, weights):
    rule = RULE.validate_python(rule)
    assert backcast.derive("moi", edges, rows.filter(pl.col("year") < 2024), rule, weights).is_empty()


def test_weighted_back_cast_uses_the_weights():
    rule = RULE.validate_python({"weighted_by": "population"})
    derived = backcast.derive(
        "moi", EDGES, TOTALS.filter(pl.col("year") == 2022), rule, {"moi": 3.0, "a": 1.0}
    )
    assert derived.item(0, "score") == pytest.approx((0.50 * 3 + 0.70) / 4)


def test_config_accepts_only_the_declared_rules(tmp_path):
    assert DTI.backcast == "mean" and PAR.backcast == "none"
    assert "bình quân không trọng số" in DTI.backcast_note["vi"]
    for bad in ("median", {"weighted_by": "votes"}):
        with pytest.raises(ValidationError):
            RULE.validate_python(bad)
    text = CONFIG.read_text(encoding="utf-8").replace("    backcast: mean\n", "    backcast: median\n", 1)
    broken = tmp_path / "indices.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ChisoError, match="backcast"):
        load_catalog(broken)


def _trend(measure: str, lang: str = "vi"):
    series = TOTALS.filter(pl.col("unit_id") == "moi")
    sel = Selection("provinces", "", "DTI", 2024)
    return trends.build(series, ["moi"], measure, DTI, sel, lang, CATALOG, (EDGES, TOTALS))


def test_trend_draws_predecessors_apart_marks_the_break_and_labels_the_derived_line():
    view = _trend("score")
    lines = {d.name: {x: y for x, y in zip(d.x, d.y, strict=True) if y is not None} for d in view.figure.data}
    assert lines["Mới"] == {2024: pytest.approx(0.66)}  # the new unit's own line starts at the break
    assert lines["Mới (địa giới trước sắp xếp)"] == {2022: 0.50, 2023: 0.60}  # never joined to it
    assert lines["A (tiền thân của Mới)"] == {2022: 0.70}
    derived = next(n for n in lines if "suy ra" in n)
    assert lines[derived] == {2022: pytest.approx(0.60)}
    assert 2023.5 in [shape.x0 for shape in view.figure.layout.shapes]  # the dotted break before 2024
    assert any(
        "bình quân không trọng số" in note and "không được xếp hạng" in note for note in view.reorg_notes
    )


def test_a_derived_value_is_never_ranked_nor_shown_in_place_of_a_published_one():
    view = _trend("rank")
    derived = [d for d in view.figure.data if "suy ra" in d.name]
    assert derived and all(y is None for d in derived for y in d.y)  # no rank, no percentile
    english = _trend("score", "en")
    assert any("derived, not ranked" in d.name for d in english.figure.data)
    # 2024 is published for the new unit: no derived value that year, in the chart or beside the ranking.
    ranking = TOTALS.filter(pl.col("year") == 2024)
    table, notes = reorg_series.ranking_predecessors(ranking, EDGES, TOTALS, DTI, "vi")
    assert table.get_column("Hạng công bố · phân vị").to_list() == ["4/34 · phân vị 91"] * table.height
    assert not any("suy ra" in v for v in table.get_column("Tiền thân").to_list())
    assert "giữ nguyên như công bố" in notes[0]


def test_beside_the_34_ranking_a_computable_mean_is_labelled_and_unranked():
    both = pl.concat([TOTALS, pl.DataFrame([total("a", "A", 2024, 0.80, 2, 63)])])
    # The predecessors' 2024 values of the 63-province edition ("moi" before is the same unit id,
    # so only "a" can hold one here): with "moi" alone missing, no mean is invented.
    ranking = TOTALS.filter(pl.col("year") == 2024)
    table, _ = reorg_series.ranking_predecessors(ranking, EDGES, both, DTI, "vi")
    values = dict(
        zip(
            table.get_column("Tiền thân"),
            table.get_column("Giá trị của tiền thân (năm · hạng · phân vị)"),
            strict=True,
        )
    )
    assert values["A"].startswith("2024: 0,8000 · 2/63 · phân vị 98")
    assert "Bình quân các tiền thân (suy ra, không xếp hạng)" not in values
    edges = preds("moi", ["a", "b"])
    with_b = pl.concat([both, pl.DataFrame([total("b", "B", 2024, 0.60, 9, 63)])])
    table, _ = reorg_series.ranking_predecessors(ranking, edges, with_b, DTI, "vi")
    derived = table.filter(pl.col("Tiền thân") == "Bình quân các tiền thân (suy ra, không xếp hạng)")
    assert derived.rows() == [
        ("Mới", "–", "Bình quân các tiền thân (suy ra, không xếp hạng)", "2024: 0,7000")
    ]


def test_trend_export_holds_the_same_lines_and_the_derived_rows_unranked():
    table = _trend("score").export.table
    names = set(table.get_column("Đơn vị"))
    assert {"Mới", "Mới (địa giới trước sắp xếp)", "A (tiền thân của Mới)"} <= names
    derived = table.filter(pl.col("Đơn vị").str.contains("suy ra"))
    assert derived.height == 1 and derived.item(0, "Hạng") is None and derived.item(0, "Trên tổng số") is None


def test_a_trend_of_scores_on_two_scales_plots_the_share_of_the_maximum_and_says_so():
    """A new unit's DTI out of 1.000 beside its predecessors' out of 1 (2018–2021 in the demo):
    asked for scores, the chart draws % of maximum (one score axis would put 0,99 at the bottom
    of a 0–1.000 scale) and the view says why; on one scale it draws the scores as asked."""
    rescaled = TOTALS.with_columns(
        max_score=pl.when(pl.col("unit_id") == "moi").then(1000.0).otherwise(1.0),
        score=pl.when(pl.col("unit_id") == "moi").then(pl.col("score") * 1000).otherwise("score"),
    )
    sel = Selection("provinces", "", "DTI", 2024)
    series = rescaled.filter(pl.col("unit_id") == "moi")
    view = trends.build(series, ["moi"], "score", DTI, sel, "vi", CATALOG, (EDGES, rescaled))
    lines = {d.name: {x: y for x, y in zip(d.x, d.y, strict=True) if y is not None} for d in view.figure.data}
    assert view.score_as_pct
    assert lines["A (tiền thân của Mới)"] == {2022: pytest.approx(70.0)}  # 0,70 out of 1
    assert lines["Mới"] == {2024: pytest.approx(66.0)}  # 660 out of 1.000
    assert view.figure.layout.yaxis.title.text == "% tối đa"
    same_scale = _trend("score")
    assert not same_scale.score_as_pct
    assert {d.name: max(y for y in d.y if y is not None) for d in same_scale.figure.data}["Mới"] < 1
