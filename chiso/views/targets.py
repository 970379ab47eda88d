"""Targets as the pages, the briefing pack and ``chiso targets list`` show them: what the target
is, its status (met, missed, on track, at risk, cannot be judged, no data), the gain still needed
per year, the unit's best yearly gain so far and the components where the gap is cheapest to
close. Pure: frames in (targets, their peer series), text and tables out."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiso import fmt
from chiso.config import Catalog, Index
from chiso.i18n import label, t
from chiso.metrics import gaps
from chiso.metrics import targets as metrics
from chiso.metrics.targets import TargetStatus

MACHINE_COLUMNS = [
    "province",
    "unit",
    "index",
    "component",
    "year",
    "kind",
    "target",
    "rank_of",
    "status",
    "reason",
    "basis_year",
    "current",
    "current_rank",
    "current_rank_of",
    "required",
    "gap",
    "years_left",
    "gain_per_year",
    "best_gain",
    "cheapest_components",
    "source_title",
    "source_url",
]


@dataclass(frozen=True)
class TargetsView:
    display: pl.DataFrame  # one row per target, as shown (empty: no target)
    lines: list[str]  # one sentence per target: its status and what it takes
    definition: str  # what on track / at risk / cannot be judged mean
    machine: pl.DataFrame  # MACHINE_COLUMNS, numbers as numbers (chiso targets list --format csv)
    sources: list[dict]  # per line: the document's source_title, source_url and quote

    @property
    def empty(self) -> bool:
        return self.display.is_empty()


def _where(target: dict, status: TargetStatus) -> tuple[str, str, int]:
    return target["province"] or "", target["peer_group"], status.basis_year or target["year"]


def _decimals(index: Index, target: dict, status: TargetStatus) -> int:
    return index.decimals_for(*_where(target, status))


def _component_name(index: Index, target: dict, component: str | None, lang: str) -> str:
    names = gaps.component_names(index, target["province"] or "", target["peer_group"], target["year"], lang)
    return names.get(component or "", component or "")


def target_text(target: dict, index: Index, lang: str) -> str:
    """'hạng ≤ 2/4', 'xếp loại Tốt', 'điểm ≥ 90,00', 'Công tác chỉ đạo ≥ 8,50 điểm'."""
    decimals = index.decimals_for(target["province"] or "", target["peer_group"], target["year"])
    kind = target["kind"]
    if kind == "rank":
        n = target.get("rank_of")
        return t("targets.text.rank", lang, k=target["rank_target"], of=f"/{n}" if n else "")
    if kind == "tier":
        tiers = index.tiers_for(target["province"] or "", target["peer_group"], target["year"])
        name = next(
            (label(x.name, lang) for x in tiers if x.code == target["tier_code"]), target["tier_code"]
        )
        return t("targets.text.tier", lang, tier=name)
    value = fmt.number(target["value"], decimals, lang=lang)
    if kind == "floor":
        return t(
            "targets.text.floor",
            lang,
            component=_component_name(index, target, target["component"], lang),
            value=value,
        )
    return t("targets.text.score", lang, value=value)


def preview_text(plan, lang: str) -> str:
    """What a targets file's preview says: the file, its rows, and how many are new, changed, the same."""
    added, changed, same = plan.counts
    return t(
        "targets.cli.preview",
        lang,
        file=plan.file,
        n=plan.rows.height,
        added=added,
        changed=changed,
        same=same,
    )


def status_label(status: TargetStatus, lang: str) -> str:
    return t(f"targets.status.{status.status}", lang)


def _room_text(target: dict, status: TargetStatus, index: Index, lang: str) -> str:
    if not status.room:
        return ""
    decimals = _decimals(index, target, status)
    parts = [
        t(
            "targets.room.item",
            lang,
            component=_component_name(index, target, room.component, lang),
            points=fmt.number(room.points_lost, decimals, lang=lang),
        )
        for room in status.room
    ]
    return "; ".join(parts)


def detail_text(target: dict, status: TargetStatus, index: Index, lang: str) -> str:
    """What the status rests on, in one sentence."""
    d = _decimals(index, target, status)
    num = lambda v: fmt.number(v, d, lang=lang)  # noqa: E731
    if status.status == "no_data":
        return t("targets.detail.no_data", lang, year=target["year"])
    if status.status == "cannot_judge":
        return t(
            f"targets.reason.{status.reason}", lang, year=status.basis_year, n=target.get("rank_of") or ""
        )
    now = _now_text(status, d, lang)
    if status.final:
        return t("targets.detail.final", lang, now=now, year=status.basis_year)
    if not status.gap or status.gap <= 0:
        return t("targets.detail.reached", lang, now=now, year=status.basis_year)
    best = (
        t(
            "targets.detail.best",
            lang,
            gain=fmt.signed(status.best_gain, d, lang=lang),
            a=status.best_gain_years[0],
            b=status.best_gain_years[1],
        )
        if status.best_gain_years
        else t("targets.detail.no_history", lang)
    )
    return t(
        "targets.detail.needs",
        lang,
        now=now,
        year=status.basis_year,
        gap=num(status.gap),
        per_year=num(status.gain_per_year),
        years=status.years_left,
        best=best,
    )


def _now_text(status: TargetStatus, decimals: int, lang: str) -> str:
    parts = []
    if status.current_rank is not None:
        parts.append(t("targets.now.rank", lang, rank=fmt.rank(status.current_rank, status.current_rank_of)))
    if status.current is not None:
        parts.append(t("targets.now.score", lang, score=fmt.number(status.current, decimals, lang=lang)))
    return ", ".join(parts) or "–"


def _row(target: dict, status: TargetStatus, index: Index, lang: str) -> dict:
    d = _decimals(index, target, status)
    per_year = status.gain_per_year if status.status in ("on_track", "at_risk") and status.gap else None
    return {
        t("col.unit", lang): target["unit_name"],
        t("sel.index", lang): label(index.short_name, lang),
        t("targets.col.year", lang): target["year"],
        t("targets.col.target", lang): target_text(target, index, lang),
        t("targets.col.status", lang): status_label(status, lang),
        t("targets.col.detail", lang): detail_text(target, status, index, lang),
        t("targets.col.per_year", lang): fmt.number(per_year, d, lang=lang),
        t("targets.col.best", lang): fmt.signed(status.best_gain, d, lang=lang),
        t("targets.col.room", lang): _room_text(target, status, index, lang) or "–",
        t("targets.col.source", lang): target["source_title"] or "–",
    }


def _machine(target: dict, status: TargetStatus, index: Index) -> dict:
    value = {"rank": target["rank_target"], "tier": target["tier_code"]}.get(target["kind"], target["value"])
    return {
        "province": target["province"],
        "unit": target["unit_name"],
        "index": target["index_code"],
        "component": target["component"],
        "year": target["year"],
        "kind": target["kind"],
        "target": None if value is None else str(value),
        "rank_of": target["rank_of"],
        "status": status.status,
        "reason": status.reason,
        "basis_year": status.basis_year,
        "current": status.current,
        "current_rank": status.current_rank,
        "current_rank_of": status.current_rank_of,
        "required": status.required,
        "gap": status.gap,
        "years_left": status.years_left if status.basis_year else None,
        "gain_per_year": status.gain_per_year,
        "best_gain": status.best_gain,
        "cheapest_components": " | ".join(r.component for r in status.room) or None,
        "source_title": target["source_title"] or None,
        "source_url": target["source_url"] or None,
    }


MACHINE_SCHEMA = (
    {c: pl.String for c in MACHINE_COLUMNS}
    | {
        c: pl.Int64
        for c in ("year", "rank_of", "basis_year", "current_rank", "current_rank_of", "years_left")
    }
    | {c: pl.Float64 for c in ("current", "required", "gap", "gain_per_year", "best_gain")}
)


def line(target: dict, status: TargetStatus, index: Index, lang: str) -> str:
    """'Sở Y tế — PAR INDEX 2025, hạng ≤ 2/4: Có nguy cơ. …'."""
    room = _room_text(target, status, index, lang)
    text = t(
        "targets.line",
        lang,
        unit=target["unit_name"],
        index=label(index.short_name, lang),
        year=target["year"],
        target=target_text(target, index, lang),
        status=status_label(status, lang),
        detail=detail_text(target, status, index, lang),
    )
    if room:  # only a target still to reach has components to close its gap
        text += " " + t("targets.room.line", lang, room=room)
        if index.aggregation_for(*_where(target, status)) != "sum":
            text += " " + t("targets.room.not_additive", lang)
    return text + " " + t("targets.line.source", lang, source=target["source_title"] or "–")


def build(targets: pl.DataFrame, series: pl.DataFrame, catalog: Catalog, lang: str) -> TargetsView:
    """The targets (rows of ``chiso.store.targets.targets``) with their status from ``series``."""
    judged = metrics.evaluate_all(targets, series, catalog)
    rows = [_row(tg, st, catalog.index(tg["index_code"]), lang) for tg, st in judged]
    machine = [_machine(tg, st, catalog.index(tg["index_code"])) for tg, st in judged]
    return TargetsView(
        display=pl.DataFrame(rows) if rows else pl.DataFrame(),
        lines=[line(tg, st, catalog.index(tg["index_code"]), lang) for tg, st in judged],
        definition=t("targets.definition", lang),
        sources=[{k: tg[k] for k in ("source_title", "source_url", "quote")} for tg, _ in judged],
        machine=pl.DataFrame(machine, schema=MACHINE_SCHEMA, orient="row")
        if machine
        else pl.DataFrame(schema=MACHINE_SCHEMA),
    )
