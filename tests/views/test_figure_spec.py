"""The views build their figures as plain specs and copy them with ``chiso.views.style.spec``
instead of Plotly's checks and ``to_dict`` (a page drew each chart through three such copies): every
chart the pages draw must be one Plotly accepts when it checks it, each copy exactly Plotly's, and
a copy must share nothing with the figure it was made from."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from chiso.app import memo
from chiso.export import files as export
from chiso.views import style

ROOT = Path(__file__).resolve().parents[2]


def test_a_figure_of_lists_is_copied_as_plotly_copies_it_and_shares_nothing():
    fig = go.Figure(go.Bar(x=[1.5, 2], y=["a", "b"]), layout={"title": {"text": "T"}})
    plain = style.spec(fig)
    assert plain == go.Figure.to_dict(fig)
    plain["data"][0]["x"].append(3)
    plain["layout"]["title"]["text"] = "changed"
    assert list(fig.data[0].x) == [1.5, 2] and fig.layout.title.text == "T"


def test_a_figure_holding_an_array_is_copied_by_plotly_as_a_typed_array():
    fig = go.Figure(go.Bar(x=np.arange(3), y=[1, 2, 3]))
    plain = style.spec(fig)
    assert plain == go.Figure.to_dict(fig)
    assert plain["data"][0]["x"]["dtype"] == "i1"  # Plotly's encoding of a small integer array


def test_the_views_figure_type_copies_fast_and_still_reads_as_a_plotly_figure():
    fig = style.Figure({"data": [{"type": "bar", "x": [1], "y": [2]}], "layout": {}}, _validate=False)
    assert isinstance(fig, go.Figure)
    assert fig.to_dict() == go.Figure.to_dict(fig)
    assert go.Figure(fig.to_dict()).data[0].x == (1,)  # a spec Plotly accepts when it checks it


def _pruned(value):
    """``value`` without empty dicts and lists as values (as Plotly's checks leave a spec)."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ({}, [])}
    return [_pruned(v) for v in value] if isinstance(value, list) else value


def _pages() -> list[str]:
    return re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("dataset", "drawn"),
    [("published", {"bar", "scatter"}), ("demo", {"bar", "scatter", "heatmap", "waterfall"})],
)
def test_every_chart_the_pages_draw_is_copied_exactly_as_plotly_would(
    published_db, demo_db, monkeypatch, dataset, drawn
):
    """Every page run through AppTest; each copy the views and Streamlit make of a figure is
    compared with Plotly's own and checked by Plotly property by property (a misspelt or misplaced
    property in a plain spec raises there); and each took the fast copy (an array put in a figure
    would send it down Plotly's slow path unnoticed)."""
    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))
    memo.clear_all()  # figures built for this run, not taken from an earlier test's views
    compared, differing, slow, kinds = [], [], [], set()
    fast, page = style.spec, None

    def checked(fig):
        plain = fast(fig)
        compared.append(fig)
        kinds.update(trace.get("type") for trace in plain["data"])
        if plain != go.Figure.to_dict(fig):
            differing.append((page, fig.layout.title.text))
        odd: list = []  # values the fast copy cannot take: the figure went Plotly's slow way
        style._plain(fig._data, odd), style._plain(fig._layout, odd)
        if odd:
            slow.append((page, fig.layout.title.text, type(odd[0]).__name__))
        go.Figure(plain)  # Plotly's checks: raises ValueError on a property it does not know
        return plain

    monkeypatch.setattr(style, "spec", checked)
    for page in _pages():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["ds"] = dataset
        at.run()
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    assert differing == []
    assert slow == []
    # the image export writes plotly's own template into the plain spec: what Plotly's own
    # update_layout(template=...) gave, for every chart drawn (Plotly drops an empty ``title: {}``
    # or ``annotations: []``, which draw the same)
    shown = list(compared)
    templated = [go.Figure(f).update_layout(template=pio.templates["plotly"]).to_dict() for f in shown]
    assert [_pruned(export.export_spec(f)) for f in shown] == [_pruned(t) for t in templated]
    assert len(compared) >= 8  # the layout, the screen copy and Streamlit's copy of each chart
    assert drawn <= kinds, kinds


def test_a_misspelt_property_in_a_plain_spec_is_refused_by_the_check_the_suite_runs():
    plain = style.spec(_pending_chart())
    go.Figure(plain)  # as built: accepted
    plain["layout"]["xaxis"]["rnage"] = [0, 1]
    with pytest.raises(ValueError, match="rnage"):
        go.Figure(plain)


def _pending_chart():
    from chiso.views import charts_analysis

    return charts_analysis.percentile_bars(
        __import__("polars").DataFrame({"label": ["PAR", "SIPAS"], "percentile": [80.0, 20.0]}),
        title="Phân vị",
        x_label="x",
        source="Nguồn: minh họa",
        lang="vi",
    )


def test_a_views_figure_is_copied_from_its_spec_and_made_into_plotly_objects_only_when_read():
    fig = _pending_chart()
    copied = fig.to_dict()
    assert "_pending" in fig.__dict__  # copying did not make Plotly's objects
    copied["layout"]["title"]["text"] = "changed"  # a copy shares nothing with the figure
    assert fig.layout.title.text == "Phân vị"  # read as a Plotly figure: made then
    assert "_pending" not in fig.__dict__
    assert fig.to_dict() == _pending_chart().to_dict()  # the same copy before and after
    with pytest.raises(AttributeError):
        fig.no_such_property  # noqa: B018


def test_a_shared_figure_read_by_many_sessions_at_once_is_made_once_and_reads_the_same():
    from concurrent.futures import ThreadPoolExecutor

    expected = _pending_chart().to_dict()
    for _ in range(20):
        fig = _pending_chart()
        reads = [style.Figure.to_dict, go.Figure.to_dict, lambda f: f.layout.height] * 4
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda read, f=fig: read(f), reads))
        assert all(r == expected for r in results[0::3]) and all(r == expected for r in results[1::3])
        assert set(results[2::3]) == {expected["layout"]["height"]}


def test_a_copy_taken_while_another_session_makes_the_figure_is_whole(monkeypatch):
    """Plotly's constructor adds the default template after the rest of the layout: a copy taken
    meanwhile from the half-made figure had no template. The copy comes from the spec until the
    figure is made."""
    import threading
    import time

    import plotly.basedatatypes as bd

    made = bd.BaseFigure._initialize_layout_template

    def slowly(self):
        time.sleep(0.2)  # the window between the layout set and the template added
        made(self)

    expected = _pending_chart().to_dict()
    monkeypatch.setattr(bd.BaseFigure, "_initialize_layout_template", slowly)
    fig = _pending_chart()
    maker = threading.Thread(target=lambda: fig.layout.height)
    maker.start()
    time.sleep(0.05)
    copied = fig.to_dict()
    maker.join()
    assert copied == expected and "template" in copied["layout"]
    assert fig.to_dict() == expected  # and after it is made
