"""The profile's "component losing the most points" sentences, found for every index at once
(``gaps.most_lost``), are the sentences the gaps page's per-table rule (``gap_findings`` on the
unit's own rows of that index and year) gives, for every year of every third unit of the demo and
the published data, in Vietnamese and English by turns (the whole set took ≈ 50 s of the suite)."""

from __future__ import annotations

import pytest

from chiso import paths
from chiso.config import load_catalog
from chiso.metrics import gaps
from chiso.store import analysis_queries, queries
from chiso.views import findings


def _per_index(rows, catalog, lang, year):
    """The most-lost sentences as the per-table rule gives them, index by index."""
    found = []
    for row in gaps.profile(rows, year, catalog.codes).iter_rows(named=True):
        own = rows.filter((rows["index_code"] == row["index_code"]) & (rows["year"] == row["year"]))
        index = catalog.index(row["index_code"])
        found += [f for f in findings.gap_findings(own, row["unit_id"], index, lang) if f.kind == "most_lost"]
    return found


@pytest.mark.parametrize("db_fixture", ["demo_db", "published_db"])
def test_profile_most_lost_sentences_are_the_per_table_ones(db_fixture, request):
    catalog = load_catalog(paths.CONFIG_PATH)
    with queries.connect(request.getfixturevalue(db_fixture)) as con:
        units = con.sql("SELECT DISTINCT unit_id FROM ranked ORDER BY unit_id").pl()["unit_id"].to_list()
        compared = 0
        for i, unit_id in enumerate(units[::3]):
            rows = analysis_queries.unit_rows(con, unit_id=unit_id)
            for year in [None, *sorted(set(rows["year"].to_list()))]:
                for lang in (("vi", "en")[i % 2],):
                    said = findings.profile_findings(rows, catalog, lang, year)
                    expected = _per_index(rows, catalog, lang, year)
                    assert [f for f in said if f.kind == "most_lost"] == expected, (unit_id, year, lang)
                    compared += len(expected)
    assert compared > 0  # the sampled units include some with every component scored
