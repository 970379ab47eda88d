"""A change computed from a row in doubt carries that row's flag (a truth audit): PCI 2021's
table comes from a page that prints no year, so its year is the collector's inference, and every
2021 → 2022 change (Bà Rịa - Vũng Tàu up 5, Quảng Ninh −0,07 and the same rank) was said
unmarked; a trend's file had no note at all."""

from __future__ import annotations

import csv

from chiso.config import load_catalog
from chiso.metrics import gaps
from chiso.paths import CONFIG_PATH
from chiso.selection import Selection
from chiso.store import analysis_queries, queries
from chiso.views import findings, rankings
from tests.conftest import run_cli

CATALOG = load_catalog(CONFIG_PATH)
INFERRED = "Năm 2021 do người thu thập suy luận"


def test_a_rankings_change_from_an_inferred_year_is_flagged_in_the_table_and_sentences(published_db):
    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="PCI", year=2022, peer_group="provinces", scope_province="")
    view = rankings.build(ranking, CATALOG.index("PCI"), Selection("provinces", "", "PCI", 2022), "vi")
    notes = dict(zip(view.display.get_column("Đơn vị"), view.display.get_column("Ghi chú"), strict=True))
    assert f"⚑ thay đổi tính từ năm 2021: {INFERRED}" in notes["Bà Rịa - Vũng Tàu"]
    assert INFERRED not in notes["Nghệ An"]  # no change computed: nothing to flag
    climber = next(f for f in view.findings if f.kind == "climber")
    assert f"thay đổi tính từ năm 2021: {INFERRED}" in findings.finding_line(climber, "vi")


def test_a_profiles_change_from_an_inferred_year_is_flagged(published_db):
    with queries.connect(published_db) as con:
        rows = analysis_queries.unit_rows(con, unit_id="quang-ninh/quang-ninh")
    _, found = findings.profile_report(rows, CATALOG, "vi", 2022, gaps.scored_tables(rows, 2022, CATALOG))
    change = next(f for f in found if f.kind == "change" and "PCI" in f.text)
    assert INFERRED in findings.finding_line(change, "vi")


def test_a_trends_file_notes_each_years_flag(published_db, capsys, tmp_path):
    out = tmp_path / "pci.csv"
    code, _, _ = run_cli(
        capsys, "export", "trends", index="PCI", province="", unit_type="provinces", unit="Quảng Ninh",
        format="csv", out=out, db=published_db,
    )  # fmt: skip
    notes = {r["Năm"]: r["Ghi chú"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert code == 0 and notes["2021"].startswith(f"⚑ {INFERRED}") and notes["2022"] == ""
