"""``chiso units --lineage UNIT``: predecessors and successors of a unit across the 2025 reorganisation.

    chiso units --lineage "Quảng Ninh"
    chiso units --lineage "Hồ Chí Minh" --format csv
    chiso units --lineage "Phường Bến Nghé" --province "Hồ Chí Minh" --format json

The lineage comes from the national registry ``vietnamadminunits`` (:mod:`chiso.lineage`); it
needs no database. Names are matched ignoring case, accents and prefixes; an ambiguous name is
refused with its candidates. Machine formats have the columns ``role`` and
:data:`chiso.lineage.EDGE_COLUMNS`, dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta

import polars as pl

from chiso import lineage
from chiso.i18n import t

MACHINE_COLUMNS = ["role", *lineage.EDGE_COLUMNS]


def register(subparsers) -> dict:
    p_units = subparsers.add_parser("units", help="cli.help.units")
    p_units.add_argument(
        "--lineage",
        required=True,
        metavar="UNIT",
        help="cli.help.units.lineage",
    )
    p_units.add_argument("--province", default=None, help="cli.help.units.province")
    p_units.add_argument("--format", choices=["table", "csv", "json"], default="table")
    return {"units": cmd_units}


def lineage_rows(text: str, province: str | None = None) -> pl.DataFrame:
    """The rows ``chiso units --lineage`` prints, in :data:`MACHINE_COLUMNS` order."""
    return lineage.edges_of(lineage.find(text, province)).select(MACHINE_COLUMNS)


def cmd_units(args: argparse.Namespace) -> int:
    found = lineage.find(args.lineage, args.province)
    rows = lineage.edges_of(found).select(MACHINE_COLUMNS)
    if args.format == "csv":
        from chiso.export.files import neutralised

        sys.stdout.write(neutralised(rows.with_columns(pl.col("date").cast(pl.String))).write_csv())
    elif args.format == "json":
        records = rows.with_columns(pl.col("date").cast(pl.String)).to_dicts()
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    else:
        print("\n".join(table_lines(found, rows, args.lang)))
    return 0


def _date(value) -> str:
    return value.strftime("%d/%m/%Y")


def _where(district: str, province: str) -> str:
    return ", ".join(p for p in (district, province) if p)


def kind_words(lang: str) -> dict[str, str]:
    return {kind: t(f"cli.units.kind.{kind}", lang) for kind in ("whole", "part")}


def table_lines(found: pl.DataFrame, rows: pl.DataFrame, lang: str = "vi") -> list[str]:
    """The terminal view: a heading, then each predecessor with the successors it went to
    (date and kind), then the source."""
    words = kind_words(lang)
    first = found.row(0, named=True)
    title = first["province"] if first["level"] == "province" else first["name"]
    where = "" if first["level"] == "province" else f" ({_where(first['district'], first['province'])})"
    lines = [t("cli.units.heading", lang, unit=f"{title}{where}")]
    provinces = rows.filter(pl.col("level") == "province")
    if not provinces.is_empty():
        lines.append("")
        lines.append(t("cli.units.provinces", lang))
        for r in provinces.iter_rows(named=True):
            same = t("cli.units.same", lang) if r["predecessor"] == r["successor"] else ""
            since = t("cli.units.since", lang, date=_date(r["date"]))
            lines.append(f"  {r['predecessor']} → {r['successor']}{same}  {since}  ({words[r['kind']]})")
    below = rows.filter(pl.col("level") != "province")
    for level in ("district", "commune"):
        part = below.filter(pl.col("level") == level)
        if part.is_empty():
            continue
        olds = part.select("predecessor_province", "predecessor_code").n_unique()
        news = part.select("successor_province", "successor_code").n_unique()
        days = part.get_column("date").unique().sort()
        until = ", ".join(_date(d - timedelta(days=1)) for d in days)
        since = ", ".join(_date(d) for d in days)
        lines.append("")
        lines.append(t(f"cli.units.{level}s", lang, olds=olds, until=until, news=news, since=since))
        grouped = part.group_by(
            "predecessor",
            "predecessor_code",
            "predecessor_district",
            "predecessor_province",
            maintain_order=True,
        ).agg(
            pl.concat_str(
                pl.col("successor"),
                pl.lit(" ("),
                pl.when(pl.col("successor_province") != pl.col("predecessor_province"))
                .then(pl.col("successor_province") + pl.lit(", "))
                .otherwise(pl.lit("")),
                pl.col("kind").replace_strict(words),
                pl.lit(")"),
            ).alias("to"),
            pl.col("date").first(),
        )
        for r in grouped.iter_rows(named=True):
            lines.append(
                f"  {r['predecessor']} ({_where(r['predecessor_district'], r['predecessor_province'])})"
            )
            lines.append(f"    → {_date(r['date'])}: " + "; ".join(r["to"]))
    if rows.is_empty():
        lines.append(t("cli.units.none", lang))
    lines.append("")
    lines.append(t("cli.units.source", lang, source=lineage.source()))
    lines.append(t("cli.units.kinds", lang))
    return lines
