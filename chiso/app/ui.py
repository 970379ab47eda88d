"""The only non-page module that imports Streamlit: cached data access, shared widgets and
the view state mirrored to the URL so that any view can be shared as a link.

Caches are keyed on the database path and its modification time, so a rebuilt database or
an imported one (swapped in by ``os.replace``) is picked up without restarting the app.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

import polars as pl
import streamlit as st

from chiso import paths, safe
from chiso.app import busy, memo
from chiso.config import Catalog, load_catalog, parsed_ahead
from chiso.errors import ChisoError
from chiso.i18n import LANGS, label, t
from chiso.selection import Choices, Selection, fit, options
from chiso.store import queries

LOG = logging.getLogger("chiso")
DATASETS = ("published", "demo")
STATE = "view"  # canonical view state, survives page switches (widget keys do not)
LINKED = "view_from_link"  # the values the session's link carried, for notices about refused ones


# ---------- data access ----------


@memo.kept()
def favicon():
    """The tab icon, drawn here: three bars in the charts' colours. A ``:material/…:`` page icon
    makes the browser fetch it from fonts.gstatic.com, a request outside the app."""
    from PIL import Image, ImageDraw

    from chiso.views.style import PALETTE

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i, (top, colour) in enumerate(zip((30, 14, 40), PALETTE, strict=False)):
        draw.rectangle((6 + i * 20, top, 20 + i * 20, 60), fill=colour)
    return image


@memo.kept()
def catalog() -> Catalog:
    # parsed by the launcher's warm-up when it ran (chiso.app.warmup), else here
    return parsed_ahead(paths.CONFIG_PATH) or load_catalog(paths.CONFIG_PATH)


_OPEN: dict[str, tuple[float, object]] = {}
_OPEN_LOCK = threading.Lock()


@memo.kept(max_entries=4)
def _connection(path: str, mtime: float):
    """One read-only connection per file version. DuckDB hands back the database already open
    in the process for a path, so the old version's connection is closed before the swapped
    file (a build or an import) is opened."""
    with _OPEN_LOCK:
        old = _OPEN.get(path)
        if old is not None and old[0] == mtime:
            return old[1]  # this version is open already: never a second connection to it
        _OPEN.pop(path, None)
        if old is not None:
            with contextlib.suppress(Exception):
                old[1].close()
        con = queries.connect(Path(path))
        _OPEN[path] = (mtime, con)
        return con


def open_connections() -> list:
    """The read-only connections open in the process (one per dataset file)."""
    with _OPEN_LOCK:
        return [con for _, con in _OPEN.values()]


def db_path(dataset: str) -> Path:
    return paths.demo_db_path() if dataset == "demo" else paths.db_path()


def connection(dataset: str):
    """Read-only connection to the dataset's file; reopened when the file is rebuilt."""
    path = db_path(dataset)
    if not path.exists():
        return None
    return _connection(str(path), path.stat().st_mtime)


def version(dataset: str) -> str:
    path = db_path(dataset)
    return f"{path}:{path.stat().st_mtime}" if path.exists() else ""


@memo.kept(max_entries=64)
def tables(dataset: str, db_version: str) -> pl.DataFrame:
    return queries.tables(connection(dataset))


@memo.kept(max_entries=256)
def ranking(dataset: str, db_version: str, sel: Selection, component: str | None = None) -> pl.DataFrame:
    return queries.ranking(connection(dataset), **sel.table(), component=component)


@memo.kept(max_entries=256)
def published_stats(dataset: str, db_version: str, sel: Selection) -> pl.DataFrame:
    return queries.published_stats(
        connection(dataset), index=sel.index, year=sel.year, peer_group=sel.peer_group, province=sel.province
    )


@memo.kept(max_entries=128)
def series(dataset: str, db_version: str, index: str, peer_group: str, province: str) -> pl.DataFrame:
    return queries.series(connection(dataset), index=index, peer_group=peer_group, scope_province=province)


@memo.kept(max_entries=8)
def _meta(dataset: str, db_version: str) -> dict[str, str]:
    return queries.meta(connection(dataset))


def meta(dataset: str, db_version: str) -> dict[str, str]:
    """The file's ``meta`` entries (a copy: the kept one is every session's)."""
    return dict(_meta(dataset, db_version))


# ---------- tables on the page ----------

# Column types Streamlit's table draws the same from Arrow as from pandas.
_ARROW_PLAIN = (pl.String, pl.Boolean, pl.Float32, pl.Float64, pl.Int8, pl.Int16, pl.Int32, pl.Int64,
                pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)  # fmt: skip


def dataframe(frame) -> None:
    """A table across the page, without the index column. A Polars frame of text, numbers and
    booleans (every displayed table: their numbers are already written out, '91,24') goes to
    Streamlit as an Arrow table, which it sends as it is; otherwise Streamlit converts it through
    pandas (≈ 2,5 ms of CPU for 700 rows, against ≈ 0,3 ms), on every page run."""
    if isinstance(frame, pl.DataFrame) and all(isinstance(d, _ARROW_PLAIN) for d in frame.dtypes):
        frame = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    # Room above the table for its toolbar (search, download, full screen), which a touch screen
    # shows all the time, over the end of the element above: a heading's last words, a sentence.
    st.space(TOOLBAR_ROOM_PX)
    st.dataframe(frame, hide_index=True, width="stretch")


TOOLBAR_ROOM_PX = 28  # the toolbar is 44 px high; 16 px more are the gap between elements


# ---------- view state in the URL ----------


def view() -> dict[str, str]:
    """The canonical state: first read from the URL, then kept in the session."""
    if STATE not in st.session_state:
        st.session_state[STATE] = {k: st.query_params.get(k) for k in st.query_params}
        st.session_state[LINKED] = dict(st.session_state[STATE])
    return st.session_state[STATE]


def publish(**values: object) -> None:
    """Store values in the view state and mirror the whole state to the URL."""
    state = view()
    for key, value in values.items():
        if value is None or value == "":
            state.pop(key, None)
        else:
            state[key] = str(value)
    wanted = {k: v for k, v in state.items() if v not in (None, "")}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def notice_invalid(param: str, value: str) -> None:
    """A toast about a refused value, only while the link the session was opened with is read
    (its first run): switching dataset or page never reports values the user did not type."""
    given = st.session_state.get(LINKED, {}).get(param)
    told = st.session_state.setdefault(f"{LINKED}_told", set())
    if given is None or value not in (given, *given.split(",")) or (param, value) in told:
        return
    told.add((param, value))
    # a long value is cut: a toast over ≈ 100 characters gets Streamlit's own 'view more' link
    shown = value if len(value) <= 30 else value[:29] + "…"
    st.toast(safe.md(t("url.invalid", lang(), param=param, value=shown)))


def state_choice(key: str, allowed: list[str], default: str) -> str:
    """The URL/view state value ``key`` restricted to ``allowed`` (``default`` when absent); an
    invalid one falls back to ``default`` with a notice, and the default is written to the link."""
    value = view().get(key)
    if value is None:
        return default
    if value not in allowed:
        notice_invalid(key, value)
        publish(**{key: default})
        return default
    return value


def lang() -> str:
    return view().get("lang") if view().get("lang") in LANGS else "vi"


def widget(kind, key: str, label_text: str, choices: list, current, fmt=str, **kwargs):
    """A keyed widget whose value survives reruns and page switches through the view state."""
    wkey = f"w_{key}"
    if wkey in st.session_state and st.session_state[wkey] in choices:
        current = st.session_state[wkey]
    elif current not in choices and choices:
        current = choices[0]
    st.session_state[wkey] = current
    if kind is st.selectbox:  # shown while a reader types in it: Streamlit's is 'Choose an option'
        kwargs.setdefault("placeholder", t("sel.choose", lang()))
    return kind(label_text, choices, key=wkey, format_func=fmt, **kwargs)


# ---------- shared sidebar ----------


def ensure_router() -> None:
    """Route through app.py even when a page URL is the first one a fresh server sees.

    Streamlit falls back to its legacy multipage mode when a ``pages/`` folder sits beside
    the entry script and the first request runs a page directly; that mode bypasses
    ``st.navigation`` (wrong titles, an extra 'app' entry). Switching the flag off and
    rerunning sends the request through the router, which keeps the page and its URL.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def sidebar() -> tuple[str, str]:
    """Language and dataset pickers shown on every page; returns (lang, dataset)."""
    ensure_router()
    chosen_lang = state_choice("lang", list(LANGS), "vi")
    names = {"vi": "Tiếng Việt", "en": "English"}
    with st.sidebar:
        chosen_lang = widget(
            st.radio,
            "lang",
            t("sidebar.language", chosen_lang),
            list(LANGS),
            chosen_lang,
            fmt=names.get,
            horizontal=True,
        )
        dataset = state_choice("ds", list(DATASETS), "published")
        dataset = widget(
            st.radio,
            "ds",
            t("sidebar.dataset", chosen_lang),
            list(DATASETS),
            dataset,
            fmt=lambda d: t(f"dataset.{d}", chosen_lang),
        )
    publish(lang=chosen_lang if chosen_lang != "vi" else None, ds=dataset if dataset != "published" else None)
    return chosen_lang, dataset


def dataset_ready(dataset: str, lang_code: str) -> bool:
    """Say in words when the chosen database is missing; show the demo banner when it is demo data."""
    if connection(dataset) is None:
        st.warning(t("demo.missing" if dataset == "demo" else "db.missing", lang_code))
        return False
    if dataset == "demo" or meta(dataset, version(dataset)).get("dataset") == "demo":
        st.info(t("demo.banner", lang_code), icon=":material/science:")
    return True


@memo.kept(max_entries=64)
def _choices(dataset: str, db_version: str) -> Choices:
    """What the selectors offer (:class:`chiso.selection.Choices`), once per database version:
    every request after that is a lookup, a link nobody opened before included."""
    cat = catalog()  # indices and peer groups offered in the catalogue's order (PAR INDEX first)
    return Choices.of(tables(dataset, db_version), tuple(cat.codes), tuple(cat.peer_groups))


def table_picker(dataset: str, lang_code: str) -> Selection | None:
    """Peer group, province, index and year selectors; refused URL values fall back with a notice.
    The choices offered are worked out once per database version (``_choices``)."""
    cat = catalog()
    db_version = version(dataset)
    if tables(dataset, db_version).is_empty():
        st.info(t("rankings.no_tables", lang_code))
        return None
    state = view()
    requested = {
        "peer_group": state.get("group"),
        "province": state.get("province"),
        "index": state.get("index"),
        "year": state.get("year"),
    }
    for key, wkey in (
        ("peer_group", "w_group"),
        ("province", "w_province"),
        ("index", "w_index"),
        ("year", "w_year"),
    ):
        if wkey in st.session_state:
            requested[key] = str(st.session_state.pop(wkey))
    offered = _choices(dataset, db_version)
    sel, refused = fit(offered, requested)
    for param, value in refused:
        notice_invalid({"peer_group": "group"}.get(param, param), value)
    # In the sidebar: on a phone it folds away and the first screen is the page's answer.
    cols = [st.sidebar] * 4

    def pick(field: str, fmt=str, key: str | None = None, **kwargs):
        """The picker of one selection field, offering what fits the choices made so far."""
        choices = options(offered, sel, field)
        return widget(
            st.selectbox,
            key or field,
            t(f"sel.{field}", lang_code),
            choices,
            getattr(sel, field),
            fmt,
            **kwargs,
        )

    with cols[0]:
        group = pick("peer_group", lambda g: label(cat.peer_groups[g].name, lang_code), key="group")
    sel, _ = fit(offered, {**requested, "peer_group": group})
    with cols[1]:
        national = options(offered, sel, "province") == [""]
        province = pick("province", lambda p: p or t("sel.national", lang_code), disabled=national)
    sel, _ = fit(offered, {**requested, "peer_group": group, "province": province})
    with cols[2]:
        index = pick("index", lambda c: label(cat.index(c).short_name, lang_code))
    sel, _ = fit(offered, {**requested, "peer_group": group, "province": province, "index": index})
    with cols[3]:
        year = pick("year")
    sel = Selection(group, province, index, int(year))
    publish(group=sel.peer_group, province=sel.province or None, index=sel.index, year=sel.year)
    return sel


_AFTER = threading.local()


def after_render(hook) -> None:
    """Run ``hook`` once the page body has finished (e.g. fill the copy-link box with the final state)."""
    if not hasattr(_AFTER, "hooks"):
        _AFTER.hooks = []
    _AFTER.hooks.append(hook)


def guard(render) -> None:
    """Run a page body; a user-facing error is shown in words, never as a stack trace. The run
    counts as a page run in progress (:mod:`chiso.app.busy`): the Data and About pages read the
    database too, and nothing may release its cache under them."""
    with busy.page_run():
        _guarded(render)


def _guarded(render) -> None:
    _AFTER.hooks = []
    try:
        render()
        # The link has been read: later runs (a dataset switched, a page opened) raise no notice.
        st.session_state[LINKED] = {}
    except ChisoError as exc:
        st.error(safe.md(t("error.generic", lang(), message=exc.text(lang()))))
    except Exception:  # last line of defence: the page stays usable, details go to the server log
        LOG.exception("page failed")
        st.error(t("error.unexpected", lang()))
    finally:
        for hook in getattr(_AFTER, "hooks", []):
            with contextlib.suppress(Exception):
                hook()
        _AFTER.hooks = []


def unit_search(key: str, names: dict[str, str], keep: list[str] = ()) -> dict[str, str]:
    """An accent-free search box above a unit picker: Streamlit filters a select box on the browser,
    where "dam ha" does not find "Đầm Hà"; this box narrows the options on the server instead.
    Units in ``keep`` (already chosen) stay among the options."""
    from chiso.names import search

    code = lang()
    query = st.text_input(
        t("sel.unit_search", code), key=f"q_{key}", help=t("sel.unit_search_help", code), placeholder="dam ha"
    )
    if not query.strip():
        return names
    found = set(search(names, query))
    if not found:
        st.caption(t("sel.unit_search_none", code, query=query.strip()))
        return names
    return {k: v for k, v in names.items() if k in found or k in keep}


def unit_picker(label_text: str, names: dict[str, str], default: list[str], max_units: int = 8) -> list[str]:
    """Multiselect of units kept in the URL as ``units=id1,id2``; unknown ids are dropped with a notice."""
    wkey = "w_units"
    if wkey in st.session_state:
        current = [u for u in st.session_state[wkey] if u in names]
    else:
        requested = [u for u in (view().get("units") or "").split(",") if u]
        unknown = [u for u in requested if u not in names]
        for u in unknown:
            notice_invalid("units", u)
        current = [u for u in requested if u in names] or default
    st.session_state[wkey] = current
    current = current[:max_units]
    st.session_state[wkey] = current
    code = lang()
    shown = unit_search("units", names, keep=current)
    chosen = st.multiselect(
        label_text,
        list(shown),
        key=wkey,
        format_func=names.get,
        max_selections=max_units,
        placeholder=t("sel.placeholder", code, n=max_units),
        help=t("sel.max_units", code, n=max_units),
    )
    publish(units=",".join(chosen) if chosen != default else None)
    return chosen


# ---------- analysis pages ----------


@memo.kept(max_entries=256)
def table_rows(dataset: str, db_version: str, sel: Selection) -> pl.DataFrame:
    from chiso.store import analysis_queries

    return analysis_queries.table_rows(connection(dataset), **sel.table())


@memo.kept(max_entries=256)
def unit_rows(dataset: str, db_version: str, unit_id: str) -> pl.DataFrame:
    from chiso.store import analysis_queries

    return analysis_queries.unit_rows(connection(dataset), unit_id=unit_id)


@memo.kept(max_entries=64)
def units_rows(dataset: str, db_version: str, unit_ids: tuple[str, ...]) -> pl.DataFrame:
    from chiso.store import analysis_queries

    return analysis_queries.units_rows(connection(dataset), unit_ids=list(unit_ids))


@memo.kept(max_entries=64)
def two_years(dataset: str, db_version: str, sel: Selection, year_a: int, year_b: int) -> pl.DataFrame:
    from chiso.store import analysis_queries

    return analysis_queries.tables_two_years(
        connection(dataset),
        index=sel.index,
        peer_group=sel.peer_group,
        scope_province=sel.province,
        year_a=year_a,
        year_b=year_b,
    )


@memo.kept(max_entries=8)
def component_tables(dataset: str, db_version: str) -> pl.DataFrame:
    from chiso.store import analysis_queries

    return analysis_queries.component_tables(connection(dataset))


@memo.kept(max_entries=8)
def all_units(dataset: str, db_version: str) -> pl.DataFrame:
    """Units that have at least one score or rank, for the profile's unit picker."""
    return queries.scored_units(connection(dataset))


def single_unit(label_text: str, names: dict[str, str], default: str | None, key: str = "unit") -> str | None:
    """One unit kept in the URL as ``unit=<id>``; an unknown id falls back with a notice."""
    if not names:
        return None
    ids = list(names)
    wanted = view().get(key)
    if wanted and wanted not in names and f"w_{key}" not in st.session_state:
        notice_invalid(key, wanted)
    current = wanted if wanted in names else (default if default in names else ids[0])
    ids = list(unit_search(key, names))
    chosen = widget(st.selectbox, key, label_text, ids, current, fmt=names.get)
    publish(**{key: chosen})
    return chosen


def year_choice(label_text: str, years: list[int], default: int, key: str) -> int:
    """A year kept in the URL under ``key``; invalid values fall back with a notice."""
    wanted = view().get(key)
    if wanted and not (wanted.isdigit() and int(wanted) in years) and f"w_{key}" not in st.session_state:
        notice_invalid(key, wanted)
    current = int(wanted) if wanted and wanted.isdigit() and int(wanted) in years else default
    chosen = widget(st.selectbox, key, label_text, years, current)
    publish(**{key: chosen})
    return int(chosen)


def findings_block(found: list, lang: str, key: str = "findings") -> None:
    """The rule-based sentences as one list, the rows they come from in one panel below."""
    from chiso.app import provenance

    provenance.findings(found, lang, key=key, catalog=catalog())


def years_of(dataset: str, sel: Selection) -> list[int]:
    """Years with a table for the selection's index, peer group and province, latest first."""
    return options(_choices(dataset, version(dataset)), sel, "year")


def context_unit(dataset: str) -> str | None:
    """The unit a page should open on when none is chosen: the leader of the table the user
    was looking at (the view state's group, province, index and year), else of the default table."""
    if tables(dataset, version(dataset)).is_empty():
        return None
    state = view()
    sel, _ = fit(
        _choices(dataset, version(dataset)),
        {
            "peer_group": state.get("group"),
            "province": state.get("province"),
            "index": state.get("index"),
            "year": state.get("year"),
        },
    )
    leaders = ranking(dataset, version(dataset), sel)
    return leaders.get_column("unit_id").to_list()[0] if leaders.height else None
