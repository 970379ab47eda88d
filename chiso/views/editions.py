"""Which edition of a year a table shows (DTI 2024: 63 or 34 provinces; config ``editions``):
its label for captions, table columns and exports. Pure, no Streamlit."""

from __future__ import annotations

import polars as pl

from chiso import fmt
from chiso.config import Index
from chiso.i18n import label, t
from chiso.views import percentile


def name(index: Index, year: int, code: str, lang: str, peer_group: str | None = None) -> str:
    """The edition's label in the language ('' for a year of one edition, the code when unknown)."""
    if not code:
        return ""
    edition = index.edition(year, code, peer_group)
    return label(edition.name, lang) if edition else code


def of_table(ranking: pl.DataFrame) -> str:
    """The edition code of one table's rows ('' for a year of one edition)."""
    if ranking.is_empty() or "edition" not in ranking.columns:
        return ""
    first = ranking.get_column("edition").first()
    return "" if first is None else str(first)


def caption(ranking: pl.DataFrame, index: Index, lang: str) -> str | None:
    """'Lần công bố: 34 tỉnh, thành phố (từ 1/7/2025)' for a table of an edition; None otherwise."""
    code = of_table(ranking)
    if not code:
        return None
    first = ranking.row(0, named=True)
    return t("edition.caption", lang, name=name(index, first["year"], code, lang, first["peer_group"]))


def with_column(table: pl.DataFrame, ranking: pl.DataFrame, index: Index, lang: str) -> pl.DataFrame:
    """An exported table of an edition gets a column naming it; other tables are unchanged."""
    code = of_table(ranking)
    if not code or table.is_empty():
        return table
    first = ranking.row(0, named=True)
    text = name(index, first["year"], code, lang, first["peer_group"])
    return table.with_columns(pl.lit(text).alias(t("export.col.edition", lang)))


def with_code(rows: pl.DataFrame, ranking: pl.DataFrame) -> pl.DataFrame:
    """Machine rows (``chiso rank`` CSV/JSON) of an edition's table get its code in ``edition``."""
    code = of_table(ranking)
    return rows.with_columns(edition=pl.lit(code)) if code else rows


def beside_lines(rows: pl.DataFrame, catalog, lang: str) -> list[str]:
    """Beside a series of default editions: one line per index, year and edition not shown, with
    each unit's value and rank in that edition's own table ('DTI — Lần công bố khác của năm 2024:
    63 tỉnh, thành phố (trước 1/7/2025) — Hồ Chí Minh 0,8012 · 1/63 · phân vị 100').
    ``rows``: ``queries.other_editions``."""
    lines = []
    keys = ["index_code", "year", "edition"]
    for (code, year, edition), part in rows.sort(*keys, "name").group_by(keys, maintain_order=True):
        index = catalog.index(code)
        first = part.row(0, named=True)
        decimals = index.decimals_for(first["province"], first["peer_group"], year)
        values = [
            f"{row['name']} {fmt.number(row['score'], decimals, lang=lang)}"
            f" · {percentile.rank_text(row, lang)}"
            for row in part.iter_rows(named=True)
        ]
        other = t(
            "edition.other", lang, year=year, name=name(index, year, edition, lang, first["peer_group"])
        )
        lines.append(f"{label(index.short_name, lang)} — {other} — {'; '.join(values)}")
    return lines
