"""Named read queries for the analysis pages (gaps, profile, compare, rank change).

Bound parameters in, Polars frames out, one cursor per call (see ``queries._frame``). Every
query reads the derived ``ranked`` table; rows keep all its columns so that a sentence built
from a row can show the row (source title, URL, quote, flag) it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from chiso.errors import ChisoError
from chiso.metrics import gaps
from chiso.store import queries, unit_table
from chiso.store.queries import EDITION_SQL, _frame, ordered

# Rows are put in order by Polars once read (a few hundred rows): DuckDB's sort of every column
# cost more than the scan. component NULLS FIRST, rank NULLS LAST, score DESC NULLS LAST, name.
_TABLE_ORDER = (
    ("component", False, False),
    ("rank", False, True),
    ("score", True, True),
    ("name", False, True),
)


def table_rows(
    con, *, index: str, year: int, peer_group: str, scope_province: str, edition: str | None = None
) -> pl.DataFrame:
    """Every row of one ranked table: the index totals (component NULL) first, then each
    component's rows; within each, best rank first and unranked rows last (``edition`` None:
    the year's default edition)."""
    rows = _frame(
        con,
        f"""
        SELECT * FROM ranked
        WHERE index_code = $index AND year = $year AND peer_group = $peer_group
          AND scope_province = $scope AND {EDITION_SQL}
        """,
        index=index,
        year=year,
        peer_group=peer_group,
        scope=scope_province,
        edition=edition,
    )
    return ordered(rows, _TABLE_ORDER)


def unit_rows(con, *, unit_id: str) -> pl.DataFrame:
    """Every row of one unit, totals and components, over all years: the input of ``gaps.profile``.
    Read from ``ranked_units`` (the same rows in unit order) when the database has it."""
    rows = unit_table.read(con, "SELECT * FROM {} WHERE unit_id = $unit AND edition_default", unit=unit_id)
    return ordered(rows, (("index_code", False, True), ("year", False, True), ("component", False, False)))


def tables_two_years(
    con, *, index: str, peer_group: str, scope_province: str, year_a: int, year_b: int
) -> pl.DataFrame:
    """Every row of one peer table in two years (totals and components): the input of
    ``gaps.rank_change_split`` and ``gaps.movers`` (filter on ``year``)."""
    rows = _frame(
        con,
        """
        SELECT * FROM ranked
        WHERE index_code = $index AND peer_group = $peer_group AND scope_province = $scope
          AND year IN ($year_a, $year_b) AND edition_default
        """,
        index=index,
        peer_group=peer_group,
        scope=scope_province,
        year_a=year_a,
        year_b=year_b,
    )
    return ordered(rows, (("year", False, True), *_TABLE_ORDER))


def units_rows(con, *, unit_ids: list[str]) -> pl.DataFrame:
    """Every row (totals and components, all years) of several units: the compare page
    (:func:`chiso.store.unit_table.read_units`)."""
    rows = unit_table.read_units(con, unit_ids, "AND edition_default")
    keys = (("index_code", False, True), ("year", False, True), ("component", False, False))
    return ordered(rows, (*keys, ("unit_id", False, True)))


def component_tables(con) -> pl.DataFrame:
    """Ranked tables that hold component rows, with how many units and components they have:
    the selector of the gaps page (PCI 2019 in the published data)."""
    return _frame(
        con,
        """
        SELECT scope_province, peer_group, index_code, year,
               count(DISTINCT unit_id) AS n_units, count(DISTINCT component) AS n_components
        FROM ranked WHERE component IS NOT NULL AND score IS NOT NULL AND edition_default
        GROUP BY ALL ORDER BY index_code, peer_group, scope_province, year
        """,
    )


def unit_tables(con, *, unit_id: str) -> pl.DataFrame:
    """The tables one unit appears in (totals or components): index, year, peer group, scope,
    and whether the unit has component scores there."""
    return _frame(
        con,
        """
        SELECT index_code, year, peer_group, scope_province,
               bool_or(component IS NULL) AS has_total,
               count(component) FILTER (WHERE score IS NOT NULL) AS n_components
        FROM ranked WHERE unit_id = $unit AND edition_default
        GROUP BY ALL ORDER BY index_code, year
        """,
        unit=unit_id,
    )


@dataclass(frozen=True)
class UnitYear:
    """What one unit's briefing pack reads for one year (:func:`unit_year`)."""

    unit: dict  # the units row: unit_id, name, short_name, province, unit_type, peer_group
    meta: dict[str, str]
    rows: pl.DataFrame  # every ranked row of the unit, all years, totals and components
    profile: pl.DataFrame  # one total row per index the unit has in ``year`` (``order``)
    tables: dict[str, pl.DataFrame]  # index code -> its ranked table that year (all units)
    series: dict[str, pl.DataFrame]  # index code -> peer series, all years: indices scored up to ``year``


def unit_year(con, *, unit_id: str, year: int, order: Sequence[str]) -> UnitYear:
    """Every read of one unit's briefing pack: the unit, its rows, the ranked table of each index
    it has in ``year`` and the peer series of each index it has a score for up to ``year``
    (``order``: index codes in display order). An unknown unit is a :class:`ChisoError`."""
    found = queries.units(con).filter(pl.col("unit_id") == unit_id)
    if found.is_empty():
        raise ChisoError.coded("store.no_unit", unit_id=unit_id)
    rows = unit_rows(con, unit_id=unit_id)
    profile = gaps.profile(rows, year, order) if not rows.is_empty() else rows
    tables = {
        row["index_code"]: table_rows(
            con,
            index=row["index_code"],
            year=year,
            peer_group=row["peer_group"],
            scope_province=row["scope_province"],
        )
        for row in profile.iter_rows(named=True)
    }
    totals = gaps.totals(rows).filter(pl.col("year") <= year) if not rows.is_empty() else rows
    scored = set(totals.filter(pl.col("score").is_not_null()).get_column("index_code").to_list())
    series = {}
    for code in (c for c in order if c in scored):
        last = totals.filter(pl.col("index_code") == code).sort("year").row(-1, named=True)
        series[code] = queries.series(
            con, index=code, peer_group=last["peer_group"], scope_province=last["scope_province"]
        )
    return UnitYear(found.row(0, named=True), queries.meta(con), rows, profile, tables, series)
