"""Cells of a table read from a PDF or a scan that a person must look at before the import.

A cell is flagged when
* OCR read it with a confidence under ``CONFIDENCE_MIN``;
* it should hold a number and does not parse cleanly (or is empty where its column has numbers);
* its row fails a check the annex itself allows: the components do not add up to the total
  where the index sums them (every number of the row is flagged: any of them may be the wrong
  one), the ranks do not follow the order of the totals (rank and total flagged), or a value is
  above its maximum (the one printed in the header, else the configured one).
"""

from __future__ import annotations

from dataclasses import dataclass

from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.ingest.annex import number_kind, to_number
from chiso.ingest.pdf_types import Flag, reasons_note
from chiso.ingest.problems import Note

CONFIDENCE_MIN = 85.0
SUM_TOLERANCE = 0.011  # published totals are rounded to 2 decimals


@dataclass
class _Unit:
    row: int
    total: tuple[int, float] | None = None
    rank: tuple[int, int] | None = None
    components: dict[str, tuple[int, float]] | None = None
    index: str = ""
    declared_max: float | None = None


def _column(label: str) -> int | None:
    letters = label.split(" ", 1)[0]
    if not letters.isalpha() or not letters.isupper():
        return None  # an option ("tùy chọn --year"), not a cell
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _value(text: str) -> float | None:
    kind = number_kind(text)
    if kind in ("bad", "nonfinite"):
        return None
    try:
        return float(to_number(text, "en" if kind == "en" else "vn"))
    except ValueError:
        return None


def _component_max(catalog: Catalog, index: str, component: str) -> float | None:
    try:
        found = catalog.index(index)
    except ChisoError:
        return None
    for variant in found.variants:
        for comp in variant.components:
            if comp.code == component and getattr(comp, "max", None):
                return float(comp.max)
    return None


class _Found:
    """The reasons found per cell (row, column) of the grid as read."""

    def __init__(self, table):
        self.table = table
        self.rows = dict(table.grid.rows)
        self.reasons: dict[tuple[int, int], list[Note]] = {}

    def add(self, row: int, column: int, reason: str) -> None:
        reasons = self.reasons.setdefault((row, column), [])
        if reason not in reasons:
            reasons.append(reason)

    def text(self, row: int, column: int) -> str:
        cells = self.rows.get(row, [])
        return cells[column].text if column < len(cells) else ""

    def confidence(self, row: int, column: int) -> float | None:
        source = self.table.sources.get((row, column))
        return source.confidence if source else None


def flags(table, annex, catalog: Catalog) -> list:
    found = _Found(table)
    units = _units(found, annex)
    _low_confidence(found, units)
    _empty_in_numbers(found, units)
    _sums(found, units, catalog)
    _ranks(found, units)
    _maxima(found, units, catalog)
    return [
        Flag(row, col, found.text(row, col), reasons_note(reasons), table.sources.get((row, col)))
        for (row, col), reasons in sorted(found.reasons.items())
    ]


def _units(found: _Found, annex) -> dict[int, _Unit]:
    """The units of the rows that become data, with the numbers read; unreadable cells flagged."""
    units: dict[int, _Unit] = {}
    for long_row, origin in zip(annex.rows, annex.origins, strict=True):
        unit = units.setdefault(origin.row, _Unit(origin.row, index=long_row["index"]))
        name_col = _column(origin.columns.get("unit", ""))
        if name_col is not None:
            conf = found.confidence(origin.row, name_col)
            if conf is not None and conf < CONFIDENCE_MIN:
                found.add(origin.row, name_col, Note("pdf.reason.unit_unsure"))
        _score(found, unit, long_row, origin)
        rank_col = _column(origin.columns.get("rank", ""))
        if rank_col is not None and not long_row["component"]:
            raw = found.text(origin.row, rank_col)
            if raw and number_kind(raw) != "int":
                found.add(origin.row, rank_col, Note("pdf.reason.rank_not_int"))
            elif raw:
                unit.rank = (rank_col, int(raw))
    return units


def _score(found: _Found, unit: _Unit, long_row, origin) -> None:
    score_col = _column(origin.columns.get("score", ""))
    if score_col is None:
        return
    raw = found.text(origin.row, score_col)
    value = _value(raw) if raw else None
    if raw and value is None:
        found.add(origin.row, score_col, Note("pdf.reason.not_number"))
    if value is None:
        return
    if long_row["component"]:
        unit.components = unit.components or {}
        unit.components[long_row["component"]] = (score_col, value)
    else:
        unit.total = (score_col, value)
        unit.declared_max = origin.declared_max


def _low_confidence(found: _Found, units: dict[int, _Unit]) -> None:
    """Low OCR confidence anywhere in the rows that become data."""
    for number in units:
        for j in range(len(found.rows.get(number, []))):
            conf = found.confidence(number, j)
            if conf is not None and conf < CONFIDENCE_MIN and found.text(number, j):
                reason = Note("pdf.reason.low_confidence", conf=f"{conf:.0f}", min=f"{CONFIDENCE_MIN:.0f}")
                found.add(number, j, reason)


def _empty_in_numbers(found: _Found, units: dict[int, _Unit]) -> None:
    """Empty cells in a column of numbers (a number OCR did not see)."""
    numeric_cols: dict[int, int] = {}
    for unit in units.values():
        for col in [c for c, _ in (unit.components or {}).values()] + [
            p[0] for p in (unit.total, unit.rank) if p
        ]:
            numeric_cols[col] = numeric_cols.get(col, 0) + 1
    for col, count in numeric_cols.items():
        if count >= max(2, 0.5 * len(units)):
            for number in units:
                if not found.text(number, col):
                    found.add(number, col, Note("pdf.reason.empty_in_numbers"))


def _sums(found: _Found, units: dict[int, _Unit], catalog: Catalog) -> None:
    """Components against the total, where the index adds them up."""
    for unit in units.values():
        if not unit.total or not unit.components:
            continue
        try:
            aggregation = catalog.index(unit.index).aggregation
        except ChisoError:
            continue
        if aggregation != "sum":
            continue
        total = sum(v for _, v in unit.components.values())
        if abs(total - unit.total[1]) > SUM_TOLERANCE + 1e-9:
            reason = Note("pdf.reason.not_sum", parts=_vn(total), total=_vn(unit.total[1]))
            found.add(unit.row, unit.total[0], reason)
            for col, _ in unit.components.values():
                found.add(unit.row, col, reason)


def _ranks(found: _Found, units: dict[int, _Unit]) -> None:
    """Ranks against the order of the totals."""
    ranked = [u for u in units.values() if u.total and u.rank]
    for unit in ranked:
        expected = 1 + sum(1 for o in ranked if o.total[1] > unit.total[1] + 1e-9)
        if unit.rank[1] != expected:
            reason = Note("pdf.reason.rank_order", rank=unit.rank[1], expected=expected)
            found.add(unit.row, unit.rank[0], reason)
            found.add(unit.row, unit.total[0], reason)


def _maxima(found: _Found, units: dict[int, _Unit], catalog: Catalog) -> None:
    """Values above their maximum."""
    for unit in units.values():
        if unit.total:
            top = unit.declared_max
            if top is None:
                try:
                    top = float(catalog.index(unit.index).max_score)
                except ChisoError:
                    top = None
            if top is not None and unit.total[1] > top + 1e-9:
                found.add(unit.row, unit.total[0], Note("pdf.reason.total_above_max", max=_vn(top)))
        for code, (col, value) in (unit.components or {}).items():
            top = _component_max(catalog, unit.index, code)
            if top is not None and value > top + 1e-9:
                found.add(unit.row, col, Note("pdf.reason.above_max", max=_vn(top)))


def _vn(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
