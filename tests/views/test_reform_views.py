"""Views of the demo province after its reorganisation (1 July 2025): 51 new communes and wards."""

import polars as pl
import pytest

from chiso.config import load_catalog
from chiso.i18n import t
from chiso.selection import Selection
from chiso.store import queries
from chiso.views import rankings as rankings_view
from chiso.views import strip
from chiso.views import tables as views
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)
PROVINCE = "Sơn Hải"


def _communes_2025(db, code: str) -> pl.DataFrame:
    with queries.connect(db) as con:
        return queries.ranking(con, index=code, year=2025, peer_group="communes", scope_province=PROVINCE)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("code", ["PAR", "SIPAS"])
def test_strip_legend_marks_inferred_tiers_as_the_table_does(demo_db, code, lang):
    """A table over 40 units is drawn as a strip; its legend says '(suy luận)' / '(inferred)' for a
    band the project deduced, exactly as the table beside it does."""
    ranking = _communes_2025(demo_db, code)
    index = CATALOG.index(code)
    assert strip.is_large(ranking)
    table = views.display_table(ranking, index, lang)
    table_tiers = set(table.get_column(t("col.tier", lang)).drop_nulls().to_list()) - {""}
    mark = f"({t('inferred.mark', lang)})"
    assert any(mark in tier for tier in table_tiers)  # the demo's bands are deduced
    sel = Selection("communes", PROVINCE, code, 2025)
    page = rankings_view.rankings_figure(ranking, index, sel, lang)
    unit = ranking.get_column("unit_id")[30]  # the large-table body: a unit picked and its neighbours
    rows = strip.strip_rows(ranking, unit, 5)
    picked = strip.strip_figure(ranking, rows, index, sel, lang, 5)
    for figure in (page, picked):
        legend = {bar.name for bar in figure.data if bar.type == "bar" and bar.showlegend is not False}
        assert legend and legend <= table_tiers  # 'Nhóm C' unmarked beside 'Nhóm C (suy luận)' fails
