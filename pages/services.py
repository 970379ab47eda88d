"""Dịch vụ công: online-service rates computed from one-stop counts — ranking for a period,
monthly or quarterly trend, the chosen unit's funnel, consistency warnings, published rates."""

import streamlit as st

from chiso import safe
from chiso.app import downloads as ui_export
from chiso.app import services as ui_dvc
from chiso.app import ui
from chiso.i18n import t
from chiso.metrics import services as dvc
from chiso.views import charts_services as charts_dvc
from chiso.views import page as page_views
from chiso.views import services as views_dvc


def render() -> None:
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return
    ui_export.header(t("dvc.title", lang))
    st.caption(t("dvc.intro", lang))
    sel = ui_dvc.selection(dataset, lang)
    if sel is None:
        return
    rate_name = views_dvc.rate_name(ui_dvc.rates(), sel.rate, lang)
    st.subheader(t("dvc.ranking.title", lang, rate=rate_name))
    st.caption(
        t(
            "dvc.ranking.subtitle",
            lang,
            period=ui_dvc.covered_label(dataset, sel, lang),
            province=sel.province,
            level=views_dvc.level_label(sel.level, lang),
        )
    )
    ranked = ui_dvc.ranking(dataset, sel)
    found = ui_dvc.checks(dataset, sel)
    n_ranked = ranked.get_column("rank").count() if "rank" in ranked.columns else 0
    if n_ranked:
        st.markdown(t("dvc.ranking.status", lang, n=n_ranked))
    else:
        st.info(t("dvc.ranking.empty", lang))
    if not ranked.is_empty():
        inconsistent = set(found.select("unit_id", "level").rows())
        table = views_dvc.ranking_table(ranked, sel.period, inconsistent, lang)
        st.dataframe(table, hide_index=True, width="stretch")
        ui_export.table_buttons(
            views_dvc.ranking_export(ranked, lang),
            name=page_views.file_name(
                "chiso_dvc",
                sel.rate,
                sel.province,
                sel.level,
                views_dvc.period_slug(ui_dvc.covered(dataset, sel)),
            ),
            key="dvc_rank",
            sources=views_dvc.ranking_sources(ranked, ui_dvc.group_counts(dataset, sel)),
            source_key=t("col.unit", lang),
        )
    st.caption(t("dvc.ranking.combined_rule", lang))
    choice = ui_dvc.unit_choice(dataset, sel, ranked, lang)
    if choice is not None:
        unit_section(dataset, sel, found, *choice, rate_name=rate_name, lang=lang)


def unit_section(dataset, sel, found, unit_id: str, unit_name: str, *, rate_name: str, lang: str) -> None:
    """Rates (computed and published), warnings, funnel, trend and counts of the chosen unit."""
    period = ui_dvc.covered_label(dataset, sel, lang, unit_id)
    st.subheader(safe.md(t("dvc.unit.title", lang, unit=unit_name, period=period)))
    counts = ui_dvc.group_counts(dataset, sel).filter(unit_id=unit_id)
    published = ui_dvc.published(dataset, sel).filter(unit_id=unit_id)
    if counts.is_empty() and published.is_empty():
        st.info(safe.md(t("dvc.unit.no_data", lang, unit=unit_name)))
        return
    computed = (
        ui_dvc.rated(dataset, sel)
        .filter(unit_id=unit_id)
        .join(dvc.unit_sources(counts), on="unit_id", how="left")
    )
    rates_table = views_dvc.unit_rates_table(computed, published, ui_dvc.rates(), lang)
    if not rates_table.is_empty():
        st.markdown(f"**{t('dvc.unit.rates', lang)}**")
        st.dataframe(rates_table, hide_index=True, width="stretch")
        rates_export = views_dvc.unit_rates_export(computed, published, ui_dvc.rates(), lang)
        ui_export.table_buttons(
            rates_export,
            name=page_views.file_name(
                "chiso_dvc",
                unit_name,
                sel.province,
                views_dvc.period_slug(ui_dvc.covered(dataset, sel, unit_id)),
            ),
            key="dvc_unit_rates",
            sources=views_dvc.unit_rates_sources(rates_export, counts, published, lang),
            source_key=t("dvc.col.indicator", lang),
        )
    if not published.is_empty():
        st.caption(t("dvc.published.note", lang))
    if counts.is_empty():
        return
    st.markdown(f"**{t('dvc.checks.title', lang)}**")
    warnings = views_dvc.warning_texts(found.filter(unit_id=unit_id), {unit_id: unit_name}, lang)
    for text in warnings:
        st.warning(safe.md(text), icon=":material/warning:")
    if not warnings:
        st.caption(t("dvc.checks.ok", lang))
    source = views_dvc.source_text(counts, lang)
    stages = dvc.funnel(counts).filter(level=sel.level)
    if stages.is_empty():
        st.info(t("dvc.funnel.empty", lang))
    else:
        figure = charts_dvc.funnel(
            views_dvc.funnel_stages(stages, lang),
            title=page_views.titled(
                t("dvc.funnel.title", lang, where=views_dvc.where_text(unit_name, sel.level, lang)),
                views_dvc.chart_scope(ui.catalog(), period, sel.province, lang),
            ),
            value_unit=t("dvc.funnel.unit", lang),
            source=source,
            lang=lang,
        )
        ui_export.chart(
            figure,
            name=page_views.file_name(
                "chiso_dvc_tiep-nhan-giai-quyet",
                unit_name,
                sel.level,
                views_dvc.period_slug(ui_dvc.covered(dataset, sel, unit_id)),
            ),
            source=source,
            key="funnel",
        )
        st.caption(t("dvc.funnel.note", lang))
    trend_section(dataset, sel, unit_id, unit_name, rate_name=rate_name, source=source, lang=lang)
    with st.expander(t("dvc.counts.title", lang)):
        st.dataframe(views_dvc.counts_table(counts, lang), hide_index=True, width="stretch")
        ui_export.table_buttons(
            views_dvc.counts_export_labelled(counts, lang),
            name=page_views.file_name(
                "chiso_dvc_so-lieu", unit_name, views_dvc.period_slug(ui_dvc.covered(dataset, sel, unit_id))
            ),
            key="dvc_counts",
            sources=views_dvc.counts_sources(counts, lang),
            source_key=t("dvc.export.indicator", lang),
        )


def trend_section(
    dataset, sel, unit_id: str, unit_name: str, *, rate_name: str, source: str, lang: str
) -> None:
    by_quarter, _ = ui_dvc.trend(dataset, sel, "quarter")
    if by_quarter.filter(unit_id=unit_id).height < 2:  # nothing shorter than a quarter to draw
        st.info(safe.md(t("dvc.trend.empty", lang, unit=unit_name)))
        return
    grain = ui_dvc.grain_choice(lang)
    per_unit, pooled = ui_dvc.trend(dataset, sel, grain)
    mine = per_unit.filter(unit_id=unit_id)
    if mine.is_empty():  # quarterly reports only: no monthly line to draw
        st.info(safe.md(t("dvc.trend.empty", lang, unit=unit_name)))
        return
    axis = views_dvc.trend_axis(per_unit, pooled, grain, lang)
    grain_text = t(f"dvc.grain.{grain}", lang)
    figure = charts_dvc.rate_trend(
        mine,
        pooled,
        buckets=axis.buckets,
        tick_labels=axis.labels,
        unit_label=unit_name,
        pooled_label=t("dvc.trend.pooled", lang),
        title=page_views.titled(
            t("dvc.trend.title", lang, rate=rate_name, unit=unit_name, grain=grain_text.lower()),
            views_dvc.chart_scope(ui.catalog(), None, sel.province, lang),
        ),
        y_label=t("dvc.trend.y", lang),
        highlight=(sel.period.start, sel.period.end),
        highlight_label=t("dvc.trend.selected", lang),
        source=source,
        lang=lang,
    )
    ui_export.chart(
        figure,
        name=page_views.file_name("chiso_dvc_xu-huong", sel.rate, unit_name, sel.level, grain),
        source=source,
        key="dvc_trend",
    )
    st.caption(t("dvc.trend.gap_note", lang))


ui.guard(render)
