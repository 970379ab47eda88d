"""Each edition of a year is a table of its own: ranks, N and peer statistics never mix the 63-
and the 34-province DTI 2024, and a rank change continues only the edition that continues the
series (config ``editions``: the former units' edition continues the years before it, the new
units' edition is continued by the years after it)."""

from __future__ import annotations

import polars as pl

from chiso.config import load_catalog
from chiso.ingest.editions import continued
from chiso.metrics import ranks
from tests.conftest import CONFIG


def _row(unit: str, year: int, edition: str, score: float, rank_of: int) -> dict:
    return {
        "scope_province": "",
        "province": unit,
        "peer_group": "provinces",
        "unit_id": unit,
        "index_code": "DTI",
        "component": None,
        "year": year,
        "edition": edition,
        "score": score,
        "max_score": 1.0,
        "higher_is_better": True,
        "published_rank": None,
        "published_rank_of": rank_of,
        "rank_basis": None,
        "flag": None,
    }


def test_two_editions_of_one_year_are_ranked_apart_with_their_own_n():
    rows = pl.DataFrame(
        [
            _row("x", 2024, "63", 0.9, 2),
            _row("y", 2024, "63", 0.8, 2),
            _row("x", 2024, "34", 0.5, 2),
            _row("z", 2024, "34", 0.7, 2),
        ]
    )
    ranked = ranks.add_shares(ranks.rank_table(rows.lazy())).collect().sort("edition", "unit_id")
    got = ranked.select(
        "edition", "unit_id", "rank", "rank_of", "n_scored", pl.col("peer_mean").round(6)
    ).rows()
    assert got == [
        ("34", "x", 2, 2, 2, 0.6),
        ("34", "z", 1, 2, 2, 0.6),
        ("63", "x", 1, 2, 2, 0.85),
        ("63", "y", 2, 2, 2, 0.85),
    ]


def test_a_rank_change_continues_only_the_edition_that_continues_the_series():
    keys = pl.DataFrame(
        {
            "index_code": ["DTI"] * 4,
            "peer_group": ["provinces"] * 4,
            "year": pl.Series([2023, 2024, 2024, 2025], dtype=pl.Int32),
            "edition": ["", "63", "34", ""],
        }
    )
    found = continued(load_catalog(CONFIG), keys).sort("year", "edition")
    assert found.select("year", "edition", "prev_edition").rows() == [
        (2023, "", ""),  # a year of one edition after one: as ever
        (2024, "34", None),  # the 34 new provinces continue no 2023 table
        (2024, "63", ""),  # the 63 former provinces continue 2023
        (2025, "", "34"),  # 2025 continues the 34-province edition
    ]
    rows = pl.DataFrame(
        [_row("x", 2023, "", 0.6, 1), _row("x", 2024, "63", 0.7, 1), _row("x", 2024, "34", 0.5, 1)]
    )
    with_prev = rows.join(found.drop("index_code", "peer_group"), on=["year", "edition"], how="left")
    changed = ranks.add_changes(ranks.add_shares(ranks.rank_table(with_prev.lazy()))).collect()
    d_score = dict(
        zip(changed["edition"] + "/" + changed["year"].cast(pl.String), changed["d_score"], strict=True)
    )
    assert d_score["63/2024"] is not None and abs(d_score["63/2024"] - 0.1) < 1e-9
    assert d_score["34/2024"] is None
