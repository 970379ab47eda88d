"""The about page (Giới thiệu) as one view: each declared index with its title line and description."""

from __future__ import annotations

from dataclasses import dataclass

from chiso import fmt
from chiso.i18n import label


@dataclass(frozen=True)
class IndexEntry:
    title: str  # 'PAR · Chỉ số cải cách hành chính — 100 điểm'
    description: str


def build(catalog, lang: str) -> list[IndexEntry]:
    return [
        IndexEntry(
            f"{index.code} · {label(index.name, lang)} — "
            f"{fmt.number(index.max_score, 0, lang=lang)} {label(index.unit, lang)}",
            label(index.description, lang),
        )
        for index in catalog.indices
    ]
