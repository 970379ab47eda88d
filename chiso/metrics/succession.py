"""Units across a reorganisation: which stored unit stands on each side of a lineage edge.

Pure Polars, no I/O. The edges come from :mod:`chiso.lineage` (the national registry) and from
``data/units.csv`` (a unit with a ``successor``: departments and districts as their sources say);
the stored units are the build's ``units`` frame. A registry edge names its units by province,
code and name; a stored unit matches by code where it has one, else by its official name, and
only on the side of the reform it belongs to (a new ward often keeps the code of one of the
former wards it absorbed, so an old-side match never takes a unit valid from 2025, and the other
way round).
"""

from __future__ import annotations

import polars as pl

from chiso.columns import LINEAGE_COLUMNS, SUCCESSOR_COLUMNS

REFORM_YEAR = 2025
OLD_LOCAL = ["district", "city", "town", "urban_district"]
OLD_COMMUNE = ["commune", "ward", "township"]
NEW_COMMUNE = ["commune", "ward", "special_zone"]


def _side(units: pl.DataFrame, old: bool) -> pl.DataFrame:
    """Stored units that may stand on the old (before 1 July 2025) or the new side."""
    frame = units.select("unit_id", "province", "name", "unit_type", "code", "valid_from", "valid_to")
    if old:
        return frame.filter(pl.col("valid_from").fill_null(0) < REFORM_YEAR)
    return frame.filter(pl.col("valid_to").is_null() | (pl.col("valid_from").fill_null(0) >= REFORM_YEAR))


def _match(edges: pl.DataFrame, units: pl.DataFrame, prefix: str, old: bool) -> pl.Series:
    """The stored unit id of each edge's predecessor (``prefix='predecessor'``) or successor."""
    side = _side(units, old)
    keyed = edges.with_row_index("_edge").select(
        "_edge",
        "level",
        pl.col(f"{prefix}_province").alias("province"),
        pl.col(f"{prefix}_code").alias("code"),
        pl.col(prefix).alias("name"),
    )
    provinces = side.filter(pl.col("unit_type") == "province").select(
        "unit_id", pl.col("name").alias("province")
    )
    local_types = OLD_LOCAL if old else []
    commune_types = OLD_COMMUNE if old else NEW_COMMUNE
    below = side.filter(pl.col("unit_type").is_in([*local_types, *commune_types]))
    by_code = below.filter(pl.col("code").is_not_null() & (pl.col("code") != "")).select(
        "unit_id", "province", "code", pl.col("unit_type").is_in(local_types).alias("_local")
    )
    by_name = below.select(
        "unit_id", "province", "name", pl.col("unit_type").is_in(local_types).alias("_local")
    )
    level_local = pl.col("level") == "district"
    found = pl.concat(
        [
            keyed.filter(pl.col("level") == "province")
            .join(provinces, on="province")
            .select("_edge", "unit_id", pl.lit(0).alias("_pref")),
            keyed.filter(pl.col("level").is_in(["district", "commune"]))
            .join(by_code, on=["province", "code"])
            .filter(pl.col("_local") == (level_local if old else pl.lit(False)))
            .select("_edge", "unit_id", pl.lit(1).alias("_pref")),
            keyed.filter(pl.col("level").is_in(["district", "commune"]))
            .join(by_name, on=["province", "name"])
            .filter(pl.col("_local") == (level_local if old else pl.lit(False)))
            .select("_edge", "unit_id", pl.lit(2).alias("_pref")),
        ]
    )
    best = found.sort("_edge", "_pref").unique("_edge", keep="first")
    ids = keyed.select("_edge").join(best, on="_edge", how="left").sort("_edge")
    return ids.get_column("unit_id").alias(f"{prefix}_id")


def registry_edges(edges: pl.DataFrame, units: pl.DataFrame, renamed: dict[str, str]) -> pl.DataFrame:
    """The registry's edges (:data:`chiso.lineage.EDGE_COLUMNS`) with the stored unit on each side
    (``predecessor_id``/``successor_id``, null where the database holds no such unit).
    ``renamed`` maps a province name in the registry's legacy snapshot to the name its former
    units are stored under ('Huế' -> 'Thừa Thiên Huế')."""
    below = pl.col("level") != "province"
    edges = edges.with_columns(
        predecessor_province=pl.when(below)
        .then(pl.col("predecessor_province").replace(renamed))
        .otherwise(pl.col("predecessor_province"))
    )
    return edges.with_columns(
        _match(edges, units, "predecessor", old=True), _match(edges, units, "successor", old=False)
    )


def unit_edges(units: pl.DataFrame, source: str) -> pl.DataFrame:
    """Edges of the units file: a unit with a successor (departments merged in 2025, districts
    merged before) went whole into it on 1 January of its last year (the file records years)."""
    merged = units.filter(pl.col("successor_id").is_not_null())
    successors = units.select(
        pl.col("unit_id").alias("successor_id"),
        pl.col("name").alias("successor"),
        pl.col("unit_type").alias("successor_type"),
        pl.col("code").alias("successor_code"),
        pl.col("province").alias("successor_province"),
    )
    return merged.join(successors, on="successor_id", how="left").select(
        pl.lit("unit").alias("level"),
        pl.col("name").alias("predecessor"),
        pl.col("unit_type").alias("predecessor_type"),
        pl.col("code").alias("predecessor_code"),
        pl.lit("").alias("predecessor_district"),
        pl.col("province").alias("predecessor_province"),
        pl.col("unit_id").alias("predecessor_id"),
        *SUCCESSOR_COLUMNS,
        "successor_id",
        pl.date(pl.col("valid_to").fill_null(REFORM_YEAR), 1, 1).alias("date"),
        pl.lit("whole").alias("kind"),
        pl.lit(source).alias("source"),
    )


def all_edges(
    registry: pl.DataFrame, units: pl.DataFrame, renamed: dict[str, str], source: str
) -> pl.DataFrame:
    """The stored ``lineage`` table: registry edges, then the units file's."""
    return pl.concat(
        [registry_edges(registry, units, renamed).select(LINEAGE_COLUMNS), unit_edges(units, source)],
        how="vertical_relaxed",
    ).select(LINEAGE_COLUMNS)
