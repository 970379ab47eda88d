"""Download buttons and the "copy link" control shared by every page (Streamlit layer).

Images are rendered only when a button is clicked (Streamlit's deferred ``data`` callable),
so a page never pays for an export nobody asked for; a failed export is reported in words
and the page stays usable.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from urllib.parse import urlencode

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from chiso import safe
from chiso.app.ui import after_render, view
from chiso.app.ui import lang as current_lang
from chiso.errors import ChisoError
from chiso.export import files as export
from chiso.export import sources as export_sources
from chiso.i18n import t
from chiso.views import style
from chiso.views.page import TableExport


def _safe(render: Callable[[], bytes]) -> Callable[[], bytes]:
    def run() -> bytes:
        try:
            return render()
        except ChisoError:
            raise
        except Exception as exc:  # the browser or the writer failed: say why in words
            raise ChisoError(
                t("export.failed", current_lang(), message=f"{type(exc).__name__}: {exc}")
            ) from exc

    return run


_WARM = threading.Lock()
_warm_started = False
_warm_timer: threading.Timer | None = None
WARM_AFTER_S = 20.0  # a chart's page starts the renderer this long after it is first drawn


def warm_renderer(*, later: bool = False) -> None:
    """Start the image renderer's browser in the background, so the first 'Tải PNG' answers in a
    fraction of a second instead of waiting for Chromium to start. The renderer's module is
    imported on the calling thread, before the thread starts (no concurrent import of it).

    ``later``: start it ``WARM_AFTER_S`` seconds from now instead, off the first page's path: a
    Chromium starting while the reader's browser draws the process's first page took the same
    two cores (cold start), and the first click on 'Tải PNG' comes later than that; an export
    before then starts the renderer itself. A call without ``later`` (the Profile page, whose
    briefing pack prints through it) starts it at once."""
    global _warm_started, _warm_timer
    with _WARM:
        if _warm_started or (later and _warm_timer is not None) or export.browser_path() is None:
            return
        if later:
            _warm_timer = threading.Timer(WARM_AFTER_S, warm_renderer)
            _warm_timer.daemon = True
            _warm_timer.name = "chiso-renderer-later"
            _warm_timer.start()
            return
        _warm_started = True
    import kaleido  # noqa: F401  (imported before the thread: no concurrent import of the same module)

    def start() -> None:
        with contextlib.suppress(Exception):  # a failure here is reported by the export itself
            export.start_renderer()

    threading.Thread(target=start, daemon=True, name="chiso-renderer").start()


def chart_buttons(
    figure: go.Figure, *, name: str, caption: tuple[str, str], key: str, notes: tuple[str, ...] = ()
) -> None:
    """'Tải PNG' and 'Tải SVG' for a figure, with its source line and data date in the image, and
    ``notes`` (a trend's flags) under them."""
    warm_renderer(later=True)
    lang = current_lang()
    height = max(600, int(style.layout_value(figure, "height") or 0))  # without making the figure
    height += style.LINE_PX * len(notes)

    def captioned() -> go.Figure:  # built on click only: copying a figure costs tens of ms a run
        return export.with_caption(figure, *caption, notes)

    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        t("export.button.png", lang),
        file_name=f"{name}.png",
        mime="image/png",
        on_click="ignore",
        data=_safe(lambda: export.figure_png(captioned(), width=1200, height=height, scale=2)),
        key=f"{key}_png",
        icon=":material/image:",
    )
    right.download_button(
        t("export.button.svg", lang),
        file_name=f"{name}.svg",
        mime="image/svg+xml",
        on_click="ignore",
        data=_safe(lambda: export.figure_svg(captioned(), width=1200, height=height)),
        key=f"{key}_svg",
        icon=":material/draw:",
    )


def table_buttons(
    table: pl.DataFrame,
    *,
    name: str,
    key: str,
    sources: list[dict],
    source_key: str | list[str] | None = None,
    number_formats: dict[str, str] | None = None,
    long: Callable[[], bytes] | None = None,
) -> None:
    """'Tải CSV', 'Tải XLSX' (and the long import format) of exactly the table on screen.

    ``sources`` are :mod:`chiso.export.sources` entries (each source once, with the rows it
    supports; ``source_key`` is the table's column those rows are named by): the XLSX lists them
    on its "Nguồn" sheet, the CSV gives each row its sources in two trailing columns."""
    lang = current_lang()
    cols = st.columns([1, 1, 2, 2])
    cols[0].download_button(
        t("export.button.csv", lang),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        data=_safe(lambda: export_sources.csv_bytes(table, sources, source_key, lang)),
        key=f"{key}_csv",
        icon=":material/table:",
    )
    cols[1].download_button(
        t("export.button.xlsx", lang),
        file_name=f"{name}.xlsx",
        on_click="ignore",
        key=f"{key}_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/grid_on:",
        data=_safe(lambda: export_sources.xlsx_bytes(table, sources, lang, formats=number_formats)),
    )
    if long is not None:
        cols[2].download_button(
            t("export.button.long", lang),
            file_name=f"{name}_long.csv",
            mime="text/csv",
            on_click="ignore",
            data=_safe(long),
            key=f"{key}_long",
            icon=":material/download:",
        )


_COPY_BUTTON = """<button id="copy" title="{help}" style="font: 14px 'Source Sans Pro', sans-serif;
 padding: 6px 12px; border: 1px solid #d6d6d9; border-radius: 8px; background: #fff; cursor: pointer;">
 <svg width="14" height="14" viewBox="0 0 24 24" style="vertical-align: -2px" aria-hidden="true">
 <path fill="currentColor" d="M3.9 12a3.1 3.1 0 0 1 3.1-3.1h4V7H7a5 5 0 0 0 0 10h4v-1.9H7A3.1 3.1 0 0 1
 3.9 12zM8 13h8v-2H8v2zm9-6h-4v1.9h4a3.1 3.1 0 0 1 0 6.2h-4V17h4a5 5 0 0 0 0-10z"/></svg> {label}</button>
<script>
const link = {link};
const button = document.getElementById("copy");
button.onclick = async () => {{
  try {{ await navigator.clipboard.writeText(link); button.textContent = {done}; }}
  catch (e) {{ window.prompt({label_js}, link); }}
}};
</script>"""


def _js(text: str) -> str:
    """A string literal for the inline script: JSON-quoted, no ``</`` to close the script."""
    return json.dumps(text).replace("</", "<\\/")


def copy_link() -> None:
    """'Sao chép liên kết': one click puts the link of the current view on the clipboard (a
    browser that refuses the clipboard shows the link to copy by hand)."""
    lang = current_lang()
    base = st.context.url or ""
    query = urlencode({k: v for k, v in view().items() if v not in (None, "")})
    link = f"{base}?{query}" if query else base
    html = _COPY_BUTTON.format(
        help=safe.html(t("link.help", lang)),
        label=safe.html(t("link.copy", lang)),
        link=_js(link),
        done=_js("✓ " + t("link.copied", lang)),
        label_js=_js(t("link.copy", lang)),
    )
    st.iframe(html, height=44, alt=t("link.copy", lang))  # the iframe's title: the button's name


def header(title: str) -> None:
    """The page title with the 'Sao chép liên kết' control beside it, filled in once the page has
    run so the link holds every selection made further down the page."""
    head, link = st.columns([4, 1], vertical_alignment="bottom")
    head.header(safe.md(title))  # titles carry unit names: text, never markup
    slot = link.empty()

    def fill() -> None:
        with slot.container():
            copy_link()

    after_render(fill)


def chart(
    figure: go.Figure, *, name: str, source: str, date: str = "", key: str, notes: tuple[str, ...] = ()
) -> None:
    """A chart with a meaningful toolbar file name, print-quality scale, and PNG/SVG buttons.

    ``figure`` itself is never drawn nor changed (it may be a shared view's, :mod:`chiso.app.memo`):
    the page draws its screen copy (:func:`chiso.views.style.for_screen`, made once per figure),
    and the export works on a captioned copy made on click."""
    from chiso.app import memo

    if not date:
        from chiso.app import ui
        from chiso.views.rankings import data_date

        dataset = view().get("ds") or "published"
        if ui.connection(dataset) is not None:
            date = data_date(ui.meta(dataset, ui.version(dataset)), current_lang())
    # No Plotly toolbar: on a phone it covers the title, and the PNG/SVG buttons below export.
    drawn = memo.screen(figure, source, lambda: style.for_screen(figure, source))
    st.plotly_chart(drawn, key=f"{key}_chart", config={"displayModeBar": False})
    if source:
        st.caption(safe.md(source))
    for note in notes:  # what the chart's marks (a trend's ⚑) stand for: no hover on a phone
        st.caption(safe.md(note))
    chart_buttons(figure, name=name, caption=(source, date), key=key, notes=notes)


def table(table_export: TableExport, *, key: str, long_rows: pl.DataFrame | None = None) -> None:
    """The download buttons of a view's table export (see :class:`chiso.views.page.TableExport`);
    ``long_rows`` adds the long import format of those rows."""
    table_buttons(
        table_export.table,
        name=table_export.name,
        key=key,
        sources=table_export.sources,
        source_key=table_export.source_key,
        number_formats=table_export.number_formats,
        long=None if long_rows is None else lambda: export.long_csv(long_rows),
    )


def import_templates() -> None:
    """The Data page's templates: the annex layout (XLSX) and the long format (CSV), filled in and
    then imported like any published file."""
    from chiso.export import template

    lang = current_lang()
    with st.expander(t("template.title_ui", lang), icon=":material/download:"):
        left, right = st.columns(2)
        left.download_button(
            t("template.xlsx", lang),
            data=lambda: template.annex_xlsx(lang),
            file_name="mau_phu_luc.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key="template_xlsx",
            icon=":material/grid_on:",
        )
        right.download_button(
            t("template.csv", lang),
            data=template.long_csv,
            file_name="mau_dang_dai.csv",
            mime="text/csv",
            on_click="ignore",
            key="template_csv",
            icon=":material/table:",
        )
