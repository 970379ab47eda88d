"""Plotly figures of the online-services page: one frame and translated text in, a figure out.

No queries and no Streamlit; layout, font and palette are those of :mod:`chiso.views.charts`.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from chiso import fmt, safe
from chiso.views.style import PALETTE, vrect
from chiso.views.style import layout as _layout


def rate_trend(
    unit_series: pl.DataFrame,
    pooled: pl.DataFrame,
    *,
    buckets: list[date],
    tick_labels: list[str],
    unit_label: str,
    pooled_label: str,
    title: str,
    y_label: str,
    highlight: tuple[date, date] | None,
    highlight_label: str,
    source: str,
    lang: str,
) -> go.Figure:
    """The rate of one unit by month or quarter, with the pooled rate of its province dashed.

    ``buckets`` (month or quarter starts) is the full axis: a bucket without data is a gap,
    never a zero. Ticks mark each January; hover text names the bucket (``tick_labels``) and
    shows the numerator and denominator behind the point.
    """
    data = []
    for i, (frame, name, dash) in enumerate(
        ((unit_series, unit_label, None), (pooled, pooled_label, "dash"))
    ):
        by_bucket = {row["bucket"]: row for row in frame.iter_rows(named=True)}
        points = [by_bucket.get(b) for b in buckets]
        line = {"color": PALETTE[0] if i == 0 else "#555", "width": 2.2 if i == 0 else 1.5}
        if dash is not None:
            line["dash"] = dash
        data.append(
            {
                "type": "scatter",
                "x": buckets,
                "y": [p["rate_pct"] if p else None for p in points],
                "mode": "lines+markers" if dash is None else "lines",
                "name": name,
                "connectgaps": False,
                "marker": {"size": 5},
                "line": line,
                "customdata": [
                    [
                        lab,
                        fmt.number(p["numerator"], 0, lang=lang) if p else "",
                        fmt.number(p["denominator"], 0, lang=lang) if p else "",
                    ]
                    for lab, p in zip(tick_labels, points, strict=True)
                ],
                "hovertemplate": "%{customdata[0]}<br>"
                + name
                + ": %{y:.2f} %<br>%{customdata[1]}/%{customdata[2]}<extra></extra>",
            }
        )
    years = sorted({b.year for b in buckets})
    step = max(1, len(years) // 12)
    layout: dict = {
        "xaxis": {  # no title: ticks are years and the grain is in the title (it would hit the source line)
            "title": {},
            "type": "date",
            "tickmode": "array",
            "tickvals": [date(y, 1, 1) for y in years[::step]],
            "ticktext": [str(y) for y in years[::step]],
            "showgrid": True,
            "gridcolor": "#f2f2f2",
        },
        "yaxis": {"title": {"text": y_label}, "showgrid": True, "gridcolor": "#eee", "ticksuffix": " %"},
    }
    if highlight is not None and buckets and (highlight[0] > buckets[0] or highlight[1] < buckets[-1]):
        layout["shapes"], layout["annotations"] = _band(highlight, highlight_label, buckets)
    return _layout({"data": data, "layout": layout}, title=title, source=source, lang=lang, height=440)


def _band(highlight: tuple[date, date], label: str, buckets: list[date]) -> tuple[list[dict], list[dict]]:
    """The selected period shaded, its label inside the plot: anchored on the side of the band
    nearer the middle, where add_vrect's annotation_position "top right" / "top left" puts it."""
    right_half = (highlight[0] - buckets[0]) > (buckets[-1] - highlight[1])
    band = vrect(highlight[0], highlight[1], fillcolor="#E69F00", opacity=0.18, line={"width": 0})
    note = {"text": label, "font": {"size": 11, "color": "#555"}, "showarrow": False}
    note |= {"x": highlight[1] if right_half else highlight[0], "xanchor": "right" if right_half else "left"}
    return [band], [note | {"xref": "x", "y": 1, "yanchor": "top", "yref": "y domain"}]


def funnel(stages: pl.DataFrame, *, title: str, value_unit: str, source: str, lang: str) -> go.Figure:
    """Received -> resolved -> early or on time for one unit: each bar labelled with its count
    and, on a second line, its share of the first step (text computed here so Vietnamese
    separators apply). On one line the label was wider than a bar at a phone's width, and Plotly
    shrank it to fit (≈ 8 px high at 390 wide)."""
    values = stages.get_column("value").to_list()
    first = values[0] if values else None
    text = [
        f"{fmt.number(v, 0, lang=lang)} {value_unit}"
        + (f"{safe.LINE_BREAK}({fmt.percent(v / first * 100, 2, lang=lang)})" if first and i > 0 else "")
        for i, v in enumerate(values)
    ]
    fig = go.Figure(
        go.Funnel(
            y=stages.get_column("label").to_list(),
            x=values,
            text=text,
            textinfo="text",
            textposition="inside",
            marker={"color": PALETTE[: len(values)]},
            connector={"line": {"color": "#999", "width": 1}},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    figure = _layout(fig, title=title, source=source, lang=lang, height=340)
    # The first stage's label sits at the very top of the plot: 15 px more under the subtitle than
    # other charts (whose plots have headroom), so a wrapped subtitle never touches it at 390 wide.
    figure.update_layout(showlegend=False, margin={"l": 10, "r": 40, "t": 85, "b": 135}, height=355)
    return figure
