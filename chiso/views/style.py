"""How every chart looks: the colour-blind-safe palette, the font, and the shared layout (title,
number separators, legend, the source line under the plot). Pure: a figure in, a figure out."""

from __future__ import annotations

import threading
from datetime import date, datetime

import plotly.graph_objects as go
import plotly.io as pio

from chiso import safe

# Okabe–Ito, colour-blind safe; tiers take them best first.
PALETTE = ["#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"


# Values copied as they are into a figure's plain dict: Plotly's own copy leaves them unchanged too.
_SCALARS = frozenset({str, int, float, bool, type(None), date, datetime})


def _plain(value, odd: list):
    """A copy of a figure's dicts and lists; any other value that is not a plain scalar is noted
    in ``odd`` (an array Plotly would encode as a typed array)."""
    kind = type(value)
    if kind is dict:
        return {key: _plain(item, odd) for key, item in value.items()}
    if kind is list:
        return [_plain(item, odd) for item in value]
    if kind is tuple:
        return tuple(_plain(item, odd) for item in value)
    if kind not in _SCALARS:
        odd.append(value)
    return value


def spec(fig: go.Figure) -> dict:
    """``fig.to_dict()``, made about 10 times faster for a figure of lists and plain values (every
    figure of the views): Plotly's copy is a ``deepcopy`` followed by a walk of every value looking
    for arrays to encode (≈ 10 ms for a ranking of 168 units, and a drawn chart went through it
    three times per run). A figure holding anything else (a numpy array, frames) takes Plotly's own
    path. tests/views/test_figure_spec.py compares both on every chart of the views."""
    # a Figure not yet made into Plotly's objects is copied from its spec (kept until the figure is
    # made, so that a copy never reads a half-made one)
    pending = fig.__dict__.get("_pending")
    if pending is not None:
        odd: list = []
        out = _plain(pending, odd)
        out.setdefault("data", [])
        layout = out.setdefault("layout", {})
        if layout.get("template") is None and pio.templates.default is not None:
            layout["template"] = _plain(_default_template(), odd)  # as Plotly's constructor adds it
        return go.Figure.to_dict(fig) if odd else out
    odd = []
    out = {"data": _plain(fig._data, odd), "layout": _plain(fig._layout, odd)}
    if odd or fig._frame_objs:
        return go.Figure.to_dict(fig)
    return out


def layout_value(fig: go.Figure, key: str):
    """A top-level layout entry of a figure (``height``), read from its spec when it has not been
    made into Plotly's objects: reading ``fig.layout`` would make it."""
    pending = fig.__dict__.get("_pending")
    if pending is not None:
        return (pending.get("layout") or {}).get(key)
    return fig.layout[key]


_TEMPLATES: dict[object, dict] = {}  # the default template's name (or object) -> its JSON


def _default_template() -> dict:
    """The JSON of plotly's default template (Streamlit's theme inside the app), made once per
    name: ``pio.templates["a+b"]`` makes a new merged template on every call."""
    default = pio.templates.default
    key = default if isinstance(default, str) else id(default)
    known = _TEMPLATES.get(key)
    if known is None:
        template = pio.templates[default] if isinstance(default, str) else default
        known = _TEMPLATES[key] = template.to_plotly_json()
    return known


_BUILD = threading.RLock()


class Figure(go.Figure):
    """A Plotly figure whose ``to_dict`` is :func:`spec`: what the views hand out, so that
    ``st.plotly_chart`` (which copies a figure with ``to_dict`` on every run) copies it fast.

    Made from a plain spec without checks (``Figure({"data": …, "layout": …}, _validate=False)``,
    how the views make theirs), it keeps the spec and makes Plotly's objects only when something
    reads it as a Plotly figure (``fig.layout``, ``fig.data``, ``update_layout``): a page run draws
    most figures through ``to_dict`` alone, and Plotly's objects cost ≈ 0,4 ms a figure to make
    even unchecked (≈ 5 % of a server's time under the load test). Views are shared between
    sessions: the figure is made once, under a lock, and a reader waits for it."""

    def __init__(self, data=None, *args, **kwargs):
        if (
            isinstance(data, dict)
            and not args
            and kwargs == {"_validate": False}
            and set(data) <= {"data", "layout"}
        ):
            self.__dict__["_pending"] = data
            return
        super().__init__(data, *args, **kwargs)

    def __getattr__(self, name: str):
        # reached only for what the instance lacks: before it is made, Plotly's own attributes
        if name.startswith("__"):
            raise AttributeError(name)
        with _BUILD:  # made once; a reader in another session waits for it
            pending = self.__dict__.get("_pending")
            if pending is not None and not self.__dict__.get("_making"):
                self.__dict__["_making"] = True  # Plotly's constructor reads missing attributes
                try:
                    go.Figure.__init__(self, _plain(pending, []), _validate=False)
                finally:
                    del self.__dict__["_making"]
                del self.__dict__["_pending"]  # only now: a copy meanwhile is taken from the spec
        try:
            return object.__getattribute__(self, name)
        except AttributeError:
            raise AttributeError(name) from None

    def to_dict(self) -> dict:
        return spec(self)


SUBTITLE = "<br><sup>"  # how views join a title and its second line (views.page.titled)


def _title(title: str) -> dict:
    """The title, its second line as Plotly's subtitle: both then escaped as plain text."""
    main, _, extra = title.partition(SUBTITLE)
    extra = extra.removesuffix("</sup>")
    head = {"text": main, "x": 0, "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top"}
    head["pad"] = {"l": 10, "t": 12}
    if extra:
        head["subtitle"] = {"text": extra, "font": {"size": 12, "color": "#555"}}
    return head


def vline(x: float, line: dict) -> dict:
    """The shape ``fig.add_vline(x=x, line=line)`` adds, as a plain dict."""
    return {"type": "line", "line": line, "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}


def vrect(x0, x1, **props) -> dict:
    """The shape ``fig.add_vrect(x0=x0, x1=x1, **props)`` adds (without an annotation), as a plain dict."""
    return {"type": "rect", "x0": x0, "x1": x1, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"} | props


def layout(
    fig: go.Figure | dict,
    *,
    title: str,
    source: str,
    lang: str,
    height: int,
    extra: dict | None = None,
) -> go.Figure:
    """The shared layout, the source line and every text escaped (:func:`chiso.safe.plotly_text_spec`),
    on the figure's plain dict: Plotly re-checked every annotation on each layout change (twice per
    unit on a ranking chart), ≈ 30 ms a chart. The figure returned is wrapped without a new check;
    its traces were checked when added, and what is set here is this module's own constants and
    ``extra``, a chart's own layout entries (its annotations, shapes) as plain dicts."""
    # a plain spec ({"data": [...], "layout": {...}}) is the builder's own: taken as it is
    plain = fig if isinstance(fig, dict) else spec(fig)
    merged = _merge(
        plain.setdefault("layout", {}),
        {
            "title": _title(title),
            "separators": ",." if lang == "vi" else ".,",
            "font": {"family": FONT, "size": 13},
            "height": height,
            "margin": {"l": 10, "r": 40, "t": 70, "b": 170},
            "plot_bgcolor": "white",
            "legend": {
                "orientation": "h",
                "yanchor": "bottom",
                "y": 0.01,
                "yref": "container",
                "x": 0,
                "xref": "paper",
            },
        },
    )
    _merge(merged, extra or {})
    if source:
        merged["annotations"] = [*(merged.get("annotations") or []), _source_note(source)]
    # data is text: names, sources, notes never become Plotly markup
    return Figure(safe.plotly_text_spec(plain), _validate=False)


def _merge(into: dict, update: dict) -> dict:
    """``update`` merged into ``into`` as Plotly's ``update_layout`` does: nested dicts merged, the
    rest (lists included) replaced."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def _source_note(text: str) -> dict:
    """The chart's bottom line (its source, in files also the data date) as an annotation."""
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yshift": -112,  # below the axis title (two-line tick labels included), above the legend
        "yanchor": "top",
        "showarrow": False,
        "xanchor": "left",
        "font": {"size": 11, "color": "#555"},
    }


def add_source_line(fig: go.Figure, text: str) -> None:
    """The chart's bottom line (its source, in files also the data date), in place."""
    fig.add_annotation(**_source_note(text))


def wrap(text: str, width: int) -> list[str]:
    """Words of an (escaped) Plotly text in lines of at most ``width`` characters where words allow;
    existing ``<br>`` breaks are kept."""
    lines: list[str] = []
    for part in text.split("<br>"):
        line = ""
        for word in part.split(" "):
            if line and len(safe.unplot(line)) + 1 + len(safe.unplot(word)) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


TITLE_CHARS, SUBTITLE_CHARS = 34, 46
LINE_PX = 15
PHONE_PLOT_PX, LEGEND_ROW_PX, CHAR_PX, SYMBOL_PX = 300, 20, 7, 50


def legend_rows_extra(names: list[str]) -> int:
    """Pixels a horizontal legend of ``names`` needs beyond one row at a phone's plot width. Plotly
    puts the items on one row when they fit, else in columns as wide as the widest item."""
    widths = [SYMBOL_PX + CHAR_PX * len(name) for name in names]
    if not widths or sum(widths) <= PHONE_PLOT_PX:
        return 0
    columns = max(1, PHONE_PLOT_PX // max(widths))
    return (-(-len(widths) // columns) - 1) * LEGEND_ROW_PX


def for_screen(fig: go.Figure, source: str = "") -> go.Figure:
    """A copy of a figure as the page draws it, readable from a phone's 390 px up: the title and its
    second line wrapped at word boundaries (Plotly never wraps text), and the source line taken out
    (the page prints it under the chart as text, which wraps; a chart's left margin would push it
    off a narrow screen). Exports keep the figure as built, source line included.

    Made from the figure's plain dict (already checked by Plotly when the figure was built), changed
    there and wrapped without Plotly's checks again: re-checking a copy cost 10–25 ms of CPU a chart."""
    plain = spec(fig)
    layout = plain.setdefault("layout", {})
    title = layout.get("title") or {}
    added = 0
    if title.get("text"):
        lines = wrap(title["text"], TITLE_CHARS)
        title["text"] = "<br>".join(lines)
        lifted = (len(lines) - 1) * 20
        # Plotly lifts a wrapped title's first line by the lines added: padded back down, and the
        # margin grows by both (the padding and the added lines).
        pad = title.setdefault("pad", {})
        pad["t"] = (pad.get("t") or 0) + lifted
        added = 2 * lifted
        subtitle = title.get("subtitle") or {}
        if subtitle.get("text"):
            sub = wrap(subtitle["text"], SUBTITLE_CHARS)
            subtitle["text"] = "<br>".join(sub)
            added += (len(sub) - 1) * LINE_PX
        margin = layout.setdefault("margin", {})
        margin["t"] = (margin.get("t") or 70) + added
    escaped = safe.plot(source) if source else None
    annotations = layout.get("annotations") or []
    notes = [n for n in annotations if not (escaped and n.get("text") == escaped)]
    if escaped and len(notes) < len(annotations):
        layout["annotations"] = notes
        margin = layout.setdefault("margin", {})
        margin["b"] = max(60, (margin.get("b") or 80) - 40)
        added -= 40
    if added and layout.get("height"):
        layout["height"] += added
    return Figure(plain, _validate=False)
