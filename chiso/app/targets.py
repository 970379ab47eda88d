"""Targets on the pages (Rankings, Components, Profile) and the Data page's form to set one.

Reading is for everyone (cached per database version); setting a target is for a signed-in data
steward only: the form is not drawn for a viewer, and every write function checks the sign-in
again (``chiso.app.data.signed_in``), so a viewer's session cannot reach ``apply_targets``.
"""

from __future__ import annotations

import contextlib
from datetime import date

import polars as pl
import streamlit as st

from chiso import safe
from chiso.app import memo, ui
from chiso.errors import ChisoError
from chiso.i18n import label, t
from chiso.ingest.targets import KINDS
from chiso.store import targets as store
from chiso.views import targets as view

PLAN = "_chiso_target_plan"  # never a widget key


@memo.kept(max_entries=64)
def read(
    dataset: str, version: str, unit_ids: tuple[str, ...] | None, index: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored targets (of some units, of one index) and the peer series they are judged on."""
    con = ui.connection(dataset)
    if con is None:
        return pl.DataFrame(), pl.DataFrame()
    frame = store.targets(con, unit_ids=None if unit_ids is None else list(unit_ids), index=index)
    return frame, store.series(con, frame)


@memo.kept(max_entries=8)
def _targeted(dataset: str, version: str) -> pl.DataFrame:
    con = ui.connection(dataset)
    return store.targeted(con) if con is not None else pl.DataFrame()


def _none_set(dataset: str, unit_ids, index: str | None) -> bool:
    """No target is stored for these units (and index): nothing to read."""
    found = _targeted(dataset, ui.version(dataset))
    if found.is_empty():
        return True
    if unit_ids is not None:
        found = found.filter(pl.col("unit_id").is_in(list(unit_ids)))
    if index is not None:
        found = found.filter(pl.col("index_code") == index)
    return found.is_empty()


def built(dataset: str, lang: str, *, unit_ids=None, index: str | None = None) -> view.TargetsView | None:
    if _none_set(dataset, unit_ids, index):
        return None
    frame, series = read(dataset, ui.version(dataset), None if unit_ids is None else tuple(unit_ids), index)
    if frame.is_empty():
        return None
    return view.build(frame, series, ui.catalog(), lang)


def section(frame, *, index: str | None = None, unit_id: str | None = None, table=None) -> None:
    """The targets of the page's units (one unit, or the units of ``table``) with their status;
    nothing at all when none is set."""
    unit_ids = (
        [unit_id] if unit_id else (table.get_column("unit_id").to_list() if table is not None else None)
    )
    shown = built(frame.dataset, frame.lang, unit_ids=unit_ids, index=index)
    if shown is None:
        return
    st.subheader(t("targets.title", frame.lang))
    for text in shown.lines:
        st.markdown(f"- {safe.md(text)}")
    st.caption(shown.definition)
    with st.expander(t("targets.table", frame.lang)):
        ui.dataframe(shown.display)


# ---------- the steward's form (Data page) ----------


def _steward():
    """The Data page's sign-in module, imported when a form needs it: it brings the importers,
    which no reading page needs (they stay off the first page's path)."""
    from chiso.app import data

    return data


def _require_steward() -> None:
    if not _steward().signed_in():
        raise ChisoError(t("targets.steward_only", ui.lang()))


def _row(lang: str, dataset: str) -> dict:
    cat = ui.catalog()
    units = ui.all_units(dataset, ui.version(dataset))
    names = {r["unit_id"]: f"{r['name']} ({r['province'] or '–'})" for r in units.iter_rows(named=True)}
    by_id = {r["unit_id"]: r for r in units.iter_rows(named=True)}
    names = ui.unit_search("target_unit", names)  # accent-free narrowing, as on the pages
    cols = st.columns(3)
    unit_id = cols[0].selectbox(
        t("targets.form.unit", lang),
        list(names),
        format_func=names.get,
        key="target_unit",
        placeholder=t("sel.choose", lang),
    )
    code = cols[1].selectbox(
        t("targets.form.index", lang),
        cat.codes,
        format_func=lambda c: label(cat.index(c).short_name, lang),
        key="target_index",
        placeholder=t("sel.choose", lang),
    )
    year = cols[2].number_input(
        t("targets.form.year", lang), 2000, 2100, date.today().year + 1, step=1, key="target_year"
    )
    cols = st.columns(3)
    kind = cols[0].selectbox(
        t("targets.form.kind", lang),
        KINDS,
        format_func=lambda k: t(f"targets.form.kind.{k}", lang),
        key="target_kind",
        placeholder=t("sel.choose", lang),
    )
    value = cols[1].text_input(t("targets.form.target", lang), key="target_value")
    rank_of = cols[2].text_input(t("targets.form.rank_of", lang), key="target_rank_of")
    component = st.text_input(t("targets.form.component", lang), key="target_component")
    cols = st.columns(3)
    source = cols[0].text_input(t("targets.form.source", lang), key="target_source")
    url = cols[1].text_input(t("targets.form.url", lang), key="target_url")
    quote = cols[2].text_input(t("targets.form.quote", lang), key="target_quote")
    unit = by_id.get(unit_id) or {"name": "", "province": ""}
    return {
        "province": unit["province"] or "",
        "unit": unit["name"],
        "unit_id": unit_id,
        "index": code,
        "year": str(int(year)),
        "kind": kind,
        "target": value.strip(),
        "rank_of": rank_of.strip(),
        "component": component.strip(),
        "source_title": source.strip(),
        "source_url": url.strip(),
        "quote": quote.strip(),
    }


def preview(dataset: str, row: dict) -> store.TargetsPlan:
    _require_steward()
    plan = store.plan_targets(ui.db_path(dataset), rows=[row], name=t("targets.form.title", "vi"))
    st.session_state[PLAN] = (row, plan)
    return plan


def confirm(dataset: str, plan: store.TargetsPlan):
    _require_steward()
    old = ui.connection(dataset)
    who = f"{_steward().steward_name()} (web)"
    result = store.apply_targets(ui.db_path(dataset), plan, who=who, wait=5.0)
    if result.written and old is not None:
        with contextlib.suppress(Exception):  # already closed
            old.close()
    st.session_state.pop(PLAN, None)
    return result


def target_form(lang: str, dataset: str) -> None:
    """Set a target: the fields, a preview (validated like an import), then the write."""
    if not _steward().signed_in():
        return
    st.subheader(t("targets.form.title", lang))
    st.caption(t("targets.form.intro", lang))
    row = _row(lang, dataset)
    if st.button(t("targets.form.preview", lang), key="target_preview"):
        preview(dataset, row)
    kept = st.session_state.get(PLAN)
    if not kept or kept[0] != row:
        return
    plan = kept[1]
    if not plan.ok:
        st.error(t("targets.form.errors", lang, n=len(plan.errors)))
        for problem in plan.errors:
            st.markdown(f"- {safe.md(problem.render(lang))}")
        return
    added, changed, _ = plan.counts
    st.markdown(safe.md(view.preview_text(plan, lang)))
    if added + changed and st.button(t("targets.form.confirm", lang), type="primary", key="target_confirm"):
        result = confirm(dataset, plan)
        st.success(
            t("targets.form.written", lang, id=result.import_id, added=result.added, changed=result.changed)
        )
