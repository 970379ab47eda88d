"""Texts in a figure's plain dict are escaped exactly as in the figure object."""

import plotly.graph_objects as go

from chiso import safe

HOSTILE = "<b>Đầm Hà</b> & <a href='javascript:x'>link</a>"


def hostile_figure() -> go.Figure:
    fig = go.Figure()
    fig.add_bar(
        x=[1.0, 2.0], y=[HOSTILE, "B<br>"], name=HOSTILE, text=[HOSTILE, "x"], customdata=[[HOSTILE]] * 2
    )
    fig.add_heatmap(z=[[1, 2]], x=[HOSTILE, "y"], colorbar={"title": {"text": HOSTILE}})
    fig.add_annotation(text=HOSTILE, hovertext=HOSTILE, x=1, y=HOSTILE)
    fig.update_layout(
        title={"text": HOSTILE, "subtitle": {"text": HOSTILE}},
        legend={"title": {"text": HOSTILE}},
        xaxis={"title": {"text": HOSTILE}, "ticktext": [HOSTILE], "tickvals": [1]},
        yaxis2={"categoryarray": [HOSTILE, "B<br>"]},
    )
    return fig


def test_the_dict_escaping_matches_the_figure_escaping():
    by_object = safe.plotly_text(hostile_figure()).to_dict()
    by_dict = safe.plotly_text_spec(hostile_figure().to_dict())
    assert by_dict == by_object
    note = by_dict["layout"]["annotations"][0]
    assert "<b>" not in note["text"] + note["hovertext"] + by_dict["data"][0]["name"]
    assert "&lt;b&gt;" in by_dict["layout"]["title"]["text"]
