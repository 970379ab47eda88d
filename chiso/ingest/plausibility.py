"""Plausibility of validated rows: warnings that do not block an import.

Totals that are not the sum of their components, published ranks that disagree with the scores,
maxima printed in headers that differ from the config, scores that look like fractions.
"""

from __future__ import annotations

import polars as pl

from chiso.config import Catalog
from chiso.ingest.annex import Annex, Issue
from chiso.ingest.resolve import _origin_label


def warnings(annex: Annex, scores: pl.DataFrame, kept: list[int], catalog: Catalog) -> list[Issue]:
    """Non-blocking: totals that are not the sum of their components, published ranks that
    disagree with the scores, maxima printed in headers that differ from the config."""
    warnings: list[Issue] = []

    def at(line: int, column: str, message: str, hint: str | None = None) -> Issue:
        origin = annex.origins[kept[line - 2]]
        return Issue(
            annex.file,
            message,
            sheet=origin.sheet,
            row=origin.row,
            column=_origin_label(origin, column),
            hint=hint,
            level="warning",
        )

    first = scores.filter(pl.col("is_first"))
    for row in scores.filter(~pl.col("is_first")).iter_rows(named=True):
        warnings.append(at(row["_line"], "unit", "đơn vị lặp lại với cùng giá trị: chỉ ghi một lần"))
    # Totals against the sum of their components (aggregation 'sum' only, all components present).
    totals = first.filter(pl.col("component").is_null() & pl.col("score").is_not_null())
    parts = (
        first.filter(pl.col("component").is_not_null() & pl.col("score").is_not_null())
        .group_by("province", "unit_id", "index_code", "year")
        .agg(pl.col("score").sum().alias("parts"), pl.col("component").n_unique().alias("n_parts"))
    )
    joined = totals.join(parts, on=["province", "unit_id", "index_code", "year"], how="inner")
    for row in joined.iter_rows(named=True):
        index = catalog.index(row["index_code"])
        if index.aggregation_for(row["province"], row["peer_group"], row["year"]) != "sum":
            continue
        variant = index.variant_for(row["province"], row["peer_group"], row["year"])
        if variant is None or row["n_parts"] < len(variant.components):
            continue
        decimals = index.decimals_for(row["province"], row["peer_group"], row["year"])
        tolerance = row["n_parts"] * 0.5 * 10**-decimals + 1e-9
        if abs(row["score"] - row["parts"]) > tolerance:
            warnings.append(
                at(
                    row["_line"],
                    "score",
                    f"tổng điểm {row['score']:g} khác tổng các thành phần ({row['parts']:.{decimals}f})",
                    "Kiểm tra lại tổng hoặc các thành phần trong bảng gốc",
                )
            )
    # Published ranks against the order of the scores, within each table of the import.
    direction = {i.code: i.higher_is_better for i in catalog.indices}
    national = [g for g, spec in catalog.peer_groups.items() if spec.scope == "national"]
    ranked = (
        totals.filter(pl.col("published_rank").is_not_null())
        .with_columns(
            scope=pl.when(pl.col("peer_group").is_in(national)).then(pl.lit("")).otherwise("province"),
            signed=pl.when(pl.col("index_code").replace_strict(direction, return_dtype=pl.Boolean))
            .then(-pl.col("score"))
            .otherwise(pl.col("score")),
        )
        .with_columns(
            computed=pl.col("signed").rank(method="min").over("scope", "peer_group", "index_code", "year"),
            n_scored=pl.col("score").count().over("scope", "peer_group", "index_code", "year"),
            table_rank_of=pl.col("published_rank_of").max().over("scope", "peer_group", "index_code", "year"),
        )
    )
    # Like with like (the rule of chiso.metrics): a published rank is compared only with a rank
    # over the same N, i.e. when the file holds every unit of the published table.
    same_basis = pl.col("table_rank_of").is_not_null() & (pl.col("n_scored") >= pl.col("table_rank_of"))
    for row in ranked.filter(same_basis & (pl.col("computed") != pl.col("published_rank"))).iter_rows(
        named=True
    ):
        warnings.append(
            at(
                row["_line"],
                "rank",
                f"thứ hạng công bố {row['published_rank']} khác thứ hạng theo điểm ({int(row['computed'])})",
                "Trang Xếp hạng hiển thị thứ hạng công bố và đánh dấu chênh lệch",
            )
        )
    # Maxima printed in the headers ("Cải cách thể chế (13 điểm)") against the config.
    for row in first.iter_rows(named=True):
        origin = annex.origins[kept[row["_line"] - 2]]
        if origin.declared_max is not None and abs(origin.declared_max - row["max_score"]) > 1e-9:
            warnings.append(
                at(
                    row["_line"],
                    "score",
                    f"tiêu đề ghi tối đa {origin.declared_max:g} điểm, cấu hình ghi {row['max_score']:g}",
                    "Nếu quyết định của tỉnh khác, sửa điểm tối đa trong config/indices.yaml",
                )
            )
    # Scores that look like fractions of a percentage scale (a cell formatted as %).
    fractions = first.filter(pl.col("score").is_not_null() & (pl.col("max_score") >= 10)).group_by(
        "index_code", "component", "year"
    )
    for _, group in fractions:
        if group.height >= 3 and group["score"].max() <= 1 and group["score"].min() > 0:
            row = group.row(0, named=True)
            warnings.append(
                at(
                    row["_line"],
                    "score",
                    f"mọi điểm của cột đều ≤ 1 trong khi tối đa là {row['max_score']:g}: "
                    "ô có thể được định dạng phần trăm",
                    "Ghi 91,24 thay vì 91,24% định dạng phần trăm",
                )
            )
    seen, unique = set(), []
    for w in sorted(warnings, key=Issue.sort_key):
        if (w.row, w.column, w.message) not in seen:
            seen.add((w.row, w.column, w.message))
            unique.append(w)
    return unique
