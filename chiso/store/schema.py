"""The DuckDB schema. Derived figures (ranks, changes, peer statistics) live in ``ranked``,
computed once at build time, so a page reads only its slice."""

from chiso.columns import PRINTED_COLUMNS, RANKED_ORDER, SCORE_TABLE_COLUMNS  # noqa: F401 (re-exported)

SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE sources (
    source_id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    url VARCHAR,
    publisher VARCHAR,
    published_date DATE
);

CREATE TABLE units (
    unit_id VARCHAR PRIMARY KEY,       -- '<province slug>/<name slug>'
    province VARCHAR NOT NULL,         -- '' for national bodies (ministries)
    name VARCHAR NOT NULL,             -- official name, e.g. 'Huyện Đầm Hà'
    short_name VARCHAR NOT NULL,       -- 'Đầm Hà'
    unit_type VARCHAR NOT NULL,
    peer_group VARCHAR NOT NULL,
    code VARCHAR,                      -- administrative code where known
    valid_from INTEGER,
    valid_to INTEGER,
    successor_id VARCHAR               -- the unit it merged into
);

CREATE TABLE unit_aliases (
    unit_id VARCHAR NOT NULL,
    alias VARCHAR NOT NULL,            -- as printed in a published table
    alias_key VARCHAR NOT NULL         -- folded: lower case, no accents
);

CREATE TABLE scores (
    province VARCHAR NOT NULL,
    unit_id VARCHAR NOT NULL,
    index_code VARCHAR NOT NULL,
    component VARCHAR,                 -- NULL: the index total
    year INTEGER NOT NULL,
    score DOUBLE,                      -- NULL when only a rank was published
    max_score DOUBLE NOT NULL,
    published_rank INTEGER,
    published_rank_of INTEGER,
    rank_basis VARCHAR,                -- 'published' or 'list_order' (inferred from list order)
    flag VARCHAR,                      -- doubts about the value, kept with it
    printed VARCHAR,                   -- the value as the source prints it ('96,04 %', 'trên 89,9 %')
    printed_change VARCHAR,            -- a change as the source prints it ('+4,54 so với 2020')
    printed_rank_change VARCHAR,       -- a change of rank as the source prints it ('tăng 9 bậc')
    printed_tier VARCHAR,              -- the tier the source prints for a total ('Tốt'); wins over a band
    source_id INTEGER,
    quote VARCHAR,
    file VARCHAR,
    line INTEGER,
    edition VARCHAR NOT NULL DEFAULT ''  -- which edition of the year ('' when it has one: config editions)
);

CREATE TABLE score_sources (           -- a second source for the same value
    province VARCHAR, unit_id VARCHAR, index_code VARCHAR, component VARCHAR, year INTEGER,
    source_id INTEGER, quote VARCHAR, edition VARCHAR NOT NULL DEFAULT ''
);

CREATE TABLE published_stats (         -- published averages and medians: never ranked as units
    province VARCHAR NOT NULL,         -- '' for national figures
    peer_group VARCHAR NOT NULL,       -- 'all' when the source covers every block
    index_code VARCHAR NOT NULL,
    component VARCHAR,
    year INTEGER NOT NULL,
    stat VARCHAR NOT NULL,             -- 'mean' or 'median'
    value DOUBLE NOT NULL,
    max_score DOUBLE NOT NULL,
    source_id INTEGER,
    quote VARCHAR
);

CREATE TABLE one_stop_counts (
    province VARCHAR NOT NULL, unit_id VARCHAR NOT NULL,
    level VARCHAR NOT NULL,            -- 'unit': its own desk; 'communes': the communes under it
    period_start DATE NOT NULL, period_end DATE NOT NULL,
    indicator VARCHAR NOT NULL, value DOUBLE NOT NULL,
    source_id INTEGER, quote VARCHAR
);

CREATE TABLE one_stop_rates (          -- rates as a source printed them; never treated as counts
    province VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, level VARCHAR NOT NULL,
    period_start DATE NOT NULL, period_end DATE NOT NULL,
    indicator VARCHAR NOT NULL, value_pct DOUBLE NOT NULL,
    source_id INTEGER, quote VARCHAR,
    printed VARCHAR                    -- the rate as printed when it is qualified ('trên 89,9 %')
);

CREATE TABLE imports (
    import_id INTEGER, imported_at TIMESTAMP, kind VARCHAR, file VARCHAR, rows INTEGER, note VARCHAR
);
"""

# One row per table of index totals, rebuilt whenever ``ranked`` is (build and import).
RANKED_TABLES_SQL = """
CREATE TABLE ranked_tables AS
SELECT scope_province, peer_group, index_code, year, edition, edition_default,
       count(*) AS n_rows, count(score) AS n_scored, bool_and(complete) AS complete
FROM ranked WHERE component IS NULL
GROUP BY ALL ORDER BY index_code, peer_group, scope_province, year, edition
"""


# Columns added to the stored tables after some files were built without them. An import
# into such a file adds them first (``add_missing_columns``); a ranking read gives them empty.
ADDED_COLUMNS = {"printed_rank_change": "VARCHAR"}


def add_missing_columns(con) -> None:
    """On a writable connection: the columns of ``ADDED_COLUMNS`` that the file's ``scores``,
    ``ranked`` and ``ranked_units`` lack, added empty (a file built before them; inserts into
    these tables go by name)."""
    present = con.sql(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE table_name IN ('scores', 'ranked', 'ranked_units')"
    ).fetchall()
    tables = {t for t, _ in present}
    for table in sorted(tables):
        have = {c for t, c in present if t == table}
        for column, kind in ADDED_COLUMNS.items():
            if column not in have:
                con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def with_printed(rows):
    """Rows from a reader that knows no printed figures (a decision annex) get empty ones."""
    import polars as pl

    missing = [c for c in PRINTED_COLUMNS if c not in rows.columns]
    rows = rows.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)
    return rows if "edition" in rows.columns else rows.with_columns(edition=pl.lit(""))


# Targets a steward sets (chiso/store/targets.py): IF NOT EXISTS, so a database built before them
# gets the table on its first targets write; a build creates it empty.
TARGETS_SCHEMA = """
CREATE TABLE IF NOT EXISTS targets (
    province VARCHAR NOT NULL,
    unit_id VARCHAR NOT NULL,
    index_code VARCHAR NOT NULL,
    component VARCHAR,                 -- a floor's component; NULL for the index total
    year INTEGER NOT NULL,             -- the year the target is for
    kind VARCHAR NOT NULL,             -- 'rank' (<= rank_target out of rank_of), 'tier', 'score', 'floor'
    rank_target INTEGER,
    rank_of INTEGER,
    tier_code VARCHAR,
    value DOUBLE,                      -- a score or a component's floor, in points
    source_id INTEGER,                 -- the document the target comes from
    quote VARCHAR,
    set_by VARCHAR,
    set_at TIMESTAMP,
    import_id INTEGER                  -- the audited write that set it (chiso undo removes it)
);
"""
SCHEMA += TARGETS_SCHEMA
