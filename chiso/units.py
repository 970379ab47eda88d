"""The unit registry and name resolution.

A name typed in the CLI or found in an import resolves by official name, short name,
alias or administrative code, ignoring case, accents and tone-mark placement. An exact
match on the official name, an alias or the code wins over a match on the short name
or on the name without its prefix ("TP", "Huyện" …); an ambiguous name is refused with
the candidates listed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import polars as pl

from chiso.errors import ChisoError
from chiso.i18n import Said, t
from chiso.names import fold, slug, strip_prefix


def unit_id(province: str, name: str) -> str:
    return f"{slug(province) or 'quoc-gia'}/{slug(name)}"


UNIT_SCHEMA = {
    "unit_id": pl.String,
    "province": pl.String,
    "name": pl.String,
    "short_name": pl.String,
    "unit_type": pl.String,
    "peer_group": pl.String,
    "code": pl.String,
    "valid_from": pl.Int32,
    "valid_to": pl.Int32,
    "successor_id": pl.String,
}


def with_added(units: pl.DataFrame, registry: Registry, catalog) -> pl.DataFrame:
    """The units frame plus the units the registry took from the national registry."""
    if not registry.added:
        return units
    extra, _ = registry.added_frames(catalog)
    extra = extra.filter(~pl.col("unit_id").is_in(units["unit_id"].implode()))
    return pl.concat([units, extra.select(units.columns)], how="vertical_relaxed")


@dataclass(frozen=True)
class Unit:
    unit_id: str
    province: str
    name: str
    short_name: str
    unit_type: str
    code: str = ""

    @classmethod
    def from_row(cls, row: dict) -> Unit:
        """A unit from a row of the units table (or of a units sheet)."""
        keys = ("unit_id", "province", "name", "short_name", "unit_type")
        return cls(*(row[k] for k in keys), row.get("code") or "")


@dataclass
class Registry:
    """Units with their lookup keys; built once from the units table."""

    units: dict[str, Unit] = field(default_factory=dict)
    _exact: dict[str, set[str]] = field(default_factory=dict)
    _loose: dict[str, set[str]] = field(default_factory=dict)
    # Consult the national registry (chiso.admin_registry) when no listed unit matches; the units
    # found there are kept in ``added`` so a build or an import writes them with the scores.
    national: bool = False
    added: dict[str, object] = field(default_factory=dict)
    _provinces: dict[str, str] = field(default_factory=dict)  # folded province -> national name
    _suggest_keys: dict = field(default_factory=dict)  # province -> {folded name: name}, built once

    @classmethod
    def from_frames(
        cls, units: pl.DataFrame, aliases: pl.DataFrame | None = None, *, national: bool = False
    ) -> Registry:
        registry = cls(national=national)
        for row in units.iter_rows(named=True):
            unit = Unit.from_row(row)
            registry.add(unit)
        if aliases is not None:
            for row in aliases.iter_rows(named=True):
                registry.add_alias(row["unit_id"], row["alias"])
        return registry

    def add(self, unit: Unit) -> None:
        self.units[unit.unit_id] = unit
        for key in (fold(unit.name), unit.code.lower() if unit.code else ""):
            if key:
                self._exact.setdefault(key, set()).add(unit.unit_id)
        for key in (fold(unit.short_name), strip_prefix(fold(unit.name))):
            self._loose.setdefault(key, set()).add(unit.unit_id)

    def add_alias(self, uid: str, alias: str) -> None:
        key = fold(alias)
        self._exact.setdefault(key, set()).add(uid)
        self._loose.setdefault(strip_prefix(key), set()).add(uid)

    def candidates(
        self, text: str, province: str | None = None, types: set[str] | None = None, year: int | None = None
    ) -> list[Unit]:
        """Units the text names, best tier first; empty when nothing matches."""
        key = fold(text)
        if province is not None and self.national:
            province = self.province_name(province)

        def keep(ids: set[str]) -> list[Unit]:
            found = [self.units[i] for i in sorted(ids)]
            if province is not None:
                found = [u for u in found if fold(u.province) == fold(province)]
            if types:
                found = [u for u in found if u.unit_type in types]
            return found

        found = keep(self._exact.get(key, set()))
        if found:
            return found
        # An exact name in the national registry ('Thành phố Hòa Bình') outweighs a listed unit
        # that only shares the name without its prefix (the province Hòa Bình).
        if self.national:
            found = self._national(text, province, types, year, exact=True)
            if found:
                return found
        found = keep(self._loose.get(key, set()) | self._loose.get(strip_prefix(key), set()))
        if found:
            return found
        return self._national(text, province, types, year) if self.national else []

    def province_name(self, text: str) -> str:
        """A province as printed ('TP. Hồ Chí Minh', 'Thừa Thiên - Huế') -> the name units carry."""
        key = fold(text)
        if key not in self._provinces:
            if any(fold(u.province) == key for u in self.units.values()):
                self._provinces[key] = text
            else:
                from chiso import admin_registry

                found = admin_registry.load().find_provinces(text)
                self._provinces[key] = found[0].name if len(found) == 1 else text
        return self._provinces[key]

    def _national(
        self, text: str, province: str | None, types: set[str] | None, year: int | None, exact: bool = False
    ) -> list[Unit]:
        """Units of the national registry the text names; one match is added to this registry."""
        from chiso import admin_registry

        national = admin_registry.load()
        found = national.find(text, province, types, year, exact=exact)
        if not found and not exact:
            found = [
                u
                for u in admin_registry.former_unit(national, text, province)
                if not types or u.unit_type in types
            ]
        units = []
        for record in found:
            uid = unit_id(record.province if record.unit_type != "province" else record.name, record.name)
            unit = self.units.get(uid) or Unit(
                uid, record.province, record.name, record.short_name, record.unit_type, record.code
            )
            units.append(unit)
        if len(units) == 1 and units[0].unit_id not in self.units:
            self.add(units[0])
            for alias in found[0].aliases:
                self.add_alias(units[0].unit_id, alias)
            self.added[units[0].unit_id] = found[0]
        return units

    def added_frames(self, catalog) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The units taken from the national registry, as (units, aliases) frames like the build's."""
        rows, alias_rows = [], []
        for uid, record in self.added.items():
            successor = unit_id(record.province, record.successor) if record.successor else None
            rows.append(
                (
                    uid,
                    record.province,
                    record.name,
                    record.short_name,
                    record.unit_type,
                    getattr(record, "peer_group", "") or catalog.peer_group_of(record.unit_type),
                    record.code or None,
                    record.valid_from,
                    record.valid_to,
                    successor,
                )
            )
            alias_rows += [(uid, alias) for alias in record.aliases]
        units = pl.DataFrame(rows, schema=UNIT_SCHEMA, orient="row")
        aliases = pl.DataFrame(alias_rows, schema={"unit_id": pl.String, "alias": pl.String}, orient="row")
        return units, aliases

    def resolve(
        self, text: str, province: str | None = None, types: set[str] | None = None, year: int | None = None
    ) -> Unit:
        """The one unit the text names; ChisoError naming candidates or suggestions otherwise."""
        found = self.candidates(text, province, types, year)
        if len(found) == 1:
            return found[0]
        where = Said(lambda lang: t("units.where", lang, province=province)) if province else ""
        if not found:
            hint = ", ".join(self.suggest(text, province))
            tail = Said(lambda lang: t("units.did_you_mean", lang, names=hint)) if hint else ""
            raise ChisoError.coded("units.not_found", text=repr(text), where=where, tail=tail)
        names = Said(
            lambda lang: "; ".join(f"{u.name} ({u.province or t('units.central', lang)})" for u in found)
        )
        raise ChisoError.coded("units.ambiguous", text=repr(text), where=where, names=names)

    def suggest(self, text: str, province: str | None = None, n: int = 3) -> list[str]:
        """Closest official names, accent-insensitive: 'Dam Ha' -> 'Huyện Đầm Hà'."""
        where = None if province is None else fold(province)
        keys = self._suggest_keys.get(where)
        if keys is None:
            pool = [u for u in self.units.values() if where is None or fold(u.province) == where]
            keys = {fold(u.short_name): u.name for u in pool} | {fold(u.name): u.name for u in pool}
            self._suggest_keys[where] = keys
        close = difflib.get_close_matches(strip_prefix(fold(text)), list(keys), n=n, cutoff=0.6)
        return list(dict.fromkeys(keys[k] for k in close))
