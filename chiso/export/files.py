"""Files that leave the dashboard: CSV and XLSX tables, the long import format, PNG and SVG charts.

Pure functions (no Streamlit, no queries): a frame or a figure in, bytes out.

* CSV: UTF-8 with a BOM so Excel shows Vietnamese, header in the first line, no title or footer
  rows, numbers stay numbers with dot decimals.
* XLSX (Polars + xlsxwriter): the data sheet first, header in row 1, number formats such as
  ``#,##0.00`` (Excel shows them with the reader's separators, ``91,24`` in Vietnamese), frozen
  header, column widths, then a "Nguồn" sheet listing the sources.
* Formula injection: a *text* cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is neutralised; in CSV it gets a leading single quote, in XLSX it is written as a plain
  string (never a formula, never a link). Numeric columns are untouched (``-0.5`` stays a number).
* Charts: kaleido 1.x drives Debian's ``chromium``; one warm browser is kept for the process so
  repeated exports are fast, and every call has a time limit so a stuck browser cannot hang a page.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import functools
import io
import json
import os
import pkgutil
import re
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from chiso.columns import LONG_COLUMNS  # noqa: F401 (re-exported)
from chiso.errors import ChisoError
from chiso.views import style
from chiso.views.sources import number_format

BOM = "\ufeff"
SOURCE_LABELS = {"unit": "Đơn vị", "title": "Tiêu đề nguồn", "url": "Đường dẫn", "quote": "Trích dẫn"}


# ---------- tables ----------


FORMULA_START = r"^[=+\-@\t\r]"  # a cell starting with = + - @ tab or CR runs as a formula


def neutralise(value: str | None) -> str | None:
    """``'=1+1'`` -> ``"'=1+1"``: a spreadsheet shows the text instead of running it.

    The one rule for every CSV and XLSX the project writes (``neutralised`` applies it to a frame).
    """
    if value and re.match(FORMULA_START, value):
        return "'" + value
    return value


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical, pl.Enum)]


def neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every dangerous text cell prefixed by a single quote (``neutralise``'s rule);
    numeric columns untouched, so ``-0.5`` stays a number."""
    columns = _text_columns(frame)
    if not columns:
        return frame

    def rule(c: str) -> pl.Expr:
        text = pl.col(c).cast(pl.String)
        return pl.when(text.str.contains(FORMULA_START)).then(pl.lit("'") + text).otherwise(text).alias(c)

    return frame.with_columns(rule(c) for c in columns)


def neutralised_csv(text: str) -> str:
    """A CSV text (as stored in the audit) rewritten with every text cell neutralised; columns
    that hold only numbers are read as numbers and stay numbers (``-0.5``)."""
    if not text.strip():
        return text
    frame = pl.read_csv(io.StringIO(text), infer_schema_length=None)
    return neutralised(frame).write_csv()


def table_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 with BOM, header in line 1, dot decimals, numbers as numbers, text made inert."""
    return (BOM + neutralised(frame).write_csv()).encode("utf-8")


def default_number_formats(frame: pl.DataFrame, decimals: int = 2) -> dict[str, str]:
    """Integers ``#,##0``, other numbers ``#,##0.00`` (``decimals`` places)."""
    formats = {}
    for name, dtype in frame.schema.items():
        if dtype.is_integer():
            formats[name] = number_format(0)
        elif dtype.is_numeric():
            formats[name] = number_format(decimals)
    return formats


def _width(frame: pl.DataFrame, column: str) -> int:
    """Characters needed for a column: its header or its longest value, within 6..60."""
    values = frame.get_column(column).cast(pl.String).drop_nulls()
    longest = int(values.str.len_chars().max() or 0) if values.len() else 0
    return max(6, min(60, max(len(column), longest) + 3))


def _workbook(buffer: io.BytesIO):
    import xlsxwriter

    # Text is always text: no formulas, no links, no numbers made from strings.
    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )


def table_xlsx(
    frame: pl.DataFrame,
    *,
    sources: list[dict],
    sheet: str = "Dữ liệu",
    number_formats: dict[str, str] | None = None,
    sources_sheet: str = "Nguồn",
    source_labels: dict[str, str] | None = None,
) -> bytes:
    """An XLSX file: the data sheet first (header in row 1, frozen, formatted, sized), then sources.

    ``sources`` are dicts with some of ``unit``, ``title``, ``url``, ``quote``; ``source_labels``
    gives the sources sheet's headers (Vietnamese by default).
    """
    formats = default_number_formats(frame) if number_formats is None else number_formats
    buffer = io.BytesIO()
    wb = _workbook(buffer)
    neutralised(frame).write_excel(
        wb,
        worksheet=sheet,
        position="A1",
        table_style="Table Style Light 1",
        column_formats={c: f for c, f in formats.items() if c in frame.columns} or None,
        column_widths={c: _width(frame, c) * 7 for c in frame.columns} or None,
        header_format={"bold": True, "text_wrap": True, "valign": "top"},
        freeze_panes=(1, 0),
        autofilter=True,
    )
    _write_sources(wb, sources, sources_sheet, {**SOURCE_LABELS, **(source_labels or {})})
    wb.close()
    return buffer.getvalue()


def _write_sources(wb, sources: list[dict], name: str, labels: dict[str, str]) -> None:
    ws = wb.add_worksheet(name)
    keys = [k for k in labels if any(s.get(k) for s in sources)] or ["title", "url", "quote"]
    bold = wb.add_format({"bold": True, "bottom": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    link = wb.add_format({"font_color": "blue", "underline": 1, "valign": "top"})
    widths = {"unit": 30, "title": 45, "url": 50, "quote": 80}
    for col, key in enumerate(keys):
        ws.write_string(0, col, labels[key], bold)
        ws.set_column(col, col, widths.get(key, 30))
    for row, source in enumerate(sources, start=1):
        for col, key in enumerate(keys):
            value = source.get(key)
            if value in (None, ""):
                continue
            text = neutralise(str(value))
            if key == "url" and text.startswith(("http://", "https://")) and len(text) <= 2079:
                ws.write_url(row, col, text, link, string=text)
            else:
                ws.write_string(row, col, text, wrap)
    ws.freeze_panes(1, 0)


def long_format(ranking: pl.DataFrame) -> pl.DataFrame:
    """A ranked table's rows in the import format of ``data/scores/*.csv`` (README, long CSV format).

    Published ranks are exported as published (never the computed rank), so loading the file
    back gives the same scores, ranks and completeness.
    """
    published = pl.col("published_rank").is_not_null()
    return ranking.select(
        pl.col("province").fill_null(""),
        pl.col("name").alias("unit"),
        "unit_type",
        pl.col("index_code").alias("index"),
        pl.col("component").fill_null(""),
        "year",
        "score",
        "max_score",
        pl.col("published_rank").alias("rank"),
        pl.col("published_rank_of").alias("rank_of"),
        pl.col("source_title").fill_null(""),
        pl.col("source_url").fill_null(""),
        pl.col("quote").fill_null(""),
        pl.when(published).then(pl.col("rank_basis")).otherwise(pl.lit("")).fill_null("").alias("rank_basis"),
        pl.col("flag").fill_null(""),
        pl.col("printed").fill_null(""),
        pl.col("printed_change").fill_null(""),
        pl.col("printed_rank_change").fill_null(""),
        pl.col("printed_tier").fill_null(""),
        (pl.col("edition") if "edition" in ranking.columns else pl.lit("")).fill_null("").alias("edition"),
    )


def long_csv(ranking: pl.DataFrame) -> bytes:
    """The long format as the importer reads it: plain UTF-8 (no BOM), dot decimals."""
    return neutralised(long_format(ranking)).write_csv().encode("utf-8")


# ---------- figures ----------

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
START_TIMEOUT = 60.0  # seconds for the browser to start
RENDER_TIMEOUT = 60.0  # seconds for one image


def browser_path() -> str | None:
    """The Chromium kaleido will drive: ``$BROWSER_PATH`` (kaleido's own variable), else on PATH."""
    wanted = os.environ.get("BROWSER_PATH")
    if wanted:
        return wanted if os.access(wanted, os.X_OK) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def vietnamese_font(families: str) -> str | None:
    """The first family of a CSS font list that fontconfig says covers Vietnamese, or None.

    ``'Noto Sans, DejaVu Sans, Arial, sans-serif'`` -> ``'Noto Sans'`` on Debian with fonts-noto-core.
    """
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=vi", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    known = {name.strip().lower() for line in listed.splitlines() for name in line.split(",")}
    for family in (f.strip().strip("'\"") for f in families.split(",")):
        if family.lower() in known:
            return family
    return None


class _Renderer:
    """One headless Chromium (through kaleido) on a private event loop, started on first use.

    kaleido's own ``start_sync_server`` waits without a time limit and never reports a browser
    that failed to start; this keeps the same single warm browser but every wait is bounded.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None

    def running(self) -> bool:
        return self._kaleido is not None and self._thread is not None and self._thread.is_alive()

    def _start(self) -> None:
        import kaleido

        path = browser_path()
        if path is None:
            raise ChisoError.coded("export.no_browser")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="chiso-kaleido", daemon=True)
        thread.start()

        async def open_browser():
            k = kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False, path=path)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            raise ChisoError.coded("export.browser_failed", path=path, error=exc) from exc
        self._loop, self._thread = loop, thread

    def render(self, fig: go.Figure | dict, opts: dict) -> bytes:
        return self._run(lambda k: k.calc_fig(fig, opts=opts), RENDER_TIMEOUT + 10)

    def print_pdf(self, uri: str, timeout: float) -> bytes:
        """A page (a file:// URI) printed to PDF in a new tab of the warm browser: no new
        browser process (about 0,2 s instead of 2 s or more for a fresh chromium)."""
        return self._run(lambda k: _print_pdf(k, uri), timeout)

    def _run(self, job, timeout: float) -> bytes:
        with self._lock:
            if not self.running():
                self._start()
            loop, k = self._loop, self._kaleido
        future = asyncio.run_coroutine_threadsafe(job(k), loop)
        try:
            return future.result(timeout)
        except FutureTimeout as exc:
            future.cancel()
            self.close()  # the next export starts a fresh browser
            raise ChisoError.coded("export.timeout", seconds=f"{timeout:.0f}") from exc
        except ChisoError:
            raise
        except Exception as exc:
            raise ChisoError.coded("export.image_failed", kind=type(exc).__name__, error=exc) from exc

    def close(self) -> None:
        with self._lock:
            loop, k, thread = self._loop, self._kaleido, self._thread
            self._loop = self._kaleido = self._thread = None
        if loop is None:
            return
        if k is not None and thread is not None and thread.is_alive():
            with contextlib.suppress(Exception):  # best effort: the process may be exiting
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)


async def _print_pdf(k, uri: str) -> bytes:
    """Open ``uri`` in a new tab, wait for its load event, print it (page size and margins from the
    document's ``@page``, backgrounds kept), close the tab."""
    tab = await k.create_tab("about:blank")
    try:
        await tab.send_command("Page.enable")
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.navigate", params={"url": uri})
        await loaded
        printed = await tab.send_command(
            "Page.printToPDF", params={"printBackground": True, "preferCSSPageSize": True}
        )
        if "error" in printed:
            raise ChisoError(f"Chromium không in được PDF: {printed['error'].get('message', '')}")
        return base64.b64decode(printed["result"]["data"])
    finally:
        await k.close_tab(tab)


_RENDERER = _Renderer()
atexit.register(_RENDERER.close)


def start_renderer() -> None:
    """Start the warm browser now (e.g. when a page that offers downloads first opens)."""
    with _RENDERER._lock:
        if not _RENDERER.running():
            _RENDERER._start()


def stop_renderer() -> None:
    _RENDERER.close()


def warm_pdf(document: str, timeout: float) -> bytes:
    """An HTML document printed to PDF by the warm browser (started if need be)."""
    with tempfile.TemporaryDirectory(prefix="chiso-pdf-") as tmp:
        source = Path(tmp) / "page.html"
        source.write_text(document, encoding="utf-8")
        return _RENDERER.print_pdf(source.as_uri(), timeout)


def _size(fig: go.Figure, width: int | None, height: int | None) -> tuple[int, int]:
    return int(width or fig.layout.width or 1200), int(height or fig.layout.height or 700)


MAX_IMAGE_SIDE = 16_384  # pixels of the written image, after scaling (the browser's canvas limit)
MAX_IMAGE_PIXELS = 64_000_000


def check_image_size(width: int, height: int, scale: float) -> None:
    """Refuse an image the renderer cannot draw (it would write a few bytes and call it a PNG)."""
    w, h = round(width * scale), round(height * scale)
    if w > MAX_IMAGE_SIDE or h > MAX_IMAGE_SIDE or w * h > MAX_IMAGE_PIXELS:
        limits = {"side": MAX_IMAGE_SIDE, "millions": MAX_IMAGE_PIXELS // 1_000_000}
        raise ChisoError.coded("export.image_too_big", width=w, height=h, **limits)


def _image(fig: go.Figure, fmt: str, width: int | None, height: int | None, scale: float) -> bytes:
    w, h = _size(fig, width, height)
    if w <= 0 or h <= 0 or scale <= 0:
        raise ChisoError.coded("export.image_size", width=w, height=h, scale=scale)
    check_image_size(w, h, scale if fmt == "png" else 1)
    return _RENDERER.render(export_spec(fig), {"format": fmt, "width": w, "height": h, "scale": scale})


def export_spec(fig: go.Figure) -> dict:
    """The figure as the renderer draws it: its plain spec with plotly's own template.

    Inside the app Streamlit makes its own theme plotly's default template (no automargin), and a
    figure built there carries it, which would crop the axis labels of the image: exports always
    use plotly's own template, as outside the app (the charts set their colours themselves).
    Written into the spec as plain JSON: setting it on the figure (``update_layout``) validated the
    whole template on every image, ≈ 20 ms each and 0,25 s the first time (it imports a module per
    trace type), which the briefing pack, prepared while the profile page is read, spent beside it.
    """
    spec = fig.to_dict()  # a view's style.Figure: a plain copy
    return {**spec, "layout": {**spec.get("layout", {}), "template": _plotly_template()}}


@functools.cache
def _plotly_template() -> dict:
    """Plotly's own template (``pio.templates["plotly"]``) as the JSON plotly ships, read once."""
    return json.loads(pkgutil.get_data("plotly", "package_data/templates/plotly.json"))


def figure_png(
    fig: go.Figure, *, width: int | None = None, height: int | None = None, scale: float = 2
) -> bytes:
    """A PNG of ``width × height`` layout pixels times ``scale`` (defaults: the figure's own size)."""
    return _image(fig, "png", width, height, scale)


def figure_svg(
    fig: go.Figure, *, width: int | None = None, height: int | None = None, scale: float = 1
) -> bytes:
    """An SVG with its text kept as text (titles searchable, diacritics intact)."""
    return _image(fig, "svg", width, height, scale)


def with_caption(fig: go.Figure, source: str, date: str, notes: tuple[str, ...] = ()) -> go.Figure:
    """A copy of the figure whose bottom line reads ``'<source> · <date>'``, with ``notes`` (a
    trend's '⚑ 2022: …', which the page writes under the chart) on lines below it.

    The source annotation charts.py adds is extended; a figure without one gets it.
    """
    from chiso import safe

    source = safe.plot(source)  # the chart's own annotation holds the source escaped (charts._layout)
    caption = " · ".join(part for part in (source, safe.plot(date)) if part)
    if notes:
        caption = "<br>".join([caption, *(safe.plot(note) for note in notes)])
    out = go.Figure(fig)
    if not caption:
        return out
    if notes:  # room below for the added lines
        extra = style.LINE_PX * len(notes)
        out.update_layout(
            margin_b=(out.layout.margin.b or 80) + extra, height=(out.layout.height or 600) + extra
        )
    for annotation in out.layout.annotations:
        text = annotation.text or ""
        if source and text == source:
            annotation.text = caption
            return out
        if text == caption:
            return out
    style.add_source_line(out, caption)
    return out
