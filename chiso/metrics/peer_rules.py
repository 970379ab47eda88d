"""Peer groups by province and year (config ``peer_group_rules``): which unit types a province
ranks together in which years. Pure Polars over score rows that carry ``province``,
``unit_type``, ``year`` and ``peer_group``; the first matching rule wins."""

from __future__ import annotations

import polars as pl


def apply(rows: pl.DataFrame, catalog) -> pl.DataFrame:
    """``rows`` with ``peer_group`` replaced where a rule matches (unchanged without rules)."""
    rules = getattr(catalog, "peer_group_rules", [])
    if not rules or rows.is_empty():
        return rows
    group = pl.col("peer_group")
    for rule in reversed(rules):  # the first rule is applied last, so it wins
        matches = pl.col("province").is_in(rule.provinces) & pl.col("unit_type").is_in(rule.unit_types)
        if rule.years.start is not None:
            matches = matches & (pl.col("year") >= rule.years.start)
        if rule.years.end is not None:
            matches = matches & (pl.col("year") <= rule.years.end)
        group = pl.when(matches.fill_null(False)).then(pl.lit(rule.peer_group)).otherwise(group)
    return rows.with_columns(group.alias("peer_group"))
