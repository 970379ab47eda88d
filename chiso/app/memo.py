"""Built view objects shared by every session of the process (``st.cache_resource``, bounded).

A page run at national scale spent most of its CPU rebuilding the same frozen view (tables,
sentences, Plotly figures) that another session, or the same one a click earlier, had just built
for the same table. Views are frozen and Polars frames are immutable, so one built object can be
handed to every session that asks for the same thing; the key is the dataset, its version (a new
import or build is a new key), the language, the selected table and whatever else the page
passes (a chosen unit, a measure). Nothing here is per session, and the number of objects kept is
bounded (``MAX_ENTRIES``, least recently used dropped first), so memory does not grow with sessions
or with the selections readers try.

    view = memo.shared("rankings", frame, build=lambda: rankings.build(...))
    view = memo.shared("trends", frame, tuple(chosen), measure, build=lambda: trends.build(...))

Plotly figures inside a shared view must not be changed in place: :func:`chiso.app.downloads.chart`
draws a copy (:func:`screen`), made once per figure and shared as well.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import astuple
from typing import TypeVar

import streamlit as st

T = TypeVar("T")

MAX_ENTRIES = 48  # built views kept per process, all pages and selections together
MAX_SCREENS = 48  # screen copies of shared figures kept (see screen)


@st.cache_resource(max_entries=MAX_ENTRIES, show_spinner=False)
def _shared(kind: str, key: tuple, _build: Callable[[], T]) -> T:
    return _build()


def shared(kind: str, frame, *parts: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s result for this page ``kind``, the frame's dataset, version, language and
    table and ``parts``; built once per process while it stays among the last ``MAX_ENTRIES``."""
    sel = None if frame.sel is None else astuple(frame.sel)
    return _shared(kind, (frame.dataset, frame.version, frame.lang, sel, *parts), build)


_SCREENS: OrderedDict[tuple, tuple[weakref.ref, object]] = OrderedDict()
_SCREENS_LOCK = threading.RLock()  # re-entered when a weak reference's callback runs under it


def _drop(key: tuple) -> None:
    with _SCREENS_LOCK:
        _SCREENS.pop(key, None)


def screen(figure, source: str, make: Callable[[], T]) -> T:
    """``make()`` (the figure as the page draws it) once per figure object and source line: a
    shared view's figure is the same object on every run, so its screen copy is too. Keyed by the
    object's identity, checked through a weak reference (a new figure at a reused address is
    rebuilt), and bounded (``MAX_SCREENS``)."""
    key = (id(figure), source)
    with _SCREENS_LOCK:
        hit = _SCREENS.get(key)
        if hit is not None and hit[0]() is figure:
            _SCREENS.move_to_end(key)
            return hit[1]
    made = make()
    try:
        ref = weakref.ref(figure, lambda _ref: _drop(key))  # gone with its figure
    except TypeError:  # not weak-referenceable: not kept
        return made
    with _SCREENS_LOCK:
        _SCREENS[key] = (ref, made)
        while len(_SCREENS) > MAX_SCREENS:
            _SCREENS.popitem(last=False)
    return made
