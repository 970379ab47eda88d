"""Plotly figures of the online-services page: one frame and translated text in, a figure out.

No queries and no Streamlit; layout, font and palette are those of :mod:`chiso.views.charts`.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from chiso import fmt
from chiso.views.style import PALETTE
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
    fig = go.Figure()
    for i, (frame, name, dash) in enumerate(
        ((unit_series, unit_label, None), (pooled, pooled_label, "dash"))
    ):
        by_bucket = {row["bucket"]: row for row in frame.iter_rows(named=True)}
        points = [by_bucket.get(b) for b in buckets]
        fig.add_scatter(
            x=buckets,
            y=[p["rate_pct"] if p else None for p in points],
            mode="lines+markers" if dash is None else "lines",
            name=name,
            connectgaps=False,
            marker={"size": 5},
            line={"color": PALETTE[0] if i == 0 else "#555", "width": 2.2 if i == 0 else 1.5, "dash": dash},
            customdata=[
                [
                    lab,
                    fmt.number(p["numerator"], 0, lang=lang) if p else "",
                    fmt.number(p["denominator"], 0, lang=lang) if p else "",
                ]
                for lab, p in zip(tick_labels, points, strict=True)
            ],
            hovertemplate="%{customdata[0]}<br>"
            + name
            + ": %{y:.2f} %<br>%{customdata[1]}/%{customdata[2]}<extra></extra>",
        )
    if highlight is not None and buckets and (highlight[0] > buckets[0] or highlight[1] < buckets[-1]):
        # The label stays inside the plot: anchored on the side of the shaded band nearer the middle.
        right_half = (highlight[0] - buckets[0]) > (buckets[-1] - highlight[1])
        fig.add_vrect(
            x0=highlight[0],
            x1=highlight[1],
            fillcolor="#E69F00",
            opacity=0.18,
            line_width=0,
            annotation_text=highlight_label,
            annotation_position="top right" if right_half else "top left",
            annotation_font={"size": 11, "color": "#555"},
        )
    years = sorted({b.year for b in buckets})
    step = max(1, len(years) // 12)
    fig.update_xaxes(
        title=None,  # ticks are years and the grain is in the title; an axis title would hit the source line
        type="date",
        tickmode="array",
        tickvals=[date(y, 1, 1) for y in years[::step]],
        ticktext=[str(y) for y in years[::step]],
        showgrid=True,
        gridcolor="#f2f2f2",
    )
    fig.update_yaxes(title=y_label, showgrid=True, gridcolor="#eee", ticksuffix=" %")
    return _layout(fig, title=title, source=source, lang=lang, height=440)


def funnel(stages: pl.DataFrame, *, title: str, value_unit: str, source: str, lang: str) -> go.Figure:
    """Received -> resolved -> early or on time for one unit: each bar labelled with its count
    and its share of the first step (text computed here so Vietnamese separators apply)."""
    values = stages.get_column("value").to_list()
    first = values[0] if values else None
    text = [
        f"{fmt.number(v, 0, lang=lang)} {value_unit}"
        + (f" ({fmt.percent(v / first * 100, 2, lang=lang)})" if first and i > 0 else "")
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
