"""The unit profile page (Hồ sơ đơn vị) as one view: every index of one unit in one year, its
printed lines, sparklines, strongest and weakest components and its percentile on each index.
``chiso export profile`` writes the same view."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from chiso.i18n import t
from chiso.metrics import gaps
from chiso.views import charts_analysis, findings
from chiso.views import lineage as lineage_view
from chiso.views import sources as export_sources
from chiso.views import tables as views
from chiso.views.page import TableExport, file_name, index_labels, titled


@dataclass(frozen=True)
class Spark:
    code: str
    caption: str
    figure: go.Figure


@dataclass(frozen=True)
class ProfileView:
    empty: bool  # the unit has no index in that year
    findings: list
    printed: list[str]
    display: pl.DataFrame
    export: TableExport
    sparks: list[Spark]
    extremes_display: pl.DataFrame  # empty when the unit has no components
    extremes: TableExport
    figure: go.Figure | None  # None with fewer than two indices
    figure_name: str
    source: str
    lineage: lineage_view.LineageView | None = None  # predecessors / successors across a reorganisation
    before_after: pl.DataFrame | None = (
        None  # predecessors' values before, the unit's after, derived labelled
    )
    before_after_notes: tuple[str, ...] = ()


def unit_choices(units: pl.DataFrame) -> tuple[dict[str, str], str | None]:
    """(unit -> 'Name (Province)' across the database, the unit offered first)."""
    return views.unit_choices(units), views.default_profile_unit(units)


def years(rows: pl.DataFrame) -> list[int]:
    """The unit's years, latest first."""
    return sorted(rows.get_column("year").unique().to_list(), reverse=True)


def build(rows: pl.DataFrame, year: int, catalog, lang: str, lineage=None, reorg=None) -> ProfileView:
    """``lineage``: (edges, their units' last results) from the store; ``reorg``: (predecessor
    edges, totals of the unit and its predecessors); either may be None."""
    complete = gaps.scored_tables(rows, year, catalog)  # read by the sentences and the extremes
    profile, found = findings.profile_report(rows, catalog, lang, year, complete)
    extremes = gaps.component_extremes(rows, year, catalog=catalog, complete=complete)
    return ProfileView(
        empty=profile.is_empty(),
        findings=found,
        printed=views.printed_lines(rows, catalog, year, lang),
        display=profile if profile.is_empty() else views.profile_display(profile, catalog, lang),
        export=TableExport(
            profile_table(rows, year, catalog, lang, profile=profile),
            profile_name(rows, year),
            profile_sources(rows, year, catalog, lang, profile=profile),
            t("sel.index", lang),
        ),
        sparks=_sparks(rows, profile, catalog, lang),
        extremes_display=views.extremes_display(extremes, catalog, lang)
        if not extremes.is_empty()
        else extremes,
        extremes=TableExport(
            extremes_table(rows, year, catalog, lang, extremes=extremes),
            profile_name(rows, year, "ho-so_thanh-phan"),
            extremes_sources(rows, year, catalog, lang, extremes=extremes),
            t("gaps.col.component", lang),
        ),
        figure=profile_figure(rows, year, catalog, lang, profile=profile),
        figure_name=profile_name(rows, year, "ho-so_phan-vi"),
        source=views.source_line(rows, lang),
        lineage=None if lineage is None else lineage_view.build(*lineage, catalog, lang),
        **lineage_view.before_after(rows, reorg, catalog, lang),
    )


def _sparks(rows: pl.DataFrame, profile: pl.DataFrame, catalog, lang: str) -> list[Spark]:
    if profile.is_empty():
        return []
    # every year from the first to the last: a year without a value is a gap in the line, never
    # a straight stroke from the year before it to the year after
    found = rows.get_column("year").drop_nulls()
    all_years = list(range(found.min(), found.max() + 1)) if found.len() else []
    totals = gaps.totals(rows).filter(pl.col("pct_of_max").is_not_null())
    by_index = {key[0]: part for key, part in totals.partition_by("index_code", as_dict=True).items()}
    return [
        Spark(
            code,
            views.index_caption(catalog.index(code), lang),
            charts_analysis.sparkline(by_index.get(code, totals.clear()), years=all_years, lang=lang),
        )
        for code in profile.get_column("index_code").to_list()
    ]


def profile_figure(
    rows: pl.DataFrame, year: int, catalog, lang: str, *, profile: pl.DataFrame | None = None
) -> go.Figure | None:
    """The unit's percentile on each index (the profile page's chart); None with fewer than two.
    ``profile``: :func:`gaps.profile` of the same rows and year when the caller has it (as for the
    other tables here)."""
    cross = views.cross_index_frame(gaps.cross_index(_profile(rows, year, catalog, profile)), catalog, lang)
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


def _profile(rows: pl.DataFrame, year: int, catalog, profile: pl.DataFrame | None) -> pl.DataFrame:
    return gaps.profile(rows, year, catalog.codes) if profile is None else profile


def _extremes(rows: pl.DataFrame, year: int, catalog, extremes: pl.DataFrame | None) -> pl.DataFrame:
    return gaps.component_extremes(rows, year, catalog=catalog) if extremes is None else extremes


def profile_table(
    rows: pl.DataFrame, year: int, catalog, lang: str, *, profile: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per index: the index named as on screen, numbers as numbers."""
    profile = _profile(rows, year, catalog, profile)
    return views.profile_export(profile.with_columns(index_labels(catalog, lang)), lang)


def profile_sources(
    rows: pl.DataFrame, year: int, catalog, lang: str, *, profile: pl.DataFrame | None = None
) -> list[dict]:
    """Each source once, with the indices (as named in the table) whose rows it supports."""
    profile = _profile(rows, year, catalog, profile)
    return export_sources.entries(profile.with_columns(index_labels(catalog, lang)), "index_code")


def profile_name(rows: pl.DataFrame, year: int, what: str = "ho-so") -> str:
    first = rows.row(0, named=True) if not rows.is_empty() else {"name": "", "province": ""}
    province = first.get("province") if first.get("province") != first["name"] else ""
    return file_name(f"chiso_{what}", first["name"], province, year)


def extremes_table(
    rows: pl.DataFrame, year: int, catalog, lang: str, *, extremes: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Strongest and weakest components as on screen: kind and component named, never coded;
    numbers rounded as the screen shows them."""
    extremes = _extremes(rows, year, catalog, extremes)
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
        index_code=index_labels(catalog, lang),
        score=export_sources.rounded("score", 2),
        max_score=export_sources.rounded("max_score", 2),
        pct_of_max=export_sources.rounded("pct_of_max", 2),
    )
    return views.machine_table(
        labelled, ["kind", "component_label", "score", "max_score", "pct_of_max"], lang
    )


def extremes_sources(
    rows: pl.DataFrame, year: int, catalog, lang: str, *, extremes: pl.DataFrame | None = None
) -> list[dict]:
    extremes = _extremes(rows, year, catalog, extremes)
    if extremes.is_empty():
        return []
    labels = [views._component_label(catalog, row, lang) for row in extremes.iter_rows(named=True)]
    return export_sources.entries(extremes.with_columns(_row=pl.Series(labels, dtype=pl.String)), "_row")
