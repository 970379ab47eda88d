"""Build the DuckDB file from the config and the CSV files under ``data/``.

The build writes a new file beside the target and swaps it in only when everything
validated and was written, so a failed build leaves the previous database in use.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from chiso.columns import RANKED_COLUMNS
from chiso.config import Catalog, load_catalog
from chiso.errors import ChisoError, KeepsImportsError
from chiso.i18n import DEFAULT_LANG, t
from chiso.ingest import editions
from chiso.ingest.readers import check_duplicates, read_counts, read_scores, read_stats, read_units
from chiso.metrics import peer_rules
from chiso.metrics import ranks as metrics
from chiso.store import lineage_table, unit_table
from chiso.store.schema import RANKED_ORDER, RANKED_TABLES_SQL, SCHEMA, SCORE_TABLE_COLUMNS, with_printed
from chiso.store.swap import write_lock
from chiso.units import Registry

apply_peer_rules = peer_rules.apply  # the demos count their tables' N by the same rules
declared_editions = editions.declared  # and name the editions the config declares


@dataclass(frozen=True)
class BuildReport:
    db_path: Path
    units: int
    scores: int
    stats: int
    counts: int
    rates: int

    def summary(self, lang: str = DEFAULT_LANG) -> str:
        counts = {"units": self.units, "scores": self.scores, "stats": self.stats, "rates": self.rates}
        return t("store.built", lang, db=self.db_path, counts=self.counts, **counts)


def data_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in Path(data_dir).rglob("*.csv") if p.is_file())


def fingerprint(config_path: Path, data_dir: Path) -> str:
    """Hash of the config and every data file: the database version pages cache on."""
    digest = hashlib.sha256()
    for path in [Path(config_path), *data_files(data_dir)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def tier_frame(catalog: Catalog, keys: pl.DataFrame) -> pl.LazyFrame:
    """Tier bands for every (index, province, peer group, year) present in the data."""
    rows = []
    for index_code, province, peer_group, year in keys.rows():
        tiers = catalog.index(index_code).tiers_for(province, peer_group, year)
        for order, tier in enumerate(tiers):
            rows.append(
                (
                    index_code,
                    province,
                    peer_group,
                    year,
                    order,
                    tier.code,
                    tier.name.get("vi", tier.code),
                    tier.name.get("en", tier.code),
                    tier.min_pct,
                )
            )
    schema = {
        "index_code": pl.String,
        "province": pl.String,
        "peer_group": pl.String,
        "year": pl.Int32,
        "tier_order": pl.Int32,
        "tier_code": pl.String,
        "tier_vi": pl.String,
        "tier_en": pl.String,
        "min_pct": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").lazy()


def _sources(frames: list[pl.DataFrame]) -> pl.DataFrame:
    parts = [
        f.select(pl.col("source_title").alias("title"), pl.col("source_url").alias("url")) for f in frames
    ]
    sources = pl.concat(parts).unique().filter(pl.col("title") != "").sort("title", "url")
    return sources.with_row_index("source_id", offset=1).with_columns(
        pl.col("source_id").cast(pl.Int32),
        url=pl.when(pl.col("url") == "").then(None).otherwise(pl.col("url")),
    )


def _with_source_id(frame: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    if "source_url" not in frame.columns:
        frame = frame.with_columns(source_url=pl.lit(""))
    lookup = sources.select(
        "source_id", pl.col("title").alias("source_title"), pl.col("url").fill_null("").alias("source_url")
    )
    return frame.join(lookup, on=["source_title", "source_url"], how="left")


def derive_ranked(
    scores: pl.DataFrame, units: pl.DataFrame, sources: pl.DataFrame, catalog: Catalog
) -> pl.DataFrame:
    """The stored ``ranked`` table: one row per score with everything a page shows."""
    national = [g for g, spec in catalog.peer_groups.items() if spec.scope == "national"]
    direction = {i.code: i.higher_is_better for i in catalog.indices}
    base = (
        with_printed(scores)
        .filter(pl.col("is_first"))
        .drop("unit_type", strict=False)
        .join(units.select("unit_id", "name", "short_name", "unit_type", "code"), on="unit_id", how="left")
        .pipe(peer_rules.apply, catalog)
        .with_columns(
            scope_province=pl.when(pl.col("peer_group").is_in(national))
            .then(pl.lit(""))
            .otherwise("province"),
            higher_is_better=pl.col("index_code").replace_strict(direction, return_dtype=pl.Boolean),
        )
    )
    base = _with_editions(base, catalog)
    tiers = tier_frame(catalog, base.select("index_code", "province", "peer_group", "year").unique())
    ranked = metrics.derive(base.lazy(), tiers).collect()
    community = [
        f"{i.code}.{c.code}" for i in catalog.indices for v in i.variants for c in v.components if c.community
    ]
    ranked = ranked.with_columns(
        community=pl.concat_str("index_code", pl.lit("."), "component").is_in(community).fill_null(False)
    )
    ranked = ranked.join(
        sources.select("source_id", pl.col("title").alias("source_title"), pl.col("url").alias("source_url")),
        on="source_id",
        how="left",
    )
    return ranked.select(RANKED_COLUMNS).sort(RANKED_ORDER, nulls_last=True)


def _with_editions(base: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """Each row's edition flags: whether it is the edition shown by default ('' always is) and
    which edition of the year before its change is measured against (chiso.ingest.editions)."""
    declared = editions.declared(catalog).select(
        "index_code", "year", "peer_group", "edition", "edition_default"
    )
    keys = base.select("index_code", "peer_group", "year", "edition").unique()
    return (
        base.join(declared, on=["index_code", "year", "peer_group", "edition"], how="left")
        .join(
            editions.continued(catalog, keys), on=["index_code", "peer_group", "year", "edition"], how="left"
        )
        .with_columns(edition_default=pl.col("edition_default").fill_null(pl.col("edition") == ""))
        .with_columns(edition_default=_shown_by_default())
    )


def _shown_by_default() -> pl.Expr:
    """The edition a table shows unless another is chosen: the config's default where it is
    stored, else the first stored (the national demo holds only the 63 former provinces' DTI 2024)."""
    table = ["index_code", "peer_group", "scope_province", "year"]
    default = pl.col("edition_default")
    first = pl.col("edition") == pl.col("edition").min().over(table)
    return pl.when(default.any().over(table)).then(default).otherwise(first)


def pending_imports(db_path: Path) -> int:
    """Imports (``chiso import``) recorded in an existing database and not undone: a rebuild
    from ``data/`` would drop them, so the build refuses unless forced."""
    if not Path(db_path).exists():
        return 0
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            known = con.sql(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'import_audit'"
            )
            if not known.fetchall()[0][0]:
                return 0
            return con.sql("SELECT count(*) FROM import_audit WHERE undone_at IS NULL").fetchall()[0][0]
    except duckdb.Error:
        return 0  # an unreadable old file holds nothing to keep


def build(
    config_path: Path, data_dir: Path, db_path: Path, *, dataset: str = "published", force: bool = False
) -> BuildReport:
    """Validate everything, write a new database and swap it in; raise ChisoError on any problem.

    Holds the same write lock as imports, so a build and an import never overwrite each other.
    """
    kept = 0 if force else pending_imports(db_path)
    if kept:
        raise KeepsImportsError.coded("store.keeps_imports", db=db_path, n=kept)
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    with write_lock(Path(db_path)):
        return _build(config_path, data_dir, db_path, dataset=dataset)


def _build(config_path: Path, data_dir: Path, db_path: Path, *, dataset: str) -> BuildReport:
    catalog = load_catalog(config_path)
    data_dir = Path(data_dir)
    units_path = data_dir / "units.csv"
    if not units_path.exists():
        raise ChisoError.coded("store.no_units_file", path=units_path)
    units, aliases = read_units(units_path, catalog)
    registry = Registry.from_frames(units, aliases, national=True)
    score_files = sorted((data_dir / "scores").glob("*.csv"))
    if not score_files:
        raise ChisoError.coded("store.no_score_files", folder=data_dir / "scores")
    # Each file is checked on its own, then all together: the same key in two files is a duplicate too.
    scores = check_duplicates(
        pl.concat([read_scores(p, catalog, registry, units) for p in score_files], how="diagonal_relaxed")
    )
    stats_path = data_dir / "averages.csv"
    stats = read_stats(stats_path, catalog) if stats_path.exists() else None
    counts_path, rates_path = data_dir / "one_stop" / "counts.csv", data_dir / "one_stop" / "rates.csv"
    counts = read_counts(counts_path, registry) if counts_path.exists() else None
    rates = read_counts(rates_path, registry) if rates_path.exists() else None
    units, aliases = _with_national(units, aliases, registry, catalog)
    sources = _sources([f for f in (scores, stats, counts, rates) if f is not None])
    ranked = derive_ranked(_with_source_id(scores, sources), units, sources, catalog)

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(SCHEMA)

            def sourced(frame):
                return None if frame is None else _with_source_id(frame, sources)

            _write_all(
                con,
                catalog,
                units,
                aliases,
                sources,
                sourced(scores),
                ranked,
                sourced(stats),
                sourced(counts),
                sourced(rates),
            )
            lineage_table.write(con, units, data_dir)
            meta = {
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "dataset": dataset,
                "version": fingerprint(config_path, data_dir),
            }
            con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return BuildReport(
        db_path,
        units.height,
        scores.height,
        0 if stats is None else stats.height,
        0 if counts is None else counts.height,
        0 if rates is None else rates.height,
    )


def _with_national(units, aliases, registry: Registry, catalog: Catalog):
    """Add the units the scores named from the national registry (not listed in units.csv)."""
    if not registry.added:
        return units, aliases
    extra, extra_aliases = registry.added_frames(catalog)
    extra = extra.filter(~pl.col("unit_id").is_in(units["unit_id"].implode()))
    return (
        pl.concat([units, extra.select(units.columns)], how="vertical_relaxed"),
        pl.concat([aliases, extra_aliases.select(aliases.columns)], how="vertical_relaxed"),
    )


def _write_all(con, catalog, units, aliases, sources, scores, ranked, stats, counts, rates) -> None:
    from chiso.names import fold

    con.register("units_df", units.to_arrow())
    con.execute("INSERT INTO units SELECT * FROM units_df")
    alias_rows = aliases.with_columns(alias_key=pl.col("alias").map_elements(fold, return_dtype=pl.String))
    con.register("aliases_df", alias_rows.select("unit_id", "alias", "alias_key").to_arrow())
    con.execute("INSERT INTO unit_aliases SELECT * FROM aliases_df")
    con.register("sources_df", sources.to_arrow())
    con.execute("INSERT INTO sources (source_id, title, url) SELECT source_id, title, url FROM sources_df")
    firsts = scores.filter(pl.col("is_first")).rename({"_line": "line"})
    con.register("scores_df", with_printed(firsts).select(SCORE_TABLE_COLUMNS).to_arrow())
    con.execute("INSERT INTO scores SELECT * FROM scores_df")
    extra = scores.filter(~pl.col("is_first")).select(
        *SCORE_TABLE_COLUMNS[:5], "source_id", "quote", "edition"
    )
    con.register("extra_df", extra.to_arrow())
    con.execute("INSERT INTO score_sources SELECT * FROM extra_df")
    con.register("ranked_df", ranked.to_arrow())
    con.execute("CREATE TABLE ranked AS SELECT * FROM ranked_df")
    # One row per table of index totals: the selectors read this instead of scanning ``ranked``.
    con.execute(RANKED_TABLES_SQL)
    unit_table.write(con)  # the same rows in unit order: one unit's profile reads a few blocks
    if stats is not None:
        con.register(
            "stats_df",
            stats.select(
                "province",
                "peer_group",
                "index_code",
                "component",
                "year",
                "stat",
                "value",
                "max_score",
                "source_id",
                "quote",
            ).to_arrow(),
        )
        con.execute("INSERT INTO published_stats SELECT * FROM stats_df")
    for table, frame, value in (("one_stop_counts", counts, "value"), ("one_stop_rates", rates, "value")):
        if frame is None:
            continue
        con.register(
            "c_df",
            frame.select(
                "province",
                "unit_id",
                "level",
                "period_start",
                "period_end",
                "indicator",
                value,
                "source_id",
                "quote",
                *(["printed"] if table == "one_stop_rates" else []),
            )
            # a province's reports side by side: the online-services page reads one province
            .sort("province", "unit_id", "level", "period_start", "period_end", "indicator")
            .to_arrow(),
        )
        con.execute(f"INSERT INTO {table} SELECT * FROM c_df")
        con.unregister("c_df")
    con.execute(
        "INSERT INTO imports VALUES (1, now(), 'build', ?, ?, ?)",
        [", ".join(sorted(scores["file"].unique())), scores.height, f"catalog v{catalog.version}"],
    )
