"""Vì sao thay đổi hạng: a unit's score change between two years, split by component, and who moved past."""

import streamlit as st

from chiso import safe
from chiso.app import downloads as ui_export
from chiso.app import ui
from chiso.i18n import label, t
from chiso.metrics import gaps
from chiso.views import pages as page_views
from chiso.views import tables as views


def render() -> None:
    lang, dataset = ui.sidebar()
    if not ui.dataset_ready(dataset, lang):
        return
    sel = ui.table_picker(dataset, lang)
    if sel is None:
        return
    index = ui.catalog().index(sel.index)
    years = [y for y in ui.years_of(dataset, sel) if y < sel.year]
    ui_export.header(t("why.title", lang, index=label(index.short_name, lang), year=sel.year))
    if not years:
        multi = views.multi_year_tables(ui.tables(dataset, ui.version(dataset)))
        st.info(
            t(
                "why.no_earlier",
                lang,
                year=sel.year,
                tables=views.table_links(multi, ui.catalog(), lang, "why", dataset),
            )
        )
        return
    year_a = ui.year_choice(t("why.compare_with", lang), years, years[0], key="from")
    rows = ui.two_years(dataset, ui.version(dataset), sel, year_a, sel.year)
    rows_a, rows_b = rows.filter(rows["year"] == year_a), rows.filter(rows["year"] == sel.year)
    unit_id = ui.single_unit(
        t("sel.unit", lang), views.unit_names(gaps.totals(rows_b)), views.first_unit(gaps.totals(rows_b))
    )
    if unit_id is None:
        st.info(t("rankings.empty", lang))
        return
    aggregation = index.aggregation_for(sel.province, sel.peer_group, sel.year)
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, lang)
    split = gaps.rank_change_split(rows_a, rows_b, unit_id, aggregation, order=list(names))
    st.markdown(safe.md(views.change_sentence(rows_a, rows_b, unit_id, index, lang)))
    if split.filter(split["kind"] == "component").is_empty():
        st.info(t("why.no_components", lang))
    else:
        adds_up = bool(split.get_column("adds_up").all())
        if not adds_up:
            st.caption(t("why.not_additive", lang))
        name = page_views.why_name(rows, unit_id, index, sel, year_a)
        ui_export.chart(
            page_views.why_figure(rows, unit_id, index, sel, year_a, lang),
            name=name,
            source=views.source_line(rows_b, lang),
            key="why",
        )
        ui_export.table_buttons(
            page_views.why_table(rows, unit_id, index, sel, year_a, lang),
            name=name,
            key="why_table",
            sources=page_views.why_sources(rows, unit_id, year_a, sel.year, lang),
        )
    movers = gaps.movers(rows_a, rows_b, unit_id)
    st.subheader(t("why.movers", lang))
    if movers.is_empty():
        st.caption(t("why.no_movers", lang))
    else:
        st.dataframe(views.movers_display(movers, lang), hide_index=True, width="stretch")
        ui_export.table_buttons(
            page_views.movers_table(movers, index, sel, lang),
            name=page_views.file_name(
                "chiso_vuot-hang", sel.index, f"{year_a}-{sel.year}", page_views.unit_name(rows, unit_id)
            ),
            key="movers",
            sources=page_views.movers_sources(rows, movers),
            source_key=t("col.unit", lang),
        )


ui.guard(render)
