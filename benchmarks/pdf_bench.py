"""PDF annex import timings and OCR accuracy: prints a table. Not a test.

    .venv/bin/python benchmarks/pdf_bench.py [--dpi 200 300] [--pages 1-3]

Prints the time to read a 3-page text annex (target ≤ 10 s) and a 3-page scan (target ≤ 60 s),
and for scans at each resolution: numeric cells right before review, wrong cells, and how many
of the wrong ones were flagged. Beside the wall time: the CPU time (this process and the
tesseract, pdftoppm and pdfimages it runs) and the load average when it ended (the machine is
shared, so the wall time depends on the other jobs). The 2025 commune table (Dữ liệu minh họa)
of the generated test corpus is used: chromium prints it, pdftoppm and Pillow make the scans
(±2° skew, noise).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chiso.config import load_catalog  # noqa: E402
from chiso.ingest import dispatch  # noqa: E402
from chiso.ingest.annex import ImportOptions  # noqa: E402
from tests.ingest.test_pdf_scan import accuracy  # noqa: E402
from tests.pdf import make_corpus  # noqa: E402


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn):
    """(wall seconds, CPU seconds, load average over the last minute, result)."""
    start, cpu = time.perf_counter(), _cpu()
    result = fn()
    return time.perf_counter() - start, _cpu() - cpu, os.getloadavg()[0], result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    parser.add_argument("--pages", default="1-3")
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "config" / "indices.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        variant = make_corpus.Variant("communes", "portrait", True, True)
        pdf, xlsx, table = make_corpus.make_pdf(variant, folder)
        options = ImportOptions(**table.options, pages=args.pages, accept_flagged=True)
        expected = dispatch.read_annex(xlsx, catalog, options)
        seconds, cpu, load, read = timed(lambda: dispatch.read_annex(pdf, catalog, options))
        heads = f"{'seconds':>8} {'CPU s':>6} {'load':>5} {'right':>9} {'wrong':>6} {'flagged':>8}"
        print(f"{'what':<34} {heads}")
        right, total, wrong, unflagged = accuracy(read, expected)
        label = f"text PDF, pages {args.pages} (≤ 10 s)"
        print(f"{label:<34} {seconds:8.1f} {cpu:6.1f} {load:5.1f} {right:>4}/{total:<4} {len(wrong):>6}")
        for dpi in args.dpi:
            scan = make_corpus.scan(pdf, folder / f"scan{dpi}.pdf", dpi=dpi, skew=2.0, pages=args.pages)
            seconds, cpu, load, read = timed(lambda scan=scan: dispatch.read_annex(scan, catalog, options))
            right, total, wrong, unflagged = accuracy(read, expected)
            flagged = len(wrong) - len(unflagged)
            label = f"scan {dpi} dpi, {args.pages} (≤ 60 s)"
            counts = f"{right:>4}/{total:<4} {len(wrong):>6} {flagged:>4}/{len(wrong):<3}"
            print(f"{label:<34} {seconds:8.1f} {cpu:6.1f} {load:5.1f} {counts}")
            for cell in wrong:
                print(f"    {'flagged' if cell not in unflagged else 'NOT FLAGGED'}: {cell}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
