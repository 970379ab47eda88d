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
"""

from __future__ import annotations

import gc
import threading
import time

INTERVAL_S = 5.0

_LOCK = threading.Lock()
_started = False


def _collections() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


def _loop() -> None:
    seen = _collections()
    while True:
        time.sleep(INTERVAL_S)
        if _collections() != seen:  # young collections ran: objects were made since the last pass
            gc.collect()
            seen = _collections()


def start() -> None:
    """Start the collector thread once per process (later calls return at once)."""
    global _started
    with _LOCK:
        if _started:
            return
        _started = True
    threading.Thread(target=_loop, daemon=True, name="chiso-gc").start()
