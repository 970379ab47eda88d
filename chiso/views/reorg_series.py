"""Series across a reorganisation, as the pages show them: a new unit's predecessors' values
before the merger beside its own after it, the break marked, never one joined line; and the
index's back-cast (DTI: the mean of the predecessors, the publisher's rule), labelled derived and
never ranked.

Pure: frames in (``lineage_table.predecessors`` and ``totals_of``), rows and words out.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiso import fmt
from chiso.config import Index
from chiso.i18n import label, t
from chiso.metrics import backcast
from chiso.views import percentile

PROFILE_YEARS = 2
TREND_SCHEMA = {
    "unit_id": pl.String,
    "name": pl.String,
    **backcast.YEAR_SCORE_SCHEMA,
    "source_title": pl.String,
    "source_url": pl.String,
}
TREND_COLUMNS = list(TREND_SCHEMA)


@dataclass(frozen=True)
class TrendAdditions:
    rows: pl.DataFrame  # rows for the trend chart, named so each part is a line of its own
    breaks: list[tuple[int, str]]  # (first year on the new territory, note) per unit
    notes: list[str]  # what the added lines are, the back-cast rule


def _usable(preds: pl.DataFrame, unit_id: str) -> pl.DataFrame:
    """A unit's predecessor edges that name a stored unit (a renamed province's edge to itself
    names none: its former name carries the rows); none for a unit whose only predecessor is
    itself (a province that kept its name and territory: the peer set changed, the unit did not)."""
    mine = preds.filter(pl.col("unit_id") == unit_id)
    if mine.is_empty() or mine.get_column("same_unit").all():
        return mine.clear()
    return mine.filter(pl.col("other_id").is_not_null())


def rule_note(index: Index, lang: str) -> str:
    rule = index.backcast
    words = t(
        "reorg.rule.mean" if rule == "mean" else "reorg.rule.weighted",
        lang,
        by=getattr(rule, "weighted_by", ""),
    )
    publisher = label(index.backcast_note, lang) if index.backcast_note else ""
    return f"{words} {publisher}".strip()


def unit_parts(
    unit_id: str,
    name: str,
    own: pl.DataFrame,
    preds: pl.DataFrame,
    totals: pl.DataFrame,
    index: Index,
    national: bool,
    lang: str,
) -> tuple[pl.DataFrame, int | None]:
    """One unit's extra rows (its own rows before the break renamed as its former territory, each
    predecessor's rows before the break, the back-cast) and its break year."""
    edges = _usable(preds, unit_id)
    if edges.is_empty():
        return pl.DataFrame(schema=TREND_SCHEMA), None
    own = own.filter(pl.col("unit_id") == unit_id)
    cut = backcast.break_year(own, national, index.new_editions()) or backcast.REFORM_YEAR
    others = edges.filter(~pl.col("same_unit")).get_column("other_id").to_list()
    before = totals.filter(
        pl.col("unit_id").is_in(edges.get_column("other_id").to_list()) & (pl.col("year") < cut)
    )
    parts = []
    if edges.get_column("same_unit").any():
        mine = own.filter(pl.col("year") < cut).with_columns(
            name=pl.lit(t("reorg.former_self", lang, unit=name))
        )
        parts.append(mine.select(TREND_COLUMNS))
    names = {
        i: _short(o) if lv == "province" else o
        for i, o, lv in edges.select("other_id", "other", "level").rows()
    }
    theirs = before.filter(pl.col("unit_id").is_in(others))
    if not theirs.is_empty():
        labelled = theirs.with_columns(
            name=pl.col("unit_id").replace_strict(
                {i: t("reorg.predecessor_of", lang, unit=names[i], successor=name) for i in others},
                default=pl.col("name"),
            )
        )
        parts.append(labelled.select(TREND_COLUMNS))
    derived = backcast.derive(unit_id, edges, before, index.backcast)
    if not derived.is_empty():
        parts.append(
            derived.with_columns(
                name=pl.lit(t("reorg.derived_line", lang, unit=name)),
                source_title=pl.lit(t("reorg.derived_source", lang)),
                source_url=pl.lit(None, pl.String),
            ).select(TREND_COLUMNS)
        )
    rows = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame(schema=TREND_SCHEMA)
    return rows, cut


def _short(official: str) -> str:
    """'Tỉnh Bình Dương' -> 'Bình Dương' (a province's prefix only; communes keep theirs)."""
    for prefix in ("Tỉnh ", "Thành phố "):
        if official.startswith(prefix) and official[len(prefix) :].strip():
            return official[len(prefix) :]
    return official


def for_trends(
    series: pl.DataFrame,
    chosen: list[str],
    preds: pl.DataFrame,
    totals: pl.DataFrame,
    index: Index,
    national: bool,
    lang: str,
) -> TrendAdditions | None:
    """What the trend chart adds for the chosen units that have predecessors; None when none has.
    The chosen units' own rows before the break move to a line of their own (the former
    territory), so no line joins the two sides of a reorganisation."""
    names = dict(series.select("unit_id", "name").unique("unit_id").rows())
    added, cut_units = [], {}
    for unit_id in chosen:
        name = names.get(unit_id, unit_id)
        rows, cut = unit_parts(unit_id, name, series, preds, totals, index, national, lang)
        if cut is None:
            continue
        added.append(rows)
        cut_units.setdefault(cut, []).append(name)
    if not cut_units:
        return None
    breaks = [
        (
            year,
            t(
                "reorg.break_many" if len(units) > 1 else "reorg.break",
                lang,
                unit=", ".join(units),
                year=year,
            ),
        )
        for year, units in cut_units.items()
    ]
    rows = pl.concat(added, how="vertical_relaxed")
    notes = [t("reorg.trend_note", lang)]
    if not rows.filter(pl.col("rank_basis") == backcast.DERIVED_BASIS).is_empty():
        notes.append(t("reorg.derived_note", lang, rule=rule_note(index, lang)))
    return TrendAdditions(rows, sorted(breaks), notes)


def split_own(series: pl.DataFrame, additions: TrendAdditions | None) -> pl.DataFrame:
    """The chosen units' rows with those now drawn as their former territory taken out."""
    if additions is None:
        return series
    moved = additions.rows.filter(pl.col("rank_basis").fill_null("") != backcast.DERIVED_BASIS)
    keys = moved.select("unit_id", "year").unique()
    return series.join(keys, on=["unit_id", "year"], how="anti")


def profile_table(
    unit_id: str, name: str, own: pl.DataFrame, preds: pl.DataFrame, totals: pl.DataFrame, catalog, lang: str
) -> pl.DataFrame:
    """Per index: the unit's own totals after the break and its predecessors' before, the
    back-cast labelled — the profile's 'before and after' table. Empty without predecessors."""
    edges = _usable(preds, unit_id)
    if edges.is_empty():
        return pl.DataFrame()
    own_totals = own.filter(pl.col("component").is_null()) if "component" in own.columns else own
    lines = []
    for code in catalog.codes:
        index = catalog.index(code)
        mine = own_totals.filter(pl.col("index_code") == code)
        theirs = totals.filter(pl.col("index_code") == code)
        if theirs.filter(pl.col("unit_id") != unit_id).is_empty() and mine.is_empty():
            continue
        national = bool(mine.height and mine.item(0, "scope_province") == "")
        rows, cut = unit_parts(unit_id, name, mine, preds, theirs, index, national, lang)
        # The profile keeps the last PROFILE_YEARS years before the break; trends show them all.
        rows = rows.filter(pl.col("year") >= (cut or backcast.REFORM_YEAR) - PROFILE_YEARS)
        after = mine.filter(pl.col("year") >= (cut or backcast.REFORM_YEAR)).with_columns(name=pl.lit(name))
        every = pl.concat([rows, after.select(TREND_COLUMNS)], how="vertical_relaxed")
        if every.filter(pl.col("unit_id") != unit_id).is_empty() and rows.is_empty():
            continue
        for row in every.sort("year", "name").iter_rows(named=True):
            lines.append(_profile_line(row, index, cut, lang))
    if not lines:
        return pl.DataFrame()
    return pl.DataFrame(lines).rename({k: t(f"reorg.col.{k}", lang) for k in lines[0]})


def _profile_line(row: dict, index: Index, cut: int | None, lang: str) -> dict:
    decimals = index.decimals
    derived = row["rank_basis"] == backcast.DERIVED_BASIS
    side = "derived" if derived else ("after" if cut is not None and row["year"] >= cut else "before")
    return {
        "index": label(index.short_name, lang),
        "year": row["year"],
        "unit": row["name"],
        "score": fmt.number(row["score"], decimals if (row["max_score"] or 0) > 1 else 4, lang=lang),
        "rank": percentile.rank_text(row, lang),
        "side": t(f"reorg.side.{side}", lang),
    }


def ranking_predecessors(
    ranking: pl.DataFrame, preds: pl.DataFrame, totals: pl.DataFrame, index: Index, lang: str
) -> tuple[pl.DataFrame, list[str]]:
    """Beside a ranking of new units (DTI 2024 of the 34 provinces): each merged unit's
    predecessors with their value of the same index in the same year as the former units were
    ranked (the 63-province edition) or, where none is stored, their latest earlier one; and the
    back-cast of that year where the config asks for one, labelled as derived and unranked. The
    published ranking itself is left as published. Empty when the table is not one of new units."""
    if ranking.is_empty():
        return pl.DataFrame(), []
    national = ranking.item(0, "scope_province") == ""
    year = int(ranking.item(0, "year"))
    after = backcast.after_reform(national, index.new_editions())
    if ranking.filter(after).is_empty():
        return pl.DataFrame(), []
    lines = []
    for unit in ranking.filter(pl.col("component").is_null()).iter_rows(named=True):
        edges = _usable(preds, unit["unit_id"])
        if edges.is_empty():
            continue
        for edge in edges.iter_rows(named=True):
            theirs = totals.filter(
                (pl.col("unit_id") == edge["other_id"]) & (pl.col("index_code") == index.code)
            ).filter(~after & (pl.col("year") <= year))
            last = theirs.sort("year").tail(1).to_dicts()
            lines.append(_predecessor_line(unit, edge, last[0] if last else None, year, index, lang))
        before = totals.filter(pl.col("index_code") == index.code, pl.col("year") == year)
        derived = backcast.derive(unit["unit_id"], edges, before.filter(~after), index.backcast)
        decimals = index.decimals_for(unit["province"], unit["peer_group"], year)
        for row in derived.iter_rows(named=True):
            lines.append(
                {
                    "unit": unit["name"],
                    "rank": fmt.EMPTY,  # a derived value is never ranked
                    "predecessor": t("reorg.derived_short", lang),
                    "value": f"{row['year']}: {fmt.number(row['score'], decimals, lang=lang)}",
                }
            )
    if not lines:
        return pl.DataFrame(), []
    notes = [t("reorg.ranking_note", lang, year=year)]
    if index.backcast != "none":
        notes.append(t("reorg.derived_note", lang, rule=rule_note(index, lang)))
    table = pl.DataFrame(lines).rename({k: t(f"reorg.rcol.{k}", lang) for k in lines[0]})
    return table, notes


def _predecessor_line(unit: dict, edge: dict, last: dict | None, year: int, index: Index, lang: str) -> dict:
    name = (
        (_short(edge["other"]) if edge["level"] == "province" else edge["other"])
        if not edge["same_unit"]
        else t("reorg.former_self", lang, unit=unit["name"])
    )
    if last is None:
        value = t("lineage.no_results", lang)
    else:
        decimals = index.decimals_for(last["province"], last["peer_group"], last["year"])
        parts = [f"{last['year']}: {fmt.number(last['score'], decimals, lang=lang)}"]
        if last.get("rank") is not None:
            parts.append(percentile.rank_text(last, lang))
        if last["year"] != year:
            parts.append(t("reorg.not_same_year", lang, year=year))  # the former edition can be imported
        value = " · ".join(parts)
    return {
        "unit": unit["name"],
        "rank": percentile.rank_text(unit, lang),
        "predecessor": name,
        "value": value,
    }
