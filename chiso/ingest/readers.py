"""Read and validate the project's CSV files into frames ready for the database.

Checks run column-wise in Polars; only the failing rows are turned into messages. Every
message names the file, the line (header = line 1) and the column, so a steward can
fix the source without guessing. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chiso.columns import (  # noqa: F401 (re-exported)
    COUNT_COLUMNS,
    LONG_COLUMNS,
    OPTIONAL_SCORE_COLUMNS,
    SCORE_COLUMNS,
    STAT_COLUMNS,
    UNIT_COLUMNS,
)
from chiso.config import Catalog
from chiso.errors import ChisoError
from chiso.i18n import DEFAULT_LANG, t
from chiso.ingest import editions
from chiso.ingest.problems import where_text
from chiso.units import Registry, unit_id, with_added

YEAR_RANGE = (1990, 2100)
MAX_RANK = 100_000  # more units than any published table has; beyond it a rank is a typo


def _dotted(n: int) -> str:
    """A whole number with Vietnamese thousands dots (100.000), for messages."""
    return f"{n:,}".replace(",", ".")


def latest_year() -> int:
    """The last year a published value can be for: the current one (2099 is a typo)."""
    import datetime

    return datetime.date.today().year


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str
    code: str | None = None  # the problem's code in locales/*.problems.yaml, with its parameters
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return self.text()

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """'file, dòng 3, cột score: …' in the language (the stored message when it has no code)."""
        said = t(f"problem.{self.code}", lang, **dict(self.params)) if self.code else self.message
        return f"{where_text(self.file, lang, row=self.line, column=self.column)}: {said}"


def coded(file: str, line: int | None, column: str | None, code: str, /, **params: object) -> Problem:
    """A problem by code; its words are ``problem.<code>`` in ``locales/``."""
    return Problem(
        file, line, column, t(f"problem.{code}", DEFAULT_LANG, **params), code, tuple(params.items())
    )


class DataError(ChisoError):
    """One or more problems in input files; ``str()`` is one line, ``problems`` has them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.text())

    def text(self, lang: str = DEFAULT_LANG) -> str:
        more = t("problem.import.more", lang, n=len(self.problems) - 1) if len(self.problems) > 1 else ""
        return f"{self.problems[0].text(lang)}{more}"


def read_csv(path: Path, required: list[str], optional: list[str] = ()) -> pl.DataFrame:
    """All columns as trimmed strings plus ``_line``; missing optional columns are added empty."""
    name = str(path)
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except Exception as exc:  # polars raises several types for malformed CSV
        error = str(exc).splitlines()[0]
        raise DataError([coded(name, None, None, "data.csv_unreadable", error=error)]) from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError([coded(name, 1, missing[0], "data.missing_column")])
    for column in optional:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(column))
    # NFC so that 'Hoà' typed on one keyboard equals 'Hoà' stored; vectorised, no Python per cell.
    frame = frame.select([*required, *optional]).with_columns(
        pl.all().cast(pl.String).fill_null("").str.strip_chars().str.normalize("NFC")
    )
    return frame.with_row_index("_line", offset=2).with_columns(pl.col("_line").cast(pl.Int64))


def _problems(
    frame: pl.DataFrame,
    mask: pl.Expr,
    file: str,
    column: str,
    code: str,
    /,
    **params: pl.Expr,
) -> list[Problem]:
    """One problem per row where ``mask`` holds, by code; ``params`` are read per row, as text."""
    bad = frame.filter(mask)
    if bad.is_empty():
        return []
    values = [e.cast(pl.String).alias(f"_p_{n}") for n, e in params.items()]
    rows = bad.select(pl.col("_line"), *values).rows()
    return [coded(file, r[0], column, code, **dict(zip(params, r[1:], strict=True))) for r in rows]


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


def _number_checks(frame: pl.DataFrame, file: str, column: str, *, required: bool) -> list[Problem]:
    raw = pl.col(column)
    value = _number(column)
    present = raw != ""
    problems = _problems(
        frame,
        present & raw.str.contains(r"^-?[0-9]+,[0-9]+$"),
        file,
        column,
        "number.decimal_comma",
        value=raw,
    )
    problems += _problems(
        frame,
        present & ~raw.str.contains(r"^-?[0-9]+,[0-9]+$") & (value.is_null() | ~value.is_finite()),
        file,
        column,
        "number.not_finite",
        value=raw,
    )
    if required:
        problems += _problems(frame, ~present, file, column, "value.missing")
    return problems


def _year_checks(frame: pl.DataFrame, file: str, column: str = "year") -> list[Problem]:
    raw = pl.col(column)
    year = raw.cast(pl.Int64, strict=False)
    lo, hi = YEAR_RANGE[0], min(YEAR_RANGE[1], latest_year())
    return _problems(
        frame,
        ~raw.str.contains(r"^[0-9]{4}$") | (year < lo) | (year > hi),
        file,
        column,
        "year.invalid",
        value=raw,
        lo=pl.lit(lo),
        hi=pl.lit(hi),
    )


def _unknown(
    frame: pl.DataFrame, file: str, column: str, allowed: list[str], code: str, known: list[str] | None = None
) -> list[Problem]:
    """Rows whose ``column`` holds none of ``allowed``; ``known``: the values the words list."""
    named = {"known": pl.lit(", ".join(known))} if known else {}
    return _problems(frame, ~pl.col(column).is_in(allowed), file, column, code, value=pl.col(column), **named)


def _unit_field_problems(frame: pl.DataFrame, file: str, catalog: Catalog) -> list[Problem]:
    """Unit types and peer groups the config knows, a name, years that are years."""
    types = list(catalog.unit_types)
    problems = _unknown(frame, file, "unit_type", types, "data.unit_type_unknown", known=types)
    groups = ["", *catalog.peer_groups]  # an empty cell: the type's peer group
    problems += _unknown(frame, file, "peer_group", groups, "data.peer_group_unknown")
    problems += _problems(frame, pl.col("name") == "", file, "name", "data.no_name")
    for column in ("valid_from", "valid_to"):
        problems += _problems(
            frame,
            (pl.col(column) != "") & pl.col(column).cast(pl.Int64, strict=False).is_null(),
            file,
            column,
            "data.not_a_year",
            value=pl.col(column),
        )
    return problems


def read_units(path: Path, catalog: Catalog) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The unit registry file -> (units, aliases) frames with stable ids."""
    file = str(path)
    frame = read_csv(path, ["province", "name", "short_name", "unit_type"], UNIT_COLUMNS[4:])
    problems = _unit_field_problems(frame, file, catalog)
    if problems:
        raise DataError(problems)
    default_group = {code: t.peer_group for code, t in catalog.unit_types.items()}
    units = frame.with_columns(
        unit_id=pl.struct("province", "name").map_elements(
            lambda r: unit_id(r["province"], r["name"]), return_dtype=pl.String
        ),
        short_name=pl.when(pl.col("short_name") == "").then(pl.col("name")).otherwise(pl.col("short_name")),
        peer_group=pl.when(pl.col("peer_group") == "")
        .then(pl.col("unit_type").replace_strict(default_group, default=None))
        .otherwise(pl.col("peer_group")),
        valid_from=pl.col("valid_from").cast(pl.Int32, strict=False),
        valid_to=pl.col("valid_to").cast(pl.Int32, strict=False),
        successor_id=pl.when(pl.col("successor") == "")
        .then(None)
        .otherwise(
            pl.struct("province", "successor").map_elements(
                lambda r: unit_id(r["province"], r["successor"]), return_dtype=pl.String
            )
        ),
        code=pl.when(pl.col("code") == "").then(None).otherwise(pl.col("code")),
    )
    dupes = units.filter(pl.col("unit_id").is_duplicated())
    if not dupes.is_empty():
        raise DataError(
            [
                coded(file, r["_line"], "name", "data.unit_repeated", unit=r["name"])
                for r in dupes.iter_rows(named=True)
            ]
        )
    ids = set(units["unit_id"])
    orphans = units.filter(pl.col("successor_id").is_not_null() & ~pl.col("successor_id").is_in(list(ids)))
    if not orphans.is_empty():
        raise DataError(
            [
                coded(file, r["_line"], "successor", "data.successor_unknown", unit=r["successor"])
                for r in orphans.iter_rows(named=True)
            ]
        )
    aliases = (
        units.select("unit_id", pl.col("aliases").str.split("|").alias("alias"))
        .explode("alias")
        .with_columns(pl.col("alias").str.strip_chars())
        .filter(pl.col("alias") != "")
    )
    columns = [
        "unit_id",
        "province",
        "name",
        "short_name",
        "unit_type",
        "peer_group",
        "code",
        "valid_from",
        "valid_to",
        "successor_id",
    ]
    return units.select(columns), aliases


def apply_aliases(frame: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """Index, component and unit-type spellings as sources print them -> the config's codes, through
    the ``aliases`` declared in config/indices.yaml: 'PAR_INDEX' -> PAR, 'PAR.chi_dao_dieu_hanh' ->
    PAR with component chi_dao_dieu_hanh, 'city (district-level)' -> city. Unknown text is kept, so
    the usual check names it."""
    dotted = pl.col("index").str.contains(r"^[^.]+\.[^.]+$")
    frame = frame.with_columns(
        component=pl.when(dotted & (pl.col("component") == ""))
        .then(pl.col("index").str.split(".").list.get(1))
        .otherwise(pl.col("component")),
        index=pl.when(dotted).then(pl.col("index").str.split(".").list.get(0)).otherwise(pl.col("index")),
    )
    frame = frame.with_columns(
        index=pl.col("index").str.to_uppercase().replace(catalog.index_aliases()),
        unit_type=pl.when(pl.col("unit_type") == "")
        .then(pl.col("unit_type"))
        .otherwise(pl.col("unit_type").str.to_lowercase().replace(catalog.unit_type_aliases())),
    )
    components = {
        (code, spelling): comp
        for code in catalog.codes
        for spelling, comp in catalog.component_aliases(code).items()
    }
    if components:
        lookup = pl.DataFrame(
            [(c, s, v) for (c, s), v in components.items()],
            schema={"index": pl.String, "_spelling": pl.String, "_component": pl.String},
            orient="row",
        )
        frame = (
            frame.with_columns(_spelling=pl.col("component").str.to_lowercase())
            .join(lookup, on=["index", "_spelling"], how="left")
            .with_columns(component=pl.coalesce("_component", "component"))
            .drop("_spelling", "_component")
        )
    return frame


def _resolve_units(frame: pl.DataFrame, registry: Registry, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Attach ``unit_id`` by resolving each distinct (province, unit, year) once, and write the province
    as the registry spells it: 'Quang Ninh' typed in a file must rank in the 'Quảng Ninh' table."""
    problems: list[Problem] = []
    mapping = []
    year_col = "year" if "year" in frame.columns else None
    keys = ["province", "unit", "unit_type"] + ([year_col] if year_col else [])
    for row in frame.group_by(keys).agg(pl.col("_line").min()).iter_rows(named=True):
        province, unit, line = row["province"], row["unit"], row["_line"]
        year = row.get("year") or ""
        try:
            found = _resolve_one(registry, unit, province, row["unit_type"], year)
            mapping.append(
                (province, unit, row["unit_type"], year, found.unit_id, found.unit_type, found.province)
            )
        except ChisoError as exc:
            problems.append(Problem(file, line, "unit", str(exc)))
    lookup = pl.DataFrame(
        mapping,
        schema=dict.fromkeys(
            ["province", "unit", "unit_type", "_year", "unit_id", "registry_type", "registry_province"],
            pl.String,
        ),
        orient="row",
    )
    on = ["province", "unit", "unit_type"]
    if year_col:
        resolved = frame.with_columns(_year=pl.col("year")).join(lookup, on=[*on, "_year"], how="left")
    else:
        resolved = frame.join(lookup.drop("_year").unique(on), on=on, how="left")
    return resolved.with_columns(province=pl.coalesce("registry_province", "province")).drop(
        "registry_province", "_year", strict=False
    ), problems


def _resolve_one(registry: Registry, unit: str, province: str, unit_type: str, year: str):
    """One printed unit -> a Unit; the unit type (when given) and the year break ties between
    registry units of the same name (Huyện Cát Hải to 2025, Đặc khu Cát Hải from 2025)."""
    as_year = int(year) if year.isdigit() else None
    try:
        return registry.resolve(unit, province=province, year=as_year)
    except ChisoError:
        if not unit_type:
            raise
        return registry.resolve(unit, province=province, types={unit_type}, year=as_year)


def read_scores(path: Path, catalog: Catalog, registry: Registry, units: pl.DataFrame) -> pl.DataFrame:
    """A long-format score file -> validated rows keyed by unit_id; DataError lists every problem."""
    file = str(path)
    frame = read_csv(
        path,
        ["unit", "index", "year"],
        [c for c in SCORE_COLUMNS if c not in ("unit", "index", "year")] + OPTIONAL_SCORE_COLUMNS,
    )
    if frame.is_empty():
        raise DataError([coded(file, None, None, "data.no_rows")])
    frame = apply_aliases(frame, catalog)
    problems = _field_problems(frame, file, catalog.codes)
    frame, unit_problems = _resolve_units(frame, registry, file)
    problems += unit_problems
    problems += _problems(
        frame,
        pl.col("unit_id").is_not_null()
        & (pl.col("unit_type") != "")
        & (pl.col("unit_type") != pl.col("registry_type")),
        file,
        "unit_type",
        "data.type_differs",
        value=pl.col("unit_type"),
        registry=pl.col("registry_type"),
    )
    problems += _validity_problems(frame, units, file)
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line or 0))
    units = with_added(units, registry, catalog)
    frame = _typed(frame.join(units.select("unit_id", "peer_group"), on="unit_id", how="left"))
    problems = editions.problems(frame, file, catalog, coded)
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line or 0))
    frame = _attach_config_max(frame, catalog, file).with_columns(file=pl.lit(Path(path).name))
    return check_duplicates(frame, file)


def _field_problems(frame: pl.DataFrame, file: str, codes: list[str]) -> list[Problem]:
    """Problems of a score file's own fields: years, index codes, numbers, ranks, rank basis."""
    problems = _year_checks(frame, file)
    problems += _problems(
        frame,
        ~pl.col("index").str.to_uppercase().is_in(codes),
        file,
        "index",
        "data.index_unknown_of",
        value=pl.col("index"),
        known=pl.lit(", ".join(codes)),
    )
    for column, required in (("score", False), ("max_score", False), ("rank", False), ("rank_of", False)):
        problems += _number_checks(frame, file, column, required=required)
    for column in ("rank", "rank_of"):  # a rank is a whole number: 4.7 is a typo, not rank 4
        value = _number(column)
        problems += _problems(
            frame,
            value.is_not_null() & value.is_finite() & (value != value.floor()),
            file,
            column,
            "data.rank_not_whole",
            value=pl.col(column),
        )
    problems += _rank_bounds(frame, file)
    problems += _problems(
        frame,
        (pl.col("score") == "") & (pl.col("rank") == ""),
        file,
        "score",
        "data.score_or_rank",
    )
    problems += _problems(
        frame,
        ~pl.col("rank_basis").is_in(["", "published", "list_order"]),
        file,
        "rank_basis",
        "data.rank_basis",
    )
    return problems


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The checked text fields as stored: numbers, whole ranks, empty texts as nulls."""
    return frame.with_columns(
        index_code=pl.col("index").str.to_uppercase(),
        component=pl.when(pl.col("component") == "").then(None).otherwise(pl.col("component")),
        year=pl.col("year").cast(pl.Int32),
        score=_number("score"),
        row_max=_number("max_score"),
        published_rank=_number("rank").cast(pl.Int32),
        published_rank_of=_number("rank_of").cast(pl.Int32),
        rank_basis=pl.when(pl.col("rank") == "")
        .then(None)
        .when(pl.col("rank_basis") == "")
        .then(pl.lit("published"))
        .otherwise(pl.col("rank_basis")),
        flag=pl.when(pl.col("flag") == "").then(None).otherwise(pl.col("flag")),
        printed=pl.when(pl.col("printed") == "").then(None).otherwise(pl.col("printed")),
        printed_change=pl.when(pl.col("printed_change") == "").then(None).otherwise(pl.col("printed_change")),
        printed_rank_change=pl.when(pl.col("printed_rank_change") == "")
        .then(None)
        .otherwise(pl.col("printed_rank_change")),
        printed_tier=pl.when(pl.col("printed_tier") == "").then(None).otherwise(pl.col("printed_tier")),
        edition=pl.col("edition").fill_null(""),
    )


def _validity_problems(frame: pl.DataFrame, units: pl.DataFrame, file: str) -> list[Problem]:
    """A value for a year the unit did not exist in (after valid_to: merged, renamed; or more than
    a year before valid_from) is refused with the unit's dates. The year just before a unit's
    valid_from is accepted: publishers recompute the last year before a reorganisation for the new
    units (DTI 2024 for the 34 provinces formed on 1 July 2025)."""
    if "valid_from" not in units.columns or "unit_id" not in frame.columns:
        return []
    dated = frame.join(
        units.select("unit_id", pl.col("valid_from").alias("_from"), pl.col("valid_to").alias("_to")),
        on="unit_id",
        how="left",
    )
    year = pl.col("year").cast(pl.Int64, strict=False)
    outside = year.is_not_null() & (
        (pl.col("_from").is_not_null() & (year < pl.col("_from") - 1))
        | (pl.col("_to").is_not_null() & (year > pl.col("_to")))
    )
    return _problems(
        dated,
        outside,
        file,
        "year",
        "year.outside_validity",
        unit=pl.col("unit"),
        start=pl.col("_from").cast(pl.String).fill_null(""),
        end=pl.col("_to").cast(pl.String).fill_null(""),
        year=pl.col("year"),
    )


def _rank_bounds(frame: pl.DataFrame, file: str) -> list[Problem]:
    """rank and rank_of are whole numbers from 1 to MAX_RANK: a 0, a negative or 2.147.483.648
    is a typo, refused before anything casts it."""
    problems = []
    for column in ("rank", "rank_of"):
        value = _number(column)
        problems += _problems(
            frame,
            value.is_not_null() & value.is_finite() & ((value < 1) | (value > MAX_RANK)),
            file,
            column,
            "rank.out_of_bounds",
            value=pl.col(column),
            max=pl.lit(_dotted(MAX_RANK)),
        )
    return problems


def _config_max_problems(frame: pl.DataFrame, file: str) -> list[Problem]:
    """Undeclared components, maxima and scores against the config, ranks within their table."""
    col = pl.col
    row_max, config_max = col("row_max"), col("max_score_cfg")
    rank, rank_of = col("published_rank"), col("published_rank_of")
    checks = [  # (rows refused, the column named, the code, the values the words name)
        (
            col("component").is_not_null() & config_max.is_null(),
            "component",
            "component.undeclared",
            {
                "component": col("component"),
                "index": col("index_code"),
                "year": col("year"),
                "peer_group": col("peer_group"),
            },
        ),
        (
            row_max.is_not_null() & config_max.is_not_null() & ((row_max - config_max).abs() > 1e-9),
            "max_score",
            "max_score.differs",
            {"value": row_max, "config": config_max, "index": col("index_code")},
        ),
        (
            col("score") > col("max_score") + 1e-9,
            "score",
            "score.above_max",
            {"score": col("score"), "max": col("max_score")},
        ),
        (col("score") < 0, "score", "score.negative", {"score": col("score")}),
        ((rank < 1) | (rank > rank_of), "rank", "rank.outside", {"rank": rank, "rank_of": rank_of}),
        (
            col("component").is_not_null() & col("printed_tier").is_not_null(),
            "printed_tier",
            "printed_tier.component",
            {"tier": col("printed_tier"), "component": col("component")},
        ),
    ]
    return [
        p
        for mask, column, code, values in checks
        for p in _problems(frame, mask, file, column, code, **values)
    ]


def _attach_config_max(frame: pl.DataFrame, catalog: Catalog, file: str) -> pl.DataFrame:
    """Join the maximum declared in the config; refuse undeclared components and scores above it."""
    keys = frame.select("index_code", "province", "peer_group", "year", "component").unique()
    maxima = [(*k, catalog.index(k[0]).max_for(k[1], k[2], k[3], k[4])) for k in keys.rows()]
    lookup = pl.DataFrame(
        maxima,
        schema={
            "index_code": pl.String,
            "province": pl.String,
            "peer_group": pl.String,
            "year": pl.Int32,
            "component": pl.String,
            "max_score_cfg": pl.Float64,
        },
        orient="row",
    )
    frame = frame.join(
        lookup, on=["index_code", "province", "peer_group", "year", "component"], how="left", nulls_equal=True
    )
    frame = frame.with_columns(max_score=pl.coalesce("max_score_cfg", "row_max"))
    problems = _config_max_problems(frame, file)
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line or 0))
    return frame


KEY = ["province", "unit_id", "index_code", "component", "year", "edition"]


def check_duplicates(frame: pl.DataFrame, file: str | None = None) -> pl.DataFrame:
    """Same key twice (within a file or across the files of ``data/scores``): the same value from
    another source is kept as a second source; a different score, rank or rank-of is an error
    naming both places. A rank printed only by the confirming source is carried onto the kept
    row, so a score from one article and its rank from another both count."""
    if "file" not in frame.columns:
        frame = frame.with_columns(file=pl.lit(file or ""))
    frame = frame.drop("is_first", strict=False).with_row_index("_pos")
    # The row that carries a score is the primary one; a rank-only confirmation becomes a second source.
    first = pl.col("_pos").sort_by(pl.col("score").is_null(), pl.col("_pos")).first().over(KEY)
    with_rank = pl.col("published_rank").is_not_null()
    grouped = frame.with_columns(
        _first=first,
        _n_values=pl.max_horizontal(
            pl.col("score").drop_nulls().n_unique().over(KEY),
            pl.col("published_rank").drop_nulls().n_unique().over(KEY),
            pl.col("published_rank_of").drop_nulls().n_unique().over(KEY),
        ),
        _rank=pl.col("published_rank").sort_by(~with_rank, pl.col("_pos")).first().over(KEY),
        _basis=pl.col("rank_basis").sort_by(~with_rank, pl.col("_pos")).first().over(KEY),
        _rank_of=pl.col("published_rank_of").max().over(KEY),
    )
    conflicts = grouped.filter((pl.col("_pos") != pl.col("_first")) & (pl.col("_n_values") > 1))
    if not conflicts.is_empty():
        places = {pos: (f, line) for pos, f, line in grouped.select("_pos", "file", "_line").rows()}

        def duplicate(row: dict) -> Problem:
            other_file, line = places[row["_first"]]
            here = (row["file"] or file or "", row["_line"], "score")
            if other_file == row["file"]:
                return coded(*here, "score.duplicate", line=line)
            return coded(*here, "score.duplicate_file", other_file=other_file, line=line)

        raise DataError([duplicate(r) for r in conflicts.iter_rows(named=True)])
    return grouped.with_columns(
        is_first=pl.col("_pos") == pl.col("_first"),
        published_rank=pl.col("_rank"),
        published_rank_of=pl.col("_rank_of"),
        rank_basis=pl.col("_basis"),
    ).drop("_first", "_n_values", "_rank", "_rank_of", "_basis", "_pos")


def read_stats(path: Path, catalog: Catalog) -> pl.DataFrame:
    """Published averages and medians."""
    file = str(path)
    frame = read_csv(path, STAT_COLUMNS)
    problems = _year_checks(frame, file) + _number_checks(frame, file, "value", required=True)
    problems += _number_checks(frame, file, "max_score", required=True)
    problems += _unknown(frame, file, "index", catalog.codes, "data.index_unknown")
    problems += _problems(frame, ~pl.col("stat").is_in(["mean", "median"]), file, "stat", "data.stat")
    groups = [*catalog.peer_groups, "all"]
    problems += _unknown(frame, file, "peer_group", groups, "data.peer_group_unknown")
    if problems:
        raise DataError(problems)
    return frame.with_columns(
        index_code=pl.col("index"),
        component=pl.when(pl.col("component") == "").then(None).otherwise(pl.col("component")),
        year=pl.col("year").cast(pl.Int32),
        value=_number("value"),
        max_score=_number("max_score"),
    )


def read_counts(path: Path, registry: Registry) -> pl.DataFrame:
    """One-stop counts or published rates (same layout): unit resolved, dates parsed."""
    file = str(path)
    frame = read_csv(path, COUNT_COLUMNS, ["source_url", "printed"])
    problems = _number_checks(frame, file, "value", required=True)
    problems += _problems(
        frame,
        ~pl.col("level").is_in(["unit", "communes"]),
        file,
        "level",
        "data.level",
    )
    for column in ("period_start", "period_end"):
        problems += _problems(
            frame,
            pl.col(column).str.to_date("%Y-%m-%d", strict=False).is_null(),
            file,
            column,
            "data.date_format",
            value=pl.col(column),
        )
    problems += _problems(
        frame, _number("value") < 0, file, "value", "data.value_negative", value=pl.col("value")
    )
    start = pl.col("period_start").str.to_date("%Y-%m-%d", strict=False)
    end = pl.col("period_end").str.to_date("%Y-%m-%d", strict=False)
    problems += _problems(frame, end < start, file, "period_end", "data.period_reversed")
    frame, unit_problems = _resolve_units(frame, registry, file)
    problems += unit_problems
    key = ["province", "unit_id", "level", "period_start", "period_end", "indicator"]
    first = pl.col("_line").min().over(key)  # the first row of the key, before the repeats are picked
    problems += _problems(
        frame.with_columns(_first_line=first),
        pl.col("unit_id").is_not_null() & pl.struct(key).is_duplicated() & (pl.col("_line") != first),
        file,
        "indicator",
        "data.count_repeated",
        line=pl.col("_first_line"),
    )
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line or 0))
    return frame.with_columns(
        period_start=pl.col("period_start").str.to_date("%Y-%m-%d"),
        period_end=pl.col("period_end").str.to_date("%Y-%m-%d"),
        value=_number("value"),
    )
