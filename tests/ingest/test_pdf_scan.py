"""Scanned annexes: OCR gets the numbers right, and every number it gets wrong is flagged; flagged
cells block the import until corrected or accepted, and a correction is audited with the reading.

The scans are made at test time from the generated corpus (tests/pdf/make_corpus.py): 300 and
200 dpi, 2° of skew, speckle noise. OCR is slow, so only two pages are read here (marked ``ocr``);
the benchmark (benchmarks/pdf_bench.py) measures 3-page scans at 200 and 300 dpi.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.ingest import annex, dispatch, pdf_annex
from chiso.ingest.annex import ImportOptions
from chiso.names import fold
from chiso.store import swap
from tests.conftest import CONFIG
from tests.pdf import make_corpus

have_ocr = shutil.which("tesseract") and shutil.which("pdftoppm")
needs_tools = pytest.mark.skipif(
    not (Path(make_corpus.CHROMIUM).exists() and have_ocr),
    reason="chromium, tesseract-ocr(-vie) and poppler-utils are needed (make test installs them)",
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CONFIG)


def accuracy(read: annex.Annex, expected: annex.Annex) -> tuple[int, int, list[str], list[str]]:
    """(numeric cells right, numeric cells read, wrong cells, wrong cells not flagged)."""
    # Units are matched as the registry matches them (accents and tone marks do not matter).
    reference = {(fold(r["unit"]), r["component"]): r for r in expected.rows}
    table = read.source
    flagged = {(f.row, f.column) for f in table.flags}
    # A cell the annex reader refuses (not a number) is reported with its row and column: flagged.
    refused = {(i.row, pdf_annex._column_index(i.column.split(" ")[0])) for i in read.issues if i.column}
    # The column of each value, from the rows that have it (an empty cell's row does not say).
    columns = {
        (row["component"], key): origin.columns[key]
        for row, origin in zip(read.rows, read.origins, strict=True)
        for key in ("score", "rank")
        if origin.columns.get(key, "")[:1].isupper()
    }
    right = total = 0
    wrong, unflagged = [], []
    for row, origin in zip(read.rows, read.origins, strict=True):
        ref = reference.get((fold(row["unit"]), row["component"]))
        for key in ("score", "rank"):
            label = origin.columns.get(key, "")
            if not label[:1].isupper() and ref is not None and ref[key]:
                label = columns.get((row["component"], key), "")  # read empty: a wrong cell
            if not label[:1].isupper():
                continue
            total += 1
            column = pdf_annex._column_index(label.split(" ")[0])
            if ref is not None and ref[key] and row[key] and float(ref[key]) == float(row[key]):
                right += 1
                continue
            cell = f"{label.split(' ')[0]}{origin.row} {row['unit']}: {row[key]!r} ≠ {ref and ref[key]!r}"
            wrong.append(cell)
            if (origin.row, column) not in flagged | refused:
                unflagged.append(cell)
    for issue in read.issues:
        if issue.column:
            total += 1
            wrong.append(str(issue))
    return right, total, wrong, unflagged


@pytest.mark.ocr
@needs_tools
@pytest.mark.parametrize(("dpi", "floor"), [(300, 0.995), (200, 0.95)])
def test_a_scan_reads_the_numbers_and_flags_every_wrong_one(tmp_path, catalog, dpi, floor):
    """300 dpi: ≥ 99,5 % of the numeric cells right before review; 200 dpi reads less well. At both,
    every wrong cell is flagged."""
    counts = [0, 0]
    for variant, pages, skew in (
        (make_corpus.Variant("departments", "portrait", True, False), None, 2.0),
        (make_corpus.Variant("communes", "portrait", True, True), "1", -2.0),
    ):
        pdf, xlsx, table = make_corpus.make_pdf(variant, tmp_path)
        scan = make_corpus.scan(pdf, tmp_path / f"scan-{variant.name}.pdf", dpi=dpi, skew=skew, pages=pages)
        options = ImportOptions(**table.options, accept_flagged=True)
        expected = dispatch.read_annex(xlsx, catalog, options)
        read = dispatch.read_annex(scan, catalog, options)
        assert read.source.scanned
        assert {fold(r["unit"]) for r in read.rows} <= {fold(r["unit"]) for r in expected.rows}
        assert len({r["unit"] for r in read.rows}) >= 4
        right, total, _, unflagged = accuracy(read, expected)
        assert unflagged == []  # 100 % of the wrong cells flagged
        counts[0] += right
        counts[1] += total
        # every OCRed cell carries its confidence
        assert all(s.confidence is not None for s in read.source.sources.values())
    right, total = counts
    assert total >= 150
    assert right / total >= floor, f"{right}/{total} numeric cells right at {dpi} dpi"


@needs_tools
def test_an_image_file_is_read_like_a_scanned_page(tmp_path, catalog):
    from PIL import Image

    pdf, xlsx, table = make_corpus.make_pdf(
        make_corpus.Variant("hoabinh", "portrait", False, False), tmp_path
    )
    scan = make_corpus.scan(pdf, tmp_path / "scan.pdf", dpi=300, skew=1.0)
    image = pdf_annex_image(scan)
    png = tmp_path / "phu_luc.png"
    image.save(png, dpi=(300, 300))
    assert Image.open(png).size == image.size
    options = ImportOptions(**table.options, accept_flagged=True)
    read = dispatch.read_annex(png, catalog, options)
    expected = dispatch.read_annex(xlsx, catalog, options)
    right, total, _, unflagged = accuracy(read, expected)
    assert unflagged == [] and total >= 38 and right >= total - 1


def pdf_annex_image(scan: Path):
    from chiso.ingest import ocr

    image, _ = ocr.scanned_image(scan.read_bytes(), 1)
    return image


@pytest.mark.skipif(not Path(make_corpus.CHROMIUM).exists(), reason="chromium prints the PDF")
def test_a_row_that_does_not_add_up_blocks_the_import_until_corrected(tmp_path, fixture_db, capsys):
    table = make_corpus.departments()
    table.rows[3][-2] = 88.5  # Sở Y tế: the components add up to 87,5
    page = make_corpus.to_html(table, orientation="portrait", ruled=True, repeat_header=False)
    pdf = make_corpus.print_pdf(page, tmp_path / "qd_phu_luc.pdf")
    args = ["import", str(pdf), "--db", str(fixture_db), "--index", "PAR", "--year", "2024"]
    args += ["--province", "Tỉnh Mẫu", "--who", "Chị Lan"]
    before = fixture_db.read_bytes()

    assert main(args) == 1
    out, err = capsys.readouterr()
    assert "không nhập" in err and "không đổi" in err
    flagged = [line for line in out.splitlines() if "cần kiểm tra ô" in line]
    assert len(flagged) == 9  # the total and its eight components: any of them may be wrong
    total_line = next(line for line in flagged if "«88,5»" in line)
    assert "trang 1, vùng x" in total_line and "khác tổng điểm 88,5" in total_line
    cell = total_line.split("cần kiểm tra ô ")[1].split(" ")[0]
    assert fixture_db.read_bytes() == before  # nothing written

    assert main([*args, "--correct", f"{cell}=87,5"]) == 0
    out = capsys.readouterr().out
    assert f"Sửa ô {cell} (trang 1" in out and "bản đọc gốc «88,5» → «87,5»" in out
    history = swap.audit(fixture_db)
    assert history["rows_added"][0] == 36
    assert "bản đọc gốc «88,5» → «87,5»" in history["options"][0]


@pytest.mark.skipif(not Path(make_corpus.CHROMIUM).exists(), reason="chromium prints the PDF")
def test_flagged_cells_and_notes_are_in_english_under_lang_en(tmp_path, fixture_db, capsys):
    table = make_corpus.departments()
    table.rows[3][-2] = 88.5
    page = make_corpus.to_html(table, orientation="portrait", ruled=True, repeat_header=False)
    pdf = make_corpus.print_pdf(page, tmp_path / "annex.pdf")
    args = ["import", str(pdf), "--db", str(fixture_db), "--index", "PAR", "--year", "2024"]
    args += ["--province", "Tỉnh Mẫu"]
    assert main(["--lang", "en", *args]) == 1
    out = capsys.readouterr().out
    assert "Table read from the PDF file, page 1; every value keeps its page and position." in out
    flagged = [line for line in out.splitlines() if "to be checked: cell " in line]
    assert len(flagged) == 9
    total_line = next(line for line in flagged if "«88,5»" in line)
    assert ", page 1: to be checked: cell " in total_line  # the page is carried as data, not searched for
    assert (
        "(page 1, box x " in total_line
        and "the components add up to 87,5, not to the total 88,5" in total_line
    )
    assert not any(word in line for line in flagged for word in ("trang", "vùng", "đọc", "khác tổng"))


@pytest.mark.skipif(not Path(make_corpus.CHROMIUM).exists(), reason="chromium prints the PDF")
def test_accept_flagged_imports_as_read_and_says_so(tmp_path, fixture_db, capsys):
    table = make_corpus.departments()
    table.rows[3][-2] = 88.5
    page = make_corpus.to_html(table, orientation="portrait", ruled=False, repeat_header=False)
    pdf = make_corpus.print_pdf(page, tmp_path / "qd.pdf")
    args = ["import", str(pdf), "--db", str(fixture_db), "--index", "PAR", "--year", "2024"]
    args += ["--province", "Tỉnh Mẫu", "--accept-flagged"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.count("Chấp nhận (--accept-flagged): ô ") == 9
    assert "accept_flagged=True" in swap.audit(fixture_db)["options"][0]


@pytest.mark.skipif(not Path(make_corpus.CHROMIUM).exists(), reason="chromium prints the PDF")
def test_the_preview_marks_flagged_cells_on_the_page_and_grid_edits_become_corrections(tmp_path, catalog):
    from chiso.views import pdf_preview

    table = make_corpus.departments()
    table.rows[3][-2] = 88.5
    page = make_corpus.to_html(table, orientation="portrait", ruled=True, repeat_header=False)
    pdf = make_corpus.print_pdf(page, tmp_path / "qd.pdf")
    read = dispatch.read_annex(pdf, catalog, ImportOptions(**table.options))
    source = read.source
    assert pdf_preview.pages_to_show(source) == [1]
    picture = pdf_preview.page_picture(source, 1)
    total = next(f for f in source.flags if f.text == "88,5")
    scale = picture.width / source.page_sizes[1][0]
    x0, top, _, bottom = (round(v * scale) for v in total.source.box)
    red, green, blue = picture.getpixel((x0 - 1, (top + bottom) // 2))
    assert red > green + 40 and red > blue + 40  # the flagged cell is marked in red
    red, green, _ = picture.getpixel((x0 - 1, top - 2 * (bottom - top)))
    assert red - green < 40  # the row above (Sở Tư pháp adds up) is not
    frame = pdf_preview.grid_frame(source)
    index = frame["dòng"].to_list().index(total.row)
    letter = total.cell.rstrip("0123456789")
    assert frame[letter][index] == "88,5"
    edits = {str(index): {letter: "87,5"}, "0": {"A": frame["A"][0] or ""}}
    assert pdf_preview.corrections_from_edits(frame, edits) == f"{total.cell}=87,5"
