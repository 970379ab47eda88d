"""Plotly figures: one frame and already-translated text in, a figure out. No queries, no Streamlit.

Numbers use Vietnamese separators (``separators=",."``) when the language is Vietnamese;
colours come from a colour-blind-safe palette and never carry meaning alone (tier names
appear in the legend and hover text).
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from chiso import fmt
from chiso.i18n import t
from chiso.views import style
from chiso.views.charts_analysis import axis_start


def _bar_label(row: dict) -> str:
    """'3/13  Đầm Hà'; a flagged value carries ⚑ where it is drawn."""
    mark = " ⚑" if row.get("flag") else ""
    return f"{fmt.rank(row['rank'], row['rank_of'])}  {row['name']}{mark}"


def _in_rank_order(scored: pl.DataFrame, rank_only: pl.DataFrame, rank_only_labels: list[str]):
    """Every row's label and score in rank order, scored or rank-only (a rank-only 4th sits between
    the 3rd and the 68th, not after the scored ones)."""
    entries = sorted(
        [
            *[
                (row["rank"], row["name"], _bar_label(row), row["score"])
                for row in scored.iter_rows(named=True)
            ],
            *[
                (r, name, text, None)
                for (r, name), text in zip(
                    rank_only.select("rank", "name").rows(), rank_only_labels, strict=True
                )
            ],
        ],
        key=lambda e: (e[0] is None, e[0] or 0, e[1]),
    )
    return [e[2] for e in entries], [e[3] for e in entries]


def ranking_bar(
    ranking: pl.DataFrame,
    *,
    title: str,
    score_label: str,
    peer_average: float | None,
    average_label: str,
    source: str,
    decimals: int,
    lang: str,
) -> go.Figure:
    """Horizontal bars in rank order (1 at the top), one colour per tier, peer average as a line.

    Each unit's 'rank  name' is written above its bar from the left edge and its score right of
    the bar on a white ground, so at any width (a phone's 390 px included) neither is cut, and the
    dashed average line passes behind the numbers instead of through them."""
    scored = ranking.filter(pl.col("score").is_not_null()).sort("rank", "name", nulls_last=True)
    # A plain spec (checked as Plotly would in tests/views/test_figure_spec.py): Plotly's checks of
    # each trace, axis and layout change cost more than the chart's own work.
    data = _tier_bars(scored, "tier_vi" if lang == "vi" else "tier_en", score_label)
    # Units with a published rank and no score (a rank-only table) keep their row, without a bar.
    rank_only = ranking.filter(pl.col("score").is_null() & pl.col("rank").is_not_null()).sort("rank", "name")
    rank_only_labels = [
        f"{fmt.rank(r, n)}  {name}" for r, n, name in rank_only.select("rank", "rank_of", "name").rows()
    ]
    if rank_only_labels:
        bare = {"type": "bar", "x": [0] * len(rank_only_labels), "y": rank_only_labels}
        data.append(bare | {"orientation": "h", "name": "–", "showlegend": False})
    all_labels, values = _in_rank_order(scored, rank_only, rank_only_labels)
    top = max(
        [
            *ranking.get_column("max_score").drop_nulls().to_list(),
            *scored.get_column("score").to_list(),
            1.0,
        ]
    )
    # Scores close together (88,7–96,9 on 100) start the axis below the lowest, and the axis says so.
    start = axis_start(scored.get_column("score").to_list(), top=top)
    if start:
        score_label = f"{score_label} · {t('chart.axis_from', lang, value=fmt.number(start, 0, lang=lang))}"
    layout: dict = {
        # no axis title: each bar is labelled
        "yaxis": {"title": {}, "categoryorder": "array", "categoryarray": list(reversed(all_labels))},
        "xaxis": {"title": {"text": score_label}, "showgrid": True, "gridcolor": "#eee"},
    }
    layout["yaxis"]["showticklabels"] = False
    layout["xaxis"]["range"] = [start, top + (top - start) * 0.16]  # room for the scores' labels
    # ticks up to the scale's maximum only (the room beyond it is no score), written as the page
    # writes numbers; a table without a known maximum keeps Plotly's own ticks
    maxima = ranking.get_column("max_score").drop_nulls()
    if maxima.len() and maxima.max() > start:
        layout["xaxis"] |= _score_ticks(start, maxima.max(), lang)
    extra: dict = {
        "annotations": [
            note
            for label, value in zip(all_labels, values, strict=True)
            for note in _bar_annotations(label, value, decimals, lang, start)
        ]
    }
    if peer_average is not None:
        name = f"{average_label}: {fmt.number(peer_average, decimals, lang=lang)}"
        line, shape = _average_line(peer_average, name)
        data.append(line)
        extra["shapes"] = [shape]
    # The legend sits above the bars and grows upwards as it wraps: room for it at a phone's width.
    legend = style.legend_rows_extra(
        [d["name"] for d in data if d.get("showlegend") is not False and d.get("name")]
    )
    height = max(320, 40 * len(all_labels) + 200) + legend
    extra |= {
        "bargap": 0.3,
        "legend": {"y": 1.0, "yref": "paper", "yanchor": "bottom"},
        "margin": {"t": 110 + legend},
    }
    return style.layout(
        {"data": data, "layout": layout}, title=title, source=source, lang=lang, height=height, extra=extra
    )


def _score_ticks(start: float, top: float, lang: str) -> dict:
    """Tick values from the axis start to the scale's maximum on multiples of a round step (about
    five ticks), with their text in the language's number format ('1.000', '0,25')."""
    span = top - start
    if span <= 0:
        return {}
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    first = math.ceil(start / step - 1e-9)  # ticks on multiples of the step, not from an odd start
    values = [round(i * step, 10) for i in range(first, math.floor(top / step + 1e-9) + 1)]
    decimals = 0  # as many as the step needs: 0,2 → 1; 0,25 → 2; 200 → 0
    while decimals < 6 and abs(round(step, decimals) - step) > 1e-9:
        decimals += 1
    return {
        "tickmode": "array",
        "tickvals": values,
        "ticktext": [fmt.number(v, decimals, lang=lang) for v in values],
    }


def _tier_bars(scored: pl.DataFrame, tier_col: str, score_label: str) -> list[dict]:
    """One bar trace per tier, in rank order. Colours follow the tier order (best first), so a
    tier keeps its colour from table to table."""
    order_of = dict(
        zip(scored.get_column(tier_col).to_list(), scored.get_column("tier_order").to_list(), strict=True)
    )
    bars = []
    for i, tier in enumerate(dict.fromkeys(scored.get_column(tier_col).to_list())):
        part = scored.filter(pl.col(tier_col).is_null() if tier is None else pl.col(tier_col) == tier)
        colour = style.PALETTE[
            (order_of.get(tier) if order_of.get(tier) is not None else i) % len(style.PALETTE)
        ]
        bars.append(
            {
                "type": "bar",
                "x": part.get_column("score").to_list(),
                "y": [_bar_label(row) for row in part.iter_rows(named=True)],
                "orientation": "h",
                "width": 0.45,
                "name": tier or "–",
                "showlegend": tier is not None,
                "marker": {"color": colour},
                "hovertemplate": "%{y}<br>" + score_label + ": %{x}<br>" + (tier or "") + "<extra></extra>",
            }
        )
    return bars


def _average_line(x: float, name: str) -> tuple[dict, dict]:
    """The peer average as a dashed line behind the bars (the trace naming it with its value in the
    legend, never across the bars' numbers; the shape as ``add_vline`` draws it)."""
    trace = {"type": "scatter", "x": [None], "y": [None], "mode": "lines", "name": name}
    trace |= {"line": {"dash": "dash", "color": "#333"}, "hoverinfo": "skip"}
    return trace, style.vline(x, {"color": "#333", "dash": "dash"}) | {"layer": "below"}


def _bar_annotations(label: str, value: float | None, decimals: int, lang: str, start: float) -> list[dict]:
    """The unit's label above its bar and its score after it (white ground: lines pass behind)."""
    name = {"x": start, "y": label, "xref": "x", "yref": "y", "text": label, "showarrow": False}
    name |= {"xanchor": "left", "yanchor": "bottom", "yshift": 6}
    name |= {"font": {"size": 12, "color": "#222"}, "bgcolor": "rgba(255,255,255,0.85)"}
    score = "–" if value is None else fmt.number(value, decimals, lang=lang)
    number = {
        "x": start if value is None else value,
        "y": label,
        "xref": "x",
        "yref": "y",
        "text": score,
        "showarrow": False,
    }
    number |= {"xanchor": "left", "xshift": 3, "bgcolor": "white", "font": {"size": 12}}
    return [name, number]


def trend_lines(
    series: pl.DataFrame,
    *,
    years: list[int],
    measure: str,
    title: str,
    y_label: str,
    year_label: str,
    average: pl.DataFrame | None,
    average_label: str,
    breaks: list[tuple[int, str]],
    source: str,
    lang: str,
    shaded: int | None = None,
) -> go.Figure:
    """One line per unit over every year; a missing year is a gap (None), never a zero.

    ``measure`` is ``score``, ``pct_of_max`` or ``rank``; the rank axis is reversed so 1 is at the top.
    ``breaks`` marks method changes as dotted vertical lines with their note; ``shaded``, a year
    shaded behind the lines (the year picked).
    """
    # Built as a plain spec (checked as Plotly would in tests/views/test_figure_spec.py): each
    # add_vline or update_xaxes call cost Plotly 2–3 ms of checks, a chart of lines ≈ 15 ms.
    data = []
    for i, (name, part) in enumerate(series.sort("name").group_by("name", maintain_order=True)):
        by_year = dict(
            zip(part.get_column("year").to_list(), part.get_column(measure).to_list(), strict=True)
        )
        data.append(
            {
                "type": "scatter",
                "x": years,
                "y": [by_year.get(y) for y in years],
                "mode": "lines+markers",
                "name": name[0],
                "connectgaps": False,
                "line": {"color": style.PALETTE[i % len(style.PALETTE)], "width": 2.5},
            }
        )
    if average is not None and not average.is_empty():
        by_year = dict(
            zip(average.get_column("year").to_list(), average.get_column("value").to_list(), strict=True)
        )
        data.append(
            {
                "type": "scatter",
                "x": years,
                "y": [by_year.get(y) for y in years],
                "mode": "lines+markers",  # a year whose neighbours have no average is a dot, not nothing
                "name": average_label,
                "connectgaps": False,
                "line": {"color": "#555", "dash": "dash", "width": 1.5},
                "marker": {"size": 4, "color": "#555"},
            }
        )
    shapes, notes = _break_marks(breaks)
    xaxis = {"title": {"text": year_label}, "tickmode": "array", "tickvals": years}
    xaxis["ticktext"] = [str(y) for y in years]
    if years:
        xaxis["range"] = [min(years) - 0.5, max(years) + 0.5]
    yaxis = {"title": {"text": y_label}, "showgrid": True, "gridcolor": "#eee"}
    yaxis["autorange"] = "reversed" if measure == "rank" else True
    layout = {"xaxis": xaxis, "yaxis": yaxis}
    if notes:
        layout["annotations"] = notes
    if shaded is not None:
        shapes.append(style.vrect(shaded - 0.5, shaded + 0.5, fillcolor="#eef3f8", line={"width": 0}))
        shapes[-1]["layer"] = "below"
    if shapes:
        layout["shapes"] = shapes
    return style.layout({"data": data, "layout": layout}, title=title, source=source, lang=lang, height=460)


def _break_marks(breaks: list[tuple[int, str]]) -> tuple[list[dict], list[dict]]:
    """A method change's dotted line before its year, and its flag right of the line above the
    plot (the line never crosses it), the note in its hover text: (shapes, annotations). A flag a
    year after the one before it goes a line higher: at a phone's width a year is narrower than
    "⚑ 2024", and the two flags were written over each other."""
    shapes, notes = [], []
    last, raised = None, False
    for year, note in sorted(breaks):
        raised = last is not None and year - last <= 1 and not raised
        last = year
        shapes.append(style.vline(year - 0.5, {"dash": "dot", "color": "#999"}))
        flag = {"x": year - 0.5, "y": 1.0, "yref": "paper", "xanchor": "left", "yanchor": "bottom"}
        flag |= {"xshift": 3, "text": f"⚑ {year}", "hovertext": note, "showarrow": False}
        if raised:
            flag["yshift"] = 15
        notes.append(flag | {"font": {"size": 11, "color": "#666"}})
    return shapes, notes
