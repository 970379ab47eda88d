"""The profile's lineage section: a new unit's predecessors with their last results, an old
unit's successors (and theirs where stored), from the ``lineage`` table the build writes.

Pure: frames in (:func:`chiso.store.lineage_table.lineage_of` and ``last_results``), a small
frozen view out; the profile page and ``chiso export profile`` read the same view.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiso import fmt
from chiso.errors import ChisoError
from chiso.i18n import label, t
from chiso.views import percentile

MAX_ROWS = 60  # a former district went to at most a few dozen new units


@dataclass(frozen=True)
class LineageView:
    heading: str
    display: pl.DataFrame  # the table as shown
    table: pl.DataFrame  # the same rows for CSV/XLSX (dates as dates)
    note: str  # where the relation comes from; what 'part' means
    more: int  # rows left out of ``display`` beyond MAX_ROWS


def result_text(row: dict, catalog, lang: str) -> str:
    """'PAR 2024: 91,24 · 3/13 · phân vị 83' — the stored total, rank and percentile as stored."""
    try:
        index = catalog.index(row["index_code"])
        name = label(index.short_name, lang)
        decimals = index.decimals_for(row.get("province") or "", row.get("peer_group") or "", row["year"])
    except ChisoError:
        name, decimals = row["index_code"], 2
    parts = [f"{name} {row['year']}: {fmt.number(row.get('score'), decimals, lang=lang)}"]
    if row.get("rank") is not None:
        parts.append(percentile.rank_text(row, lang))
    if row.get("flag"):
        parts.append(f"⚑ {row['flag']}")
    return " · ".join(parts)


def _results_by_unit(results: pl.DataFrame, catalog, lang: str) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    for row in results.iter_rows(named=True):
        found.setdefault(row["unit_id"], []).append(result_text(row, catalog, lang))
    return {unit: "; ".join(texts) for unit, texts in found.items()}


def build(edges: pl.DataFrame, results: pl.DataFrame, catalog, lang: str) -> LineageView | None:
    """None when the unit has neither predecessors nor successors."""
    if edges.is_empty():
        return None
    shown = _results_by_unit(results, catalog, lang)
    roles = {r: t(f"lineage.role.{r}", lang) for r in ("predecessor", "successor")}
    kinds = {k: t(f"lineage.kind.{k}", lang) for k in ("whole", "part")}
    rows = []
    for row in edges.iter_rows(named=True):
        where = ", ".join(p for p in (row.get("other_district"), row.get("other_province")) if p)
        rows.append(
            {
                "role": roles.get(row["role"], row["role"]),
                "unit": f"{row['other']} ({where})" if where else row["other"],
                "date": row["date"],
                "kind": kinds.get(row["kind"], row["kind"]),
                "last": shown.get(row.get("other_id") or "", t("lineage.no_results", lang)),
            }
        )
    table = pl.DataFrame(
        rows,
        schema={"role": pl.String, "unit": pl.String, "date": pl.Date, "kind": pl.String, "last": pl.String},
    )
    headers = {c: t(f"lineage.col.{c}", lang) for c in table.columns}
    display = table.head(MAX_ROWS).with_columns(pl.col("date").dt.strftime("%d/%m/%Y").fill_null(fmt.EMPTY))
    has_new = (edges.get_column("role") == "predecessor").any()
    return LineageView(
        heading=t("lineage.heading_new" if has_new else "lineage.heading_old", lang),
        display=display.rename(headers),
        table=table.rename(headers),
        note=t("lineage.note", lang, sources=", ".join(sorted(set(edges.get_column("source").drop_nulls())))),
        more=max(0, table.height - MAX_ROWS),
    )


def before_after(rows: pl.DataFrame, reorg, catalog, lang: str) -> dict:
    """The profile's before/after table and its notes (``ProfileView`` fields), or nothing."""
    if reorg is None or rows.is_empty():
        return {}
    from chiso.views import reorg_series

    first = rows.row(0, named=True)
    table = reorg_series.profile_table(first["unit_id"], first["name"], rows, *reorg, catalog, lang)
    if table.is_empty():
        return {}
    notes = [t("reorg.trend_note_profile", lang)]
    derived = t("reorg.side.derived", lang)
    shown = set(
        table.filter(pl.col(t("reorg.col.side", lang)) == derived).get_column(t("reorg.col.index", lang))
    )
    rules = {reorg_series.rule_note(i, lang) for i in catalog.indices if label(i.short_name, lang) in shown}
    notes += [t("reorg.derived_note", lang, rule=rule) for rule in sorted(rules)]
    return {"before_after": table, "before_after_notes": tuple(notes)}
