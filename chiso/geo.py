"""Approximate shapes of provinces, districts and communes, built offline from the registry.

The national registry (``vietnamadminunits``, MIT licence) ships no boundaries: it has the
centre (latitude, longitude) of every unit, the bounding box of every unit before 1 July 2025
and the area of every commune after it. The map is drawn from those:

1. every commune or ward of a period is a point at its registered centre;
2. each point gets the Voronoi cell of the points around it (the land nearer to that centre
   than to any other), cut to the land: discs around the centres, sized by the commune's area,
   joined, with small gaps closed and holes filled;
3. a district or province is the union of its communes' cells.

So the shapes are *regions nearest to each unit's centre*, not boundaries: good enough to find a
unit and read a colour, wrong in detail along every border. Every map says so in its caption.

The islands Hoàng Sa (Đà Nẵng) and Trường Sa (Khánh Hòa) are labelled markers at the
registry's coordinates of their special zones (the registry's older table places the former
districts on the mainland), never cells.

Reading and building happen on first use and are cached per process (a few seconds for the
country); importing this module costs nothing.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from dataclasses import dataclass
from functools import cache

import polars as pl

LEGACY, NEW = "legacy", "2025"  # the registry's two periods: to 30 June 2025, from 1 July 2025
PROVINCE_COUNT = {LEGACY: 63, NEW: 34}
K = math.cos(math.radians(16))  # longitude degrees are shorter: x = lon·cos(16°) keeps shapes round
KM = 111.0  # km per degree of latitude
# Island special zones: (key, province, its code in both periods, legacy district code, new ward code).
ISLANDS = (("hoang_sa", "Đà Nẵng", "48", "498", "20333"), ("truong_sa", "Khánh Hòa", "56", "576", "22736"))
TOLERANCE = {"provinces": 0.012, "districts": 0.003, "wards": 0.0015}  # simplification, degrees
SOURCE = "vietnamadminunits"
_BUILDING = threading.Lock()  # one build at a time: concurrent sessions wait for the first one


@dataclass(frozen=True)
class Points:
    """The centres of one period: arrays aligned by position."""

    province: list[str]  # province code
    district: list[str]  # district code ('' after 2025)
    ward: list[str]  # ward code ('' for a district known only by its own centre)
    lon: list[float]
    lat: list[float]
    area: list[float]  # km²


def _dataset():
    from chiso.admin_registry import _dataset as path

    return path()


def _bounds_area(text: str | None) -> float | None:
    """'20.99,105.79 – 21.05,105.87' -> km² of the box."""
    try:
        low, high = text.split(" – ")
        lat1, lon1 = map(float, low.split(","))
        lat2, lon2 = map(float, high.split(","))
    except (AttributeError, ValueError):
        return None
    return abs(lat2 - lat1) * KM * abs(lon2 - lon1) * KM * K


def _read(sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True) as con:
        return con.execute(sql).fetchall()


@cache
def points(period: str) -> Points:
    """Every commune's centre of the period (islands Hoàng Sa and Trường Sa left out)."""
    islands = {code for *_, legacy, new in ISLANDS for code in (legacy, new)}
    if period == NEW:
        rows = _read(
            "SELECT provinceCode, '', wardCode, wardLon, wardLat, wardAreaKm2 FROM admin_units "
            "WHERE wardLat IS NOT NULL"
        )
    else:
        rows = _read(
            "SELECT provinceCode, districtCode, COALESCE(wardCode, ''), COALESCE(wardLon, districtLon), "
            "COALESCE(wardLat, districtLat), COALESCE(wardBounds, districtBounds) FROM admin_units_legacy "
            "WHERE COALESCE(wardLat, districtLat) IS NOT NULL"
        )
        rows = [(*r[:5], _bounds_area(r[5])) for r in rows]
    rows = [r for r in rows if r[1] not in islands and r[2] not in islands]
    areas = sorted(r[5] for r in rows if r[5])
    median = areas[len(areas) // 2] if areas else 20.0
    return Points(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [float(r[3]) for r in rows],
        [float(r[4]) for r in rows],
        [float(r[5] or median) for r in rows],
    )


@cache
def _cells(period: str):
    """(Voronoi cell of every point, the land mask) in x = lon·K, y = lat."""
    import numpy as np
    import shapely

    pts = points(period)
    xy = shapely.points(np.asarray(pts.lon) * K, np.asarray(pts.lat))
    radius = np.clip(1.5 * np.sqrt(np.asarray(pts.area) / np.pi), 2.0, 15.0) / KM
    land = shapely.union_all(shapely.buffer(xy, radius, quad_segs=3))
    land = shapely.buffer(shapely.buffer(land, 0.03, quad_segs=3), -0.03, quad_segs=3)
    parts = [shapely.Polygon(p.exterior) for p in getattr(land, "geoms", [land])]
    land = shapely.MultiPolygon(parts)
    cells = np.array(
        list(shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=land.envelope).geoms), dtype=object
    )
    found = shapely.STRtree(cells).query(xy, predicate="within")
    order = np.zeros(len(pts.lon), dtype=int)
    order[found[0]] = found[1]
    return cells[order], land


def _rings(geom, tolerance: float) -> tuple[list[float | None], list[float | None]]:
    """Outer rings of a (multi)polygon in lon/lat, rings separated by None (Plotly's gaps)."""
    import shapely

    xs: list[float | None] = []
    ys: list[float | None] = []
    simple = shapely.simplify(geom, tolerance)
    for poly in getattr(simple, "geoms", [simple]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for x, y in poly.exterior.coords:
            xs.append(round(x / K, 4))
            ys.append(round(y, 4))
        xs.append(None)
        ys.append(None)
    return xs, ys


def shapes(period: str, level: str, province_code: str = "") -> pl.DataFrame:
    """One row per unit: ``code``, ``province_code``, ``lon``/``lat`` (a point inside the shape)
    and ``xs``/``ys`` (its outline, rings separated by nulls). ``level`` is 'provinces' (the
    country) or 'districts'/'wards' of one province (``province_code``)."""
    with _BUILDING:
        return _shapes(period, level, province_code)


@cache
def _shapes(period: str, level: str, province_code: str) -> pl.DataFrame:
    import numpy as np
    import shapely

    pts = points(period)
    cells, land = _cells(period)
    province = np.asarray(pts.province)
    key = {"provinces": province, "districts": np.asarray(pts.district), "wards": np.asarray(pts.ward)}[level]
    keep = np.ones(len(key), dtype=bool) if level == "provinces" else province == province_code
    rows = []
    for code in dict.fromkeys(key[keep & (key != "")].tolist()):
        chosen = keep & (key == code)
        union = shapely.union_all(cells[chosen])
        shape = shapely.intersection(union, shapely.clip_by_rect(land, *union.bounds))
        if shape.is_empty:
            continue
        inside = shape.point_on_surface()
        xs, ys = _rings(shape, TOLERANCE[level])
        rows.append((code, province[chosen][0], round(inside.x / K, 4), inside.y, xs, ys))
    return pl.DataFrame(
        rows,
        schema={
            "code": pl.String,
            "province_code": pl.String,
            "lon": pl.Float64,
            "lat": pl.Float64,
            "xs": pl.List(pl.Float64),
            "ys": pl.List(pl.Float64),
        },
        orient="row",
    )


@cache
def names(period: str, level: str) -> pl.DataFrame:
    """``code``, ``province_code``, ``name`` and the registry's lookup ``keys`` of every unit of a
    level (islands included), to match a ranking's rows to shapes."""
    if level == "provinces":
        table = "admin_units" if period == NEW else "admin_units_legacy"
        sql = f"SELECT DISTINCT provinceCode, provinceCode, provinceShort, provinceKeywords FROM {table}"
    elif level == "districts":
        sql = "SELECT DISTINCT districtCode, provinceCode, district, districtKeywords FROM admin_units_legacy"
    elif period == NEW:
        sql = "SELECT wardCode, provinceCode, ward, wardKeywords FROM admin_units"
    else:
        sql = (
            "SELECT wardCode, provinceCode, ward, wardKeywords FROM admin_units_legacy "
            "WHERE wardCode IS NOT NULL"
        )
    frame = pl.DataFrame(
        _read(sql), schema=["code", "province_code", "name", "keys"], orient="row"
    ).with_columns(pl.col("keys").fill_null("[]").str.json_decode(pl.List(pl.String)))
    if level == "provinces":  # the registry's late-2024 table already names Thừa Thiên Huế "Huế"
        extra = (
            pl.when(pl.col("code") == "46")
            .then(pl.lit(["thuathienhue"]))
            .otherwise(pl.lit([], pl.List(pl.String)))
        )
        frame = frame.with_columns(pl.concat_list("keys", extra).alias("keys"))
    return frame


@cache
def islands(period: str) -> pl.DataFrame:
    """Hoàng Sa and Trường Sa: ``island`` key, ``province`` and ``province_code``, the ``code`` of
    the unit they are this period (district before 2025, special zone after), ``lon``/``lat`` of
    the special zone."""
    rows = _read(
        "SELECT wardCode, wardLon, wardLat FROM admin_units WHERE wardCode IN "
        f"({', '.join(repr(new) for *_, new in ISLANDS)})"
    )
    where = {code: (lon, lat) for code, lon, lat in rows}
    return pl.DataFrame(
        [
            (key, province, province_code, new if period == NEW else legacy, *where[new])
            for key, province, province_code, legacy, new in ISLANDS
            if new in where
        ],
        schema={
            "island": pl.String,
            "province": pl.String,
            "province_code": pl.String,
            "code": pl.String,
            "lon": pl.Float64,
            "lat": pl.Float64,
        },
        orient="row",
    )


def version() -> str:
    """'vietnamadminunits 1.0.4': the registry the shapes come from."""
    from importlib import metadata

    try:
        return f"{SOURCE} {metadata.version(SOURCE)}"
    except metadata.PackageNotFoundError:
        return SOURCE
