"""Where a view's numbers come from, as the exports list them (pure: frames in, entries out).

A *source entry* is one source (title, URL) listed once, with the rows of the exported table it
supports: ``rows`` holds the values of the table's key column, or None when the source supports
every row; ``note`` says in words which part of the table it supports otherwise. How a CSV or
XLSX shows them is :mod:`chiso.export.sources`.
"""

from __future__ import annotations

import polars as pl

from chiso import exprs

KEY_JOIN = " · "  # a row named by several columns: 'Quảng Ninh · PCI'


def entries(rows: pl.DataFrame, label: pl.Expr | str | None = None, *, note: str | None = None) -> list[dict]:
    """One entry per distinct (source title, URL) of ``rows``, in order of appearance.

    ``label`` gives, for each row, the key of the exported row it supports (None: every row).
    """
    if rows.is_empty() or "source_title" not in rows.columns:
        return []
    frame = rows.with_columns(
        pl.col("source_title").fill_null(""),
        (pl.col("source_url") if "source_url" in rows.columns else pl.lit(""))
        .fill_null("")
        .alias("source_url"),
        (pl.col("quote") if "quote" in rows.columns else pl.lit("")).fill_null("").alias("quote"),
        (pl.lit(None, pl.String) if label is None else pl.col(label) if isinstance(label, str) else label)
        .cast(pl.String)
        .alias("_label"),
    ).filter((pl.col("source_title") != "") | (pl.col("source_url") != ""))
    grouped = frame.group_by("source_title", "source_url", maintain_order=True).agg(
        pl.col("_label").drop_nulls().unique(maintain_order=True).alias("labels"),
        pl.col("quote").filter(pl.col("quote") != "").unique(maintain_order=True).alias("quotes"),
    )
    return [
        {
            "title": row["source_title"],
            "url": row["source_url"],
            "quote": row["quotes"][0] if len(row["quotes"]) == 1 else "",
            "rows": None if label is None else row["labels"],
            "note": note or "",
        }
        for row in grouped.iter_rows(named=True)
    ]


def merge(*lists: list[dict]) -> list[dict]:
    """The entries of several lists with each source once: rows united, notes joined."""
    out: dict[tuple[str, str], dict] = {}
    for entry in (e for found in lists for e in found):
        key = (entry["title"], entry["url"])
        if key not in out:
            out[key] = {**entry, "rows": None if entry["rows"] is None else list(entry["rows"])}
            continue
        kept = out[key]
        if kept["rows"] is None or entry["rows"] is None:
            kept["rows"] = None
        else:
            kept["rows"] += [r for r in entry["rows"] if r not in kept["rows"]]
        if entry["note"] and entry["note"] not in kept["note"]:
            kept["note"] = "; ".join(n for n in (kept["note"], entry["note"]) if n)
        if kept["quote"] != entry["quote"]:
            kept["quote"] = ""
    return list(out.values())


def rounded(column: str, places: int) -> pl.Expr:
    """A float column rounded half up as the screen shows it (``96.50000000000001`` -> 96.5)."""
    return exprs.round_half_up(column, places)


def number_format(decimals: int) -> str:
    """An Excel number format with thousands grouping: 2 -> ``#,##0.00``, 0 -> ``#,##0``."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
