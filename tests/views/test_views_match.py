"""The page and ``chiso export <page>`` show the same thing: for every page with an export, the
table and figure the page renders equal those of the view the CLI builds for the same selection,
and the exported CSV is that view's export table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chiso.cli.export import page_view
from chiso.cli.main import main, parser
from chiso.export import sources as export_sources
from chiso.views import style

ROOT = Path(__file__).resolve().parents[2]
TABLE = {"group": "localities", "index": "PAR", "year": "2024"}


@pytest.fixture
def demo_as_published(demo_db, monkeypatch) -> Path:
    monkeypatch.setenv("CHISO_DB", str(demo_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))
    return demo_db


def _render(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in TABLE.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _names(db: Path) -> dict[str, str]:
    from chiso.store import queries

    with queries.connect(db) as con:
        units = queries.units(con)
    return dict(zip(units.get_column("unit_id"), units.get_column("name"), strict=True))


def _argv(page: str, at: AppTest, db: Path) -> list[str]:
    """The CLI arguments selecting what the page shows (its URL state and chosen units, by name)."""
    state, names = dict(at.query_params), _names(db)
    if page == "profile":
        return ["export", "profile", "--unit", names[state["unit"]], "--year", state["year"]]
    argv = ["export", "rankings" if page == "rankings" else page, "--index", state["index"]]
    argv += ["--province", state["province"], "--unit-type", state["group"]]
    if page != "trends":
        argv += ["--year", state["year"]]
    if page in ("gaps", "why"):
        argv += ["--unit", names[state["unit"]]]
    if page == "why":
        argv += ["--from", state["from"]]
    if page in ("trends", "compare"):
        argv += [arg for unit in at.multiselect(key="w_units").value for arg in ("--unit", names[unit])]
    if page == "trends":
        argv += ["--measure", at.radio(key="w_measure").value]
    return argv


def _figure(figure) -> dict:
    spec = json.loads(figure.to_json())
    return {
        "data": spec["data"],
        "title": spec["layout"].get("title"),
        "notes": spec["layout"].get("annotations"),
    }


def _shown_figure(at: AppTest, position: int) -> dict:
    spec = json.loads(at.get("plotly_chart")[position].proto.spec)
    return {
        "data": spec["data"],
        "title": spec["layout"].get("title"),
        "notes": spec["layout"].get("annotations"),
    }


def _csv(frame) -> str:
    return frame.to_csv(index=False)


# page: (the position of the view's display table among the page's tables, of its figure among its charts)
PAGES = {
    "rankings": (0, 0),
    "trends": (None, 0),
    "gaps": (0, 0),
    "profile": (0, -1),
    "compare": (0, 0),
    "why": (None, 0),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_export_writes_what_the_page_shows(demo_as_published, tmp_path, page):
    at = _render(page)
    argv = [*_argv(page, at, demo_as_published), "--db", str(demo_as_published)]
    out = tmp_path / f"{page}.csv"
    view, _ = page_view(parser().parse_args([*argv, "--format", "csv", "--out", str(out)]))
    table_at, figure_at = PAGES[page]
    if table_at is not None:
        assert _csv(at.dataframe[table_at].value) == _csv(view.display.to_pandas())
    # The page draws the view's figure through style.for_screen (title wrapped for a phone, the
    # source line printed under the chart as text); the file holds the figure as built.
    assert _shown_figure(at, figure_at) == _figure(style.for_screen(view.figure, view.source))
    assert main([*argv, "--format", "csv", "--out", str(out)]) == 0
    assert out.read_bytes() == export_sources.csv_bytes(
        view.export.table, view.export.sources, view.export.source_key, "vi"
    )
    assert view.export.table.height > 0


def test_a_different_selection_changes_the_view(demo_as_published):
    """The comparison above can fail: another year's view differs from what the page shows."""
    at = _render("rankings")
    argv = _argv("rankings", at, demo_as_published)
    argv[argv.index("--year") + 1] = "2023"
    view, _ = page_view(
        parser().parse_args([*argv, "--db", str(demo_as_published), "--format", "csv", "--out", "x"])
    )
    assert _csv(at.dataframe[0].value) != _csv(view.display.to_pandas())
    assert _shown_figure(at, 0) != _figure(style.for_screen(view.figure, view.source))
