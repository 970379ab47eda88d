"""What the benchmark scripts share: the checkout on ``sys.path``, a timer, the usual options and
the table of timings they print. Benchmarks print numbers; none is a test."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from any folder, without installing


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def parser(doc: str, *, repeat: int) -> argparse.ArgumentParser:
    """The options every timing script takes: the database and how many warm runs."""
    from chiso import paths

    out = argparse.ArgumentParser(description=doc.splitlines()[0])
    out.add_argument("--db", type=Path, default=paths.db_path())
    out.add_argument("--repeat", type=int, default=repeat)
    return out


def print_times(title: str, rows: list[tuple], width: int, extra: tuple[str, ...] = ()) -> None:
    """A row per step: name, runs, median, min and max seconds, then the ``extra`` columns."""
    more = " ".join(f"{name:>9}" for name in extra)
    print(f"{title:<{width}} {'n':>3} {'median s':>9} {'min s':>8} {'max s':>8} {more}".rstrip())
    for name, times, *rest in rows:
        cells = " ".join(f"{value:>9}" for value in rest)
        print(
            f"{name:<{width}} {len(times):>3} {statistics.median(times):>9.3f} {min(times):>8.3f} "
            f"{max(times):>8.3f} {cells}".rstrip()
        )
