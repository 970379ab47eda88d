"""Targets through the importers' one write path: plan (validate, compare, preview), apply (lock,
copy, one transaction, swap, audit row, backup kept), undone by ``chiso undo`` like any import.

A targets write is audited in ``import_audit`` with layout ``targets`` and its rows in the targets
file layout (``chiso audit --rows ID`` gives back a file ``chiso targets set --file`` reads), so a
rebuild refuses to drop them as it refuses to drop imported scores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from chiso import paths
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.i18n import t
from chiso.ingest import targets as ingest
from chiso.ingest.problems import Issue
from chiso.store import swap
from chiso.store.imports import _source_ids
from chiso.store.queries import _frame, has_table
from chiso.store.schema import TARGETS_SCHEMA
from chiso.store.swap import ApplyResult, db_stamp, reading, sha256_of
from chiso.units import Registry

VALUES = ["rank_target", "rank_of", "tier_code", "value", "source_title", "source_url", "quote"]
COLUMNS = [
    "province",
    "unit_id",
    "index_code",
    "component",
    "year",
    "kind",
    "rank_target",
    "rank_of",
    "tier_code",
    "value",
    "source_id",
    "quote",
    "set_by",
    "set_at",
    "import_id",
]


@dataclass
class TargetsPlan:
    """What a targets write would do; ``ok`` when nothing blocks it."""

    file: str
    sha256: str
    size: int
    db_stamp: tuple
    rows: pl.DataFrame = field(default_factory=pl.DataFrame)  # checked rows with ``status`` and old_*
    errors: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> tuple[int, int, int]:
        if self.rows.is_empty():
            return 0, 0, 0
        status = self.rows.get_column("status")
        return int((status == "add").sum()), int((status == "change").sum()), int((status == "same").sum())


def targeted(con) -> pl.DataFrame:
    """Which units have a target on which index (``unit_id``, ``index_code``): pages ask this once
    per database version and read no targets for the units that have none."""
    if not has_table(con, "targets"):
        return pl.DataFrame(schema={"unit_id": pl.String, "index_code": pl.String})
    return _frame(con, "SELECT DISTINCT unit_id, index_code FROM targets")


_READ = """
SELECT t.province, t.unit_id, u.name AS unit_name, u.short_name, u.peer_group, t.index_code, t.component,
       t.year, t.kind, t.rank_target, t.rank_of, t.tier_code, t.value,
       coalesce(s.title, '') AS source_title, coalesce(s.url, '') AS source_url, t.quote,
       t.set_by, t.set_at, t.import_id
FROM targets t JOIN units u USING (unit_id) LEFT JOIN sources s USING (source_id)
"""
_ORDER = " ORDER BY t.province, u.name, t.index_code, t.year, t.kind, t.component NULLS FIRST"


def targets(con, *, unit_ids: list[str] | None = None, index: str | None = None) -> pl.DataFrame:
    """Stored targets (all, or of some units and one index) with unit names and their document;
    an empty frame on a database built before targets existed."""
    if not has_table(con, "targets"):
        return _empty()
    where, params = [], {}
    if unit_ids is not None:
        where.append("list_contains($units, t.unit_id)")
        params["units"] = list(unit_ids)
    if index is not None:
        where.append("t.index_code = $index")
        params["index"] = index
    sql = _READ + (" WHERE " + " AND ".join(where) if where else "") + _ORDER
    return _frame(con, sql, **params)


def _empty() -> pl.DataFrame:
    schema = {
        "province": pl.String, "unit_id": pl.String, "unit_name": pl.String, "short_name": pl.String,
        "peer_group": pl.String, "index_code": pl.String, "component": pl.String, "year": pl.Int32,
        "kind": pl.String, "rank_target": pl.Int32, "rank_of": pl.Int32, "tier_code": pl.String,
        "value": pl.Float64, "source_title": pl.String, "source_url": pl.String, "quote": pl.String,
        "set_by": pl.String, "set_at": pl.Datetime, "import_id": pl.Int32,
    }  # fmt: skip
    return pl.DataFrame(schema=schema)


def series(con, frame: pl.DataFrame) -> pl.DataFrame:
    """Every ranked row (totals and components, every year) of the peer tables the targets' units
    are ranked in for the targets' indices: what :func:`chiso.metrics.targets.evaluate` reads."""
    if frame.is_empty():
        return _frame(con, "SELECT * FROM ranked WHERE false")
    keys = frame.select(pl.concat_str("unit_id", pl.lit("\x1f"), "index_code")).to_series().unique().to_list()
    return _frame(
        con,
        """
        WITH wanted AS (
            SELECT DISTINCT index_code, peer_group, scope_province FROM ranked
            WHERE list_contains($keys, unit_id || chr(31) || index_code)
        )
        SELECT r.* FROM ranked r JOIN wanted w USING (index_code, peer_group, scope_province)
        WHERE r.edition_default
        ORDER BY r.index_code, r.year, r.component NULLS FIRST, r.rank NULLS LAST, r.name
        """,
        keys=keys,
    )


# ---------- plan ----------


def _reference(db: Path) -> tuple[Registry, pl.DataFrame, pl.DataFrame]:
    with reading(db) as con:
        units = con.sql("SELECT * FROM units ORDER BY province, name").pl()
        aliases = con.sql("SELECT unit_id, alias FROM unit_aliases").pl()
        stored = con.sql(_READ + _ORDER).pl() if has_table(con, "targets") else _empty()
    return Registry.from_frames(units, aliases), units, stored


def _compare(rows: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    old = stored.select(
        *ingest.KEY, *[pl.col(c).alias(f"old_{c}") for c in VALUES], pl.lit(True).alias("_exists")
    )
    joined = rows.join(old, on=ingest.KEY, how="left", nulls_equal=True)
    differs = pl.lit(False)
    for column in VALUES:
        a, b = (
            pl.col(column).cast(pl.String).fill_null(""),
            pl.col(f"old_{column}").cast(pl.String).fill_null(""),
        )
        differs = differs | (a != b)
    return joined.with_columns(
        status=pl.when(pl.col("_exists").is_null())
        .then(pl.lit("add"))
        .when(differs)
        .then(pl.lit("change"))
        .otherwise(pl.lit("same"))
    ).drop("_exists")


def plan_targets(
    db: Path,
    *,
    rows: list[dict] | None = None,
    path: Path | None = None,
    name: str | None = None,
    config: Path | None = None,
) -> TargetsPlan:
    """Validate targets (rows a command or form built, or a targets file) against the database's
    units and the catalog and compare them with the stored ones; never writes."""
    db = Path(db)
    if not db.exists():
        raise ChisoError(t("targets.no_db", "vi", db=db))
    catalog = load_catalog(config or paths.CONFIG_PATH)
    if path is not None:
        name = name or Path(path).name
        digest, size = sha256_of(Path(path)), Path(path).stat().st_size  # read in blocks
        raw, errors = ingest.read_file(Path(path), name)
    else:
        raw, errors = list(rows or []), []
        name = name or "targets"
        data = repr(raw).encode("utf-8")
        digest, size = hashlib.sha256(data).hexdigest(), len(data)
    plan = TargetsPlan(name, digest, size, db_stamp(db), errors=errors)
    if errors:
        return plan
    registry, units, stored = _reference(db)
    checked = ingest.check(raw, name, catalog, registry, units)
    plan.errors = checked.errors
    if not plan.errors:
        plan.rows = _compare(checked.rows, stored)
    return plan


# ---------- apply ----------


def _write(con, plan: TargetsPlan, import_id: int, who: str, backup: str) -> None:
    con.execute(TARGETS_SCHEMA)
    rows = plan.rows.filter(pl.col("status") != "same").with_columns(
        pl.col("source_url").fill_null(""), set_by=pl.lit(who), set_at=pl.lit(swap.now()),
        import_id=pl.lit(import_id, pl.Int32),
    )  # fmt: skip
    rows = _source_ids(con, rows)
    con.register("target_rows", rows.select(COLUMNS).to_arrow())
    con.execute(
        "DELETE FROM targets t USING target_rows k WHERE t.unit_id = k.unit_id "
        "AND t.index_code = k.index_code AND t.component IS NOT DISTINCT FROM k.component "
        "AND t.year = k.year AND t.kind = k.kind"
    )
    con.execute(f"INSERT INTO targets ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM target_rows")
    con.unregister("target_rows")
    added, changed, same = plan.counts
    con.execute("DELETE FROM meta WHERE key = 'imported_at'")
    con.execute(
        "INSERT INTO meta VALUES ('imported_at', ?)", [datetime.now(UTC).isoformat(timespec="seconds")]
    )
    con.execute(
        "INSERT INTO imports VALUES (?, ?, 'targets', ?, ?, ?)",
        [import_id, swap.now(), plan.file, added + changed, f"sha256 {plan.sha256}; {who}"],
    )
    con.execute(
        "INSERT INTO import_audit VALUES (?, ?, ?, ?, ?, ?, NULL, 'targets', '', ?, ?, ?, ?, NULL, NULL, ?)",
        [import_id, swap.now(), who, plan.file, plan.sha256, plan.size, added, changed, same, backup,
         ingest.to_csv(plan.rows)],
    )  # fmt: skip


def apply_targets(db: Path, plan: TargetsPlan, *, who: str, wait: float = 0.0) -> ApplyResult:
    """Write a valid plan in one swap (audited, undoable); ChisoError when it has errors, the
    database changed since the preview or another writer holds the lock."""
    if not plan.ok:
        raise ChisoError(t("targets.refused", "vi", file=plan.file, n=len(plan.errors)))
    return swap.apply_plan(db, plan, _write, who=who, wait=wait)
