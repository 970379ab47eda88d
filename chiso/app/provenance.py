"""Findings as one numbered list, with the rows they are read from on demand in a single panel
(Streamlit layer): per sentence the value it rests on, its source title linked to the source's
address (http(s) only, through :func:`chiso.safe.http_link`), the quote and any flag, in words,
never as raw JSON."""

from __future__ import annotations

import streamlit as st

from chiso import fmt, safe
from chiso.i18n import t
from chiso.metrics import gaps
from chiso.views.findings import evidence, finding_line, score_text


def source_link(title: str, url: str | None) -> str:
    """A source title as markdown: linked when its address is http(s), the host named after it."""
    text = safe.md(title or "–")
    link = safe.http_link(url)
    if link is None:
        return text
    address, host = link
    address = address.replace("(", "%28").replace(")", "%29")
    return f"[{text}]({address}) ({safe.md(host)})"


def _value_line(row: dict, lang: str, catalog=None) -> str:
    """'Xã Cẩm Lĩnh Nam · 2026 · Nhận thức số · 87 điểm · Hạng 12/51': the component by its
    name (its code had shown: 'nhan_thuc_so') and the score written as the sentences write it
    ('943/1.000 điểm', '98,89 %'; it had read '943,00/1.000' and '98,89/100')."""
    code = row.get("index_code")
    index = catalog.index(code) if catalog is not None and code and code.upper() in catalog.codes else None
    parts = [str(row.get("name") or ""), str(row.get("year") or "")]
    if row.get("component"):
        where = (row.get("province") or "", row.get("peer_group") or "", row.get("year"))
        names = gaps.component_names(index, *where, lang) if index is not None and where[2] else {}
        parts.append(names.get(row["component"], str(row["component"])))
    if row.get("score") is not None:
        if index is not None:
            parts.append(score_text(row, index, lang))
        else:
            top = row.get("max_score")
            score = fmt.number(row["score"], 2, lang=lang)
            parts.append(
                f"{t('chart.score', lang)} {score}" + (f"/{fmt.number(top, 0, lang=lang)}" if top else "")
            )
    if row.get("rank") is not None:
        parts.append(f"{t('col.rank', lang)} {fmt.rank(row['rank'], row.get('rank_of'))}")
    return " · ".join(p for p in parts if p)


def panel_lines(found: list, lang: str, catalog=None) -> list[str]:
    """The provenance panel's markdown, one block per sentence (``catalog``: components by name,
    scores written as the sentences write them)."""
    blocks = []
    for i, finding in enumerate(found, start=1):
        row = evidence(finding)
        lines = [f"**{i}.** {safe.md(_value_line(finding.row, lang, catalog))}"]
        lines.append(
            f"{t('findings.source', lang)}: {source_link(row.get('source_title'), row.get('source_url'))}"
        )
        if row.get("quote"):
            lines.append(f"{t('findings.quote', lang)}: “{safe.md(row['quote'])}”")
        if finding.note:
            lines.append(f"⚑ {t('findings.flag', lang)}: {safe.md(finding.note)}")
        blocks.append("  \n".join(lines))
    return blocks


def findings(found: list, lang: str, key: str = "findings", catalog=None) -> None:
    """The sentences as one numbered list; their sources in one folded panel below it."""
    if not found:
        return
    # Sentences carry unit names and flags from files: shown as text, never markup.
    st.markdown("\n".join(f"{i}. {safe.md(finding_line(f, lang))}" for i, f in enumerate(found, start=1)))
    with st.expander(t("findings.evidence_all", lang), expanded=False, icon=":material/description:"):
        for block in panel_lines(found, lang, catalog):
            st.markdown(block)
