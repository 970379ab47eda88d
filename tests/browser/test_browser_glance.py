"""The province at a glance, in a real browser (Debian's chromium through Playwright): every page
at a phone's 390×844 and a desktop's 1440 wide, with the screenshots kept in tests/artifacts/ to be
looked at; chart labels whole (every SVG text inside its chart), the first phone screen holding the
page's answer, the pickers folded into the sidebar."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiso.i18n import t
from tests.conftest import ARTIFACTS, BROWSER_MARKS, settle, streamlit_server

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1440, "height": 1000}

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(published_db, demo_db):
    yield from _serve(published_db, demo_db)


def _serve(published_db, demo_db):
    with streamlit_server({"CHISO_DB": str(published_db), "CHISO_DEMO_DB": str(demo_db)}) as (base, _proc):
        yield base


def open_page(browser, url: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", level=2).first.wait_for(timeout=30_000)
    settle(page)
    # Streamlit's "running" widget gone: the script has finished and every element is drawn.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget] button')", timeout=60_000
    )
    return context, page


def cut_labels(page) -> list[str]:
    """Texts of every Plotly chart whose drawn box leaves the chart's own box (a cut label)."""
    return page.evaluate(
        """() => {
        const cut = [];
        for (const plot of document.querySelectorAll('.js-plotly-plot')) {
            const box = plot.getBoundingClientRect();
            for (const text of plot.querySelectorAll('svg text')) {
                const r = text.getBoundingClientRect();
                if (!text.textContent.trim() || r.width === 0) continue;
                if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
                    || r.bottom > box.bottom + 1) cut.push(text.textContent);
            }
        }
        return cut;
    }"""
    )


def crowded_titles(page) -> list[str]:
    """A chart's title or subtitle run into another of its texts (a label, a legend entry, a note):
    their boxes (each a line's full height) overlap by more than a pixel each way."""
    return page.evaluate(
        """() => {
        const hits = [];
        const box = (e) => e.getBoundingClientRect();
        const shown = (e) => e.textContent.trim() && box(e).width > 0;
        for (const plot of document.querySelectorAll('.js-plotly-plot')) {
            const titles = [...plot.querySelectorAll('.gtitle, .gtitle-subtitle')].filter(shown);
            const others = [...plot.querySelectorAll('svg text')]
                .filter(e => shown(e) && !titles.includes(e));
            for (const a of titles) for (const b of others) {
                const r = box(a), s = box(b);
                const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
                const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
                if (w > 1 && h > 1) hits.push(a.textContent + ' / ' + b.textContent);
            }
        }
        return hits;
    }"""
    )


def full_screenshot(page, path: Path, width: int) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window is grown to it."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 16_000)})
    page.wait_for_function(  # every chart drawn at the page's width
        """() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg')
            && Math.abs(p.querySelector('.main-svg').getBoundingClientRect().width
                        - p.getBoundingClientRect().width) < 2)"""
    )
    page.screenshot(path=str(path), full_page=True)


PAGES = {
    "rankings": ("", "?group=departments&province=Hòa Bình&index=PAR&year=2024"),
    "trends": ("trends", "?group=departments&province=Hòa Bình&index=PAR"),
    "gaps": ("gaps", "?group=provinces&index=PCI&year=2019"),
    "profile": ("profile", "?unit=hoa-binh/so-noi-vu"),
    "compare": ("compare", "?group=departments&province=Hòa Bình&index=PAR&year=2024"),
    "why": ("why", "?group=departments&province=Hòa Bình&index=PAR&year=2024"),
    "services": ("services", ""),
    "data": ("data", ""),
    "about": ("about", ""),
}


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_keeps_its_chart_labels_whole(server, browser, name, size):
    viewport = PHONE if size == "phone" else DESKTOP
    path, query = PAGES[name]
    context, page = open_page(browser, f"{server}/{path}{query}", viewport)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Không hiển thị được trang" not in body
    page.screenshot(path=str(ARTIFACTS / f"glance_{name}_{size}_first.png"))
    assert cut_labels(page) == []
    assert crowded_titles(page) == []
    # No Plotly toolbar over a chart's title; the PNG/SVG buttons export.
    assert page.locator(".modebar-container .modebar-btn").count() == 0
    full_screenshot(page, ARTIFACTS / f"glance_{name}_{size}.png", viewport["width"])
    assert cut_labels(page) == []
    assert crowded_titles(page) == []
    assert overlapping_texts(page) == []
    context.close()


def draw(browser, fig, width: int):
    """One figure drawn by the plotly.js that ships with plotly (nothing fetched) at ``width``."""
    import plotly

    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_content(f'<div id="c" style="width:{width - 32}px"></div>')
    page.add_script_tag(path=str(bundle))
    # newPlot's promise settles once the plot is drawn and its margins have made room for the labels
    # (a first pass draws them before that); then two frames so the boxes are laid out.
    page.evaluate(
        """async f => {
            await Plotly.newPlot('c', f.data, f.layout, {displayModeBar: false});
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        }""",
        fig.to_plotly_json(),
    )
    return page


def test_the_funnel_title_keeps_clear_of_its_first_label_at_phone_width(browser, monkeypatch):
    """The services funnel as the page draws it at 390: its wrapped subtitle stands clear of the
    first stage's label; the same figure with 90 px less above the plot (half the room the phone
    layout leaves for a wrapped title) has its subtitle on that label, and the check says so."""
    import plotly.io as pio
    import polars as pl

    from chiso.views import charts_services, style
    from chiso.views.page import titled

    # Streamlit makes its own template Plotly's default once a page has drawn a chart in this process
    # (the AppTest page tests do); the browser draws with the app's theme, so build as a fresh process.
    monkeypatch.setattr(pio.templates, "default", "plotly")
    stages = pl.DataFrame({"label": ["Tiếp nhận", "Đã giải quyết", "Giải quyết trước hạn, đúng hạn"]})
    stages = stages.with_columns(value=pl.Series([14_859.0, 14_404.0, 12_210.0]))
    title = titled(
        "Từ tiếp nhận đến giải quyết — Thành phố Đồng Hới, các xã, phường trực thuộc",
        "DVC trực tuyến · Tháng 1–12/2023 · Quảng Bình · Cấp xã, phường, thị trấn",
    )
    fig = charts_services.funnel(stages, title=title, value_unit="hồ sơ", source="Nguồn", lang="vi")
    shown = style.for_screen(fig, "Nguồn")
    page = draw(browser, shown, 390)
    page.screenshot(path=str(ARTIFACTS / "glance_funnel_phone.png"))
    assert crowded_titles(page) == [] and cut_labels(page) == []
    page.close()
    cramped = draw(browser, shown.update_layout(margin={"t": shown.layout.margin.t - 90}), 390)
    assert [hit for hit in crowded_titles(cramped) if hit.endswith("/ Tiếp nhận")]
    cramped.close()


def test_the_funnel_counts_are_drawn_near_full_size_on_a_phone(server, browser):
    """The demo unit's funnel at 390 wide: every bar's count and share is drawn at ≥ 0,8 of its
    font size. On one line ("19.275 hồ sơ (92,61 %)") the label was wider than the bar and Plotly
    shrank it to ≈ 0,65 (8 px letters)."""
    context, page = open_page(browser, f"{server}/services?ds=demo", PHONE)
    page.locator("text.bartext").first.wait_for(timeout=30_000)
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('text.bartext')].map(t => {
            const m = /scale\\(([0-9.]+)/.exec(t.getAttribute('transform') || '');
            return [t.textContent, m ? parseFloat(m[1]) : 1];
        })"""
    )
    context.close()
    assert len(drawn) == 3 and all("hồ sơ" in text for text, _ in drawn)
    assert [text for text, scale in drawn if scale < 0.8] == []


# Texts (sentences, headings, buttons, captions) under a table's toolbar, when one is shown.
COVERED_BY_TOOLBARS = """() => {
    const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const box = e => e.getBoundingClientRect();
    const texts = [...document.querySelectorAll([
        '[data-testid=stMarkdownContainer] p', '[data-testid=stMarkdownContainer] li',
        'h1', 'h2', 'h3', 'h4', 'button', '[data-testid=stCaptionContainer]',
    ].join(', '))].filter(e => !e.closest('[data-testid=stElementToolbar]') && box(e).height > 0);
    const bars = [...document.querySelectorAll('[data-testid=stElementToolbar]')]
        .filter(b => getComputedStyle(b).opacity !== '0' && box(b).height > 0);
    return bars.flatMap(b => texts.filter(e => hit(box(b), box(e))).map(e => e.innerText.slice(0, 60)));
}"""


@pytest.mark.parametrize("path", ["compare?ds=demo", "services?ds=demo", "?ds=demo"])
def test_a_tables_toolbar_covers_no_text_on_a_touch_phone(server, browser, path):
    """A touch screen shows every table's toolbar (search, download, full screen) all the time,
    above the table: it sat over the end of the heading or sentence before it ('Tất cả các chỉ
    số năm 2026' lost its year). Room is left for it."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server}/{path}")
    page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=60_000)
    settle(page)
    covered = page.evaluate(COVERED_BY_TOOLBARS)
    page.screenshot(
        path=str(ARTIFACTS / f"touch_toolbar_{path.split('?')[0] or 'rankings'}.png"), full_page=True
    )
    context.close()
    assert covered == []


@pytest.mark.parametrize("width", [220, 358])
def test_sparkline_values_of_neighbouring_years_do_not_overlap(browser, monkeypatch, width):
    """The profile's sparklines at the width of one of four columns (1440 wide) and of one column
    (390 wide): seven years of close values (the demo district's PAR and SIPAS) are all written,
    none over another; written all above their points, as before, they overlapped, and the check
    says so."""
    import plotly.io as pio
    import polars as pl

    from chiso.views import charts_analysis

    monkeypatch.setattr(pio.templates, "default", "plotly")  # as a fresh process draws (see above)
    years = list(range(2018, 2025))
    for values in ([81.3, 81.4, 83.2, 83.9, 91.1, 88.5, 88.2], [82.2, 82.8, 76.7, 78.3, 77.5, 77.4, 75.6]):
        fig = charts_analysis.sparkline(pl.DataFrame({"year": years, "pct_of_max": values}), years=years)
        page = draw(browser, fig, width)
        texts = [t for t in page.locator("svg text").all_text_contents() if t.endswith("%")]
        assert len(texts) == 7 and overlapping_texts(page) == [], overlapping_texts(page)
        page.close()
        if width == 220:
            crowded = draw(browser, fig.update_traces(textposition="top center"), width)
            assert overlapping_texts(crowded)
            crowded.close()


@pytest.mark.parametrize(
    ("name", "answer"),
    [("rankings", "[data-testid=stDataFrame]"), ("profile", "[data-testid=stDataFrame]")],
)
def test_the_first_phone_screen_answers_the_page(server, browser, name, answer):
    """At 390×844 the table (the unit's rank and score, or the top of the table) starts on the
    first screen; the table pickers are folded into the sidebar."""
    path, query = PAGES[name]
    context, page = open_page(browser, f"{server}/{path}{query}", PHONE)
    table = page.locator(answer).first
    table.wait_for()
    assert table.bounding_box()["y"] < PHONE["height"] - 120
    picker = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.bounding_box()
    assert picker["x"] + picker["width"] <= 0  # folded: off the screen until the sidebar opens
    context.close()


@pytest.fixture(scope="module")
def national_server(national_db):
    """The national demo (HCMC's 168 wards and communes in 2025) as the demo dataset."""
    db, _ = national_db
    yield from _serve(db, db)


def test_a_ranking_of_168_units_reads_as_a_labelled_strip(national_server, browser):
    """168 wards: the chart draws the top and bottom 10 and the chosen unit with its neighbours,
    each labelled n/168; the unit search moves the highlight; the table search narrows the table."""
    query = "?ds=demo&group=communes&province=Hồ Chí Minh&index=PAR&year=2025"
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, page = open_page(browser, f"{national_server}/{query}", viewport)
        plot = page.locator(".js-plotly-plot").first
        plot.wait_for()
        labels = [t for t in plot.locator("svg text").all_text_contents() if "/168" in t]
        assert 20 <= len(labels) <= 26, labels  # 10 + 10 + the chosen unit and its neighbours
        assert labels[0].startswith("1/168") and any(t.startswith("168/168") for t in labels)
        assert any("▶" in t for t in labels)
        assert cut_labels(page) == []
        full_screenshot(page, ARTIFACTS / f"glance_rankings_168_{size}.png", viewport["width"])
        context.close()
    context, page = open_page(browser, f"{national_server}/{query}", DESKTOP)
    table = page.locator("[data-testid=stDataFrame]").first
    table.wait_for()
    assert table.bounding_box()["height"] > 200  # 168 rows before the search
    page.get_by_label("Tìm trong bảng (không cần dấu)").fill("phuong ben thanh")
    page.keyboard.press("Enter")
    # While the page reruns the table is briefly absent: wait for it to be back and short.
    page.wait_for_function(
        """() => { const t = document.querySelector('[data-testid=stDataFrame]');
                   return t !== null && t.getBoundingClientRect().height > 0
                       && t.getBoundingClientRect().height < 200; }"""
    )
    context.close()


def overlapping_texts(page) -> list[tuple[str, str]]:
    """Pairs of texts in one Plotly chart drawn over each other (more than 3 px both ways): a
    legend wrapped onto the title, a label over a label."""
    return page.evaluate(
        """() => {
        const pairs = [];
        for (const plot of document.querySelectorAll('.js-plotly-plot')) {
            const texts = [...plot.querySelectorAll('svg text')].filter(
                e => e.textContent.trim() && e.getBoundingClientRect().width > 0);
            const boxes = texts.map(e => e.getBoundingClientRect());
            for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
                const a = boxes[i], b = boxes[j];
                const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
                const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (w > 3 && h > 3) pairs.push([texts[i].textContent, texts[j].textContent]);
            }
        }
        return pairs;
    }"""
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_2025_commune_ranking_of_51_units_reads_in_both_languages(server, browser, lang):
    """The demo province after 1 July 2025: 51 new communes and wards ranked on PAR, at 390 and 1440
    wide, in Vietnamese and English: a labelled strip (n/51 on every bar, the chosen unit marked),
    the legend naming the deduced bands as such, every chart label whole, the page in one language."""
    query = "?ds=demo&group=communes&province=Sơn Hải&index=PAR&year=2025" + (
        "&lang=en" if lang == "en" else ""
    )
    inferred, other = ("(suy luận)", "(inferred)") if lang == "vi" else ("(inferred)", "(suy luận)")
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, page = open_page(browser, f"{server}/{query}", viewport)
        plot = page.locator(".js-plotly-plot").first
        plot.wait_for()
        texts = plot.locator("svg text").all_text_contents()
        labels = [text for text in texts if "/51" in text]
        assert 20 <= len(labels) <= 26, labels  # top and bottom 10 and the chosen unit's neighbours
        assert labels[0].startswith("1/51") and any(text.startswith("51/51") for text in labels)
        assert any(inferred in text for text in texts) and not any(other in text for text in texts)
        assert t("rankings.strip_gap", lang, n=31) in texts  # 10/51 and 42/51 are no neighbours
        body = page.locator("[data-testid=stMain]").inner_text()
        assert "Dữ liệu minh họa" in body and t("rankings.top_n", lang) in body
        assert t("rankings.top_n", "en" if lang == "vi" else "vi") not in body
        assert cut_labels(page) == []
        full_screenshot(page, ARTIFACTS / f"reform_rankings_51_{lang}_{size}.png", viewport["width"])
        assert cut_labels(page) == [] and overlapping_texts(page) == []
        context.close()


def test_copy_link_puts_the_view_on_the_clipboard_in_one_click(server, browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(f"{server}/?group=departments&province=Hòa Bình&index=PAR&year=2022")
    button = page.frame_locator("iframe[title='Sao chép liên kết']").first
    button.get_by_role("button", name="Sao chép liên kết").click(timeout=60_000)
    button.get_by_text("Đã sao chép").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "index=PAR" in copied and "year=2022" in copied and copied.startswith(server)
    context.close()


def test_switching_dataset_raises_no_link_notice(server, browser):
    """Values the user never typed in a link (the published table's group, carried over to the
    demo data, where it does not exist) fall back silently."""
    context, page = open_page(browser, f"{server}/?group=departments&province=Hòa Bình&index=PAR", DESKTOP)
    page.locator("[data-testid=stSidebar]").get_by_text("Tỉnh minh họa", exact=True).click()
    page.get_by_text("Dữ liệu minh họa —").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget] button')", timeout=60_000
    )
    assert page.locator("[data-testid=stToast]").count() == 0
    context.close()


def test_the_heatmap_cells_take_the_phones_width(server, browser):
    """The demo's components heatmap (51 communes × 8 components) at 390 wide: the colour scale is
    a bar under the cells, so the cells are wide enough for their two-digit numbers. Beside the
    cells it took ≈ 80 px and left them ≈ 16 px wide."""
    context, page = open_page(browser, f"{server}/gaps?ds=demo", PHONE)
    page.locator(".js-plotly-plot .heatmaplayer").first.wait_for(timeout=30_000)
    sizes = page.evaluate(
        """() => {
        const plot = document.querySelector('.js-plotly-plot');
        const cells = plot.querySelector('.heatmaplayer image, .heatmaplayer .hm').getBoundingClientRect();
        const bar = plot.querySelector('.colorbar .cbfill').getBoundingClientRect();
        return {cells_width: cells.width, cells_bottom: cells.bottom, bar_top: bar.top, bar_width: bar.width};
    }"""
    )
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "glance_heatmap_phone.png"))
    assert cut_labels(page) == []
    context.close()
    assert sizes["cells_width"] / 8 >= 24  # px a component's column
    assert sizes["bar_top"] >= sizes["cells_bottom"] and sizes["bar_width"] >= sizes["cells_width"] * 0.9
