"""Resolve and validate the rows of a read file: units, then the build's own reader.

No database: the units, the registry and the catalog are handed in (``Reference``). Every
problem is mapped back to the sheet, row and column of the source, so the steward finds it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chiso.columns import SCORE_FIELDS
from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.i18n import t
from chiso.ingest import units_sheet
from chiso.ingest.annex import LONG_COLUMNS, MAX_BYTES, Annex, ImportOptions, Origin, rows_frame
from chiso.ingest.problems import Issue, Note, hint_for, issue
from chiso.ingest.readers import DataError, Problem, read_scores
from chiso.ingest.unit_screen import could_match
from chiso.names import fold
from chiso.units import Registry


@dataclass
class Reference:
    """What a file is checked against, read from the database beforehand."""

    catalog: Catalog
    units: pl.DataFrame
    registry: Registry
    scores: pl.DataFrame
    sources: pl.DataFrame


def unit_types(catalog: Catalog, text: str | None) -> set[str] | None:
    """A unit type code or a peer-group name -> the unit types it allows."""
    if not text:
        return None
    key = fold(text).replace(" ", "_")
    if key in catalog.unit_types:
        return {key}
    groups = {g for g in catalog.peer_groups if g == key}
    if groups:
        return {code for code, t in catalog.unit_types.items() if t.peer_group in groups}
    types, groups = ", ".join(catalog.unit_types), ", ".join(catalog.peer_groups)
    raise ChisoError.coded("import.unit_type_unknown", value=repr(text), types=types, groups=groups)


# The hint of a reader problem: by its code where one says more, else by its column
# (keys under hint.* in locales/*.problems.yaml). No message is searched for words.
CODE_HINTS = {
    ("year", "year.outside_validity"): "year.outside_validity",
    ("score", "score.duplicate"): "score.duplicate",
    ("score", "score.duplicate_file"): "score.duplicate",
    ("score", "score.above_max"): "score.above_max",
    ("score", "score.negative"): "score.negative",
    ("score", "number.decimal_comma"): "number.decimal_comma",
}
COLUMN_HINTS = {"unit", "unit_type", "index", *SCORE_FIELDS, "rank_basis"}


def _hint_keys(problem: Problem) -> tuple[str, ...]:
    key = CODE_HINTS.get((problem.column, problem.code))
    if key is None and problem.column in COLUMN_HINTS:
        key = problem.column
    return (key,) if key else ()


def origin_label(origin: Origin, column: str | None) -> str | None:
    if column is None:
        return None
    if column == "component":
        column = "score"
    return origin.columns.get(column, column)


def _to_issue(problem: Problem, annex: Annex, kept: list[int]) -> Issue:
    """A reader problem on a line of the normalised rows -> the sheet, row and column of the source;
    a line the problem names (a duplicate's first row) becomes the source row too."""
    params = dict(problem.params)
    if problem.code in ("score.duplicate", "score.duplicate_file") and 0 <= int(params["line"]) - 2 < len(
        kept
    ):
        params["line"] = annex.origins[kept[int(params["line"]) - 2]].row
    message = t(f"problem.{problem.code}", "vi", **params) if problem.code else problem.message
    if problem.line is None or problem.line - 2 >= len(kept):
        where = {"sheet": annex.sheet}
        message = problem.message
    else:
        origin = annex.origins[kept[problem.line - 2]]
        where = {"sheet": origin.sheet, "row": origin.row, "column": origin_label(origin, problem.column)}
    keys = _hint_keys(problem)
    return Issue(
        annex.file,
        message,
        **where,
        hint=hint_for(keys, params),
        code=problem.code,
        params=tuple(params.items()),
        hints=keys,
    )


def dedupe(issues: list[Issue]) -> list[Issue]:
    seen, out = set(), []
    for found in sorted(issues, key=Issue.sort_key):
        key = (found.sheet, found.row, found.column, found.message)
        if key not in seen:
            seen.add(key)
            out.append(found)
    return out


def resolve_units(annex: Annex, ctx: Reference, options: ImportOptions) -> tuple[list[int], list[Issue]]:
    """Resolve every distinct (province, unit, year) once, restricted to the chosen unit type; rows
    that name no unit are left out of the reader's input and reported here: the first
    LISTED_UNKNOWN one by one with the closest names, the rest counted in one line.

    Names that cannot match any unit are found for the whole column at once
    (``chiso.ingest.unit_screen``); only the others are resolved one by one, so a file of 200.000
    unknown names is refused in seconds."""
    types = unit_types(ctx.catalog, options.unit_type)
    keys = _keys_frame(annex)
    distinct = keys.unique(subset=["province", "unit", "year"], keep="first", maintain_order=True)
    distinct = distinct.with_columns(could_match(ctx.registry, distinct["unit"]))
    found: dict[tuple, object] = {}
    unknown = 0
    for province, unit, year in distinct.filter("could_match").select("province", "unit", "year").iter_rows():
        found[(province, unit, year)] = result = _resolve_bounded(ctx, province, unit, types, unknown, year)
        unknown += isinstance(result, ChisoError)
    resolved = pl.DataFrame(
        [(*key, not isinstance(v, ChisoError)) for key, v in found.items()],
        schema={"province": pl.String, "unit": pl.String, "year": pl.Int64, "ok": pl.Boolean},
        orient="row",
    )
    keys = keys.join(resolved, on=["province", "unit", "year"], how="left", nulls_equal=True)
    keys = keys.with_columns(pl.col("ok").fill_null(False)).sort("i")
    resolved_rows = keys.filter("ok")
    _rename(annex, resolved_rows, found, options, ctx)
    kept = resolved_rows["i"].to_list()
    missing = keys.filter(~pl.col("ok"))
    return kept, _unknown_issues(annex, ctx, missing, found, types)


def _keys_frame(annex: Annex) -> pl.DataFrame:
    """Row index, province, unit and year (a number when the cell holds only digits) of every row."""
    frame = pl.DataFrame(
        {name: [row.get(name) or "" for row in annex.rows] for name in ("province", "unit", "year")},
        schema={"province": pl.String, "unit": pl.String, "year": pl.String},
    )
    year = pl.col("year").str.strip_chars()
    digits = year.str.contains(r"^[0-9]+$")
    return frame.with_row_index("i").with_columns(
        pl.when(digits).then(year.cast(pl.Int64, strict=False)).otherwise(None).alias("year")
    )


def _rename(annex: Annex, kept: pl.DataFrame, found: dict, options: ImportOptions, ctx: Reference) -> None:
    """Kept rows carry the unit's own name and province (and the type the reader checks)."""
    type_code = fold(options.unit_type or "").replace(" ", "_")
    is_type = type_code in ctx.catalog.unit_types
    for i, province, name, year in kept.select("i", "province", "unit", "year").iter_rows():
        row = annex.rows[i]
        unit = found[(province, name, year)]
        row["unit"], row["province"] = unit.name, unit.province
        if options.unit_type and row["unit_type"] == options.unit_type:
            # A type given as an option is checked by the reader; a peer group was checked above.
            row["unit_type"] = type_code if is_type else ""


LISTED_UNKNOWN = 50  # rows naming no unit listed one by one; the others are counted in one line


def _unknown_issues(annex: Annex, ctx: Reference, missing: pl.DataFrame, found: dict, types) -> list[Issue]:
    """The first rows naming no unit, each with the registry's words; then one line for the rest."""
    issues = []
    for i, province, unit, year in (
        missing.head(LISTED_UNKNOWN).select("i", "province", "unit", "year").iter_rows()
    ):
        key = (province, unit, year)
        if key not in found:
            found[key] = _resolve_bounded(ctx, province, unit, types, 0, year)
        issues.append(_unit_issue(annex, annex.origins[i], annex.rows[i], found[key], types, ctx, year))
    rest = missing.slice(LISTED_UNKNOWN)
    if rest.height:
        first, last = annex.origins[rest["i"][0]], annex.origins[rest["i"][-1]]
        issues.append(
            issue(
                annex.file,
                "unit.unknown_more",
                sheet=first.sheet,
                row=first.row,
                column=origin_label(first, "unit"),
                hints=("unit",),
                n=_dotted(rest.height),
                names=_dotted(rest["unit"].n_unique()),
                last=last.row,
                examples=", ".join(repr(u) for u in rest["unit"].unique(maintain_order=True).head(3)),
            )
        )
    return issues


def _dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _unit_issue(
    annex: Annex, origin: Origin, row: dict, error: ChisoError, types, ctx: Reference, year: int | None = None
) -> Issue:
    """A row that names no unit (of the chosen type): the registry's words, and what to do."""
    other = _other_type(ctx, row, types) if types else None
    code, params = other or _not_found(ctx, row, types, year) or ("unit.unknown", {"detail": str(error)})
    keys = ("unit",) if row["province"] else ("unit.no_province", "unit")
    if types:
        keys += ("unit.types",)
        params["types"] = ", ".join(sorted(types))
    column = origin_label(origin, "unit")
    return issue(annex.file, code, sheet=origin.sheet, row=origin.row, column=column, hints=keys, **params)


def _not_found(ctx: Reference, row: dict, types, year: int | None) -> tuple[str, dict] | None:
    """A name no unit has, as a code with its closest names (None: the name is ambiguous instead)."""
    province = row["province"] or None
    if ctx.registry.candidates(row["unit"], province, types, year):
        return None
    close = ctx.registry.suggest(row["unit"], province)
    params = {
        "unit": repr(row["unit"]),
        "where": Note("unit.where.province", province=province) if province else "",
        "close": Note("unit.where.close", names=", ".join(close)) if close else "",
    }
    return "unit.not_found", params


SUGGESTED_NAMES = 50  # closest names are looked for the first unknown names only (bounded time)


def _resolve_bounded(
    ctx: Reference, province: str, unit: str, types: set[str] | None, unknown: int, year: int | None
):
    """The unit a row names, or the error; past SUGGESTED_NAMES unknown names no suggestions are
    computed, so many names that match nothing close are refused in bounded time."""
    province = province or None
    if unknown >= SUGGESTED_NAMES and not ctx.registry.candidates(unit, province, types, year):
        if province:
            return ChisoError.coded("import.unit_not_found_in", unit=repr(unit), province=province)
        return ChisoError.coded("import.unit_not_found", unit=repr(unit))
    try:
        return ctx.registry.resolve(unit, province=province, types=types, year=year)
    except ChisoError as exc:
        return exc


def gather(frame: pl.DataFrame, rows: list[int]) -> pl.DataFrame:
    return frame.select(pl.all().gather(rows)) if rows else frame.clear()


def _other_type(ctx: Reference, row: dict, types: set[str]) -> tuple[str, dict] | None:
    """A clearer problem when the name is a unit, but not of the chosen type."""
    try:
        unit = ctx.registry.resolve(row["unit"], province=row["province"] or None)
    except ChisoError:
        return None
    params = {
        "unit": row["unit"],
        "name": unit.name,
        "unit_type": unit.unit_type,
        "types": ", ".join(sorted(types)),
    }
    return "unit.other_type", params


def read_validated(annex: Annex, ctx: Reference, kept: list[int]) -> tuple[pl.DataFrame | None, list[Issue]]:
    """Run the build's reader over the normalised rows; map its problems back to the source."""
    if not kept:
        return None, []
    frame = gather(rows_frame(annex), kept)
    with tempfile.TemporaryDirectory(prefix="chiso-import-") as folder:
        path = Path(folder) / "rows.csv"
        frame.select(LONG_COLUMNS).write_csv(path)
        try:
            scores = read_scores(path, ctx.catalog, ctx.registry, ctx.units)
        except DataError as exc:
            return None, [_to_issue(p, annex, kept) for p in exc.problems]
    return scores, []


def units_section(path: Path, file: str, options: ImportOptions, catalog: Catalog):
    """The units section (CSV) or sheet (XLSX) of the file, validated; None when there is none."""
    if path.stat().st_size > MAX_BYTES:
        return None  # read_annex refuses it with its own message
    section = units_sheet.split(path.read_bytes(), file, options)
    if section.units is None and not section.header and not section.issues:
        return None
    return units_sheet.load(section, catalog)
