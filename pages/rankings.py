"""Xếp hạng: one index, one year, one peer group — rank n/N, score, % of max, tier, changes."""

import streamlit as st

from chiso import charts, fmt, ui, views
from chiso.i18n import label, t
from chiso.metrics import peer_average


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
    st.header(t("rankings.title", lang, index=index_name, year=sel.year))
    group_name = label(ui.catalog().peer_groups[sel.peer_group].name, lang)
    st.caption(
        t("rankings.subtitle", lang, group=group_name, province=sel.province or t("sel.national", lang))
    )
    status = views.table_status(ranking)
    if status == "empty":
        st.info(t("rankings.empty", lang))
        return
    st.markdown(views.status_sentence(ranking, status, lang))
    decimals = index.decimals_for(sel.province, sel.peer_group, sel.year)
    average = peer_average(ranking)
    stats = ui.published_stats(dataset, ui.version(dataset), sel)
    for row in stats.iter_rows(named=True):
        st.caption(
            t(
                "rankings.published_stat",
                lang,
                stat=t(f"stat.{row['stat']}", lang),
                value=fmt.number(row["value"], decimals, lang=lang),
                source=row["source_title"],
            )
        )
    unit = views.scale_label(index, sel.province, sel.peer_group, sel.year, lang)
    figure = charts.ranking_bar(
        ranking,
        title=t("rankings.chart_title", lang, index=index_name, year=sel.year),
        score_label=f"{t('chart.score', lang)} ({unit})",
        peer_average=average,
        average_label=t("chart.peer_average", lang),
        source=views.source_line(ranking, lang),
        decimals=decimals,
        lang=lang,
    )
    st.dataframe(views.display_table(ranking, index, lang), hide_index=True, width="stretch")
    if average is not None:
        st.caption(t("rankings.peer_average", lang, value=fmt.number(average, decimals, lang=lang)))
    st.plotly_chart(figure, config={"toImageButtonOptions": {"filename": views.file_name(sel), "scale": 3}})
    for change in index.method_changes:
        if change.year == sel.year:
            st.caption(t("rankings.method_change", lang, year=change.year, note=label(change.note, lang)))
    with st.expander(t("rankings.description", lang)):
        st.write(label(index.description, lang))


ui.guard(render)
