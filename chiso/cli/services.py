"""``chiso dvc``: the online-service rates of one unit for a period, computed from one-stop counts.

    chiso dvc --unit "Xuân Trường" --period 2024-01-01:2024-05-31 --format csv

prints ``level, indicator, numerator, denominator, rate_pct`` (level ``unit`` for the unit's own
desk, ``communes`` for the communes under it; indicator = the rate code from
config/indices.yaml; rate_pct rounded half up to 2 decimals; only rates whose denominator is
present and above 0), then ``kind, printed, flag, note, source_title, source_url`` as the page
shows them; rates a source published follow with ``kind`` ``published`` (its indicator code,
the text as printed, no numerator or denominator). Consistency warnings go to standard error in
the machine formats.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from chiso import paths
from chiso.cli.common import lang_option
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.export.files import neutralised
from chiso.i18n import label, t
from chiso.metrics import services as dvc
from chiso.selection import resolve_province
from chiso.store import counts, queries
from chiso.units import Registry, Unit
from chiso.views import services as views_dvc


def register(sub) -> dict:
    p = sub.add_parser("dvc", help="cli.help.dvc")
    p.add_argument("--unit", required=True, help="cli.help.dvc.unit")
    p.add_argument("--province", default=None, help="cli.help.dvc.province")
    p.add_argument(
        "--period",
        required=True,
        help="cli.help.dvc.period",
    )
    p.add_argument("--format", choices=["csv", "json", "table"], default="table")
    lang_option(p)
    p.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")
    return {"dvc": cmd_dvc}


def _unit(con, text: str, province: str | None) -> Unit:
    """The unit named; when the name fits several, the ones holding one-stop data are preferred."""
    units, aliases = queries.units(con), queries.aliases(con)
    registry = Registry.from_frames(units, aliases)
    where = resolve_province(units, aliases, province) if province else None
    found = registry.candidates(text, where)
    if len(found) > 1:
        with_data = set(counts.periods(con).get_column("unit_id"))
        preferred = [u for u in found if u.unit_id in with_data]
        if len(preferred) == 1:
            return preferred[0]
    return registry.resolve(text, where)


def cmd_dvc(args: argparse.Namespace) -> int:
    period = dvc.parse_period(args.period, "--period")
    rates = load_catalog(args.config).index("DVC").rates
    with queries.connect(args.db or paths.db_path()) as con:
        unit = _unit(con, args.unit, args.province)
        found = counts.unit_counts(con, unit_id=unit.unit_id, start=period.start, end=period.end)
        published = counts.published_rates(
            con, province=unit.province, start=period.start, end=period.end, unit_id=unit.unit_id
        )
        reports = counts.periods(con).filter(pl.col("unit_id") == unit.unit_id)
    if found.is_empty() and published.is_empty():
        have = sorted({dvc.Period(s, e).key for s, e in reports.select("period_start", "period_end").rows()})
        code = "cli.dvc.none_but" if have else "cli.dvc.none"
        raise ChisoError.coded(code, unit=unit.name, period=period.key, periods=", ".join(have))
    rated = dvc.compute_rates(found, rates)
    doubts = dvc.checks(found)
    rows = views_dvc.machine_rows(rated, published, found, doubts, rates, period, args.lang)
    warnings = views_dvc.warning_texts(doubts, {unit.unit_id: unit.name}, args.lang)
    if args.format == "csv":
        sys.stdout.write(neutralised(rows).write_csv(float_precision=2))
    elif args.format == "json":
        sys.stdout.write(json.dumps(rows.to_dicts(), ensure_ascii=False, indent=1) + "\n")
    else:
        spans = pl.concat([f.select("period_start", "period_end") for f in (found, published)])
        _print_table(unit, dvc.covered(period, spans), rated, published, rates, warnings, args.lang)
        return 0
    for text in warnings:
        print(f"chiso: {text}", file=sys.stderr)
    return 0


def _print_table(unit: Unit, period: dvc.Period, rated, published, rates, warnings, lang: str) -> None:
    print(t("dvc.cli.title", lang, unit=unit.name, province=unit.province, period=period.label(lang)))
    shown = rated.filter(pl.col("denominator") > 0)
    if shown.is_empty():
        print(t("dvc.cli.no_rate", lang))
    for row in shown.sort(pl.col("level") != "unit", "rate_order").iter_rows(named=True):
        text = dvc.ratio_text(
            row["numerator"], row["denominator"], row["rate_pct"], row["numerator_terms"], lang
        )
        name = next((label(r.name, lang) for r in rates if r.code == row["rate"]), row["rate"])
        print(f"  {row['level']:<9} {name:<62} {text}")
    if not published.is_empty():
        print(t("dvc.cli.published", lang))
        for row in published.iter_rows(named=True):
            value = views_dvc.published_rate_text(row, lang, sign=True)
            print(f"  {row['level']:<9} {views_dvc.indicator_label(row['indicator'], lang):<62} {value}")
            if row.get("source_title"):
                quote = f" — «{row['quote']}»" if row.get("quote") else ""
                print(f"  {'':<9} {t('findings.sources', lang)} {row['source_title']}{quote}")
    for text in warnings:
        print(f"! {text}")
