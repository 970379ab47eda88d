"""What a ranking looks like once it leaves the store: the machine columns the CLI prints
and the Vietnamese table the page shows. Pure functions over Polars frames."""

from __future__ import annotations

import polars as pl

from chiso import fmt
from chiso.config import Index
from chiso.i18n import t

MACHINE_COLUMNS = ["rank", "rank_of", "unit", "score", "max_score", "pct_of_max", "tier", "published_rank"]


def machine_rows(ranking: pl.DataFrame, lang: str = "vi") -> pl.DataFrame:
    """The ``chiso rank`` columns: plain numbers, dot decimals, % of max rounded half up to 2."""
    return ranking.select(
        "rank",
        "rank_of",
        pl.col("name").alias("unit"),
        "score",
        "max_score",
        pl.col("pct_of_max").map_elements(fmt.round_half_up, return_dtype=pl.Float64).alias("pct_of_max"),
        pl.col("tier_vi" if lang == "vi" else "tier_en").alias("tier"),
        "published_rank",
    )


def rank_note(row: dict, lang: str) -> str:
    """Why a rank reads the way it does: inferred from list order, among units in the data…"""
    notes = []
    if row.get("rank_basis") == "list_order":
        notes.append(t("rank.basis.list_order", lang))
    if row.get("rank_basis") == "partial":
        notes.append(t("rank.basis.partial", lang))
    if row.get("rank_mismatch"):
        notes.append(t("rank.mismatch", lang, computed=row.get("rank_computed")))
    if row.get("flag"):
        notes.append(str(row["flag"]))
    return "; ".join(notes)


def display_table(ranking: pl.DataFrame, index: Index, lang: str) -> pl.DataFrame:
    """The rankings table as shown: text cells with Vietnamese numbers, tier names, arrows."""
    if ranking.is_empty():
        return pl.DataFrame()
    first = ranking.row(0, named=True)
    decimals = index.decimals_for(first["province"], first["peer_group"], first["year"])
    unit = scale_label(index, first["province"], first["peer_group"], first["year"], lang)
    rows = []
    for row in ranking.iter_rows(named=True):
        rows.append(
            {
                t("col.rank", lang): fmt.rank(row["rank"], row["rank_of"]),
                t("col.unit", lang): row["name"],
                t("col.score", lang, unit=unit): fmt.number(row["score"], decimals, lang=lang),
                t("col.pct_of_max", lang): fmt.percent(row["pct_of_max"], lang=lang),
                t("col.tier", lang): row["tier_vi" if lang == "vi" else "tier_en"] or fmt.EMPTY,
                t("col.d_score", lang): fmt.signed(row["d_score"], decimals, lang=lang),
                t("col.d_rank", lang): fmt.rank_change(row["d_rank"]),
                t("col.note", lang): rank_note(row, lang),
                t("col.source", lang): row["source_title"] or fmt.EMPTY,
            }
        )
    return pl.DataFrame(rows)


def table_status(ranking: pl.DataFrame) -> str:
    """'complete', 'incomplete' or 'empty': drives the sentence above the table."""
    if ranking.is_empty() or (
        ranking.get_column("score").null_count() == ranking.height
        and ranking.get_column("rank").null_count() == ranking.height
    ):
        return "empty"
    return "complete" if bool(ranking.get_column("complete").all()) else "incomplete"


def status_sentence(ranking: pl.DataFrame, status: str, lang: str) -> str:
    """The sentence above the table: complete, complete with mismatches, or incomplete."""
    scored = ranking.get_column("score").count()
    if status == "complete":
        mismatches = int(ranking.get_column("rank_mismatch").sum())
        if mismatches:
            return t("rankings.complete_mismatch", lang, n=scored, k=mismatches)
        return t("rankings.complete", lang, n=scored)
    rank_of = ranking.get_column("published_rank_of").max()
    of = t("rankings.incomplete_of", lang, n=rank_of) if rank_of else ""
    return t("rankings.incomplete", lang, scored=scored, of=of)


def source_line(ranking: pl.DataFrame, lang: str) -> str:
    """'Nguồn: …' naming the distinct sources of a table (at most two, then '…')."""
    titles = [s for s in ranking.get_column("source_title").unique(maintain_order=True).to_list() if s]
    if not titles:
        return ""
    text = "; ".join(titles[:2]) + (" …" if len(titles) > 2 else "")
    return t("chart.source", lang, source=text)


def file_name(sel) -> str:
    """A meaningful download name: 'chiso_PAR_2022_departments_hoa-binh'."""
    from chiso.names import slug

    parts = [
        "chiso",
        sel.index,
        str(sel.year),
        sel.peer_group,
        slug(sel.province) if sel.province else "toan-quoc",
    ]
    return "_".join(parts)


def scale_label(index: Index, province: str, peer_group: str, year: int, lang: str) -> str:
    """The unit and scale a number is read on: '%', '/100', '/30', '/1000'."""
    unit = index.unit_for(province, peer_group, year).get(lang, "")
    if unit.strip() == "%":
        return "%"
    top = index.max_for(province, peer_group, year, None)
    return f"/{fmt.number(top, 0 if float(top).is_integer() else 1, lang=lang)}"


def published_stat_lines(stats: pl.DataFrame, decimals: int, lang: str) -> list[str]:
    """'Bình quân công bố: 87,12 (source)' for each published average or median of a table."""
    return [
        t(
            "rankings.published_stat",
            lang,
            stat=t(f"stat.{row['stat']}", lang),
            value=fmt.number(row["value"], decimals, lang=lang),
            source=row["source_title"],
        )
        for row in stats.iter_rows(named=True)
    ]
