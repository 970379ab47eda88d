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
from chiso.names import fold, slug, strip_prefix


def unit_id(province: str, name: str) -> str:
    return f"{slug(province) or 'quoc-gia'}/{slug(name)}"


@dataclass(frozen=True)
class Unit:
    unit_id: str
    province: str
    name: str
    short_name: str
    unit_type: str
    code: str = ""


@dataclass
class Registry:
    """Units with their lookup keys; built once from the units table."""

    units: dict[str, Unit] = field(default_factory=dict)
    _exact: dict[str, set[str]] = field(default_factory=dict)
    _loose: dict[str, set[str]] = field(default_factory=dict)
    _suggest_keys: dict = field(default_factory=dict)  # province -> {folded name: name}, built once

    @classmethod
    def from_frames(cls, units: pl.DataFrame, aliases: pl.DataFrame | None = None) -> Registry:
        registry = cls()
        for row in units.iter_rows(named=True):
            unit = Unit(
                row["unit_id"],
                row["province"],
                row["name"],
                row["short_name"],
                row["unit_type"],
                row.get("code") or "",
            )
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

    def candidates(self, text: str, province: str | None = None, types: set[str] | None = None) -> list[Unit]:
        """Units the text names, best tier first; empty when nothing matches."""
        key = fold(text)

        def keep(ids: set[str]) -> list[Unit]:
            found = [self.units[i] for i in sorted(ids)]
            if province is not None:
                found = [u for u in found if fold(u.province) == fold(province)]
            if types:
                found = [u for u in found if u.unit_type in types]
            return found

        for ids in (
            self._exact.get(key, set()),
            self._loose.get(key, set()) | self._loose.get(strip_prefix(key), set()),
        ):
            found = keep(ids)
            if found:
                return found
        return []

    def resolve(self, text: str, province: str | None = None, types: set[str] | None = None) -> Unit:
        """The one unit the text names; ChisoError naming candidates or suggestions otherwise."""
        found = self.candidates(text, province, types)
        if len(found) == 1:
            return found[0]
        where = f" ở {province}" if province else ""
        if not found:
            hint = self.suggest(text, province)
            tail = f"; có phải: {', '.join(hint)}?" if hint else ""
            raise ChisoError(f"Không tìm thấy đơn vị {text!r}{where}{tail}")
        names = "; ".join(f"{u.name} ({u.province or 'trung ương'})" for u in found)
        raise ChisoError(f"Tên {text!r}{where} chỉ nhiều đơn vị: {names}. Hãy ghi rõ hơn.")

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
