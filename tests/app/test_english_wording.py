"""English that reads right where counts are one or several (a review of the English pages):
'1 units have both a numerator and a denominator', 'Hải Phòng, Đồng Tháp is the new unit'; and
a table of ranks without scores described as one holding '0 scored units'."""

from __future__ import annotations

import pytest

from chiso.store import queries
from chiso.views import tables
from tests.app.test_pages import both_dbs, run  # noqa: F401  (the fixture)


def _texts(at) -> str:
    return " ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.info))


@pytest.mark.usefixtures("both_dbs")
def test_one_ranked_unit_is_one_unit_in_english():
    at = run("pages/services.py", lang="en")
    assert not at.exception
    assert "1 unit has both a numerator and a denominator" in _texts(at)


@pytest.mark.usefixtures("both_dbs")
def test_several_new_units_are_the_new_units():
    at = run("pages/trends.py", lang="en", ds="demo")
    assert not at.exception
    said = _texts(at)
    assert "are the new units; before, the figures are their predecessors'" in said


def test_a_table_of_ranks_only_says_the_source_printed_no_scores(published_db):
    with queries.connect(published_db) as con:
        ranking = queries.ranking(
            con, index="PAR", year=2024, peer_group="departments", scope_province="Quảng Ninh"
        )
    assert ranking.get_column("score").is_null().all() and ranking.get_column("rank").count() > 0
    sentence = tables.status_sentence(ranking, tables.table_status(ranking), "en")
    assert sentence.startswith("Incomplete table: the source printed ranks but no scores")
    assert "0 scored" not in sentence
