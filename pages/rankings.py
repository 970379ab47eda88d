"""Xếp hạng: one index, one year, one peer group — rank n/N, score, % of max, tier, changes."""

import streamlit as st

from chiso.app import downloads, large, maps, memo, page, ui
from chiso.app import lineage as lineage_section
from chiso.app import targets as app_targets
from chiso.views import editions, rankings, strip


def render(frame: page.Frame) -> None:
    sel, index = frame.sel, frame.index
    ranking = frame.ranking()
    view = memo.shared(
        "rankings",
        frame,
        build=lambda: rankings.build(ranking, index, sel, frame.lang, frame.published_stats(), frame.catalog),
    )
    downloads.header(frame.t("rankings.title", index=frame.label(index.short_name), year=sel.year))
    group_name = frame.label(frame.catalog.peer_groups[sel.peer_group].name)
    st.caption(
        frame.t("rankings.subtitle", group=group_name, province=sel.province or frame.t("sel.national"))
    )
    if edition_note := editions.caption(ranking, index, frame.lang):  # DTI 2024: 63 or 34 provinces
        page.text(edition_note, caption=True)
    if view.status == "empty":
        st.info(frame.t("rankings.empty"))
        return
    page.text(view.sentence)
    ui.findings_block(view.findings, frame.lang, key="ranking_findings")
    for line in view.stat_lines:
        page.text(line, caption=True)
    if strip.is_large(ranking) and view.chart_note is None:  # e.g. 168 wards: the strip and a search
        large.rankings(frame, view)
    else:
        ui.dataframe(view.display)
    if view.average_text is not None:
        st.caption(view.average_text)
    app_targets.section(frame, index=index.code, table=ranking)
    downloads.table(view.export, key="rankings", long_rows=ranking)
    if view.chart_note:  # ranks printed without scores: no bars to draw
        st.caption(view.chart_note)
    maps.chart_or_map(frame, view, ranking, chart=view.figure is not None)
    lineage_section.ranking_predecessors(frame, ranking)
    for note in view.method_notes:
        st.caption(note)
    with st.expander(frame.t("rankings.description")):
        st.write(view.description)


page.run(render)
