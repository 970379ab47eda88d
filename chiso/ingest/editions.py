"""Two editions of one year's provincial ranking: DTI 2024 was published for the 63 former
provinces and again for the 34 provinces formed on 1 July 2025. A province that kept its unit
(Hà Nội, Hồ Chí Minh) can hold only one of them, since a stored value is keyed by unit, index,
component and year, with no edition. An import that would swap one edition's rank for the
other's is refused, even with ``--replace`` (it is not a correction), with one coded problem
per row. Pure Polars: the import plan's changed rows in, problems out."""

from __future__ import annotations

import polars as pl

from chiso.ingest.problems import Issue, issue

OLD_PROVINCES, NEW_PROVINCES = 63, 34  # to 30 June 2025; from 1 July 2025 (as metrics.backcast)
EDITIONS = [OLD_PROVINCES, NEW_PROVINCES]


def clashes(changed: pl.DataFrame | None, file: str) -> list[Issue]:
    """Rows of ``changed`` (old and new values side by side) whose rank is out of 63 on one side
    and out of 34 on the other."""
    if changed is None or changed.is_empty() or "old_published_rank_of" not in changed.columns:
        return []
    old, new = pl.col("old_published_rank_of"), pl.col("published_rank_of")
    found = changed.filter(old.is_in(EDITIONS) & new.is_in(EDITIONS) & (old != new))
    return [
        issue(
            file,
            "import.edition_clash",
            row=row.get("source_row"),
            column="rank_of",
            unit=row["unit"],
            index=row["index_code"],
            year=row["year"],
            old=_rank(row["old_published_rank"], row["old_published_rank_of"]),
            new=_rank(row["published_rank"], row["published_rank_of"]),
            old_of=row["old_published_rank_of"],
            new_of=row["published_rank_of"],
        )
        for row in found.iter_rows(named=True)
    ]


def _rank(rank: int | None, of: int) -> str:
    return f"{'–' if rank is None else rank}/{of}"
