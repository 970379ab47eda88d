"""How every chart looks: the colour-blind-safe palette, the font, and the shared layout (title,
number separators, legend, the source line under the plot). Pure: a figure in, a figure out."""

from __future__ import annotations

import plotly.graph_objects as go

from chiso import safe

# Okabe–Ito, colour-blind safe; tiers take them best first.
PALETTE = ["#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"


SUBTITLE = "<br><sup>"  # how views join a title and its second line (views.page.titled)


def _title(title: str) -> dict:
    """The title, its second line as Plotly's subtitle: both then escaped as plain text."""
    main, _, extra = title.partition(SUBTITLE)
    extra = extra.removesuffix("</sup>")
    spec = {"text": main, "x": 0, "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top"}
    spec["pad"] = {"l": 10, "t": 12}
    if extra:
        spec["subtitle"] = {"text": extra, "font": {"size": 12, "color": "#555"}}
    return spec


def layout(fig: go.Figure, *, title: str, source: str, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        title=_title(title),
        separators=",." if lang == "vi" else ".,",
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 40, "t": 70, "b": 170},
        plot_bgcolor="white",
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 0.01,
            "yref": "container",
            "x": 0,
            "xref": "paper",
        },
    )
    if source:
        fig.add_annotation(
            text=source,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-112,  # below the axis title (two-line tick labels included), above the legend
            yanchor="top",
            showarrow=False,
            xanchor="left",
            font={"size": 11, "color": "#555"},
        )
    return safe.plotly_text(fig)  # data is text: names, sources, notes never become Plotly markup
