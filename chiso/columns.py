"""Every column list of the project, once: the files read and written, the database tables,
and the tables the pages and exports show. Modules that used to define them re-export them."""

from __future__ import annotations

# ---------- files (ingest) ----------

# What a score row says about one table cell: the component (empty for the total), the year, the
# score on its maximum and the rank out of N; files, findings and import hints all name them.
SCORE_FIELDS = ["component", "year", "score", "max_score", "rank", "rank_of"]
SOURCE_FIELDS = ["source_title", "source_url", "quote"]
SCORE_COLUMNS = ["province", "unit", "unit_type", "index", *SCORE_FIELDS, *SOURCE_FIELDS]
# What a source printed beside the bare numbers (see OPTIONAL_SCORE_COLUMNS), in every table.
PRINTED_COLUMNS = ["printed", "printed_change", "printed_rank_change", "printed_tier"]
OPTIONAL_SCORE_COLUMNS = ["rank_basis", "flag", *PRINTED_COLUMNS, "edition"]
"""``printed``: the value as the source prints it when that differs from the bare number
("96,04 %", "trên 89,9 %"); ``printed_change``: a change of the score the source prints ("+4,54 so với 2020");
``printed_rank_change``: a change of rank the source prints ("tăng 9 bậc");
``printed_tier``: the tier the source prints for an index total ("Tốt"), which wins over a band;
``edition``: which of a year's editions the value belongs to, where the config declares several
(DTI 2024: ``63`` or ``34`` provinces), empty otherwise."""
# The long CSV format as written by exports and read by imports (README, "The long CSV format").
LONG_COLUMNS = [*SCORE_COLUMNS, *OPTIONAL_SCORE_COLUMNS]
UNIT_COLUMNS = [
    "province",
    "name",
    "short_name",
    "unit_type",
    "code",
    "valid_from",
    "valid_to",
    "successor",
    "peer_group",
    "aliases",
]
STAT_COLUMNS = [
    "province",
    "peer_group",
    "index",
    "component",
    "year",
    "stat",
    "value",
    "max_score",
    "source_title",
    "source_url",
    "quote",
]
COUNT_COLUMNS = [
    "province",
    "unit",
    "unit_type",
    "level",
    "period_start",
    "period_end",
    "indicator",
    "value",
    "source_title",
    "quote",
]

# The lineage of units across a reorganisation: one edge predecessor -> successor
# (chiso.lineage); the stored ``lineage`` table adds the stored unit on each side.
PREDECESSOR_COLUMNS = [
    "predecessor",
    "predecessor_type",
    "predecessor_code",
    "predecessor_district",
    "predecessor_province",
]
SUCCESSOR_COLUMNS = ["successor", "successor_type", "successor_code", "successor_province"]
EDGE_COLUMNS = ["level", *PREDECESSOR_COLUMNS, *SUCCESSOR_COLUMNS, "date", "kind", "source"]
LINEAGE_COLUMNS = [
    "level",
    *PREDECESSOR_COLUMNS,
    "predecessor_id",
    *SUCCESSOR_COLUMNS,
    "successor_id",
    "date",
    "kind",
    "source",
]

# ---------- database tables (store) ----------

# Columns of the ``scores`` table, in order: what a build or an import inserts.
SCORE_TABLE_COLUMNS = [
    "province",
    "unit_id",
    "index_code",
    "component",
    "year",
    "score",
    "max_score",
    "published_rank",
    "published_rank_of",
    "rank_basis",
    "flag",
    *PRINTED_COLUMNS,
    "source_id",
    "quote",
    "file",
    "line",
    "edition",  # '' for a year of one edition (config: an index's ``editions``)
]
# A year's score as the ranked table, the profile and the trends show it: on its maximum, as a
# share of it, and its rank out of N.
SCORED = ["year", "score", "max_score", "pct_of_max", "rank", "rank_of"]
# Columns of the ``ranked`` table, in order, and its sort order.
RANKED_COLUMNS = [
    "scope_province",
    "province",
    "peer_group",
    "unit_id",
    "name",
    "short_name",
    "unit_type",
    "code",
    "index_code",
    "component",
    "edition",
    "edition_default",  # the edition shown unless another is chosen (the config's default where stored)
    *SCORED,
    "rank_basis",
    "rank_computed",
    "n_scored",
    "complete",
    "rank_mismatch",
    "published_rank",
    "published_rank_of",
    "percentile",
    "tier_order",
    "tier_code",
    "tier_vi",
    "tier_en",
    "prev_score",
    "prev_rank",
    "prev_rank_of",
    "d_score",
    "d_rank",
    "prev_rank_basis",
    "rank_change_comparable",
    "peer_mean",
    "peer_median",
    "community",
    "flag",
    *PRINTED_COLUMNS,
    "source_id",
    "source_title",
    "source_url",
    "quote",
]
# Read paths filter on these columns; sorting the derived table by them keeps slices contiguous.
RANKED_ORDER = ["index_code", "peer_group", "scope_province", "year", "edition", "component", "rank"]

# ---------- computed tables (metrics) and what leaves as a table (views, export) ----------

GAP_COLUMNS = [
    "component",
    "name",
    "score",
    "max_score",
    "pct_of_max",
    "points_lost",
    "component_rank",
    "rank_of",
    "peer_mean",
    "best_unit",
    "best_score",
    "gap_to_best",
]
"""The columns of :func:`chiso.metrics.gaps.component_gaps`, in order (``published_rank`` follows them)."""
GAP_EXPORT = GAP_COLUMNS[1:]  # the gaps table without the component code
PROFILE_EXPORT = ["index_code", *SCORED, "percentile", "d_score", "d_rank"]
TREND_EXPORT = ["name", *SCORED]
# The fields of a finding's source row worth showing under it.
EVIDENCE_KEYS = ("index_code", "name", *SCORE_FIELDS, "rank_basis", *SOURCE_FIELDS, "flag")
