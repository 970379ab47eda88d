"""Run every hostile case through ``chiso import`` in this one fresh process and report as JSON.

    python tests/hostile/run_corpus.py CORPUS_FOLDER BASE_DB WORK_FOLDER > results.json

One process for the whole corpus keeps the test fast; its peak memory (this process and every
child it waited for, the bounded workbook readers included) is recorded after each case, so a
bound that holds after a case held during it. Each case gets a fresh copy of the base database;
an injected fault (full disk, read-only folder) replaces the write step, nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import shutil
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest workbook-reading child so far.
    Both are read from VmHWM, which exec resets: ru_maxrss would carry the forking parent's size."""
    from chiso.ingest import xlsx_guard

    return xlsx_guard.peak_kb() / 1024, max(xlsx_guard.CHILD_PEAKS_KB, default=0) / 1024


@contextlib.contextmanager
def fault(kind: str, db: Path):
    import duckdb

    from chiso.store import swap

    if kind not in ("enospc", "erofs", "checkpoint"):
        yield
        return
    real_copy = swap.shutil.copyfile
    real_hook = swap._crash_hook

    def copy(src, dst, *a, **kw):
        if kind == "enospc":
            Path(dst).write_bytes(Path(src).read_bytes()[:4096])  # a partial copy, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        if kind == "erofs":
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        return real_copy(src, dst, *a, **kw)

    def hook(point):
        if kind == "checkpoint" and point == "before_swap":
            raise duckdb.FatalException(
                "FATAL Error: Failed to create checkpoint because of error: No space left on device"
            )
        return real_hook(point)

    swap.shutil.copyfile, swap._crash_hook = copy, hook
    try:
        yield
    finally:
        swap.shutil.copyfile, swap._crash_hook = real_copy, real_hook


def scores_of(db: Path, file: str) -> list[float]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT score FROM scores WHERE file = ? ORDER BY line", [file]).fetchall()
    return [r[0] for r in rows]


def count(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM scores").fetchone()[0]


def run_case(case, corpus: Path, base: Path, work: Path) -> dict:
    from chiso.cli.main import main

    folder = work / case.name.replace(".", "_")
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "chiso.duckdb"
    shutil.copyfile(base, db)
    if case.fault == "db_folder":
        db.unlink()
        db.mkdir()
    elif case.fault == "db_corrupt":
        db.write_bytes(b"DUCK" + bytes(range(256)) * 64)
    elif case.fault == "db_empty":
        db.write_bytes(b"")
    before_sha = sha(db)
    before_rows = None if case.fault.startswith("db_") else count(db)
    argv = ["import", str(corpus / case.name), "--db", str(db)]
    for key, value in case.options.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    out, err = io.StringIO(), io.StringIO()
    escaped = ""
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), fault(case.fault, db):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            code, escaped = None, traceback.format_exc()
    seconds = time.perf_counter() - started
    own, children = peak_mb()
    result = {
        "name": case.name,
        "code": code,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "escaped": escaped,
        "seconds": round(seconds, 2),
        "peak_mb": round(own, 1),
        "peak_child_mb": round(children, 1),
        "unchanged": sha(db) == before_sha,
        "leftovers": sorted(p.name for p in folder.iterdir() if p.name not in ("chiso.duckdb",)),
    }
    if case.expect == "imported" and db.is_file():
        result["scores"] = scores_of(db, case.name)
        result["added"] = count(db) - (before_rows or 0)
    return result


def main_run(corpus: Path, base: Path, work: Path) -> list[dict]:
    import pickle

    from tests.hostile.make_hostile import cases

    saved = corpus / "cases.pkl"
    made = pickle.loads(saved.read_bytes()) if saved.is_file() else cases(corpus)
    results = []
    for case in made:
        results.append(run_case(case, corpus, base, work))
        print(case.name, results[-1]["code"], results[-1]["seconds"], file=sys.__stderr__, flush=True)
    return results


if __name__ == "__main__":
    results = main_run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
    json.dump(results, sys.stdout, ensure_ascii=False)
