"""Editions of one year's table: a publisher may issue a year twice (DTI 2024 for the 63 former
provinces and again for the 34 formed on 1 July 2025). The config (an index's ``editions``)
declares them; a stored value names its edition, so one unit can hold both (Hồ Chí Minh: 1/63
and 4/34), each edition a table of its own.

Here: which editions the config declares, as a small frame, and the check of a score file's
``edition`` column (a year of several editions needs one of them; a year of one needs none).
Pure Polars, no I/O."""

from __future__ import annotations

import polars as pl

from chiso.config import Catalog

EDITION_SCHEMA = {
    "index_code": pl.String,
    "year": pl.Int32,
    "peer_group": pl.String,
    "edition": pl.String,
    "edition_units": pl.String,  # 'former' or 'new'
    "edition_default": pl.Boolean,
}


def declared(catalog: Catalog) -> pl.DataFrame:
    """One row per (index, year, peer group, edition) the config declares."""
    rows = [
        (index.code, year_editions.year, group, edition.code, edition.units, edition.default)
        for index in catalog.indices
        for year_editions in index.editions
        for group in year_editions.peer_groups or list(catalog.peer_groups)
        for edition in year_editions.editions
    ]
    return pl.DataFrame(rows, schema=EDITION_SCHEMA, orient="row")


def problems(frame: pl.DataFrame, file: str, catalog: Catalog, coded) -> list:
    """A row of a year the config gives several editions must name one of them; a row of a year
    of one edition names none. ``frame``: typed score rows (``index_code, year, peer_group,
    edition, _line``); ``coded``: the reader's problem maker. One problem per row, column
    ``edition``."""
    editions = declared(catalog)
    keys = ["index_code", "year", "peer_group"]
    known = editions.group_by(keys).agg(
        pl.col("edition").sort().str.join(", ").alias("_known"), pl.col("edition").alias("_codes")
    )
    rows = frame.select("_line", *keys, "edition").join(known, on=keys, how="left")
    has = pl.col("_known").is_not_null()
    named = pl.col("edition") != ""
    listed = pl.col("_codes").list.contains(pl.col("edition")).fill_null(False)
    checks = (
        (has & ~named, "edition.missing"),
        (has & named & ~listed, "edition.unknown"),
        (~has & named, "edition.undeclared"),
    )
    found = []
    for mask, code in checks:
        for row in rows.filter(mask).iter_rows(named=True):
            params = {"index": row["index_code"], "year": row["year"], "value": row["edition"]}
            found.append(coded(file, row["_line"], "edition", code, known=row["_known"] or "", **params))
    return found


def continued(catalog: Catalog, keys: pl.DataFrame) -> pl.DataFrame:
    """For each table key (``index_code, peer_group, year, edition``) the edition of the year
    before that its change is measured against, or null when none is (a rank change never
    crosses editions): the same edition; a year's only table continues into the former units'
    edition and out of the new units' one; the new units' edition continues no single table
    before it (its units did not exist)."""
    editions = declared(catalog)
    units = {(r[0], r[1], r[2], r[3]): r[4] for r in editions.select(*EDITION_SCHEMA).rows()}
    new_of = {(i, y, g): e for (i, y, g, e), u in units.items() if u == "new"}
    years = {(i, y, g) for (i, y, g, _e) in units}
    rows = []
    for index, group, year, edition in keys.select("index_code", "peer_group", "year", "edition").rows():
        before = (index, year - 1, group)
        if edition:
            if before in years:
                prev = edition if (*before, edition) in units else None
            else:
                prev = "" if units.get((index, year, group, edition)) == "former" else None
        else:
            prev = new_of.get(before) if before in years else ""
        rows.append((index, group, year, edition, prev))
    schema = {"index_code": pl.String, "peer_group": pl.String, "year": pl.Int32, "edition": pl.String}
    return pl.DataFrame(rows, schema={**schema, "prev_edition": pl.String}, orient="row")
