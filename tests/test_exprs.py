"""Rounding and labels as native Polars expressions: the same numbers the screen prints, and no
Python callback on any path a page runs (callbacks hung the server with several sessions at once)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import polars as pl

from chiso import exprs, fmt

ROOT = Path(__file__).resolve().parents[1]


def test_round_half_up_expression_equals_the_printed_rounding():
    rng = random.Random(2024)
    values = [rng.uniform(-1000, 1000) for _ in range(20_000)]
    values += [round(rng.uniform(0, 100), 3) for _ in range(20_000)]  # many exact halves
    values += [2.675, 1.005, 90.925, 96.035, 0.125, -2.675, 28.81 / 30 * 100, 0.0, -0.0]
    frame = pl.DataFrame({"v": values})
    for decimals in (0, 1, 2, 4):
        got = frame.select(exprs.round_half_up("v", decimals)).to_series().to_list()
        want = [fmt.round_half_up(v, decimals) for v in values]
        assert got == want, next((v, g, w) for v, g, w in zip(values, got, want, strict=True) if g != w)


def test_mapped_labels_and_rank_text():
    frame = pl.DataFrame({"level": ["unit", "communes", None, "unit"], "rank": [3, None, 2, 1]})
    frame = frame.with_columns(rank_of=pl.Series([13, 13, None, 13]))
    out = frame.select(
        exprs.mapped(frame, "level", lambda v: v.upper()).alias("label"), exprs.rank_text().alias("r")
    )
    assert out.get_column("label").to_list() == ["UNIT", "COMMUNES", None, "UNIT"]
    assert out.get_column("r").to_list() == [fmt.rank(3, 13), fmt.rank(None, 13), fmt.rank(2, None), "1/13"]


def test_no_python_callback_on_a_page_path():
    """views, metrics, export, app and cli run inside the server's sessions: no map_elements there."""
    offenders = []
    for folder in ("views", "metrics", "export", "app", "cli"):
        for path in sorted((ROOT / "chiso" / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"\.map_elements\(|\.map_rows\(|\.apply\(", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, offenders
