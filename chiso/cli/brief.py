"""``chiso brief``: the briefing pack of one unit and year written to a file.

    chiso brief --unit "Sở Nội vụ" --province "Hòa Bình" --year 2022 --out brief.html
    chiso brief --unit "Sở Nội vụ" --province "Hòa Bình" --year 2022 --out brief.html --pdf

The HTML goes to ``--out``; ``--pdf`` also prints it to a PDF beside it (``brief.pdf``) with
Debian's chromium. An ``--out`` ending in ``.pdf`` writes the PDF only. Registered by
``chiso.cli`` through :func:`register` (listed in ``chiso.cli.main.FEATURE_MODULES``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from chiso import paths
from chiso.cli.analysis import resolve_unit
from chiso.cli.common import lang_option, write_file
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.export import brief
from chiso.i18n import t
from chiso.store import analysis_queries, queries
from chiso.store import targets as targets_store
from chiso.views import brief as brief_view
from chiso.views import targets as targets_view


def register(subparsers) -> dict:
    p_brief = subparsers.add_parser("brief", help="cli.help.brief")
    p_brief.add_argument("--unit", required=True, help="cli.help.brief.unit")
    p_brief.add_argument("--province", default=None, help="cli.help.brief.province")
    p_brief.add_argument("--year", required=True, type=int)
    p_brief.add_argument("--out", required=True, type=Path, help="cli.help.brief.out")
    lang_option(p_brief)
    p_brief.add_argument("--pdf", action="store_true", help="cli.help.brief.pdf")
    p_brief.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_brief.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")
    return {"brief": cmd_brief}


def _years(con, unit_id: str) -> list[int]:
    tables = analysis_queries.unit_tables(con, unit_id=unit_id)
    return sorted(set(tables.get_column("year").to_list())) if tables.height else []


def cmd_brief(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.config)
    out: Path = args.out
    if not out.parent.exists():
        raise ChisoError.coded("cli.no_folder", folder=out.parent)
    with queries.connect(args.db or paths.db_path()) as con:
        unit, _ = resolve_unit(con, args.unit, args.province)
        years = _years(con, unit.unit_id)
        if args.year not in years:
            code = "cli.brief.no_year" if years else "cli.brief.no_data"
            raise ChisoError.coded(
                code, unit=unit.name, province=unit.province, year=args.year, years=", ".join(map(str, years))
            )
        read = analysis_queries.unit_year(con, unit_id=unit.unit_id, year=args.year, order=catalog.codes)
        mine = targets_store.targets(con, unit_ids=[unit.unit_id])
        shown = targets_view.build(mine, targets_store.series(con, mine), catalog, args.lang)
    document = brief.briefing_html(brief_view.build(catalog, read, year=args.year, lang=args.lang), shown)
    files = {}
    if out.suffix.lower() != ".pdf":
        files[out] = document.encode("utf-8")
    if args.pdf or out.suffix.lower() == ".pdf":
        files[out.with_suffix(".pdf")] = brief.pdf_from_html(document)
    for path, data in files.items():
        write_file(path, data)
        print(t("cli.written_file", args.lang, path=path, size=len(data)))
    return 0
