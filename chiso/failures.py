"""Unexpected failures in words: what went wrong, where, and what to do; the trace goes to a log.

A full disk, a read-only folder, a corrupt database file or a folder given as a file are not bugs
of the data but of the surroundings; each still deserves one sentence rather than a traceback.
"""

from __future__ import annotations

import errno
import os
import tempfile
import traceback
from pathlib import Path

from chiso.i18n import DEFAULT_LANG, t


def log_path() -> Path:
    """``CHISO_LOG`` or ``chiso-errors.log`` in the system's temporary folder."""
    return Path(os.environ.get("CHISO_LOG") or Path(tempfile.gettempdir()) / "chiso-errors.log")


def log_trace(exc: BaseException) -> Path | None:
    """Append the full trace to the log; None when even that cannot be written."""
    path = log_path()
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(exc)) + "\n")
    except OSError:
        return None
    return path


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def describe(exc: BaseException, db: Path | None = None, lang: str = DEFAULT_LANG) -> str:
    """One sentence for an exception nobody planned for, naming the file and what to do; the words
    are ``failure.*`` in ``locales/<lang>.failures.yaml``."""
    key, values = _failure(exc, db)
    return t(f"failure.{key}", lang, **values)


def _failure(exc: BaseException, db: Path | None) -> tuple[str, dict]:
    """(the failure's code, the values its words name)."""
    where = {"where": f" {db}" if db else "", "db": db or ""}
    for e in _chain(exc):
        text = str(e)
        if (isinstance(e, OSError) and e.errno == errno.ENOSPC) or "No space left" in text:
            return "disk_full", where
        if isinstance(e, OSError) and e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "read_only", {"target": e.filename or db or "", "reason": e.strerror}
        if isinstance(e, IsADirectoryError):
            return "is_a_folder", {"path": e.filename}
        if isinstance(e, NotADirectoryError):
            return "not_a_folder", {"path": e.filename}
        if type(e).__module__.startswith("duckdb") or type(e).__module__ == "_duckdb":
            found = _duckdb_failure(text.lower())
            if found:
                return found, where
        if isinstance(e, RecursionError):
            return "too_deep", {}
        if isinstance(e, MemoryError):
            return "memory", {}
    first = (str(exc).splitlines() or [""])[0][:200]
    return "unexpected", {"kind": type(exc).__name__, "first": first}


def _duckdb_failure(lowered: str) -> str | None:
    if "read-only" in lowered or "permission denied" in lowered:
        return "db_read_only"
    corrupt = ("not a valid duckdb", "could not read enough bytes", "corrupt", "checksum", "magic")
    if any(s in lowered for s in corrupt):
        return "db_corrupt"
    if "is a directory" in lowered:
        return "db_is_a_folder"
    return None
