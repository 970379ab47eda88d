"""The briefing pack ("Báo cáo tóm tắt"): one self-contained HTML file per unit and year.

Sections: header (unit, province, peer group, year, data date, the "Dữ liệu minh họa" banner
on demo data), findings (rule-based sentences of :mod:`chiso.findings`, each pointing to its
source), rankings (every index the unit has that year, and the rankings chart of its main
index), component gaps (points lost per component), trends (each index over the years, as a
small chart) and sources (every title, link and quote the pack uses, numbered).

The file makes no request when opened: CSS is inline, charts are inline SVG from
:func:`chiso.export.figure_svg`, and the only links are the sources' own ``<a href>``. It
prints on A4 portrait (``@page``), with headings kept with what follows and tables, charts
and list items not split across pages. :func:`briefing_pdf` prints it with Debian's
``chromium`` (``--print-to-pdf``).

Written from a :class:`chiso.views.brief.BriefView`; it never touches a connection. Text comes from
``locales/<lang>.brief.yaml``; numbers from :mod:`chiso.fmt`; missing data is said in words.
"""

from __future__ import annotations

import html
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from chiso import fmt, safe
from chiso.config import Index
from chiso.errors import ChisoError
from chiso.export import files as export
from chiso.i18n import label, t
from chiso.metrics import gaps, trends
from chiso.metrics import ranks as metrics
from chiso.names import slug
from chiso.selection import Selection
from chiso.views import charts, findings
from chiso.views import rankings as rankings_view
from chiso.views import tables as views
from chiso.views.brief import BriefView

RANKING_WIDTH = 760  # px: an A4 portrait text column is about 690 px at 96 dpi
TREND_SIZE = (380, 270)  # px: two small charts side by side, printed near their own size
PDF_TIMEOUT = 120.0  # seconds for chromium to print the pack
SECTIONS = ("findings", "rankings", "gaps", "trends", "sources")


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


# ---------- what the pack is made of ----------


@dataclass
class _Sources:
    """Source documents (title, URL) in order of first use, each with the quotes the pack relies on.

    ``ref(row)`` gives the row's document number; ``quote=False`` cites the document without
    adding the row's quote (a peer table's 19 quotes would bury the unit's own).
    """

    entries: list[dict] = field(default_factory=list)
    _index: dict[tuple, int] = field(default_factory=dict)

    def ref(self, row: dict | None, *, quote: bool = True) -> int | None:
        if not row:
            return None
        key = tuple((row.get(k) or "").strip() for k in ("source_title", "source_url"))
        text = (row.get("quote") or "").strip()
        if not any(key) and not text:
            return None
        if key not in self._index:
            self.entries.append({"title": key[0], "url": key[1], "quotes": []})
            self._index[key] = len(self.entries)
        entry = self.entries[self._index[key] - 1]
        if quote and text and text not in entry["quotes"]:
            entry["quotes"].append(text)
        return self._index[key]

    def refs(self, rows, *, quote: bool = True) -> str:
        """``[1][2]`` links to the sources section, each number once."""
        numbers = dict.fromkeys(n for n in (self.ref(r, quote=quote) for r in rows) if n is not None)
        return "".join(f'<a class="ref" href="#nguon-{n}">[{n}]</a>' for n in numbers)


@dataclass
class _Pack:
    """The view being written (``pack.rows``, ``pack.year`` … are the view's) and the sources it
    cites, numbered as they first appear."""

    view: BriefView
    sources: _Sources = field(default_factory=_Sources)

    def __getattr__(self, name: str):
        if name == "view":  # not set yet (copying): no recursion
            raise AttributeError(name)
        return getattr(self.view, name)


# ---------- numbers in words ----------


def _nb(text: str) -> str:
    """A number and its unit kept on one line: '89,80 %', '0,29 điểm' (first space made non-breaking)."""
    return text.replace(" ", "\u00a0", 1)


def _pct(value: float | None, lang: str) -> str:
    return _e(_nb(fmt.percent(value, lang=lang))) if value is not None else _no_data(lang)


def _no_data(lang: str) -> str:
    return f'<span class="missing">{_e(t("brief.no_data", lang))}</span>'


def _score(row: dict, index: Index, lang: str, value: float | None = None) -> str:
    if (row.get("score") if value is None else value) is None:
        return _no_data(lang)
    return _e(_nb(findings.score_text(row, index, lang, value)))


def _amount(value: float | None, row: dict, index: Index, lang: str, *, signed: bool = False) -> str:
    if value is None:
        return _no_data(lang)
    return _e(_nb(findings.amount_text(value, row, index, lang, signed=signed)))


def _rank(row: dict, index: Index, lang: str) -> str:
    if row.get("rank") is None:
        return _no_data(lang)
    note = views.rank_note(row, lang, index)  # with the index: what is inferred is said here too
    text = f'<span class="nowrap">{_e(findings.rank_text(row["rank"], row.get("rank_of")))}</span>'
    return text + (f'<br><span class="note">{_e(note)}</span>' if note else "")


def _tier(row: dict, index: Index, lang: str) -> str:
    """The tier as the pages show it: a published one as printed, a band marked '(suy luận)'."""
    tier = views.tier_text(row, index, lang)
    return _e(tier) if tier else _no_data(lang)


def _table(headers: list[str], rows: list[list[str]], *, cls: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# ---------- charts ----------


def _svg(fig: go.Figure, width: int, height: int, lang: str) -> str:
    """The figure as inline SVG scaled to its column; a failed render is said in words."""
    try:
        svg = export.figure_svg(fig, width=width, height=height).decode("utf-8")
    except ChisoError as exc:
        return f'<p class="missing">{_e(t("brief.chart_failed", lang, message=str(exc)))}</p>'
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    return svg.replace("<svg ", '<svg role="img" preserveAspectRatio="xMidYMid meet" ', 1)


def _outline_unit(fig: go.Figure, ranking: pl.DataFrame, unit_id: str) -> go.Figure:
    """Draw a dark outline around the unit's own bar so it stands out (not by colour alone:
    the caption names the unit and its rank too)."""
    mine = ranking.filter(pl.col("unit_id") == unit_id)
    if mine.is_empty():
        return fig
    r = mine.row(0, named=True)
    wanted = safe.plot(f"{fmt.rank(r['rank'], r['rank_of'])}  {r['name']}")  # labels are escaped
    for trace in fig.data:
        labels = list(trace.y or [])
        if wanted in labels:
            trace.marker.line = {
                "color": "#000",
                "width": [2.5 if y == wanted else 0 for y in labels],
            }
    return fig


def _ranking_chart(pack: _Pack, row: dict) -> str:
    index, lang = pack.index(row["index_code"]), pack.lang
    ranking = pack.tables[row["index_code"]].filter(pl.col("component").is_null())
    if ranking.filter(pl.col("score").is_not_null()).is_empty():
        return f'<p class="missing">{_e(t("brief.rankings.no_chart", lang))}</p>'
    sel = Selection(row["peer_group"], row["scope_province"], index.code, pack.year)
    fig = rankings_view.rankings_figure(ranking, index, sel, lang, pack.catalog)
    source = views.source_line(ranking, lang)
    # The source line goes under the chart as text: it wraps there instead of being cut off.
    fig.layout.annotations = [a for a in fig.layout.annotations if a.text != safe.plot(source)]
    fig.update_layout(margin={"b": 70})
    fig = _outline_unit(fig, ranking, pack.unit["unit_id"])
    height = int(fig.layout.height or 600) - 70
    status = views.status_sentence(ranking, views.table_status(ranking), lang)
    group = label(pack.catalog.peer_groups[row["peer_group"]].name, lang)
    caption = t(
        "brief.rankings.chart_caption",
        lang,
        index=findings.index_label(index, lang),
        group=group,
        unit=pack.unit["name"],
        rank=findings.rank_text(row["rank"], row["rank_of"]),
    )
    date = rankings_view.data_date(pack.meta, lang)
    refs = pack.sources.refs(ranking.iter_rows(named=True), quote=False)
    return (
        f'<figure class="chart">{_svg(fig, RANKING_WIDTH, height, lang)}'
        f"<figcaption>{_e(caption)} {_e(status)}<br>{_e(' · '.join(p for p in (source, date) if p))} "
        f"{refs}</figcaption></figure>"
    )


# ---------- sections ----------


def _header(pack: _Pack) -> str:
    lang, unit = pack.lang, pack.unit
    group = label(pack.catalog.peer_groups[unit["peer_group"]].name, lang) if unit["peer_group"] else ""
    built = (pack.meta.get("built_at") or "")[:10]
    date = "/".join(reversed(built.split("-"))) if lang == "vi" and len(built) == 10 else built
    items = [
        (t("brief.unit", lang), unit["name"]),
        (t("sel.province", lang), unit["province"] or t("sel.national", lang)),
        (t("sel.peer_group", lang), group or t("brief.no_data", lang)),
        (t("sel.year", lang), str(pack.year)),
        (t("brief.data_date", lang), date or t("brief.no_data", lang)),
    ]
    facts = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in items)
    banner = ""
    if pack.meta.get("dataset") == "demo":
        banner = f'<p class="demo" role="note"><strong>{_e(t("demo.banner", lang))}</strong></p>'
    return (
        f'<header><p class="kicker">{_e(t("brief.title", lang))} · {_e(t("app.title", lang))}</p>'
        f'<h1>{_e(unit["name"])}</h1>{banner}<dl class="facts">{facts}</dl></header>'
    )


def _finding_items(pack: _Pack, found: list[findings.Finding]) -> str:
    items = []
    for f in found:
        refs = pack.sources.refs([f.row, *f.extra_rows])
        note = f' <span class="note">({_e(f.note)})</span>' if f.note else ""
        items.append(f"<li>{_e(f.text)}{note} {refs}</li>")
    return f'<ul class="findings">{"".join(items)}</ul>'


def _findings(pack: _Pack) -> str:
    lang, unit_id = pack.lang, pack.unit["unit_id"]
    parts = []
    for row in pack.profile.iter_rows(named=True):
        index = pack.index(row["index_code"])
        found = findings.unit_findings(pack.tables[index.code], unit_id, index, lang)
        if found:
            parts.append(f"<h3>{_e(findings.index_label(index, lang))}</h3>{_finding_items(pack, found)}")
    if not pack.rows.is_empty():
        across = [
            f
            for f in findings.profile_findings(pack.rows, pack.catalog, lang, pack.year)
            if f.kind in ("strongest", "weakest", "contrast")
        ]
        if across:
            parts.append(f"<h3>{_e(t('brief.findings.across', lang))}</h3>{_finding_items(pack, across)}")
    if not parts:
        parts.append(f'<p class="missing">{_e(t("brief.findings.none", lang, year=pack.year))}</p>')
    return "".join(parts)


def _rankings_rows(pack: _Pack) -> list[list[str]]:
    lang, rows = pack.lang, []
    present = set(pack.profile.get_column("index_code").to_list()) if pack.profile.height else set()
    for row in pack.profile.iter_rows(named=True):
        index = pack.index(row["index_code"])
        rows.append(
            [
                _e(findings.index_label(index, lang)),
                _rank(row, index, lang),
                _score(row, index, lang),
                _pct(row["pct_of_max"], lang),
                _tier(row, index, lang),
                _amount(row.get("d_score"), row, index, lang, signed=True),
                _e(metrics.rank_change_text(row, lang))
                if row.get("d_rank") is not None or row.get("rank_change_comparable") is False
                else _no_data(lang),
                pack.sources.refs([row]),
            ]
        )
    others = gaps.totals(pack.rows).get_column("index_code").unique().to_list() if pack.rows.height else []
    for code in [c for c in pack.catalog.codes if c in others and c not in present]:
        missing = f'<span class="missing">{_e(t("brief.no_data_year", lang, year=pack.year))}</span>'
        rows.append([_e(findings.index_label(pack.index(code), lang)), missing, *[""] * 6])
    return rows


def _rankings(pack: _Pack) -> str:
    lang = pack.lang
    rows = _rankings_rows(pack)
    if not rows:
        return f'<p class="missing">{_e(t("brief.rankings.none", lang, year=pack.year))}</p>'
    headers = [
        t("brief.col.index", lang),
        t("col.rank", lang),
        t("brief.col.score", lang),
        t("col.pct_of_max", lang),
        t("col.tier", lang),
        t("brief.col.d_score", lang),
        t("col.d_rank", lang),
        t("col.source", lang),
    ]
    out = _table([_e(h) for h in headers], rows, cls="rankings")
    out += f'<p class="note">{_e(t("brief.rankings.legend", lang))}</p>'
    scored = pack.profile.filter(pl.col("score").is_not_null()) if pack.profile.height else pack.profile
    if scored.height:
        main = scored.row(0, named=True)
        main_name = findings.index_label(pack.index(main["index_code"]), lang)
        out += f"<h3>{_e(t('brief.rankings.main', lang, index=main_name))}</h3>"
        out += _ranking_chart(pack, main)
    return out


def _gap_format(pack: _Pack, row: dict, index: Index):
    """Compact cells for a gap table: '9,82/13' or '72,96 %' (the header names the unit), and
    the unit word of a difference ('điểm', 'điểm phần trăm')."""
    lang, province, group = pack.lang, row["province"] or "", row["peer_group"]
    decimals = index.decimals_for(province, group, pack.year)
    is_percent = label(index.unit_for(province, group, pack.year), lang).strip() == "%"
    word = findings.amount_text(0.0, row, index, lang).partition(" ")[2]
    unit = f" ({word})" if word else ""  # a 0–1 score has no unit word

    def score(value: float | None, top: float | None) -> str:
        if value is None:
            return _no_data(lang)
        if is_percent or not top:
            return _pct(value, lang) if is_percent else _e(fmt.number(value, decimals, lang=lang))
        top_text = fmt.number(top, 0 if float(top).is_integer() else 1, lang=lang)
        return _e(f"{fmt.number(value, decimals, lang=lang)}/{top_text}")

    def amount(value: float | None) -> str:
        return _e(fmt.number(value, decimals, lang=lang)) if value is not None else _no_data(lang)

    return score, amount, unit


def _gap_table(pack: _Pack, row: dict) -> str:
    lang, index = pack.lang, pack.index(row["index_code"])
    table = pack.tables[index.code]
    names = gaps.component_names(index, row["province"] or "", row["peer_group"], pack.year, lang)
    frame = gaps.component_gaps(table, pack.unit["unit_id"], names, higher_is_better=index.higher_is_better)
    score, amount, unit = _gap_format(pack, row, index)
    body = []
    for g in frame.iter_rows(named=True):
        top = g["max_score"]
        best = f"{_e(g['best_unit'])} ({score(g['best_score'], top)})" if g["best_unit"] else _no_data(lang)
        rank = _e(fmt.rank(g["component_rank"], g["rank_of"])) if g["component_rank"] else _no_data(lang)
        body.append(
            [
                f'<div class="cname">{_e(g["name"])}</div>',
                score(g["score"], top),
                _pct(g["pct_of_max"], lang),
                amount(g["points_lost"]),
                rank,
                score(g["peer_mean"], top),
                best,
                amount(g["gap_to_best"]),
            ]
        )
    headers = [
        t("brief.col.component", lang),
        t("brief.col.component_score", lang),
        t("col.pct_of_max", lang),
        t("brief.col.points_lost", lang, unit=unit),
        t("brief.col.component_rank", lang),
        t("brief.col.peer_mean", lang),
        t("brief.col.best", lang),
        t("brief.col.gap_to_best", lang, unit=unit),
    ]
    return _table([_e(h) for h in headers], body, cls="gaps") + _gap_note(pack, row, frame)


def _gap_note(pack: _Pack, row: dict, frame: pl.DataFrame) -> str:
    lang, index = pack.lang, pack.index(row["index_code"])
    aggregation = index.aggregation_for(row["province"] or "", row["peer_group"], pack.year)
    lost = frame.get_column("points_lost").drop_nulls()
    if aggregation == "sum" and lost.len():
        text = t("brief.gaps.total", lang, points=findings.amount_text(float(lost.sum()), row, index, lang))
    else:
        text = t("brief.gaps.not_additive", lang)
    table = pack.tables[index.code]
    mine = table.filter((pl.col("unit_id") == pack.unit["unit_id"]) & pl.col("component").is_not_null())
    refs = pack.sources.refs(mine.iter_rows(named=True))
    source = f" {_e(t('col.source', lang))}: {refs}" if refs else ""
    return f'<p class="note">{_e(text)} {_e(t("brief.gaps.rank_note", lang))}{source}</p>'


def _gaps(pack: _Pack) -> str:
    lang, parts = pack.lang, []
    with_components = pack.profile.filter(pl.col("n_components") > 0) if pack.profile.height else pack.profile
    for row in with_components.iter_rows(named=True):
        index = pack.index(row["index_code"])
        title = t("brief.gaps.title", lang, index=findings.index_label(index, lang), n=row["n_components"])
        parts.append(f'<div class="block"><h3>{_e(title)}</h3>{_gap_table(pack, row)}</div>')
    if not parts:
        return f'<p class="missing">{_e(t("brief.gaps.none", lang, year=pack.year))}</p>'
    return "".join(parts)


# ---------- trends ----------


def _trend_codes(pack: _Pack) -> list[str]:
    return list(pack.series)  # the indices with a score up to the year, in config order


def _trend_figure(
    pack: _Pack, index: Index, mine: pl.DataFrame, peers: pl.DataFrame, last: dict
) -> go.Figure:
    lang = pack.lang
    years = trends.year_span(mine)
    measure = trends.default_measure(mine)
    scale = views.scale_label(index, last["province"] or "", last["peer_group"], last["year"], lang)
    y_label = f"{t('chart.score', lang)} ({scale})" if measure == "score" else t("col.pct_of_max", lang)
    fig = charts.trend_lines(
        mine,
        years=years,
        measure=measure,
        title=findings.index_label(index, lang),
        y_label=y_label,
        year_label=t("chart.year", lang),
        average=trends.peer_average_by_year(peers, measure),
        average_label=t("chart.peer_average", lang),
        breaks=trends.method_breaks(index, years, lang, last["province"] or "", last["peer_group"]),
        source="",
        lang=lang,
    )
    width, height = TREND_SIZE
    fig.update_layout(
        height=height,
        width=width,
        font={"size": 12},
        title={"font": {"size": 14}},
        margin={"l": 10, "r": 15, "t": 45, "b": 60},
        legend={"y": 0.0, "font": {"size": 11}},
    )
    return fig


def _trend_values(pack: _Pack, index: Index, mine: pl.DataFrame, last: dict) -> tuple[str, bool]:
    """Year, score (or % of maximum when the scale changed, as on the chart) and rank under
    the chart; a missing year shows '–'. Also says whether a year is missing."""
    lang = pack.lang
    by_year = {r["year"]: r for r in mine.iter_rows(named=True)}
    years = trends.year_span(mine)
    province, group = last["province"] or "", last["peer_group"]
    by_score = trends.default_measure(mine) == "score"
    scale = views.scale_label(index, province, group, last["year"], lang)
    head = [_e(t("chart.year", lang)), *[str(y) for y in years]]
    values = [_e(f"{t('chart.score', lang)} ({scale})" if by_score else t("col.pct_of_max", lang))]
    ranks = [_e(t("col.rank", lang))]
    for y in years:
        r = by_year.get(y)
        value = (r["score"] if by_score else r["pct_of_max"]) if r else None
        decimals = index.decimals_for(province, group, y) if by_score else 2
        values.append(_e(fmt.number(value, decimals, lang=lang)) if value is not None else "–")
        ranks.append(_e(findings.rank_text(r["rank"], r["rank_of"])) if r and r["rank"] else "–")
    gap = any(c == "–" for c in values[1:] + ranks[1:])
    return _table(head, [values, ranks], cls="mini"), gap


def _trend_block(pack: _Pack, code: str) -> str:
    lang, index = pack.lang, pack.index(code)
    totals = gaps.totals(pack.rows).filter((pl.col("index_code") == code) & (pl.col("year") <= pack.year))
    last = totals.sort("year").row(-1, named=True)
    peers = pack.series[code].filter(pl.col("year") <= pack.year)
    mine = peers.filter(pl.col("unit_id") == pack.unit["unit_id"])
    scored_years = sorted(mine.filter(pl.col("score").is_not_null()).get_column("year").to_list())
    values, gap = _trend_values(pack, index, mine, last)
    legend = f'<span class="note">{_e(t("brief.trends.legend", lang))}</span> ' if gap else ""
    refs = pack.sources.refs(totals.iter_rows(named=True))
    if len(scored_years) < 2:
        years = ", ".join(str(y) for y in scored_years) or str(pack.year)
        text = _e(t("brief.trends.single", lang, years=years))
        name = _e(findings.index_label(index, lang))
        return f'<div class="trend"><h3>{name}</h3><p class="missing">{text}</p>{values}{legend}{refs}</div>'
    fig = _trend_figure(pack, index, mine, peers, last)
    breaks = "".join(
        f'<span class="note">{_e(t("brief.trends.method_change", lang, year=y, note=note))}</span><br>'
        for y, note in trends.method_breaks(
            index, trends.year_span(mine), lang, last["province"] or "", last["peer_group"]
        )
    )
    return (
        f'<div class="trend"><figure class="chart small">{_svg(fig, *TREND_SIZE, lang)}'
        f"<figcaption>{values}{breaks}{legend}{refs}</figcaption></figure></div>"
    )


def _trends(pack: _Pack) -> str:
    codes = _trend_codes(pack)
    if not codes:
        return f'<p class="missing">{_e(t("brief.trends.none", pack.lang))}</p>'
    return f'<div class="trends">{"".join(_trend_block(pack, c) for c in codes)}</div>'


# ---------- sources and the page ----------


def _sources(pack: _Pack) -> str:
    lang = pack.lang
    if not pack.sources.entries:
        return f'<p class="missing">{_e(t("brief.sources.none", lang))}</p>'
    items = []
    for n, s in enumerate(pack.sources.entries, start=1):
        url = s["url"]
        title = _e(s["title"] or url or t("brief.sources.untitled", lang))
        link = safe.http_link(url)  # a link only from an http(s) source_url, shown with its host
        if link:
            href, host = link
            title = f'<a href="{_e(href)}">{title}</a> ({_e(host)})<br><span class="url">{_e(url)}</span>'
        elif url:
            title += f'<br><span class="url">{_e(url)}</span>'
        quotes = "".join(f"<blockquote>{_e(q)}</blockquote>" for q in s["quotes"])
        items.append(f'<li id="nguon-{n}">{title}{quotes}</li>')
    intro = f'<p class="note">{_e(t("brief.sources.intro", lang))}</p>'
    return f'{intro}<ol class="sources">{"".join(items)}</ol>'


def _section(number: int, key: str, lang: str, body: str) -> str:
    title = t(f"brief.section.{key}", lang)
    return f'<section id="{key}"><h2>{number}. {_e(title)}</h2>{body}</section>'


def _targets(pack: _Pack, view) -> str:
    """The unit's targets (a ``chiso.views.targets.TargetsView``) with their status and documents."""
    if view is None or view.empty:
        return ""
    lang = pack.lang
    refs = [pack.sources.refs([source]) for source in view.sources]
    items = "".join(f"<li>{_e(line)} {ref}</li>" for line, ref in zip(view.lines, refs, strict=True))
    title = _e(t("targets.title", lang))
    return (
        f'<h3>{title}</h3><ul class="findings targets">{items}</ul><p class="note">{_e(view.definition)}</p>'
    )


def briefing_html(view: BriefView, targets=None) -> str:
    """The briefing pack of one unit in one year as one self-contained HTML document; ``targets``
    (the unit's ``TargetsView``) are shown under its rankings."""
    pack, lang, year = _Pack(view), view.lang, view.year
    # Sections are built in reading order so the sources are numbered as they first appear.
    bodies = {
        "findings": _findings(pack),
        "rankings": _rankings(pack) + _targets(pack, targets),
        "gaps": _gaps(pack),
    }
    bodies["trends"] = _trends(pack)
    bodies["sources"] = _sources(pack)
    sections = "".join(_section(i, key, lang, bodies[key]) for i, key in enumerate(SECTIONS, start=1))
    title = t(
        "brief.doc_title", lang, unit=pack.unit["name"], province=pack.unit["province"] or "", year=year
    )
    footer = f"<footer>{_e(t('brief.footer', lang))}</footer>"
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{_header(pack)}{sections}{footer}</main></body></html>\n"
    )


def file_name(unit_name: str, province: str, year: int, ext: str = "html") -> str:
    """'bao-cao-tom-tat_so-noi-vu_hoa-binh_2022.html'."""
    parts = ["bao-cao-tom-tat", slug(unit_name), slug(province) if province else "", str(year)]
    return "_".join(p for p in parts if p) + f".{ext}"


# ---------- PDF ----------


def pdf_from_html(document: str, *, timeout: float = PDF_TIMEOUT, warm: bool = False) -> bytes:
    """Print an HTML document to PDF with Debian's chromium (A4 from the document's ``@page``).

    ``warm``: in the process's warm browser (the app's chart renderer, kept running), a tab
    instead of a new chromium; a one-off command (the CLI) starts its own."""
    browser = export.browser_path()
    if browser is None:
        raise ChisoError.coded("brief.pdf.no_chromium")
    if warm:
        data = export.warm_pdf(document, timeout)
        if not data.startswith(b"%PDF"):
            raise ChisoError.coded("brief.pdf.failed", why="")
        return data
    with tempfile.TemporaryDirectory(prefix="chiso-brief-") as tmp:
        source, out = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            source.as_uri(),
        ]
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False, env=env)
        except subprocess.TimeoutExpired as exc:
            raise ChisoError.coded("brief.pdf.timeout", seconds=f"{timeout:.0f}") from exc
        except OSError as exc:
            raise ChisoError.coded("brief.pdf.cannot_start", browser=browser, error=exc) from exc
        data = out.read_bytes() if out.exists() else b""
    if not data.startswith(b"%PDF"):
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise ChisoError.coded("brief.pdf.failed", why=f": {tail[0]}")
    return data


def briefing_pdf(view: BriefView) -> bytes:
    """The briefing pack printed to an A4 PDF by chromium."""
    return pdf_from_html(briefing_html(view))


# ---------- print-ready style ----------

CSS = """
:root { --ink: #1d1d1f; --muted: #555; --rule: #c9ccd1; --accent: #0072B2; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 11pt/1.45 "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 190mm; margin: 0 auto; padding: 10mm 8mm; }
header { border-bottom: 2px solid var(--accent); margin-bottom: 6mm; padding-bottom: 3mm; }
.kicker { margin: 0; color: var(--accent); font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; font-size: 9.5pt; }
h1 { font-size: 20pt; margin: 1mm 0 3mm; }
h2 { font-size: 14pt; margin: 7mm 0 2.5mm; padding-bottom: 1mm; border-bottom: 1px solid var(--rule);
  color: var(--accent); }
h3 { font-size: 11.5pt; margin: 4mm 0 1.5mm; }
dl.facts { display: grid; grid-template-columns: 1.3fr 1fr 1.4fr .6fr 1fr; gap: 1.5mm 5mm; margin: 0; }
dl.facts div { min-width: 0; }
dt { font-size: 8.5pt; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
dd { margin: 0; font-weight: 600; }
.demo { background: #fff4d6; border: 1px solid #E69F00; border-left: 5px solid #E69F00; padding: 2mm 3mm;
  margin: 0 0 3mm; }
ul.findings { margin: 0 0 2mm; padding-left: 5mm; }
ul.findings li { margin: 0 0 1mm; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; font-size: 9pt; }
th, td { border-bottom: 1px solid var(--rule); padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef3f8; font-weight: 600; }
td { font-variant-numeric: tabular-nums; }
.cname { min-width: 34mm; }
.nowrap { white-space: nowrap; }
table.mini { font-size: 8pt; margin-top: 1mm; }
table.mini th, table.mini td { padding: .6mm 1mm; text-align: right; white-space: nowrap; }
table.mini th:first-child, table.mini td:first-child { text-align: left; }
.note { color: var(--muted); font-size: 8.5pt; }
.missing { color: var(--muted); font-style: italic; }
a { color: var(--accent); }
a.ref { font-size: 8pt; text-decoration: none; vertical-align: super; margin-left: .5mm; }
figure { margin: 2mm 0 3mm; }
figure svg { display: block; width: 100%; height: auto; max-height: 245mm; }
figcaption { font-size: 8.5pt; color: var(--muted); margin-top: 1mm; }
.trends { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 3mm 6mm; }
.trend h3 { margin-top: 1mm; }
ol.sources { padding-left: 6mm; font-size: 9pt; }
ol.sources li { margin-bottom: 2mm; }
.url { color: var(--muted); font-size: 8pt; word-break: break-all; }
blockquote { margin: .5mm 0 0; padding-left: 2.5mm; border-left: 2px solid var(--rule); color: var(--muted);
  font-style: italic; }
footer { margin-top: 8mm; padding-top: 2mm; border-top: 1px solid var(--rule); font-size: 8.5pt;
  color: var(--muted); }
@page { size: A4 portrait; margin: 14mm 13mm 16mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt "Noto Sans", sans-serif;
    color: #555; } }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  a { text-decoration: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, .trend, blockquote, header, table.rankings, table.mini {
    break-inside: avoid; page-break-inside: avoid; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  section#sources { break-before: auto; }
}
"""
