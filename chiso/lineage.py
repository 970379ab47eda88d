"""Lineage of administrative units across the 2025 reorganisation, from ``vietnamadminunits``.

One row per edge predecessor -> successor, with the date the successor took over and the kind:
``whole`` (the predecessor's whole territory went to that successor) or ``part`` (it was split
between several successors). Three levels, all dated 1 July 2025 except one rename:

- ``province``: the 63 provinces to 30 June 2025 -> the 34 from 1 July 2025 (a province that kept
  its name and territory maps to itself); Thừa Thiên Huế -> Huế on 1 January 2025, when it became
  a centrally-run city (the registry's legacy snapshot already names it Huế);
- ``commune``: each of the 10.035 former communes, wards and townships -> the new commune, ward or
  special zone that took it (``part`` for the ones split between several);
- ``district``: each of the 696 former district-level units -> the new units that took its
  territory, derived through its communes (the five island districts without communes map as
  the registry maps them, to their special zone).

Read from the package's ``converter_2025.json`` (old -> new keys) and ``dataset.db`` (names,
types, codes) on first use and cached; importing this module reads nothing.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path

import polars as pl

from chiso.columns import EDGE_COLUMNS, PREDECESSOR_COLUMNS, SUCCESSOR_COLUMNS
from chiso.errors import ChisoError
from chiso.names import fold, strip_prefix

REFORM_DATE = date(2025, 7, 1)
# Provinces renamed before the reform, which the registry's legacy snapshot carries under the new
# name only: (former name, former type, name in the snapshot, date).
RENAMED = [("Thừa Thiên Huế", "Tỉnh", "Huế", date(2025, 1, 1))]
LEVELS = ("province", "district", "commune")
UNIT_TYPES = {
    "Tỉnh": "province",
    "Thành phố": "city",
    "Huyện": "district",
    "Quận": "urban_district",
    "Thị xã": "town",
    "Xã": "commune",
    "Phường": "ward",
    "Thị trấn": "township",
    "Đặc khu": "special_zone",
}


def _package_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data"


def source() -> str:
    try:
        return f"vietnamadminunits {metadata.version('vietnamadminunits')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - installed with the project
        return "vietnamadminunits"


def _frame(con: sqlite3.Connection, sql: str) -> pl.DataFrame:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return pl.DataFrame(cursor.fetchall(), schema=names, orient="row", infer_schema_length=None)


def _unit_type(column: str) -> pl.Expr:
    return pl.col(column).replace_strict(UNIT_TYPES, default=None)


@cache
def registry_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(legacy rows: one per former commune, or per island district without communes;
    new rows: one per commune, ward and special zone from 1 July 2025), read once."""
    with sqlite3.connect(f"file:{_package_dir() / 'dataset.db'}?mode=ro", uri=True) as con:
        legacy = _frame(
            con,
            "SELECT province, provinceShort, provinceCode, provinceKey, district, districtType, "
            "districtCode, districtKey, ward, wardType, wardCode, "
            "provinceKey || '_' || districtKey || '_' || coalesce(wardKey, '') AS old_key "
            "FROM admin_units_legacy",
        )
        new = _frame(
            con,
            "SELECT province, provinceShort, provinceCode, provinceKey, ward, wardType, wardCode, "
            "wardKey FROM admin_units",
        )
    return legacy, new


@cache
def _converter() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(old province key -> new province key; old commune key -> new key, divided or not)."""
    data = json.loads((_package_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    provinces = pl.DataFrame(
        [(new, old) for new, olds in data["DICT_PROVINCE"].items() for old in olds],
        schema=["new_province_key", "old_province_key"],
        orient="row",
    )
    whole = [
        (old, province, ward, False)
        for province, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
        for ward, olds in wards.items()
        for old in olds
    ]
    split = [
        (old, province, item["newWardKey"], True)
        for province, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items()
        for old, items in olds.items()
        for item in items
    ]
    wards = pl.DataFrame(
        whole + split, schema=["old_key", "new_province_key", "new_ward_key", "divided"], orient="row"
    )
    return provinces, wards


@cache
def lineage() -> pl.DataFrame:
    """Every edge predecessor -> successor (columns :data:`EDGE_COLUMNS`), provinces first."""
    legacy, new = registry_frames()
    province_map, ward_map = _converter()
    common = [pl.lit(REFORM_DATE).alias("date"), pl.lit(source()).alias("source")]
    districts, communes = _local_edges(legacy, new, ward_map, common)
    provinces = _province_edges(legacy, new, province_map, common)
    edges = pl.concat([_renamed_edges(provinces), provinces, districts, communes], how="vertical_relaxed")
    order = pl.col("level").replace_strict({lv: i for i, lv in enumerate(LEVELS)}, return_dtype=pl.Int8)
    return (
        edges.select(EDGE_COLUMNS)
        .sort(
            order, "date", "successor_province", "predecessor_province", "predecessor_code", "successor_code"
        )
        .collect()
    )


def _local_edges(legacy, new, ward_map, common: list[pl.Expr]) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """District -> new commune and old commune/ward -> new commune/ward edges (lazy)."""
    new_units = new.select(
        pl.col("provinceShort").alias("successor_province"),
        pl.col("provinceKey").alias("new_province_key"),
        pl.col("wardKey").alias("new_ward_key"),
        pl.col("ward").alias("successor"),
        _unit_type("wardType").alias("successor_type"),
        pl.col("wardCode").alias("successor_code"),
    )
    old_units = legacy.select(
        "old_key",
        pl.col("provinceShort").alias("predecessor_province"),
        pl.col("district").alias("predecessor_district"),
        pl.col("districtCode"),
        _unit_type("districtType").alias("district_type"),
        pl.col("ward").alias("predecessor"),
        _unit_type("wardType").alias("predecessor_type"),
        pl.col("wardCode").alias("predecessor_code"),
    )
    # Old key -> new unit; the island districts (no commune) carry an empty ward in their key.
    mapped = (
        ward_map.lazy()
        .join(old_units.lazy(), on="old_key", how="inner")
        .join(new_units.lazy(), on=["new_province_key", "new_ward_key"], how="inner")
    )
    communes = mapped.filter(pl.col("predecessor").is_not_null()).select(
        pl.lit("commune").alias("level"),
        *PREDECESSOR_COLUMNS,
        *SUCCESSOR_COLUMNS,
        *common,
        pl.when(pl.col("divided")).then(pl.lit("part")).otherwise(pl.lit("whole")).alias("kind"),
    )
    districts = (
        mapped.group_by(
            "predecessor_district",
            "district_type",
            "districtCode",
            "predecessor_province",
            *SUCCESSOR_COLUMNS,
        )
        .agg()
        .with_columns(
            pl.when(pl.len().over("districtCode", "predecessor_province") == 1)
            .then(pl.lit("whole"))
            .otherwise(pl.lit("part"))
            .alias("kind")
        )
        .select(
            pl.lit("district").alias("level"),
            pl.col("predecessor_district").alias("predecessor"),
            pl.col("district_type").alias("predecessor_type"),
            pl.col("districtCode").alias("predecessor_code"),
            pl.lit("").alias("predecessor_district"),
            "predecessor_province",
            *SUCCESSOR_COLUMNS,
            *common,
            "kind",
        )
    )
    return districts, communes


def _province_edges(legacy, new, province_map, common: list[pl.Expr]) -> pl.LazyFrame:
    """Province 63 -> 34 edges (lazy), each whole."""
    new_provinces = new.lazy().select(
        pl.col("provinceKey").alias("new_province_key"),
        pl.col("province").alias("successor"),
        pl.col("provinceCode").alias("successor_code"),
        pl.col("provinceShort").alias("successor_province"),
    )
    old_provinces = legacy.lazy().select(
        pl.col("provinceKey").alias("old_province_key"),
        pl.col("province").alias("predecessor"),
        pl.col("provinceCode").alias("predecessor_code"),
        pl.col("provinceShort").alias("predecessor_province"),
    )
    return (
        province_map.lazy()
        .join(old_provinces.unique(), on="old_province_key")
        .join(new_provinces.unique(), on="new_province_key")
        .select(
            pl.lit("province").alias("level"),
            "predecessor",
            _province_type("predecessor").alias("predecessor_type"),
            "predecessor_code",
            pl.lit("").alias("predecessor_district"),
            "predecessor_province",
            "successor",
            _province_type("successor").alias("successor_type"),
            "successor_code",
            "successor_province",
            *common,
            pl.lit("whole").alias("kind"),
        )
    )


def _renamed_edges(provinces: pl.LazyFrame) -> pl.LazyFrame:
    """Provinces renamed before the reform (:data:`RENAMED`): former name -> the name of 2025."""
    renamed = provinces.filter(pl.col("predecessor_province").is_in([r[2] for r in RENAMED])).unique(
        "predecessor_province"
    )
    return pl.concat(
        [
            renamed.filter(pl.col("predecessor_province") == now).with_columns(
                pl.lit(f"{kind} {former}").alias("predecessor"),
                pl.lit("province").alias("predecessor_type"),
                pl.lit(former).alias("predecessor_province"),
                pl.col("predecessor").alias("successor"),
                pl.col("predecessor_type").alias("successor_type"),
                pl.col("predecessor_code").alias("successor_code"),
                pl.col("predecessor_province").alias("successor_province"),
                pl.lit(when).alias("date"),
            )
            for former, kind, now, when in RENAMED
        ]
    )


def _province_type(column: str) -> pl.Expr:
    return (
        pl.when(pl.col(column).str.starts_with("Thành phố"))
        .then(pl.lit("city"))
        .otherwise(pl.lit("province"))
    )


def _side_units(
    edges: pl.DataFrame, side: str, period: str, level: pl.Expr, district: pl.Expr
) -> pl.DataFrame:
    """One side of every edge (``side``: ``predecessor`` or ``successor``) as units of ``period``."""
    return edges.select(
        level.alias("level"),
        pl.lit(period).alias("period"),
        pl.col(side).alias("name"),
        pl.col(f"{side}_type").alias("unit_type"),
        pl.col(f"{side}_code").alias("code"),
        district.alias("district"),
        pl.col(f"{side}_province").alias("province"),
    )


@cache
def units() -> pl.DataFrame:
    """Every unit that appears in the lineage, once per period: ``level, period (old|new), name,
    unit_type, code, district, province, key, bare`` (``key``/``bare``: folded name with and
    without its prefix, for matching typed names)."""
    edges = lineage()
    old = _side_units(edges, "predecessor", "old", pl.col("level"), pl.col("predecessor_district"))
    new_level = pl.when(pl.col("level") == "province").then(pl.lit("province")).otherwise(pl.lit("commune"))
    new = _side_units(edges, "successor", "new", new_level, pl.lit(""))
    frame = pl.concat([old, new]).unique(maintain_order=True)
    names = frame.get_column("name").unique()
    keys = pl.DataFrame(
        {
            "name": names,
            "key": [fold(n) for n in names],  # ~14.000 distinct names, folded once
            "bare": [strip_prefix(fold(n)) for n in names],
        }
    )
    return frame.join(keys, on="name", how="left", maintain_order="left")


def _text_keys(text: str) -> tuple[str, str]:
    folded = fold(text)
    for short, full in (("tp", "thanh pho"), ("tx", "thi xa"), ("tt", "thi tran")):
        if folded.startswith(short + " "):
            folded = full + folded[len(short) :]
    return folded, strip_prefix(folded)


def find(text: str, province: str | None = None) -> pl.DataFrame:
    """Units a typed name stands for (accents, case and prefix ignored; a code works too), the
    highest level first: 'Quảng Ninh' is the province, 'Xã Quảng Ninh' the commune. Refuses an
    ambiguous name with its candidates, an unknown one with a message."""
    key, bare = _text_keys(text)
    frame = units()
    if province:
        pkey, pbare = _text_keys(province)
        named = frame.filter((pl.col("level") == "province") & pl.col("bare").is_in([pkey, pbare]))
        frame = frame.filter(pl.col("province").is_in(named.get_column("province").unique().to_list()))
    stripped = text.strip()
    for condition in (
        pl.col("code") == stripped,
        pl.col("key") == key,
        pl.col("bare") == bare,
    ):
        found = frame.filter(condition)
        if not found.is_empty():
            break
    else:
        where = f" ở {province}" if province else ""
        raise ChisoError(f"Không tìm thấy đơn vị '{text}'{where} trong danh mục hành chính ({source()})")
    top = min(LEVELS.index(lv) for lv in found.get_column("level"))
    found = found.filter(pl.col("level") == LEVELS[top])
    if LEVELS[top] == "province":
        return found  # one name across both periods (Quảng Ninh to and from 1 July 2025)
    distinct = found.unique(["period", "code"], maintain_order=True)
    if distinct.height > 1:
        listed = "; ".join(
            f"{r['name']} ({', '.join(p for p in (r['district'], r['province']) if p)}; mã {r['code']}, "
            + ("đến 30/6/2025" if r["period"] == "old" else "từ 1/7/2025")
            + ")"
            for r in distinct.head(12).iter_rows(named=True)
        )
        more = f" và {distinct.height - 12} đơn vị khác" if distinct.height > 12 else ""
        raise ChisoError(
            f"Tên '{text}' chỉ {distinct.height} đơn vị: {listed}{more}. Thêm --province hoặc dùng mã đơn vị."
        )
    return distinct


def edges_of(found: pl.DataFrame) -> pl.DataFrame:
    """The lineage of the units :func:`find` returned: a province's own province edges and the
    edges of the district-level units it had and of the new units it has; a district's or a
    commune's edges as predecessor or successor. Columns :data:`EDGE_COLUMNS` plus ``role``
    (``predecessor``: the row names one of the unit's predecessors; ``successor``: one of its
    successors; ``territory``: a district of a province, to the new units)."""
    edges = lineage()
    level = found.item(0, "level")
    if level == "province":
        names = found.get_column("province").unique().to_list()
        new = edges.filter((pl.col("level") == "province") & pl.col("successor_province").is_in(names))
        old = edges.filter((pl.col("level") == "province") & pl.col("predecessor_province").is_in(names))
        territory = edges.filter(
            (pl.col("level") == "district") & pl.col("predecessor_province").is_in(names)
            | (pl.col("level") == "district") & pl.col("successor_province").is_in(names)
        )
        return pl.concat(
            [
                new.with_columns(pl.lit("predecessor").alias("role")),
                old.with_columns(pl.lit("successor").alias("role")),
                territory.with_columns(pl.lit("territory").alias("role")),
            ]
        ).unique(subset=EDGE_COLUMNS, keep="first", maintain_order=True)
    parts = []
    for row in found.iter_rows(named=True):
        if row["period"] == "old":
            parts.append(
                edges.filter(
                    (pl.col("level") == level)
                    & (pl.col("predecessor_code") == row["code"])
                    & (pl.col("predecessor_province") == row["province"])
                ).with_columns(pl.lit("successor").alias("role"))
            )
        else:
            parts.append(
                edges.filter(
                    pl.col("level").is_in(["district", "commune"]) & (pl.col("successor_code") == row["code"])
                ).with_columns(pl.lit("predecessor").alias("role"))
            )
    return pl.concat(parts)
