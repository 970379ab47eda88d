"""A real browser on a database whose flags, sources and quotes hold markdown images, HTML and
``javascript:``/outside links: every request stays on the app's own host, and no element from
the data (an image, a link) exists in the page."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.app.test_data_as_text import EVIL_HOST, PAGES, hostile_db  # noqa: F401 (fixture)
from tests.conftest import BROWSER_MARKS, settle, streamlit_server

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def hostile_server(hostile_db, tmp_path_factory):  # noqa: F811
    missing = tmp_path_factory.mktemp("nodemo") / "missing.duckdb"
    with streamlit_server({"CHISO_DB": str(hostile_db), "CHISO_DEMO_DB": str(missing)}) as (base, _proc):
        yield base


INJECTED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('img, image, a, script, iframe, object, embed')) {
    const ref = el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('xlink:href') || '';
    const js = ref.trim().toLowerCase().startsWith('javascript:');
    if (ref.includes('evil.invalid') || js) bad.push(el.outerHTML);
  }
  for (const el of document.querySelectorAll('.js-plotly-plot a')) bad.push(el.outerHTML);
  return bad;
}"""


def test_hostile_data_makes_no_outside_request_and_no_injected_element(hostile_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="vi-VN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    seen_text = ""
    for path, query in PAGES.items():
        slug = path.removeprefix("pages/").removesuffix(".py")
        url = f"{hostile_server}/{'' if slug == 'rankings' else slug}?"
        url += "&".join(f"{k}={quote(v)}" for k, v in query.items())
        page.goto(url)
        page.get_by_role("heading", level=2).first.wait_for(timeout=30_000)
        if slug == "rankings":
            page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        settle(page)
        page.wait_for_timeout(800)
        assert page.evaluate(INJECTED) == [], slug
        seen_text += page.locator("body").inner_text()
    context.close()
    outside = [
        u
        for u in requests
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert requests and not outside, outside
    assert "beacon.png" in seen_text  # the flag is shown, as the characters it holds
    assert EVIL_HOST in seen_text
