"""Exports leave the dashboard as shown: CSV/XLSX equal the rankings view, text cannot become a
formula, the long format loads back unchanged, PNG/SVG charts carry Vietnamese text intact."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from chiso import paths
from chiso.cli.main import main
from chiso.columns import SCORE_COLUMNS
from chiso.config import load_catalog
from chiso.export import files as export
from chiso.export import sources as export_sources
from chiso.selection import Selection
from chiso.store import queries
from chiso.store.build import build
from chiso.views import rankings as rankings_view
from chiso.views import style
from tests.conftest import CONFIG, SCORES, cli_args, score, write_data

needs_browser = pytest.mark.skipif(
    export.browser_path() is None, reason="no Chromium for kaleido (apt-get install chromium)"
)
CATALOG = load_catalog(CONFIG)
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
SON_HAI_LOCALITIES = {"unit_type": "localities", "province": "Sơn Hải"}  # the demo province's localities
PAR_HOA_BINH = ["--index", "PAR", "--year", "2022", "--province", "Hòa Bình", "--unit-type", "department"]


def ranking_of(db: Path, sel: Selection) -> pl.DataFrame:
    with queries.connect(db) as con:
        return queries.ranking(
            con, index=sel.index, year=sel.year, peer_group=sel.peer_group, scope_province=sel.province
        )


FIXTURE_2023 = Selection("departments", "Tỉnh Mẫu", "PAR", 2023)  # has Δ score and Δ rank
FIXTURE_2022 = Selection("departments", "Tỉnh Mẫu", "PAR", 2022)  # a tie: ranks 1, 2, 2, 4
HOA_BINH_2022 = Selection("departments", "Hòa Bình", "PAR", 2022)  # ranks from the order listed


def xlsx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name).decode("utf-8") for name in z.namelist() if name.endswith(".xml")}


# ---------- tables ----------


def test_csv_has_a_bom_the_header_first_and_numbers_with_dot_decimals():
    frame = pl.DataFrame({"Đơn vị": ["Sở Nội vụ"], "Điểm (/100)": [91.24], "Hạng": [1]})
    data = export.table_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == ["Đơn vị,Điểm (/100),Hạng", "Sở Nội vụ,91.24,1"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_text_is_inert_in_csv_while_numbers_stay_numbers(text):
    frame = pl.DataFrame({"Đơn vị": [text, "Sở Y tế"], "Δ điểm": [-0.5, 1.25]})
    back = pl.read_csv(export.table_csv(frame))
    assert back.get_column("Đơn vị").to_list() == ["'" + text, "Sở Y tế"]
    assert back.schema["Δ điểm"] == pl.Float64
    assert back.get_column("Δ điểm").to_list() == [-0.5, 1.25]


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_text_is_a_neutralised_plain_string_in_xlsx(text):
    frame = pl.DataFrame({"Đơn vị": [text], "Δ điểm": [-0.5]})
    data = export.table_xlsx(frame, sources=[{"title": text, "url": "http://x", "quote": "@q"}])
    parts = xlsx_parts(data)
    assert "<f>" not in parts["xl/worksheets/sheet1.xml"]  # no formula anywhere
    assert "<f>" not in parts["xl/worksheets/sheet2.xml"]
    back = pl.read_excel(io.BytesIO(data))
    assert back.get_column("Đơn vị").to_list() == ["'" + text]  # the same rule as CSV
    assert back.schema["Δ điểm"] == pl.Float64 and back.item(0, "Δ điểm") == -0.5


def test_a_text_link_in_a_cell_is_not_turned_into_a_hyperlink():
    frame = pl.DataFrame({"Đơn vị": ["http://evil.invalid"]})
    parts = xlsx_parts(export.table_xlsx(frame, sources=[]))
    assert "hyperlink" not in parts["xl/worksheets/sheet1.xml"]


def test_rankings_csv_and_xlsx_read_back_equal_to_the_view(fixture_db):
    ranking = ranking_of(fixture_db, FIXTURE_2023)
    view = rankings_view.rankings_table(ranking, CATALOG.index("PAR"), "vi")
    assert view.columns == [
        "Hạng",
        "Trên tổng số",
        "Phân vị",
        "Đơn vị",
        "Điểm (/100)",
        "% tối đa",
        "Như nguồn in",
        "Xếp loại",
        "Δ điểm",
        "Δ hạng",
        "Thay đổi như nguồn in",
        "Thay đổi hạng như nguồn in",
        "Ghi chú",
        "Nguồn",
    ]
    assert view.row(0)[:5] == (1, 4, 100, "Sở Y tế", 94.0)
    csv_back = pl.read_csv(export.table_csv(view), schema=view.schema)
    assert_frame_equal(csv_back, view)
    xlsx_back = pl.read_excel(io.BytesIO(export.table_xlsx(view, sources=[])), schema_overrides=view.schema)
    assert_frame_equal(xlsx_back, view)


def test_xlsx_layout_data_sheet_first_frozen_header_formats_and_sources(fixture_db):
    ranking = ranking_of(fixture_db, FIXTURE_2023)
    index = CATALOG.index("PAR")
    data = export_sources.xlsx_bytes(
        rankings_view.rankings_table(ranking, index, "vi"),
        rankings_view.rankings_sources(ranking),
        "vi",
        formats=rankings_view.rankings_number_formats(ranking, index, "vi"),
    )
    parts = xlsx_parts(data)
    sheets = re.findall(r'<sheet name="([^"]+)"', parts["xl/workbook.xml"])
    assert sheets == ["Dữ liệu", "Nguồn"]
    data_sheet = parts["xl/worksheets/sheet1.xml"]
    assert 'state="frozen"' in data_sheet and 'ySplit="1"' in data_sheet
    assert '<c r="A1"' in data_sheet  # header in row 1, first column
    assert "<cols>" in data_sheet  # column widths are set
    styles = parts["xl/styles.xml"]
    assert 'formatCode="#,##0.00"' in styles  # shown as 91,24 in a Vietnamese Excel
    assert 'formatCode="+#,##0.00;-#,##0.00;#,##0.00"' in styles
    sources = pl.read_excel(io.BytesIO(data), sheet_name="Nguồn")
    assert sources.columns == ["Dòng dữ liệu dựa trên nguồn", "Tiêu đề nguồn", "Đường dẫn", "Trích dẫn"]
    assert sources.row(0) == (
        "Sở Y tế, Sở Nội vụ, Sở Tư pháp, Sở Lao động - Thương binh và Xã hội",
        "Quyết định mẫu",
        "https://example.invalid/qd",
        "trích dẫn",
    )
    assert "hyperlink" in parts["xl/worksheets/sheet2.xml"]  # the source URL is a real link


def test_english_headers_follow_the_language(fixture_db):
    ranking = ranking_of(fixture_db, FIXTURE_2023)
    view = rankings_view.rankings_table(ranking, CATALOG.index("PAR"), "en")
    assert view.columns[:5] == ["Rank", "Out of", "Percentile", "Unit", "Score (/100)"]


# ---------- long format ----------


@pytest.mark.parametrize("case", ["fixture", "published"])
def test_long_format_loads_back_with_identical_scores_and_ranks(case, request, tmp_path):
    if case == "fixture":
        db, sel = request.getfixturevalue("fixture_db"), FIXTURE_2022
        folder = write_data(tmp_path / "again")  # the units file; its scores are replaced below
    else:
        db, sel = request.getfixturevalue("published_db"), HOA_BINH_2022
        folder = tmp_path / "again"
        (folder / "scores").mkdir(parents=True)
        shutil.copy(paths.DATA_DIR / "units.csv", folder / "units.csv")
    before = ranking_of(db, sel)
    (folder / "scores" / "fixture.csv").unlink(missing_ok=True)
    (folder / "scores" / "export.csv").write_bytes(export.long_csv(before))
    assert export.long_format(before).columns[:13] == SCORE_COLUMNS  # what a scores file holds
    rebuilt = tmp_path / "again.duckdb"
    build(CONFIG, folder, rebuilt)
    after = ranking_of(rebuilt, sel)
    kept = [
        "unit_id",
        "name",
        "score",
        "max_score",
        "rank",
        "rank_of",
        "rank_basis",
        "published_rank",
        "complete",
        "tier_code",
        "flag",
        "source_title",
        "source_url",
        "quote",
    ]
    assert_frame_equal(after.select(kept), before.select(kept))


# ---------- figures ----------


def fixture_figure(db: Path, lang: str = "vi") -> go.Figure:
    ranking = ranking_of(db, FIXTURE_2022)
    figure = rankings_view.rankings_figure(ranking, CATALOG.index("PAR"), FIXTURE_2022, lang, CATALOG)
    return export.with_caption(figure, "Nguồn: Quyết định mẫu", "Dữ liệu cập nhật 21/11/2026")


def test_the_chart_font_covers_vietnamese():
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    assert export.vietnamese_font(style.FONT) == "Noto Sans"


def test_caption_extends_the_source_line_once():
    fig = go.Figure()
    fig.add_annotation(text="Nguồn: QĐ 1", x=0, y=-0.2, xref="paper", yref="paper", showarrow=False)
    once = export.with_caption(fig, "Nguồn: QĐ 1", "Dữ liệu cập nhật 21/11/2026")
    twice = export.with_caption(once, "Nguồn: QĐ 1", "Dữ liệu cập nhật 21/11/2026")
    texts = [a.text for a in twice.layout.annotations]
    assert texts == ["Nguồn: QĐ 1 · Dữ liệu cập nhật 21/11/2026"]
    assert [a.text for a in fig.layout.annotations] == ["Nguồn: QĐ 1"]  # the original is untouched
    bare = export.with_caption(go.Figure(), "Nguồn: QĐ 1", "")
    assert [a.text for a in bare.layout.annotations] == ["Nguồn: QĐ 1"]


def test_a_missing_browser_is_reported_in_words(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(export.ChisoError, match="Chromium"):
        export._Renderer().render(go.Figure(), {"format": "png", "width": 10, "height": 10, "scale": 1})


@needs_browser
@pytest.mark.parametrize(("width", "height", "scale"), [(800, 500, 1), (600, 400, 2)])
def test_png_is_valid_of_the_requested_size_and_not_blank(fixture_db, width, height, scale):
    from PIL import Image, ImageStat

    data = export.figure_png(fixture_figure(fixture_db), width=width, height=height, scale=scale)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    assert int.from_bytes(data[16:20], "big") == width * scale
    assert int.from_bytes(data[20:24], "big") == height * scale
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (width * scale, height * scale)
    assert max(ImageStat.Stat(image.convert("L")).stddev) > 10
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 20  # bars, text, anti-aliasing


@needs_browser
def test_svg_keeps_the_vietnamese_title_labels_and_caption(fixture_db):
    svg = export.figure_svg(fixture_figure(fixture_db), width=900, height=500).decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    for text in ("Chỉ số CCHC năm 2022", "Sở Nội vụ", "Sở Lao động - Thương binh và Xã hội", "Điểm (/100)"):
        assert text in svg
    assert "Nguồn: Quyết định mẫu · Dữ liệu cập nhật 21/11/2026" in svg
    assert "Noto Sans" in svg


# ---------- command line ----------


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("csv", lambda b: b.startswith(b"\xef\xbb\xbfH\xe1\xba\xa1ng,")),  # BOM, then 'Hạng,'
        ("xlsx", lambda b: b[:2] == b"PK"),
        ("long", lambda b: b.startswith(b"province,unit,unit_type,index,component,year,score")),
        pytest.param("png", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n", marks=needs_browser),
        pytest.param(
            "svg", lambda b: b"Ch\xe1\xbb\x89 s\xe1\xbb\x91 CCHC" in b, marks=needs_browser
        ),  # Chỉ số
    ],
)
def test_cli_export_writes_each_format(published_db, tmp_path, capsys, fmt, check):
    out = tmp_path / f"r.{fmt}"
    code = main(
        ["export", "rankings", *PAR_HOA_BINH, "--format", fmt, "--out", str(out), "--db", str(published_db)]
    )
    assert code == 0, capsys.readouterr().err
    assert check(out.read_bytes())
    assert "19 đơn vị" in capsys.readouterr().out


def test_cli_csv_equals_the_view_of_the_same_table(published_db, tmp_path):
    out = tmp_path / "r.csv"
    assert (
        main(
            [
                "export",
                "rankings",
                *PAR_HOA_BINH,
                "--format",
                "csv",
                "--out",
                str(out),
                "--db",
                str(published_db),
            ]
        )
        == 0
    )
    view = rankings_view.rankings_table(ranking_of(published_db, HOA_BINH_2022), CATALOG.index("PAR"), "vi")
    back = pl.read_csv(out, schema_overrides=view.schema)
    assert_frame_equal(back.select(view.columns), view)
    # the two trailing columns name each row's source: the table stays one rectangle for read_csv
    assert back.columns[-2:] == ["Tiêu đề nguồn", "Đường dẫn nguồn"]
    assert back.get_column("Tiêu đề nguồn").null_count() == 0
    assert view.get_column("Đơn vị").to_list()[:2] == ["Sở Nội vụ", "Sở Thông tin và Truyền thông"]


@needs_browser
def test_cli_png_has_the_requested_size(published_db, tmp_path):
    out = tmp_path / "r.png"
    args = ["--width", "1000", "--height", "800", "--scale", "1.5", "--format", "png", "--out", str(out)]
    assert main(["export", "rankings", *PAR_HOA_BINH, *args, "--db", str(published_db)]) == 0
    data = out.read_bytes()
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (1500, 1200)


@pytest.mark.parametrize(
    ("extra", "text"),
    [
        (["--format", "csv", "--out", "/nonexistent/dir/r.csv"], "không tồn tại"),
        (["--format", "csv", "--out", "{tmp}/r.csv", "--year", "1999"], "Không có dữ liệu"),
        (["--format", "csv", "--out", "{tmp}/r.csv", "--unit-type", "planet"], "không phải loại đơn vị"),
    ],
)
def test_cli_export_errors_exit_1_with_one_line(published_db, tmp_path, capsys, extra, text):
    extra = [e.format(tmp=tmp_path) for e in extra]
    assert main(["export", "rankings", *PAR_HOA_BINH, *extra, "--db", str(published_db)]) == 1
    err = capsys.readouterr().err
    assert text in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_cli_export_bad_format_is_a_usage_error(published_db, tmp_path):
    with pytest.raises(SystemExit) as raised:
        main(["export", "rankings", *PAR_HOA_BINH, "--format", "pdf", "--out", str(tmp_path / "r.pdf")])
    assert raised.value.code == 2


def test_a_formula_as_a_unit_name_comes_out_inert_from_the_cli(tmp_path):
    evil = '=HYPERLINK("http://x","y")'
    folder = write_data(tmp_path / "data", [*SCORES, score(evil, "PAR", 2022, 50.0)])
    units = folder / "units.csv"
    units.write_text(
        units.read_text(encoding="utf-8")
        + f'Tỉnh Mẫu,"{evil.replace(chr(34), chr(34) * 2)}",,department,,,,,,\n',
        encoding="utf-8",
    )
    db = tmp_path / "evil.duckdb"
    build(CONFIG, folder, db)
    base = ["export", "rankings", "--index", "PAR", "--year", "2022", "--province", "Tỉnh Mẫu"]
    base += ["--unit-type", "department", "--db", str(db)]
    assert main([*base, "--format", "csv", "--out", str(tmp_path / "r.csv")]) == 0
    assert main([*base, "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")]) == 0
    names = pl.read_csv(tmp_path / "r.csv").get_column("Đơn vị").to_list()
    assert "'" + evil in names and evil not in names
    xlsx = (tmp_path / "r.xlsx").read_bytes()
    assert "'" + evil in pl.read_excel(io.BytesIO(xlsx)).get_column("Đơn vị").to_list()
    assert "<f>" not in xlsx_parts(xlsx)["xl/worksheets/sheet1.xml"]


def cli_export(page: str, out: Path, db: Path, **flags) -> int:
    """``chiso export page`` with ``flags`` (see ``cli_args``), written to ``out`` in the format its
    suffix names: the exit code."""
    return main(cli_args("export", page, **flags, format=out.suffix[1:], out=out, db=db))


def test_export_trends_and_gaps_pages(published_db, demo_db, tmp_path, capsys):
    gaps_csv = tmp_path / "gaps.csv"
    code = cli_export(
        "gaps", gaps_csv, published_db, index="PCI", year=2019, unit_type="provinces", unit="Quảng Ninh"
    )
    assert code == 0
    rows = pl.read_csv(gaps_csv)
    # 22 of 63 provinces in the data: no "out of" number computed from them
    assert rows.height == 10 and rows["Điểm mất"][0] == 3.32 and rows["Trên tổng số"][0] is None
    trends_xlsx = tmp_path / "trends.xlsx"
    code = cli_export("trends", trends_xlsx, demo_db, index="PAR", **SON_HAI_LOCALITIES)
    assert code == 0
    table = pl.read_excel(trends_xlsx)
    assert table.height == 3 * 7  # three units, seven years
    hoa_binh = {"index": "PAR", "year": 2022, "unit_type": "department", "province": "Hòa Bình"}
    code = cli_export("gaps", tmp_path / "x.csv", published_db, unit="Sở Nội vụ", **hoa_binh)
    assert code == 1
    assert "thành phần" in capsys.readouterr().err


def test_image_export_ignores_streamlits_default_template(monkeypatch):
    """Inside the app Streamlit makes its theme plotly's default template (no automargin): an
    exported chart must keep its long axis labels inside the image, as outside the app."""
    import plotly.io as pio
    from streamlit.elements.lib.streamlit_plotly_theme import configure_streamlit_plotly_theme

    def plot_left(svg: bytes) -> float:
        match = re.search(r'<rect class="bg" x="([0-9.]+)"', svg.decode("utf-8"))
        return float(match.group(1))

    fig = go.Figure(
        go.Bar(x=[90, 80], y=["1/2  Sở Lao động - Thương binh và Xã hội", "2/2  Sở Tư pháp"], orientation="h")
    )
    outside = plot_left(export.figure_svg(fig, width=800, height=400))
    configure_streamlit_plotly_theme()
    monkeypatch.setattr(pio.templates, "default", "streamlit")
    inside = plot_left(export.figure_svg(fig, width=800, height=400))
    assert inside == outside and outside > 150


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (
            ["profile", "--unit", "Đầm Hà", "--year", "2021"],
            lambda t: t.height == 3 and t["Hạng"].to_list() == [3, 3, 7],
        ),
        (
            [
                "compare",
                "--index",
                "PCI",
                "--year",
                "2019",
                "--unit-type",
                "provinces",
                "--unit",
                "Quảng Ninh",
                "--unit",
                "Đà Nẵng",
            ],
            lambda t: t.height == 22 and t["Đơn vị"][0] == "Quảng Ninh",
        ),
    ],
)
def test_export_profile_and_compare_tables(published_db, tmp_path, args, check):
    from chiso.cli.main import main

    out = tmp_path / "t.xlsx"
    assert main(["export", *args, "--format", "xlsx", "--out", str(out), "--db", str(published_db)]) == 0
    assert check(pl.read_excel(out))


def test_export_why_splits_the_change(demo_db, tmp_path):
    out = tmp_path / "w.csv"
    code = cli_export("why", out, demo_db, index="PAR", year=2024, unit="An Thạch", **SON_HAI_LOCALITIES)
    assert code == 0
    table = pl.read_csv(out)
    parts, total = table.head(table.height - 1), table.tail(1)
    assert total["Chỉ số thành phần"][0] == "Tổng" and parts.height >= 8  # the eight PAR areas (+ rounding)
    assert abs(parts["Thay đổi (điểm)"].sum() - total["Thay đổi (điểm)"][0]) < 1e-6
