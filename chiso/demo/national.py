"""Synthetic national data at the size the Ministry works with, from the real registry.

Units come from the ``vietnamadminunits`` registry: 696 legacy districts in 63 provinces
(a late-2024 snapshot reused for every year 2015–2024), 3.321 communes and wards in 34
provinces (2025–2026), 20 departments per province, and the provinces themselves. Every
score and count is invented (seeded, reproducible) and the database is marked as demo data,
so every view of it carries the "Dữ liệu minh họa" banner. Generation is vectorised
(NumPy + Polars); the result goes through the same validated build as published data.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from chiso.config import Catalog, load_catalog
from chiso.demo import shared
from chiso.demo.shared import COUNT_INDICATORS, Flow, drawn_counts
from chiso.names import fold
from chiso.store.build import BuildReport, apply_peer_rules, build, declared_editions

LEGACY_YEARS = list(range(2015, 2025))
NEW_YEARS = [2025, 2026]
SOURCE = "Dữ liệu minh họa quy mô toàn quốc do chiso demo --scale national sinh ra"
# The demo province's departments and five more: 20 per province.
DEPARTMENTS = [
    *shared.DEPARTMENTS,
    "Ban Quản lý các Khu công nghiệp",
    "Cục Thuế",
    "Kho bạc Nhà nước tỉnh",
    "Bảo hiểm Xã hội tỉnh",
    "Công an tỉnh",
]
DISTRICT_TYPES = {"Huyện": "district", "Quận": "urban_district", "Thành phố": "city", "Thị xã": "town"}
WARD_TYPES = {"Xã": "commune", "Phường": "ward", "Đặc khu": "special_zone"}
# (peer group, years) -> indices scored. Provinces are ranked nationally on the national indices.
PLAN = {
    "localities": (LEGACY_YEARS, ["PAR", "SIPAS", "DGI", "DDCI", "DTI"]),
    "communes": (NEW_YEARS, ["PAR", "SIPAS", "DTI"]),
    "departments": (LEGACY_YEARS + NEW_YEARS, ["PAR", "SIPAS", "DDCI"]),
    "provinces": (LEGACY_YEARS + NEW_YEARS, ["PAR", "SIPAS", "PCI", "PAPI", "DTI"]),
}


@dataclass(frozen=True)
class NationalCounts:
    units: int
    score_rows: int
    count_rows: int


def _registry() -> tuple[pl.DataFrame, pl.DataFrame]:
    import vietnamadminunits

    path = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(path) as con:
        legacy = con.execute(
            "SELECT DISTINCT provinceShort, districtShort, districtType, districtCode FROM admin_units_legacy"
        ).fetchall()
        new = con.execute("SELECT provinceShort, wardShort, wardType, wardCode FROM admin_units").fetchall()
    districts = pl.DataFrame(legacy, schema=["province", "short_name", "kind", "code"], orient="row")
    wards = pl.DataFrame(new, schema=["province", "short_name", "kind", "code"], orient="row")
    return districts, wards


def _named(registry: pl.DataFrame, types: dict[str, str], group: str, years: list[int]) -> pl.DataFrame:
    """Registry rows as units of one peer group: 'Huyện Ba Vì', its unit type, the years it is scored."""
    return registry.with_columns(
        name=pl.col("kind") + " " + pl.col("short_name"),
        unit_type=pl.col("kind").replace_strict(types),
        peer_group=pl.lit(group),
        first_year=pl.lit(years[0]),
        last_year=pl.lit(years[-1]),
    )


def national_units() -> pl.DataFrame:
    """Every unit with the years it is scored in (``first_year``, ``last_year``) and its peer group."""
    districts, wards = _registry()
    localities = _named(districts, DISTRICT_TYPES, "localities", LEGACY_YEARS)
    communes = _named(wards, WARD_TYPES, "communes", NEW_YEARS)
    # Two wards may share a name (or differ only by accents) within a province: the code keeps them apart.
    folded = pl.col("name").map_elements(fold, return_dtype=pl.String)
    communes = communes.with_columns(
        name=pl.when(folded.is_duplicated().over("province"))
        .then(pl.col("name") + " (" + pl.col("code") + ")")
        .otherwise(pl.col("name"))
    )
    legacy_provinces = set(districts.get_column("province").to_list())
    new_provinces = set(wards.get_column("province").to_list())
    province_rows = [
        {
            "province": p,
            "short_name": p,
            "kind": "Tỉnh",
            "code": "",
            "name": p,
            "unit_type": "province",
            "peer_group": "provinces",
            "first_year": LEGACY_YEARS[0] if p in legacy_provinces else NEW_YEARS[0],
            "last_year": NEW_YEARS[-1] if p in new_provinces else LEGACY_YEARS[-1],
        }
        for p in sorted(legacy_provinces | new_provinces)
    ]
    provinces = pl.DataFrame(province_rows)
    departments = (
        provinces.select("province", "first_year", "last_year")
        .join(pl.DataFrame({"name": DEPARTMENTS}), how="cross")
        .with_columns(
            short_name=pl.col("name"),
            kind=pl.lit(""),
            code=pl.lit(""),
            unit_type=pl.lit("department"),
            peer_group=pl.lit("departments"),
        )
    )
    columns = ["province", "name", "short_name", "unit_type", "code", "peer_group", "first_year", "last_year"]
    return pl.concat(
        [f.select(columns) for f in (provinces, localities, communes, departments)], how="vertical_relaxed"
    )


def _structure(
    catalog: Catalog, index_code: str, group: str, provinces: list[str], years: list[int]
) -> pl.DataFrame:
    """Components (or the total alone) with maxima per province and year, from the config's variants."""
    index = catalog.index(index_code)
    rows = []
    for province in provinces:
        for year in years:
            variant = index.variant_for(province, group, year)
            top = index.max_for(province, group, year, None)
            aggregation = index.aggregation_for(province, group, year)
            decimals = index.decimals_for(province, group, year)
            for comp in variant.components if variant else []:
                rows.append((province, year, comp.code, comp.max, top, aggregation, decimals))
            if not variant or not variant.components:
                rows.append((province, year, "", top, top, aggregation, decimals))
    return pl.DataFrame(
        rows,
        schema={
            "province": pl.String,
            "year": pl.Int64,
            "component": pl.String,
            "comp_max": pl.Float64,
            "top": pl.Float64,
            "aggregation": pl.String,
            "decimals": pl.Int64,
        },
        orient="row",
    )


def national_scores(catalog: Catalog, units: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Component and total scores for every unit, index and year of the plan; totals follow the config."""
    frames = []
    for group, (years, indices) in PLAN.items():
        members = units.filter(pl.col("peer_group") == group)
        unit_years = members.join(pl.DataFrame({"year": years}), how="cross").filter(
            pl.col("year").is_between(pl.col("first_year"), pl.col("last_year"))
        )
        provinces = members.get_column("province").unique().to_list()
        for code in indices:
            structure = _structure(catalog, code, group, provinces, years)
            n_units = members.height
            ability = pl.DataFrame(
                {
                    "name": members["name"],
                    "province": members["province"],
                    "ability": rng.uniform(0.62, 0.93, n_units),
                    "trend": rng.uniform(-0.01, 0.015, n_units),
                }
            )
            rows = (
                unit_years.join(ability, on=["province", "name"])
                .join(structure, on=["province", "year"])
                .sort("province", "name", "year", "component")  # the noise below is drawn in this order
            )
            noise = rng.normal(0, 0.05, rows.height)
            share = (
                pl.col("ability") + pl.col("trend") * (pl.col("year") - years[0]) + pl.Series(noise)
            ).clip(0, 1)
            scale = pl.lit(10.0).pow(pl.col("decimals"))
            rows = rows.with_columns(value=(pl.col("comp_max") * share * scale).round() / scale)
            components = rows.filter(pl.col("component") != "")
            totals_sum = (
                components.filter(pl.col("aggregation") == "sum")
                .group_by("province", "name", "year", "top", "decimals")
                .agg(pl.col("value").sum())
            )
            totals_mean = (
                components.filter(pl.col("aggregation") != "sum")
                .group_by("province", "name", "year", "top", "decimals")
                .agg((pl.col("value") / pl.col("comp_max")).mean().alias("share"))
                .with_columns(value=(pl.col("share") * pl.col("top") * scale).round() / scale)
                .drop("share")
            )
            totals_only = rows.filter(pl.col("component") == "").select(
                "province", "name", "year", "top", "decimals", "value"
            )
            totals = pl.concat([totals_sum, totals_mean, totals_only], how="diagonal_relaxed").with_columns(
                component=pl.lit(""), value=pl.min_horizontal("value", "top")
            )
            for part in (components, totals):
                frames.append(
                    part.select(
                        "province",
                        pl.col("name").alias("unit"),
                        pl.lit(code).alias("index"),
                        "component",
                        "year",
                        pl.col("value").alias("score"),
                        pl.lit(group).alias("_group"),
                    )
                )
    scores = pl.concat(frames)
    # A province's own blocks (config peer_group_rules: Hải Phòng's wards from 2025) are tables too.
    types = units.select("province", pl.col("name").alias("unit"), "unit_type").unique(["province", "unit"])
    scores = (
        scores.join(types, on=["province", "unit"], how="left")
        .rename({"_group": "peer_group"})
        .pipe(apply_peer_rules, catalog)
        .rename({"peer_group": "_group"})
        .drop("unit_type")
    )
    scores = _former_edition(scores, catalog)
    # Every table is complete: rank_of = the number of units in it; provinces form one national table.
    scope = pl.when(pl.col("_group") == "provinces").then(pl.lit("")).otherwise(pl.col("province"))
    return scores.with_columns(
        rank_of=pl.len().over(scope, "_group", "index", "component", "year", "edition").cast(pl.String),
        source_title=pl.lit(SOURCE),
    ).drop("_group")


def _former_edition(scores: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """A year the config publishes in several editions (DTI 2024 of provinces): the demo's units
    of that year are the former ones, so their rows are of the former units' edition."""
    former = (
        declared_editions(catalog)
        .filter(pl.col("edition_units") == "former")
        .select(pl.col("index_code").alias("index"), "year", pl.col("peer_group").alias("_group"), "edition")
        .with_columns(pl.col("year").cast(scores.schema["year"]))
    )
    return scores.join(former, on=["index", "year", "_group"], how="left").with_columns(
        pl.col("edition").fill_null("")
    )


FLOW = Flow(
    postal=0.01, resolved=(0.88, 0.99), late=(0, 0.05), early=(0.4, 0.8), digitised=(0.7, 1), paid=(0.2, 0.7)
)


def national_counts(units: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Monthly one-stop counts for every commune and ward, 2025–2026, consistent with each other."""
    communes = units.filter(pl.col("peer_group") == "communes").select("province", "name")
    months = pl.DataFrame(
        {"period_start": pl.date_range(pl.date(2025, 1, 1), pl.date(2026, 12, 1), "1mo", eager=True)}
    )
    rows = communes.join(months, how="cross")
    n = rows.height
    received = rng.integers(40, 900, n)
    online = (received * rng.uniform(0.5, 0.98, n)).astype(int)
    values = drawn_counts(
        received,
        online,
        procedures=np.full(n, 110),
        full_online=rng.integers(60, 110, n),
        flow=FLOW,
        uniform=lambda low, high: rng.uniform(low, high, n),
        whole=lambda values: values.astype(int),
    )
    wide = rows.with_columns(**{k: pl.Series(v) for k, v in values.items()})
    return (
        wide.unpivot(
            index=["province", "name", "period_start"], on=COUNT_INDICATORS, variable_name="indicator"
        )
        .with_columns(period_end=pl.col("period_start").dt.month_end(), level=pl.lit("unit"))
        .select(
            "province",
            pl.col("name").alias("unit"),
            pl.lit("").alias("unit_type"),
            "level",
            pl.col("period_start").cast(pl.String),
            pl.col("period_end").cast(pl.String),
            "indicator",
            pl.col("value").cast(pl.String),
            pl.lit(SOURCE).alias("source_title"),
            pl.lit("").alias("quote"),
        )
    )


def write_units_csv(units: pl.DataFrame, folder: Path) -> None:
    """The registry's units as ``units.csv`` rows: communes valid from their first year, the old
    localities until 2025; peer groups left to the config's rules."""
    units.select(
        "province",
        "name",
        "short_name",
        "unit_type",
        "code",
        pl.when(pl.col("peer_group") == "communes").then(pl.col("first_year")).alias("valid_from"),
        pl.when(pl.col("peer_group") == "localities").then(pl.lit(2025)).alias("valid_to"),
        pl.lit("").alias("successor"),
        pl.lit("").alias("peer_group"),
        pl.lit("").alias("aliases"),
    ).write_csv(folder / "units.csv")


def write_national_data(catalog: Catalog, folder: Path, seed: int) -> NationalCounts:
    rng = np.random.default_rng(seed)
    units = national_units()
    write_units_csv(units, folder)
    scores = national_scores(catalog, units, rng)
    (folder / "scores").mkdir(parents=True, exist_ok=True)
    scores.write_csv(folder / "scores" / "national.csv")
    counts = national_counts(units, rng)
    (folder / "one_stop").mkdir(parents=True, exist_ok=True)
    counts.write_csv(folder / "one_stop" / "counts.csv")
    return NationalCounts(units.height, scores.height, counts.height)


def build_national(
    config_path: Path, db_path: Path, *, seed: int = 2024
) -> tuple[BuildReport, NationalCounts]:
    catalog = load_catalog(config_path)
    with tempfile.TemporaryDirectory(prefix="chiso-national-") as tmp:
        counts = write_national_data(catalog, Path(tmp), seed)
        return build(config_path, Path(tmp), db_path, dataset="demo"), counts
