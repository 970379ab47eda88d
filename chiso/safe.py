"""Data is text: values that came from a file, shown where markup, formulas or escapes would run.

One function per place a value can land:

* ``md`` — Streamlit markdown (st.markdown, st.caption, st.info …): every ASCII punctuation
  character is backslash-escaped, so ``![x](http://host/b.png)`` shows those characters instead
  of an image, ``<a href>`` is not a link, ``$x$`` is not maths, ``:red[x]`` is not a colour.
* ``html`` — HTML pages (the briefing pack): ``&``, ``<``, ``>`` and quotes as entities.
* ``plot`` — Plotly text (titles, annotations, hover, tick labels, legend), which reads a subset
  of HTML (``<a href>``, ``<b>``, ``<br>``): ``&``, ``<``, ``>`` as entities; ``plotly_text``
  applies it once to every text of a figure.
* ``terminal`` — anything printed to a terminal: control characters (ANSI escapes, carriage
  returns, backspaces) removed.
* ``http_link`` — a link is made only from a ``source_url`` that is http(s), shown by its host.

Formula cells in CSV/XLSX are neutralised by ``chiso.export.neutralise`` (one function).
"""

from __future__ import annotations

import contextlib
import html as _html
import re
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import plotly.graph_objects as go

_MD_INLINE = re.compile(r"([\\`*_~\[\]<>&$|])")
# GFM links bare addresses after parsing (escapes are already gone by then): an invisible word
# joiner inside "://", "www." and before "@" keeps them text.
_MD_BARE_LINK = re.compile(r"(:)(//)|((?i:www))(\.)|()(@)")
_JOINER = "\u2060"
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d{1,9})([.)]))")  # a heading, quote, list…
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _escape_block_start(m: re.Match) -> str:
    if m.group(2):
        return f"{m.group(1)}\\{m.group(2)}"
    return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"


def md(value: object) -> str:
    """A value as literal text inside Streamlit markdown (one line, nothing rendered).

    Escaped: every character that starts inline markup (links and images ``[ ]``, HTML and
    autolinks ``< >``, entities ``&``, emphasis, code, maths ``$``, tables ``|``) and a block marker
    at the start (``#``, ``>``, ``-``, ``+``, ``=``, ``1.``); a word joiner (U+2060, invisible)
    breaks the ``://``, ``www.`` and ``@`` of bare addresses. Other punctuation stays as it is.
    """
    text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", _ANSI.sub("", _text(value))))
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_BARE_LINK.sub(lambda m: _JOINER.join(g for g in m.groups() if g is not None), text)
    return _MD_BLOCK_START.sub(_escape_block_start, text, count=1)


def html(value: object) -> str:
    """A value as literal text inside HTML (element content or a quoted attribute)."""
    return _html.escape(_CONTROL.sub("", _ANSI.sub("", _text(value))), quote=True)


# The code's own line break inside a Plotly label (wrapped names): a private-use character that
# survives escaping and becomes <br> afterwards, so a break is never taken from data markup.
LINE_BREAK = "\ue000"


def plot(value: object) -> str:
    """A value as literal text inside a Plotly label (Plotly decodes these entities back)."""
    text = _CONTROL.sub("", _ANSI.sub("", _text(value)))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace(LINE_BREAK, "<br>")


def unplot(text: object) -> str:
    """The inverse of ``plot``."""
    return _text(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def terminal(value: object) -> str:
    """A value safe to print: ANSI sequences and other control characters removed (newlines and
    tabs kept)."""
    text = _ANSI.sub("", _text(value))
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text.replace("\r\n", "\n"))


class _CleanStream:
    """A text stream that passes everything through ``terminal`` before writing it."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(terminal(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@contextlib.contextmanager
def clean_terminal():
    """While inside, whatever is printed to stdout and stderr has its control characters removed
    (a data value holding ``\\x1b[2J`` cannot clear the screen or hide text)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _CleanStream(sys.stdout), _CleanStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def http_link(url: object) -> tuple[str, str] | None:
    """``(url, host)`` when ``url`` is an http(s) address with a host; None otherwise
    (``javascript:``, ``data:``, relative or malformed addresses are never links)."""
    text = _text(url).strip()
    if not text or _CONTROL.search(text) or any(c in text for c in ' "<>`\\'):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return text, host


# ---------- figures ----------

_TRACE_TEXT = ("name", "text", "hovertext", "x", "y", "labels", "customdata", "ids")
_AXIS_TEXT = ("ticktext", "categoryarray")


def _escaped(value):
    if isinstance(value, str):
        return plot(value)
    if isinstance(value, (list, tuple)):
        return [_escaped(v) for v in value]
    if hasattr(value, "tolist") and getattr(value, "dtype", None) is not None and value.dtype.kind in "OU":
        return [_escaped(v) for v in value.tolist()]
    return value


def plotly_text(fig: go.Figure) -> go.Figure:
    """Every text of the figure (titles, annotations, names, labels, categories, custom data)
    escaped for Plotly, in place; call once per figure, when it is built.

    Hover templates and formats are the code's own and keep their markup; data reaches them only
    through ``%{…}`` placeholders, whose values are escaped here.
    """
    for trace in fig.data:
        for prop in _TRACE_TEXT:
            value = getattr(trace, prop, None) if prop in trace else None
            if value is not None:
                trace[prop] = _escaped(value)
    _layout_text(fig.layout)
    coloraxis_titles = [t for t in fig.data if "colorbar" in t and t.colorbar and t.colorbar.title]
    for trace in coloraxis_titles:
        if trace.colorbar.title.text:
            trace.colorbar.title.text = plot(trace.colorbar.title.text)
    return fig


def plotly_text_spec(spec: dict) -> dict:
    """:func:`plotly_text` on a figure's plain dict (``Figure.to_dict()``), in place: the same texts
    escaped, without Plotly checking every property it sets."""
    for trace in spec.get("data") or ():
        for prop in _TRACE_TEXT:
            if trace.get(prop) is not None:
                trace[prop] = _escaped(trace[prop])
        _escape_text((trace.get("colorbar") or {}).get("title"))
    layout = spec.get("layout") or {}
    title = layout.get("title") or {}
    _escape_text(title)
    _escape_text(title.get("subtitle"))
    _escape_text((layout.get("legend") or {}).get("title"))
    for annotation in layout.get("annotations") or ():
        for prop in ("text", "hovertext"):
            if annotation.get(prop):
                annotation[prop] = plot(annotation[prop])
    for name, axis in layout.items():
        if not name.startswith(("xaxis", "yaxis")) or not isinstance(axis, dict):
            continue
        _escape_text(axis.get("title"))
        for prop in _AXIS_TEXT:
            if axis.get(prop) is not None:
                axis[prop] = _escaped(axis[prop])
    return spec


def _escape_text(part: dict | None) -> None:
    if part and part.get("text"):
        part["text"] = plot(part["text"])


def _layout_text(layout) -> None:
    """The layout's titles, annotations and axes of :func:`plotly_text`, escaped in place."""
    if layout.title and layout.title.text:
        layout.title.text = plot(layout.title.text)
    if layout.title and layout.title.subtitle and layout.title.subtitle.text:
        layout.title.subtitle.text = plot(layout.title.subtitle.text)
    if layout.legend and layout.legend.title and layout.legend.title.text:
        layout.legend.title.text = plot(layout.legend.title.text)
    for annotation in layout.annotations or ():
        if annotation.text:
            annotation.text = plot(annotation.text)
        if annotation.hovertext:
            annotation.hovertext = plot(annotation.hovertext)
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        axis = layout[name]
        if axis is None:
            continue
        if axis.title and axis.title.text:
            axis.title.text = plot(axis.title.text)
        for prop in _AXIS_TEXT:
            value = axis[prop]
            if value is not None:
                axis[prop] = _escaped(value)
