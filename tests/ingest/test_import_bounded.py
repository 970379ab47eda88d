"""A long CSV is read a column at a time and unknown unit names are found for the whole column at
once (issue 17: a 200.000-row refusal in bounded time, measured by benchmarks/refusal_bench.py).
These tests check that the fast path says exactly what the cell-by-cell reader says, and that a
file of many unknown names is refused with a bounded list of messages naming file, row and column.
"""

from __future__ import annotations

import polars as pl
import pytest

from chiso import admin_registry
from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.ingest.annex import ImportOptions, csv_records, read_grid, records_grid
from chiso.ingest.dispatch import read_annex_bytes
from chiso.ingest.problems import AnnexError
from chiso.ingest.resolve import LISTED_UNKNOWN
from chiso.ingest.unit_screen import fold_expr, strip_prefix_expr
from chiso.names import fold, strip_prefix
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)
HEAD = "province,unit,index,component,year,score,rank,rank_of"
AWKWARD = [
    "TP. Hồ Chí Minh",
    "  Đắk   Lắk ",
    "Hoà Bình",  # tone mark on the other vowel
    "Hòa Bình",
    "UBND huyện Cô Tô",
    "H. Yên Dũng",
    "Sở LĐ-TB&XH",
    "x\u0301y\u00a0z",
    "İstanbul",
    "ǅ Ⅻ ² ß K",
    "\u2003tab\tand\x1fseparator\u3000",
    "",
]


def test_the_column_fold_is_the_fold_of_every_name():
    names = [u.name for u in admin_registry.load().units] + AWKWARD
    got = pl.DataFrame({"n": names}).select(
        folded=fold_expr(pl.col("n")), bare=strip_prefix_expr(fold_expr(pl.col("n")))
    )
    assert got["folded"].to_list() == [fold(n) for n in names]
    assert got["bare"].to_list() == [strip_prefix(fold(n)) for n in names]


def _both(text: str, options: ImportOptions):
    """(fast path, cell-by-cell reader) for the same CSV text: annex or the problems raised."""
    data = text.encode("utf-8")

    def run(read):
        try:
            return read()
        except AnnexError as exc:
            return [str(i) for i in exc.issues]

    fast = run(lambda: read_annex_bytes(data, "t.csv", CATALOG, options))
    slow = run(lambda: read_grid(records_grid(csv_records(data, "t.csv", None)), "t.csv", CATALOG, options))
    return fast, slow


def _same(fast, slow):
    if isinstance(slow, list):
        assert fast == slow
        return
    assert fast.rows == slow.rows
    assert [(o.sheet, o.row, o.columns, o.provided) for o in fast.origins] == [
        (o.sheet, o.row, o.columns, o.provided) for o in slow.origins
    ]
    assert [str(i) for i in fast.issues] == [str(i) for i in slow.issues]
    assert fast.columns == slow.columns and fast.layout == slow.layout


LONG_FILES = {
    "plain": f"{HEAD}\nTỉnh Mẫu,Sở Nội vụ,PAR,,2024,91.24,1,4\nTỉnh Mẫu,Sở Y tế,PAR,,2024,88,2,4\n",
    "blank lines and spaces": f"\n{HEAD}\n\n Tỉnh  Mẫu ,Sở\u00a0Nội vụ,PAR,,2024,91.24,,\n,,,,,,,\n"
    "Tinh Mau,Ho\u0300a Lạc,PAR,,2024,80,,\n",
    "options fill and conflict": "unit,index,year,score\nSở Nội vụ,,2024,91\nSở Y tế,par,2023,90\n"
    "Sở Tư pháp,DGI,,89\n",
    "title rows above": f"Kết quả PAR 2024,,,,,,,\n{HEAD}\nTỉnh Mẫu,Sở Nội vụ,PAR,,2024,91.24,1,4\n",
    "extra field": f"{HEAD}\nTỉnh Mẫu,Sở Nội vụ,PAR,,2024,91.24,1,4,oops\n"
    "Tỉnh Mẫu,Sở Y tế,PAR,,2024,9,2,4,, \n",
    "short row": f"{HEAD}\nTỉnh Mẫu,Sở Nội vụ,PAR,,2024,91.24\n",
    "header only": f"{HEAD}\n,,,\n",
    "column twice": "province,unit,index,year,score,score\nTỉnh Mẫu,Sở Nội vụ,PAR,2024,91,92\n",
    "wide annex": "STT,Tên đơn vị,Tổng điểm,Xếp hạng\n1,Sở Nội vụ,91,1\n",
}


@pytest.mark.parametrize("name", sorted(LONG_FILES))
def test_the_fast_long_reader_gives_what_the_cell_reader_gives(name):
    options = ImportOptions(index="PAR", year=2024, province="Tỉnh Mẫu")
    _same(*_both(LONG_FILES[name], options))
    _same(*_both(LONG_FILES[name], ImportOptions()))


def test_many_unknown_units_are_refused_in_a_bounded_list_naming_where(fixture_db, tmp_path, capsys):
    path = tmp_path / "unknown.csv"
    rows = [f"Tỉnh Mẫu,Đơn vị lạ {i % 300},PAR,,2024,{50 + i % 40}.5,," for i in range(900)]
    path.write_text("\n".join([HEAD, "Tỉnh Mẫu,Sở Nội vụ,PAR,,2024,90,,", *rows]) + "\n", encoding="utf-8")
    before = fixture_db.read_bytes()
    assert main(["import", str(path), "--db", str(fixture_db)]) == 1
    out = capsys.readouterr()
    listed = [line.strip() for line in out.out.splitlines() if line.strip().startswith("✗")]
    assert len(listed) == LISTED_UNKNOWN + 1
    assert listed[0].startswith("✗ unknown.csv, dòng 3, cột B «unit»: Không tìm thấy đơn vị 'Đơn vị lạ 0'")
    last = f"dòng {3 + LISTED_UNKNOWN}, cột B «unit»: và {900 - LISTED_UNKNOWN} dòng nữa (đến dòng 902)"
    assert last in listed[-1]
    assert "300 tên khác nhau" in listed[-1]
    assert out.err.count("\n") == 1 and "dòng 3" in out.err
    assert fixture_db.read_bytes() == before


def test_the_rest_of_unknown_units_is_counted_in_english_too(fixture_db, tmp_path, capsys):
    path = tmp_path / "unknown.csv"
    rows = [f"Tỉnh Mẫu,Nowhere {i},PAR,,2024,50,," for i in range(LISTED_UNKNOWN + 7)]
    path.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    assert main(["--lang", "en", "import", str(path), "--db", str(fixture_db)]) == 1
    out = capsys.readouterr().out
    assert "row 2, column B «unit»: no unit 'Nowhere 0' in Tỉnh Mẫu" in out
    assert "Không tìm thấy" not in out
    assert "and 7 more rows (up to row 58) name units not found: 7 different names" in out
