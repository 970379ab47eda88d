"""The one rule for what may be said about a table, walked over EVERY table of the shipped data
(every index × year × peer group × province): the page's table, its chart, its export, the
sentences above it and about each unit, and the CLI's machine output.

On a table that is not complete (not every unit of its published rank-of scored): no rank but a
published one, no peer average, and a rank change only between ranks of the same basis and N.
"""

import csv
import io
import re

import polars as pl
import pytest

from chiso import fmt
from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.metrics import gaps
from chiso.metrics import ranks as metrics
from chiso.selection import Selection
from chiso.store import analysis_queries, queries
from chiso.views import findings
from chiso.views import rankings as rankings_view
from chiso.views import tables as views
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)
RANK_IN_TEXT = re.compile(r"(?:thứ|ranked) (\d+)/(\d+)")


@pytest.fixture(scope="module")
def every_table(published_db):
    with queries.connect(published_db) as con:
        tables = queries.tables(con)
        out = []
        for table in tables.iter_rows(named=True):
            key = {"index": table["index_code"], "year": table["year"], "peer_group": table["peer_group"]}
            key["scope_province"] = table["scope_province"]
            ranking = queries.ranking(con, **key)
            rows = analysis_queries.table_rows(con, **key)
            out.append((table, ranking, rows))
    return out


def _allowed(row: dict) -> str | None:
    """The only k/N a row may show: its published rank, or a computed one on a complete table."""
    if row["rank"] is None:
        return None
    return fmt.rank(row["rank"], row["rank_of"])


def test_the_shipped_data_hold_incomplete_tables(every_table):
    """The walk below would prove nothing without incomplete tables among the shipped ones."""
    incomplete = [t for t, _, _ in every_table if not t["complete"]]
    assert len(every_table) >= 30 and len(incomplete) >= 10


def test_every_table_view_obeys_the_rule(every_table):
    for table, ranking, _ in every_table:
        index = CATALOG.index(table["index_code"])
        where = f"{table['index_code']} {table['year']} {table['peer_group']} {table['scope_province']}"
        complete = metrics.is_complete(ranking)
        for row in ranking.iter_rows(named=True):
            if not complete and row["rank"] is not None:
                assert row["published_rank"] == row["rank"], where  # only a published rank
            if row["d_rank"] is not None:  # a change only between the same basis and N
                assert row["prev_rank_of"] == row["rank_of"], where
                assert {row["prev_rank_basis"], row["rank_basis"]} <= {"published", "computed"} or (
                    row["prev_rank_basis"] == row["rank_basis"]
                ), where
        if not complete:
            assert metrics.peer_average(ranking) is None, where
            assert ranking["peer_mean"].null_count() == ranking.height, where
        shown = views.display_table(ranking, index, "vi")
        rank_column = shown.get_column(shown.columns[0]).to_list()
        assert rank_column == [_allowed(r) or "–" for r in ranking.iter_rows(named=True)], where
        exported = rankings_view.rankings_table(ranking, index, "vi")
        assert exported.get_column(exported.columns[0]).to_list() == ranking["rank"].to_list(), where
        sel = Selection(table["peer_group"], table["scope_province"], table["index_code"], table["year"])
        figure = rankings_view.rankings_figure(ranking, index, sel, "vi")  # never a crash
        if not complete:
            assert not figure.layout.shapes, where  # no peer-average line
        labels = [str(y) for bar in figure.data if bar.type == "bar" for y in bar.y]
        allowed = {_allowed(r) for r in ranking.iter_rows(named=True)} - {None}
        for label in labels:
            rank = label.split("  ")[0]
            assert rank == "–" or rank in allowed, (where, label)


def test_every_sentence_obeys_the_rule(every_table):
    for table, ranking, rows in every_table:
        index = CATALOG.index(table["index_code"])
        where = f"{table['index_code']} {table['year']} {table['peer_group']} {table['scope_province']}"
        complete = metrics.is_complete(ranking)
        allowed = {_allowed(r) for r in ranking.iter_rows(named=True)} - {None}
        said = findings.ranking_findings(ranking, index, "vi")
        if not complete:
            assert not [f for f in said if f.kind in ("peer_mean", "last")], where
            # the biggest climber or faller is named only among the units with data
            movers = [f for f in said if f.kind in ("climber", "faller")]
            assert all(f.text.startswith("Trong ") for f in movers), (where, movers)
        for unit_id in ranking.filter(pl.col("score").is_not_null())["unit_id"].to_list():
            said += [
                f for f in findings.unit_findings(rows, unit_id, index, "vi") if f.kind in ("rank", "change")
            ]
        for finding in said:
            for k, n in RANK_IN_TEXT.findall(finding.text):
                assert f"{k}/{n}" in allowed, (where, finding.text)
            if finding.kind == "change" and finding.figures.get("d_rank") is not None:
                row = finding.row
                assert row["prev_rank_of"] == row["rank_of"], (where, finding.text)
        for unit_id in rows.filter(pl.col("component").is_not_null())["unit_id"].unique().to_list():
            frame = gaps.component_gaps(rows, unit_id)
            for gap in frame.iter_rows(named=True):
                comp = rows.filter((pl.col("component") == gap["component"]) & (pl.col("unit_id") == unit_id))
                if not bool(comp["complete"].fill_null(False).all()):
                    assert gap["peer_mean"] is None, where
                    assert gap["component_rank"] is None or gap["component_rank"] == gap["published_rank"], (
                        where
                    )


def test_every_table_in_cli_machine_output(every_table, published_db, capsys):
    """Every table, central agencies and Hải Phòng's wards included, is reached by its peer group."""
    reached = 0
    for table, ranking, _ in every_table:
        where = f"{table['index_code']} {table['year']} {table['peer_group']} {table['scope_province']}"
        reached += 1
        args = ["rank", "--index", table["index_code"], "--year", str(table["year"])]
        args += ["--unit-type", table["peer_group"], "--format", "csv"]
        if table["scope_province"]:
            args += ["--province", table["scope_province"]]
        code = main([*args, "--db", str(published_db)])
        out = capsys.readouterr().out
        assert code == 0, where
        printed = list(csv.DictReader(io.StringIO(out)))
        assert [r["unit"] for r in printed] == ranking["name"].to_list(), where
        assert {"flag", "note", "source_title", "source_url", "rank_basis"} <= set(printed[0]), where
        complete = metrics.is_complete(ranking)
        for row in printed:
            if not complete and row["rank"]:
                assert row["rank"] == row["published_rank"], (where, row)
            assert not re.search(r"\b\d+/\d+\b", row["note"]), (where, row["note"])  # an order is no k/N
    assert reached == len(every_table) and {"central_agencies", "wards"} <= {
        t["peer_group"] for t, _, _ in every_table
    }
