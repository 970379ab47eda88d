"""Whether a unit is on track for a target: pure Polars over rows of the ``ranked`` table.

A target is set for one unit, index and year: a rank (≤ k, optionally out of N), a tier, a score,
or a floor for one component. It is judged against the unit's latest stored year up to the
target's year (the *basis* year):

- **met** / **missed**: the basis year is the target's year (its table is out);
- **on track**: an earlier year, and the unit already stands at the target, or the gain it still
  needs per remaining year is at most the best yearly gain it has made so far on that index
  (or component);
- **at risk**: the gain needed per remaining year exceeds the unit's best yearly gain so far.
  Gains are compared in points of % of the maximum (so a change of scale does not distort
  them); a unit with a single year of data has made no gain yet, so its best is 0;
- **cannot be judged**: THE RULE of :mod:`chiso.metrics.ranks` — a rank target needs a rank; a
  table that is not complete has none computed, so no rank target is judged on it (nor a
  gain towards a rank guessed); a rank target out of N is not judged on a table of another N;
  a tier target needs the tier bands of the basis year;
- **no data**: the unit has no value on the index (or component) up to the target's year.

The score a rank needs is the k-th best score of the other units in the basis year (ties share
the better rank), i.e. it assumes the others keep that year's scores; the score a tier needs is
its lowest % of maximum. The components where the gap is cheapest to close are the unit's
components with the most points lost in the basis year (:func:`chiso.metrics.gaps.what_it_takes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiso.config import Index
from chiso.i18n import label
from chiso.metrics import gaps

_EPS = 1e-9


@dataclass(frozen=True)
class TargetStatus:
    """How one target stands. Scores are on the basis year's scale; ``gap`` > 0 is what is still
    needed. ``reason`` says why a target cannot be judged (``partial_table``, ``other_n``,
    ``no_tiers``, ``no_score``) or why a gain is at risk (``no_history``: one year of data only)."""

    status: str
    reason: str | None = None
    basis_year: int | None = None
    current: float | None = None  # score (total or component) in the basis year
    current_rank: int | None = None
    current_rank_of: int | None = None
    required: float | None = None  # score the target needs in the basis year's table
    gap: float | None = None
    years_left: int = 0
    gain_per_year: float | None = None  # points per remaining year
    best_gain: float | None = None  # the unit's best yearly gain so far, in points of this scale
    best_gain_years: tuple[int, int] | None = None
    room: tuple[gaps.Room, ...] = ()

    @property
    def final(self) -> bool:
        return self.status in ("met", "missed")


def _measure(series: pl.DataFrame, target: dict) -> pl.DataFrame:
    """The unit's rows of the targeted measure (index total, or the floor's component) up to the
    target's year, with a score or a rank, oldest first."""
    component = target.get("component") if target["kind"] == "floor" else None
    which = pl.col("component").is_null() if component is None else pl.col("component") == component
    return series.filter(
        (pl.col("unit_id") == target["unit_id"])
        & (pl.col("index_code") == target["index_code"])
        & which
        & (pl.col("year") <= target["year"])
        & (pl.col("score").is_not_null() | pl.col("rank").is_not_null())
    ).sort("year")


def best_yearly_gain(rows: pl.DataFrame) -> tuple[float | None, tuple[int, int] | None]:
    """The largest gain in % of maximum per year between two consecutive scored years of ``rows``
    (one measure of one unit), and those years; (None, None) with fewer than two scored years."""
    scored = rows.filter(pl.col("pct_of_max").is_not_null()).sort("year")
    steps = scored.select(
        gain=(pl.col("pct_of_max") - pl.col("pct_of_max").shift(1))
        / (pl.col("year") - pl.col("year").shift(1)),
        year_a=pl.col("year").shift(1),
        year_b=pl.col("year"),
    ).drop_nulls("gain")
    if steps.is_empty():
        return None, None
    best = steps.sort("gain", descending=True).row(0, named=True)
    return float(best["gain"]), (int(best["year_a"]), int(best["year_b"]))


def _rank_required(table: pl.DataFrame, target: dict, sign: float) -> float | None:
    """The score that ranks the unit k-th: equal to the k-th best other score (None: fewer than
    k others scored, any score does)."""
    others = gaps.totals(table).filter(
        (pl.col("unit_id") != target["unit_id"]) & pl.col("score").is_not_null()
    )
    keys = sorted((sign * s for s in others.get_column("score").to_list()), reverse=True)
    k = int(target["rank_target"])
    return sign * keys[k - 1] if len(keys) >= k else None


def _judge_rank(basis: dict, table: pl.DataFrame, target: dict, final: bool, sign: float):
    """(status or None to project, reason, required score)."""
    wanted_n = target.get("rank_of")
    if wanted_n and basis.get("rank_of") and int(basis["rank_of"]) != int(wanted_n):
        return "cannot_judge", "other_n", None
    if basis.get("rank") is None or (not final and not basis.get("complete")):
        return "cannot_judge", "partial_table", None
    if final:
        return ("met" if basis["rank"] <= target["rank_target"] else "missed"), None, None
    if basis["rank"] <= target["rank_target"]:
        return "on_track", None, None
    return None, None, _rank_required(table, target, sign)


def _judge_tier(basis: dict, table: pl.DataFrame, index: Index, target: dict, final: bool):
    tiers = index.tiers_for(basis["province"] or "", basis["peer_group"], basis["year"])
    order = {tier.code: i for i, tier in enumerate(tiers)}
    if target["tier_code"] not in order or not index.higher_is_better:
        return "cannot_judge", "no_tiers", None
    wanted = tiers[order[target["tier_code"]]]
    printed = basis.get("printed_tier")
    by_name = {label(tier.name, "vi"): i for i, tier in enumerate(tiers)}
    if printed in by_name:  # the tier the source printed for the unit decides, bands or not
        reached = by_name[printed] <= order[target["tier_code"]]
        return ("met" if reached else "missed") if final else ("on_track" if reached else None), None, None
    scored = gaps.totals(table).filter(pl.col("score").is_not_null())
    if gaps.printed_tiers_contradict(scored, tiers):  # the bands do not hold that year (PCI 2021)
        return "cannot_judge", "bands_contradicted", None
    if basis.get("score") is None or not basis.get("max_score"):
        return "cannot_judge", "no_score", None
    required = wanted.min_pct * basis["max_score"] / 100
    reached = basis["score"] >= required - _EPS
    if final:
        return ("met" if reached else "missed"), None, required
    return (None if not reached else "on_track"), None, required


def _judge(basis: dict, table: pl.DataFrame, index: Index, target: dict, final: bool):
    sign = 1.0 if index.higher_is_better else -1.0
    if target["kind"] == "rank":
        return _judge_rank(basis, table, target, final, sign)
    if target["kind"] == "tier":
        return _judge_tier(basis, table, index, target, final)
    if basis.get("score") is None:
        return "cannot_judge", "no_score", None
    required = float(target["value"])
    reached = sign * (basis["score"] - required) >= -_EPS
    if final:
        return ("met" if reached else "missed"), None, required
    return (None if not reached else "on_track"), None, required


def evaluate(target: dict, series: pl.DataFrame, index: Index) -> TargetStatus:
    """How ``target`` (a row of the targets table) stands, from ``series``: every ranked row of
    the unit's peer table for the target's index, all years (``chiso.store.targets.series``)."""
    mine = _measure(series, target)
    if mine.is_empty():
        return TargetStatus("no_data")
    basis = mine.row(-1, named=True)
    final = basis["year"] == target["year"]
    table = series.filter((pl.col("year") == basis["year"]) & (pl.col("index_code") == target["index_code"]))
    status, reason, required = _judge(basis, table, index, target, final)
    common = {
        "basis_year": basis["year"],
        "current": basis.get("score"),
        "current_rank": basis.get("rank"),
        "current_rank_of": basis.get("rank_of"),
        "required": required,
        "years_left": target["year"] - basis["year"],
    }
    if status is not None:
        gap = 0.0 if status in ("on_track", "met") else None
        if status == "missed" and required is not None and basis.get("score") is not None:
            gap = round(abs(required - basis["score"]), 9)
        return TargetStatus(status, reason, gap=gap, **common)
    return _project(target, mine, table, index, basis, common)


def _project(target: dict, mine: pl.DataFrame, table: pl.DataFrame, index: Index, basis: dict, common: dict):
    """Not yet reached, years left: the gain needed per year against the best gain so far."""
    sign = 1.0 if index.higher_is_better else -1.0
    gap = round(sign * (common["required"] - basis["score"]), 9)
    per_year = gap / common["years_left"]
    # Gains in the index's better direction (a fall is a gain where lower is better).
    signed = mine.filter(pl.col("score").is_not_null()).with_columns(pl.col("pct_of_max") * sign)
    best_pct, years = best_yearly_gain(signed)
    top = basis["max_score"]
    need_pct = per_year / top * 100 if top else None
    best_points = None if best_pct is None or not top else best_pct * top / 100
    at_risk = best_pct is None or (need_pct is not None and need_pct > best_pct + _EPS)
    room = ()
    if target["kind"] != "floor":
        tiers = index.tiers_for(basis["province"] or "", basis["peer_group"], basis["year"])
        room = gaps.what_it_takes(
            table, target["unit_id"], tiers, higher_is_better=index.higher_is_better
        ).room
    return TargetStatus(
        "at_risk" if at_risk else "on_track",
        "no_history" if best_pct is None else None,
        gap=gap,
        gain_per_year=round(per_year, 9),
        best_gain=None if best_points is None else round(best_points, 9),
        best_gain_years=years,
        room=room,
        **common,
    )


def evaluate_all(targets: pl.DataFrame, series: pl.DataFrame, catalog) -> list[tuple[dict, TargetStatus]]:
    """Each target row with its status (targets of an index no longer declared are skipped)."""
    out = []
    for target in targets.iter_rows(named=True):
        if target["index_code"] in catalog.codes:
            out.append((target, evaluate(target, series, catalog.index(target["index_code"]))))
    return out
