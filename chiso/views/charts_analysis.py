"""Figures of the analysis pages (gaps, profile, compare, rank change): one frame and
already-translated text in, a Plotly figure out. No queries, no Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from chiso import fmt, safe
from chiso.views.style import PALETTE, Figure, vline
from chiso.views.style import layout as _layout


def wrap(text: str, width: int = 18) -> str:
    """Break a long component name over lines so angled tick labels do not run into each other."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return safe.LINE_BREAK.join([*lines, line])  # becomes <br> once the label is escaped


# Sequential, colour-blind-safe scale for % of maximum (light = low, dark = high); numbers are printed too.
# Light yellow to dark blue (more is better, no red for the best); colour-blind safe.
HEAT = [[0.0, "#ffffd9"], [0.35, "#c7e9b4"], [0.65, "#41b6c4"], [1.0, "#0c2c84"]]


def axis_start(values: list[float | None], top: float = 100.0, step: float = 10.0) -> float:
    """Where a % scale starts so that differences show: 0 when the values spread widely, else a
    round number a step below the lowest value (the chart then says where it starts)."""
    present = [v for v in values if v is not None]
    if not present or min(present) < top * 0.4:
        return 0.0
    return max(0.0, (min(present) // step) * step - step)


def gap_heatmap(
    matrix: pl.DataFrame,
    *,
    chosen: str,
    title: str,
    x_label: str,
    source: str,
    lang: str,
    names: dict[str, str] | None = None,
) -> go.Figure:
    """Peers × components on % of maximum; the chosen unit's row is marked with ▶ and a box."""
    columns = [c for c in matrix.columns if c not in ("unit_id", "unit")]
    units = matrix.get_column("unit").to_list()
    ids = matrix.get_column("unit_id").to_list()
    labels = [f"▶ {u}" if i == chosen else u for u, i in zip(units, ids, strict=True)]
    values = [[row[c] for c in columns] for row in matrix.iter_rows(named=True)]
    text = [[fmt.number(v, 0, lang=lang) if v is not None else "–" for v in row] for row in values]
    start = axis_start([v for row in values for v in row])
    # Many columns: names upright (one line each), so a phone's narrow columns never overlap them.
    upright = len(columns) > 5
    full = [(names or {}).get(c, c) for c in columns]
    headers = full if upright else [wrap(name, 13) for name in full]
    colorbar_title = x_label if not start else f"{x_label} ({fmt.number(start, 0, lang=lang)}–100)"
    header_px = 6 * max((len(h) for h in full), default=0) if upright else 60
    height = max(380, 26 * len(units) + 200 + header_px)
    heat = {
        "type": "heatmap",
        "z": values,
        "x": headers,
        "y": labels,
        "text": text,
        "texttemplate": "%{text}",
        "colorscale": HEAT,
        "zmin": start,
        "zmax": 100,
        "colorbar": _bottom_colorbar(colorbar_title),
        "hovertemplate": "%{y}<br>%{x}: %{z:.2f} %<extra></extra>",
        "xgap": 1,
        "ygap": 1,
    }
    layout: dict = {
        "yaxis": {"title": {}, "autorange": "reversed"},
        "xaxis": {"title": {}, "tickangle": -90 if upright else 0, "side": "top", "dtick": 1},
    }
    if upright:  # every column named, even where Plotly would skip crowded labels
        layout["xaxis"]["tickfont"] = {"size": 11}
    if chosen in ids:
        row = ids.index(chosen)
        box = {"type": "rect", "x0": -0.5, "x1": len(columns) - 0.5, "y0": row - 0.5, "y1": row + 0.5}
        layout["shapes"] = [box | {"line": {"color": "#000", "width": 3}}]
    return _layout(
        {"data": [heat], "layout": layout},
        title=title,
        source=source,
        lang=lang,
        height=height,
        extra={"margin": {"t": 105 + header_px, "r": 10}},
    )


def _bottom_colorbar(title: str) -> dict:
    """The colour scale as a bar across the bottom (in the layout's bottom margin, under the cells
    and above the source line): at the side it took ≈ 80 px of a phone's 390, and the cells of
    eight components were then ≈ 16 px wide with their numbers unreadable."""
    return {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "len": 1,
        "thickness": 12,
        "x": 0.5,
        "xanchor": "center",
        "y": 0,  # the plot's bottom edge, whatever height a file is drawn at
        "yanchor": "top",
        "ypad": 14,
    }


def change_waterfall(
    split: pl.DataFrame,
    *,
    adds_up: bool,
    title: str,
    y_label: str,
    total_label: str,
    source: str,
    decimals: int,
    lang: str,
) -> go.Figure:
    """Score change by component: a waterfall ending in the total when the parts add up,
    otherwise the component changes side by side (no claim that they sum)."""
    parts = split.filter(pl.col("kind") != "total")
    names = parts.get_column("component").to_list()
    changes = parts.get_column("change").to_list()
    text = [fmt.signed(v, decimals, lang=lang) for v in changes]
    # Horizontal: long Vietnamese component names read on one line, first component at the top.
    if adds_up:
        total = split.filter(pl.col("kind") == "total").get_column("change").to_list()
        total_value = total[0] if total else sum(v or 0 for v in changes)
        trace = {
            "type": "waterfall",
            "orientation": "h",
            "y": [*names, total_label],
            "x": [*changes, total_value],
            "measure": ["relative"] * len(names) + ["total"],
            "text": [*text, fmt.signed(total_value, decimals, lang=lang)],
            "textposition": "outside",
            "increasing": {"marker": {"color": PALETTE[0]}},
            "decreasing": {"marker": {"color": PALETTE[3]}},
            "totals": {"marker": {"color": "#555"}},
            "connector": {"line": {"color": "#999"}},
            "cliponaxis": False,
        }
    else:
        colours = [PALETTE[0] if (v or 0) >= 0 else PALETTE[3] for v in changes]
        trace = {"type": "bar", "orientation": "h", "y": names, "x": changes, "text": text}
        trace |= {"textposition": "outside", "marker": {"color": colours}}
    layout = {
        "xaxis": {"title": {"text": y_label}, "zeroline": True, "zerolinecolor": "#333"},
        "yaxis": {"title": {}, "autorange": "reversed"},
    }
    layout["xaxis"] |= {"showgrid": True, "gridcolor": "#eee"}
    layout["xaxis"]["range"] = _change_range(changes, adds_up, total_value if adds_up else None)
    height = max(360, 34 * (len(names) + 1) + 200)
    return _layout({"data": [trace], "layout": layout}, title=title, source=source, lang=lang, height=height)


def _change_range(changes: list[float | None], adds_up: bool, total: float | None = None) -> list[float]:
    """The change axis with room beyond the bars on both sides for their labels: at a phone's
    width a label left of the most negative bar ran into the component names ("Nhân lực số−7")."""
    values = [v or 0.0 for v in changes]
    ends = [0.0]
    for value in values:  # a waterfall's bars end at the running total; side-by-side bars at the change
        ends.append((ends[-1] if adds_up else 0.0) + value)
    if total is not None:  # the waterfall's total bar, from 0
        ends.append(total)
    low, high = min(ends), max(ends)
    span = (high - low) or 1.0
    return [low - 0.3 * span if low < 0 else -0.05 * span, high + 0.3 * span if high > 0 else 0.05 * span]


def compare_bars(frame: pl.DataFrame, *, title: str, y_label: str, source: str, lang: str) -> go.Figure:
    """Grouped horizontal bars: one row per component (first at the top), one bar per unit, % of
    maximum. Rows, not columns: at a phone's width eight components' names side by side under the
    plot were written over each other, while a row has the whole width for its name."""
    data = []
    for i, (unit, part) in enumerate(frame.group_by("unit", maintain_order=True)):
        pct = part.get_column("pct_of_max").to_list()
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": [wrap(n, 22) for n in part.get_column("component_name").to_list()],
                "x": pct,
                "name": unit[0],
                "marker": {"color": PALETTE[i % len(PALETTE)]},
                "text": [fmt.number(v, 0, lang=lang) for v in pct],
                "textposition": "outside",
                "cliponaxis": False,
            }
        )
    components, units = (frame.get_column(c).n_unique() for c in ("component_name", "unit"))
    layout = {
        "barmode": "group",
        "xaxis": {"title": {"text": y_label}, "range": [0, 110], "showgrid": True, "gridcolor": "#eee"},
        "yaxis": {"autorange": "reversed"},
    }
    height = max(420, components * (16 * units + 18) + 260)
    return _layout(
        {"data": data, "layout": layout},
        title=title,
        source=source,
        lang=lang,
        height=height,
        extra={"margin": {"b": 190}},
    )


def percentile_bars(frame: pl.DataFrame, *, title: str, x_label: str, source: str, lang: str) -> go.Figure:
    """The unit's percentile on each index side by side (100 = best of its peers)."""
    labels = frame.get_column("label").to_list()
    values = frame.get_column("percentile").to_list()
    colours = [PALETTE[0] if (v or 0) >= 50 else PALETTE[3] for v in values]
    bars = {"type": "bar", "x": values, "y": labels, "orientation": "h", "marker": {"color": colours}}
    bars |= {"text": [fmt.number(v, 0, lang=lang) for v in values], "textposition": "outside"}
    bars["cliponaxis"] = False  # "100" at a phone's width runs past the axis: drawn in the margin
    layout = {
        "shapes": [vline(50, {"dash": "dot", "color": "#666"})],
        "xaxis": {"title": {"text": x_label}, "range": [0, 110], "showgrid": True, "gridcolor": "#eee"},
        "yaxis": {"autorange": "reversed"},
    }
    height = max(300, 48 * len(labels) + 200)
    return _layout({"data": [bars], "layout": layout}, title=title, source=source, lang=lang, height=height)


def sparkline(
    series: pl.DataFrame, *, years: list[int], measure: str = "pct_of_max", lang: str = "vi"
) -> go.Figure:
    """A small trend without axes clutter, each point with its value written beside it (a single
    year is a labelled dot, not a bare one); missing years are gaps. A value is written above its
    point or below it (:func:`label_sides`), so that two neighbouring years of about the same value
    do not write over each other at a sparkline's width."""
    by_year = dict(
        zip(series.get_column("year").to_list(), series.get_column(measure).to_list(), strict=True)
    )
    values = [by_year.get(y) for y in years]
    unit = " %" if measure == "pct_of_max" else ""
    known = [v for v in values if v is not None]
    pad = max((max(known) - min(known)) * 0.4, 1.0) if known else 1.0  # room for labels above and below
    trace = {
        "type": "scatter",
        "x": years,
        "y": values,
        "mode": "lines+markers+text",
        "text": ["" if v is None else fmt.number(v, 1, lang=lang) + unit for v in values],
        "textposition": [f"{side} center" for side in label_sides(values)],
        "textfont": {"size": 10, "color": "#333"},
        "connectgaps": False,
        "cliponaxis": False,
        "line": {"color": PALETTE[0], "width": 2},
    }
    layout = {
        "height": 130,
        "margin": {"l": 28, "r": 28, "t": 22, "b": 20},
        "showlegend": False,
        "plot_bgcolor": "white",
        "xaxis": {
            "tickvals": years,
            "tickfont": {"size": 9},
            "range": [min(years) - 0.5, max(years) + 0.5] if years else None,
        },
        "yaxis": {"visible": False, "range": [min(known) - pad, max(known) + pad] if known else None},
    }
    # A profile draws one per index for every unit opened: Plotly's check of each property cost
    # ≈ 7 ms a sparkline, so the figure is wrapped unchecked (tests/views/test_glance.py checks the
    # spec as Plotly would).
    return Figure({"data": [trace], "layout": layout}, _validate=False)


CLOSE = 0.25  # share of a sparkline's value span under which two neighbours' labels would collide


def label_sides(values: list[float | None]) -> list[str]:
    """``top`` or ``bottom`` for each point's label: above a point at least as high as its
    neighbours' mean, below a lower one (the label sits outside the bend of the line); and on the
    other side from the label just before when the two values are close (under ``CLOSE`` of the
    span), since side by side at the same height neighbouring labels overlap."""
    known = [v for v in values if v is not None]
    span = (max(known) - min(known)) if known else 0.0
    sides: list[str] = []
    previous: tuple[float, str] | None = None
    for i, value in enumerate(values):
        if value is None:
            sides.append("top")
            previous = None
            continue
        around = [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values) and values[j] is not None]
        side = "top" if not around or value >= sum(around) / len(around) else "bottom"
        if previous is not None and previous[1] == side and abs(value - previous[0]) <= CLOSE * span:
            side = "bottom" if side == "top" else "top"
        sides.append(side)
        previous = (value, side)
    return sides
