"""Decision annexes printed to PDF import to the same rows as the XLSX they were printed from.

The corpus is generated at test time (tests/pdf/make_corpus.py): chromium prints each table,
portrait or landscape, ruled or unruled, spanning pages with or without a repeated header.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chiso.cli.main import main
from chiso.config import load_catalog
from chiso.ingest import annex, dispatch, pdf_annex
from chiso.ingest.annex import AnnexError, ImportOptions
from chiso.store import swap
from tests.conftest import CONFIG
from tests.pdf import make_corpus

needs_chromium = pytest.mark.skipif(
    not Path(make_corpus.CHROMIUM).exists(), reason="chromium is needed to print the PDF corpus"
)
COMPARED = [c for c in annex.LONG_COLUMNS if c not in ("quote", "source_title")]


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(CONFIG)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, tuple[Path, Path, make_corpus.Table]]:
    if not Path(make_corpus.CHROMIUM).exists():
        pytest.skip("chromium is needed to print the PDF corpus")
    folder = tmp_path_factory.mktemp("pdf_corpus")
    return {v.name: make_corpus.make_pdf(v, folder) for v in make_corpus.VARIANTS}


def cells(rows: list[dict]) -> list[tuple]:
    """Every compared cell of the long rows; scores as numbers (94,50 printed = 94.5 typed)."""
    return [
        tuple(float(r[c]) if c in ("score", "max_score") and r[c] else r[c] for c in COMPARED) for r in rows
    ]


@needs_chromium
@pytest.mark.parametrize("variant", make_corpus.VARIANTS, ids=lambda v: v.name)
def test_text_pdf_imports_to_the_same_rows_as_its_xlsx(corpus, catalog, variant):
    pdf, xlsx, table = corpus[variant.name]
    options = ImportOptions(**table.options)
    expected = dispatch.read_annex(xlsx, catalog, options)
    read = dispatch.read_annex(pdf, catalog, options)
    assert read.issues == []
    assert cells(read.rows) == cells(expected.rows)  # 100 % of the cells
    assert len(read.rows) == len(expected.rows) > 0
    source = read.source
    assert source.pages == list(range(1, len(source.pages) + 1)) and not source.scanned


@needs_chromium
def test_every_value_keeps_its_page_and_box(corpus, catalog):
    pdf, _, table = corpus["communes-portrait-ruled-repeat"]
    read = dispatch.read_annex(pdf, catalog, ImportOptions(**table.options))
    source = read.source
    assert len(source.pages) >= 3  # the table spans pages
    pages_of_totals = set()
    for row, origin in zip(read.rows, read.origins, strict=True):
        if row["component"]:
            continue
        letter = origin.columns["score"].split(" ")[0]
        where = source.sources[(origin.row, annex_column(letter))]
        x0, top, x1, bottom = where.box
        width, height = source.page_sizes[where.page]
        assert 0 <= x0 < x1 <= width and 0 <= top < bottom <= height
        pages_of_totals.add(where.page)
        number = row["score"].replace(".", ",").rstrip("0").rstrip(",")
        assert source.grid.rows[origin.row - 1][1][annex_column(letter)].text.startswith(number)
    assert pages_of_totals == set(source.pages)


def annex_column(letters: str) -> int:
    return pdf_annex._column_index(letters)


@needs_chromium
def test_pages_option_reads_only_the_pages_given(corpus, catalog):
    pdf, _, table = corpus["communes-portrait-ruled-repeat"]
    options = ImportOptions(**table.options)
    everything = dispatch.read_annex(pdf, catalog, options)
    # Page 2 alone: a continuation page with its repeated header, and no title rows.
    second = dispatch.read_annex(pdf, catalog, ImportOptions(**table.options, pages="2"))
    assert second.source.pages == [2]
    assert 0 < len(second.rows) < len(everything.rows)
    assert cells(second.rows)[0][1] in {r[1] for r in cells(everything.rows)}
    with pytest.raises(AnnexError, match=r"--pages '9-12': tệp có 4 trang"):
        dispatch.read_annex(pdf, catalog, ImportOptions(**table.options, pages="9-12"))


@needs_chromium
def test_cli_imports_a_text_pdf_with_audit(corpus, fixture_db, capsys):
    pdf, _, _ = corpus["departments-portrait-ruled"]
    args = ["import", str(pdf), "--db", str(fixture_db), "--index", "PAR", "--year", "2024"]
    args += ["--province", "Tỉnh Mẫu", "--who", "Chị Lan"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Đọc bảng từ tệp PDF, trang 1" in out and "thêm 36 dòng" in out
    history = swap.audit(fixture_db)
    assert history.select("who", "file", "rows_added").rows() == [("Chị Lan", pdf.name, 36)]


def test_a_pdf_without_a_table_is_refused_in_words(tmp_path, catalog):
    if not Path(make_corpus.CHROMIUM).exists():
        pytest.skip("chromium is needed to print a PDF")
    pdf = make_corpus.print_pdf(
        "<html><body><p>Quyết định về việc công bố kết quả.</p><p>Điều 1. Ban hành.</p></body></html>",
        tmp_path / "decision.pdf",
    )
    with pytest.raises(AnnexError, match="không tìm thấy bảng số liệu trên trang 1"):
        dispatch.read_annex(pdf, catalog, ImportOptions(index="PAR", year=2024))


def test_a_broken_pdf_is_refused_in_words(tmp_path, catalog):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    with pytest.raises(AnnexError, match="không mở được tệp PDF") as error:
        dispatch.read_annex(broken, catalog, ImportOptions(index="PAR", year=2024))
    # The problem has a code, so an English session reads it in English.
    problem = error.value.issues[0]
    assert problem.code == "pdf.broken"
    assert "the PDF file cannot be opened" in problem.render("en") and "PDF reader" in problem.hint_text("en")


def test_pages_written_wrong_or_outside_the_file_are_refused_in_both_languages():
    with pytest.raises(AnnexError) as error:
        pdf_annex.parse_pages("3-x", 5, "a.pdf")
    problem = error.value.issues[0]
    assert problem.code == "pdf.pages_invalid"
    assert "--pages '3-x' không hợp lệ" in str(problem) and "is not valid" in problem.render("en")
    with pytest.raises(AnnexError) as error:
        pdf_annex.parse_pages("4-9", 5, "a.pdf")
    problem = error.value.issues[0]
    assert "tệp có 5 trang" in str(problem) and "Chọn trong khoảng 1-5" in str(problem)
    assert "the file has 5 pages" in problem.render("en") and "Choose within 1-5" in problem.render("en")
    assert pdf_annex.parse_pages("2, 4-5", 5, "a.pdf") == [2, 4, 5]


@needs_chromium
def test_a_pdf_in_the_old_tcvn3_encoding_imports_after_conversion(tmp_path, catalog):
    from chiso.ingest import legacy_fonts

    table = make_corpus.departments()
    # TCVN3 writes "ư" as byte 0xAD, which HTML takes for a soft hyphen: chromium cannot print it.
    table.rows[2][1] = "Sở Tài chính"
    page = make_corpus.to_html(table, orientation="portrait", ruled=True, repeat_header=False)
    pdf = make_corpus.print_pdf(legacy_fonts.encode_tcvn3(page), tmp_path / "tcvn3.pdf")
    xlsx = make_corpus.write_xlsx(table, tmp_path / "departments.xlsx")
    options = ImportOptions(**table.options)
    read = dispatch.read_annex(pdf, catalog, options)
    assert any("TCVN3" in note and "đã chuyển sang Unicode" in note for note in read.notes)
    assert cells(read.rows) == cells(dispatch.read_annex(xlsx, catalog, options).rows)


@needs_chromium
def test_a_pdf_in_the_vni_encoding_imports_after_conversion(tmp_path, catalog):
    from chiso.ingest import legacy_fonts

    table = make_corpus.departments()
    page = make_corpus.to_html(table, orientation="portrait", ruled=True, repeat_header=False)
    pdf = make_corpus.print_pdf(legacy_fonts.encode_vni(page), tmp_path / "vni.pdf")
    xlsx = make_corpus.write_xlsx(table, tmp_path / "departments.xlsx")
    options = ImportOptions(**table.options)
    read = dispatch.read_annex(pdf, catalog, options)
    assert any("VNI" in note and "đã chuyển sang Unicode" in note for note in read.notes)
    assert cells(read.rows) == cells(dispatch.read_annex(xlsx, catalog, options).rows)
