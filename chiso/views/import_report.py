"""What a steward reads before and after an import: the same content on the CLI and the page.

Pure functions over an ImportPlan: a summary, the problems and warnings with where they are,
and the rows to add, to change (old → new) and unchanged, with Vietnamese numbers.
"""

from __future__ import annotations

import polars as pl

from chiso import fmt
from chiso.config import Catalog
from chiso.i18n import label, t
from chiso.ingest.annex import ColumnRole
from chiso.ingest.problems import Issue, note_text

ROLE_KEYS = {
    "unit": "import.role.unit",
    "code": "import.role.code",
    "province": "import.role.province",
    "year": "import.role.year",
    "index": "import.role.index",
    "unit_type": "import.role.unit_type",
    "component": "import.role.component",
    "total": "import.role.total",
    "rank": "import.role.rank",
    "ignored": "import.role.ignored",
    "long": "import.role.long",
}


def summary(plan, lang: str = "vi", *, columns: bool = True) -> list[str]:
    """File, layout, how each column was read (unless shown as a table), and the counts."""
    lines = [
        t(
            "import.file",
            lang,
            file=plan.file,
            size=fmt.number(plan.size, 0, lang=lang),
            sha=plan.sha256[:12],
        )
    ]
    if plan.layout:
        layout = t(f"import.layout.{plan.layout}", lang)
        lines.append(
            t("import.sheet", lang, sheet=plan.sheet, layout=layout)
            if plan.sheet
            else t("import.layout", lang, layout=layout)
        )
    if plan.columns and columns:
        lines.append(t("import.columns", lang, columns="; ".join(column_text(c, lang) for c in plan.columns)))
    for style in ("vn", "en"):
        letters = [c.label.split(" ")[0] for c in plan.columns if c.number_style == style]
        if letters:
            lines.append(t(f"import.style.{style}", lang) + ": " + ", ".join(letters))
    if plan.ok and plan.rows is not None:
        added, changed, unchanged = plan.counts
        lines.append(t("import.counts", lang, added=added, changed=changed, unchanged=unchanged))
    return lines


def column_text(role: ColumnRole, lang: str) -> str:
    text = f"{role.label} → {t(ROLE_KEYS.get(role.role, 'import.role.ignored'), lang)}"
    if role.component:
        text += f" {role.component}"
    return text


def columns_table(plan, lang: str) -> pl.DataFrame:
    """How each column of the file was understood, for the page."""
    return pl.DataFrame(
        {
            t("import.col.column", lang): [c.label for c in plan.columns],
            t("import.col.role", lang): [
                t(ROLE_KEYS.get(c.role, "import.role.ignored"), lang) for c in plan.columns
            ],
            t("import.col.component", lang): [c.component or "" for c in plan.columns],
        },
        schema=dict.fromkeys(
            [t("import.col.column", lang), t("import.col.role", lang), t("import.col.component", lang)],
            pl.String,
        ),
    )


def issues_table(issues: list[Issue], lang: str) -> pl.DataFrame:
    """One row per problem or warning: where it is, what it is, what to do."""
    return pl.DataFrame(
        {
            t("import.col.sheet", lang): [i.sheet or "" for i in issues],
            t("import.col.row", lang): [i.row for i in issues],
            t("import.col.column", lang): [i.column or "" for i in issues],
            t("import.col.message", lang): [i.text(lang) for i in issues],
            t("import.col.hint", lang): [i.hint_text(lang) or "" for i in issues],
        },
        schema={
            t("import.col.sheet", lang): pl.String,
            t("import.col.row", lang): pl.Int64,
            t("import.col.column", lang): pl.String,
            t("import.col.message", lang): pl.String,
            t("import.col.hint", lang): pl.String,
        },
    )


def _component_name(catalog: Catalog, index: str, component: str | None, lang: str) -> str:
    if component is None:
        return t("import.total", lang)
    for variant in catalog.index(index).variants:
        for comp in variant.components:
            if comp.code == component:
                return label(comp.name, lang)
    return component


def _decimals(catalog: Catalog, row: dict) -> int:
    return catalog.index(row["index_code"]).decimals_for(row["province"], row["peer_group"], row["year"])


def _rank(rank, rank_of) -> str:
    return fmt.rank(rank, rank_of) if rank is not None else fmt.EMPTY


def rows_table(frame: pl.DataFrame, catalog: Catalog, lang: str, *, changed: bool = False) -> pl.DataFrame:
    """Rows to add or unchanged (score, rank), or to change (old → new), as text cells."""
    out = []
    for row in frame.iter_rows(named=True):
        decimals = _decimals(catalog, row)
        score = fmt.number(row["score"], decimals, lang=lang)
        rank = _rank(row["published_rank"], row["published_rank_of"])
        if changed:
            old_score = fmt.number(row["old_score"], decimals, lang=lang)
            old_rank = _rank(row["old_published_rank"], row["old_published_rank_of"])
            score = score if old_score == score else f"{old_score} → {score}"
            rank = rank if old_rank == rank else f"{old_rank} → {rank}"
        out.append(
            {
                t("import.col.source_row", lang): row.get("source_row"),
                t("col.unit", lang): row["unit"],
                t("sel.index", lang): row["index_code"],
                t("import.col.component", lang): _component_name(
                    catalog, row["index_code"], row["component"], lang
                ),
                t("sel.year", lang): row["year"],
                t("import.col.score", lang): score,
                t("import.col.max_score", lang): fmt.number(row["max_score"], decimals, lang=lang),
                t("col.rank", lang): rank,
            }
        )
    return pl.DataFrame(out) if out else pl.DataFrame()


def text_report(plan, catalog: Catalog, lang: str = "vi", *, limit: int = 50) -> str:
    """The preview as plain text for the CLI: the same content as the page."""
    lines = summary(plan, lang)
    for note in plan.notes:
        lines.append(f"  · {note_text(note, lang)}")
    if plan.errors:
        lines.append(t("import.errors", lang, n=len(plan.errors)))
        lines += [f"  ✗ {issue.render(lang)}" for issue in plan.errors]
    if plan.warnings:
        lines.append(t("import.warnings", lang, n=len(plan.warnings)))
        lines += [f"  ! {issue.render(lang)}" for issue in plan.warnings]
    if plan.ok and plan.rows is not None:
        for key, frame, changed in (
            ("import.added", plan.added, False),
            ("import.changed", plan.changed, True),
        ):
            if frame.is_empty():
                continue
            lines.append(t(key, lang, n=frame.height))
            table = rows_table(frame.head(limit), catalog, lang, changed=changed)
            for row in table.iter_rows():
                lines.append("  " + " · ".join("" if v is None else str(v) for v in row))
            if frame.height > limit:
                lines.append("  " + t("import.more", lang, n=frame.height - limit))
    return "\n".join(lines)


def audit_table(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The audit view: who imported which file when, what it changed, whether it was undone."""
    rows = []
    for row in frame.iter_rows(named=True):
        rows.append(
            {
                t("import.audit.id", lang): row["import_id"],
                t("import.audit.when", lang): str(row["imported_at"]) if row["imported_at"] else "",
                t("import.audit.who", lang): row["who"],
                t("import.audit.file", lang): row["file"],
                t("import.audit.sha", lang): (row["sha256"] or "")[:12],
                t("import.audit.added", lang): row["rows_added"],
                t("import.audit.changed", lang): row["rows_changed"],
                t("import.audit.undone", lang): (
                    f"{row['undone_at']} ({row['undone_by']})" if row["undone_at"] else ""
                ),
            }
        )
    return pl.DataFrame(rows) if rows else pl.DataFrame()
