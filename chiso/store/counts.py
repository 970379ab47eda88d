"""Named read queries over the one-stop-shop tables: bound parameters in, Polars frames out.

A *report* is one (unit, level, period_start, period_end) as a source published it: a month,
a quarter, a year or any dated range. A query "for a range" returns the reports that lie
entirely inside it; adding them up is the job of :mod:`chiso.dvc`. Published rates
(``one_stop_rates``) come from their own queries and are never mixed with counts.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from chiso.store.queries import _frame

_UNIT_COLUMNS = "u.name, u.short_name, u.unit_type, u.peer_group"
# counts with their unit and source: the reports' rows before any WHERE
_COUNTS_FROM = """FROM one_stop_counts c
        JOIN units u ON u.unit_id = c.unit_id
        LEFT JOIN sources s ON s.source_id = c.source_id"""
_COUNTS = f"""SELECT c.province, c.unit_id, {_UNIT_COLUMNS}, c.level, c.period_start, c.period_end,
               c.indicator, c.value, s.title AS source_title, s.url AS source_url, c.quote
        {_COUNTS_FROM}"""


def periods(con, province: str | None = None) -> pl.DataFrame:
    """Every report in the data (or in one ``province``), counts and published rates alike: the
    period selectors read it. The page asks for one province: the whole country's reports are a
    grouping of every count row, whose working memory the process keeps (≈ 60 MB at national scale).

    Columns: province, unit_id, name, short_name, unit_type, peer_group, level, period_start,
    period_end, kind ('count' or 'rate'), n_values.
    """
    where = "" if province is None else "WHERE province = $province"
    return _frame(
        con,
        f"""
        SELECT r.province, r.unit_id, {_UNIT_COLUMNS}, r.level, r.period_start, r.period_end,
               r.kind, r.n_values
        FROM (
            SELECT province, unit_id, level, period_start, period_end, 'count' AS kind, count(*) AS n_values
            FROM one_stop_counts {where} GROUP BY ALL
            UNION ALL
            SELECT province, unit_id, level, period_start, period_end, 'rate' AS kind, count(*) AS n_values
            FROM one_stop_rates {where} GROUP BY ALL
        ) r JOIN units u ON u.unit_id = r.unit_id
        ORDER BY r.province, u.name, r.level, r.period_start, r.period_end, r.kind
        """,
        **({} if province is None else {"province": province}),
    )


def report_provinces(con) -> list[str]:
    """Provinces with reports (counts or published rates), the one with most units holding counts
    first, then by name."""
    rows = _frame(
        con,
        """
        SELECT province, count(DISTINCT unit_id) FILTER (WHERE kind = 'count') AS n
        FROM (
            SELECT DISTINCT province, unit_id, 'count' AS kind FROM one_stop_counts
            UNION ALL
            SELECT DISTINCT province, unit_id, 'rate' AS kind FROM one_stop_rates
        ) GROUP BY province
        ORDER BY n DESC, province
        """,
    )
    return rows.get_column("province").to_list()


def _counts_inside(con, start: date, end: date, where: str, order, **params: object) -> pl.DataFrame:
    """Counts with their unit and source from the reports inside [start, end] that ``where`` keeps,
    in ``order`` ((column, descending) pairs; put in order by Polars, cheaper than DuckDB's sort of
    every column)."""
    rows = _frame(
        con,
        f"""
        {_COUNTS}
        WHERE c.period_start >= $start AND c.period_end <= $end AND {where}
        """,
        start=start,
        end=end,
        **params,
    )
    return rows.sort(
        [c for c, _ in order], descending=[d for _, d in order], nulls_last=True, maintain_order=True
    )


def unit_counts(con, *, unit_id: str, start: date, end: date) -> pl.DataFrame:
    """Counts of one unit (both levels) from the reports inside [start, end], with their sources."""
    order = (("level", True), ("period_start", False), ("period_end", False), ("indicator", False))
    return _counts_inside(con, start, end, "c.unit_id = $unit_id", order, unit_id=unit_id)


def group_counts(
    con,
    *,
    province: str,
    start: date,
    end: date,
    peer_group: str | None = None,
    unit_id: str | None = None,
) -> pl.DataFrame:
    """Counts of every unit of a province (optionally one peer group, or one unit) from the
    reports inside [start, end]: the input of a ranking.

    A count's province is its unit's (an import writes the registry's province of the unit it
    resolved, ``chiso.ingest.readers``; tests hold every database to it), so only the province's
    units are joined: ≈ 1 ms less than hashing every unit of the country at national scale."""
    where = (
        "c.province = $province AND u.province = $province"
        " AND ($peer_group IS NULL OR u.peer_group = $peer_group)"
        " AND ($unit_id IS NULL OR c.unit_id = $unit_id)"
    )
    order = (("name", False), ("level", True), ("period_start", False), ("indicator", False))
    return _counts_inside(
        con, start, end, where, order, province=province, peer_group=peer_group, unit_id=unit_id
    )


def published_rates(
    con, *, province: str, start: date, end: date, unit_id: str | None = None
) -> pl.DataFrame:
    """Rates as the sources printed them (``value_pct``), for reports inside [start, end]."""
    return _frame(
        con,
        f"""
        SELECT r.province, r.unit_id, {_UNIT_COLUMNS}, r.level, r.period_start, r.period_end,
               r.indicator, r.value_pct, r.printed, s.title AS source_title, s.url AS source_url, r.quote
        FROM one_stop_rates r
        JOIN units u ON u.unit_id = r.unit_id
        LEFT JOIN sources s ON s.source_id = r.source_id
        WHERE r.province = $province AND u.province = $province
          AND r.period_start >= $start AND r.period_end <= $end
          AND ($unit_id IS NULL OR r.unit_id = $unit_id)
        ORDER BY u.name, r.level DESC, r.period_start, r.indicator
        """,
        province=province,
        start=start,
        end=end,
        unit_id=unit_id,
    )


def monthly_series(
    con,
    *,
    province: str,
    level: str,
    peer_group: str | None = None,
    indicators: list[str] | None = None,
) -> pl.DataFrame:
    """Counts from the short reports of a province at one level — those inside one calendar
    quarter (months, quarters) — for the monthly and quarterly trends. Longer reports (a year,
    a dated range) cannot be split into months and are left out. ``indicators`` keeps only those
    (the terms of one rate: a trend needs no other row)."""
    return _frame(
        con,
        f"""
        SELECT c.unit_id, {_UNIT_COLUMNS}, c.level, c.period_start, c.period_end, c.indicator, c.value,
               s.title AS source_title
        {_COUNTS_FROM}
        WHERE c.province = $province AND c.level = $level
          AND date_trunc('quarter', c.period_start) = date_trunc('quarter', c.period_end)
          AND ($peer_group IS NULL OR u.peer_group = $peer_group)
          AND ($indicators IS NULL OR list_contains($indicators, c.indicator))
        ORDER BY c.unit_id, c.period_start, c.indicator
        """,
        province=province,
        level=level,
        peer_group=peer_group,
        indicators=None if indicators is None else list(indicators),
    )
