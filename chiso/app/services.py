"""Streamlit side of the online-services page: cached data and the page's selectors.

Caches are keyed on (dataset, database version, selection). The version is a hashed argument
(no leading underscore), so a rebuilt database is read again without restarting the app.
Selections live in the URL: ``province``, ``period=2024-01-01:2024-05-31``, ``rate``,
``level``, ``unit`` and ``grain``; a value that does not fit the data falls back with a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from chiso.app import memo, ui
from chiso.config import Rate
from chiso.i18n import label, t
from chiso.metrics import services as dvc
from chiso.store import counts
from chiso.views import services as views_dvc

LEVELS = ["unit", "communes"]
# what the ranking's sources read of the counts (each distinct row once, first seen first)
SOURCE_COLUMNS = ["name", "source_title", "source_url", "quote"]
GRAINS = ["month", "quarter"]


@dataclass(frozen=True)
class DvcSelection:
    province: str
    period: dvc.Period
    rate: str
    level: str


def rates() -> list[Rate]:
    return list(ui.catalog().index("DVC").rates)


def _rate(code: str) -> Rate:
    return next(r for r in rates() if r.code == code)


# ---------- cached data ----------


@memo.kept(max_entries=64)
def _periods(dataset: str, version: str, province: str) -> pl.DataFrame:
    return counts.periods(ui.connection(dataset), province)


@memo.kept(max_entries=16)
def _report_provinces(dataset: str, version: str) -> list[str]:
    return counts.report_provinces(ui.connection(dataset))


# A province's counts for a period are ≈ 5 MB at national scale and its monthly series ≈ 9 MB, and
# a kept frame holds ≈ 3× that of the process's memory (the allocators' pages around it). So the raw
# rows are never kept: one read per selection gives what the page shows from them (rates, checks,
# each unit's sources: small, cached), a unit's own counts are read for that unit only, and a trend
# reads the terms of its one rate only. Another selection costs a query (tens of ms), not memory
# that stays after its readers leave.
@memo.kept(max_entries=64)
def _derived(dataset: str, version: str, province: str, start: date, end: date):
    found = counts.group_counts(ui.connection(dataset), province=province, start=start, end=end)
    sourced = found.select(*SOURCE_COLUMNS).unique(maintain_order=True)
    return *dvc.rates_and_checks(found, rates()), dvc.unit_sources(found), sourced


@memo.kept(max_entries=64)
def _unit_counts(dataset: str, version: str, province: str, start: date, end: date, unit_id: str):
    con = ui.connection(dataset)
    return counts.group_counts(con, province=province, start=start, end=end, unit_id=unit_id)


@memo.kept(max_entries=64)
def _published(dataset: str, version: str, province: str, start: date, end: date) -> pl.DataFrame:
    return counts.published_rates(ui.connection(dataset), province=province, start=start, end=end)


@memo.kept(max_entries=64)
def _trends(dataset: str, version: str, province: str, level: str, rate: str) -> dict:
    """The rate's trend by quarter and by month, from one read of its terms: the page asks for
    the quarters (is there a trend at all?) and then for the grain the reader picked."""
    chosen = _rate(rate)
    terms = list(dict.fromkeys([*chosen.numerator, *chosen.denominator]))
    con = ui.connection(dataset)
    series = counts.monthly_series(con, province=province, level=level, indicators=terms)
    return {grain: dvc.trend(series, chosen, grain) for grain in GRAINS}


@memo.kept(max_entries=64)
def _menu(dataset: str, version: str, province: str) -> tuple[tuple[dvc.Period, ...], str]:
    """The periods offered for a province and the key of the one opened by default."""
    mine = _periods(dataset, version, province)
    options = dvc.period_options(mine)
    fallback = dvc.default_period(options, mine.filter(pl.col("kind") == "count")) or options[0]
    return tuple(options), fallback.key


@memo.kept(max_entries=256)
def _in_period(dataset: str, version: str, province: str, period: dvc.Period) -> pl.DataFrame:
    return _reports_in(_periods(dataset, version, province), province, period)


@memo.kept(max_entries=256)
def _offered(dataset: str, version: str, province: str, period: dvc.Period) -> tuple[tuple, tuple, dict]:
    """For a province and period: the rates that have a value, the levels that have reports, and
    the names of the units with reports (sorted by name)."""
    rated_now = _derived(dataset, version, province, period.start, period.end)[0]
    present = set(rated_now.filter(pl.col("rate_pct").is_not_null()).get_column("rate").to_list())
    in_period = _in_period(dataset, version, province, period)
    levels = set(in_period.get_column("level").to_list())
    names = dict(in_period.select("unit_id", "name").unique("unit_id").sort("name").rows())
    return (
        tuple(r.code for r in rates() if r.code in present),
        tuple(lv for lv in LEVELS if lv in levels) or ("unit",),
        names,
    )


@memo.kept(max_entries=256)
def _covered(
    dataset: str, version: str, province: str, period: dvc.Period, level: str, unit_id: str | None
) -> dvc.Period:
    reports = _in_period(dataset, version, province, period)
    if unit_id is not None:
        reports = reports.filter(pl.col("unit_id") == unit_id)
    elif level:
        reports = reports.filter(pl.col("level") == level)
    return dvc.covered(period, reports)


def _of(dataset: str, sel: DvcSelection):
    return _derived(dataset, ui.version(dataset), sel.province, sel.period.start, sel.period.end)


def source_rows(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    """The selection's counts as the ranking's sources read them: unit name, source title, URL
    and quote, each distinct row once in the order the counts give them."""
    return _of(dataset, sel)[3]


def unit_counts(dataset: str, sel: DvcSelection, unit_id: str) -> pl.DataFrame:
    """The counts of one unit of the selection (both levels), with their sources."""
    v = ui.version(dataset)
    return _unit_counts(dataset, v, sel.province, sel.period.start, sel.period.end, unit_id)


def published(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    return _published(dataset, ui.version(dataset), sel.province, sel.period.start, sel.period.end)


def rated(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    return _of(dataset, sel)[0]


def checks(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    return _of(dataset, sel)[1]


def ranking(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    """The ranked units of the selection, then the units with data in the period but no rate."""
    in_period = _in_period(dataset, ui.version(dataset), sel.province, sel.period).filter(
        pl.col("level") == sel.level
    )
    return dvc.ranking(rated(dataset, sel), sel.rate, sel.level, in_period, _of(dataset, sel)[2])


def covered(dataset: str, sel: DvcSelection, unit_id: str | None = None) -> dvc.Period:
    """The part of the selected period the data of the selection (or of one unit) cover."""
    level = "" if unit_id is not None else sel.level
    return _covered(dataset, ui.version(dataset), sel.province, sel.period, level, unit_id)


def covered_label(dataset: str, sel: DvcSelection, lang: str, unit_id: str | None = None) -> str:
    """The months the data of the selection (or of one unit in it) cover: 'Tháng 1–5/2024', never
    'Năm 2024' over January–May reports."""
    return covered(dataset, sel, unit_id).label(lang)


def trend(dataset: str, sel: DvcSelection, grain: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    return _trends(dataset, ui.version(dataset), sel.province, sel.level, sel.rate)[grain]


@memo.kept(max_entries=64)
def _trended(dataset: str, version: str, province: str, level: str, rate: str) -> frozenset[str]:
    return views_dvc.trended_units(_trends(dataset, version, province, level, rate)["quarter"][0])


def has_trend(dataset: str, sel: DvcSelection, unit_id: str) -> bool:
    """Whether the unit has a trend to draw (:func:`chiso.views.services.trended_units`)."""
    return unit_id in _trended(dataset, ui.version(dataset), sel.province, sel.level, sel.rate)


def _reports_in(reports: pl.DataFrame, province: str, period: dvc.Period) -> pl.DataFrame:
    return reports.filter(
        (pl.col("province") == province)
        & (pl.col("period_start") >= period.start)
        & (pl.col("period_end") <= period.end)
    )


# ---------- selectors ----------


def _requested(key: str, allowed: list[str], default: str, *, quiet: bool = False) -> str:
    """The URL value of ``key`` when allowed; otherwise the default (with a notice unless quiet)."""
    value = ui.view().get(key)
    if value in allowed:
        return value
    if value not in (None, "") and not quiet:
        ui.notice_invalid(key, value)
    return default


def _pick(kind, name: str, lang: str, choices: list, current, fmt=str, **kwargs):
    """The page's picker of ``name`` (key ``dvc_<name>``, label ``dvc.sel.<name>``)."""
    return ui.widget(kind, f"dvc_{name}", t(f"dvc.sel.{name}", lang), choices, current, fmt, **kwargs)


def _radio(name: str, lang: str, choices: list, current):
    """A row of options labelled ``dvc.<name>.<option>``."""
    return _pick(
        st.radio, name, lang, choices, current, fmt=lambda v: t(f"dvc.{name}.{v}", lang), horizontal=True
    )


def selection(dataset: str, lang: str) -> DvcSelection | None:
    """Province, period (type, then period), rate and level; None when there is no data."""
    provinces = list(_report_provinces(dataset, ui.version(dataset)))
    if not provinces:
        st.info(t("dvc.none", lang))
        return None
    quiet = "w_dvc_province" in st.session_state  # after the first run, stale URL values are not news
    # 'province' is shared with the rankings page: a province without counts falls back quietly.
    province = _requested("province", provinces, provinces[0], quiet=True)
    top = st.columns([2, 3, 3])
    with top[0]:
        province = _pick(st.selectbox, "province", lang, provinces, province)
    options, fallback = _menu(dataset, ui.version(dataset), province)
    keys = {p.key: p for p in options}
    period = keys[_requested("period", list(keys), fallback, quiet=quiet)]
    kinds = [k for k in dvc.KINDS if any(p.kind == k for p in options)]
    with top[1]:
        kind = _radio("kind", lang, kinds, period.kind)
    choices = [p.key for p in options if p.kind == kind]
    with top[2]:
        chosen = _pick(
            st.selectbox,
            "period",
            lang,
            choices,
            period.key if period.key in choices else choices[0],
            fmt=lambda k: keys[k].label(lang),
        )
    period = keys[chosen]
    codes = [r.code for r in rates()]
    with_data, offered_levels, _ = _offered(dataset, ui.version(dataset), province, period)
    levels = list(offered_levels)
    bottom = st.columns([3, 2])
    with bottom[0]:
        rate = _pick(
            st.selectbox,
            "rate",
            lang,
            codes,
            _requested("rate", codes, (with_data or codes)[0], quiet=quiet),
            fmt=lambda c: label(_rate(c).name, lang),
        )
    with bottom[1]:
        level = _radio("level", lang, levels, _requested("level", levels, levels[0], quiet=quiet))
    sel = DvcSelection(province, period, rate, level)
    ui.publish(
        province=province,
        period=period.key,
        rate=rate if rate != (with_data or codes)[0] else None,
        level=level if level != levels[0] else None,
    )
    return sel


def unit_choice(dataset: str, sel: DvcSelection, ranked: pl.DataFrame, lang: str) -> tuple[str, str] | None:
    """The unit shown in detail (default: first in the ranking); returns (unit_id, name)."""
    with_reports = _offered(dataset, ui.version(dataset), sel.province, sel.period)[2]
    names = dict(ranked.select("unit_id", "name").rows())
    names.update(with_reports)  # the ranked units first, then those with reports but no rate
    if not names:
        return None
    ids = list(names)
    quiet = "w_dvc_unit" in st.session_state
    default = _requested("unit", ids, ids[0], quiet=quiet)
    shown = list(ui.unit_search("dvc_unit", names))
    unit = _pick(st.selectbox, "unit", lang, shown, default, fmt=names.get)
    ui.publish(unit=unit if unit != ids[0] else None)
    return unit, names[unit]


def grain_choice(lang: str) -> str:
    grain = _radio("grain", lang, GRAINS, _requested("grain", GRAINS, GRAINS[0]))
    ui.publish(grain=grain if grain != GRAINS[0] else None)
    return grain


def unit_inputs(dataset: str, sel: DvcSelection, unit_id: str, unit_name: str) -> views_dvc.UnitInputs:
    """The chosen unit's counts, published rates, computed rates and warnings for the selection."""
    return views_dvc.UnitInputs(
        unit_id,
        unit_name,
        counts=unit_counts(dataset, sel, unit_id),
        published=published(dataset, sel).filter(unit_id=unit_id),
        rated=rated(dataset, sel).filter(unit_id=unit_id),
        found=checks(dataset, sel).filter(unit_id=unit_id),
    )
