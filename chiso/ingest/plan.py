"""The file side of an import: read it, then resolve, validate and check it. No database.

``read_file`` turns the file into normalised rows (the units section or sheet split off and
validated, the table read by chiso.ingest.annex); ``check`` resolves the units, validates the
rows with the build's own reader and, when nothing blocks, adds the plausibility warnings.
The conductor is ``chiso.store.imports.plan_import``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.ingest import plausibility, units_sheet
from chiso.ingest.annex import (
    Annex,
    AnnexError,
    ImportOptions,
    Issue,
    rows_frame,
)
from chiso.ingest.dispatch import read_annex, read_annex_bytes
from chiso.ingest.problems import Note
from chiso.ingest.resolve import (
    Reference,
    dedupe,
    gather,
    read_validated,
    resolve_units,
    unit_types,
    units_section,
)

GIVEN = ("score", "rank", "rank_of", "flag")


@dataclass
class ReadFile:
    """A file read as a table, or the problems that stop it being read."""

    annex: Annex | None = None
    section: units_sheet.UnitsSection | None = None
    errors: list[Issue] = field(default_factory=list)


@dataclass
class Checked:
    """Validated rows (with their source row and which values the file gives) and what was found."""

    scores: pl.DataFrame | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    long_csv: str = ""


def check_options(catalog: Catalog, options: ImportOptions, file: str) -> list[Issue]:
    """The options name a known unit type (or peer group) and index."""
    try:
        unit_types(catalog, options.unit_type)
        if options.index:
            catalog.index(options.index)
    except ChisoError as exc:
        return [Issue(file, str(exc))]
    return []


def read_file(path: Path, file: str, options: ImportOptions, catalog: Catalog) -> ReadFile:
    """Split off the units section, then read the table (wide annex or long rows)."""
    section = units_section(path, file, options, catalog)
    try:
        if section is None:
            annex = read_annex(path, catalog, options, name=file)
        else:
            annex = read_annex_bytes(section.data, file, catalog, section.options)
    except AnnexError as exc:
        return ReadFile(errors=[*(section.issues or [] if section else []), *exc.issues])
    if section is not None and section.issues:
        return ReadFile(errors=section.issues)
    return ReadFile(annex, section)


def check(read: ReadFile, ref: Reference, options: ImportOptions) -> Checked:
    """Resolve units, validate the rows, and warn about what looks implausible."""
    annex, section = read.annex, read.section
    checked = Checked()
    if section is not None:
        known = units_sheet.register(section, ref.registry, ref.units)
        if known:
            checked.notes.append(Note("units.note.known", where=section.where, names=", ".join(known)))
    kept, unit_issues = resolve_units(annex, ref, options)
    # Rows whose source row already has a problem are not read again (one message per cell).
    bad_rows = {(i.sheet, i.row) for i in annex.issues}
    kept = [i for i in kept if (annex.origins[i].sheet, annex.origins[i].row) not in bad_rows]
    scores, read_issues = read_validated(annex, ref, kept)
    checked.errors = dedupe([*annex.issues, *unit_issues, *read_issues])
    if checked.errors or scores is None:
        return checked
    checked.warnings = [*annex.warnings, *plausibility.warnings(annex, scores, kept, ref.catalog)]
    checked.scores = _with_origin(scores, annex, kept)
    checked.long_csv = gather(rows_frame(annex), kept).write_csv()
    return checked


def _with_origin(scores: pl.DataFrame, annex: Annex, kept: list[int]) -> pl.DataFrame:
    """Each validated row with its source row and which values the file gives (``_given_*``)."""
    lines = range(2, len(kept) + 2)
    source_rows = pl.DataFrame(
        {"_line": lines, "source_row": [annex.origins[k].row for k in kept]},
        schema={"_line": pl.Int64, "source_row": pl.Int64},
    )
    given = pl.DataFrame(
        {"_line": lines, **{f"_given_{v}": [v in annex.origins[k].provided for k in kept] for v in GIVEN}},
        schema={"_line": pl.Int64, **{f"_given_{v}": pl.Boolean for v in GIVEN}},
    )
    return scores.join(source_rows, on="_line", how="left").join(given, on="_line", how="left")
