"""Plausibility of validated rows: warnings that do not block an import.

Units repeated with the same values, totals that are not the sum of their components, published
ranks that disagree with the scores, maxima printed in headers that differ from the config,
scores that look like fractions of a percentage scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiso.config import Catalog
from chiso.ingest.annex import Annex
from chiso.ingest.problems import Issue, issue
from chiso.ingest.resolve import origin_label


@dataclass(frozen=True)
class _Rows:
    """Validated rows and where each came from (``_line`` 2… is ``kept[_line - 2]`` of the annex)."""

    annex: Annex
    kept: list[int]

    def at(self, line: int, column: str, code: str, **params) -> Issue:
        origin = self.annex.origins[self.kept[line - 2]]
        column = origin_label(origin, column)
        return issue(
            self.annex.file,
            code,
            sheet=origin.sheet,
            row=origin.row,
            column=column,
            level="warning",
            **params,
        )


def warnings(annex: Annex, scores: pl.DataFrame, kept: list[int], catalog: Catalog) -> list[Issue]:
    """Every warning once, in the order of the source."""
    rows = _Rows(annex, kept)
    first = scores.filter(pl.col("is_first"))
    totals = first.filter(pl.col("component").is_null() & pl.col("score").is_not_null())
    found = [
        *(
            rows.at(r["_line"], "unit", "unit.repeated_same", hints=())
            for r in scores.filter(~pl.col("is_first")).iter_rows(named=True)
        ),
        *_sums(rows, first, totals, catalog),
        *_ranks(rows, totals, catalog),
        *_declared_maxima(rows, first),
        *_fractions(rows, first),
    ]
    seen, unique = set(), []
    for w in sorted(found, key=Issue.sort_key):
        if (w.row, w.column, w.message) not in seen:
            seen.add((w.row, w.column, w.message))
            unique.append(w)
    return unique


def _sums(rows: _Rows, first: pl.DataFrame, totals: pl.DataFrame, catalog: Catalog) -> list[Issue]:
    """Totals against the sum of their components (aggregation 'sum' only, all components present)."""
    parts = (
        first.filter(pl.col("component").is_not_null() & pl.col("score").is_not_null())
        .group_by("province", "unit_id", "index_code", "year")
        .agg(pl.col("score").sum().alias("parts"), pl.col("component").n_unique().alias("n_parts"))
    )
    joined = totals.join(parts, on=["province", "unit_id", "index_code", "year"], how="inner")
    out = []
    for row in joined.iter_rows(named=True):
        index = catalog.index(row["index_code"])
        where = (row["province"], row["peer_group"], row["year"])
        if index.aggregation_for(*where) != "sum":
            continue
        variant = index.variant_for(*where)
        if variant is None or row["n_parts"] < len(variant.components):
            continue
        decimals = index.decimals_for(*where)
        tolerance = row["n_parts"] * 0.5 * 10**-decimals + 1e-9
        if abs(row["score"] - row["parts"]) > tolerance:
            score, total = f"{row['score']:g}", f"{row['parts']:.{decimals}f}"
            out.append(rows.at(row["_line"], "score", "total.not_sum", score=score, parts=total))
    return out


def _ranks(rows: _Rows, totals: pl.DataFrame, catalog: Catalog) -> list[Issue]:
    """Published ranks against the order of the scores, within each table of the import."""
    direction = {i.code: i.higher_is_better for i in catalog.indices}
    national = [g for g, spec in catalog.peer_groups.items() if spec.scope == "national"]
    table = ("scope", "peer_group", "index_code", "year")
    ranked = (
        totals.filter(pl.col("published_rank").is_not_null())
        .with_columns(
            scope=pl.when(pl.col("peer_group").is_in(national)).then(pl.lit("")).otherwise("province"),
            signed=pl.when(pl.col("index_code").replace_strict(direction, return_dtype=pl.Boolean))
            .then(-pl.col("score"))
            .otherwise(pl.col("score")),
        )
        .with_columns(
            computed=pl.col("signed").rank(method="min").over(table),
            n_scored=pl.col("score").count().over(table),
            table_rank_of=pl.col("published_rank_of").max().over(table),
        )
    )
    # Like with like (the rule of chiso.metrics): a published rank is compared only with a rank
    # over the same N, i.e. when the file holds every unit of the published table.
    same_basis = pl.col("table_rank_of").is_not_null() & (pl.col("n_scored") >= pl.col("table_rank_of"))
    differs = ranked.filter(same_basis & (pl.col("computed") != pl.col("published_rank")))
    return [
        rows.at(
            r["_line"], "rank", "rank.differs", published=r["published_rank"], computed=int(r["computed"])
        )
        for r in differs.iter_rows(named=True)
    ]


def _declared_maxima(rows: _Rows, first: pl.DataFrame) -> list[Issue]:
    """Maxima printed in the headers ("Cải cách thể chế (13 điểm)") against the config."""
    out = []
    for row in first.iter_rows(named=True):
        origin = rows.annex.origins[rows.kept[row["_line"] - 2]]
        if origin.declared_max is not None and abs(origin.declared_max - row["max_score"]) > 1e-9:
            declared, config = f"{origin.declared_max:g}", f"{row['max_score']:g}"
            out.append(rows.at(row["_line"], "score", "max.header_differs", declared=declared, config=config))
    return out


def _fractions(rows: _Rows, first: pl.DataFrame) -> list[Issue]:
    """Scores that look like fractions of a percentage scale (a cell formatted as %)."""
    columns = first.filter(pl.col("score").is_not_null() & (pl.col("max_score") >= 10)).group_by(
        "index_code", "component", "year"
    )
    out = []
    for _, group in columns:
        if group.height >= 3 and group["score"].max() <= 1 and group["score"].min() > 0:
            row = group.row(0, named=True)
            out.append(rows.at(row["_line"], "score", "score.looks_percent", max=f"{row['max_score']:g}"))
    return out
