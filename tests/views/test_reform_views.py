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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_strip_says_how_many_units_it_leaves_out_between_its_rows(demo_db, lang):
    """51 communes and wards, top and bottom 5 and the 26th with its neighbours: two gaps, each a
    row saying how many units it hides; hidden and drawn units add up to the 51."""
    ranking = _communes_2025(demo_db, "PAR")
    scored = ranking.filter(pl.col("score").is_not_null()).sort("rank", "name")
    unit = scored.get_column("unit_id")[25]
    rows = strip.strip_rows(ranking, unit, 5)
    sel = Selection("communes", PROVINCE, "PAR", 2025)
    figure = strip.strip_figure(ranking, rows, CATALOG.index("PAR"), sel, lang, 5)
    gaps = [a.text for a in figure.layout.annotations if a.text.startswith("⋯")]
    assert gaps == [t("rankings.strip_gap", lang, n=n) for n in (18, 18)]
    assert rows.height + 18 + 18 == scored.height == 51
    drawn = [c for c in reversed(figure.layout.yaxis.categoryarray)]
    assert drawn[5].startswith("gap") and drawn[0].startswith("1/51")  # the gap sits after the top 5
