"""A real browser (Debian's chromium through Playwright) on the published data: rankings,
trends, the language switch, and a copied link opened in a fresh browser. Screenshots go to
tests/artifacts/ so a person can look at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, BROWSER_MARKS, CONFIG, settle, streamlit_server

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(published_db, tmp_path_factory):
    from chiso.demo.province import build_demo

    demo = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(CONFIG, demo)
    with streamlit_server({"CHISO_DB": str(published_db), "CHISO_DEMO_DB": str(demo)}) as (base, _proc):
        yield base


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", level=2).first.wait_for(timeout=30_000)
    return context, page


@contextmanager
def _opened(browser, url: str, shot: str) -> Iterator:
    """The page at ``url`` in a fresh browser context; its screenshot is kept as ``shot`` once
    the block has passed, and the context closes either way."""
    context, page = _open(browser, url)
    try:
        yield page
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    finally:
        context.close()


def _settle(page) -> None:
    settle(page)
    page.wait_for_timeout(800)


def test_rankings_page_shows_the_hoa_binh_table(server, browser):
    url = f"{server}/?group=departments&province=Hòa Bình&index=PAR&year=2022"
    with _opened(browser, url, "rankings_vi.png") as page:
        page.get_by_text("Xếp hạng Chỉ số CCHC năm 2022").wait_for(timeout=30_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        _settle(page)
        body = page.locator("body").inner_text()
        assert "Bảng đầy đủ: 19/19" in body


def test_language_switch_and_copied_link_restore_the_view(server, browser):
    url = f"{server}/?group=departments&province=Hòa Bình&index=SIPAS&year=2022"
    with _opened(browser, url, "rankings_en.png") as page:
        page.get_by_text("English", exact=True).click()
        page.get_by_text("PAR INDEX", exact=False).or_(
            page.get_by_text("SIPAS rankings, 2022")
        ).first.wait_for()
        page.get_by_text("SIPAS rankings, 2022").wait_for(timeout=30_000)
        _settle(page)
        copied = page.url
        assert "lang=en" in copied and "index=SIPAS" in copied and "year=2022" in copied

    with _opened(browser, copied, "copied_link.png") as page:  # a new context: no cookies, no session
        page.get_by_text("SIPAS rankings, 2022").wait_for(timeout=30_000)
        _settle(page)
        body = page.locator("body").inner_text()
        assert "Departments" in body or "departments" in body.lower()
        assert "Sở Nội vụ" in body


def test_trends_page_draws_seven_demo_years(server, browser):
    with _opened(browser, f"{server}/trends?ds=demo&group=localities&index=PAR", "trends_demo.png") as page:
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        _settle(page)
        assert "Dữ liệu minh họa" in page.locator("body").inner_text()
        ticks = [t.text_content() for t in page.locator(".js-plotly-plot .xtick text").all()]
        assert [str(y) for y in range(2018, 2025)] == ticks


def test_rankings_by_its_name_opens_the_rankings_page_with_the_link(server, browser):
    """``/rankings`` (the page's name, typed or kept from an old link) is no "Page not found": the
    rankings page at the root, with the link's selection."""
    url = f"{server}/rankings?group=departments&province=Hòa Bình&index=SIPAS&year=2022"
    with _opened(browser, url, "rankings_alias.png") as page:
        page.get_by_text("Xếp hạng SIPAS năm 2022").wait_for(timeout=30_000)
        _settle(page)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body and "Sở Nội vụ" in body
        assert "/rankings" not in page.url and "index=SIPAS" in page.url


def test_invalid_link_value_falls_back_with_a_notice(server, browser):
    with _opened(browser, f"{server}/?index=NOPE&year=1900", "invalid_link.png") as page:
        page.get_by_text("NOPE").first.wait_for(timeout=30_000)
        _settle(page)
        assert "Traceback" not in page.locator("body").inner_text()


def test_download_buttons_deliver_the_files(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/?group=departments&province=Hòa Bình&index=PAR&year=2022")
    page.get_by_text("Xếp hạng Chỉ số CCHC năm 2022").wait_for(timeout=30_000)
    with page.expect_download() as csv_download:
        page.get_by_text("Tải CSV").click()
    data = Path(csv_download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "Sở Nội vụ".encode() in data and b"96.85" in data
    with page.expect_download(timeout=60_000) as png_download:
        page.get_by_text("Tải PNG").click()
    png = Path(png_download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG") and png_download.value.suggested_filename.endswith(".png")
    (ARTIFACTS / "download_rankings.png").write_bytes(png)
    context.close()


PAGES = {
    "rankings": "",
    "trends": "trends",
    "gaps": "gaps",
    "profile": "profile",
    "compare": "compare",
    "why": "why",
    "services": "services",
    "data": "data",
    "about": "about",
}


@pytest.mark.parametrize("dataset", ["published", "demo"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_in_the_browser(server, browser, name, dataset):
    """Each page opens in a real browser without an error; the screenshot is kept to be looked at."""
    query = "?ds=demo&group=localities" if dataset == "demo" else "?group=provinces&index=PCI&year=2019"
    with _opened(browser, f"{server}/{PAGES[name]}{query}", f"page_{name}_{dataset}.png") as page:
        _settle(page)
        body = page.locator("body").inner_text()
        assert "Traceback" not in body and "Không hiển thị được trang" not in body
        if dataset == "demo" and name not in ("about", "data"):
            assert "Dữ liệu minh họa" in body
