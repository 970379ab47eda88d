"""The one write path of the store: lock, copy beside, one transaction, swap, backups, audit.

Every import (scores, counts) and every undo writes the same way: under a lock file
(``<db>.lock``) the database is copied beside itself, the change is applied to the copy in one
transaction, the previous file is kept as ``<db>.before-<import_id>`` (a hard link where the file
system allows it) and the copy is swapped in with ``os.replace``. Readers keep the file they
opened; the app reconnects on the new modification time. A process that dies before the swap
leaves the database untouched. The ``import_audit`` table records each import and its undo.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from chiso.errors import ChisoError

KEEP_BACKUPS = 10
LOG = logging.getLogger("chiso.import")
LOCK_STALE_EMPTY_SECONDS = 10.0
CRASH_HOOK = "CHISO_IMPORT_CRASH"  # tests only: 'after_copy' or 'before_swap' kills the process there

AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS import_audit (
    import_id INTEGER,
    imported_at TIMESTAMP,
    who VARCHAR,
    file VARCHAR,
    sha256 VARCHAR,
    bytes BIGINT,
    sheet VARCHAR,
    layout VARCHAR,
    options VARCHAR,
    rows_added INTEGER,
    rows_changed INTEGER,
    rows_unchanged INTEGER,
    backup VARCHAR,            -- file beside the database holding the state before this import
    undone_at TIMESTAMP,
    undone_by VARCHAR,
    long_csv VARCHAR           -- the rows as imported, in the long CSV format
)
"""
AUDIT_COLUMNS = [
    "import_id",
    "imported_at",
    "who",
    "file",
    "sha256",
    "bytes",
    "sheet",
    "layout",
    "options",
    "rows_added",
    "rows_changed",
    "rows_unchanged",
    "backup",
    "undone_at",
    "undone_by",
]
AUDIT_TYPES = {
    "import_id": pl.Int32,
    "imported_at": pl.Datetime,
    "bytes": pl.Int64,
    "rows_added": pl.Int32,
    "rows_changed": pl.Int32,
    "rows_unchanged": pl.Int32,
    "undone_at": pl.Datetime,
}


class LockedError(ChisoError):
    """Another import or undo is writing the same database."""


@dataclass(frozen=True)
class ApplyResult:
    import_id: int | None
    added: int
    changed: int
    unchanged: int
    backup: Path | None

    @property
    def written(self) -> bool:
        return self.import_id is not None


def now() -> datetime:
    """Times are stored as UTC without a zone (the audit view says so)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@contextmanager
def reading(db: Path):
    """A read-only view of the file as it is now on disk.

    ``duckdb.connect(path)`` hands back the database already open in this process for that
    path (the app keeps one open), which after a swap is the old file. Attaching the path to a
    fresh in-memory connection always opens the current file.
    """
    db = Path(db)
    if not db.exists():
        raise ChisoError.coded("store.no_db", db=db)
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS chiso_db (READ_ONLY)", [str(db)])
        con.execute("USE chiso_db")
        yield con
    finally:
        con.close()


def db_stamp(db: Path) -> tuple:
    """What identifies one version of the file: swapped files differ in inode and mtime."""
    st = Path(db).stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------- lock ----------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_holder(path: Path) -> dict:
    """What a lock file says: pid, host, since, who; ``garbage`` when it is not a lock we wrote."""
    try:
        raw = path.read_bytes()[:4096]
    except OSError:
        return {}
    if not raw.strip():
        return {}
    lines = raw.decode("utf-8", errors="replace").splitlines()
    keys = ["pid", "host", "since", "who"]
    holder = dict(zip(keys, lines, strict=False))
    if holder.get("pid", "").isdigit() and len(holder["pid"]) < 10:
        holder["pid"] = int(holder["pid"])
    try:
        datetime.fromisoformat(holder.get("since", ""))
        readable = isinstance(holder["pid"], int) and bool(holder.get("host"))
    except ValueError:
        readable = False
    if not readable:
        return {"garbage": True}
    return holder


def _stale(path: Path, holder: dict) -> bool:
    """A lock nobody holds: empty or unreadable for more than a few seconds (a writer fills its
    lock the moment it creates it), or left by a process that died on this host."""
    if not holder or holder.get("garbage"):
        try:
            return time.time() - path.stat().st_mtime > LOCK_STALE_EMPTY_SECONDS
        except OSError:
            return False
    pid = holder.get("pid")
    return isinstance(pid, int) and holder.get("host") == socket.gethostname() and not _alive(pid)


def _locked(db: Path, path: Path, holder: dict) -> LockedError:
    if not holder or holder.get("garbage"):
        return LockedError.coded(
            "store.lock_garbage", path=path, db=db, seconds=f"{LOCK_STALE_EMPTY_SECONDS:.0f}"
        )
    return LockedError.coded(
        "store.locked",
        db=db,
        pid=holder.get("pid", "?"),
        host=holder.get("host", "?"),
        since=holder.get("since", "?"),
        path=path,
    )


def lock_path(db: Path) -> Path:
    return Path(f"{db}.lock")


@contextmanager
def write_lock(db: Path, *, wait: float = 0.0, who: str = ""):
    """Hold ``<db>.lock`` (created with O_EXCL, holding pid, host, time and who) while writing.

    A lock left by a process that died on this host, or an empty or garbage one older than a few
    seconds, is taken over (and logged); a live one makes the caller wait up to ``wait`` seconds,
    then fail with a message naming the holder and what to do.
    """
    path = lock_path(db)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            holder = _lock_holder(path)
            if _stale(path, holder):
                LOG.warning("stale lock file %s taken over (%s)", path, holder or "empty")
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    raise LockedError.coded("store.lock_stuck", path=path, reason=exc.strerror) from None
                continue
            if time.monotonic() >= deadline:
                raise _locked(db, path, holder) from None
            time.sleep(0.2)
    try:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(fd, f"{os.getpid()}\n{socket.gethostname()}\n{stamp}\n{who}\n".encode())
        os.close(fd)
        _clean_stale_temps(Path(db))
        yield
    finally:
        path.unlink(missing_ok=True)


def _temp_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.import-{os.getpid()}.tmp")


def _clean_stale_temps(db: Path) -> None:
    """Copies left by a process that died mid-import (the original was never touched)."""
    for tmp in db.parent.glob(f".{db.name}.import-*.tmp*"):
        found = re.search(r"\.import-(\d+)\.tmp", tmp.name)
        if found and not _alive(int(found.group(1))):
            tmp.unlink(missing_ok=True)


def _crash_hook(point: str) -> None:
    """Tests kill the process at a named point to prove the database survives."""
    if os.environ.get(CRASH_HOOK) == point:
        os.kill(os.getpid(), signal.SIGKILL)


# ---------- swap ----------


def _next_import_id(db: Path) -> int:
    with reading(db) as con:
        ids = [r[0] for r in con.sql("SELECT max(import_id) FROM imports").fetchall()]
        if _has_audit(con):
            ids += [r[0] for r in con.sql("SELECT max(import_id) FROM import_audit").fetchall()]
    return max([i for i in ids if i is not None] + [0]) + 1


def _has_audit(con) -> bool:
    found = con.sql(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_name = 'import_audit'"
    )
    return found.fetchall()[0][0] > 0


def backup_path(db: Path, import_id: int) -> Path:
    return db.with_name(f"{db.name}.before-{import_id}")


def _keep_previous(db: Path, backup: Path) -> None:
    """The file as it is now becomes the backup: a hard link (no copy) where possible."""
    staging = backup.with_name(backup.name + ".tmp")
    staging.unlink(missing_ok=True)
    try:
        os.link(db, staging)
    except OSError:
        shutil.copyfile(db, staging)
    os.replace(staging, backup)


def swap_write(db: Path, stamp: tuple, write, *, who: str, wait: float = 0.0, check=None) -> tuple[int, Path]:
    """The one write path of every import: under the lock, check the file is the one previewed,
    copy it, run ``write(con, import_id, backup_name)`` in one transaction on the copy, optionally
    ``check(copy)``, keep the current file as the backup, and swap the copy in. On any failure
    (or a killed process) the database is exactly as before. Returns (import id, backup path)."""
    db = Path(db)
    with write_lock(db, wait=wait, who=who):
        if db_stamp(db) != stamp:
            raise ChisoError.coded("store.changed_since_preview")
        import_id = _next_import_id(db)
        backup = backup_path(db, import_id)
        tmp = _temp_path(db)
        tmp.unlink(missing_ok=True)
        try:
            shutil.copyfile(db, tmp)
            _crash_hook("after_copy")
            with duckdb.connect(str(tmp)) as con:
                con.execute("BEGIN TRANSACTION")
                con.execute(AUDIT_SCHEMA)
                write(con, import_id, backup.name)
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            if check is not None:
                check(tmp)
            _crash_hook("before_swap")
            _keep_previous(db, backup)
            os.replace(tmp, db)
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
        _prune_backups(db)
    return import_id, backup


def apply_plan(db: Path, plan, write, *, who: str, wait: float = 0.0) -> ApplyResult:
    """A previewed plan (``counts``: added, changed, unchanged; ``db_stamp``) written through
    :func:`swap_write` as ``write(con, plan, import_id, who, backup_name)``; nothing is written,
    and no import recorded, when nothing is added or changed."""
    added, changed, unchanged = plan.counts
    if not added and not changed:
        return ApplyResult(None, 0, 0, unchanged, None)
    import_id, backup = swap_write(
        Path(db),
        plan.db_stamp,
        lambda con, import_id, backup_name: write(con, plan, import_id, who, backup_name),
        who=who,
        wait=wait,
    )
    return ApplyResult(import_id, added, changed, unchanged, backup)


def _prune_backups(db: Path) -> None:
    """Keep the files of the last KEEP_BACKUPS imports that can still be undone."""
    rows = audit(db)
    live = rows.filter(pl.col("undone_at").is_null()).sort("import_id", descending=True)
    for name in live["backup"].to_list()[KEEP_BACKUPS:]:
        if name:
            (db.parent / name).unlink(missing_ok=True)


def audit(db: Path, *, with_rows: bool = False) -> pl.DataFrame:
    """Every import recorded in the database, newest first (empty when none)."""
    columns = AUDIT_COLUMNS + (["long_csv"] if with_rows else [])
    with reading(Path(db)) as con:
        if not _has_audit(con):
            return pl.DataFrame(schema={c: AUDIT_TYPES.get(c, pl.String) for c in columns})
        return con.sql(f"SELECT {', '.join(columns)} FROM import_audit ORDER BY import_id DESC").pl()


def swap_back(db: Path, backup: Path, history: pl.DataFrame) -> None:
    """Swap the kept file ``backup`` back in as ``db``, carrying the audit trail ``history`` over.
    The caller holds the write lock."""
    tmp = _temp_path(db)
    tmp.unlink(missing_ok=True)
    try:
        shutil.copyfile(backup, tmp)
        with duckdb.connect(str(tmp)) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute(AUDIT_SCHEMA)
            con.execute("DELETE FROM import_audit")
            con.register("history", history.to_arrow())
            con.execute(f"INSERT INTO import_audit SELECT {', '.join(AUDIT_COLUMNS)}, long_csv FROM history")
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        _crash_hook("before_swap")
        os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    backup.unlink(missing_ok=True)
