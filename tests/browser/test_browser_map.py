"""The map in a real browser (Debian's chromium through Playwright): provinces (PCI 2019 on the
63, DTI 2024 on the 34) and a province's units (demo districts 2024, demo communes 2025), at
desktop and phone width, exported as PNG and SVG, with every request going to the app's own
host (no tiles, no topojson, no fonts from elsewhere). Screenshots go to tests/artifacts/."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
import pytest

from tests.conftest import ARTIFACTS, BROWSER_MARKS, settle, streamlit_server

PROVINCE = "Quảng Ninh"

pytestmark = BROWSER_MARKS


def _demo_of_one_province(db: Path) -> None:
    """The national demo (registry units, invented scores) cut to one province's districts and
    communes and the provinces themselves: real places for the map, built in seconds."""
    from chiso.config import load_catalog
    from chiso.demo.national import write_national_data
    from chiso.store.build import build
    from tests.conftest import CONFIG

    with tempfile.TemporaryDirectory(prefix="chiso-map-demo-") as tmp:
        folder = Path(tmp)
        write_national_data(load_catalog(CONFIG), folder, 2024)
        units = pl.read_csv(folder / "units.csv", infer_schema_length=0)
        local = (pl.col("province") == PROVINCE) & pl.col("unit_type").is_in(
            ["province", "department"]
        ).not_()
        units = units.filter(local | (pl.col("unit_type") == "province"))
        units.write_csv(folder / "units.csv")
        scores = pl.read_csv(folder / "scores" / "national.csv", infer_schema_length=0)
        scores.filter((pl.col("province") == PROVINCE) & pl.col("year").is_in(["2024", "2025"])).filter(
            pl.col("unit").is_in(units.filter(local).get_column("name").implode())
        ).write_csv(folder / "scores" / "national.csv")
        counts = folder / "one_stop" / "counts.csv"
        counts.write_text(counts.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
        build(CONFIG, folder, db, dataset="demo")


@pytest.fixture(scope="module")
def server(published_db, tmp_path_factory):
    demo = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    _demo_of_one_province(demo)
    with streamlit_server({"CHISO_DB": str(published_db), "CHISO_DEMO_DB": str(demo)}) as (base, _proc):
        yield base


DEMO = f"?ds=demo&province={PROVINCE}&index=PAR&show=map"
# name: (query, units drawn, national, a legend entry the table gives)
MAPS = {
    "pci2019_provinces": ("?group=provinces&index=PCI&year=2019&show=map", 63, True, "Rất tốt"),
    "dti2024_provinces": ("?group=provinces&index=DTI&year=2024&show=map", 34, True, "Có hạng công bố"),
    "demo2024_districts": (f"{DEMO}&group=localities&year=2024", 13, False, "Nhóm A"),
    "demo2025_communes": (f"{DEMO}&group=communes&year=2025", 54, False, "Nhóm A"),
}


def _open_map(browser, url: str, width: int, **options):
    height = 844 if width < 500 else 1000
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN", **options)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    title = page.locator(".js-plotly-plot .gtitle").filter(has_text="bản đồ")
    title.first.wait_for(timeout=90_000)
    settle(page)
    title.first.scroll_into_view_if_needed()
    return context, page, requests


def _points(page) -> int:
    """Markers on the map: a hover point per unit drawn, and the two archipelagos."""
    return page.locator(".js-plotly-plot .scatterlayer .points path.point").count()


@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("name", list(MAPS))
def test_the_map_renders_offline_at_desktop_and_phone_width(server, browser, name, width):
    query, units, national, entry = MAPS[name]
    context, page, requests = _open_map(browser, f"{server}/{query}", width)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "không phải ranh giới hành chính" in body  # the caption
    plot = page.locator(".js-plotly-plot").filter(has=page.locator(".gtitle", has_text="bản đồ"))
    assert "Vị trí gần đúng, không phải ranh giới" in " ".join(plot.locator("text").all_text_contents())
    legend = " ".join(page.locator(".js-plotly-plot .legend text").all_text_contents())
    assert entry in legend
    assert _points(page) == units + (2 if national else 0)
    labels = page.locator(".js-plotly-plot .textpoint text").all_text_contents()
    if national:
        assert "Hoàng Sa (Đà Nẵng)" in labels and "Trường Sa (Khánh Hòa)" in labels
    if name.startswith("demo"):
        assert "Dữ liệu minh họa" in body
    page.screenshot(path=str(ARTIFACTS / f"map_{name}_{width}.png"))  # the map, scrolled into view
    plot.screenshot(path=str(ARTIFACTS / f"map_{name}_{width}_plot.png"))
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(server).netloc}, hosts
    context.close()


def test_the_map_downloads_as_png_and_svg(server, browser):
    url = f"{server}/{MAPS['dti2024_provinces'][0]}"
    context, page, requests = _open_map(browser, url, 1440, accept_downloads=True)
    with page.expect_download(timeout=120_000) as png_download:
        page.get_by_text("Tải PNG").click()
    png = Path(png_download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG") and "ban-do" in png_download.value.suggested_filename
    (ARTIFACTS / "map_download.png").write_bytes(png)
    with page.expect_download(timeout=120_000) as svg_download:
        page.get_by_text("Tải SVG").click()
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "Hoàng Sa" in svg and "Trường Sa" in svg
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(server).netloc}, hosts
    context.close()


SERVICES = "services?province=Nam Định&show=map&unit=nam-dinh/huyen-xuan-truong"


@pytest.mark.parametrize("width", [1440, 390])
def test_the_online_services_ranking_has_the_same_map(server, browser, width):
    """Online services ranked by district (Nam Định, January–May 2024, the shipped counts): the same
    'Bản đồ' beside the table, every district drawn, the ranked one coloured and outlined with the
    rank and rate its row gives, the others 'not in the table', nothing fetched elsewhere."""
    from chiso import geo

    context, page, requests = _open_map(browser, f"{server}/{SERVICES}", width, accept_downloads=True)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "không phải ranh giới hành chính" in body
    plot = page.locator(".js-plotly-plot").filter(has=page.locator(".gtitle", has_text="bản đồ"))
    texts = " ".join(plot.locator("text").all_text_contents())
    assert "Vị trí gần đúng, không phải ranh giới huyện" in texts and "Nam Định" in texts
    legend = " ".join(plot.locator(".legend text").all_text_contents())
    assert "Không có trong bảng" in legend and "Đang chọn: Huyện Xuân Trường" in legend
    code = geo.names(geo.LEGACY, "provinces").filter(pl.col("name").str.contains("Nam Định"))
    districts = geo.shapes(geo.LEGACY, "districts", code.get_column("code").item(0)).height
    assert _points(page) == districts
    hovers = plot.evaluate("p => p.data.flatMap(d => (d.customdata || []).map(c => c.join(' ')))")
    assert any("Xuân Trường" in h and "Hạng 1/1 · Tỷ lệ 98,51 %" in h for h in hovers), hovers
    assert sum("Không có trong bảng" in h for h in hovers) == districts - 1
    page.screenshot(path=str(ARTIFACTS / f"map_services_{width}.png"))
    plot.screenshot(path=str(ARTIFACTS / f"map_services_{width}_plot.png"))
    if width > 500:  # the map's own PNG button: the first after the table's CSV/XLSX
        with page.expect_download(timeout=120_000) as png_download:
            page.get_by_text("Tải PNG").first.click()
        assert Path(png_download.value.path()).read_bytes().startswith(b"\x89PNG")
        assert png_download.value.suggested_filename.endswith("_ban-do.png")
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(server).netloc}, hosts
    context.close()
