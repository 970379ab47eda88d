"""Streamlit side of the Dữ liệu (Data) page: steward sign-in, preview, apply, undo, audit.

Who may write: a data steward who signed in with the password whose scrypt hash is configured
(``st.secrets["chiso"]["steward_password_hash"]`` or ``CHISO_STEWARD_PASSWORD_HASH``; see
chiso/auth.py for the format). The signed-in flag lives under a session key that is not a
widget key, so a browser cannot set it; every write function here checks it again, so a
viewer's session cannot reach ``apply_import`` or ``undo_last`` through the page. Failed
sign-ins lock the form for 1, 2, 4 … 60 seconds per client (session, then address), under a
process-wide ceiling: another browser's wrong guesses never delay the steward's right password.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

import polars as pl
import streamlit as st

from chiso import auth
from chiso.app import memo, ui
from chiso.errors import ChisoError
from chiso.ingest.annex import ImportOptions, sheet_names
from chiso.store import imports

STEWARD = "_chiso_steward"  # {'fp': hash fingerprint, 'who': name}; never a widget key
FAILURES = "_chiso_signin_failures"
LOCKED_UNTIL = "_chiso_signin_locked_until"
PLAN = "_chiso_import_plan"
MAX_DELAY = 60.0
UPLOAD_LIMIT_MB = 20


# ---------- credential and sign-in ----------


def configured_hash() -> str | None:
    """The steward hash from Streamlit secrets, else from the environment; None when absent."""
    value = None
    try:
        value = st.secrets["chiso"]["steward_password_hash"]
    except Exception:  # no secrets file, no [chiso] table, or no key: fall back to the environment
        value = None
    return (value or os.environ.get(auth.ENV_HASH) or "").strip() or None


def credential_state() -> str:
    """'missing', 'invalid' or 'ok'."""
    stored = configured_hash()
    if stored is None:
        return "missing"
    return "ok" if auth.valid_hash(stored) else "invalid"


def signed_in() -> bool:
    state = st.session_state.get(STEWARD)
    stored = configured_hash()
    return bool(
        isinstance(state, dict)
        and stored
        and auth.valid_hash(stored)
        and state.get("fp") == auth.fingerprint(stored)
    )


def steward_name() -> str:
    state = st.session_state.get(STEWARD) or {}
    return state.get("who") or "steward"


def _now() -> float:
    return time.time()


# Back-off is kept per client, so a stranger's wrong guesses cannot lock the steward out of
# another browser: the session's own failures (1, 2, 4 … 60 s), its address's once that address
# has failed more than ADDRESS_FREE times (a new tab does not reset a guesser's delay), and a
# process-wide ceiling of GLOBAL_FREE failures per GLOBAL_WINDOW seconds however many sessions
# or addresses the guesses come from.
ADDRESS_FREE = 5
GLOBAL_FREE = 30
GLOBAL_WINDOW = 600.0
MAX_ADDRESSES = 10_000
_PROCESS_LOCK = threading.Lock()
_ADDRESSES: dict[str, dict] = {}  # address -> {'failures': n, 'locked_until': t}
_RECENT: list[float] = []  # times of failures in the last GLOBAL_WINDOW seconds, oldest first


def client_address() -> str | None:
    """The browser's address as Streamlit sees it (``st.context.ip_address``), when known."""
    try:
        return st.context.ip_address or None
    except Exception:  # outside a running app (tests, bare mode): no address
        return None


def reset_back_off() -> None:
    """Forget every failure (tests; a restarted server starts clean too)."""
    with _PROCESS_LOCK:
        _ADDRESSES.clear()
        _RECENT.clear()


def _delay(failures: int) -> float:
    return min(MAX_DELAY, 2.0 ** (failures - 1))


def _global_until(now: float) -> float:
    """When the process-wide ceiling lets the next attempt through (0: not reached)."""
    _RECENT[:] = [t for t in _RECENT if 0 <= now - t < GLOBAL_WINDOW]
    return _RECENT[0] + GLOBAL_WINDOW if len(_RECENT) >= GLOBAL_FREE else 0.0


def wait_seconds() -> int:
    """Seconds before this client's next sign-in attempt is accepted (0: now)."""
    now = _now()
    address = client_address()
    with _PROCESS_LOCK:
        state = _ADDRESSES.get(address or "", {})
        address_until = state.get("locked_until", 0.0) if state.get("failures", 0) > ADDRESS_FREE else 0.0
        global_until = _global_until(now)
    left = max(float(st.session_state.get(LOCKED_UNTIL, 0.0)), address_until, global_until) - now
    return max(0, int(left + 0.999))


def sign_in(name: str, password: str) -> str:
    """'ok', 'wait' (too soon after a failure), 'failed' or 'unconfigured'."""
    stored = configured_hash()
    if stored is None or not auth.valid_hash(stored):
        return "unconfigured"
    if wait_seconds() > 0:
        return "wait"
    address = client_address()
    if auth.verify_password(password, stored):
        st.session_state[STEWARD] = {"fp": auth.fingerprint(stored), "who": name.strip() or "steward"}
        st.session_state[FAILURES] = 0
        st.session_state[LOCKED_UNTIL] = 0.0
        if address:
            with _PROCESS_LOCK:
                _ADDRESSES.pop(address, None)
        return "ok"
    now = _now()
    failures = int(st.session_state.get(FAILURES, 0)) + 1
    st.session_state[FAILURES] = failures
    st.session_state[LOCKED_UNTIL] = now + _delay(failures)
    with _PROCESS_LOCK:
        _RECENT.append(now)
        if address:
            if address not in _ADDRESSES and len(_ADDRESSES) >= MAX_ADDRESSES:
                _ADDRESSES.pop(next(iter(_ADDRESSES)))  # the oldest entry goes first
            state = _ADDRESSES.setdefault(address, {"failures": 0, "locked_until": 0.0})
            state["failures"] += 1
            if state["failures"] > ADDRESS_FREE:
                state["locked_until"] = now + _delay(state["failures"] - ADDRESS_FREE)
    return "failed"


def sign_out() -> None:
    for key in (STEWARD, PLAN):
        st.session_state.pop(key, None)


def _require_steward() -> None:
    if not signed_in():
        raise ChisoError.coded("data.steward_only")


# ---------- reading (everyone) ----------


@memo.kept(max_entries=16)
def audit(dataset: str, db_version: str) -> pl.DataFrame:
    path = ui.db_path(dataset)
    return imports.audit(path) if path.exists() else pl.DataFrame()


def history(dataset: str) -> pl.DataFrame:
    """The import audit of the dataset's current file (the version looked up here, not by pages)."""
    return audit(dataset, ui.version(dataset))


@st.cache_data(max_entries=16)
def provinces(dataset: str, db_version: str) -> list[str]:
    con = ui.connection(dataset)
    if con is None:
        return []
    from chiso.store import queries

    return sorted({p for p in queries.units(con)["province"].to_list() if p})


def sheets(data: bytes) -> list[str]:
    return sheet_names(data)


# ---------- writing (stewards only) ----------


def preview(dataset: str, name: str, data: bytes, options: ImportOptions) -> imports.ImportPlan:
    """Validate an uploaded file against the dataset's database; nothing is written."""
    _require_steward()
    suffix = Path(name).suffix.lower()[:8]
    with tempfile.TemporaryDirectory(prefix="chiso-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        plan = imports.plan_import(ui.db_path(dataset), path, options, name=Path(name).name)
    st.session_state[PLAN] = plan
    return plan


def plan_matches(plan, name: str, data: bytes, options: ImportOptions) -> bool:
    """True when the stored preview was made from these very bytes with these options."""
    import hashlib

    return (
        plan is not None
        and plan.file == Path(name).name
        and plan.sha256 == hashlib.sha256(data).hexdigest()
        and plan.options == options
    )


def current_plan() -> imports.ImportPlan | None:
    plan = st.session_state.get(PLAN)
    return plan if signed_in() else None


def drop_plan() -> None:
    st.session_state.pop(PLAN, None)


def _reconnect(dataset: str, old) -> None:
    """Close the connection to the replaced file so the next one opens the new file.

    DuckDB hands back an already-open database for the same path, so keying the cached
    connection on the file's mtime is not enough while the old connection stays open.
    """
    if old is not None:
        with contextlib.suppress(Exception):  # already closed
            old.close()


def confirm(dataset: str, plan: imports.ImportPlan) -> imports.ApplyResult:
    """Apply the previewed plan (one swap); only for a signed-in steward."""
    _require_steward()
    old = ui.connection(dataset)
    result = imports.apply_import(ui.db_path(dataset), plan, who=f"{steward_name()} (web)", wait=5.0)
    if result.written:
        _reconnect(dataset, old)
    drop_plan()
    return result


def undo(dataset: str) -> imports.UndoResult:
    _require_steward()
    old = ui.connection(dataset)
    result = imports.undo_last(ui.db_path(dataset), who=f"{steward_name()} (web)", wait=5.0)
    _reconnect(dataset, old)
    drop_plan()
    return result
