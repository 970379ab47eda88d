"""Typed, validated index definitions read from ``config/indices.yaml``.

The YAML file is the only place an index, a component, a unit type or a peer group
is declared. It is parsed once, at the edge, into frozen models that reject unknown
keys, so a typo fails loudly with one line naming the file, the index and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chiso.errors import ChisoError

Text = dict[str, str]
"""A text in each configured language, e.g. ``{"vi": "Tốt", "en": "Good"}``."""

CODE = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    # Unknown keys are errors: a typo in YAML fails loudly instead of being ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Tier(_Strict):
    """A band of % of maximum; a unit is in the first tier whose ``min_pct`` it reaches."""

    code: str = Field(description="Short stable code, e.g. 'A' or 'tot'.")
    name: Text = Field(description="Tier name per language, shown beside its colour.")
    min_pct: float = Field(ge=0, le=100, description="Lowest % of maximum in this tier.")
    inferred: bool = Field(default=False, description="True when the band is the project's deduction.")


class Component(_Strict):
    code: str = Field(pattern=CODE, description="ASCII snake_case of the Vietnamese name.")
    name: Text
    max: float = Field(gt=0, description="Maximum points of the component in this variant.")
    aliases: list[str] = Field(default_factory=list, description="Spellings found in sources.")
    community: bool = Field(
        default=False,
        description="A score of the local business community, not of the authority: never a "
        "locality's component, strength or weakness.",
    )


class YearRange(_Strict):
    start: int | None = Field(default=None, alias="from", ge=1990, le=2100)
    end: int | None = Field(default=None, alias="to", ge=1990, le=2100)

    def contains(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


class Variant(_Strict):
    """The structure an index has for some provinces, peer groups (blocks) and years.

    Component lists and maxima differ by province, block and year (DDCI has 5 to 10
    components, PAR area maxima change with each yearly decision), so an index holds
    a list of variants; the most specific one that matches a table is used.
    """

    id: str = Field(pattern=CODE)
    provinces: list[str] = Field(default_factory=list, description="Empty: every province.")
    peer_groups: list[str] = Field(default_factory=list, description="Empty: every peer group.")
    years: YearRange = Field(default_factory=YearRange)
    max_score: float | None = Field(default=None, gt=0, description="Overrides the index maximum.")
    max_inferred: bool = Field(default=False, description="True when the maximum is a deduction.")
    unit: Text | None = None
    aggregation: Literal["sum", "weighted_mean", "published"] | None = None
    decimals: int | None = Field(default=None, ge=0, le=4, description="Overrides the index decimals.")
    tiers: list[Tier] | None = None
    components: list[Component] = Field(default_factory=list)
    inferred: bool = Field(default=False, description="True when the structure is a deduction.")
    note: Text | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _unique_components(self) -> Variant:
        _no_repeats([c.code for c in self.components], "component")
        return self

    def specificity(self) -> int:
        return 2 * bool(self.provinces) + bool(self.peer_groups)


class MethodChange(_Strict):
    year: int
    note: Text
    source: str | None = None
    provinces: list[str] = Field(default_factory=list, description="Empty: every province.")
    peer_groups: list[str] = Field(default_factory=list, description="Empty: every peer group.")

    def applies(self, province: str | None, peer_group: str | None) -> bool:
        """Whether the change concerns a table of that province and peer group (None: any)."""
        return (not self.provinces or province is None or province in self.provinces) and (
            not self.peer_groups or peer_group is None or peer_group in self.peer_groups
        )


class PeerGroupRule(_Strict):
    """Which unit types a province ranks together in which years (Hải Phòng 2025: wards apart
    from communes and special zones). The rule overrides the unit type's peer group for the
    score rows it matches; a units-sheet override of one unit still applies outside it."""

    provinces: list[str] = Field(min_length=1)
    years: YearRange = Field(default_factory=YearRange)
    unit_types: list[str] = Field(min_length=1)
    peer_group: str
    note: Text | None = None
    source: str | None = None


class WeightedBackcast(_Strict):
    """A merged unit's earlier value as its predecessors' mean weighted by their population or area."""

    weighted_by: Literal["population", "area"]


class Edition(_Strict):
    """One of several tables a publisher issued for the same index and year (DTI 2024: the 63
    former provinces and the 34 formed on 1 July 2025). ``units``: whose territory it ranks, the
    former units (it continues the earlier years' series) or the new ones (later years continue it)."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$", description="Stable code: files, URLs, CLI.")
    name: Text = Field(description="Label per language, shown in selectors, captions and exports.")
    units: Literal["former", "new"]
    default: bool = Field(default=False, description="The edition shown unless another is chosen.")
    source: str | None = None


class YearEditions(_Strict):
    """The editions of one year's tables of an index, for some peer groups (empty: every one)."""

    year: int = Field(ge=1990, le=2100)
    peer_groups: list[str] = Field(default_factory=list)
    editions: list[Edition] = Field(min_length=2)
    note: Text | None = None

    @model_validator(mode="after")
    def _one_default(self) -> YearEditions:
        _no_repeats([e.code for e in self.editions], f"edition of {self.year}")
        if sum(e.default for e in self.editions) != 1:
            raise ValueError(f"editions of {self.year}: exactly one must be default: true")
        if (
            sum(e.units == "new" for e in self.editions) > 1
            or sum(e.units == "former" for e in self.editions) > 1
        ):
            raise ValueError(
                f"editions of {self.year}: at most one edition of the former and one of the new units"
            )
        return self

    def applies(self, peer_group: str) -> bool:
        return not self.peer_groups or peer_group in self.peer_groups


class Rate(_Strict):
    """An online-service rate computed from one-stop counts: sum(numerator) / sum(denominator)."""

    code: str = Field(pattern=CODE)
    name: Text
    numerator: list[str] = Field(min_length=1)
    denominator: list[str] = Field(min_length=1)


class Index(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="Stable code used in URLs, DB and CLI.")
    aliases: list[str] = Field(default_factory=list, description="Spellings found in sources: PAR_INDEX.")
    name: Text
    short_name: Text
    description: Text
    publisher: Text | None = None
    max_score: float = Field(gt=0)
    max_inferred: bool = Field(default=False, description="True when the maximum is a deduction.")
    unit: Text = Field(description="Unit of the score, e.g. điểm or %.")
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    aggregation: Literal["sum", "weighted_mean", "published"]
    decimals: int = Field(default=2, ge=0, le=4)
    tiers: list[Tier] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    method_changes: list[MethodChange] = Field(default_factory=list)
    rates: list[Rate] = Field(default_factory=list)
    backcast: Literal["none", "mean"] | WeightedBackcast = Field(
        default="none",
        description="How a merged unit's value before its reorganisation is derived from its "
        "predecessors' (none: not at all). A derived value is labelled, never ranked, never stored.",
    )
    backcast_note: Text | None = Field(default=None, description="Whose rule the back-cast is.")
    editions: list[YearEditions] = Field(
        default_factory=list,
        description="Years published in several editions (DTI 2024: 63 and 34 provinces); a stored "
        "value of such a year names its edition, and each edition is a table of its own.",
    )

    @model_validator(mode="after")
    def _tiers_descending(self) -> Index:
        for tiers in [self.tiers, *(v.tiers for v in self.variants if v.tiers)]:
            pcts = [t.min_pct for t in tiers]
            if pcts != sorted(pcts, reverse=True):
                raise ValueError("tiers must be listed from the highest min_pct down")
        ids = [v.id for v in self.variants]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"variant id repeated: {', '.join(dupes)}")
        return self

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher_is_better"

    def variant_for(self, province: str, peer_group: str, year: int) -> Variant | None:
        """The most specific variant matching a table; ``None`` when nothing matches."""
        matches = [
            v
            for v in self.variants
            if (not v.provinces or province in v.provinces)
            and (not v.peer_groups or peer_group in v.peer_groups)
            and v.years.contains(year)
        ]
        return max(matches, key=Variant.specificity, default=None)

    def max_for(self, province: str, peer_group: str, year: int, component: str | None) -> float | None:
        """Maximum points of the total (component None) or of a component; None if undeclared."""
        variant = self.variant_for(province, peer_group, year)
        if component is None:
            return variant.max_score if variant and variant.max_score else self.max_score
        if variant is None:
            return None
        return next((c.max for c in variant.components if c.code == component), None)

    def inferred_max(self, province: str, peer_group: str, year: int) -> bool:
        """True when the maximum a table is read on is the project's deduction, not published."""
        variant = self.variant_for(province, peer_group, year)
        if variant and variant.max_score:
            return variant.max_inferred
        return self.max_inferred

    def tiers_for(self, province: str, peer_group: str, year: int) -> list[Tier]:
        variant = self.variant_for(province, peer_group, year)
        return variant.tiers if variant and variant.tiers else self.tiers

    def decimals_for(self, province: str, peer_group: str, year: int) -> int:
        variant = self.variant_for(province, peer_group, year)
        return variant.decimals if variant and variant.decimals is not None else self.decimals

    def aggregation_for(self, province: str, peer_group: str, year: int) -> str:
        variant = self.variant_for(province, peer_group, year)
        return variant.aggregation if variant and variant.aggregation else self.aggregation

    def unit_for(self, province: str, peer_group: str, year: int) -> Text:
        variant = self.variant_for(province, peer_group, year)
        return variant.unit if variant and variant.unit else self.unit

    def editions_for(self, year: int, peer_group: str | None = None) -> list[Edition]:
        """The editions of a year's table ([] when the year has only one); ``peer_group`` None: any."""
        for declared in self.editions:
            if declared.year == year and (peer_group is None or declared.applies(peer_group)):
                return declared.editions
        return []

    def edition(self, year: int, code: str, peer_group: str | None = None) -> Edition | None:
        return next((e for e in self.editions_for(year, peer_group) if e.code == code), None)

    def new_editions(self) -> list[str]:
        """The codes of editions that rank the new units of a reorganisation (DTI 2024: 34)."""
        return sorted({e.code for declared in self.editions for e in declared.editions if e.units == "new"})

    def default_edition(self, year: int, peer_group: str | None = None) -> str:
        """The code of the edition shown unless another is chosen; '' for a year of one edition."""
        return next((e.code for e in self.editions_for(year, peer_group) if e.default), "")


class UnitType(_Strict):
    name: Text
    peer_group: str
    aliases: list[str] = Field(default_factory=list, description="Spellings found in sources.")


class PeerGroup(_Strict):
    name: Text
    scope: Literal["province", "national"] = Field(
        description="Ranked within each province, or across the whole country."
    )


class Catalog(_Strict):
    version: int
    languages: list[str] = Field(min_length=1)
    unit_types: dict[str, UnitType]
    peer_groups: dict[str, PeerGroup]
    indices: list[Index] = Field(min_length=1)
    peer_group_rules: list[PeerGroupRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> Catalog:
        _no_repeats([i.code for i in self.indices], "index")
        for code, unit_type in self.unit_types.items():
            if unit_type.peer_group not in self.peer_groups:
                raise ValueError(f"unit type {code}: unknown peer group {unit_type.peer_group!r}")
        _check_rules(self)
        for index in self.indices:
            for text_field in ("name", "short_name", "description"):
                missing = [lang for lang in self.languages if lang not in getattr(index, text_field)]
                if missing:
                    raise ValueError(f"index {index.code}: {text_field} lacks language {missing[0]}")
            _check_editions(self, index)
            for variant in index.variants:
                unknown = [g for g in variant.peer_groups if g not in self.peer_groups]
                if unknown:
                    raise ValueError(
                        f"index {index.code}: variant {variant.id}: unknown peer group {unknown[0]!r}"
                    )
                _check_sum(index, variant)
        return self

    def index(self, code: str) -> Index:
        for index in self.indices:
            if index.code == code.upper():
                return index
        raise ChisoError.coded("config.no_index", code=repr(code), codes=", ".join(self.codes))

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indices]

    def index_aliases(self) -> dict[str, str]:
        """Upper-case spelling -> index code, the codes themselves included."""
        found = {i.code: i.code for i in self.indices}
        for index in self.indices:
            found.update({a.upper(): index.code for a in index.aliases})
        return found

    def component_aliases(self, index_code: str) -> dict[str, str]:
        """Spelling (lower case) -> component code, over every variant of the index."""
        found: dict[str, str] = {}
        for variant in self.index(index_code).variants:
            for comp in variant.components:
                found.update({a.lower(): comp.code for a in comp.aliases})
        return found

    def unit_type_aliases(self) -> dict[str, str]:
        """Spelling (lower case) -> unit type code, the codes themselves included."""
        found = {code: code for code in self.unit_types}
        for code, unit_type in self.unit_types.items():
            found.update({a.lower(): code for a in unit_type.aliases})
        return found

    def peer_group_of(self, unit_type: str) -> str:
        return self.unit_types[unit_type].peer_group


class ConfigError(ChisoError):
    """The configuration file is unreadable or invalid; the message is one line."""


def _no_repeats(codes: list[str], what: str) -> None:
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ValueError(f"{what} code repeated: {', '.join(dupes)}")


def _check_rules(catalog: Catalog) -> None:
    """Peer-group rules and method changes name only configured peer groups and unit types."""
    for n, rule in enumerate(catalog.peer_group_rules, start=1):
        if rule.peer_group not in catalog.peer_groups:
            raise ValueError(f"peer_group_rules {n}: unknown peer group {rule.peer_group!r}")
        unknown = [u for u in rule.unit_types if u not in catalog.unit_types]
        if unknown:
            raise ValueError(f"peer_group_rules {n}: unknown unit type {unknown[0]!r}")
    for index in catalog.indices:
        for change in index.method_changes:
            unknown = [g for g in change.peer_groups if g not in catalog.peer_groups]
            if unknown:
                raise ValueError(
                    f"index {index.code}: method change {change.year}: unknown peer group {unknown[0]!r}"
                )


def _check_editions(catalog: Catalog, index: Index) -> None:
    """Editions name configured peer groups, carry a label in every language, and a year is
    declared once per peer group."""
    seen: set[tuple[int, str]] = set()
    for declared in index.editions:
        unknown = [g for g in declared.peer_groups if g not in catalog.peer_groups]
        if unknown:
            raise ValueError(
                f"index {index.code}: editions of {declared.year}: unknown peer group {unknown[0]!r}"
            )
        for group in declared.peer_groups or list(catalog.peer_groups):
            if (declared.year, group) in seen:
                raise ValueError(
                    f"index {index.code}: editions of {declared.year} declared twice for {group}"
                )
            seen.add((declared.year, group))
        for edition in declared.editions:
            missing = [lang for lang in catalog.languages if lang not in edition.name]
            if missing:
                where = f"index {index.code}: edition {edition.code} of {declared.year}"
                raise ValueError(f"{where}: name lacks language {missing[0]}")


def _check_sum(index: Index, variant: Variant) -> None:
    """Where the total is the sum of its components, their maxima must add up to the maximum."""
    aggregation = variant.aggregation or index.aggregation
    if aggregation != "sum" or not variant.components:
        return
    total = sum(c.max for c in variant.components)
    maximum = variant.max_score or index.max_score
    if abs(total - maximum) > 1e-6:
        raise ValueError(
            f"index {index.code}: variant {variant.id}: the component maxima add up to {total:g}, "
            f"not to the maximum {maximum:g} (aggregation: sum)"
        )


MAX_CONFIG_BYTES = 2 * 1024 * 1024
MAX_YAML_DEPTH = 40


class _YamlRefused(yaml.YAMLError):
    """A structure the strict loader refuses: a message code, its fields and where it was found."""

    def __init__(self, code: str, mark, **fields):
        super().__init__(code)
        self.code, self.mark, self.fields = code, mark, fields


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (the second would silently win)
    and nesting deeper than any catalogue needs (a deep file would exhaust the recursion)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise _YamlRefused("config.yaml_too_deep", mark, depth=MAX_YAML_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _YamlRefused(
                    "config.duplicate_key", key_node.start_mark, name=repr(key), first=seen[key] + 1
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _read_config_text(path: Path) -> str:
    path = Path(path)
    if path.is_dir():
        raise ConfigError.coded("config.is_a_folder", path=path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError.coded("config.not_found", path=path) from exc
    except OSError as exc:
        raise ConfigError.coded("config.unreadable", path=path, reason=exc.strerror) from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError.coded("config.too_big", path=path, mb=MAX_CONFIG_BYTES // 1024 // 1024)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError.coded(
            "config.not_utf8", path=path, line=line, byte=f"{data[exc.start]:02X}"
        ) from exc


def _field_path(loc: tuple, raw: dict) -> str:
    """Turn a pydantic location into 'index PAR: variants[0].max_score' using the raw YAML."""
    parts = list(loc)
    prefix = ""
    if len(parts) >= 2 and parts[0] == "indices" and isinstance(parts[1], int):
        indices = raw.get("indices") or []
        entry = indices[parts[1]] if parts[1] < len(indices) else {}
        code = entry.get("code", f"#{parts[1] + 1}") if isinstance(entry, dict) else f"#{parts[1] + 1}"
        prefix = f"index {code}: "
        parts = parts[2:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return prefix + (f"field {path}" if path else "")


_AHEAD: dict[str, tuple[tuple[int, int], Catalog]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    stat = Path(path).stat()
    return stat.st_mtime_ns, stat.st_size


def parse_ahead(path: Path) -> None:
    """Parse and validate the catalogue now and keep it for :func:`parsed_ahead`: the launcher's
    warm-up does it while the first reader's browser loads the front end (≈ 0,1–0,25 s of the
    first page run otherwise). Configuration only: no data is read. Raises as :func:`load_catalog`."""
    stamp = _stamp(path)
    _AHEAD[str(path)] = (stamp, load_catalog(path))


def parsed_ahead(path: Path) -> Catalog | None:
    """The catalogue :func:`parse_ahead` kept, handed over once, if the file is unchanged since;
    else None (the caller parses it)."""
    kept = _AHEAD.pop(str(path), None)
    if kept is None or not Path(path).exists() or kept[0] != _stamp(path):
        return None
    return kept[1]


def load_catalog(path: Path) -> Catalog:
    """Read and validate the index catalogue; raise ConfigError with a one-line message."""
    text = _read_config_text(path)
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except RecursionError as exc:
        raise ConfigError.coded("config.too_deep", path=path) from exc
    except _YamlRefused as exc:
        at = {"line": exc.mark.line + 1, "column": exc.mark.column + 1}
        raise ConfigError.coded(exc.code, path=path, **at, **exc.fields) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if mark is None:
            raise ConfigError.coded("config.yaml_invalid", path=path, problem=problem) from exc
        at = {"line": mark.line + 1, "column": mark.column + 1}
        raise ConfigError.coded("config.yaml_invalid_at", path=path, problem=problem, **at) from exc
    if not isinstance(raw, dict):
        raise ConfigError.coded("config.not_a_mapping", path=path)
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _field_path(tuple(err["loc"]), raw)
        message = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: {where + ': ' if where else ''}{message}") from exc
