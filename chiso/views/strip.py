"""Rankings of a large peer group (HCMC's 168 wards and communes): instead of a bar per unit, the
top and bottom n and the selected unit with its neighbours, each labelled with its rank n/N, and
the gaps between them marked. Pure: a ranking in, rows and a figure out."""

from __future__ import annotations

import polars as pl

from chiso import fmt
from chiso.names import search

LARGE = 40  # above this many units a table is shown as a strip, not a bar per unit
NEIGHBOURS = 2  # units either side of the selected one
DEFAULT_N = 10  # units at the top and at the bottom


def is_large(ranking: pl.DataFrame) -> bool:
    return ranking.height > LARGE


def strip_rows(ranking: pl.DataFrame, unit_id: str | None, n: int) -> pl.DataFrame:
    """The rows the strip shows, in rank order: the first and last ``n`` scored units and the
    selected one with its neighbours; the selected unit's name is marked with ▶."""
    scored = ranking.filter(pl.col("score").is_not_null()).sort("rank", "name", nulls_last=True)
    ids = scored.get_column("unit_id").to_list()
    keep = set(range(min(n, len(ids)))) | set(range(max(0, len(ids) - n), len(ids)))
    if unit_id in ids:
        at = ids.index(unit_id)
        keep |= set(range(max(0, at - NEIGHBOURS), min(len(ids), at + NEIGHBOURS + 1)))
    shown = scored.with_row_index("_at").filter(pl.col("_at").is_in(sorted(keep)))
    # How many scored units lie between this row and the one above it: the strip marks the gap.
    hidden = (pl.col("_at").cast(pl.Int64) - pl.col("_at").cast(pl.Int64).shift(1) - 1).fill_null(0)
    return (
        shown.with_columns(hidden_before=hidden)
        .drop("_at")
        .with_columns(
            pl.when(pl.col("unit_id") == (unit_id or ""))
            .then(pl.lit("▶ ") + pl.col("name"))
            .otherwise(pl.col("name"))
            .alias("name")
        )
    )


def filter_table(display: pl.DataFrame, column: str, query: str) -> pl.DataFrame:
    """The table's rows whose unit name holds every word of ``query`` (accents ignored)."""
    if not query.strip() or display.is_empty():
        return display
    names = dict(enumerate(display.get_column(column).cast(pl.String).to_list()))
    found = search(names, query)
    return display.with_row_index("_at").filter(pl.col("_at").is_in(found)).drop("_at")


def strip_figure(ranking: pl.DataFrame, rows: pl.DataFrame, index, sel, lang: str, n: int, catalog=None):
    """The strip's chart: the shown rows as labelled bars; the peer average is the whole table's."""
    from chiso.i18n import label, t

    title = t(
        "rankings.strip_title",
        lang,
        index=label(index.short_name, lang),
        year=sel.year,
        n=n,
        total=ranking.height,
    )
    return mark_gaps(bar_figure(rows, ranking, index, sel, lang, title, catalog), rows, lang)


GAP_PX = 40  # a gap row is as tall as a unit's row


def mark_gaps(fig, rows: pl.DataFrame, lang: str):
    """A row '⋯ 31 đơn vị không hiển thị' wherever the strip skips units, so 10/51 and 42/51 are
    not read as neighbours. The chart's rows are its y categories, best first (reversed on the axis)."""
    from chiso.i18n import t

    if "hidden_before" not in rows.columns:
        return fig
    order = list(reversed(fig.layout.yaxis.categoryarray or ()))
    hidden = rows.get_column("hidden_before").to_list()
    if len(order) != len(hidden) or not any(hidden):
        return fig
    start = fig.layout.xaxis.range[0] if fig.layout.xaxis.range else 0
    shown, notes = [], []
    for label, n in zip(order, hidden, strict=True):
        if n:
            gap = f"gap {len(notes)}"
            shown.append(gap)
            notes.append((gap, t("rankings.strip_gap", lang, n=n)))
        shown.append(label)
    fig.add_bar(
        y=[gap for gap, _ in notes],
        x=[None] * len(notes),
        orientation="h",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.update_yaxes(categoryarray=list(reversed(shown)))
    for gap, text in notes:
        fig.add_annotation(
            x=start,
            y=gap,
            xref="x",
            yref="y",
            text=text,
            showarrow=False,
            xanchor="left",
            font={"size": 12, "color": "#555"},
            bgcolor="rgba(255,255,255,0.85)",  # the peer average line passes behind
        )
    return fig.update_layout(height=(fig.layout.height or 0) + GAP_PX * len(notes))


def bar_figure(rows: pl.DataFrame, ranking: pl.DataFrame, index, sel, lang: str, title: str, catalog=None):
    """The rankings bar chart of ``rows`` (the whole table, or the strip's rows): scale on the
    axis, the whole ``ranking``'s peer average and source line, the scope under the title. The
    legend names each tier as the table does: a band the project deduced says so."""
    from chiso.i18n import t
    from chiso.metrics.ranks import peer_average
    from chiso.views import charts
    from chiso.views import tables as views
    from chiso.views.page import scope_text, titled

    unit = views.scale_label(index, sel.province, sel.peer_group, sel.year, lang)
    return charts.ranking_bar(
        views.with_tier_text(rows, index, lang),
        title=titled(title, scope_text(sel.peer_group, sel.province, lang, catalog)),
        score_label=f"{t('chart.score', lang)} ({unit})",
        peer_average=peer_average(ranking),
        average_label=t("chart.peer_average", lang),
        source=views.source_line(ranking, lang),
        decimals=fmt.printed_places(
            ranking.get_column("score"), index.decimals_for(sel.province, sel.peer_group, sel.year)
        ),
        lang=lang,
    )
