"""The percentile beside every n/N: (N − n)/(N − 1) · 100, shown exactly where n/N may be shown
(never from a unit's order among the loaded units of an incomplete table), in the rankings table,
its export, the sentences and ``chiso rank``; a rank trend across a change of N plots it instead."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from chiso import fmt
from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.selection import Selection
from chiso.store import queries
from chiso.views import findings, percentile, trends
from chiso.views import rankings as rankings_view
from chiso.views import tables as views
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)


def expected(row: dict) -> str:
    """The oracle, written out: no rank or no N or a partial basis -> no percentile."""
    rank, n = row["rank"], row["rank_of"]
    if rank is None or not n or row["rank_basis"] == "partial":
        return fmt.EMPTY
    share = 100.0 if n == 1 else (n - rank) * 100.0 / (n - 1)
    return fmt.number(share, 0)


@pytest.fixture(scope="module")
def every_ranking(published_db):
    with queries.connect(published_db) as con:
        return [
            queries.ranking(
                con,
                index=t["index_code"],
                year=t["year"],
                peer_group=t["peer_group"],
                scope_province=t["scope_province"],
            )
            for t in queries.tables(con).iter_rows(named=True)
        ]


def test_formula_and_where_it_is_refused():
    assert percentile.value({"rank": 3, "rank_of": 13, "rank_basis": "published"}) == pytest.approx(250 / 3)
    assert percentile.value({"rank": 1, "rank_of": 1, "rank_basis": "computed"}) == 100.0
    assert percentile.value({"rank": 13, "rank_of": 13, "rank_basis": "published"}) == 0.0
    assert percentile.value({"rank": 2, "rank_of": 3, "rank_basis": "partial"}) is None
    assert percentile.value({"rank": 3, "rank_of": None, "rank_basis": "list_order"}) is None
    assert percentile.rank_text({"rank": 4, "rank_of": 34, "rank_basis": "published"}, "vi") == (
        "4/34 · phân vị 91"
    )
    assert percentile.rank_text({"rank": 4, "rank_of": 34, "rank_basis": "published"}, "en") == (
        "4/34 · percentile 91"
    )


def test_every_shipped_table_shows_a_percentile_exactly_beside_a_shown_rank(every_ranking):
    partial_seen = 0
    for ranking in every_ranking:
        index = CATALOG.index(ranking.item(0, "index_code"))
        shown = views.display_table(ranking, index, "vi")
        rows = ranking.to_dicts()
        assert shown.get_column("Phân vị").to_list() == [expected(r) for r in rows]
        exported = rankings_view.rankings_table(ranking, index, "vi").get_column("Phân vị").to_list()
        assert [fmt.EMPTY if v is None else fmt.number(v, 0) for v in exported] == [expected(r) for r in rows]
        partial_seen += sum(r["rank_basis"] == "partial" for r in rows)
    assert partial_seen > 0  # the walk covers rows where the rule refuses a rank


def test_cli_rank_machine_output_has_the_percentile_beside_rank_of(published_db, capsys):
    args = ["rank", "--index", "PCI", "--year", "2019", "--unit-type", "provinces", "--format", "csv"]
    code = main([*args, "--db", str(published_db)])
    out = capsys.readouterr().out
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert header[:3] == ["rank", "rank_of", "percentile"]
    for row in csv.DictReader(io.StringIO(out)):
        if row["rank"]:
            n, k = int(row["rank_of"]), int(row["rank"])
            assert int(row["percentile"]) == int(fmt.round_half_up((n - k) * 100 / (n - 1), 0))
        else:
            assert row["percentile"] == ""


def test_sentence_carries_the_percentile_and_joins_the_basis_note():
    row = {
        "year": 2022,
        "name": "Sở Nội vụ",
        "short_name": "Sở Nội vụ",
        "unit_type": "department",
        "rank": 1,
        "rank_of": 19,
        "rank_basis": "list_order",
        "score": None,
        "max_score": 100.0,
        "index_code": "PAR",
    }
    par = CATALOG.index("PAR")
    text = findings.rank_finding(row, par, "vi").text
    assert "xếp thứ 1/19 (phân vị 100; theo thứ tự liệt kê trong nguồn)" in text
    partial = findings.rank_finding({**row, "rank_of": 3, "rank": 2, "rank_basis": "partial"}, par, "vi").text
    assert "phân vị" not in partial


def test_rank_trend_across_63_then_34_provinces_plots_the_percentile(published_db):
    with queries.connect(published_db) as con:
        series = queries.series(con, index="DTI", peer_group="provinces", scope_province="")
    chosen = ["ho-chi-minh/ho-chi-minh"]
    hcm = series.filter(pl.col("unit_id") == chosen[0], pl.col("rank").is_not_null())
    assert set(hcm.get_column("rank_of")) >= {63, 34}  # the premise: 2/63 in 2023, 4/34 in 2024
    sel = Selection("provinces", "", "DTI", 2024)
    view = trends.build(series, chosen, "rank", CATALOG.index("DTI"), sel, "vi", CATALOG)
    assert view.rank_as_percentile
    ys = dict(zip(view.figure.data[0].x, view.figure.data[0].y, strict=True))
    assert ys[2023] == pytest.approx(100 * 61 / 62) and ys[2024] == pytest.approx(100 * 30 / 33)
    assert view.figure.layout.yaxis.autorange != "reversed"  # 100 = first, at the top
    assert "Phân vị" in view.figure.layout.yaxis.title.text
    same_n = trends.build(
        series, ["ho-chi-minh/ho-chi-minh"], "score", CATALOG.index("DTI"), sel, "vi", CATALOG
    )
    assert not same_n.rank_as_percentile


def _total(year, rank, rank_of):
    return pl.DataFrame(
        [
            {
                "unit_id": "x",
                "component": None,
                "year": year,
                "score": 0.7,
                "rank": rank,
                "rank_of": rank_of,
                "rank_basis": "published",
                "province": "",
                "peer_group": "provinces",
            }
        ]
    )


def test_why_the_rank_changed_says_the_peer_set_changed_instead_of_splitting_it():
    dti = CATALOG.index("DTI")
    across = views.change_sentence(_total(2023, 2, 63), _total(2024, 4, 34), "x", dti, "en")
    assert "rank 2/63 · percentile 98 → 4/34 · percentile 91 (not comparable)" in across
    assert "The peer set changed (63 → 34 units" in across and "percentile: 98 → 91." in across
    same = views.change_sentence(_total(2022, 5, 63), _total(2023, 2, 63), "x", dti, "en")
    assert "peer set" not in same and "▲ 3" in same
