"""The ``chiso`` command: the same library functions the pages call.

Exit codes: 0 success, 1 invalid input or data (one message on standard error),
2 bad usage. Machine formats on standard output are plain UTF-8 without BOM, dot
decimals, no title or footer rows. The CLI never prompts or reads standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import polars as pl

from chiso import failures, paths, safe
from chiso.cli import analysis as cli_analysis
from chiso.cli import brief as cli_brief
from chiso.cli import export as cli_export
from chiso.cli import imports as cli_imports
from chiso.cli import services as cli_services
from chiso.cli import targets as cli_targets
from chiso.cli import units as cli_units
from chiso.cli.common import LANG, UNIT_TYPES, Parser, lang_of, lang_option, scope_ranking
from chiso.config import load_catalog
from chiso.errors import ChisoError, KeepsImportsError
from chiso.export.files import neutralised
from chiso.i18n import t
from chiso.selection import resolve_scope
from chiso.store import queries
from chiso.store.build import build
from chiso.views import editions, tables


def _db_arg(parser: argparse.ArgumentParser, default: Path) -> None:
    parser.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {default})")


def parser() -> argparse.ArgumentParser:
    root = Parser(prog="chiso", description="cli.help.chiso.about")
    root.add_argument("--lang", choices=["vi", "en"], default="vi", help="cli.help.chiso.lang")
    sub = root.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="cli.help.build")
    p_build.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_build.add_argument("--data", type=Path, default=paths.DATA_DIR)
    p_build.add_argument("--force", action="store_true", help="rebuild even if it drops imported rows")
    p_build.add_argument(
        "--keep-imported",
        action="store_true",
        help="when the database holds imports not in data/, keep it and exit 0 (make run)",
    )
    _db_arg(p_build, paths.db_path())

    p_rank = sub.add_parser("rank", help="cli.help.rank", epilog=UNIT_TYPES)
    p_rank.add_argument("--index", required=True, help="cli.help.rank.index")
    p_rank.add_argument("--year", required=True, type=int)
    p_rank.add_argument("--province", default=None, help="cli.help.rank.province")
    p_rank.add_argument("--unit-type", required=True, help="cli.help.rank.unit_type")
    p_rank.add_argument("--component", default=None, help="cli.help.rank.component")
    p_rank.add_argument("--edition", default=None, help="cli.help.rank.edition")
    p_rank.add_argument("--format", choices=["csv", "json", "table"], default="table")
    lang_option(p_rank)
    p_rank.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    _db_arg(p_rank, paths.db_path())

    p_demo = sub.add_parser("demo", help="cli.help.demo")
    p_demo.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_demo.add_argument("--seed", type=int, default=2024)
    p_demo.add_argument(
        "--scale",
        choices=["province", "national"],
        default="province",
        help="province: one fictional province; national: every locality from the registry",
    )
    _db_arg(p_demo, paths.demo_db_path())
    for module in FEATURE_MODULES:
        COMMANDS.update(module.register(sub))
    return root


# Feature commands live in their own modules; each exposes register(subparsers) -> {name: handler}.
FEATURE_MODULES = (cli_services, cli_export, cli_analysis, cli_imports, cli_brief, cli_units, cli_targets)


def cmd_build(args: argparse.Namespace) -> int:
    try:
        report = build(args.config, args.data, args.db or paths.db_path(), force=args.force)
    except KeepsImportsError as exc:
        if not args.keep_imported:
            raise
        print(f"chiso: {exc.text(args.lang)}\nchiso: {t('cli.keep_db', args.lang)}", file=sys.stderr)
        return 0
    print(report.summary(args.lang))
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.config)
    index = catalog.index(args.index)
    with queries.connect(args.db or paths.db_path()) as con:
        registry_units, registry_aliases = queries.units(con), queries.aliases(con)
        scope = resolve_scope(catalog, registry_units, registry_aliases, args.province, args.unit_type)
        ranking = scope_ranking(con, index.code, args.year, scope, args.component, args.edition)
    rows = editions.with_code(tables.machine_rows(ranking, args.lang, index), ranking)
    if args.format == "csv":
        sys.stdout.write(neutralised(rows).write_csv())
    elif args.format == "json":
        sys.stdout.write(json.dumps(rows.to_dicts(), ensure_ascii=False, indent=1) + "\n")
    else:
        _print_table(ranking, index, args.lang)
    return 0


def _print_table(ranking: pl.DataFrame, index, lang: str) -> None:
    """The page's table in a terminal: its status sentence, the same cells (built by
    ``tables.display_table``), then each source once."""
    status = tables.table_status(ranking)
    if note := editions.caption(ranking, index, lang):  # DTI 2024: the 63- or the 34-province table
        print(note)
    if status != "empty":
        print(tables.status_sentence(ranking, status, lang))
    table = tables.display_table(ranking, index, lang)
    rank, pctl, unit, score, pct, tier, _d_score, d_rank, note, _source = table.columns
    print(f"{rank:>7} {pctl:>8}  {unit:<45} {score:>12}  {pct:>9}  {tier:<20} {d_rank:>8}  {note}")
    for row in table.iter_rows(named=True):
        print(
            f"{row[rank]:>7} {row[pctl]:>8}  {row[unit]:<45} {row[score]:>12}  {row[pct]:>9}  "
            f"{row[tier]:<20} {row[d_rank]:>8}  {row[note]}"
        )
    sources = ranking.select("source_title", "source_url").unique(maintain_order=True)
    titles = [(a, b) for a, b in sources.rows() if a]
    if titles:
        print(t("findings.sources", lang))
        for title, url in titles:
            print(f"- {title}" + (f" <{url}>" if url else ""))


def cmd_demo(args: argparse.Namespace) -> int:
    if args.scale == "national":
        from chiso.demo.national import build_national  # NumPy and the registry: loaded for this command only

        started = time.perf_counter()
        report, counts = build_national(args.config, args.db or paths.demo_db_path(), seed=args.seed)
        print(report.summary(args.lang))
        seconds = f"{time.perf_counter() - started:.1f}"
        values = {"units": counts.units, "scores": counts.score_rows, "counts": counts.count_rows}
        print(t("cli.demo.national", args.lang, seconds=seconds, **values))
        return 0
    from chiso.demo.province import build_demo

    report = build_demo(args.config, args.db or paths.demo_db_path(), seed=args.seed)
    print(report.summary(args.lang))
    return 0


COMMANDS = {"build": cmd_build, "rank": cmd_rank, "demo": cmd_demo}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    LANG.set(lang_of(argv))  # --help and usage errors speak the language asked for
    with safe.clean_terminal():  # values from files never reach the terminal as escape sequences
        args = parser().parse_args(argv)  # also registers the feature commands
        try:
            return COMMANDS[args.command](args)
        except ChisoError as exc:
            print(f"chiso: {exc.text(args.lang)}", file=sys.stderr)
            return 1
        except BrokenPipeError:
            return 0
        except KeyboardInterrupt:
            return 130
        except (
            Exception
        ) as exc:  # the environment failed (disk, permissions, a corrupt file): words, not a trace
            log = failures.log_trace(exc)
            db = getattr(args, "db", None)
            message = failures.describe(exc, db, args.lang)
            details = t("cli.failure.details", args.lang, log=log) if log else ""
            print(f"chiso: {message}{details}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
