"""Map timings: prints a table. Not a test.

    .venv/bin/python benchmarks/map_bench.py [--db build/chiso.duckdb]

In one fresh process: the first (cold) build of each period's shapes from the registry, a
province's units, then the figure of a table on them (warm shapes), its size as JSON, and the
SVG export. The first map a server draws pays the cold build once; later ones only the figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chiso import geo, paths  # noqa: E402
from chiso.config import load_catalog  # noqa: E402
from chiso.export import files as export  # noqa: E402
from chiso.selection import Selection  # noqa: E402
from chiso.store import queries  # noqa: E402
from chiso.views import maps  # noqa: E402

TABLES = [
    ("provinces", "", "PCI", 2019),
    ("provinces", "", "DTI", 2024),
    ("localities", "Quảng Ninh", "DDCI", 2020),
    ("communes", "Hải Phòng", "PAR", 2025),
]


def _timed(run, *args):
    start = time.perf_counter()
    value = run(*args)
    return value, time.perf_counter() - start


def _row(con, catalog, group: str, province: str, index: str, year: int) -> str:
    ranking = queries.ranking(con, index=index, year=year, peer_group=group, scope_province=province)
    sel = Selection(group, province, index, year)
    scope = maps.map_scope(ranking, sel)
    code = ""
    if scope.level != "provinces":
        code = maps.province_code(geo.names(scope.period, "provinces"), province)
    shapes, cold = _timed(geo.shapes, scope.period, scope.level, code)
    _, warm = _timed(geo.shapes, scope.period, scope.level, code)
    geometry = (shapes, geo.names(scope.period, scope.level), geo.islands(scope.period))
    view, figure = _timed(maps.build, ranking, catalog.index(index), sel, scope, geometry, "vi")
    size = len(view.figure.to_json()) / 1000
    _, svg = _timed(lambda fig: export.figure_svg(fig, width=1200, height=900), view.figure)
    name = f"{index} {year} {group} {province or 'toàn quốc'}"
    return f"{name:<38} {cold:>9.2f} {warm:>9.4f} {figure:>9.3f} {size:>8.0f} {svg:>6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=paths.BUILD_DIR / "chiso.duckdb")
    args = parser.parse_args()
    catalog = load_catalog(paths.CONFIG_PATH)
    con = queries.connect(args.db)
    print(f"{'table':<38} {'cold s':>9} {'warm s':>9} {'figure s':>9} {'JSON kB':>8} {'SVG s':>6}")
    for table in TABLES:
        print(_row(con, catalog, *table))


if __name__ == "__main__":
    main()
