"""A complete fictional province for trying every feature before real tables are loaded.

Seeded and reproducible. On 1 July 2025 the province is reorganised (:mod:`chiso.demo.reform`):
its 13 localities are abolished and their territory regrouped into 51 new communes, wards and a
special zone, one department merges into another; 2025 and 2026 are scored on the commune-level
framework. It writes the project's own CSV files into a temporary folder and
builds them through the same validated path as the published data, so the demo exercises
the real build. Every value is invented: the database is marked ``dataset = demo`` and every
view of it carries the "Dữ liệu minh họa" banner.
"""

from __future__ import annotations

import calendar
import csv
import random
import tempfile
from pathlib import Path

from chiso.config import Catalog, Index, load_catalog
from chiso.demo import reform
from chiso.demo.shared import COUNT_INDICATORS, DEPARTMENTS, Flow, drawn_counts
from chiso.store.build import BuildReport, build

PROVINCE = "Sơn Hải"
YEARS = range(2018, 2025)
SOURCE = "Dữ liệu minh họa do chiso demo sinh ra (không phải số liệu công bố)"
LOCALITIES = [
    ("Thành phố Hải Minh", "Hải Minh", "city"),
    ("Thành phố Vân Khê", "Vân Khê", "city"),
    ("Thị xã Đông Lâm", "Đông Lâm", "town"),
    ("Thị xã An Thạch", "An Thạch", "town"),
    ("Huyện Bình Nguyên", "Bình Nguyên", "district"),
    ("Huyện Cẩm Lĩnh", "Cẩm Lĩnh", "district"),
    ("Huyện Đồi Mây", "Đồi Mây", "district"),
    ("Huyện Gia Thủy", "Gia Thủy", "district"),
    ("Huyện Hòa Phong", "Hòa Phong", "district"),
    ("Huyện Lam Sơn Hạ", "Lam Sơn Hạ", "district"),
    ("Huyện Mộc Hương", "Mộc Hương", "district"),
    ("Huyện Ngọc Tuyền", "Ngọc Tuyền", "district"),
    ("Huyện đảo Sa Châu", "Sa Châu", "district"),
]
# Which indices each block is scored on (PCI and PAPI rank provinces nationally: not for one province).
BLOCK_INDICES = {
    "localities": ["PAR", "SIPAS", "DGI", "DDCI", "DTI"],
    "departments": ["PAR", "SIPAS", "DDCI"],
}


def _units() -> list[dict]:
    rows = [
        {
            "province": PROVINCE,
            "name": PROVINCE,
            "short_name": PROVINCE,
            "unit_type": "province",
            "aliases": f"Tỉnh {PROVINCE}",
            "valid_from": "",
            "valid_to": "",
        }
    ]
    for name, short, kind in LOCALITIES:
        prefix = {"city": "TP", "town": "TX", "district": "H."}[kind]
        rows.append(
            {
                "province": PROVINCE,
                "name": name,
                "short_name": short,
                "unit_type": kind,
                "aliases": f"{prefix} {short}",
                "valid_from": "",
                "valid_to": str(reform.LAST_OLD_YEAR),  # the district level ends on 30 June 2025
            }
        )
    rows += [
        {
            "province": PROVINCE,
            "name": d,
            "short_name": d,
            "unit_type": "department",
            "aliases": "",
            "valid_from": "",
            "valid_to": str(reform.LAST_OLD_YEAR) if d in reform.MERGED_DEPARTMENTS else "",
        }
        for d in DEPARTMENTS
    ]
    return rows + reform.new_units(PROVINCE, LOCALITIES)


def _clip(value: float, top: float) -> float:
    return min(max(value, 0.0), top)


def _index_rows(
    index: Index, group: str, names: list[str], rng: random.Random, years: range = YEARS
) -> list[dict]:
    """Component and total scores of one index for one block, every year."""
    ability = {n: rng.uniform(0.70, 0.93) for n in names}
    trend = {n: rng.uniform(-0.012, 0.018) for n in names}
    rows = []
    for year in years:
        variant = index.variant_for(PROVINCE, group, year)
        top = index.max_for(PROVINCE, group, year, None)
        decimals = index.decimals_for(PROVINCE, group, year)
        aggregation = index.aggregation_for(PROVINCE, group, year)
        components = variant.components if variant else []
        for name in names:
            level = ability[name] + trend[name] * (year - years.start)
            parts = []
            for comp in components:
                share = _clip(level + rng.gauss(0, 0.06), 1.0)
                value = round(comp.max * share, decimals)
                parts.append((comp, value))
                rows.append(_row(name, index.code, comp.code, year, value, ""))
            if aggregation == "sum" and parts:
                total = round(sum(v for _, v in parts), decimals)
            elif parts:  # weighted or published: the mean share of the components, on the index scale
                total = round(top * sum(v / c.max for c, v in parts) / len(parts), decimals)
            else:
                total = round(top * _clip(level + rng.gauss(0, 0.03), 1.0), decimals)
            rows.append(_row(name, index.code, "", year, min(total, top), str(len(names))))
    return rows


def _row(unit: str, index: str, component: str, year: int, score: float, rank_of: str) -> dict:
    return {
        "province": PROVINCE,
        "unit": unit,
        "unit_type": "",
        "index": index,
        "component": component,
        "year": year,
        "score": score,
        "max_score": "",
        "rank": "",
        "rank_of": rank_of,
        "source_title": SOURCE,
        "source_url": "",
        "quote": "",
    }


FLOW = Flow(
    postal=0.02,
    resolved=(0.9, 0.99),
    late=(0.0, 0.04),
    early=(0.5, 0.8),
    digitised=(0.6, 1.0),
    paid=(0.2, 0.6),
)


def _count_rows(rng: random.Random) -> list[dict]:
    """Monthly one-stop counts for every locality, consistent with each other (sums add up)."""
    rows = []
    for name, _, _ in LOCALITIES:
        size = rng.randint(300, 1800)
        online_share = rng.uniform(0.35, 0.6)
        for year in YEARS:
            online_share = min(online_share + rng.uniform(0.02, 0.07), 0.97)
            for month in range(1, 13):
                received = max(int(rng.gauss(size, size * 0.12)), 10)
                values = drawn_counts(
                    received,
                    int(received * online_share),
                    procedures=320,
                    full_online=int(320 * min(online_share + 0.1, 1)),
                    flow=FLOW,
                    uniform=rng.uniform,
                    whole=int,
                )
                last = calendar.monthrange(year, month)[1]
                for indicator in COUNT_INDICATORS:
                    rows.append(
                        {
                            "province": PROVINCE,
                            "unit": name,
                            "unit_type": "",
                            "level": "unit",
                            "period_start": f"{year}-{month:02d}-01",
                            "period_end": f"{year}-{month:02d}-{last}",
                            "indicator": indicator,
                            "value": values[indicator],
                            "source_title": SOURCE,
                            "quote": "",
                        }
                    )
    return rows


def write_demo_data(catalog: Catalog, folder: Path, seed: int) -> Path:
    rng = random.Random(seed)
    blocks = {"localities": [n for n, _, _ in LOCALITIES], "departments": DEPARTMENTS}
    scores = []
    for group, codes in BLOCK_INDICES.items():
        for code in codes:
            scores += _index_rows(catalog.index(code), group, blocks[group], rng)
    # The reorganisation of 1 July 2025 draws from its own generator, so the years before it keep
    # the values they always had.
    after = random.Random(seed + reform.REFORM_YEAR)
    new_names = [u["name"] for u in reform.new_units(PROVINCE, LOCALITIES)]
    for code in reform.COMMUNE_INDICES:
        scores += _index_rows(catalog.index(code), "communes", new_names, after, reform.YEARS)
    kept = [d for d in DEPARTMENTS if d not in reform.MERGED_DEPARTMENTS]
    for code in BLOCK_INDICES["departments"]:
        scores += _index_rows(catalog.index(code), "departments", kept, after, reform.YEARS)
    write_rows(folder / "units.csv", _units())
    write_rows(folder / "lineage.csv", reform.lineage_rows(PROVINCE, LOCALITIES, SOURCE))
    write_rows(folder / "scores" / "demo.csv", scores)
    write_rows(folder / "one_stop" / "counts.csv", _count_rows(rng))
    return folder


def build_demo(config_path: Path, db_path: Path, *, seed: int = 2024) -> BuildReport:
    """Generate the demo province and build it into ``db_path`` (marked as demo data)."""
    catalog = load_catalog(config_path)
    with tempfile.TemporaryDirectory(prefix="chiso-demo-") as tmp:
        folder = write_demo_data(catalog, Path(tmp), seed)
        return build(config_path, folder, db_path, dataset="demo")


def write_rows(path: Path, rows: list[dict]) -> None:
    """Rows as a UTF-8 CSV in the data folder's layout (header from the first row's keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
