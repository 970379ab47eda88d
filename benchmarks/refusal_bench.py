"""Time to refuse a long CSV at the 200.000-row limit whose units nobody knows: prints a table. Not a test.

    .venv/bin/python benchmarks/refusal_bench.py [--rows 200000] [--distinct 0] [--db build/chiso.duckdb]

Writes a long-format CSV naming ``--rows`` units that exist nowhere (``--distinct`` different
names; 0: every row a different name), copies the database (or builds one from config/ and data/
when it is missing), and runs ``chiso import`` on the copy in a child process. Prints the wall
time (target ≤ 30 s at 200.000 rows), the child's CPU time and peak memory, the exit code, the
number of message lines and the first message, and checks the database is unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHISO = [sys.executable, "-c", "import sys; from chiso.cli.main import main; sys.exit(main())"]


def write_csv(path: Path, rows: int, distinct: int) -> None:
    names = distinct or rows
    lines = ["province,unit,index,component,year,score,rank,rank_of"]
    lines += [f"Quảng Ninh,Đơn vị lạ {i % names},PAR,,2024,{50 + i % 50}.5,," for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--distinct", type=int, default=0)
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "chiso.duckdb")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chiso-refusal-") as folder:
        work = Path(folder)
        db = work / "chiso.duckdb"
        if args.db.exists():
            shutil.copy(args.db, db)
        else:
            subprocess.run([*CHISO, "build", "--db", str(db)], cwd=ROOT, check=True, capture_output=True)
        csv = work / "unknown_units.csv"
        write_csv(csv, args.rows, args.distinct)
        before = digest(db)
        start = time.perf_counter()
        done = subprocess.run(
            [*CHISO, "import", str(csv), "--db", str(db)], cwd=ROOT, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        lines = [line for line in done.stdout.splitlines() if line.strip().startswith("✗")]
        size = csv.stat().st_size
        print(f"rows {args.rows:,} · distinct names {args.distinct or args.rows:,} · {size:,} bytes")
        print(f"  wall time        {wall:6.1f} s   (target ≤ 30 s)")
        print(f"  CPU (user+sys)   {usage.ru_utime + usage.ru_stime:6.1f} s   (build included if it ran)")
        print(f"  peak memory      {usage.ru_maxrss / 1024:6.0f} MB")
        print(f"  exit code        {done.returncode}   database unchanged: {digest(db) == before}")
        print(f"  message lines    {len(lines)}")
        print(f"  first            {lines[0].strip()[:160] if lines else done.stderr.strip()[:160]}")
        print(f"  last             {lines[-1].strip()[:160] if lines else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
