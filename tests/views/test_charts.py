"""What the trend chart writes above its plot stays readable at a phone's width."""

from __future__ import annotations

import polars as pl

from chiso.views import charts


def _flags(breaks):
    series = pl.DataFrame({"name": ["A"] * 3, "year": [2022, 2024, 2025], "score": [1.0, 2.0, 3.0]})
    fig = charts.trend_lines(
        series,
        years=[2022, 2023, 2024, 2025],
        measure="score",
        title="T",
        y_label="y",
        year_label="x",
        average=None,
        average_label="",
        breaks=breaks,
        source="",
        lang="vi",
    )
    return {a.text: a.yshift for a in fig.layout.annotations if a.text.startswith("⚑")}


def test_flags_of_method_changes_a_year_apart_sit_on_two_lines_and_others_on_one():
    # at 390 px a year is ≈ 30 px wide and "⚑ 2024" ≈ 40 px: side by side they were written over each other
    assert _flags([(2024, "a"), (2025, "b")]) == {"⚑ 2024": None, "⚑ 2025": 15}
    assert _flags([(2023, "a"), (2025, "b")]) == {"⚑ 2023": None, "⚑ 2025": None}
    assert _flags([(2023, "a"), (2024, "b"), (2025, "c")]) == {"⚑ 2023": None, "⚑ 2024": 15, "⚑ 2025": None}
