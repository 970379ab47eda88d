"""Import of one-stop counts (and rates a source printed) through the same validated, one-swap
path as scores: ``chiso import counts.csv`` recognises the long counts layout by its columns.

The file is validated by the build's own reader (unknown unit with suggestions, level, dates,
numbers), rows whose indicator ends in ``_pct`` are stored as published rates and never as
counts, the preview says what is added, changed and unchanged, and the write is a copy of the
database changed in one transaction and swapped in under the same lock, with an audit row and
a backup kept for ``chiso undo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from chiso.errors import ChisoError
from chiso.i18n import DEFAULT_LANG, t
from chiso.ingest.problems import Note
from chiso.ingest.readers import COUNT_COLUMNS, read_counts
from chiso.store.swap import ApplyResult, apply_plan, db_stamp, reading, sha256_of
from chiso.units import Registry

KEY = ["province", "unit_id", "level", "period_start", "period_end", "indicator"]
MARKERS = {"level", "period_start", "period_end", "indicator", "value"}


def is_counts_file(path: Path) -> bool:
    """True when a CSV's header has the counts layout (level, period_start, period_end, indicator, value)."""
    if Path(path).suffix.lower() != ".csv":
        return False
    try:
        with Path(path).open(encoding="utf-8-sig") as handle:
            header = {c.strip() for c in handle.readline().split(",")}
    except (OSError, UnicodeDecodeError):
        return False
    return header >= MARKERS


@dataclass(frozen=True)
class CountsPlan:
    file: str
    sha256: str
    size: int
    rows: pl.DataFrame  # validated rows with unit_id, kind ('count' or 'rate') and status
    db_stamp: tuple

    @property
    def counts(self) -> tuple[int, int, int]:
        status = self.rows.get_column("status")
        return int((status == "add").sum()), int((status == "change").sum()), int((status == "same").sum())

    def report(self, lang: str = DEFAULT_LANG) -> str:
        added, changed, same = self.counts
        rates = int((self.rows.get_column("kind") == "rate").sum())
        values = {"rows": self.rows.height, "rates": rates, "added": added, "changed": changed, "same": same}
        return t("counts.report", lang, file=self.file, **values)


MAX_COUNT_ROWS = 200_000
INDICATOR_CODE = r"^[a-z][a-z0-9_]*$"


def check_counts_size(path: Path) -> None:
    """The documented limit (200.000 rows) is checked before the file is parsed."""
    with Path(path).open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    if lines - 1 > MAX_COUNT_ROWS:
        dotted = {"n": f"{lines - 1:,}".replace(",", "."), "limit": f"{MAX_COUNT_ROWS:,}".replace(",", ".")}
        raise ChisoError.coded("counts.too_many_rows", file=Path(path).name, **dotted)


def check_counts_plausible(frame: pl.DataFrame, file: str) -> None:
    """An indicator is a code (not free text); a count is a whole number; a rate is 0–100 %."""
    rate = pl.col("indicator").str.ends_with("_pct")
    checks = [  # (rows refused, the problem's code under problem.counts.*, the value it names)
        (~pl.col("indicator").str.contains(INDICATOR_CODE), "not_a_code", pl.col("indicator")),
        (rate & (pl.col("value") > 100), "rate_over_100", pl.col("value")),
        (~rate & (pl.col("value") != pl.col("value").floor()), "not_whole", pl.col("value")),
    ]
    found = []
    for mask, code, value in checks:
        bad = frame.filter(mask).select("_line", pl.lit(code), value.cast(pl.String))
        found += bad.rows()
    if found:
        found.sort()
        line, code, value = found[0]
        more = Note("problem.import.more", n=len(found) - 1) if len(found) > 1 else ""
        problem = Note(f"problem.counts.{code}", value=value)
        raise ChisoError.coded("counts.refused", file=file, line=line, problem=problem, more=more)


def plan_counts(db: Path, path: Path) -> CountsPlan:
    """Validate the file against the database's units and say what an import would change."""
    with reading(db) as con:
        units = con.sql("SELECT * FROM units").pl()
        aliases = con.sql("SELECT unit_id, alias FROM unit_aliases").pl()
        existing = pl.concat(
            [
                con.sql(
                    "SELECT province, unit_id, level, period_start, period_end, indicator, value, "
                    "'count' AS kind FROM one_stop_counts"
                ).pl(),
                con.sql(
                    "SELECT province, unit_id, level, period_start, period_end, indicator, "
                    "value_pct AS value, 'rate' AS kind FROM one_stop_rates"
                ).pl(),
            ]
        )
    check_counts_size(Path(path))
    frame = read_counts(Path(path), Registry.from_frames(units, aliases))  # raises DataError, nothing written
    check_counts_plausible(frame, Path(path).name)
    frame = frame.with_columns(
        kind=pl.when(pl.col("indicator").str.ends_with("_pct"))
        .then(pl.lit("rate"))
        .otherwise(pl.lit("count"))
    )
    dupes = frame.filter(pl.struct(KEY).is_duplicated())
    if not dupes.is_empty():
        line = dupes.get_column("_line").to_list()[1]
        raise ChisoError.coded("counts.repeated", file=path, line=line)
    joined = frame.join(existing.rename({"value": "old_value"}).drop("kind"), on=KEY, how="left")
    planned = joined.with_columns(
        status=pl.when(pl.col("old_value").is_null())
        .then(pl.lit("add"))
        .when((pl.col("old_value") - pl.col("value")).abs() > 1e-9)
        .then(pl.lit("change"))
        .otherwise(pl.lit("same"))
    )
    return CountsPlan(
        str(Path(path).name), sha256_of(Path(path)), Path(path).stat().st_size, planned, db_stamp(db)
    )


def _write(con, plan: CountsPlan, import_id: int, who: str, backup: str) -> None:
    rows = plan.rows.filter(pl.col("status") != "same").with_columns(pl.col("source_url").fill_null(""))
    known = con.sql("SELECT source_id, title, coalesce(url, '') AS url FROM sources").pl()
    fresh = (
        rows.select(pl.col("source_title").alias("title"), pl.col("source_url").alias("url"))
        .unique()
        .join(known, on=["title", "url"], how="anti")
        .filter(pl.col("title") != "")
        .sort("title", "url")
    )
    start = int(known["source_id"].max() or 0) + 1 if known.height else 1
    fresh = fresh.with_row_index("source_id", offset=start).with_columns(pl.col("source_id").cast(pl.Int32))
    if fresh.height:
        con.register("fresh_sources", fresh.to_arrow())
        con.execute(
            "INSERT INTO sources (source_id, title, url) SELECT source_id, title, nullif(url, '') "
            "FROM fresh_sources"
        )
    lookup = pl.concat([known.with_columns(pl.col("source_id").cast(pl.Int32)), fresh.select(known.columns)])
    rows = rows.join(
        lookup.rename({"title": "source_title", "url": "source_url"}),
        on=["source_title", "source_url"],
        how="left",
    )
    for kind, table, value in (
        ("count", "one_stop_counts", "value"),
        ("rate", "one_stop_rates", "value_pct"),
    ):
        part = rows.filter(pl.col("kind") == kind).select(
            *KEY, pl.col("value").alias(value), "source_id", "quote"
        )
        if part.is_empty():
            continue
        con.register("count_rows", part.to_arrow())
        con.execute(
            f"DELETE FROM {table} t USING count_rows k WHERE t.province = k.province "
            "AND t.unit_id = k.unit_id AND t.level = k.level AND t.period_start = k.period_start "
            "AND t.period_end = k.period_end AND t.indicator = k.indicator"
        )
        con.execute(
            f"INSERT INTO {table} (province, unit_id, level, period_start, period_end, indicator, "
            f"{value}, source_id, quote) SELECT province, unit_id, level, period_start, period_end, "
            f"indicator, {value}, source_id, quote FROM count_rows"
        )
        con.unregister("count_rows")
    added, changed, same = plan.counts
    long_csv = plan.rows.select(*[c for c in COUNT_COLUMNS if c in plan.rows.columns]).write_csv()
    con.execute("DELETE FROM meta WHERE key = 'imported_at'")
    con.execute(
        "INSERT INTO meta VALUES ('imported_at', ?)", [datetime.now(UTC).isoformat(timespec="seconds")]
    )
    con.execute(
        "INSERT INTO import_audit VALUES (?, ?, ?, ?, ?, ?, NULL, 'counts', '', ?, ?, ?, ?, NULL, NULL, ?)",
        [
            import_id,
            datetime.now(UTC).replace(tzinfo=None),
            who,
            plan.file,
            plan.sha256,
            plan.size,
            added,
            changed,
            same,
            backup,
            long_csv,
        ],
    )


def apply_counts(db: Path, plan: CountsPlan, *, who: str, wait: float = 0.0) -> ApplyResult:
    """Write the plan through the importers' one write path (lock, copy, one transaction, swap)."""
    return apply_plan(db, plan, _write, who=who, wait=wait)
