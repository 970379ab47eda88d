"""Which ranked table a view shows: the province, peer group, index and year chosen, with
defaults and fallbacks. Shared by the CLI and by the pages' URL state, pure (no Streamlit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.names import fold
from chiso.units import Registry


@dataclass(frozen=True)
class Scope:
    peer_group: str
    province: str  # '' for a national peer group
    scope_province: str


def peer_group_from(catalog: Catalog, text: str) -> str:
    """A peer-group name or a unit type (which stands for its peer group)."""
    key = text.strip().lower().replace("-", "_")
    if key in catalog.peer_groups:
        return key
    if key in catalog.unit_types:
        return catalog.unit_types[key].peer_group
    choices = ", ".join([*catalog.peer_groups, *catalog.unit_types])
    raise ChisoError.coded("cli.unit_type_unknown", value=repr(text), choices=choices)


def resolve_province(units: pl.DataFrame, aliases: pl.DataFrame, text: str) -> str:
    """A province as typed ('Hoà Bình', 'hoa binh', 'TP.HCM') -> its name in the data."""
    provinces = units.filter(pl.col("unit_type") == "province")
    registry = Registry.from_frames(
        provinces, aliases.filter(pl.col("unit_id").is_in(provinces["unit_id"].to_list()))
    )
    found = registry.candidates(text)
    if len(found) == 1:
        return found[0].name
    known = {fold(p): p for p in units.get_column("province").unique().to_list() if p}
    if fold(text) in known:
        return known[fold(text)]
    if not found:
        raise ChisoError.coded("cli.province_unknown", value=repr(text))
    raise ChisoError.coded("cli.province_ambiguous", value=repr(text), names=", ".join(u.name for u in found))


def resolve_scope(
    catalog: Catalog, units: pl.DataFrame, aliases: pl.DataFrame, province: str | None, unit_type: str
) -> Scope:
    group = peer_group_from(catalog, unit_type)
    if catalog.peer_groups[group].scope == "national":
        return Scope(group, "", "")
    if not province:
        raise ChisoError.coded("cli.province_needed", group=group)
    name = resolve_province(units, aliases, province)
    return Scope(_group_in_province(units, name, unit_type, group), name, name)


def _group_in_province(units: pl.DataFrame, province: str, unit_type: str, group: str) -> str:
    """A unit type stands for the peer group its units are ranked in in that province: the
    config's, unless the province ranks every unit of the type in a block of its own
    (Quảng Ninh's central agencies, Hải Phòng's wards; a peer-group override in units.csv)."""
    key = unit_type.strip().lower().replace("-", "_")
    if "unit_type" not in units.columns or key not in set(units.get_column("unit_type").to_list()):
        return group
    groups = (
        units.filter((pl.col("province") == province) & (pl.col("unit_type") == key))
        .get_column("peer_group")
        .unique()
        .to_list()
    )
    return groups[0] if len(groups) == 1 else group


@dataclass(frozen=True)
class Selection:
    """A ranked table: peer group, province ('' when national), index and year, and the
    edition of a year published more than once ('': the year's default edition)."""

    peer_group: str
    province: str
    index: str
    year: int
    edition: str = ""

    def table(self) -> dict[str, object]:
        """The table's key as the store's named reads take it: ``queries.ranking(con, **sel.table())``."""
        return {
            "index": self.index,
            "year": self.year,
            "peer_group": self.peer_group,
            "scope_province": self.province,
            "edition": self.edition or None,
        }


def default_selection(tables: pl.DataFrame) -> Selection:
    """The largest complete table in the data (most scored units), latest year first."""
    best = tables.sort(["complete", "n_scored", "year"], descending=True, nulls_last=True).row(0, named=True)
    return Selection(best["peer_group"], best["scope_province"], best["index_code"], best["year"])


@dataclass(frozen=True)
class Choices:
    """What the selectors can offer, worked out once from the tables frame (``queries.tables``):
    the default selection, the choices under each choice above them, and each peer group's
    largest province (the fallback when the one asked for has no table). ``fit`` and ``options``
    are then lookups, whatever is asked for."""

    default: Selection
    groups: tuple[str, ...]
    provinces: dict[str, tuple[str, ...]]
    indices: dict[tuple[str, str], tuple[str, ...]]
    years: dict[tuple[str, str, str], tuple[int, ...]]
    largest: dict[str, str]

    @classmethod
    def of(
        cls, tables: pl.DataFrame, index_order: tuple[str, ...] = (), group_order: tuple[str, ...] = ()
    ) -> Choices:
        """``index_order`` / ``group_order``: the catalogue's index codes and peer groups; they are
        offered in that order (by code without it), and a refused or missing index falls back to
        the first."""
        keys = ("peer_group", "scope_province", "index_code")

        def nested(depth: int, column: str, descending: bool = False) -> dict:
            grouped = tables.group_by(keys[:depth]).agg(pl.col(column).unique().sort(descending=descending))
            names = zip(*(grouped.get_column(k).to_list() for k in keys[:depth]), strict=True)
            values = grouped.get_column(column).to_list()
            return {(k[0] if depth == 1 else k): tuple(v) for k, v in zip(names, values, strict=True)}

        sized = (
            tables.group_by(keys[:2])
            .agg(pl.col("n_scored").max())
            .sort(["n_scored", "scope_province"], descending=[True, False], nulls_last=True)
            .group_by("peer_group", maintain_order=True)
            .first()
        )
        return cls(
            default=default_selection(tables),
            groups=_in_order(tables.get_column("peer_group").unique().to_list(), group_order),
            provinces=nested(1, "scope_province"),
            indices={key: _in_order(codes, index_order) for key, codes in nested(2, "index_code").items()},
            years=nested(3, "year", descending=True),
            largest=dict(
                zip(
                    sized.get_column("peer_group").to_list(),
                    sized.get_column("scope_province").to_list(),
                    strict=True,
                )
            ),
        )


def options(choices: Choices, sel: Selection, field: str) -> list:
    """Values offered for one selector given the choices above it."""
    if field == "peer_group":
        return list(choices.groups)
    if field == "province":
        return list(choices.provinces.get(sel.peer_group, ()))
    if field == "index":
        return list(choices.indices.get((sel.peer_group, sel.province), ()))
    return list(choices.years.get((sel.peer_group, sel.province, sel.index), ()))


def fit(offered: Choices, requested: dict[str, str | None]) -> tuple[Selection, list[tuple[str, str]]]:
    """Apply requested values in order (group, province, index, year), falling back to a
    valid choice for each; returns the selection and (param, value) pairs that were refused.
    """
    sel = offered.default
    refused: list[tuple[str, str]] = []
    for field in ("peer_group", "province", "index", "year"):
        choices = options(offered, sel, field)
        wanted = requested.get(field)
        value = _match(wanted, choices)
        if wanted not in (None, "") and value is None:
            refused.append((field, str(wanted)))
        current = getattr(sel, field)
        if value is None:
            value = current if current in choices else _fallback(field, choices, offered, sel)
        sel = replace(sel, **{field: value})
    return sel, refused


def _in_order(values, order: tuple[str, ...]) -> tuple[str, ...]:
    """``values`` in ``order``, those it does not name after them by code."""
    return tuple(sorted(values, key=lambda v: (order.index(v) if v in order else len(order), v)))


def _match(wanted: str | None, choices: list):
    if wanted in (None, ""):
        return None
    for choice in choices:  # the value as offered (every link the pages write) before folding
        if str(choice) == str(wanted):
            return choice
    folded = fold(str(wanted))
    for choice in choices:
        if fold(str(choice)) == folded:
            return choice
    return None


def _fallback(field: str, choices: list, offered: Choices, sel: Selection):
    if not choices:
        return getattr(sel, field)
    if field == "year":
        return choices[0]  # latest year with data
    if field == "index":
        return choices[0]  # the catalogue's first (Choices.of), PAR INDEX in the shipped config
    if field == "province":
        return offered.largest[sel.peer_group]
    return choices[0]
