"""The online-services page reads only what it shows: one read per selection gives its rates,
checks and sources, a unit's counts are read for that unit, a trend reads its one rate's terms.
Each read gives exactly what the whole province's counts gave (overlapping, contained and
duplicate reports, published rates beside), on the demo data, the shipped data and a small
national-like database."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiso.columns import COUNT_COLUMNS
from chiso.config import load_catalog
from chiso.demo.national import national_counts, national_scores, national_units, write_units_csv
from chiso.metrics import services as dvc
from chiso.store import counts, queries
from chiso.store.build import build
from chiso.views import services as views_dvc
from tests.conftest import CONFIG

CATALOG = load_catalog(CONFIG)
RATES = list(CATALOG.index("DVC").rates)
SOURCE_COLUMNS = ["name", "source_title", "source_url", "quote"]


def _overlapping(monthly: pl.DataFrame) -> pl.DataFrame:
    """Reports over the months: the first quarter of 2025 (its months' sums, off by one on some
    indicators), the year 2025, and a range 10/2–30/4 that overlaps months in part."""
    first = monthly.get_column("unit").unique().sort().head(6)
    rows = monthly.filter(pl.col("unit").is_in(first.implode())).with_columns(
        pl.col("value").cast(pl.Float64)
    )
    keys = ["province", "unit", "unit_type", "level", "indicator", "source_title"]

    def summed(start: str, end: str, bump: int) -> pl.DataFrame:
        inside = rows.filter((pl.col("period_start") >= start) & (pl.col("period_end") <= end))
        return (
            inside.group_by(keys, maintain_order=True)
            .agg(pl.col("value").sum())
            .with_columns(
                period_start=pl.lit(start),
                period_end=pl.lit(end),
                value=pl.col("value")
                + pl.when(pl.col("indicator").str.contains("online")).then(bump).otherwise(0),
                quote=pl.lit("tổng hợp"),
            )
        )

    columns = monthly.columns
    parts = [summed("2025-01-01", "2025-03-31", 1), summed("2025-01-01", "2025-12-31", 0)]
    parts.append(summed("2025-03-01", "2025-04-30", 2).with_columns(period_start=pl.lit("2025-02-10")))
    return pl.concat([p.select(columns).with_columns(pl.col("value").cast(pl.String)) for p in parts])


def _published(monthly: pl.DataFrame) -> pl.DataFrame:
    some = monthly.filter(pl.col("indicator") == monthly.get_column("indicator").first()).head(20)
    return some.select(
        *COUNT_COLUMNS[: COUNT_COLUMNS.index("indicator")],
        pl.lit("reported_online_rate_pct").alias("indicator"),
        pl.lit("87.5").alias("value"),
        "source_title",
        "quote",
        pl.lit("87,5%").alias("printed"),
    )


@pytest.fixture(scope="module")
def national_like_db(tmp_path_factory) -> Path:
    """Two provinces of the national demo, with reports over its months and published rates."""
    folder = tmp_path_factory.mktemp("national_like")
    rng = np.random.default_rng(7)
    units = national_units()
    two = units.filter(pl.col("peer_group") == "communes").get_column("province").unique().sort().head(2)
    units = units.filter(pl.col("province").is_in(two.implode()))
    write_units_csv(units, folder)
    (folder / "scores").mkdir()
    national_scores(CATALOG, units, rng).write_csv(folder / "scores" / "national.csv")
    (folder / "one_stop").mkdir()
    monthly = national_counts(units, rng)
    pl.concat([monthly, _overlapping(monthly)]).write_csv(folder / "one_stop" / "counts.csv")
    _published(monthly).write_csv(folder / "one_stop" / "rates.csv")
    db = folder / "national_like.duckdb"
    build(CONFIG, folder, db, dataset="demo")
    return db


def _selections(con) -> list[tuple[str, dvc.Period]]:
    """Every province with reports, and a few of its periods: the default, the first and the
    last of each kind (months, quarters, years, ranges)."""
    chosen = []
    for province in counts.report_provinces(con):
        mine = counts.periods(con, province)
        options = dvc.period_options(mine)
        picks = {dvc.default_period(options, mine.filter(pl.col("kind") == "count")) or options[0]}
        for kind in dvc.KINDS:
            of_kind = [p for p in options if p.kind == kind]
            picks.update(of_kind[:1] + of_kind[-1:])
        chosen += [(province, p) for p in sorted(picks, key=lambda p: p.key)]
    return chosen


def _same(new: pl.DataFrame, old: pl.DataFrame) -> None:
    """Equal frames; rows in ties of the reads' order may come in either order."""
    assert new.columns == old.columns
    assert new.height == old.height
    key = [c for c in new.columns if new.schema[c] != pl.List]
    assert new.sort(key, nulls_last=True).equals(old.sort(key, nulls_last=True))


@pytest.fixture(params=["demo_db", "published_db", "national_like_db"])
def db(request) -> tuple[str, Path]:
    return request.param, request.getfixturevalue(request.param)


def test_every_count_and_rate_lies_in_its_units_province_and_a_province_read_misses_none(db):
    """The province read joins the province's units only: it holds because every count and
    published rate is stored under its unit's province."""
    with queries.connect(db[1]) as con:
        for table in ("one_stop_counts", "one_stop_rates"):
            astray = con.sql(
                f"SELECT count(*) FROM {table} c JOIN units u USING (unit_id) WHERE c.province <> u.province"
            ).fetchall()[0][0]
            assert astray == 0, table
        seen = 0
        for province, period in _selections(con)[:12]:
            found = counts.group_counts(con, province=province, start=period.start, end=period.end)
            stored = con.sql(
                "SELECT count(*) FROM one_stop_counts WHERE province = $p AND period_start >= $s"
                " AND period_end <= $e",
                params={"p": province, "s": period.start, "e": period.end},
            ).fetchall()[0][0]
            assert found.height == stored
            seen += stored
        assert seen > 0


def test_a_selections_reads_give_what_its_province_counts_gave(db):
    with queries.connect(db[1]) as con:
        selections = _selections(con)
        assert selections
        for province, period in selections:
            found = counts.group_counts(con, province=province, start=period.start, end=period.end)
            old_rated = dvc.compute_rates(found, RATES)
            old_checks = dvc.checks(found)
            # the page's one read: rates, checks, each unit's sources and the ranking's source rows
            sourced = found.select(SOURCE_COLUMNS).unique(maintain_order=True)
            for rate in RATES:
                for level in ("unit", "communes"):
                    ranked = dvc.ranking(old_rated, rate.code, level, found, dvc.unit_sources(found))
                    assert views_dvc.ranking_sources(ranked, sourced) == views_dvc.ranking_sources(
                        ranked, found
                    )
            # the units with most rows (those with overlapping reports), then a few others
            most = found.group_by("unit_id").len().sort("len", "unit_id", descending=[True, False])
            for unit_id in most.get_column("unit_id").head(10).to_list():
                mine = counts.group_counts(
                    con, province=province, start=period.start, end=period.end, unit_id=unit_id
                )
                _same(mine, found.filter(unit_id=unit_id))
                _same(dvc.checks(mine), old_checks.filter(unit_id=unit_id))
                _same(dvc.compute_rates(mine, RATES), old_rated.filter(unit_id=unit_id))


def test_a_trend_read_of_one_rates_terms_gives_the_trend_of_every_count(db):
    with queries.connect(db[1]) as con:
        provinces = counts.report_provinces(con)
        n_trends = 0
        for province in provinces:
            for level in ("unit", "communes"):
                series = counts.monthly_series(con, province=province, level=level)
                for rate in RATES:
                    terms = list(dict.fromkeys([*rate.numerator, *rate.denominator]))
                    mine = counts.monthly_series(con, province=province, level=level, indicators=terms)
                    assert mine.height <= series.height
                    for grain in ("month", "quarter"):
                        new_units, new_pooled = dvc.trend(mine, rate, grain)
                        old_units, old_pooled = dvc.trend(series, rate, grain)
                        _same(new_units, old_units)
                        _same(new_pooled, old_pooled)
                        n_trends += not old_units.is_empty()
        assert n_trends > 0 or db[0] == "published_db"  # the shipped reports are years and ranges
