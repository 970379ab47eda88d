"""Online public services (DVC): rates computed from one-stop-shop counts. Pure Polars, no I/O.

A *report* is one (unit_id, level, period_start, period_end) as a source published it; a
count is one indicator of a report. The rates are declared in ``config/indices.yaml`` (index
``DVC``, ``rates``): ``rate_pct = 100 × Σ numerator / Σ denominator``.

Rules, in the order they apply:

1. **Reports of a range.** A requested range takes the reports that lie entirely inside it
   (the store query does this). For each unit, level and indicator, an exact duplicate is
   kept once, and a report contained in a longer one (a month inside a quarter that is also
   reported) is dropped, so nothing is counted twice. Partly overlapping reports that remain
   are reported by :func:`checks`.
2. **Combined counts.** A source gives either the split (resolved early, resolved on time) or
   the combined count (resolved early or on time). When a side of a rate lists both, the
   combined count is used for a report that has it, otherwise the sum of the split counts
   present in that report (:data:`COMBINED`).
3. **Pairs.** A report contributes to a rate only when it has both a numerator and a
   denominator; the rate of a range sums numerators and denominators over those reports
   and then divides (never an average of monthly rates).
4. A rate exists only when its denominator is present and above zero. Published rates
   (``one_stop_rates``) are never read here: they are shown beside, labelled.

Rank 1 is the highest rate; ties (equal exact fractions) share the better rank.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from chiso import exprs, fmt
from chiso.config import Rate
from chiso.errors import ChisoError
from chiso.i18n import t

REPORT = ["unit_id", "level", "period_start", "period_end"]

COMBINED: dict[str, tuple[str, ...]] = {
    # combined indicator: the split indicators it replaces when both appear in one report
    "dossiers_resolved_early_or_on_time": ("dossiers_resolved_early", "dossiers_resolved_on_time"),
}

# Funnel stages (received -> resolved -> early or on time), each a list of indicators.
FUNNEL: dict[str, list[str]] = {
    "received": ["dossiers_received"],
    "resolved": ["dossiers_resolved"],
    "early_or_on_time": [
        "dossiers_resolved_early",
        "dossiers_resolved_on_time",
        "dossiers_resolved_early_or_on_time",
    ],
}


@dataclass(frozen=True)
class Check:
    """A total that must equal the sum of its parts (when at least ``min_parts`` are given)."""

    code: str
    total: str
    parts: tuple[str, ...]
    min_parts: int = 2


CHECKS = [
    Check(
        "received_channels",
        "dossiers_received",
        ("dossiers_received_direct", "dossiers_received_online", "dossiers_received_postal"),
    ),
    Check(
        "resolved_timeliness",
        "dossiers_resolved",
        ("dossiers_resolved_early", "dossiers_resolved_on_time", "dossiers_resolved_late"),
    ),
    Check(
        "resolved_combined",
        "dossiers_resolved",
        ("dossiers_resolved_early_or_on_time", "dossiers_resolved_late"),
    ),
    Check(
        "combined_split",
        "dossiers_resolved_early_or_on_time",
        ("dossiers_resolved_early", "dossiers_resolved_on_time"),
    ),
]


# ---------- periods ----------

KINDS = ["year", "half", "quarter", "month", "range"]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def calendar_kind(start: date, end: date) -> str:
    """'month', 'quarter', 'half', 'year' when [start, end] is exactly that calendar period, else 'range'."""
    if start.day != 1 or end.year != start.year or end != _month_end(end.year, end.month):
        return "range"
    months = end.month - start.month + 1
    for kind, size in (("month", 1), ("quarter", 3), ("half", 6), ("year", 12)):
        if months == size and (start.month - 1) % size == 0:
            return kind
    return "range"


@dataclass(frozen=True, order=True)
class Period:
    """A requested range of days, both ends included."""

    start: date
    end: date

    @property
    def kind(self) -> str:
        return calendar_kind(self.start, self.end)

    @property
    def key(self) -> str:
        """The URL and CLI form: '2024-01-01:2024-05-31'."""
        return f"{self.start.isoformat()}:{self.end.isoformat()}"

    def contains(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def label(self, lang: str = "vi") -> str:
        s, e = self.start, self.end
        kind = self.kind
        if kind == "month":
            return t(
                "dvc.period.month", lang, month=s.month, year=s.year, month_name=calendar.month_name[s.month]
            )
        if kind == "quarter":
            return t("dvc.period.quarter", lang, quarter=(s.month - 1) // 3 + 1, year=s.year)
        if kind == "half":
            return t("dvc.period.half_first" if s.month == 1 else "dvc.period.half_second", lang, year=s.year)
        if kind == "year":
            return t("dvc.period.year", lang, year=s.year)
        if s.day == 1 and e.year == s.year and e == _month_end(e.year, e.month):
            return t(
                "dvc.period.months",
                lang,
                first=s.month,
                last=e.month,
                year=s.year,
                first_month=calendar.month_name[s.month],
                last_month=calendar.month_name[e.month],
            )
        return t("dvc.period.range", lang, start=day_text(s, lang), end=day_text(e, lang))


def covered(period: Period, reports: pl.DataFrame) -> Period:
    """The part of a period the reports in it cover: from the first report's first day to the last
    report's last day. A heading names this, so "2024" over January–May data reads "Tháng 1–5/2024"
    (gaps inside the span are left to the trend chart, which leaves them blank)."""
    if reports.is_empty():
        return period
    inside = reports.filter((pl.col("period_start") >= period.start) & (pl.col("period_end") <= period.end))
    if inside.is_empty():
        return period
    return Period(inside.get_column("period_start").min(), inside.get_column("period_end").max())


def day_text(day: date, lang: str = "vi") -> str:
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def _calendar(kind: str, day: date) -> Period:
    """The calendar period of a kind that contains a day."""
    if kind == "year":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    size = {"half": 6, "quarter": 3, "month": 1}[kind]
    first = (day.month - 1) // size * size + 1
    return Period(date(day.year, first, 1), _month_end(day.year, first + size - 1))


def period_options(reports: pl.DataFrame) -> list[Period]:
    """Periods a selector offers for the reports present (``period_start``, ``period_end``).

    A report that is a calendar month, quarter, half or year offers its own period and every
    longer calendar period around it (months add up to quarters and years); any other dated
    range offers just itself. Sorted by kind (year first), latest first.
    """
    found: set[Period] = set()
    for start, end in reports.select("period_start", "period_end").unique().rows():
        kind = calendar_kind(start, end)
        if kind == "range":
            found.add(Period(start, end))
            continue
        for wider in KINDS[: KINDS.index(kind) + 1]:
            found.add(_calendar(wider, start))
    return sorted(found, key=lambda p: (KINDS.index(p.kind), -p.end.toordinal(), -p.start.toordinal()))


def default_period(options: list[Period], count_reports: pl.DataFrame) -> Period | None:
    """A period holding counts: the latest year if any, else the latest period of another kind."""
    spans = count_reports.select("period_start", "period_end").unique().rows()  # a few dozen at most
    with_counts = [p for p in options if any(p.contains(s, e) for s, e in spans)]
    pool = with_counts or options
    if not pool:
        return None
    order = ["year", "range", "half", "quarter", "month"]
    return min(pool, key=lambda p: (order.index(p.kind), -p.end.toordinal()))


_DATE = r"\d{4}-\d{2}-\d{2}"


def parse_period(text: str, arg: str = "--period") -> Period:
    """'2024-01-01:2024-05-31', '2023', '2024-Q2', '2024-H1' or '2024-03' -> Period.

    Errors name the argument: ``--period '2024-13': ...``.
    """
    value = (text or "").strip()
    try:
        if re.fullmatch(rf"{_DATE}:{_DATE}", value):
            first, last = value.split(":")
            period = Period(date.fromisoformat(first), date.fromisoformat(last))
        elif re.fullmatch(r"\d{4}", value):
            period = _calendar("year", date(int(value), 1, 1))
        elif m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", value):
            period = _calendar("quarter", date(int(m[1]), 3 * int(m[2]) - 2, 1))
        elif m := re.fullmatch(r"(\d{4})-[Hh]([12])", value):
            period = _calendar("half", date(int(m[1]), 6 * int(m[2]) - 5, 1))
        elif m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            period = _calendar("month", date(int(m[1]), int(m[2]), 1))
        else:
            raise ChisoError.coded("dvc.period.format", arg=arg, text=repr(text))
    except ValueError as exc:
        raise ChisoError.coded("dvc.period.no_such_date", arg=arg, text=repr(text)) from exc
    if period.start > period.end:
        raise ChisoError.coded("dvc.period.reversed", arg=arg, text=repr(text))
    return period


# ---------- reports ----------


def _any_overlap(frame: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    """One value: whether some report starts before an earlier report of the same key has ended. In start
    order one does exactly when one starts before the report just before it has ended (if report
    i overlaps an earlier j, report j + 1 starts between j's start and i's start, so before j's
    end): each row is compared with the row above it, no window per key."""
    ordered = frame.sort(*key, "period_start", "period_end")
    same_key = pl.all_horizontal([pl.col(k) == pl.col(k).shift(1) for k in key])
    overlaps = same_key & (pl.col("period_start") <= pl.col("period_end").shift(1))
    return ordered.select(overlaps.fill_null(False).any())


def select_reports(counts: pl.DataFrame) -> pl.DataFrame:
    """Counts with duplicates and contained reports removed, per unit, level and indicator."""
    if counts.is_empty():
        return counts
    key = ["unit_id", "level", "indicator"]
    plan = counts.lazy().unique(subset=[*REPORT, "indicator"], keep="first", maintain_order=True)
    frame, overlap = exprs.collect_all(plan, _any_overlap(plan, key))
    if not overlap.item():
        return frame
    slim = frame.lazy().select(*key, "period_start", "period_end").with_row_index("_row")
    inside = (
        slim.join(slim, on=key, suffix="_o")
        .filter(
            (pl.col("_row") != pl.col("_row_o"))
            & (pl.col("period_start_o") <= pl.col("period_start"))
            & (pl.col("period_end_o") >= pl.col("period_end"))
        )
        .select(pl.col("_row").unique())
    )
    kept = frame.lazy().with_row_index("_row").join(inside, on="_row", how="anti", maintain_order="left")
    return exprs.collect(kept.drop("_row"))


def _terms(sides: dict[str, list[str]], **labels: str) -> pl.DataFrame:
    rows = [
        {**labels, "side": side, "indicator": indicator, "position": i}
        for side, indicators in sides.items()
        for i, indicator in enumerate(indicators)
    ]
    return pl.DataFrame(
        rows,
        schema={
            **dict.fromkeys(labels, pl.String),
            "side": pl.String,
            "indicator": pl.String,
            "position": pl.Int64,
        },
    )


def _without_replaced(values: pl.DataFrame, group: list[str], counts: pl.DataFrame) -> pl.DataFrame:
    """Rule 2: drop split counts of a report whose combined count is on the same side. Only the
    combined counts found in ``counts`` (the rows ``values`` come from) can drop anything: without
    one, the rule's window over every report is skipped (≈ 4 ms on a province's 8.000 month rows)."""
    indicators = counts.get_column("indicator")
    found = {combined: parts for combined, parts in COMBINED.items() if (indicators == combined).any()}
    if not found:
        return values
    drop = pl.lit(False)
    for combined, parts in found.items():
        drop = drop | (pl.col("indicator").is_in(parts) & (pl.col("indicator") == combined).any().over(group))
    return values.filter(~drop)


def _rate_terms(rates: list[Rate]) -> pl.DataFrame:
    return _rate_terms_of(tuple((r.code, tuple(r.numerator), tuple(r.denominator)) for r in rates))


@functools.lru_cache(maxsize=8)
def _rate_terms_of(rates: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> pl.DataFrame:
    """The terms of the declared rates (a few rows), built once per set of rates."""
    frames = [
        _terms({"num": list(num), "den": list(den)}, rate=code).with_columns(rate_order=pl.lit(i, pl.Int64))
        for i, (code, num, den) in enumerate(rates)
    ]
    return pl.concat(frames)


def compute_rates(
    counts: pl.DataFrame, rates: list[Rate], by: list[str] | None = None, *, terms: bool = True
) -> pl.DataFrame:
    """One row per unit, level (and ``by`` columns) and rate that has data.

    Columns: unit_id, level, *by, rate, rate_order, numerator, denominator, rate_pct (exact,
    None when the denominator is 0), over_100, numerator_terms (the numerator's parts in the
    order declared, after rule 2), numerator_indicators, n_reports, first_start, last_end;
    plus province, name, short_name, peer_group when ``counts`` has them. ``terms=False`` leaves
    out numerator_terms and numerator_indicators (a trend draws none: ≈ 7 ms of a province's months).
    """
    return _rates_of(select_reports(counts), rates, list(by or []), terms=terms)


def rates_and_checks(counts: pl.DataFrame, rates: list[Rate]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`compute_rates` and :func:`checks` of the same counts, their reports selected once
    (what the online-services ranking reads for a new selection)."""
    chosen = select_reports(counts)
    return _rates_of(chosen, rates, []), _checks_of(chosen)


def _rates_of(counts: pl.DataFrame, rates: list[Rate], by: list[str], *, terms: bool = True) -> pl.DataFrame:
    """:func:`compute_rates` of counts whose reports are already selected."""
    keys = ["unit_id", "level", *by]
    if counts.is_empty() or not rates:
        empty = _empty_rates(keys)
        return empty if terms else empty.drop("numerator_terms", "numerator_indicators")
    # one plan from the selected reports to the result, collected once
    values = (
        counts.lazy()
        .select(*REPORT, *[c for c in by if c not in REPORT], "indicator", "value")
        .join(_rate_terms(rates).lazy(), on="indicator")
    )
    report = list(dict.fromkeys([*REPORT, *by, "rate"]))
    values = _without_replaced(values, [*report, "side"], counts)
    per_report = (
        values.group_by(*report, "rate_order")
        .agg(
            num=pl.col("value").filter(pl.col("side") == "num").sum(),
            n_num=(pl.col("side") == "num").sum(),
            den=pl.col("value").filter(pl.col("side") == "den").sum(),
            n_den=(pl.col("side") == "den").sum(),
        )
        .filter((pl.col("n_num") > 0) & (pl.col("n_den") > 0))
    )
    totals = per_report.group_by(*keys, "rate", "rate_order").agg(
        numerator=pl.col("num").sum(),
        denominator=pl.col("den").sum(),
        n_reports=pl.len(),
        first_start=pl.col("period_start").min(),
        last_end=pl.col("period_end").max(),
    )
    if terms:
        totals = totals.join(
            _numerator_terms(values, per_report, keys, report), on=[*keys, "rate"], how="left"
        )
    result = totals.with_columns(
        rate_pct=pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator") * 100),
        over_100=pl.col("numerator") > pl.col("denominator"),
    ).sort(*keys, "rate_order")
    return _with_unit_columns(result, counts)


def _numerator_terms(values: pl.LazyFrame, per_report: pl.LazyFrame, keys: list[str], report: list[str]):
    """The numerator's parts of each rate, summed over the reports that count, in declared order."""
    return (
        values.filter(pl.col("side") == "num")
        .join(per_report.select(report), on=report, how="semi")
        .group_by(*keys, "rate", "indicator", "position")
        .agg(pl.col("value").sum())
        .group_by(*keys, "rate")
        .agg(
            numerator_terms=pl.col("value").sort_by("position"),
            numerator_indicators=pl.col("indicator").sort_by("position"),
        )
    )


def _empty_rates(keys: list[str]) -> pl.DataFrame:
    schema = {k: pl.String for k in keys} | {
        "rate": pl.String,
        "rate_order": pl.Int64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "n_reports": pl.UInt32,
        "first_start": pl.Date,
        "last_end": pl.Date,
        "numerator_terms": pl.List(pl.Float64),
        "numerator_indicators": pl.List(pl.String),
        "rate_pct": pl.Float64,
        "over_100": pl.Boolean,
    }
    return pl.DataFrame(schema=schema)


def _with_unit_columns(frame: pl.LazyFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """The plan's result with the unit columns of ``counts`` joined on (none on an empty result)."""
    extra = [c for c in ("province", "name", "short_name", "peer_group") if c in counts.columns]
    if not extra:
        return exprs.collect(frame)
    out = exprs.collect(
        frame.join(
            counts.lazy().select("unit_id", *extra).unique("unit_id"),
            on="unit_id",
            how="left",
            maintain_order="left",
        )
    )
    return out.drop(extra) if out.is_empty() else out


def rank_rates(rated: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Rank units on each rate and level (within a peer group when present): 1 = highest,
    ties share the better rank; units without a rate get no rank. Sorted best first."""
    columns = rated.collect_schema().names()
    group = ["rate", "level", *(["peer_group"] if "peer_group" in columns else [])]
    return rated.with_columns(
        rank=pl.col("rate_pct").rank(method="min", descending=True).over(group).cast(pl.Int64),
        rank_of=pl.col("rate_pct").count().over(group).cast(pl.Int64),
    ).sort("rate_order", "level", "rank", "name" if "name" in columns else "unit_id", nulls_last=True)


# ---------- counts of one unit: funnel, totals, checks ----------


def funnel(counts: pl.DataFrame) -> pl.DataFrame:
    """Received -> resolved -> resolved early or on time, per unit and level, over a range.

    Columns: unit_id, level, stage, stage_order, value. A stage without data has no row.
    Resolved dossiers may include dossiers carried over from the previous period.
    """
    schema = {
        "unit_id": pl.String,
        "level": pl.String,
        "stage": pl.String,
        "stage_order": pl.Int64,
        "value": pl.Float64,
    }
    if counts.is_empty():
        return pl.DataFrame(schema=schema)
    terms = _terms(FUNNEL).with_columns(
        stage_order=pl.col("side").replace_strict({s: i for i, s in enumerate(FUNNEL)}, return_dtype=pl.Int64)
    )
    values = select_reports(counts).select(*REPORT, "indicator", "value").join(terms, on="indicator")
    values = _without_replaced(values, [*REPORT, "side"], counts)
    return (
        values.group_by("unit_id", "level", pl.col("side").alias("stage"), "stage_order")
        .agg(pl.col("value").sum())
        .select([pl.col(k).cast(v) for k, v in schema.items()])
        .sort("unit_id", "level", "stage_order")
    )


_CHECKS_SCHEMA = {
    "unit_id": pl.String,
    "level": pl.String,
    "check": pl.String,
    "total_indicator": pl.String,
    "total": pl.Float64,
    "part_indicators": pl.List(pl.String),
    "part_values": pl.List(pl.Float64),
    "parts_sum": pl.Float64,
    "n_reports": pl.UInt32,
    "first_start": pl.Date,
    "last_end": pl.Date,
}


def checks(counts: pl.DataFrame) -> pl.DataFrame:
    """Totals that differ from the sum of their parts, per unit, level and check.

    A check runs on a report when its total and at least ``min_parts`` parts are present
    (missing parts count as 0 and are named). Mismatching reports of a range are added up.
    Columns: unit_id, level, check, total_indicator, total, part_indicators, part_values
    (None = not in the source), parts_sum, n_reports, first_start, last_end.
    """
    return _checks_of(select_reports(counts))


def _checks_of(counts: pl.DataFrame) -> pl.DataFrame:
    """:func:`checks` of counts whose reports are already selected."""
    schema = _CHECKS_SCHEMA
    if counts.is_empty():
        return pl.DataFrame(schema=schema)
    # one value per report and indicator is left; "first" keeps an absent one None ("sum" gives 0
    # under Polars 2, which ran checks on indicators a report does not give)
    wide = counts.pivot(on="indicator", index=REPORT, values="value", aggregate_function="first")
    found = []
    for check in CHECKS:  # one plan for every check, collected once
        columns = [check.total, *check.parts]
        frame = (
            wide.lazy()
            .with_columns([pl.lit(None, pl.Float64).alias(c) for c in columns if c not in wide.columns])
            .with_columns(
                n_parts=pl.sum_horizontal([pl.col(p).is_not_null() for p in check.parts]),
                parts_sum=pl.sum_horizontal([pl.col(p).fill_null(0) for p in check.parts]),
            )
        )
        bad = frame.filter(
            pl.col(check.total).is_not_null()
            & (pl.col("n_parts") >= check.min_parts)
            & ((pl.col("parts_sum") - pl.col(check.total)).abs() > 1e-6)
        )
        found.append(
            bad.group_by("unit_id", "level")
            .agg(
                total=pl.col(check.total).sum(),
                parts_sum=pl.col("parts_sum").sum(),
                n_reports=pl.len(),
                first_start=pl.col("period_start").min(),
                last_end=pl.col("period_end").max(),
                # a part is None when no mismatching report gives it
                **{
                    f"_p{i}": pl.when(pl.col(p).is_not_null().any()).then(pl.col(p).sum())
                    for i, p in enumerate(check.parts)
                },
            )
            .with_columns(
                check=pl.lit(check.code),
                total_indicator=pl.lit(check.total),
                part_indicators=pl.lit(list(check.parts), pl.List(pl.String)),
                part_values=pl.concat_list(
                    [pl.col(f"_p{i}").cast(pl.Float64) for i in range(len(check.parts))]
                ),
            )
            .select([pl.col(k).cast(v) for k, v in schema.items()])
        )
    return exprs.collect(pl.concat(found))


# ---------- trends ----------


def trend(series: pl.DataFrame, rate: Rate, grain: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rate by month or quarter for each unit, and pooled over all units (Σ num / Σ den).

    Only reports inside one calendar month (grain 'month') or quarter ('quarter') count.
    Returns (per unit: unit_id, name, bucket, numerator, denominator, rate_pct;
    pooled: bucket, numerator, denominator, rate_pct, n_units).
    """
    truncate = "1mo" if grain == "month" else "1q"
    frame = series.with_columns(bucket=pl.col("period_start").dt.truncate(truncate)).filter(
        pl.col("bucket") == pl.col("period_end").dt.truncate(truncate)
    )
    per_unit = compute_rates(frame, [rate], by=["bucket"], terms=False)
    per_unit = per_unit.filter(pl.col("rate_pct").is_not_null())
    pooled = (
        per_unit.group_by("bucket")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum(), n_units=pl.col("unit_id").n_unique())
        .with_columns(rate_pct=pl.col("numerator") / pl.col("denominator") * 100)
        .sort("bucket")
    )
    columns = [
        "unit_id",
        *(["name"] if "name" in per_unit.columns else []),
        "bucket",
        "numerator",
        "denominator",
        "rate_pct",
    ]
    return per_unit.select(columns).sort("unit_id", "bucket"), pooled


def buckets(first: date, last: date, grain: str) -> list[date]:
    """Every month or quarter start from first to last: the x axis, so a missing one is a gap."""
    step = 1 if grain == "month" else 3
    month = (first.month - 1) // step * step + 1
    current, out = date(first.year, month, 1), []
    while current <= last:
        out.append(current)
        m = current.month - 1 + step
        current = date(current.year + m // 12, m % 12 + 1, 1)
    return out


# ---------- text ----------


def count_text(value: float | None, lang: str = "vi") -> str:
    """A count as printed: '14.859'; a non-integral value keeps two decimals."""
    if value is None:
        return fmt.EMPTY
    return fmt.number(value, 0 if float(value).is_integer() else 2, lang=lang)


def ratio_text(
    numerator: float | None,
    denominator: float | None,
    rate_pct: float | None,
    terms: list[float] | None = None,
    lang: str = "vi",
    decimals: int = 2,
) -> str:
    """'1.524/1.547 = 98,51 %'; a numerator of several parts: '(1.068 + 479)/1.547 = 100,00 %'."""
    if numerator is None or denominator is None:
        return fmt.EMPTY
    top = count_text(numerator, lang)
    if terms and len(terms) > 1:
        top = "(" + " + ".join(count_text(v, lang) for v in terms) + ")"
    return f"{top}/{count_text(denominator, lang)} = {fmt.percent(rate_pct, decimals, lang=lang)}"


def machine_rows(rated: pl.DataFrame) -> pl.DataFrame:
    """The ``chiso dvc`` columns: level, indicator (the rate code), numerator, denominator,
    rate_pct rounded half up to 2 decimals; only rows whose denominator is above 0."""
    rows = rated.filter(pl.col("denominator") > 0).sort(
        pl.col("level").replace_strict({"unit": 0, "communes": 1}, default=2, return_dtype=pl.Int64),
        "rate_order",
    )
    out = rows.select(
        "level",
        pl.col("rate").alias("indicator"),
        "numerator",
        "denominator",
        exprs.round_half_up("rate_pct", 2).alias("rate_pct"),
    )
    for column in ("numerator", "denominator"):
        if out.select((pl.col(column) == pl.col(column).floor()).all()).item() is not False:
            out = out.with_columns(pl.col(column).cast(pl.Int64))
    return out


def unit_sources(counts: pl.DataFrame) -> pl.DataFrame:
    """The distinct source titles of each unit's counts: unit_id, source_title ('a; b')."""
    if counts.is_empty() or "source_title" not in counts.columns:
        return pl.DataFrame(schema={"unit_id": pl.String, "source_title": pl.String})
    return counts.group_by("unit_id").agg(
        pl.col("source_title").drop_nulls().unique(maintain_order=True).str.join("; ")
    )


def ranking(
    rated: pl.DataFrame, rate: str, level: str, units: pl.DataFrame, sources: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The ranking of one rate at one level: ranked units first, then the units of ``units``
    (unit_id, name) that have data in the period but not for this rate, unranked."""
    ranked = rank_rates(rated.lazy().filter((pl.col("rate") == rate) & (pl.col("level") == level)))
    ranked = ranked.filter(pl.col("rate_pct").is_not_null())
    missing = (
        units.lazy()
        .select("unit_id", "name")
        .unique("unit_id")
        .join(ranked.select("unit_id"), on="unit_id", how="anti")
    )
    out = pl.concat(
        [ranked, missing.with_columns(level=pl.lit(level), rate=pl.lit(rate)).sort("name")],
        how="diagonal_relaxed",
    )
    if sources is not None:
        out = out.join(sources.lazy(), on="unit_id", how="left", maintain_order="left")
    return exprs.collect(out)
