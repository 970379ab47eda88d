"""Which sessions are running a page now, so that work done only to spare a reader a wait later
(the briefing pack prepared while a profile is read, :mod:`chiso.app.brief`) is left out while
other readers are waiting for their pages: under load it competed with them for the one core a
process gets (its HTML in this process, its PDF in Chromium) and was mostly never downloaded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.runtime.scriptrunner import get_script_run_ctx

_LOCK = threading.Lock()
_RUNNING: dict[str, int] = {}  # session id -> its page runs in progress


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


def others_running() -> bool:
    """True while another session's page run is in progress."""
    session = _session()
    with _LOCK:
        return any(other != session for other in _RUNNING)
