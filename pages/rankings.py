"""Xếp hạng: one index, one year, one peer group — rank n/N, score, % of max, tier, changes."""

import streamlit as st

from chiso import fmt, safe
from chiso.app import downloads as ui_export
from chiso.app import ui
from chiso.export import files as export
from chiso.i18n import label, t
from chiso.metrics.ranks import peer_average
from chiso.views import findings
from chiso.views import pages as page_views
from chiso.views import rankings as rankings_view
from chiso.views import tables as views


def render() -> None:
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return
    sel = ui.table_picker(dataset, lang)
    if sel is None:
        return
    index = ui.catalog().index(sel.index)
    ranking = ui.ranking(dataset, ui.version(dataset), sel)
    index_name = label(index.short_name, lang)
    ui_export.header(t("rankings.title", lang, index=index_name, year=sel.year))
    group_name = label(ui.catalog().peer_groups[sel.peer_group].name, lang)
    st.caption(
        t("rankings.subtitle", lang, group=group_name, province=sel.province or t("sel.national", lang))
    )
    status = views.table_status(ranking)
    if status == "empty":
        st.info(t("rankings.empty", lang))
        return
    st.markdown(safe.md(views.status_sentence(ranking, status, lang)))
    ui.findings_block(findings.ranking_findings(ranking, index, lang), lang, key="ranking_findings")
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    average = peer_average(ranking)
    for line in views.published_stat_lines(
        ui.published_stats(dataset, ui.version(dataset), sel), decimals, lang
    ):
        st.caption(safe.md(line))
    figure = rankings_view.rankings_figure(ranking, index, sel, lang)
    st.dataframe(views.display_table(ranking, index, lang), hide_index=True, width="stretch")
    if average is not None:
        st.caption(t("rankings.peer_average", lang, value=fmt.number(average, decimals, lang=lang)))
    name = views.file_name(sel)
    ui_export.table_buttons(
        rankings_view.rankings_table(ranking, index, lang),
        name=name,
        key="rankings",
        sources=page_views.rankings_sources(ranking),
        source_key=t("col.unit", lang),
        number_formats=rankings_view.rankings_number_formats(ranking, index, lang),
        long=lambda: export.long_csv(ranking),
    )
    ui_export.chart(figure, name=name, source=views.source_line(ranking, lang), key="rankings")
    for change in index.method_changes:
        if change.year == sel.year:
            st.caption(t("rankings.method_change", lang, year=change.year, note=label(change.note, lang)))
    with st.expander(t("rankings.description", lang)):
        st.write(label(index.description, lang))


ui.guard(render)
