"""A published score is printed to its last digit (a truth audit): PAPI 2020's sources print
48,881 for Quảng Ninh, and the table, its sentences and its XLSX number format read 48,88; the
row's own flag is about that third decimal ('48,881 vs 48,811')."""

from __future__ import annotations

import pytest

from chiso import fmt
from chiso.config import load_catalog
from chiso.paths import CONFIG_PATH
from chiso.selection import Selection
from chiso.store import queries
from chiso.views import rankings


@pytest.mark.parametrize(
    ("values", "declared", "places"),
    [([48.881, 46.961, 41.63], 2, 3), ([43.5493], 2, 4), ([91.24, 90.5], 2, 2), ([634.0, 712.0], 0, 0),
     ([0.123456], 2, 4), ([None, 73.4], 2, 2), ([], 1, 1)],
)  # fmt: skip
def test_printed_places_never_drop_a_digit_and_never_go_below_the_declared(values, declared, places):
    assert fmt.printed_places(values, declared) == places


def test_papi_2020_is_printed_as_its_sources_printed_it(published_db):
    catalog = load_catalog(CONFIG_PATH)
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="PAPI", year=2020, peer_group="provinces", scope_province="")
    view = rankings.build(ranking, catalog.index("PAPI"), Selection("provinces", "", "PAPI", 2020), "vi")
    scores = view.display.get_column(view.display.columns[3]).to_list()
    assert scores[:2] == ["48,881", "46,961"]
    assert "Quảng Ninh với 48,881/80 điểm" in view.findings[0].text
    formats = rankings.rankings_number_formats(ranking, catalog.index("PAPI"), "vi")
    assert formats[view.display.columns[3]] == "#,##0.000"
