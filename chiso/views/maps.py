"""The map of a ranked table: every unit of the country or of one province, coloured by tier
(or by score band where the index has no tiers), the chosen unit outlined, Hoàng Sa and
Trường Sa marked on every national map. Pure: the ranking and the shapes (from
:mod:`chiso.geo`, passed in) become a plain Plotly figure with longitude and latitude axes —
no map tiles, no topojson, nothing fetched.

Hover says only what the table allows (:mod:`chiso.metrics.ranks`): ``rank``/``rank_of`` are
already empty on an incomplete table unless published, so such a unit reads "no rank", never
its order among the loaded units.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from chiso import exprs, fmt, geo
from chiso.config import Index
from chiso.i18n import label, t
from chiso.selection import Selection
from chiso.views import style
from chiso.views import tables as views
from chiso.views.page import scope_text, titled

LEGACY, NEW, PROVINCE_COUNT = geo.LEGACY, geo.NEW, geo.PROVINCE_COUNT
LEVEL_OF_GROUP = {"provinces": "provinces", "localities": "districts", "communes": "wards", "wards": "wards"}
BANDS = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]  # ColorBrewer Blues: sequential, darker = better
RANK_ONLY = "#bdbdbd"
ABSENT = "#f0f0f0"
EDGE = "#ffffff"
SELECTED = "#000000"
ISLAND_LABEL_ROOM = 3.0  # degrees of longitude east of an archipelago kept for half its label


@dataclass(frozen=True)
class MapScope:
    """Which shapes a table is drawn on: the registry period, the level and the province."""

    period: str
    level: str  # 'provinces' (the country), 'districts' or 'wards' (of ``province``)
    province: str  # '' for the country


@dataclass(frozen=True)
class MapView:
    figure: go.Figure
    caption: str  # what the shapes are and where they come from
    source: str  # the table's source line, as under the chart
    missing: list[str]  # units of the table with no shape in the registry


def map_scope(ranking: pl.DataFrame, sel: Selection) -> MapScope | None:
    """The shapes of a table, or None for peer groups with no place (departments, ministries).

    The period follows the year (1 July 2025 split), except that a provinces table published
    on 34 provinces (DTI 2024) is drawn on the 34 and one on 63 on the 63."""
    level = LEVEL_OF_GROUP.get(sel.peer_group)
    if level is None:
        return None
    period = NEW if sel.year >= 2025 else LEGACY
    if level == "provinces" and not ranking.is_empty():
        rank_of = ranking.get_column("rank_of").max()
        period = next((p for p, n in PROVINCE_COUNT.items() if n == rank_of), period)
    if level == "districts" and period == NEW:
        return None
    return MapScope(period, level, sel.province)


def key(column: str) -> pl.Expr:
    """The registry's lookup key, natively: 'Thành phố Hạ Long' -> 'thanhphohalong'."""
    return (
        pl.col(column)
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_all("[đĐ]", "d")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]", "")
    )


def province_code(names: pl.DataFrame, province: str) -> str | None:
    """The registry code of a province named as the data name it ('Quảng Ninh' -> '22')."""
    found = (
        names.explode("keys")
        .filter(pl.col("keys") == pl.DataFrame({"p": [province]}).select(key("p")).item())
        .get_column("code")
        .unique()
    )
    return found.item(0) if found.len() == 1 else None


def matched(ranking: pl.DataFrame, names: pl.DataFrame, scope: MapScope) -> pl.DataFrame:
    """The ranking's rows with the registry ``code`` of their shape (null where none is found).

    ``names`` are the registry's units of the map (one province's for a province's units).
    Provinces match by name (their codes changed on 1 July 2025); districts and communes by the
    code the data carry, else by name."""
    keys = names.explode("keys").select("code", pl.col("keys").alias("_key")).unique("_key", keep="first")
    rows = ranking.with_columns(key("province" if scope.level == "provinces" else "name").alias("_key"))
    rows = rows.join(keys.rename({"code": "_named"}), on="_key", how="left", maintain_order="left")
    known = pl.col("code").is_in(names.get_column("code").implode())
    code = pl.col("_named") if scope.level == "provinces" else pl.when(known).then("code").otherwise("_named")
    return rows.with_columns(code=code).drop("_key", "_named")


def _tier_legend(scored: pl.DataFrame, lang: str) -> tuple[pl.Expr, list]:
    """Tiers in their order, coloured as the bar chart colours them and named as the table names
    them (``tables.with_tier_text`` was applied to the ranking: a deduced band says so)."""
    tier = "tier_vi" if lang == "vi" else "tier_en"
    tiers = scored.select(tier, "tier_order").drop_nulls().unique().sort("tier_order", tier)
    legend = [(name, style.PALETTE[order % len(style.PALETTE)]) for name, order in tiers.rows()]
    if scored.get_column(tier).null_count():
        legend.append((t("map.no_tier", lang), "#999999"))
    return pl.col(tier).fill_null(t("map.no_tier", lang)), legend


def _band_legend(
    scored: pl.DataFrame, higher_is_better: bool, decimals: int, lang: str
) -> tuple[pl.Expr, list]:
    """Four equal score bands between the lowest and highest score shown (fewer when the scores
    are equal), darker for better; the best band first in the legend."""
    low, high = scored.get_column("score").min(), scored.get_column("score").max()
    edges = [low + (high - low) * i / 4 for i in range(5)] if high > low else [low, high]
    labels = [
        f"{fmt.number(a, decimals, lang=lang)}–{fmt.number(b, decimals, lang=lang)}"
        if b > a
        else fmt.number(a, decimals, lang=lang)  # every score equal (one unit): '98,51', not '98,51–98,51'
        for a, b in itertools.pairwise(edges)
    ]
    colours = BANDS[-len(labels) :]  # ascending scores, light to dark
    if not higher_is_better:
        colours = colours[::-1]
    legend = list(zip(labels, colours, strict=True))
    legend = legend[::-1] if higher_is_better else legend
    band = pl.lit(0)
    for i, edge in enumerate(edges[1:-1], start=1):
        band = pl.when(pl.col("score") >= edge).then(pl.lit(i)).otherwise(band)
    return band.replace_strict(dict(enumerate(labels)), return_dtype=pl.String), legend


def _categories(
    frame: pl.DataFrame, higher_is_better: bool, decimals: int, lang: str
) -> tuple[pl.DataFrame, list]:
    """Each unit's legend entry: its tier, else its score band; rank only; not in the table.
    Returns the frame with ``category`` and the legend as [(category, colour)] in legend order."""
    tier = "tier_vi" if lang == "vi" else "tier_en"
    scored = frame.filter(pl.col("score").is_not_null())
    legend: list[tuple[str, str]] = []
    category = pl.lit(None, pl.String)
    if not scored.is_empty() and scored.get_column(tier).drop_nulls().len():
        category, legend = _tier_legend(scored, lang)
    elif not scored.is_empty():
        category, legend = _band_legend(scored, higher_is_better, decimals, lang)
    rank_only, absent = t("map.rank_only", lang), t("map.not_in_table", lang)
    out = frame.with_columns(
        category=pl.when(pl.col("score").is_not_null())
        .then(category)
        .when(pl.col("rank").is_not_null())
        .then(pl.lit(rank_only))
        .when(pl.col("in_table"))
        .then(pl.lit(t("map.no_score", lang)))
        .otherwise(pl.lit(absent))
    )
    present = set(out.get_column("category").to_list())
    legend += [
        (c, col) for c, col in [(rank_only, RANK_ONLY), (t("map.no_score", lang), RANK_ONLY)] if c in present
    ]
    legend.append((absent, ABSENT))
    return out, [entry for entry in legend if entry[0] in present]


HOVER = "%{customdata[0]}<br>%{customdata[1]}<extra></extra>"  # values escaped by safe.plotly_text


def _hover(frame: pl.DataFrame, decimals: int, scale: str, lang: str, value_name: str = "") -> list[pl.Expr]:
    """``hover_name`` 'Đầm Hà' and ``hover_detail`` 'Hạng 3/13 · Điểm 91,24 /100 · Tốt', or
    'không có hạng' where the table gives none (an incomplete table without a published rank)."""
    score = exprs.mapped(frame, "score", lambda v: fmt.number(v, decimals, lang=lang))
    rank = (
        pl.when(pl.col("rank").is_not_null())
        .then(pl.lit(t("map.rank", lang) + " ") + exprs.rank_text())
        .when(pl.col("in_table"))
        .then(pl.lit(t("map.no_rank", lang)))
    )
    parts = [
        rank,
        pl.when(pl.col("score").is_not_null()).then(
            pl.lit((value_name or t("map.score", lang)) + " ") + score + f" {scale}"
        ),
        pl.when(pl.col("in_table")).then(pl.col("category")),
    ]
    details = pl.concat_str(parts, separator=" · ", ignore_nulls=True)
    flag = pl.when(pl.col("flag").fill_null("") != "").then(pl.lit(" ⚑")).otherwise(pl.lit(""))
    return [
        pl.concat_str(pl.col("label"), flag).alias("hover_name"),
        pl.when(pl.col("in_table"))
        .then(details)
        .otherwise(pl.lit(t("map.not_in_table", lang)))
        .alias("hover_detail"),
    ]


def _rings(part: pl.DataFrame, column: str) -> list[float | None]:
    """Every unit's rings in one list, separated by nulls (one filled trace per colour)."""
    return part.get_column(column).explode().to_list()


def _island_marks(islands: pl.DataFrame, shapes: pl.DataFrame, scope: MapScope, lang: str) -> pl.DataFrame:
    """Hoàng Sa and Trường Sa as places without a shape: on the country's map in the colour of
    their province, on their province's map as the unit they are."""
    if scope.level != "provinces":
        islands = islands.filter(pl.col("province_code").is_in(shapes.get_column("province_code").implode()))
    names = {k: t(f"map.island.{k}", lang) for k in ("hoang_sa", "truong_sa")}
    short = {k: t(f"map.island_short.{k}", lang) for k in ("hoang_sa", "truong_sa")}
    return islands.select(
        pl.col("province_code" if scope.level == "provinces" else "code").alias("code"),
        "province_code",
        "lon",
        "lat",
        pl.lit([], pl.List(pl.Float64)).alias("xs"),
        pl.lit([], pl.List(pl.Float64)).alias("ys"),
        pl.lit(True).alias("island"),
        pl.col("island").replace_strict(names, return_dtype=pl.String).alias("island_label"),
        pl.col("island").replace_strict(short, return_dtype=pl.String).alias("island_short"),
    )


def _frame(shapes, names, islands, ranking, scope, lang) -> pl.DataFrame:
    """Shapes (and island markers) with the table's rows joined: one row per place."""
    columns = ["unit_id", "score", "rank", "rank_of", "tier_vi", "tier_en", "tier_code", "tier_order", "flag"]
    rows = matched(ranking, names, scope).filter(pl.col("code").is_not_null())
    rows = rows.select("code", *columns).unique("code", keep="first", maintain_order=True)
    named = names.select("code", pl.col("name").alias("label")).unique("code", keep="first")
    places = pl.concat(
        [shapes.with_columns(island=pl.lit(False)), _island_marks(islands, shapes, scope, lang)],
        how="diagonal_relaxed",
    )
    out = places.join(named, on="code", how="left").join(
        rows.with_columns(in_table=pl.lit(True)), on="code", how="left"
    )
    return out.with_columns(
        pl.col("in_table").fill_null(False),
        pl.coalesce("island_label", "label", "code").alias("label"),
    )


@dataclass(frozen=True)
class Measure:
    """What the map colours and how it says it: the table's value, its decimals and scale ('/100',
    '%'), its direction, the figure's title and second line, and the table's source line."""

    decimals: int
    scale: str
    higher_is_better: bool
    title: str
    source: str
    value_name: str = ""  # the hover's word for the value: 'Điểm' unless said ('Tỷ lệ')


def build(
    ranking: pl.DataFrame,
    index: Index,
    sel: Selection,
    scope: MapScope,
    geometry: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    lang: str,
    selected: str | None = None,
    catalog=None,
    registry: str = geo.SOURCE,
) -> MapView:
    """The map of one ranked table of an index. ``geometry`` is (shapes, names, islands) from
    :mod:`chiso.geo` for the scope; ``selected`` a unit_id to outline; ``registry`` names the
    registry and its version."""
    main = t("map.title", lang, index=label(index.short_name, lang), year=sel.year)
    note = t(f"map.shapes.{scope.level}", lang)
    measure = Measure(
        index.decimals_for(sel.province, sel.peer_group, sel.year),
        views.scale_label(index, sel.province, sel.peer_group, sel.year, lang),
        index.higher_is_better,
        titled(main, note, scope_text(sel.peer_group, sel.province, lang, catalog)),
        views.source_line(ranking, lang),
    )
    shown = views.with_tier_text(ranking, index, lang)  # tiers named as the table names them
    return draw(shown, measure, scope, geometry, lang, selected, registry)


def draw(
    ranking: pl.DataFrame,
    measure: Measure,
    scope: MapScope,
    geometry: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    lang: str,
    selected: str | None = None,
    registry: str = geo.SOURCE,
) -> MapView:
    """The map of any ranking of units in a place: ``ranking`` has unit_id, name, province, code,
    score, rank, rank_of, tier_vi, tier_en, tier_code, tier_order and flag (tiers and flag may be
    null); a unit is hovered with exactly the rank the table gives it."""
    shapes, names, islands = geometry
    if scope.level != "provinces":
        names = names.filter(
            pl.col("province_code").is_in(shapes.get_column("province_code").unique().implode())
        )
    frame = _frame(shapes, names, islands, ranking, scope, lang)
    frame, legend = _categories(frame, measure.higher_is_better, measure.decimals, lang)
    frame = frame.with_columns(_hover(frame, measure.decimals, measure.scale, lang, measure.value_name))
    colour = dict(legend)
    fig = go.Figure()
    for name, fill in legend:
        part = frame.filter((pl.col("category") == name) & ~pl.col("island"))
        fig.add_scatter(
            x=_rings(part, "xs"),
            y=_rings(part, "ys"),
            fill="toself",
            fillcolor=fill,
            mode="lines",
            line={"color": EDGE if fill != ABSENT else "#cccccc", "width": 0.6},
            name=name,
            legendgroup=name,
            hoverinfo="skip",
        )
    dots = frame.filter(~pl.col("island"))
    fig.add_scatter(
        x=dots.get_column("lon").to_list(),
        y=dots.get_column("lat").to_list(),
        mode="markers",
        marker={"size": 5, "color": "rgba(0,0,0,0.35)"},
        customdata=dots.select("hover_name", "hover_detail").rows(),
        hovertemplate=HOVER,
        showlegend=False,
        name="",
    )
    _islands(fig, frame, colour)
    _outline(fig, frame, selected, lang)
    height = 900 if scope.level == "provinces" else 700
    fig = style.layout(fig, title=measure.title, source=measure.source, lang=lang, height=height)
    _axes(fig, frame)
    # The legend right above the map, which keeps to the top of its plot (``_axes``): at the foot
    # of the figure, as on the other charts, it sat ≈ 400 px under a phone-wide map and, in the
    # image, 130 px under the source line. No axis under a map: the source sits right below it.
    fig.update_layout(
        hovermode="closest",
        hoverdistance=30,
        legend={
            "itemclick": False,
            "itemdoubleclick": False,
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
        },
        margin={
            "t": fig.layout.margin.t + LEGEND_PX + style.legend_rows_extra(_legend_names(fig)),
            "b": 40,
        },
    )
    fig.update_annotations(yshift=-6)
    missing = matched(ranking, names, scope).filter(pl.col("code").is_null()).get_column("name").to_list()
    caption = t("map.caption", lang, registry=registry, count=shapes.height)
    return MapView(fig, caption, measure.source, missing)


LEGEND_PX = 30  # one row of the legend above the map, under the title (more rows: legend_rows_extra)


def _legend_names(fig: go.Figure) -> list[str]:
    """The legend's entries: the categories, and the chosen unit's outline when there is one."""
    return [trace.name for trace in fig.data if trace.name and trace.showlegend is not False]


def _islands(fig: go.Figure, frame: pl.DataFrame, colour: dict[str, str]) -> None:
    marks = frame.filter(pl.col("island"))
    if marks.is_empty():
        return
    fig.add_scatter(
        x=marks.get_column("lon").to_list(),
        y=marks.get_column("lat").to_list(),
        mode="markers+text",
        marker={
            "symbol": "diamond",
            "size": 11,
            "color": [colour.get(c, ABSENT) for c in marks.get_column("category").to_list()],
            "line": {"color": "#333333", "width": 1},
        },
        text=marks.get_column("island_short").to_list(),  # the full name in the hover
        textposition="bottom center",
        textfont={"size": 11, "color": "#333333"},
        cliponaxis=False,
        customdata=marks.select("hover_name", "hover_detail").rows(),
        hovertemplate=HOVER,
        showlegend=False,
        name="",
    )


def _outline(fig: go.Figure, frame: pl.DataFrame, selected: str | None, lang: str) -> None:
    """The chosen unit: a thick black outline (and its name in the legend)."""
    if not selected:
        return
    unit = frame.filter((pl.col("unit_id") == selected) & ~pl.col("island"))
    if unit.is_empty():
        return
    fig.add_scatter(
        x=_rings(unit, "xs"),
        y=_rings(unit, "ys"),
        mode="lines",
        line={"color": SELECTED, "width": 3},
        name=t("map.selected", lang, name=unit.get_column("label").item(0)),
        hoverinfo="skip",
    )


def _axes(fig: go.Figure, frame: pl.DataFrame) -> None:
    """Longitude and latitude at one scale (a degree of latitude 1/cos 16° as long), axes hidden."""
    xs = frame.get_column("xs").explode().drop_nulls()
    ys = frame.get_column("ys").explode().drop_nulls()
    # An archipelago's label is centred under its marker: room for it on a phone-wide map too.
    label_room = frame.filter(pl.col("island")).get_column("lon") + ISLAND_LABEL_ROOM
    lon = pl.concat([xs, frame.get_column("lon"), label_room])
    lat = pl.concat([ys, frame.get_column("lat")])
    pad_x, pad_y = (lon.max() - lon.min()) * 0.04 + 0.05, (lat.max() - lat.min()) * 0.04 + 0.05
    fig.update_xaxes(visible=False, range=[lon.min() - pad_x, lon.max() + pad_x], constrain="domain")
    fig.update_yaxes(
        visible=False,
        range=[lat.min() - pad_y, lat.max() + pad_y],
        scaleanchor="x",
        scaleratio=1 / geo.K,
        constrain="domain",
        constraintoward="top",  # a narrow (phone) plot keeps the map under its title
    )
