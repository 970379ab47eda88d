"""Import a published table into an existing database: plan (preview), apply, undo.

``plan_import`` is the conductor: read the file (chiso.ingest.plan), resolve and validate it
against what the database holds, compare it with the stored rows (added, changed old → new,
unchanged) and return the preview; it never writes. ``apply_import`` writes a plan through the
one write path (chiso.store.swap); ``undo_last`` swaps the file kept before the last import
back in. SQL only ever sees input through bound parameters or registered Arrow tables.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from chiso import paths
from chiso.config import Catalog, load_catalog
from chiso.errors import ChisoError
from chiso.ingest import plan as ingest_plan
from chiso.ingest.annex import ImportOptions, Issue
from chiso.ingest.problems import Note
from chiso.ingest.readers import KEY
from chiso.ingest.resolve import Reference
from chiso.names import fold
from chiso.store import swap, unit_table
from chiso.store.build import derive_ranked
from chiso.store.schema import RANKED_TABLES_SQL, SCORE_TABLE_COLUMNS, add_missing_columns, with_printed
from chiso.store.swap import ApplyResult, LockedError, audit, db_stamp, reading, sha256_of
from chiso.units import Registry

__all__ = [
    "ApplyResult",
    "ImportPlan",
    "LockedError",
    "UndoResult",
    "apply_import",
    "audit",
    "plan_import",
    "undo_last",
]

KEEP_UNLESS_GIVEN = {
    "score": "score",
    "published_rank": "rank",
    "rank_basis": "rank",
    "published_rank_of": "rank_of",
    "flag": "flag",
}
VALUE_COLUMNS = ["score", "max_score", "published_rank", "published_rank_of", "rank_basis", "flag"]


@dataclass
class ImportPlan:
    """Everything a steward sees before confirming; ``ok`` when nothing blocks the import."""

    db_path: Path
    file: str
    sha256: str
    size: int
    options: ImportOptions
    layout: str = ""
    sheet: str | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list = field(default_factory=list)
    added: pl.DataFrame = field(default_factory=pl.DataFrame)
    changed: pl.DataFrame = field(default_factory=pl.DataFrame)
    unchanged: pl.DataFrame = field(default_factory=pl.DataFrame)
    rows: pl.DataFrame | None = None  # validated rows to write (added + changed)
    new_units: pl.DataFrame = field(default_factory=pl.DataFrame)  # units the import adds
    new_aliases: pl.DataFrame = field(default_factory=pl.DataFrame)
    long_csv: str = ""
    db_stamp: tuple = ()
    corrections: list[str] = field(default_factory=list)  # PDF: cells corrected, with the original reading
    source: object | None = None  # PDF: the table read (pages, boxes, flagged cells) for the preview

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.added.height, self.changed.height, self.unchanged.height


@dataclass(frozen=True)
class UndoResult:
    import_id: int
    file: str
    added: int
    changed: int


def _context(db: Path, catalog: Catalog) -> Reference:
    with reading(db) as con:
        units = con.sql("SELECT * FROM units ORDER BY province, name").pl()
        aliases = con.sql("SELECT unit_id, alias FROM unit_aliases").pl()
        scores = con.sql(
            "SELECT s.*, src.title AS source_title, src.url AS source_url "
            "FROM scores s LEFT JOIN sources src USING (source_id)"
        ).pl()
        sources = con.sql("SELECT source_id, title, url FROM sources").pl()
    registry = Registry.from_frames(units, aliases, national=True)
    return Reference(catalog, units, registry, scores, sources)


def _compare(scores: pl.DataFrame, existing: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Split validated rows into added, changed (with old values) and unchanged."""
    new = scores.filter(pl.col("is_first"))
    old = existing.select(
        *KEY, *[pl.col(c).alias(f"old_{c}") for c in VALUE_COLUMNS], pl.lit(True).alias("_exists")
    )
    joined = new.join(old, on=KEY, how="left", nulls_equal=True)
    # A value the file does not carry keeps the stored one (a table without a rank column
    # leaves the published ranks as they are).
    exists = pl.col("_exists").fill_null(False)
    joined = joined.with_columns(
        [
            pl.when(exists & ~pl.col(f"_given_{given}"))
            .then(pl.col(f"old_{column}"))
            .otherwise(pl.col(column))
            .alias(column)
            for column, given in KEEP_UNLESS_GIVEN.items()
        ]
    )
    differs = pl.lit(False)
    for column in VALUE_COLUMNS:
        a, b = pl.col(column), pl.col(f"old_{column}")
        if column in ("score", "max_score"):
            same = (a.is_null() & b.is_null()) | ((a - b).abs() <= 1e-9)
        else:
            same = (a.is_null() & b.is_null()) | (a.cast(pl.String) == b.cast(pl.String))
        differs = differs | ~same.fill_null(False)
    joined = joined.with_columns(_differs=differs)
    added = joined.filter(pl.col("_exists").is_null())
    changed = joined.filter(pl.col("_exists").is_not_null() & pl.col("_differs"))
    unchanged = joined.filter(pl.col("_exists").is_not_null() & ~pl.col("_differs"))
    return added, changed, unchanged


def _options_text(options: ImportOptions) -> str:
    return ", ".join(f"{k}={v}" for k, v in asdict(options).items() if v not in (None, ""))


def plan_import(
    db: Path,
    path: Path,
    options: ImportOptions = ImportOptions(),  # noqa: B008 - frozen dataclass
    *,
    name: str | None = None,
    config: Path | None = None,
) -> ImportPlan:
    """Read → resolve → validate → compare → preview; never writes. Problems in the file are
    returned in ``plan.errors``; a missing database or config raises ChisoError."""
    db, path = Path(db), Path(path)
    catalog = load_catalog(config or paths.CONFIG_PATH)
    if not db.exists():
        raise ChisoError.coded("store.no_db_to_import", db=db)
    plan = ImportPlan(
        db, name or path.name, sha256_of(path), path.stat().st_size, options, db_stamp=db_stamp(db)
    )
    plan.errors = ingest_plan.check_options(catalog, options, plan.file)
    if plan.errors:
        return plan
    read = ingest_plan.read_file(path, plan.file, options, catalog)
    if read.errors:
        plan.errors = read.errors
        return plan
    annex = read.annex
    plan.layout, plan.sheet, plan.notes, plan.columns = annex.layout, annex.sheet, annex.notes, annex.columns
    plan.corrections, plan.source = annex.corrections, annex.source
    ref = _context(db, catalog)
    checked = ingest_plan.check(read, ref, options)
    plan.notes = [*plan.notes, *checked.notes]
    plan.errors = checked.errors
    if plan.errors or checked.scores is None:
        return plan
    plan.warnings = checked.warnings
    plan.added, plan.changed, plan.unchanged = _compare(checked.scores, ref.scores)
    plan.rows = pl.concat([plan.added, plan.changed], how="diagonal_relaxed")
    _plan_new_units(plan, ref)
    plan.long_csv = checked.long_csv
    return plan


# ---------- apply ----------


def _scope_sql(catalog: Catalog, province: str, peer_group: str) -> str:
    """SQL for a row's ranking scope: '' for national peer groups, else its province."""
    national = (
        ", ".join(f"'{g}'" for g, spec in catalog.peer_groups.items() if spec.scope == "national") or "''"
    )
    return f"CASE WHEN {peer_group} IN ({national}) THEN '' ELSE {province} END"


def _ranked_inputs(con, catalog: Catalog, *, only_affected: bool = False) -> pl.DataFrame:
    """The derived rows, recomputed from the scores; with ``only_affected`` just the series
    (index, peer group, scope: every year, since a change moves next year's Δ too) that the
    rows in ``import_keys`` touch — the rest of ``ranked`` cannot change."""
    # Read through the writing connection itself: a cursor would not see the open transaction.
    # The source title and URL travel with the scores as in a build (empty text, not NULL).
    scope = _scope_sql(catalog, "s.province", "u.peer_group")
    where = (
        f" WHERE (s.index_code, u.peer_group, {scope}) IN "
        "(SELECT index_code, peer_group, scope FROM affected)"
        if only_affected
        else ""
    )
    scores = con.sql(
        "SELECT s.province, s.unit_id, u.peer_group, s.index_code, s.component, s.year, s.edition, s.score, "
        "s.max_score, s.published_rank, s.published_rank_of, s.rank_basis, s.flag, s.printed, "
        "s.printed_change, s.printed_rank_change, s.printed_tier, s.source_id, "
        "s.quote, coalesce(src.title, '') AS source_title, coalesce(src.url, '') AS source_url, "
        "true AS is_first FROM scores s JOIN units u USING (unit_id) LEFT JOIN sources src USING (source_id)"
        + where
    ).pl()
    units = con.sql("SELECT * FROM units").pl()
    sources = con.sql("SELECT source_id, title, url FROM sources").pl()
    return derive_ranked(scores, units, sources, catalog)


def _source_ids(con, rows: pl.DataFrame) -> pl.DataFrame:
    """Reuse a source with the same title and URL; add the others."""
    known = con.sql("SELECT source_id, title, coalesce(url, '') AS url FROM sources").pl()
    wanted = rows.select(
        pl.col("source_title").alias("title"), pl.col("source_url").fill_null("").alias("url")
    ).unique()
    fresh = wanted.join(known, on=["title", "url"], how="anti").filter(pl.col("title") != "")
    start = int(known["source_id"].max() or 0) + 1 if known.height else 1
    fresh = fresh.sort("title", "url").with_row_index("source_id", offset=start)
    if fresh.height:
        con.register(
            "fresh_sources",
            fresh.select(
                pl.col("source_id").cast(pl.Int32),
                "title",
                pl.when(pl.col("url") == "").then(None).otherwise(pl.col("url")).alias("url"),
            ).to_arrow(),
        )
        con.execute(
            "INSERT INTO sources (source_id, title, url) SELECT source_id, title, url FROM fresh_sources"
        )
        con.unregister("fresh_sources")
    lookup = pl.concat(
        [known, fresh.select(pl.col("source_id").cast(known["source_id"].dtype), "title", "url")]
    )
    return rows.with_columns(pl.col("source_url").fill_null("")).join(
        lookup.rename({"title": "source_title", "url": "source_url"}),
        on=["source_title", "source_url"],
        how="left",
    )


def _plan_new_units(plan: ImportPlan, ctx: Reference) -> None:
    """Units this import adds (from the national registry or the file's units sheet), previewed
    with the rows and written in the same swap, so an undo removes them too."""
    if not ctx.registry.added:
        return
    units, aliases = ctx.registry.added_frames(ctx.catalog)
    plan.new_units = units.filter(~pl.col("unit_id").is_in(ctx.units["unit_id"].implode()))
    plan.new_aliases = aliases.filter(pl.col("unit_id").is_in(plan.new_units["unit_id"].implode()))
    if plan.new_units.height:
        central = Note("import.central")
        names = ", ".join(
            f"{r['name']} ({r['province'] or central})" for r in plan.new_units.iter_rows(named=True)
        )
        plan.notes = [*plan.notes, Note("import.note.new_units", n=plan.new_units.height, names=names)]


def _write_new_units(con, plan: ImportPlan) -> None:
    if plan.new_units.is_empty():
        return
    con.register("new_units_df", plan.new_units.to_arrow())
    con.execute("INSERT INTO units SELECT * FROM new_units_df")
    con.unregister("new_units_df")
    if plan.new_aliases.height:
        rows = plan.new_aliases.with_columns(
            alias_key=pl.col("alias").map_elements(fold, return_dtype=pl.String)
        )
        con.register("new_aliases_df", rows.select("unit_id", "alias", "alias_key").to_arrow())
        con.execute("INSERT INTO unit_aliases SELECT * FROM new_aliases_df")
        con.unregister("new_aliases_df")


def _write(con, plan: ImportPlan, catalog: Catalog, import_id: int, who: str, backup: str) -> None:
    add_missing_columns(con)  # a file built before a column was added gets it, empty
    _write_new_units(con, plan)
    rows = _source_ids(con, plan.rows)
    rows = rows.with_columns(
        file=pl.lit(plan.file), line=pl.col("_line").cast(pl.Int32), year=pl.col("year").cast(pl.Int32)
    )
    keys = rows.select(KEY)
    con.register("import_keys", keys.to_arrow())
    match = (
        "t.province = k.province AND t.unit_id = k.unit_id AND t.index_code = k.index_code "
        "AND t.component IS NOT DISTINCT FROM k.component AND t.year = k.year AND t.edition = k.edition"
    )
    con.execute(f"DELETE FROM scores t USING import_keys k WHERE {match}")
    con.execute(f"DELETE FROM score_sources t USING import_keys k WHERE {match}")
    # The source row number in the file goes to scores.line: the steward finds the value there.
    origin_rows = rows.with_columns(line=pl.col("source_row").cast(pl.Int32))
    con.register("import_rows", with_printed(origin_rows).select(SCORE_TABLE_COLUMNS).to_arrow())
    con.execute("INSERT INTO scores BY NAME SELECT * FROM import_rows")
    # Only the touched series are recomputed: a province's yearly table stays fast at national size.
    con.execute(
        "CREATE TEMP TABLE affected AS SELECT DISTINCT k.index_code, u.peer_group, "
        f"{_scope_sql(catalog, 'k.province', 'u.peer_group')} AS scope "
        "FROM import_keys k JOIN units u USING (unit_id)"
    )
    ranked = _ranked_inputs(con, catalog, only_affected=True)
    con.execute(
        "DELETE FROM ranked r USING affected a WHERE r.index_code = a.index_code "
        "AND r.peer_group = a.peer_group AND r.scope_province = a.scope"
    )
    con.register("ranked_df", ranked.to_arrow())
    con.execute("INSERT INTO ranked BY NAME SELECT * FROM ranked_df")
    unit_table.refresh(con, "affected")
    con.execute("DROP TABLE affected")
    con.execute("DROP TABLE IF EXISTS ranked_tables")
    con.execute(RANKED_TABLES_SQL)
    version = dict(con.sql("SELECT key, value FROM meta").fetchall()).get("version", "")
    base = version.split("+import", 1)[0]
    con.execute("DELETE FROM meta WHERE key IN ('version', 'imported_at')")
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ["version", f"{base}+import{import_id}"],
            ["imported_at", datetime.now(UTC).isoformat(timespec="seconds")],
        ],
    )
    added, changed, unchanged = plan.counts
    con.execute(
        "INSERT INTO imports VALUES (?, ?, 'import', ?, ?, ?)",
        [import_id, swap.now(), plan.file, added + changed, f"sha256 {plan.sha256}; {who}"],
    )
    con.execute(
        "INSERT INTO import_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
        [
            import_id,
            swap.now(),
            who,
            plan.file,
            plan.sha256,
            plan.size,
            plan.sheet,
            plan.layout,
            "; ".join([_options_text(plan.options), *plan.corrections]),
            added,
            changed,
            unchanged,
            backup,
            plan.long_csv,
        ],
    )


def _check(path: Path, expected_scores: int) -> None:
    """Reopen the written copy read-only: the counts must be what the plan said."""
    with duckdb.connect(str(path), read_only=True) as con:
        n_scores = con.sql("SELECT count(*) FROM scores").fetchall()[0][0]
        n_ranked = con.sql("SELECT count(*) FROM ranked").fetchall()[0][0]
    if n_scores != expected_scores or n_ranked != n_scores:
        raise ChisoError.coded(
            "store.check_failed", scores=n_scores, ranked=n_ranked, expected=expected_scores
        )


def apply_import(db: Path, plan: ImportPlan, *, who: str, wait: float = 0.0, config: Path | None = None):
    """Write a validated plan in one swap; raise ChisoError when the plan has errors, the database
    changed since the preview, or another writer holds the lock."""
    db = Path(db)
    if not plan.ok:
        raise ChisoError.coded("store.plan_has_errors", file=plan.file, n=len(plan.errors))
    added, changed, unchanged = plan.counts
    if not added and not changed:
        return ApplyResult(None, 0, 0, unchanged, None)
    catalog = load_catalog(config or paths.CONFIG_PATH)
    with reading(db) as con:
        before = con.sql("SELECT count(*) FROM scores").fetchall()[0][0]
    import_id, backup = swap.swap_write(
        db,
        plan.db_stamp,
        lambda con, import_id, backup_name: _write(con, plan, catalog, import_id, who, backup_name),
        who=who,
        wait=wait,
        check=lambda copy: _check(copy, before + added),
    )
    return ApplyResult(import_id, added, changed, unchanged, backup)


# ---------- undo ----------


def undo_last(db: Path, *, who: str, wait: float = 0.0) -> UndoResult:
    """Restore the database as it was before the last import that is not undone yet."""
    db = Path(db)
    with swap.write_lock(db, wait=wait, who=who):
        history = audit(db, with_rows=True)
        live = history.filter(pl.col("undone_at").is_null())
        if live.is_empty():
            raise ChisoError.coded("store.nothing_to_undo")
        last = live.row(0, named=True)
        backup = db.parent / (last["backup"] or "")
        if not last["backup"] or not backup.exists():
            raise ChisoError.coded("store.no_backup", id=last["import_id"], backup=backup.name)
        history = history.with_columns(
            undone_at=pl.when(pl.col("import_id") == last["import_id"])
            .then(pl.lit(swap.now()))
            .otherwise(pl.col("undone_at")),
            undone_by=pl.when(pl.col("import_id") == last["import_id"])
            .then(pl.lit(who))
            .otherwise(pl.col("undone_by")),
        )
        swap.swap_back(db, backup, history)
    return UndoResult(last["import_id"], last["file"], last["rows_added"], last["rows_changed"])
