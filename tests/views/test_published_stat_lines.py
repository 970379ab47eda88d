"""A published average says whose average it is and on what scale (a truth audit): Hải Phòng
printed 92,67 % for all its agencies and 93,95 % for the departments, and both had read
'Bình quân công bố' under the departments; Quảng Ninh's DGI 2024 average, 92,29 %, stood under
scores out of 80 as a bare 92,29."""

from __future__ import annotations

from chiso.config import load_catalog
from chiso.paths import CONFIG_PATH
from chiso.selection import Selection
from chiso.store import queries
from chiso.views import rankings


def _lines(db, group: str, province: str, index: str, year: int, lang: str = "vi") -> list[str]:
    catalog = load_catalog(CONFIG_PATH)
    sel = Selection(group, province, index, year)
    with queries.connect(db) as con:
        ranking = queries.ranking(con, index=index, year=year, peer_group=group, scope_province=province)
        stats = queries.published_stats(con, index=index, year=year, peer_group=group, province=province)
    return rankings.build(ranking, catalog.index(index), sel, lang, stats).stat_lines


def test_an_average_of_every_unit_assessed_is_not_the_groups(published_db):
    lines = _lines(published_db, "departments", "Hải Phòng", "SIPAS", 2025)
    assert [line.split(" (")[0] for line in lines] == [
        "Bình quân công bố: 93,95 %",
        "Bình quân công bố của mọi đơn vị được đánh giá, không riêng nhóm này: 92,67 %",
    ]
    english = _lines(published_db, "departments", "Quảng Ninh", "PAR", 2024, "en")
    assert english[0].startswith("Published average of every unit assessed, not this group alone: 87.12 (")


def test_an_average_printed_in_percent_beside_points_keeps_its_percent(published_db):
    lines = _lines(published_db, "localities", "Quảng Ninh", "DGI", 2024)
    assert lines[0].startswith("Bình quân công bố: 92,29 % (")
