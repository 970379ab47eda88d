"""What a complete table says about its ranks: matched with the published ranks only where the
source printed ranks. Hòa Bình's SIPAS 2022 (19 departments, no rank printed) and PAR 2022 (the
source lists the departments in order, no rank numbers) had been announced as 'ranks computed from
the scores match the published ranks'. Found by a truth audit against the reference figures."""

from __future__ import annotations

import csv

from chiso.store import queries
from chiso.views import tables
from tests.conftest import run_cli


def _ranking(db, index: str, year: int):
    with queries.connect(db) as con:
        return queries.ranking(
            con, index=index, year=year, peer_group="departments", scope_province="Hòa Bình"
        )


def test_a_complete_table_without_printed_ranks_says_its_ranks_are_computed(published_db):
    ranking = _ranking(published_db, "SIPAS", 2022)
    sentence = tables.status_sentence(ranking, tables.table_status(ranking), "vi")
    assert "nguồn không in thứ hạng, thứ hạng do trang tính từ điểm số" in sentence
    assert "thứ hạng công bố" not in sentence
    english = tables.status_sentence(ranking, "complete", "en")
    assert "printed no ranks" in english and "match the published" not in english


def test_a_complete_table_ranked_by_list_order_says_so(published_db):
    ranking = _ranking(published_db, "PAR", 2022)
    sentence = tables.status_sentence(ranking, tables.table_status(ranking), "vi")
    assert "thứ hạng suy từ thứ tự liệt kê trong nguồn" in sentence
    assert "khớp với thứ hạng công bố" not in sentence


def test_only_a_table_of_printed_ranks_says_they_match(fixture_db):
    """The fixture's departments: PAR 2022 printed its ranks (1, 2, 2, 4), PAR 2023 printed none."""
    with queries.connect(fixture_db) as con:
        printed, unprinted = (
            queries.ranking(con, index="PAR", year=y, peer_group="departments", scope_province="Tỉnh Mẫu")
            for y in (2022, 2023)
        )
    assert tables.status_sentence(printed, tables.table_status(printed), "vi") == (
        "Bảng đầy đủ: 4/4 đơn vị có điểm; thứ hạng tính từ điểm số khớp với thứ hạng công bố."
    )
    assert tables.status_sentence(unprinted, tables.table_status(unprinted), "vi") == (
        "Bảng đầy đủ: 4/4 đơn vị có điểm; nguồn không in thứ hạng, thứ hạng do trang tính từ điểm số."
    )


def test_every_computed_rank_is_marked_on_its_row_and_in_the_csv(published_db, capsys, tmp_path):
    ranking = _ranking(published_db, "SIPAS", 2022)
    notes = tables.display_table(ranking, _index("SIPAS"), "vi").get_column("Ghi chú").to_list()
    assert len(notes) == 19 and all("hạng tính từ điểm số, nguồn không in thứ hạng" in n for n in notes)
    out = tmp_path / "sipas.csv"
    code, _, _ = run_cli(
        capsys, "export", "rankings", index="SIPAS", year="2022", province="Hòa Bình",
        unit_type="departments", format="csv", out=out, db=published_db,
    )  # fmt: skip
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert code == 0 and len(rows) == 19
    assert all("hạng tính từ điểm số" in r["Ghi chú"] for r in rows)


def _index(code: str):
    from chiso.config import load_catalog
    from chiso.paths import CONFIG_PATH

    return load_catalog(CONFIG_PATH).index(code)


def test_first_of_a_part_of_the_peer_group_is_not_called_the_leader(published_db):
    """DTI 2020: the source puts Bộ Tài chính first 'among the ministries that provide public
    services', not among all ministries; the page had said 'dẫn đầu DTI là Bộ Tài chính'."""
    from chiso.views import findings

    with queries.connect(published_db) as con:
        ranking = queries.ranking(con, index="DTI", year=2020, peer_group="ministries", scope_province="")
    row = ranking.row(0, named=True)
    assert row["name"] == "Bộ Tài chính" and row["rank"] is None
    assert "trong các bộ có cung cấp dịch vụ công" in row["flag"]
    said = " ".join(f.text for f in findings.ranking_findings(ranking, _index("DTI"), "vi"))
    assert "dẫn đầu" not in said
