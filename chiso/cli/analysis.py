"""``chiso gaps`` and ``chiso profile``: where a unit loses points, and the findings about it.

    chiso gaps --index PCI --year 2019 --unit "Quảng Ninh" --format csv
    chiso profile --unit "Đầm Hà" --year 2021

Registered by ``chiso.cli`` through :func:`register`. Unit names are matched ignoring case,
accents and prefixes; an ambiguous name is refused with the candidates listed. Machine
formats are plain UTF-8, dot decimals, no title rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from chiso import exprs, fmt, paths
from chiso.cli.common import lang_option
from chiso.config import Catalog, load_catalog
from chiso.errors import ChisoError
from chiso.export.files import neutralised
from chiso.i18n import t
from chiso.metrics import gaps
from chiso.selection import resolve_province
from chiso.store import analysis_queries, queries
from chiso.units import Registry, Unit
from chiso.views import findings, tables
from chiso.views.findings import finding_line


def register(subparsers) -> dict:
    p_gaps = subparsers.add_parser("gaps", help="cli.help.gaps")
    p_gaps.add_argument("--index", required=True, help="cli.help.gaps.index")
    p_gaps.add_argument("--year", required=True, type=int)
    p_gaps.add_argument("--unit", required=True, help="cli.help.gaps.unit")
    p_gaps.add_argument("--province", default=None, help="cli.help.gaps.province")
    p_gaps.add_argument("--format", choices=["csv", "json", "table"], default="table")
    lang_option(p_gaps, "cli.help.gaps.lang")
    p_gaps.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_gaps.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")

    p_profile = subparsers.add_parser("profile", help="cli.help.profile")
    p_profile.add_argument("--unit", required=True, help="cli.help.profile.unit")
    p_profile.add_argument("--province", default=None, help="cli.help.profile.province")
    p_profile.add_argument("--year", type=int, default=None, help="cli.help.profile.year")
    lang_option(p_profile)
    p_profile.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_profile.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")
    return {"gaps": cmd_gaps, "profile": cmd_profile}


def resolve_unit(con, text: str, province: str | None = None) -> tuple[Unit, str]:
    """The unit a typed name stands for, and its peer group; ChisoError listing candidates
    when the name is ambiguous, suggestions when it matches nothing."""
    units, aliases = queries.units(con), queries.aliases(con)
    where = resolve_province(units, aliases, province) if province else None
    unit = Registry.from_frames(units, aliases).resolve(text, province=where)
    group = units.filter(pl.col("unit_id") == unit.unit_id).item(0, "peer_group")
    return unit, group


def scope_of(catalog: Catalog, unit: Unit, peer_group: str) -> str:
    """The ``scope_province`` of the unit's tables: '' for a national peer group."""
    return "" if catalog.peer_groups[peer_group].scope == "national" else unit.province


def gap_rows(frame: pl.DataFrame, decimals: int, notes: list[str] | None = None) -> pl.DataFrame:
    """The machine columns of ``chiso gaps``: % of max rounded half up to 2 decimals, derived
    points (points lost, peer mean, gap to best) to the index's decimals; ``note``: what is
    inferred (the maximum, the component structure), as the page marks it."""

    def rounded(column: str, places: int) -> pl.Expr:
        return exprs.round_half_up(column, places)

    return frame.select(
        "component",
        "score",
        "max_score",
        rounded("pct_of_max", 2),
        rounded("points_lost", decimals),
        "component_rank",
        "rank_of",
        rounded("peer_mean", decimals),
        "best_unit",
        "best_score",
        rounded("gap_to_best", decimals),
        pl.Series("note", notes or [""] * frame.height, dtype=pl.String),
    )


def cmd_gaps(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.config)
    index = catalog.index(args.index)
    with queries.connect(args.db or paths.db_path()) as con:
        unit, group = resolve_unit(con, args.unit, args.province)
        scope = scope_of(catalog, unit, group)
        rows = analysis_queries.table_rows(
            con, index=index.code, year=args.year, peer_group=group, scope_province=scope
        )
        if rows.filter(pl.col("unit_id") == unit.unit_id).is_empty() or gaps.components(rows).is_empty():
            years = analysis_queries.unit_tables(con, unit_id=unit.unit_id).filter(
                (pl.col("index_code") == index.code) & (pl.col("n_components") > 0)
            )
            known = ", ".join(str(y) for y in years.get_column("year").to_list())
            code = "cli.gaps.none_but" if known else "cli.gaps.none"
            raise ChisoError.coded(code, unit=unit.name, index=index.code, year=args.year, years=known)
    province = unit.province
    names = gaps.component_names(index, province, group, args.year, args.lang)
    frame = gaps.component_gaps(rows, unit.unit_id, names, higher_is_better=index.higher_is_better)
    if frame.is_empty():
        raise ChisoError.coded("cli.gaps.none", unit=unit.name, index=index.code, year=args.year)
    decimals = index.decimals_for(province, group, args.year)
    notes = tables.gap_notes(frame, index, province, group, args.year, args.lang)
    if args.format == "csv":
        sys.stdout.write(neutralised(gap_rows(frame, decimals, notes)).write_csv())
    elif args.format == "json":
        sys.stdout.write(
            json.dumps(gap_rows(frame, decimals, notes).to_dicts(), ensure_ascii=False, indent=1) + "\n"
        )
    else:
        _print_gaps(frame, decimals, args.lang)
        for note in dict.fromkeys(n for n in notes if n):
            print(f"{t('col.note', args.lang)}: {note}")
    return 0


def _print_gaps(frame: pl.DataFrame, decimals: int, lang: str) -> None:
    for row in frame.iter_rows(named=True):
        top = row["max_score"] or 0
        print(
            f"{row['name']:<45} {fmt.number(row['score'], decimals, lang=lang):>8}"
            f"/{fmt.number(top, 0 if float(top).is_integer() else 1, lang=lang):<5} "
            f"{fmt.percent(row['pct_of_max'], lang=lang):>9}  "
            f"−{fmt.number(row['points_lost'], decimals, lang=lang):<7} "
            f"{fmt.rank(row['component_rank'], row['rank_of']):>6}  "
            f"{fmt.number(row['peer_mean'], decimals, lang=lang):>8}  "
            f"{row['best_unit'] or ''} ({fmt.number(row['best_score'], decimals, lang=lang)})"
        )


def cmd_profile(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.config)
    with queries.connect(args.db or paths.db_path()) as con:
        unit, _ = resolve_unit(con, args.unit, args.province)
        rows = analysis_queries.unit_rows(con, unit_id=unit.unit_id)
    if rows.is_empty():
        raise ChisoError.coded("cli.profile.no_data", unit=unit.name)
    profile, found = findings.profile_report(rows, catalog, args.lang, args.year)
    if profile.is_empty():
        with_totals = gaps.totals(rows).filter(pl.col("score").is_not_null() | pl.col("rank").is_not_null())
        years = ", ".join(str(y) for y in sorted(set(with_totals.get_column("year").to_list())))
        raise ChisoError.coded("cli.profile.no_year", unit=unit.name, year=args.year, years=years)
    for finding in found:
        print(finding_line(finding, args.lang))
    printed = tables.printed_lines(
        rows, catalog, profile.item(0, "year") if args.year is None else args.year, args.lang
    )
    if printed:
        print(t("profile.printed", args.lang) + ":")
        for line in printed:
            print(f"- {line}")
    sources = findings.finding_sources(found)
    if sources:
        print(t("findings.sources", args.lang))
        for title, url in sources:
            print(f"- {title}" + (f" <{url}>" if url else ""))
    return 0
