"""Which typed unit names could name a unit at all, decided for a whole column at once.

A file of 200.000 rows naming units nobody knows must be refused in seconds: resolving every
name one by one through the registry (and the national registry, and its former units) costs a
millisecond each. Here every distinct name is folded by Polars expressions that do what
``chiso.names.fold`` and ``strip_prefix`` do, and its keys are looked up among every key the
registry and the national registry hold. A name none of whose keys is held cannot match
anything, so it is unknown without asking the registry; only the others are resolved one by one.
"""

from __future__ import annotations

import polars as pl

from chiso import admin_registry
from chiso.names import _PREFIXES
from chiso.units import Registry

_PREFIX = r"^(?:" + "|".join(_PREFIXES) + r")\s+"


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """``chiso.names.fold`` as an expression: accents, tone marks, case and punctuation dropped."""
    return (
        expr.cast(pl.String)
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_all("đ", "d", literal=True)
        .str.replace_all("Đ", "D", literal=True)
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9&]+", " ")
        .str.strip_chars(" ")
    )


def strip_prefix_expr(expr: pl.Expr) -> pl.Expr:
    """``chiso.names.strip_prefix`` on folded keys: one administrative prefix dropped."""
    return expr.str.replace(_PREFIX, "")


def _spelt_out(folded: pl.Expr) -> pl.Expr:
    """The national registry's full key: a leading abbreviation spelt out ('tp x' -> 'thanh pho x')."""
    head = folded.str.extract(r"^(\S+) \S", 1)
    rest = folded.str.extract(r"^\S+ (.+)$", 1)
    spelt = head.replace_strict(admin_registry.ABBREVIATIONS, default=None)
    return pl.when(spelt.is_not_null()).then(pl.concat_str([spelt, rest], separator=" ")).otherwise(folded)


def _held_keys(registry: Registry) -> tuple[pl.Series, pl.Series]:
    """Every key the registry matches on (folded) and, when it consults the national registry,
    every key of that one (folded without spaces)."""
    listed = pl.Series("key", [*registry._exact, *registry._loose], dtype=pl.String)
    national: list[str] = []
    if registry.national:
        held = admin_registry.load()
        national = [*held.exact, *held.loose, *held.merged]
    return listed, pl.Series("key", national, dtype=pl.String)


def could_match(registry: Registry, names: pl.Series) -> pl.Series:
    """For each name, whether any of its keys is held (True: resolve it; False: it names nothing)."""
    listed, national = _held_keys(registry)
    folded = fold_expr(pl.col("name")).alias("folded")
    frame = pl.DataFrame({"name": names.cast(pl.String)}).with_columns(folded)
    full = _spelt_out(pl.col("folded"))
    result = frame.select(
        pl.col("folded").is_in(listed.implode())
        | strip_prefix_expr(pl.col("folded")).is_in(listed.implode())
        | full.str.replace_all(" ", "", literal=True).is_in(national.implode())
        | strip_prefix_expr(full).str.replace_all(" ", "", literal=True).is_in(national.implode())
    )
    return result.to_series().fill_null(True).alias("could_match")
