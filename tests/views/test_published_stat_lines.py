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


def test_the_rankings_file_keeps_the_figure_as_the_source_printed_it(published_db, capsys, tmp_path):
    """Đầm Hà's SIPAS 2021: '28,81/30 (96,04 %)'. The page shows '96,04 % (nguồn) · tính được
    96,03 %'; the CSV had only the computed 96.03."""
    import csv

    from tests.conftest import run_cli

    out = tmp_path / "sipas.csv"
    code, _, _ = run_cli(
        capsys, "export", "rankings", index="SIPAS", year="2021", province="Quảng Ninh",
        unit_type="localities", format="csv", out=out, db=published_db,
    )  # fmt: skip
    row = next(r for r in csv.DictReader(out.open(encoding="utf-8-sig")) if r["Đơn vị"] == "Huyện Đầm Hà")
    assert code == 0 and row["% tối đa"] == "96.03" and row["Như nguồn in"] == "96,04 %"
