"""What the online-services figures look like once they leave :mod:`chiso.dvc`: the tables the
page shows and the sentences of the consistency warnings. Pure functions, text already in the
chosen language; numbers the Vietnamese way (``1.524/1.547 = 98,51 %``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from chiso import exprs, fmt
from chiso.config import Rate
from chiso.i18n import label, messages, t
from chiso.metrics import services as dvc
from chiso.views import charts_services
from chiso.views import tables as views
from chiso.views.page import TableExport, file_name, titled


def indicator_label(code: str, lang: str) -> str:
    """A count or published-rate indicator in words; an undeclared code is shown as is."""
    key = f"dvc.indicator.{code}"
    return t(key, lang) if key in messages(lang) or key in messages("vi") else code


def level_label(level: str, lang: str, *, short: bool = False) -> str:
    """'Đơn vị (bộ phận một cửa của đơn vị)' for selectors; 'Đơn vị' / 'Cấp xã' in table cells."""
    return t(f"dvc.level_short.{level}" if short else f"dvc.level.{level}", lang)


def rate_name(rates: list[Rate], code: str, lang: str) -> str:
    return next((label(r.name, lang) for r in rates if r.code == code), code)


def coverage_text(row: dict, lang: str) -> str:
    """'1 kỳ báo cáo, 01/01/2024–31/05/2024': how many reports a figure adds up, and their span."""
    first, last = row.get("first_start"), row.get("last_end")
    if first is None or last is None:
        return fmt.EMPTY
    return t(
        "dvc.coverage.reports",
        lang,
        n=row.get("n_reports") or 0,
        start=dvc.day_text(first, lang),
        end=dvc.day_text(last, lang),
    )


def _partial(row: dict, period: dvc.Period, lang: str) -> str:
    first, last = row.get("first_start"), row.get("last_end")
    if first is None or (first <= period.start and last >= period.end):
        return ""
    return t("dvc.coverage.partial", lang, start=dvc.day_text(first, lang), end=dvc.day_text(last, lang))


def ranking_table(ranked: pl.DataFrame, period: dvc.Period, inconsistent: set[tuple[str, str]], lang: str):
    """The ranking as shown: rank n/N, unit, rate, 'num/den = rate', data span, notes, source."""
    rows = []
    for row in ranked.iter_rows(named=True):
        notes = [
            _partial(row, period, lang),
            t("dvc.note.over_100", lang) if row.get("over_100") else "",
            t("dvc.note.inconsistent", lang) if (row["unit_id"], row["level"]) in inconsistent else "",
        ]
        has_rate = row.get("rate_pct") is not None
        rows.append(
            {
                t("dvc.col.rank", lang): fmt.rank(row.get("rank"), row.get("rank_of")),
                t("dvc.col.unit", lang): row["name"],
                t("dvc.col.rate", lang): fmt.number(row["rate_pct"], 2, lang=lang)
                if has_rate
                else t("dvc.ranking.no_rate", lang),
                t("dvc.col.ratio", lang): dvc.ratio_text(
                    row.get("numerator"),
                    row.get("denominator"),
                    row.get("rate_pct"),
                    row.get("numerator_terms"),
                    lang,
                )
                if has_rate
                else fmt.EMPTY,
                t("dvc.col.coverage", lang): coverage_text(row, lang),
                t("dvc.col.note", lang): "; ".join(n for n in notes if n),
                t("dvc.col.source", lang): row.get("source_title") or fmt.EMPTY,
            }
        )
    return pl.DataFrame(rows)


def published_rate_text(row: dict, lang: str, *, sign: bool = False) -> str:
    """A published rate as the source prints it ("trên 89,9 %" is not 89,90 %), else the number
    (with its % sign when ``sign``; a table's "Tỷ lệ (%)" column has it in the header)."""
    if row.get("printed"):
        return row["printed"]
    return fmt.percent(row["value_pct"], 2, lang=lang) if sign else fmt.number(row["value_pct"], 2, lang=lang)


def unit_rates_table(computed: pl.DataFrame, published: pl.DataFrame, rates: list[Rate], lang: str):
    """Every rate of one unit: computed from counts (with numerator and denominator), then the
    rates its sources published, labelled as such and never merged with the computed ones."""
    rows = []
    shown = computed.filter(pl.col("rate_pct").is_not_null()).sort(pl.col("level") != "unit", "rate_order")
    for row in shown.iter_rows(named=True):
        rows.append(
            {
                t("dvc.col.level", lang): level_label(row["level"], lang, short=True),
                t("dvc.col.indicator", lang): rate_name(rates, row["rate"], lang),
                t("dvc.col.kind", lang): t("dvc.value.computed", lang),
                t("dvc.col.rate", lang): fmt.number(row["rate_pct"], 2, lang=lang),
                t("dvc.col.ratio", lang): dvc.ratio_text(
                    row["numerator"], row["denominator"], row["rate_pct"], row["numerator_terms"], lang
                ),
                t("dvc.col.source", lang): row.get("source_title") or fmt.EMPTY,
            }
        )
    for row in published.sort(pl.col("level") != "unit").iter_rows(named=True):
        quote = f" — «{row['quote']}»" if row.get("quote") else ""
        rows.append(
            {
                t("dvc.col.level", lang): level_label(row["level"], lang, short=True),
                t("dvc.col.indicator", lang): indicator_label(row["indicator"], lang),
                t("dvc.col.kind", lang): t("dvc.value.published", lang),
                t("dvc.col.rate", lang): published_rate_text(row, lang),
                t("dvc.col.ratio", lang): fmt.EMPTY,
                t("dvc.col.source", lang): f"{row.get('source_title') or fmt.EMPTY}{quote}",
            }
        )
    return pl.DataFrame(rows)


def counts_table(counts: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The counts of one unit as the sources gave them, with the reported period and the quote."""
    rows = [
        {
            t("dvc.col.level", lang): level_label(row["level"], lang, short=True),
            t("dvc.col.indicator", lang): indicator_label(row["indicator"], lang),
            t("dvc.col.value", lang): dvc.count_text(row["value"], lang),
            t("dvc.col.period", lang): dvc.Period(row["period_start"], row["period_end"]).label(lang),
            t("dvc.col.quote", lang): row.get("quote") or fmt.EMPTY,
            t("dvc.col.source", lang): row.get("source_title") or fmt.EMPTY,
        }
        for row in counts.iter_rows(named=True)
    ]
    return pl.DataFrame(rows)


def warning_texts(found: pl.DataFrame, names: dict[str, str], lang: str) -> list[str]:
    """Each failed check as a sentence: 'Tiếp nhận … ≠ tổng tiếp nhận — Huyện Xuân Trường, …:
    tiếp nhận trực tiếp + tiếp nhận trực tuyến = 37 + 1.389 = 1.426, khác hồ sơ tiếp nhận 1.674 …'."""
    texts = []
    for row in found.iter_rows(named=True):
        given = [
            (code, value)
            for code, value in zip(row["part_indicators"], row["part_values"], strict=True)
            if value is not None
        ]
        missing = [
            code
            for code, value in zip(row["part_indicators"], row["part_values"], strict=True)
            if value is None
        ]
        where = where_text(names.get(row["unit_id"], row["unit_id"]), row["level"], lang)
        texts.append(
            t(
                "dvc.check.message",
                lang,
                title=t(f"dvc.check.{row['check']}", lang),
                where=where,
                labels=" + ".join(indicator_label(c, lang) for c, _ in given),
                values=" + ".join(dvc.count_text(v, lang) for _, v in given),
                parts_sum=dvc.count_text(row["parts_sum"], lang),
                total_label=indicator_label(row["total_indicator"], lang),
                total=dvc.count_text(row["total"], lang),
                diff=dvc.count_text(abs(row["total"] - row["parts_sum"]), lang),
                missing=t(
                    "dvc.check.missing", lang, labels=", ".join(indicator_label(c, lang) for c in missing)
                )
                if missing
                else "",
                reports=t("dvc.check.reports", lang, n=row["n_reports"]) if row["n_reports"] > 1 else "",
            )
        )
    return texts


def funnel_stages(stages: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Funnel stages of one unit and level with their labels: stage, label, value."""
    return stages.sort("stage_order").select(
        "stage",
        exprs.mapped(stages, "stage", lambda s: t(f"dvc.funnel.stage.{s}", lang)).alias("label"),
        "value",
    )


def bucket_label(bucket: date, grain: str, lang: str) -> str:
    """'T3/2024' or 'Q1/2024' on a chart axis."""
    if grain == "quarter":
        return f"Q{(bucket.month - 1) // 3 + 1}/{bucket.year}"
    return f"{'T' if lang == 'vi' else ''}{bucket.month:02d}/{bucket.year}"


def source_text(counts: pl.DataFrame, lang: str) -> str:
    """'Nguồn: …' naming the sources of the counts shown (at most two, then '…')."""
    if counts.is_empty() or "source_title" not in counts.columns:
        return ""
    return views.source_line(counts, lang)


@dataclass(frozen=True)
class TrendAxis:
    buckets: list[date]
    labels: list[str]


def trend_axis(per_unit: pl.DataFrame, pooled: pl.DataFrame, grain: str, lang: str) -> TrendAxis:
    """Every month or quarter from the first to the last with data, so a missing one is a gap."""
    present = [*per_unit.get_column("bucket").to_list(), *pooled.get_column("bucket").to_list()]
    if not present:
        return TrendAxis([], [])
    axis = dvc.buckets(min(present), max(present), grain)
    return TrendAxis(axis, [bucket_label(b, grain, lang) for b in axis])


def where_text(unit_name: str, level: str, lang: str) -> str:
    """'Huyện Xuân Trường, bộ phận một cửa của đơn vị' or '…, các xã, thị trấn trực thuộc'."""
    return t(f"dvc.where.{level}", lang, unit=unit_name)


RANKING_HEADERS = {
    "rank": "col.rank",
    "name": "col.unit",
    "numerator": "dvc.export.numerator",
    "denominator": "dvc.export.denominator",
    "rate_pct": "dvc.export.rate_pct",
}
COUNTS_HEADERS = {
    "level": "dvc.export.level",
    "period_start": "dvc.export.period_start",
    "period_end": "dvc.export.period_end",
    "indicator": "dvc.export.indicator",
    "value": "dvc.export.value",
    "source_title": "col.source",
}


def _headed(frame: pl.DataFrame, headers: dict[str, str], lang: str) -> pl.DataFrame:
    """The columns of ``headers`` the frame has, in that order, under their texts in ``lang``."""
    present = [c for c in headers if c in frame.columns]
    return frame.select(present).rename({c: t(headers[c], lang) for c in present})


def ranking_export(ranked: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The ranking for CSV/XLSX: rank, unit, numerator, denominator and rate as numbers."""
    if "rate_pct" in ranked.columns:
        ranked = ranked.with_columns(exprs.round_half_up("rate_pct", 2))
    return _headed(ranked, RANKING_HEADERS, lang)


def counts_export(counts: pl.DataFrame, lang: str) -> pl.DataFrame:
    """A unit's counts for CSV/XLSX: level, period, indicator and value as numbers, with the source."""
    order = [c for c in list(COUNTS_HEADERS)[:4] if c in counts.columns]
    return _headed(counts.sort(order), COUNTS_HEADERS, lang)


def unit_rates_export(computed: pl.DataFrame, published: pl.DataFrame, rates: list[Rate], lang: str):
    """The unit's rates for CSV/XLSX: the same rows as on screen, the rate a number rounded as
    shown (84.92, never the text "84,92"), numerator and denominator as numbers."""
    rows = []
    shown = computed.filter(pl.col("rate_pct").is_not_null()).sort(pl.col("level") != "unit", "rate_order")
    for row in shown.iter_rows(named=True):
        rows.append(
            {
                "level": level_label(row["level"], lang, short=True),
                "indicator": rate_name(rates, row["rate"], lang),
                "kind": t("dvc.value.computed", lang),
                "numerator": row["numerator"],
                "denominator": row["denominator"],
                "rate_pct": fmt.round_half_up(row["rate_pct"], 2),
            }
        )
    for row in published.sort(pl.col("level") != "unit").iter_rows(named=True):
        rows.append(
            {
                "level": level_label(row["level"], lang, short=True),
                "indicator": indicator_label(row["indicator"], lang),
                "kind": t("dvc.value.published", lang),
                "numerator": None,
                "denominator": None,
                "rate_pct": fmt.round_half_up(row["value_pct"], 2),
            }
        )
    schema = {
        "level": pl.String,
        "indicator": pl.String,
        "kind": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "rate_pct": pl.Float64,
    }
    headers = {
        "level": t("dvc.col.level", lang),
        "indicator": t("dvc.col.indicator", lang),
        "kind": t("dvc.col.kind", lang),
        "numerator": t("dvc.export.numerator", lang),
        "denominator": t("dvc.export.denominator", lang),
        "rate_pct": t("dvc.export.rate_pct", lang),
    }
    return pl.DataFrame(rows, schema=schema, orient="row").rename(headers)


def unit_rates_sources(
    table: pl.DataFrame, counts: pl.DataFrame, published: pl.DataFrame, lang: str
) -> list[dict]:
    """Each source once: the counts' sources support the computed rates of ``table``
    (:func:`unit_rates_export`), a published rate's source its own row."""
    from chiso.views import sources as export_sources

    indicator, kind = t("dvc.col.indicator", lang), t("dvc.col.kind", lang)
    computed = (
        table.filter(pl.col(kind) == t("dvc.value.computed", lang))
        .get_column(indicator)
        .unique(maintain_order=True)
        if not table.is_empty()
        else pl.Series([], dtype=pl.String)
    ).to_list()
    own = export_sources.entries(counts, None) if computed else []
    for entry in own:
        entry["rows"] = list(computed)
    labelled = published.with_columns(
        _row=exprs.mapped(published, "indicator", lambda c: indicator_label(c, lang))
    )
    return export_sources.merge(own, export_sources.entries(labelled, "_row"))


def counts_export_labelled(counts: pl.DataFrame, lang: str) -> pl.DataFrame:
    """A unit's counts for CSV/XLSX with levels and indicators in words, as on screen."""
    labelled = counts.with_columns(
        level=exprs.mapped(counts, "level", lambda v: level_label(v, lang, short=True)),
        indicator=exprs.mapped(counts, "indicator", lambda c: indicator_label(c, lang)),
    )
    return counts_export(labelled, lang)


def counts_sources(counts: pl.DataFrame, lang: str) -> list[dict]:
    """Each source of the counts once, with the indicators (as named in the file) it supports."""
    from chiso.views import sources as export_sources

    labelled = counts.with_columns(_row=exprs.mapped(counts, "indicator", lambda c: indicator_label(c, lang)))
    return export_sources.entries(labelled, "_row")


def ranking_sources(ranked: pl.DataFrame, counts: pl.DataFrame) -> list[dict]:
    """Each source of the ranked units' counts once, with the units it supports."""
    from chiso.views import sources as export_sources

    names = ranked.get_column("name").to_list() if "name" in ranked.columns else []
    return export_sources.entries(counts.filter(pl.col("name").is_in(names)), "name")


def period_slug(period: dvc.Period) -> str:
    """'2024', '2024-01_2024-05': the period in a file name."""
    if period.kind == "year":
        return str(period.start.year)
    first, last = period.start.strftime("%Y-%m"), period.end.strftime("%Y-%m")
    return first if first == last else f"{first}_{last}"


def chart_scope(catalog, period_text: str | None, province: str, lang: str) -> str:
    """The second title line of an online-services chart: index, period covered, province."""
    index = label(catalog.index("DVC").short_name, lang) if "DVC" in catalog.codes else ""
    return " · ".join(part for part in (index, period_text, province) if part)


# ---------- the page's views: what pages/services.py lays out ----------


@dataclass(frozen=True)
class ServicesRankingView:
    """The ranking of one rate over a period: the status line (None: nothing ranked), the table."""

    status: str | None
    display: pl.DataFrame  # empty when no unit has counts
    export: TableExport


def ranking_view(ranked: pl.DataFrame, found: pl.DataFrame, counts: pl.DataFrame, sel, covered, lang: str):
    n_ranked = ranked.get_column("rank").count() if "rank" in ranked.columns else 0
    empty = ranked.is_empty()
    inconsistent = set(found.select("unit_id", "level").rows())
    return ServicesRankingView(
        status=t("dvc.ranking.status_one" if n_ranked == 1 else "dvc.ranking.status", lang, n=n_ranked)
        if n_ranked
        else None,
        display=ranked if empty else ranking_table(ranked, sel.period, inconsistent, lang),
        export=TableExport(
            ranked if empty else ranking_export(ranked, lang),
            file_name("chiso_dvc", sel.rate, sel.province, sel.level, period_slug(covered)),
            [] if empty else ranking_sources(ranked, counts),
            t("col.unit", lang),
        ),
    )


@dataclass(frozen=True)
class ServicesUnitView:
    """One unit's rates (computed and published), warnings, funnel and counts."""

    has_data: bool
    rates_display: pl.DataFrame
    rates: TableExport
    has_published: bool
    has_counts: bool
    warnings: list[str]
    funnel: go.Figure | None  # None when the level has no stages
    funnel_name: str
    source: str
    counts_display: pl.DataFrame
    counts: TableExport


@dataclass(frozen=True)
class UnitInputs:
    """The rows of one unit the unit view is made of (already read for the selection)."""

    unit_id: str
    unit_name: str
    counts: pl.DataFrame
    published: pl.DataFrame
    rated: pl.DataFrame
    found: pl.DataFrame


def unit_view(rows: UnitInputs, rates: list[Rate], sel, period: str, covered, catalog, lang: str):
    """The unit's section; with neither counts nor published rates only ``has_data`` is False."""
    counts, published = rows.counts, rows.published
    if counts.is_empty() and published.is_empty():
        none = TableExport(pl.DataFrame(), "")
        return ServicesUnitView(
            False, pl.DataFrame(), none, False, False, [], None, "", "", pl.DataFrame(), none
        )
    computed = rows.rated.join(dvc.unit_sources(counts), on="unit_id", how="left")
    rates_export = unit_rates_export(computed, published, rates, lang)
    source = source_text(counts, lang) if not counts.is_empty() else ""
    stages = dvc.funnel(counts).filter(level=sel.level) if not counts.is_empty() else counts
    slug = period_slug(covered)
    return ServicesUnitView(
        has_data=not (counts.is_empty() and published.is_empty()),
        rates_display=unit_rates_table(computed, published, rates, lang),
        rates=TableExport(
            rates_export,
            file_name("chiso_dvc", rows.unit_name, sel.province, slug),
            unit_rates_sources(rates_export, counts, published, lang),
            t("dvc.col.indicator", lang),
        ),
        has_published=not published.is_empty(),
        has_counts=not counts.is_empty(),
        warnings=warning_texts(rows.found, {rows.unit_id: rows.unit_name}, lang),
        funnel=None
        if stages.is_empty()
        else _funnel(stages, rows.unit_name, sel, period, source, catalog, lang),
        funnel_name=file_name("chiso_dvc_tiep-nhan-giai-quyet", rows.unit_name, sel.level, slug),
        source=source,
        counts_display=counts_table(counts, lang) if not counts.is_empty() else counts,
        counts=TableExport(
            counts_export_labelled(counts, lang) if not counts.is_empty() else counts,
            file_name("chiso_dvc_so-lieu", rows.unit_name, slug),
            counts_sources(counts, lang) if not counts.is_empty() else [],
            t("dvc.export.indicator", lang),
        ),
    )


def _funnel(stages, unit_name: str, sel, period: str, source: str, catalog, lang: str) -> go.Figure:
    return charts_services.funnel(
        funnel_stages(stages, lang),
        title=titled(
            t("dvc.funnel.title", lang, where=where_text(unit_name, sel.level, lang)),
            chart_scope(catalog, period, sel.province, lang),
        ),
        value_unit=t("dvc.funnel.unit", lang),
        source=source,
        lang=lang,
    )


def trended_units(by_quarter: pl.DataFrame) -> frozenset[str]:
    """The units with a trend to draw: two quarters at least (nothing shorter than a quarter is
    drawn)."""
    counted = by_quarter.group_by("unit_id").len().filter(pl.col("len") >= 2)
    return frozenset(counted.get_column("unit_id").to_list())


@dataclass(frozen=True)
class ServicesTrendView:
    figure: go.Figure | None  # None: no line of that grain to draw (quarterly reports only)
    name: str


def trend_view(
    per_unit, pooled, unit_id: str, unit_name: str, sel, grain: str, rate_title: str, source, catalog, lang
):
    mine = per_unit.filter(unit_id=unit_id)
    name = file_name("chiso_dvc_xu-huong", sel.rate, unit_name, sel.level, grain)
    if mine.is_empty():
        return ServicesTrendView(None, name)
    axis = trend_axis(per_unit, pooled, grain, lang)
    grain_text = t(f"dvc.grain.{grain}", lang)
    figure = charts_services.rate_trend(
        mine,
        pooled,
        buckets=axis.buckets,
        tick_labels=axis.labels,
        unit_label=unit_name,
        pooled_label=t("dvc.trend.pooled", lang),
        title=titled(
            t("dvc.trend.title", lang, rate=rate_title, unit=unit_name, grain=grain_text.lower()),
            chart_scope(catalog, None, sel.province, lang),
        ),
        y_label=t("dvc.trend.y", lang),
        highlight=(sel.period.start, sel.period.end),
        highlight_label=t("dvc.trend.selected", lang),
        source=source,
        lang=lang,
    )
    return ServicesTrendView(figure, name)


def _rate_sources(counts: pl.DataFrame, rates: list[Rate]) -> pl.DataFrame:
    """level, rate -> the distinct sources of the counts a rate is computed from, joined by ' | '
    (the README's rule for several sources in one CSV cell)."""
    schema = {"level": pl.String, "rate": pl.String, "source_title": pl.String, "source_url": pl.String}
    if counts.is_empty() or not rates or "source_title" not in counts.columns:
        return pl.DataFrame(schema=schema)
    terms = pl.DataFrame(
        [(r.code, i) for r in rates for i in dict.fromkeys([*r.numerator, *r.denominator])],
        schema={"rate": pl.String, "indicator": pl.String},
        orient="row",
    )
    used = dvc.select_reports(counts).join(terms, on="indicator")
    if "source_url" not in used.columns:
        used = used.with_columns(source_url=pl.lit(None, pl.String))
    return (
        used.select("level", "rate", "source_title", "source_url")
        .unique(maintain_order=True)
        .group_by("level", "rate", maintain_order=True)
        .agg(
            pl.col("source_title").drop_nulls().filter(pl.col("source_title") != "").str.join(" | "),
            pl.col("source_url").drop_nulls().filter(pl.col("source_url") != "").str.join(" | "),
        )
    )


def _pieces(*texts: pl.Expr) -> pl.Expr:
    """Texts that apply (null: does not), joined by '; '."""
    return pl.concat_list(texts).list.drop_nulls().list.join("; ")


def machine_rows(
    rated: pl.DataFrame,
    published: pl.DataFrame,
    counts: pl.DataFrame,
    found: pl.DataFrame,
    rates: list[Rate],
    period: dvc.Period,
    lang: str,
) -> pl.DataFrame:
    """The ``chiso dvc`` machine columns: :func:`chiso.metrics.services.machine_rows` (computed
    rates with numerator and denominator), then the rates the sources published (``kind``
    ``published``, the text as printed in ``printed``), each with what the page shows beside
    it: ``flag`` (numerator above denominator, counts that do not add up), ``note`` (data that
    cover only part of the period) and its sources (several joined by ' | ')."""
    day = "%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"
    inconsistent = found.select("unit_id", "level").unique().with_columns(_inconsistent=pl.lit(True))
    partial = t("dvc.coverage.partial", lang, start="\x00", end="\x01")
    ends = [pl.col("first_start").dt.strftime(day), pl.col("last_end").dt.strftime(day)]
    if partial.index("\x00") > partial.index("\x01"):  # a language naming the end first
        ends.reverse()
    partial = partial.replace("\x00", "{}").replace("\x01", "{}")
    beside = (
        rated.filter(pl.col("denominator") > 0)
        .join(inconsistent, on=["unit_id", "level"], how="left")
        .select(
            "level",
            pl.col("rate").alias("indicator"),
            flag=_pieces(
                pl.when(pl.col("over_100")).then(pl.lit(t("dvc.note.over_100", lang))),
                pl.when(pl.col("_inconsistent")).then(pl.lit(t("dvc.note.inconsistent", lang))),
            ),
            note=pl.when((pl.col("first_start") > period.start) | (pl.col("last_end") < period.end)).then(
                pl.format(partial, *ends)
            ),
        )
    )
    sources = _rate_sources(counts, rates).rename({"rate": "indicator"})
    computed = (
        dvc.machine_rows(rated)
        .join(beside, on=["level", "indicator"], how="left")
        .join(sources, on=["level", "indicator"], how="left")
        .with_columns(kind=pl.lit("computed"), printed=pl.lit(None, pl.String))
    )
    given = published.sort(pl.col("level") != "unit").select(
        "level",
        "indicator",
        exprs.round_half_up("value_pct", 2).alias("rate_pct"),
        kind=pl.lit("published"),
        printed=pl.col("printed") if "printed" in published.columns else pl.lit(None, pl.String),
        source_title=pl.col("source_title"),
        source_url=pl.col("source_url"),
    )
    extra = ["kind", "printed", "flag", "note", "source_title", "source_url"]
    return pl.concat([computed, given], how="diagonal_relaxed").select(
        "level",
        "indicator",
        "numerator",
        "denominator",
        "rate_pct",
        *[pl.col(c).cast(pl.String).fill_null("") for c in extra],
    )
