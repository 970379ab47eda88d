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

from chiso.app import ui
from chiso.config import Rate
from chiso.i18n import label, t
from chiso.metrics import services as dvc
from chiso.store import counts
from chiso.views import services as views_dvc

LEVELS = ["unit", "communes"]
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


@st.cache_resource(max_entries=64)
def _periods(dataset: str, version: str, province: str) -> pl.DataFrame:
    return counts.periods(ui.connection(dataset), province)


@st.cache_resource(max_entries=16)
def _report_provinces(dataset: str, version: str) -> list[str]:
    return counts.report_provinces(ui.connection(dataset))


# Bounded by size: a province's counts for a period are ≈ 5 MB at national scale and its monthly
# series ≈ 9 MB, and each kept frame holds ≈ 3× that of the process's memory (the allocators' pages
# around it); what the page shows from them (rankings, rates, trends) is cached beside, small. Four
# selections kept: every reader on the same few provinces shares them, and another selection costs
# one query (tens of ms), not memory that stays after its readers leave.
@st.cache_resource(max_entries=4)
def _group_counts(dataset: str, version: str, province: str, start: date, end: date) -> pl.DataFrame:
    return counts.group_counts(ui.connection(dataset), province=province, start=start, end=end)


@st.cache_resource(max_entries=64)
def _published(dataset: str, version: str, province: str, start: date, end: date) -> pl.DataFrame:
    return counts.published_rates(ui.connection(dataset), province=province, start=start, end=end)


@st.cache_resource(max_entries=64)
def _rated(dataset: str, version: str, province: str, start: date, end: date) -> pl.DataFrame:
    return dvc.compute_rates(_group_counts(dataset, version, province, start, end), rates())


@st.cache_resource(max_entries=64)
def _checks(dataset: str, version: str, province: str, start: date, end: date) -> pl.DataFrame:
    return dvc.checks(_group_counts(dataset, version, province, start, end))


@st.cache_resource(max_entries=2)
def _series(dataset: str, version: str, province: str, level: str) -> pl.DataFrame:
    return counts.monthly_series(ui.connection(dataset), province=province, level=level)


@st.cache_resource(max_entries=64)
def _trend(dataset: str, version: str, province: str, level: str, rate: str, grain: str):
    return dvc.trend(_series(dataset, version, province, level), _rate(rate), grain)


def periods(dataset: str, province: str) -> pl.DataFrame:
    """The reports of one province (the page never reads the whole country's)."""
    return _periods(dataset, ui.version(dataset), province)


def group_counts(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    return _group_counts(dataset, ui.version(dataset), sel.province, sel.period.start, sel.period.end)


def published(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    return _published(dataset, ui.version(dataset), sel.province, sel.period.start, sel.period.end)


def rated(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    return _rated(dataset, ui.version(dataset), sel.province, sel.period.start, sel.period.end)


def checks(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    return _checks(dataset, ui.version(dataset), sel.province, sel.period.start, sel.period.end)


def ranking(dataset: str, sel: DvcSelection) -> pl.DataFrame:
    """The ranked units of the selection, then the units with data in the period but no rate."""
    in_period = _reports_in(periods(dataset, sel.province), sel.province, sel.period).filter(
        pl.col("level") == sel.level
    )
    found = group_counts(dataset, sel)
    return dvc.ranking(rated(dataset, sel), sel.rate, sel.level, in_period, dvc.unit_sources(found))


def covered(dataset: str, sel: DvcSelection, unit_id: str | None = None) -> dvc.Period:
    """The part of the selected period the data of the selection (or of one unit) cover."""
    reports = _reports_in(periods(dataset, sel.province), sel.province, sel.period)
    if unit_id is not None:
        reports = reports.filter(pl.col("unit_id") == unit_id)
    elif sel.level:
        reports = reports.filter(pl.col("level") == sel.level)
    return dvc.covered(sel.period, reports)


def covered_label(dataset: str, sel: DvcSelection, lang: str, unit_id: str | None = None) -> str:
    """The months the data of the selection (or of one unit in it) cover: 'Tháng 1–5/2024', never
    'Năm 2024' over January–May reports."""
    return covered(dataset, sel, unit_id).label(lang)


def trend(dataset: str, sel: DvcSelection, grain: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    return _trend(dataset, ui.version(dataset), sel.province, sel.level, sel.rate, grain)


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
    mine = periods(dataset, province)
    options = dvc.period_options(mine)
    keys = {p.key: p for p in options}
    fallback = dvc.default_period(options, mine.filter(pl.col("kind") == "count")) or options[0]
    period = keys[_requested("period", list(keys), fallback.key, quiet=quiet)]
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
    in_period = _reports_in(mine, province, period)
    sel = DvcSelection(province, period, "", "")
    rated_now = rated(dataset, sel)
    codes = [r.code for r in rates()]
    with_data = [c for c in codes if c in set(rated_now.filter(pl.col("rate_pct").is_not_null())["rate"])]
    levels = [lv for lv in LEVELS if lv in set(in_period.get_column("level"))] or ["unit"]
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
    in_period = _reports_in(periods(dataset, sel.province), sel.province, sel.period)
    names = dict(
        ranked.select("unit_id", "name").rows()
        + in_period.select("unit_id", "name").unique("unit_id").sort("name").rows()
    )
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
        counts=group_counts(dataset, sel).filter(unit_id=unit_id),
        published=published(dataset, sel).filter(unit_id=unit_id),
        rated=rated(dataset, sel).filter(unit_id=unit_id),
        found=checks(dataset, sel).filter(unit_id=unit_id),
    )
