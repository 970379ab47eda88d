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

UNCHANGED = "cơ sở dữ liệu không đổi"


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


def describe(exc: BaseException, db: Path | None = None) -> str:
    """One sentence for an exception nobody planned for, naming the file and what to do."""
    where = f" {db}" if db else ""
    for e in _chain(exc):
        text = str(e)
        if (isinstance(e, OSError) and e.errno == errno.ENOSPC) or "No space left" in text:
            return (
                f"hết chỗ trống trên đĩa khi ghi{where}: giải phóng chỗ trống (hoặc dùng --db ở ổ khác) "
                f"rồi chạy lại; {UNCHANGED}"
            )
        if isinstance(e, OSError) and e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            target = e.filename or db or ""
            return (
                f"không ghi được vào {target}: thư mục chỉ đọc hoặc không có quyền ghi "
                f"({e.strerror}); chọn thư mục ghi được (--db) hoặc xin quyền ghi; {UNCHANGED}"
            )
        if isinstance(e, IsADirectoryError):
            return f"{e.filename}: là một thư mục, cần một tệp (kiểm tra --db, --config)"
        if isinstance(e, NotADirectoryError):
            return f"{e.filename}: đường dẫn đi qua một tệp như thể đó là thư mục (kiểm tra --db, --config)"
        if type(e).__module__.startswith("duckdb") or type(e).__module__ == "_duckdb":
            lowered = text.lower()
            if "read-only" in lowered or "permission denied" in lowered:
                return f"không ghi được vào{where}: tệp hoặc thư mục chỉ đọc; {UNCHANGED}"
            if any(
                s in lowered
                for s in ("not a valid duckdb", "could not read enough bytes", "corrupt", "checksum", "magic")
            ):
                return (
                    f"tệp cơ sở dữ liệu{where} hỏng hoặc không phải DuckDB: dựng lại bằng `chiso build` "
                    "hoặc khôi phục bản <db>.before-<id>"
                )
            if "is a directory" in lowered:
                return f"{db}: là một thư mục, cần một tệp cơ sở dữ liệu (--db)"
        if isinstance(e, RecursionError):
            return "tệp lồng quá sâu để đọc; kiểm tra lại tệp"
        if isinstance(e, MemoryError):
            return "không đủ bộ nhớ để đọc tệp; tách tệp thành các tệp nhỏ hơn"
    first = (str(exc).splitlines() or [""])[0][:200]
    return f"lỗi không lường trước ({type(exc).__name__}: {first})"
