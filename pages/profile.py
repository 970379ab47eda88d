"""Hồ sơ đơn vị: every index for one unit — rank, percentile, tier, change, trend, strengths."""

import polars as pl
import streamlit as st

from chiso.app import brief as ui_brief
from chiso.app import downloads as ui_export
from chiso.app import ui
from chiso.i18n import t
from chiso.metrics import gaps
from chiso.views import charts_analysis, findings
from chiso.views import pages as page_views
from chiso.views import tables as views


def render() -> None:
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return
    units = ui.all_units(dataset, ui.version(dataset))
    unit_id = ui.single_unit(
        t("sel.unit", lang),
        views.unit_choices(units),
        ui.context_unit(dataset) or views.default_profile_unit(units),
    )
    if unit_id is None:
        st.info(t("rankings.no_tables", lang))
        return
    rows = ui.unit_rows(dataset, ui.version(dataset), unit_id)
    years = sorted(rows.get_column("year").unique().to_list(), reverse=True)
    year = ui.year_choice(t("sel.year", lang), years, years[0], key="year")
    catalog = ui.catalog()
    profile, found = findings.profile_report(rows, catalog, lang, year)
    ui_export.header(t("profile.title", lang, unit=views.unit_choices(units)[unit_id], year=year))
    if profile.is_empty():
        st.info(t("profile.empty", lang, year=year))
        return
    ui_brief.brief_button(dataset, unit_id, year)
    ui.findings_block(found, lang)
    printed = views.printed_lines(rows, catalog, year, lang)
    if printed:
        st.markdown(f"**{t('profile.printed', lang)}**")
        for line in printed:
            st.markdown(f"- {line}")
    st.subheader(t("profile.indices", lang))
    st.dataframe(views.profile_display(profile, catalog, lang), hide_index=True, width="stretch")
    ui_export.table_buttons(
        page_views.profile_table(rows, year, catalog, lang),
        name=page_views.profile_name(rows, year),
        key="profile",
        sources=page_views.profile_sources(rows, year, catalog, lang),
        source_key=t("sel.index", lang),
    )
    all_years = sorted(rows.get_column("year").unique().to_list())
    cols = st.columns(min(4, profile.height))
    for i, code in enumerate(profile.get_column("index_code").to_list()):
        with cols[i % len(cols)]:
            st.caption(views.index_caption(catalog.index(code), lang))
            series = gaps.totals(rows).filter(
                (pl.col("index_code") == code) & pl.col("pct_of_max").is_not_null()
            )
            st.plotly_chart(
                charts_analysis.sparkline(series, years=all_years),
                key=f"spark_{code}",
                config={"displayModeBar": False},
            )
    extremes = gaps.component_extremes(rows, year)
    if not extremes.is_empty():
        st.subheader(t("profile.extremes", lang))
        st.dataframe(views.extremes_display(extremes, catalog, lang), hide_index=True, width="stretch")
        ui_export.table_buttons(
            page_views.extremes_table(rows, year, catalog, lang),
            name=page_views.profile_name(rows, year, "ho-so_thanh-phan"),
            key="extremes",
            sources=page_views.extremes_sources(rows, year, catalog, lang),
            source_key=t("gaps.col.component", lang),
        )
    figure = page_views.profile_figure(rows, year, catalog, lang)
    if figure is not None:
        ui_export.chart(
            figure,
            name=page_views.profile_name(rows, year, "ho-so_phan-vi"),
            source=views.source_line(rows, lang),
            key="cross",
        )


ui.guard(render)
