"""Ranking rules as tables: ties, direction, completeness, published-rank disagreement, changes."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from chiso.metrics import ranks as metrics


def table(scores, *, published=None, rank_of=None, higher=True, year=2022, units=None):
    n = len(scores)
    return pl.DataFrame(
        {
            "scope_province": ["P"] * n,
            "province": ["P"] * n,
            "peer_group": ["departments"] * n,
            "index_code": ["PAR"] * n,
            "component": pl.Series([None] * n, dtype=pl.String),
            "year": [year] * n,
            "unit_id": units or [f"u{i}" for i in range(n)],
            "score": pl.Series(scores, dtype=pl.Float64),
            "max_score": [100.0] * n,
            "higher_is_better": [higher] * n,
            "published_rank": pl.Series(published or [None] * n, dtype=pl.Int32),
            "published_rank_of": pl.Series([rank_of] * n, dtype=pl.Int32),
            "rank_basis": pl.Series(
                ["published" if p else None for p in (published or [None] * n)], dtype=pl.String
            ),
        }
    )


def ranked(frame):
    return metrics.add_shares(metrics.rank_table(frame.lazy())).collect()


@pytest.mark.parametrize(
    ("scores", "higher", "expected"),
    [
        ([90, 80, 80, 70], True, [1, 2, 2, 4]),
        ([99.38, 99.25, 92.13, 92.13, 91.88], True, [1, 2, 3, 3, 5]),
        ([5, 3, 3, 9], False, [3, 1, 1, 4]),  # lower is better: fewest days first
        ([90, None, 80], True, [1, None, 2]),  # an empty score is not ranked
    ],
)
def test_ties_share_the_better_rank(scores, higher, expected):
    result = ranked(table(scores, higher=higher, rank_of=len([s for s in scores if s is not None])))
    assert result["rank"].to_list() == expected


def test_complete_table_uses_computed_rank_and_flags_disagreement():
    result = ranked(table([90, 85, 80], published=[1, 3, 2], rank_of=3))
    assert result["complete"].all()
    assert result["rank"].to_list() == [1, 3, 2]  # the published rank is shown …
    assert result["rank_mismatch"].to_list() == [False, True, True]  # … and the difference flagged
    assert result["rank_computed"].to_list() == [1, 2, 3]


def test_incomplete_table_shows_no_computed_rank():
    """2 of 13 scored: the published 1/13 stays; the other unit has no rank, only an order."""
    result = ranked(table([90, 70], published=[1, None], rank_of=13))
    assert not result["complete"].any()
    assert result["rank"].to_list() == [1, None]
    assert result["rank_of"].to_list() == [13, None]
    assert result["rank_basis"].to_list() == ["published", "partial"]
    rows = result.to_dicts()
    assert metrics.order_in_data(rows[1]) == (2, 2)


def test_incomplete_table_has_no_peer_average():
    result = ranked(table([90, 70], published=[1, None], rank_of=13))
    assert result["peer_mean"].null_count() == 2 and result["peer_median"].null_count() == 2
    assert metrics.peer_average(result) is None


def test_flagged_values_enter_no_statistic():
    frame = table([90, 80, 24.22], rank_of=3).with_columns(
        flag=pl.Series([None, None, "nghi ngờ"], dtype=pl.String)
    )
    result = ranked(frame)
    assert result["peer_mean"][0] == pytest.approx(85)
    assert metrics.peer_average(result) == pytest.approx(85)


def test_rank_change_only_on_same_basis_and_denominator():
    """20/63 published last year, a 3rd place on a complete 3-unit table this year: not comparable."""
    frames = [
        table([70.0], published=[20], rank_of=63, year=2023, units=["h"]),
        table([69.9, 75, 80], rank_of=3, year=2024, units=["h", "x", "y"]),
    ]
    result = metrics.add_changes(metrics.rank_table(pl.concat(frames, how="diagonal").lazy())).collect()
    h = result.filter((pl.col("unit_id") == "h") & (pl.col("year") == 2024)).row(0, named=True)
    assert h["rank"] == 3 and h["prev_rank"] == 20
    assert h["d_rank"] is None and h["rank_change_comparable"] is False
    assert metrics.rank_change_text(h, "vi") == "không so sánh được"


def test_table_without_rank_of_is_incomplete():
    result = ranked(table([90, 80]))
    assert result["rank_basis"].to_list() == ["partial", "partial"]


def test_rank_only_rows_keep_their_published_rank():
    result = ranked(table([None, 71.0], published=[3, None], rank_of=13))
    assert result["rank"].to_list() == [3, None]
    assert result["pct_of_max"].to_list()[0] is None


def test_percentile_and_peer_stats():
    result = ranked(table([90, 80, 70, 60], rank_of=4))
    assert result["percentile"].to_list() == pytest.approx([100, 66.6667, 33.3333, 0], rel=1e-4)
    assert result["peer_mean"][0] == 75 and result["peer_median"][0] == 75


def test_changes_against_the_previous_year_only():
    frames = [
        table([90, 80], rank_of=2, year=2021, units=["a", "b"]),
        table([85, 88], rank_of=2, year=2022, units=["a", "b"]),
        table([86], rank_of=1, year=2024, units=["a"]),  # 2023 missing: no change for 2024
    ]
    result = (
        metrics.add_changes(metrics.rank_table(pl.concat(frames).lazy())).collect().sort("year", "unit_id")
    )
    got = result.select("unit_id", "year", "d_score", "d_rank")
    want = pl.DataFrame(
        {
            "unit_id": ["a", "b", "a", "b", "a"],
            "year": [2021, 2021, 2022, 2022, 2024],
            "d_score": [None, None, -5.0, 8.0, None],
            "d_rank": pl.Series([None, None, -1, 1, None], dtype=pl.Int32),
        }
    )
    assert_frame_equal(got, want, check_dtypes=False, abs_tol=1e-9)


def test_two_years_compare_only_on_the_same_basis_and_denominator():
    a = {"rank": 20, "rank_of": 63, "rank_basis": "published"}
    assert metrics.ranks_comparable(a, {"rank": 3, "rank_of": 63, "rank_basis": "computed"}) is True
    assert metrics.ranks_comparable(a, {"rank": 3, "rank_of": 3, "rank_basis": "computed"}) is False
    assert metrics.ranks_comparable(a, {"rank": 8, "rank_of": 63, "rank_basis": "list_order"}) is False
    assert metrics.ranks_comparable(a, {"rank": None, "rank_of": None, "rank_basis": "partial"}) is None
