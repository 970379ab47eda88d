"""Which sessions are running pages, so that work done only to spare a reader a wait later (the
briefing pack prepared while a profile is read, :mod:`chiso.app.brief`) is left out while other
readers use the server: under load it competed with them for the one core a process gets (its
HTML in this process, its PDF in Chromium) and was mostly never downloaded.

"Use" is a page run in progress or one that ended less than :data:`QUIET_S` ago: the pack takes
a second or two to make, and readers clicking through pages leave gaps between their runs that
a check of runs in progress alone took for a quiet server (the load test's server spent ≈ 40 ms
of CPU per profile opened on packs nobody asked for).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from streamlit.runtime.scriptrunner import get_script_run_ctx

_LOCK = threading.Lock()
_RUNNING: dict[str, int] = {}  # session id -> its page runs in progress
_ENDED: dict[str, float] = {}  # session id -> when its last page run ended (time.monotonic)
_LAST_END = [float("-inf")]  # when the last page run of any session ended
_ENDED_RUNS = [0]  # page runs ended since the process started
_BACKGROUND = [0]  # background jobs in progress that read the database (the briefing pack)
QUIET_S = 10.0


def _session() -> str:
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else ""


@contextmanager
def page_run() -> Iterator[None]:
    """Counts the current session's page run as in progress while the block runs."""
    session = _session()
    with _LOCK:
        _RUNNING[session] = _RUNNING.get(session, 0) + 1
    try:
        yield
    finally:
        with _LOCK:
            left = _RUNNING.get(session, 1) - 1
            if left > 0:
                _RUNNING[session] = left
            else:
                _RUNNING.pop(session, None)
            now = time.monotonic()
            _ENDED[session] = now
            _LAST_END[0] = now
            _ENDED_RUNS[0] += 1
            for other in [o for o, ended in _ENDED.items() if now - ended > QUIET_S]:
                del _ENDED[other]  # the map holds the sessions of the last few seconds only


def others_active() -> bool:
    """True while another session's page run is in progress, or ended less than ``QUIET_S`` ago."""
    session = _session()
    now = time.monotonic()
    with _LOCK:
        return any(other != session for other in _RUNNING) or any(
            other != session and now - ended <= QUIET_S for other, ended in _ENDED.items()
        )


def idle_for() -> float:
    """Seconds since the last page run of any session ended; 0 while one is in progress."""
    with _LOCK:
        return 0.0 if _RUNNING else time.monotonic() - _LAST_END[0]


@contextmanager
def background_job() -> Iterator[None]:
    """Counts a job that reads the database off any page run (the briefing pack prepared ahead) as
    in progress while the block runs, for :func:`when_idle`; it does not make a session busy."""
    with _LOCK:
        _BACKGROUND[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _BACKGROUND[0] -= 1


def ended_runs() -> int:
    """How many page runs have ended since the process started."""
    with _LOCK:
        return _ENDED_RUNS[0]


def when_idle(min_idle_s: float, work: Callable[[], None]) -> bool:
    """Run ``work`` when no page run nor background job is in progress and the last page run ended
    at least ``min_idle_s`` ago, holding new page runs off until it returns (they wait to start).
    Returns whether it ran."""
    with _LOCK:
        if _RUNNING or _BACKGROUND[0] or time.monotonic() - _LAST_END[0] < min_idle_s:
            return False
        work()
        return True
