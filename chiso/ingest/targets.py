"""Targets a steward records (rank ≤ k out of N, a tier, a score, a floor per component), read from
a targets file or from the rows a command or form builds, and validated; no DuckDB.

The layout (one target a row; the file ``chiso targets set --file`` reads and ``chiso audit --rows``
gives back):

    province,unit,index,year,kind,target,rank_of,component,source_title,source_url,quote
    Tỉnh Mẫu,Sở Y tế,PAR,2025,rank,2,4,,Nghị quyết 05-NQ/TU,https://…,"giữ vững và nâng hạng"

``kind`` is ``rank`` (``target`` = k, whole; ``rank_of`` = N, optional), ``tier`` (``target`` = a
tier code of the index, or its name), ``score`` (``target`` = points on the index's scale) or
``floor`` (``target`` = points of ``component``). Every problem is a coded :class:`Issue` naming its
row and column; the words are in ``locales/<lang>.targets.yaml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from chiso.config import Catalog, Index
from chiso.errors import ChisoError
from chiso.i18n import label
from chiso.ingest.problems import Issue, issue
from chiso.ingest.readers import DataError, read_csv
from chiso.names import fold
from chiso.units import Registry

COLUMNS = [
    "province",
    "unit",
    "index",
    "year",
    "kind",
    "target",
    "rank_of",
    "component",
    "source_title",
    "source_url",
    "quote",
]
REQUIRED = ["unit", "index", "year", "kind", "target"]
KINDS = ("rank", "tier", "score", "floor")
KEY = ["unit_id", "index_code", "component", "year", "kind"]
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
SCHEMA = {
    "province": pl.String,
    "unit_id": pl.String,
    "unit_name": pl.String,
    "peer_group": pl.String,
    "index_code": pl.String,
    "component": pl.String,
    "year": pl.Int32,
    "kind": pl.String,
    "rank_target": pl.Int32,
    "rank_of": pl.Int32,
    "tier_code": pl.String,
    "value": pl.Float64,
    "source_title": pl.String,
    "source_url": pl.String,
    "quote": pl.String,
    "_line": pl.Int64,
}


@dataclass
class CheckedTargets:
    rows: pl.DataFrame  # SCHEMA columns, one row per valid target
    errors: list[Issue] = field(default_factory=list)


def read_file(path: Path, name: str) -> tuple[list[dict], list[Issue]]:
    """The rows of a targets CSV (UTF-8, header first); problems as issues, never an exception."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        return [], [issue(name, "targets.file_too_big", limit=MAX_BYTES // 1_000_000)]
    try:
        frame = read_csv(path, REQUIRED, [c for c in COLUMNS if c not in REQUIRED])
    except DataError as exc:
        first = exc.problems[0]
        return [], [
            issue(name, "targets.unreadable", row=first.line, column=first.column, detail=first.message)
        ]
    except (ChisoError, OSError, UnicodeDecodeError) as exc:
        return [], [issue(name, "targets.unreadable", detail=str(exc))]
    if frame.height > MAX_ROWS:
        return [], [issue(name, "targets.too_many_rows", limit=MAX_ROWS)]
    return frame.to_dicts(), []


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 7 else None


def _tier_code(index: Index, province: str, group: str, year: int, text: str) -> str | None:
    for tier in index.tiers_for(province, group, year):
        if fold(text) in (fold(tier.code), fold(label(tier.name, "vi")), fold(label(tier.name, "en"))):
            return tier.code
    return None


class _Row:
    """One input row being checked: the issues it raises name its line and column."""

    def __init__(self, name: str, line: int, raw: dict):
        self.name, self.line, self.raw, self.errors = name, line, raw, []

    def cell(self, column: str) -> str:
        return str(self.raw.get(column) or "").strip()

    def fail(self, column: str, code: str, **params) -> None:
        self.errors.append(issue(self.name, code, row=self.line, column=column, **params))


def _unit(row: _Row, registry: Registry, units: pl.DataFrame):
    province = row.cell("province") or None
    try:
        # A form passes the unit it offered by id: two units of one name (by year) stay apart.
        chosen = registry.units.get(row.cell("unit_id"))
        unit = chosen or registry.resolve(row.cell("unit"), province=province)
    except ChisoError as exc:
        row.fail("unit", "targets.unit", detail=str(exc))
        return None, ""
    found = units.filter(pl.col("unit_id") == unit.unit_id)
    group = found.item(0, "peer_group") if found.height else ""
    return unit, group


def _target(row: _Row, kind: str, index: Index, where: tuple[str, str, int], component: str | None) -> dict:
    """The target's value columns for its kind; failures are added to the row."""
    province, group, year = where
    text = row.cell("target")
    out = {"rank_target": None, "rank_of": None, "tier_code": None, "value": None}
    if kind == "rank":
        k, n_text = _whole(text), row.cell("rank_of")
        n = _whole(n_text) if n_text else None
        if not k:
            row.fail("target", "targets.rank_whole", value=text)
        elif n_text and (n is None or n < k):
            row.fail("rank_of", "targets.rank_of", value=n_text, rank=k)
        out.update(rank_target=k, rank_of=n)
    elif kind == "tier":
        code = _tier_code(index, province, group, year, text)
        if code is None:
            known = ", ".join(t.code for t in index.tiers_for(province, group, year)) or "–"
            row.fail("target", "targets.tier", value=text, known=known)
        out["tier_code"] = code
    else:
        value = _number(text)
        top = index.max_for(province, group, year, component)
        if value is None:
            row.fail("target", "targets.number", value=text)
        elif value < 0 or (top is not None and value > top + 1e-9):
            row.fail("target", "targets.above_max", value=text, max=top)
        out["value"] = value
    return out


def _component(row: _Row, kind: str, index: Index, where: tuple[str, str, int]) -> str | None:
    text = row.cell("component")
    if kind != "floor":
        if text:
            row.fail("component", "targets.component_only_floor")
        return None
    variant = index.variant_for(*where)
    codes = {c.code: c.code for c in (variant.components if variant else [])}
    codes |= {fold(label(c.name, "vi")): c.code for c in (variant.components if variant else [])}
    code = codes.get(text) or codes.get(fold(text))
    if not text or code is None:
        row.fail(
            "component", "targets.component", value=text, known=", ".join(sorted(set(codes.values()))) or "–"
        )
    return code


def _check_row(row: _Row, catalog: Catalog, registry: Registry, units: pl.DataFrame) -> dict | None:
    kind = row.cell("kind").lower()
    if kind not in KINDS:
        row.fail("kind", "targets.kind", value=row.cell("kind"))
    year = _whole(row.cell("year"))
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        row.fail("year", "targets.year", value=row.cell("year"))
    code = catalog.index_aliases().get(row.cell("index").upper())
    if code is None:
        row.fail("index", "targets.index", value=row.cell("index"), known=", ".join(catalog.codes))
    if not row.cell("source_title"):
        row.fail("source_title", "targets.source")
    url = row.cell("source_url")
    if url and not url.lower().startswith(("http://", "https://")):
        row.fail("source_url", "targets.url", value=url)
    unit, group = _unit(row, registry, units)
    if row.errors or unit is None:
        return None
    index = catalog.index(code)
    where = (unit.province, group, year)
    component = _component(row, kind, index, where)
    values = _target(row, kind, index, where, component)
    if row.errors:
        return None
    return {
        "province": unit.province,
        "unit_id": unit.unit_id,
        "unit_name": unit.name,
        "peer_group": group,
        "index_code": code,
        "component": component,
        "year": year,
        "kind": kind,
        **values,
        "source_title": row.cell("source_title"),
        "source_url": url or None,
        "quote": row.cell("quote") or None,
        "_line": row.line,
    }


def check(
    rows: list[dict], name: str, catalog: Catalog, registry: Registry, units: pl.DataFrame
) -> CheckedTargets:
    """Validate every row (a file's, from line 2, or built by a command or form) against the
    catalog and the units; a target set twice in the same input is refused at its second row."""
    good, errors = [], []
    for i, raw in enumerate(rows):
        row = _Row(name, int(raw.get("_line") or i + 2), raw)
        checked = _check_row(row, catalog, registry, units)
        errors += row.errors
        if checked is not None:
            good.append(checked)
    frame = pl.DataFrame(good, schema=SCHEMA, orient="row") if good else pl.DataFrame(schema=SCHEMA)
    twice = frame.filter(pl.struct(KEY).is_duplicated() & ~pl.struct(KEY).is_first_distinct())
    for line in twice.get_column("_line").to_list():
        errors.append(issue(name, "targets.twice", row=line))
    if not rows:
        errors.append(issue(name, "targets.empty"))
    return CheckedTargets(frame, sorted(errors, key=Issue.sort_key))


def to_csv(frame: pl.DataFrame) -> str:
    """Targets in the file layout above (what ``chiso audit --rows`` prints for a targets write)."""
    return frame.select(
        "province",
        pl.col("unit_name").alias("unit"),
        pl.col("index_code").alias("index"),
        "year",
        "kind",
        pl.coalesce(
            pl.col("rank_target").cast(pl.String), pl.col("tier_code"), pl.col("value").cast(pl.String)
        ).alias("target"),
        "rank_of",
        "component",
        "source_title",
        "source_url",
        "quote",
    ).write_csv()
