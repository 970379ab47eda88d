"""The national administrative registry (``vietnamadminunits``) as a fallback for unit names.

``data/units.csv`` holds only what no registry has (departments, central agencies, units
with a local alias or peer-group override). Every province (the 63 to 30 June 2025, the 34
from 1 July 2025), every district (to 30 June 2025) and every commune, ward and special zone
(from 1 July 2025) resolves here by name, short name, the registry's aliases or code, as
sources print them ("TP. Hồ Chí Minh", "Thừa Thiên - Huế", "TP Bắc Giang").

Loading reads the package's SQLite file once, on first use (``load()`` is cached); importing
this module costs nothing.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from chiso.names import fold, strip_prefix

LAST_LEGACY_YEAR = 2025  # districts and the 63 provinces end on 30 June 2025 (Law 72/2025/QH15)
FIRST_NEW_YEAR = 2025  # the 34 provinces and the new communes start on 1 July 2025
DISTRICT_TYPES = {"Huyện": "district", "Quận": "urban_district", "Thành phố": "city", "Thị xã": "town"}
WARD_TYPES = {"Xã": "commune", "Phường": "ward", "Đặc khu": "special_zone"}
# Folded prefixes of the registry's alias keys (former units merged into another) -> the printed prefix.
ALIAS_PREFIX = {"huyen": "Huyện", "quan": "Quận", "thixa": "Thị xã", "thanhpho": "Thành phố"}
# Province names the late-2024 snapshot no longer carries: (legacy short name) -> (name to 2024, aliases).
RENAMED_PROVINCES = {"Huế": ("Thừa Thiên Huế", ["Thừa Thiên - Huế", "TT Huế", "TT-Huế"])}
# Printed forms of provinces that are not the registry's own keywords.
PROVINCE_ALIASES = {
    "Hồ Chí Minh": ["TP.HCM", "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "HCMC", "TPHCM"],
    "Bà Rịa - Vũng Tàu": ["Bà Rịa – Vũng Tàu", "BR-VT"],
}


@dataclass(frozen=True)
class AdminUnit:
    province: str
    name: str
    short_name: str
    unit_type: str
    code: str
    valid_from: int | None
    valid_to: int | None
    successor: str = ""  # official name of the unit it merged into (same province)
    aliases: tuple[str, ...] = ()
    peer_group: str = ""  # a units sheet may override the type's peer group


# Abbreviated prefixes as printed in tables -> the registry's full prefix.
ABBREVIATIONS = {
    "tp": "thanh pho",
    "tx": "thi xa",
    "h": "huyen",
    "q": "quan",
    "p": "phuong",
    "tt": "thi tran",
}


def _key(text: str) -> str:
    """Folded without spaces: the registry's own key form ('thanhphobacgiang')."""
    return fold(text).replace(" ", "")


def _keys(text: str) -> set[str]:
    folded = fold(text)
    return {folded.replace(" ", ""), strip_prefix(folded).replace(" ", "")}


def _lookup_keys(text: str) -> tuple[str, str]:
    """(full key with abbreviations spelt out, key without the prefix): 'TP Bắc Giang' ->
    ('thanhphobacgiang', 'bacgiang')."""
    folded = fold(text)
    head, _, rest = folded.partition(" ")
    if head in ABBREVIATIONS and rest:
        folded = f"{ABBREVIATIONS[head]} {rest}"
    return folded.replace(" ", ""), strip_prefix(folded).replace(" ", "")


def _current(unit: AdminUnit, year: int) -> bool:
    """Legacy units before 2025, the new ones from 2025 (the registry's two periods)."""
    if unit.valid_from is not None and year < unit.valid_from:
        return False
    return unit.valid_to is None or year < unit.valid_to or unit.valid_to < LAST_LEGACY_YEAR


@dataclass
class AdminRegistry:
    units: list[AdminUnit]
    exact: dict[str, list[int]]
    loose: dict[str, list[int]]
    merged: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    def find(
        self,
        text: str,
        province: str | None = None,
        types: set[str] | None = None,
        year: int | None = None,
        exact: bool = False,
    ) -> list[AdminUnit]:
        """Registry units the text names in the province (any province when None); with a year,
        a unit of that period wins over one of the other (Huyện Cát Hải / Đặc khu Cát Hải)."""
        full, bare = _lookup_keys(text)
        wanted = None if not province else self.province_names(province)
        tiers = [self.exact.get(full, [])]
        if not exact:
            tiers.append(self.loose.get(full, []) + self.loose.get(bare, []))
        for ids in tiers:
            found = [self.units[i] for i in dict.fromkeys(ids)]
            if wanted is not None:
                found = [u for u in found if u.province in wanted]
            if types:
                found = [u for u in found if u.unit_type in types]
            if year is not None and len(found) > 1:
                found = [u for u in found if _current(u, year)] or found
            if found:
                return found
        return []

    def province_names(self, text: str) -> set[str]:
        """Canonical province names a printed province name stands for ('TP. Hồ Chí Minh')."""
        return {u.name for u in self.find_provinces(text)} or {text}

    def find_provinces(self, text: str) -> list[AdminUnit]:
        found = []
        for key in _lookup_keys(text):
            found += [self.units[i] for i in self.exact.get(key, []) + self.loose.get(key, [])]
        return list(dict.fromkeys(u for u in found if u.unit_type == "province"))


def _dataset() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


@cache
def load() -> AdminRegistry:
    """Every registry unit with its lookup keys; read once per process."""
    with sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True) as con:
        legacy_provinces = con.execute(
            "SELECT DISTINCT provinceShort, provinceCode, province, provinceKeywords FROM admin_units_legacy"
        ).fetchall()
        new_provinces = con.execute(
            "SELECT DISTINCT provinceShort, provinceCode, province, provinceKeywords FROM admin_units"
        ).fetchall()
        districts = con.execute(
            "SELECT DISTINCT provinceShort, districtShort, districtType, districtCode, districtAlias "
            "FROM admin_units_legacy"
        ).fetchall()
        wards = con.execute(
            "SELECT provinceShort, wardShort, wardType, wardCode, wardAlias FROM admin_units"
        ).fetchall()
    units: list[AdminUnit] = []
    extra_keys: list[list[str]] = []
    new_names = {row[0] for row in new_provinces}
    legacy_names = {row[0] for row in legacy_provinces}

    def legacy_name(short: str) -> str:
        return RENAMED_PROVINCES.get(short, (short, []))[0]

    for short, code, full, keywords in legacy_provinces:
        name = legacy_name(short)
        renamed = name != short
        # A province that kept its name after 1 July 2025 is one unit across both periods.
        valid_to = LAST_LEGACY_YEAR if (renamed or short not in new_names) else None
        aliases = [*RENAMED_PROVINCES.get(short, (None, []))[1], *PROVINCE_ALIASES.get(name, [])]
        if not renamed:
            aliases.append(full)
        units.append(AdminUnit(name, name, name, "province", code, None, valid_to, aliases=tuple(aliases)))
        extra_keys.append([] if renamed else _json_list(keywords))
    for short, code, full, keywords in new_provinces:
        if short in legacy_names and short not in RENAMED_PROVINCES:
            continue
        aliases = [full, *PROVINCE_ALIASES.get(short, [])]
        units.append(
            AdminUnit(short, short, short, "province", code, FIRST_NEW_YEAR, None, aliases=tuple(aliases))
        )
        extra_keys.append(_json_list(keywords))
    merged_into: list[tuple[str, str, str, str]] = []  # (province, alias key, successor name, type)
    for province, short, kind, code, alias in districts:
        name = f"{kind} {short}"
        unit_type = DISTRICT_TYPES.get(kind)
        if unit_type is None:
            continue
        units.append(AdminUnit(legacy_name(province), name, short, unit_type, code, None, LAST_LEGACY_YEAR))
        extra_keys.append([])
        for key in _json_list(alias):
            merged_into.append((legacy_name(province), key, name, unit_type))
    for province, short, kind, code, _alias in wards:
        unit_type = WARD_TYPES.get(kind)
        if unit_type is None:
            continue
        units.append(AdminUnit(province, f"{kind} {short}", short, unit_type, code, FIRST_NEW_YEAR, None))
        extra_keys.append([])
    exact: dict[str, list[int]] = {}
    loose: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        for key in {_key(unit.name), unit.code.lower(), *(_key(a) for a in unit.aliases), *extra_keys[i]}:
            if key:
                exact.setdefault(key, []).append(i)
        for key in {_key(unit.short_name), *(k for a in unit.aliases for k in _keys(a))}:
            loose.setdefault(key, []).append(i)
    registry = AdminRegistry(units, exact, loose)
    _add_merged(registry, merged_into)
    return registry


def _add_merged(registry: AdminRegistry, merged: list[tuple[str, str, str, str]]) -> None:
    """Former districts the registry keeps only as an alias of their successor ('huyenyendung' ->
    Thành phố Bắc Giang): a key of their own, resolved to a unit built from the printed name."""
    for province, key, successor, _unit_type in merged:
        prefix = next((p for p in ALIAS_PREFIX if key.startswith(p)), None)
        if prefix is None:
            continue  # a bare short name; the prefixed key of the same unit carries it
        bare = key[len(prefix) :]
        registry.merged.setdefault(bare, []).append((province, ALIAS_PREFIX[prefix], successor))
        registry.merged.setdefault(key, []).append((province, ALIAS_PREFIX[prefix], successor))


def former_unit(registry: AdminRegistry, text: str, province: str | None) -> list[AdminUnit]:
    """A district merged away before the snapshot, named as printed: 'Yên Dũng' in Bắc Giang ->
    Huyện Yên Dũng (to 2024), successor Thành phố Bắc Giang."""
    wanted = None if not province else registry.province_names(province)
    found = []
    for key in _lookup_keys(text):
        for prov, prefix, successor in registry.merged.get(key, []):
            if wanted is not None and prov not in wanted:
                continue
            short = _printed_short(text)
            unit_type = DISTRICT_TYPES[prefix]
            found.append(
                AdminUnit(
                    prov, f"{prefix} {short}", short, unit_type, "", None, LAST_LEGACY_YEAR - 1, successor
                )
            )
        if found:
            break
    return list(dict.fromkeys(found))


def _printed_short(text: str) -> str:
    """'H. Yên Dũng' -> 'Yên Dũng' keeping the printed accents."""
    words = text.strip().split()
    folded = fold(text)
    bare = strip_prefix(folded)
    drop = len(folded.split()) - len(bare.split())
    return " ".join(words[drop:]) if drop < len(words) else text.strip()
