"""The main chart and table of the trends and components pages as pure functions, shared by
the pages and ``chiso export`` so a file leaves exactly as the page shows it."""

from __future__ import annotations

import functools
import re

import plotly.graph_objects as go
import polars as pl

from chiso import paths
from chiso.columns import TREND_EXPORT
from chiso.config import Index, load_catalog
from chiso.export import sources as export_sources
from chiso.i18n import label, t
from chiso.metrics import gaps, trends
from chiso.names import slug
from chiso.selection import Selection
from chiso.views import charts, charts_analysis
from chiso.views import tables as views

# ---------- what a file says about itself: titles and names ----------


@functools.cache
def _default_catalog():
    return load_catalog(paths.CONFIG_PATH)


def scope_text(peer_group: str, province: str, lang: str, catalog=None) -> str:
    """'Huyện, thị xã, thành phố · Quảng Ninh', 'Tỉnh, thành phố · Toàn quốc': the table a chart is of."""
    groups = (catalog or _default_catalog()).peer_groups
    group = label(groups[peer_group].name, lang) if peer_group in groups else peer_group
    return f"{group} · {province or t('sel.national', lang)}"


def titled(main: str, *details: str) -> str:
    """A chart title whose second line names what the first does not (unit, peer group, province),
    so an image that leaves the dashboard still says what it shows."""
    extra = " · ".join(d for d in details if d)
    return f"{main}<br><sup>{extra}</sup>" if extra else main


def file_name(*parts: object) -> str:
    """'chiso_thanh-phan_PCI_2019_quang-ninh': ASCII, one part per fact, no empty parts."""
    texts = [str(part) for part in parts if part not in (None, "")]
    out = [text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else slug(text) for text in texts]
    return "_".join(out)


def unit_name(rows: pl.DataFrame, unit_id: str) -> str:
    found = rows.filter(pl.col("unit_id") == unit_id)
    return found.get_column("name")[0] if not found.is_empty() else unit_id


def _scope_slug(sel: Selection) -> list[str]:
    return [sel.peer_group, slug(sel.province) if sel.province else "toan-quoc"]


def rankings_sources(ranking: pl.DataFrame) -> list[dict]:
    """Each source of a ranked table once, with the units whose rows it supports."""
    return export_sources.entries(ranking, "name")


def trends_figure(
    series: pl.DataFrame,
    chosen: list[str],
    measure: str,
    index: Index,
    lang: str,
    sel: Selection | None = None,
) -> go.Figure:
    """Score, % of maximum or rank of the chosen units over every year, with the peer average."""
    years = trends.year_span(series)
    y_labels = {
        "score": f"{t('chart.score', lang)} ({views.series_scale(index, series, lang)})",
        "pct_of_max": t("col.pct_of_max", lang),
        "rank": t("chart.rank", lang),
    }
    return charts.trend_lines(
        series.filter(pl.col("unit_id").is_in(chosen)),
        years=years,
        measure=measure,
        title=titled(
            f"{t('trends.title', lang, index=label(index.short_name, lang))} {_span(years)}",
            scope_text(sel.peer_group, sel.province, lang) if sel else "",
        ),
        y_label=y_labels[measure],
        year_label=t("chart.year", lang),
        average=trends.peer_average_by_year(series, measure),
        average_label=t("chart.peer_average", lang),
        breaks=trends.method_breaks(index, years, lang),
        source=views.source_line(series, lang),
        lang=lang,
    )


def _span(years: list[int]) -> str:
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def trends_table(series: pl.DataFrame, chosen: list[str], lang: str) -> pl.DataFrame:
    """The chosen units' yearly values, numbers as numbers rounded as on screen (CSV and XLSX)."""
    picked = series.filter(pl.col("unit_id").is_in(chosen)).sort("name", "year")
    return views.machine_table(
        picked.with_columns(export_sources.rounded("pct_of_max", 2)), TREND_EXPORT, lang
    )


def trends_sources(series: pl.DataFrame, chosen: list[str]) -> list[dict]:
    """Each source of the chosen units' rows once, with the units whose rows it supports."""
    return export_sources.entries(series.filter(pl.col("unit_id").is_in(chosen)).sort("name", "year"), "name")


def trends_name(series: pl.DataFrame, index: Index, sel: Selection) -> str:
    years = trends.year_span(series)
    return file_name("chiso_xu-huong", index.code, _span(years).replace("–", "-"), *_scope_slug(sel))


def gaps_figure(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, lang: str) -> go.Figure:
    """The peers × components heatmap (% of maximum) with the unit marked."""
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    return charts_analysis.gap_heatmap(
        gaps.heatmap_matrix(rows, names),
        chosen=unit_id,
        title=titled(
            f"{label(index.short_name, lang)} {sel.year}: {t('gaps.heatmap', lang)}",
            unit_name(rows, unit_id),
            scope_text(sel.peer_group, sel.province, lang),
        ),
        x_label=t("col.pct_of_max", lang),
        source=views.source_line(rows, lang),
        lang=lang,
        names=names,
    )


def gaps_table(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, lang: str) -> pl.DataFrame:
    """The unit's points lost per component, largest first, numbers as numbers."""
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    table = gaps.component_gaps(rows, unit_id, names, higher_is_better=index.higher_is_better)
    return views.gap_export(table, lang)


def gaps_sources(rows: pl.DataFrame, unit_id: str, lang: str) -> list[dict]:
    """The unit's own source supports every row; its peers' sources the peer mean and best columns."""
    totals = rows.filter(pl.col("component").is_not_null())
    own = export_sources.entries(totals.filter(pl.col("unit_id") == unit_id), None)
    peers = totals.filter(pl.col("unit_id") != unit_id)
    n_peers = peers.get_column("unit_id").n_unique()
    return export_sources.merge(
        own,
        export_sources.entries(peers, None, note=t("export.source.peer_columns", lang, n=n_peers)),
    )


def gaps_name(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection) -> str:
    return file_name("chiso_thanh-phan", index.code, sel.year, unit_name(rows, unit_id), *_scope_slug(sel))


def profile_figure(rows: pl.DataFrame, year: int, catalog, lang: str) -> go.Figure | None:
    """The unit's percentile on each index (the profile page's chart); None with fewer than two."""
    cross = views.cross_index_frame(gaps.cross_index(gaps.profile(rows, year, catalog.codes)), catalog, lang)
    if cross.height < 2:
        return None
    return charts_analysis.percentile_bars(
        cross,
        title=titled(f"{_unit_title(rows)} · {year}", t("profile.cross_index", lang)),
        x_label=t("profile.percentile", lang),
        source=views.source_line(rows, lang),
        lang=lang,
    )


def _unit_title(rows: pl.DataFrame) -> str:
    if rows.is_empty():
        return ""
    first = rows.row(0, named=True)
    province = first.get("province")
    return f"{first['name']} ({province})" if province and province != first["name"] else first["name"]


def profile_table(rows: pl.DataFrame, year: int, catalog, lang: str) -> pl.DataFrame:
    """One row per index: the index named as on screen, numbers as numbers."""
    profile = gaps.profile(rows, year, catalog.codes)
    return views.profile_export(profile.with_columns(_index_labels(profile, catalog, lang)), lang)


def _index_labels(frame: pl.DataFrame, catalog, lang: str) -> pl.Expr:
    names = {code: label(catalog.index(code).short_name, lang) for code in catalog.codes}
    return pl.col("index_code").replace_strict(names, default=pl.col("index_code")).alias("index_code")


def profile_sources(rows: pl.DataFrame, year: int, catalog, lang: str) -> list[dict]:
    """Each source once, with the indices (as named in the table) whose rows it supports."""
    profile = gaps.profile(rows, year, catalog.codes)
    return export_sources.entries(profile.with_columns(_index_labels(profile, catalog, lang)), "index_code")


def profile_name(rows: pl.DataFrame, year: int, what: str = "ho-so") -> str:
    first = rows.row(0, named=True) if not rows.is_empty() else {"name": "", "province": ""}
    province = first.get("province") if first.get("province") != first["name"] else ""
    return file_name(f"chiso_{what}", first["name"], province, year)


def extremes_table(rows: pl.DataFrame, year: int, catalog, lang: str) -> pl.DataFrame:
    """Strongest and weakest components as on screen: kind and component named, never coded;
    numbers rounded as the screen shows them."""
    extremes = gaps.component_extremes(rows, year)
    if extremes.is_empty():
        return pl.DataFrame()
    labelled = extremes.with_columns(
        kind=pl.col("kind").replace_strict(
            {k: t(f"profile.{k}", lang) for k in ("strongest", "weakest")}, default=pl.col("kind")
        ),
        component_label=pl.Series(
            [views._component_label(catalog, row, lang) for row in extremes.iter_rows(named=True)],
            dtype=pl.String,
        ),
        index_code=_index_labels(extremes, catalog, lang),
        score=export_sources.rounded("score", 2),
        max_score=export_sources.rounded("max_score", 2),
        pct_of_max=export_sources.rounded("pct_of_max", 2),
    )
    return views.machine_table(
        labelled, ["kind", "component_label", "score", "max_score", "pct_of_max"], lang
    )


def extremes_sources(rows: pl.DataFrame, year: int, catalog, lang: str) -> list[dict]:
    extremes = gaps.component_extremes(rows, year)
    if extremes.is_empty():
        return []
    labels = [views._component_label(catalog, row, lang) for row in extremes.iter_rows(named=True)]
    return export_sources.entries(extremes.with_columns(_row=pl.Series(labels, dtype=pl.String)), "_row")


def compare_figure(
    rows: pl.DataFrame, chosen: list[str], index: Index, sel: Selection, lang: str
) -> go.Figure | None:
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    picked = rows.filter(pl.col("unit_id").is_in(chosen))
    bars = views.compare_frame(picked, chosen, names)
    if bars.is_empty():
        return None
    return charts_analysis.compare_bars(
        bars,
        title=titled(
            t("compare.chart", lang, index=label(index.short_name, lang), year=sel.year),
            scope_text(sel.peer_group, sel.province, lang),
        ),
        y_label=t("col.pct_of_max", lang),
        source=views.source_line(picked, lang),
        lang=lang,
    )


def compare_table(
    rows: pl.DataFrame, chosen: list[str], index: Index, sel: Selection, lang: str
) -> pl.DataFrame:
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    return views.compare_export(rows.filter(pl.col("unit_id").is_in(chosen)), chosen, names, lang)


def compare_sources(rows: pl.DataFrame, chosen: list[str]) -> list[dict]:
    """Each source of the compared units once, with the units whose rows it supports."""
    return export_sources.entries(rows.filter(pl.col("unit_id").is_in(chosen)), "name")


def compare_indices_table(totals: pl.DataFrame, catalog, lang: str) -> pl.DataFrame:
    """Every index of the compared units in one year, indices named as on screen."""
    return views.machine_table(
        totals.with_columns(_index_labels(totals, catalog, lang)),
        ["name", "index_code", "year", "score", "max_score", "rank", "rank_of"],
        lang,
    )


def compare_indices_sources(totals: pl.DataFrame, catalog, lang: str) -> list[dict]:
    """Each source once, with the (unit · index) rows it supports."""
    labelled = totals.with_columns(_index_labels(totals, catalog, lang))
    return export_sources.entries(
        labelled, pl.concat_str("name", pl.lit(export_sources.KEY_JOIN), "index_code")
    )


def compare_name(index: Index, sel: Selection) -> str:
    return file_name("chiso_so-sanh", index.code, sel.year, *_scope_slug(sel))


def why_split(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str):
    """(split with component names, whether it adds up) for the rank-change chart and table."""
    rows_a, rows_b = rows.filter(pl.col("year") == year_a), rows.filter(pl.col("year") == sel.year)
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    aggregation = index.aggregation_for(sel.province, sel.peer_group, sel.year)
    split = gaps.rank_change_split(rows_a, rows_b, unit_id, aggregation, order=list(names))
    return views.split_labels(split, names, lang), bool(
        split.get_column("adds_up").all()
    ) if split.height else False


def why_figure(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str
) -> go.Figure:
    split, adds_up = why_split(rows, unit_id, index, sel, year_a, lang)
    return charts_analysis.change_waterfall(
        split,
        adds_up=adds_up,
        title=titled(
            f"{label(index.short_name, lang)}: {t('why.chart', lang, year_a=year_a, year_b=sel.year)}",
            unit_name(rows, unit_id),
            scope_text(sel.peer_group, sel.province, lang),
        ),
        y_label=t("why.change", lang),
        total_label=t("why.total", lang),
        source=views.source_line(rows.filter(pl.col("year") == sel.year), lang),
        decimals=index.decimals_for(sel.province, sel.peer_group, sel.year),
        lang=lang,
    )


def why_table(
    rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int, lang: str
) -> pl.DataFrame:
    split, _ = why_split(rows, unit_id, index, sel, year_a, lang)
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    split = split.with_columns(
        *(
            export_sources.rounded(c, decimals)
            for c in ("score_a", "score_b", "change")
            if c in split.columns
        ),
        component=pl.when(pl.col("kind") == "total")
        .then(pl.lit(t("why.total", lang)))
        .otherwise("component"),
    )
    return views.machine_table(
        split.rename({"component": "component_label"}),
        ["component_label", "score_a", "score_b", "change"],
        lang,
    )


def why_sources(rows: pl.DataFrame, unit_id: str, year_a: int, year_b: int, lang: str) -> list[dict]:
    """The unit's sources of each year; each supports that year's column of every row."""
    mine = rows.filter(pl.col("unit_id") == unit_id)
    return export_sources.merge(
        *(
            export_sources.entries(
                mine.filter(pl.col("year") == year),
                None,
                note=t("export.source.year_column", lang, year=year),
            )
            for year in (year_a, year_b)
        )
    )


def why_name(rows: pl.DataFrame, unit_id: str, index: Index, sel: Selection, year_a: int) -> str:
    return file_name(
        "chiso_bien-dong", index.code, f"{year_a}-{sel.year}", unit_name(rows, unit_id), *_scope_slug(sel)
    )


def movers_table(movers: pl.DataFrame, index: Index, sel: Selection, lang: str) -> pl.DataFrame:
    """Who passed the unit or was passed, numbers rounded as on screen."""
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    rounded = movers.with_columns(
        export_sources.rounded(c, decimals) for c in ("score_a", "score_b", "d_score") if c in movers.columns
    )
    return views.machine_table(
        rounded, ["name", "rank_a", "rank_b", "score_a", "score_b", "d_score", "d_rank"], lang
    )


def movers_sources(rows: pl.DataFrame, movers: pl.DataFrame) -> list[dict]:
    """Each source of the movers' rows (both years) once, with the units it supports."""
    names = movers.get_column("name").to_list() if not movers.is_empty() else []
    return export_sources.entries(
        rows.filter(pl.col("component").is_null() & pl.col("name").is_in(names)), "name"
    )
