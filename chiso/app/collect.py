"""Garbage collection off the page's path: one full collection every few seconds while pages run,
instead of one after every page run.

Streamlit runs ``gc.collect(2)`` after each script run (``runner.postScriptGC``). With the libraries
and the shared views loaded, the process holds ≈ 190.000 tracked objects and a full collection
costs ≈ 0,1 s of CPU: a third of a typical page run at national scale, paid again on every click
of every session. ``.streamlit/config.toml`` turns that off; this thread collects instead, at most
once per :data:`INTERVAL_S` and only when Python's own young collections show that objects were
allocated since the last pass (an idle server does nothing). Memory freed by the old rule (Plotly
figures and frames in reference cycles, closed sessions' state) is still freed, a few seconds
later; whatever reference counting frees (most of it) is freed at once as before.

A collection waits for a pause: when no page has run for :data:`PAUSE_S`, or, while readers keep
the server busy, until :data:`BUSY_INTERVAL_S` have passed since the last one. Under the load test
(25 readers) a collection every few seconds took ≈ 7 % of the process's time holding the
interpreter lock, the one core a process gets; a reader alone, or the last reader leaving, still
sees garbage collected within a few seconds.

The same thread hands DuckDB's cached blocks of the database back once the server has had no
page run for :data:`RELEASE_AFTER_S` (:func:`chiso.store.queries.release_cache`): readers leave
≈ 40–60 MB of blocks behind at national scale, which stayed after their sessions closed. Page runs
that start meanwhile wait the few milliseconds it takes; the first reads after it fetch their
blocks again from the system's file cache.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time

from chiso.app import busy

INTERVAL_S = 5.0  # how often the thread looks
PAUSE_S = 1.0  # no page run for this long: a pause in which to collect
BUSY_INTERVAL_S = 30.0  # without a pause, collected at most this often
RELEASE_AFTER_S = 20.0  # no page run for this long: DuckDB's cached blocks are handed back

_LOCK = threading.Lock()
_started = False


def _collections() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


def due(*, allocated: bool, idle_s: float, since_last_s: float) -> bool:
    """Whether to collect now: only when objects were made since the last pass (young collections
    ran), and then in a pause of the page runs, or when the last pass is too old to wait longer."""
    return allocated and (idle_s >= PAUSE_S or since_last_s >= BUSY_INTERVAL_S)


def _release() -> None:
    from chiso.app import ui  # loaded by the pages long before the first release
    from chiso.store import queries

    for con in ui.open_connections():
        with contextlib.suppress(Exception):  # a connection closed meanwhile (a swapped file)
            queries.release_cache(con)


def tick(seen: int, last: float, released: int) -> tuple[int, float, int]:
    """One look of the thread: a full collection if :func:`due`, then DuckDB's cache handed back
    if pages have run since the last release and none for :data:`RELEASE_AFTER_S`. Takes and
    returns (young collections seen, time of the last pass, page runs ended at the last release)."""
    since_last = time.monotonic() - last
    if due(allocated=_collections() != seen, idle_s=busy.idle_for(), since_last_s=since_last):
        gc.collect()
        seen, last = _collections(), time.monotonic()
    runs = busy.ended_runs()
    if runs != released and busy.when_idle(RELEASE_AFTER_S, _release):
        released = runs
    return seen, last, released


def _loop() -> None:
    # page runs ended so far count as released: nothing to give back before the next ones
    state = (_collections(), time.monotonic(), busy.ended_runs())
    while True:
        time.sleep(INTERVAL_S)
        state = tick(*state)


def start() -> None:
    """Start the collector thread once per process (later calls return at once)."""
    global _started
    with _LOCK:
        if _started:
            return
        _started = True
    threading.Thread(target=_loop, daemon=True, name="chiso-gc").start()
