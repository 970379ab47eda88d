"""The briefing pack: one self-contained HTML file per unit and year, with findings, rankings,
component gaps, trends and sources, printable on A4 portrait; the ``chiso brief`` command;
the PDF printed by Debian's chromium; the Streamlit download button."""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chiso.cli import brief as cli_brief
from chiso.config import load_catalog
from chiso.demo.province import build_demo
from chiso.errors import ChisoError
from chiso.export import brief
from chiso.export import files as export
from chiso.i18n import t
from chiso.paths import CONFIG_PATH
from chiso.store import analysis_queries, queries
from chiso.views import brief as brief_view

CATALOG = load_catalog(CONFIG_PATH)
NOI_VU = "hoa-binh/so-noi-vu"
CAM_LINH = "son-hai/huyen-cam-linh"  # a demo locality scored on PAR, SIPAS, DGI, DDCI, DTI
HOA_BINH_SOURCE = "Announcing the PAR Index and People's Satisfaction 2022 (Hoa Binh, Decision 3349/QD-UBND"
needs_browser = pytest.mark.skipif(
    export.browser_path() is None, reason="no Chromium (apt-get install chromium)"
)


def view(db: Path, unit_id: str, year: int, lang: str = "vi") -> brief_view.BriefView:
    """The pack's view as the app and ``chiso brief`` build it: the store's reads, then the view."""
    with queries.connect(db) as con:
        read = analysis_queries.unit_year(con, unit_id=unit_id, year=year, order=CATALOG.codes)
    return brief_view.build(CATALOG, read, year=year, lang=lang)


def pack(db: Path, unit_id: str, year: int, lang: str = "vi") -> str:
    return brief.briefing_html(view(db, unit_id, year, lang))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("brief_demo") / "demo.duckdb"
    build_demo(CONFIG_PATH, db)
    return db


@pytest.fixture(scope="module")
def noi_vu(published_db) -> str:
    return pack(published_db, NOI_VU, 2022)


@pytest.fixture(scope="module")
def cam_linh(demo_db) -> str:
    return pack(demo_db, CAM_LINH, 2024)


def text_of(document: str) -> str:
    """The visible text, tags removed and entities decoded (non-breaking spaces as spaces)."""
    import html

    body = re.sub(r"<style>.*?</style>", " ", document, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " "))


class Resources(HTMLParser):
    """Every attribute that points outside the file, with its tag; the link targets of <a>."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("xmlns"):  # SVG namespace names, never fetched
                continue
            if value and re.match(r"\s*(https?:)?//", value):
                self.external.append((tag, name, value))


# ---------- content ----------


def test_hoa_binh_pack_has_every_section_and_the_published_figures(noi_vu):
    text = text_of(noi_vu)
    for key in brief.SECTIONS:
        assert f">{brief.SECTIONS.index(key) + 1}. {t(f'brief.section.{key}', 'vi')}</h2>" in noi_vu
    assert "<h1>Sở Nội vụ</h1>" in noi_vu
    assert "Hòa Bình" in text
    assert (
        "Năm 2022, Sở Nội vụ xếp thứ 1/19 (phân vị 100; theo thứ tự liệt kê trong nguồn) về Chỉ số CCHC"
        in text
    )
    assert "96,85 điểm" in text and "99,38 %" in text
    assert "1/19" in text
    assert "Cập nhật dữ liệu" in text


def test_hoa_binh_pack_lists_its_source_title_link_and_quotes(noi_vu):
    text = text_of(noi_vu)
    assert HOA_BINH_SOURCE in text
    assert re.search(r'<a href="https://baohoabinh\.com\.vn/[^"]+">Announcing the PAR Index', noi_vu)
    assert "96.85%; 99.38% (PAR; SIPAS) [rank = order listed]" in text  # the quote of its own value
    assert '<a class="ref" href="#nguon-1">[1]</a>' in noi_vu and 'id="nguon-1"' in noi_vu


def test_missing_data_is_said_in_words(noi_vu):
    text = text_of(noi_vu)
    assert "Chưa có dữ liệu điểm thành phần năm 2022." in text  # no component scores
    assert "chưa có dữ liệu" in text  # no previous year for Δ score and Δ rank
    assert "Chỉ có số liệu năm 2022: chưa đủ nhiều năm để vẽ xu hướng." in text
    assert " 0,00 điểm" not in text


def test_published_data_carry_no_demo_banner(noi_vu):
    assert t("demo.banner", "vi") not in noi_vu


def test_demo_pack_has_the_banner_component_gaps_and_trends(cam_linh):
    text = text_of(cam_linh)
    assert t("demo.banner", "vi") in text
    assert "<h1>Huyện Cẩm Lĩnh</h1>" in cam_linh
    for index in ("Chỉ số CCHC (PAR INDEX): 8 thành phần", "SIPAS: 5 thành phần", "DDCI: 10 thành phần"):
        assert index in text
    assert cam_linh.count('<table class="gaps">') == 4  # PAR, SIPAS, DDCI, DTI have components
    assert "Cải cách thể chế" in text and "Tổng điểm mất so với điểm tối đa: 18,20 điểm." in text
    assert cam_linh.count('<div class="trend">') == 5  # one per index, 2018–2024
    assert (
        "Năm 2024, huyện Cẩm Lĩnh xếp thứ 10/13 (phân vị 25) về Chỉ số CCHC (PAR INDEX) với 81,80 điểm."
        in text
    )


@needs_browser
def test_demo_pack_embeds_the_charts_as_inline_svg(cam_linh):
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", cam_linh, flags=re.S)
    assert len(svgs) == 6  # the PAR rankings chart and one trend chart per index
    assert "Chỉ số CCHC năm 2024: điểm theo thứ hạng" in svgs[0] and "10/13  Huyện Cẩm Lĩnh" in svgs[0]
    assert all('viewBox="' in s for s in svgs)
    assert "Huyện Cẩm Lĩnh" in svgs[1] and "Bình quân nhóm" in svgs[1]  # the PAR trend
    ids = re.findall(r'\bid="([^"]+)"', cam_linh)
    assert len(ids) == len(set(ids))  # the SVGs' clip paths do not collide


def test_english_pack(published_db):
    text = text_of(pack(published_db, NOI_VU, 2022, lang="en"))
    for heading in ("1. Findings", "2. Rankings", "3. Points lost by component", "4. Trends", "5. Sources"):
        assert heading in text
    assert "In 2022, Sở Nội vụ ranked 1/19 (percentile 100" in text and "96.85" in text
    assert "Nhận xét" not in text


@pytest.mark.parametrize("which", ["noi_vu", "cam_linh"])
def test_the_file_requests_nothing_but_links_to_its_sources(which, request):
    document = request.getfixturevalue(which)
    parser = Resources()
    parser.feed(document)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert "iframe" not in parser.tags and "object" not in parser.tags
    assert all(tag == "a" and name == "href" for tag, name, _ in parser.external), parser.external
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", document)
    sources = document[document.index('<ol class="sources">') :]
    assert all(url in sources for _, _, url in parser.external)


def test_print_css_is_a4_portrait_and_keeps_blocks_whole(noi_vu):
    css = noi_vu[noi_vu.index("<style>") : noi_vu.index("</style>")]
    assert "@page { size: A4 portrait;" in css
    assert "@media print" in css
    assert "h2, h3 { break-after: avoid;" in css
    assert re.search(r"figure, \.trend,[^{]*table\.rankings[^{]*\{\s*break-inside: avoid;", css)
    assert "tr, li { break-inside: avoid;" in css
    assert "thead { display: table-header-group; }" in css


def test_a_unit_without_data_that_year_gets_a_pack_that_says_so(published_db):
    text = text_of(pack(published_db, NOI_VU, 2019))
    assert "Chưa có dữ liệu để nhận xét năm 2019." in text
    assert "chưa có dữ liệu năm 2019" in text  # PAR and SIPAS rows of the rankings table
    assert "Chưa có dữ liệu nhiều năm." in text  # nothing up to 2019


def test_an_unknown_unit_is_refused_in_words(published_db):
    with pytest.raises(ChisoError, match="Không có đơn vị"):
        pack(published_db, "hoa-binh/khong-co", 2022)


@pytest.mark.parametrize(
    ("name", "province", "year", "expected"),
    [
        ("Sở Nội vụ", "Hòa Bình", 2022, "bao-cao-tom-tat_so-noi-vu_hoa-binh_2022.html"),
        ("Quảng Ninh", "", 2019, "bao-cao-tom-tat_quang-ninh_2019.html"),
    ],
)
def test_file_name(name, province, year, expected):
    assert brief.file_name(name, province, year) == expected


# ---------- command line ----------


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """``chiso brief`` through cli_brief.register on a parser of our own (as chiso.cli.main does)."""
    root = argparse.ArgumentParser(prog="chiso")
    root.add_argument("--lang", choices=["vi", "en"], default="vi")  # the global option of chiso.cli.main
    handlers = cli_brief.register(root.add_subparsers(dest="command", required=True))
    args = root.parse_args(list(argv))
    try:
        code = handlers[args.command](args)
    except ChisoError as exc:
        print(f"chiso: {exc}", file=sys.stderr)
        code = 1
    out = capsys.readouterr()
    return code, out.out, out.err


HOA_BINH = ["brief", "--unit", "Sở Nội vụ", "--province", "Hoà Bình", "--year", "2022"]


def test_cli_writes_the_pack(published_db, tmp_path, capsys):
    out = tmp_path / "brief.html"
    code, stdout, _ = run_cli(capsys, *HOA_BINH, "--out", str(out), "--db", str(published_db))
    assert code == 0 and stdout.startswith(f"Đã ghi {out}:")
    document = out.read_text(encoding="utf-8")
    assert document.startswith("<!DOCTYPE html>") and "96,85" in document and "1/19" in document
    assert not (tmp_path / "brief.pdf").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "2019"], "không có số liệu năm 2019; có các năm: 2022"),
        (["--province", "Quảng Nam"], "Không tìm thấy đơn vị 'Sở Nội vụ' ở Quảng Nam"),
    ],
)
def test_cli_errors_exit_1_with_one_line(published_db, tmp_path, capsys, argv, message):
    code, _, err = run_cli(
        capsys, *HOA_BINH, *argv, "--out", str(tmp_path / "b.html"), "--db", str(published_db)
    )
    assert code == 1 and message in err and err.count("\n") == 1
    assert not (tmp_path / "b.html").exists()


def test_cli_ambiguous_unit_names_the_candidates(published_db, tmp_path, capsys):
    argv = ["brief", "--unit", "Sở Nội vụ", "--year", "2022", "--out", str(tmp_path / "b.html")]
    code, _, err = run_cli(capsys, *argv, "--db", str(published_db))
    assert code == 1 and "Sở Nội vụ (Hòa Bình)" in err and "Sở Nội vụ (Quảng Ninh)" in err


def test_cli_missing_argument_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "brief", "--unit", "Sở Nội vụ", "--out", "x.html")
    assert exc.value.code == 2


# ---------- PDF ----------


@needs_browser
def test_pdf_is_an_a4_portrait_pdf(published_db):
    data = brief.briefing_pdf(view(published_db, NOI_VU, 2022))
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(abs(float(w) - 595) < 1.5 and abs(float(h) - 842) < 1.5 for w, h in boxes)


@needs_browser
def test_the_warm_browser_prints_the_same_a4_pack(published_db):
    """The app prints in a tab of its chart renderer: an A4 PDF holding the pack's text."""
    document = brief.briefing_html(view(published_db, NOI_VU, 2022))
    data = brief.pdf_from_html(document, warm=True)
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(abs(float(w) - 595) < 1.5 and abs(float(h) - 842) < 1.5 for w, h in boxes)
    assert len(boxes) == len(re.findall(rb"/MediaBox", brief.pdf_from_html(document)))  # same pages


@needs_browser
def test_cli_pdf_writes_the_html_and_the_pdf(published_db, tmp_path, capsys):
    out = tmp_path / "brief.html"
    code, stdout, _ = run_cli(capsys, *HOA_BINH, "--out", str(out), "--pdf", "--db", str(published_db))
    assert code == 0 and out.exists()
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert stdout.count("Đã ghi") == 2


def test_pdf_without_a_browser_is_refused_in_words(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ChisoError, match="Chromium"):
        brief.pdf_from_html("<p>x</p>")


# ---------- Streamlit button ----------

BUTTON_SCRIPT = """
from chiso.app import brief as ui_brief
ui_brief.brief_button("published", "hoa-binh/so-noi-vu", 2022)
"""


def test_pack_is_offered_once_asked_for(published_db, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(published_db))
    at = AppTest.from_string(BUTTON_SCRIPT, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.toggle[0].label == "Báo cáo tóm tắt" and not at.get("download_button")
    at.toggle[0].set_value(True).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[0] == "Tải báo cáo (HTML)"
    assert not at.error


def test_pack_bytes_and_file_name(published_db, monkeypatch):
    from chiso.app import brief as ui_brief

    monkeypatch.setenv("CHISO_DB", str(published_db))
    data = ui_brief.briefing("published", f"{published_db}:test", NOI_VU, 2022, "vi")
    assert data.decode("utf-8").startswith("<!DOCTYPE html>") and "96,85" in data.decode("utf-8")
    assert ui_brief._file_name("published", f"{published_db}:test", NOI_VU, 2022) == (
        "bao-cao-tom-tat_so-noi-vu_hoa-binh_2022.html"
    )


def test_the_rank_cell_says_what_is_inferred_as_the_rankings_table_does(cam_linh):
    """The demo's tiers are bands the project deduced: the pack's rank note says so, as the
    Rankings table's note column does (``rank_note`` given the index)."""
    text = text_of(cam_linh)
    assert "theo ngưỡng do dự án suy luận" in text
