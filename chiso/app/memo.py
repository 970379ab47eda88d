"""What every session of the process shares, bounded: the pages' table reads (:func:`kept`) and
their built view objects (:func:`shared`).

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

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import astuple
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 48  # built views kept per process, all pages and selections together
MAX_SCREENS = 48  # screen copies of shared figures kept (see screen)


class _Kept(Generic[T]):
    """What :func:`kept` makes of a function: its results by arguments, least recently used
    dropped first past ``max_entries``; one build per key at a time (a second session asking for
    the same key waits for the first one's result)."""

    def __init__(self, fn: Callable[..., T], max_entries: int | None) -> None:
        functools.update_wrapper(self, fn)
        self._fn, self._max = fn, max_entries
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        _KEPT.append(weakref.ref(self))

    def _hit(self, key: Hashable) -> tuple[bool, T | None]:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return True, self._entries[key]
            return False, None

    def __call__(self, *args: Hashable, **kwargs: Hashable) -> T:
        key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        return self.get(key, lambda: self._fn(*args, **kwargs))

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept under ``key``, else ``make()``'s, kept. The key's build lock is given up
        in the same step that stores the result, so a caller arriving in between finds the result
        rather than a free key; after a failed build the next waiting caller takes the key over."""
        while True:
            found, value = self._hit(key)
            if found:
                return value  # type: ignore[return-value]
            with self._lock:
                building = self._building.setdefault(key, threading.Lock())
            with building:
                with self._lock:
                    if key in self._entries:  # built by another session meanwhile
                        self._entries.move_to_end(key)
                        return self._entries[key]
                    if self._building.get(key) is not building:
                        continue  # that build failed and another caller holds the key now
                try:
                    value = make()
                except BaseException:
                    with self._lock:
                        self._release(key, building)
                    raise
                with self._lock:
                    self._entries[key] = value
                    while self._max is not None and len(self._entries) > self._max:
                        self._entries.popitem(last=False)
                    self._release(key, building)
                return value

    def _release(self, key: Hashable, building: threading.Lock) -> None:
        if self._building.get(key) is building:
            del self._building[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_KEPT: list[weakref.ref] = []


def kept(max_entries: int | None = None) -> Callable[[Callable[..., T]], _Kept[T]]:
    """A function's results kept once per process and shared by every session, keyed by its
    arguments (hashable: text, numbers, dates, frozen dataclasses, tuples), bounded by
    ``max_entries``. What ``st.cache_resource`` does for these readers, without its cost on every
    call: it hashed the arguments and inspected the function's signature each time, ≈ 0,25 ms a
    call, and a page run makes 13–30 such calls (measured at national scale). Results are shared,
    never copied: frames and frozen views are not changed in place."""
    return lambda fn: _Kept(fn, max_entries)


def clear_all() -> None:
    """Empty every kept function's results (tests that need views built afresh)."""
    for ref in list(_KEPT):
        fn = ref()
        if fn is not None:
            fn.clear()


_VIEWS: _Kept = _Kept(lambda: None, MAX_ENTRIES)  # built views, by page kind and key


def shared(kind: str, frame, *parts: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s result for this page ``kind``, the frame's dataset, version, language and
    table and ``parts``; built once per process while it stays among the last ``MAX_ENTRIES``."""
    sel = None if frame.sel is None else astuple(frame.sel)
    return _VIEWS.get((kind, frame.dataset, frame.version, frame.lang, sel, *parts), build)


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
