"""``chiso export rankings``: the rankings page's chart or table written to a file.

The same library functions as the page (chiso.views.rankings), so the file matches the screen:
png/svg the chart (with its source line and data date), csv/xlsx the table (numbers as numbers,
the page's headers), long the rows in the import format (``chiso build`` reads it back).

CSV is the spreadsheet download (UTF-8 with BOM so Excel shows Vietnamese); ``long`` is the
machine/import format (plain UTF-8, no BOM).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from chiso import paths
from chiso.cli.common import UNIT_TYPES, lang_option, scope_ranking, write_file
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.export import files as export
from chiso.export import sources as export_sources
from chiso.i18n import t
from chiso.selection import Selection, resolve_scope
from chiso.store import queries
from chiso.views import editions
from chiso.views import rankings as rankings_view
from chiso.views.page import TableExport

FORMATS = ("png", "svg", "csv", "xlsx", "long")


def register(subparsers) -> dict:
    p_export = subparsers.add_parser("export", help="cli.help.export")
    views = p_export.add_subparsers(dest="view", required=True)
    p_rank = views.add_parser("rankings", help="cli.help.export.rankings", epilog=UNIT_TYPES)
    p_rank.add_argument("--index", required=True, help="cli.help.export.rankings.index")
    p_rank.add_argument("--year", required=True, type=int)
    p_rank.add_argument("--province", default=None, help="cli.help.export.rankings.province")
    p_rank.add_argument("--unit-type", required=True, help="cli.help.export.rankings.unit_type")
    p_rank.add_argument("--edition", default=None, help="cli.help.rank.edition")
    p_rank.add_argument("--format", required=True, choices=FORMATS)
    p_rank.add_argument("--out", required=True, type=Path, help="cli.help.export.rankings.out")
    p_rank.add_argument("--width", type=int, default=1200, help="cli.help.export.rankings.width")
    p_rank.add_argument("--height", type=int, default=None, help="cli.help.export.rankings.height")
    p_rank.add_argument("--scale", type=float, default=2, help="cli.help.export.rankings.scale")
    lang_option(p_rank)
    p_rank.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_rank.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")
    for name in ("trends", "gaps", "profile", "compare", "why"):
        sub = views.add_parser(name, help=f"cli.help.export.{name}", epilog=UNIT_TYPES)
        sub.add_argument("--index", required=name != "profile")
        sub.add_argument("--year", required=name != "trends", type=int, default=None)
        sub.add_argument("--province", default=None)
        sub.add_argument("--unit-type", required=name != "profile", help="cli.help.export.unit_type")
        if name == "why":
            sub.add_argument("--from", dest="year_a", type=int, default=None, help="cli.help.export.why.from")
        sub.add_argument(
            "--unit",
            default=None,
            action="append",
            help="cli.help.export.unit",
        )
        if name == "trends":
            sub.add_argument("--measure", choices=["score", "pct_of_max", "rank"], default=None)
        sub.add_argument("--format", required=True, choices=("png", "svg", "csv", "xlsx"))
        sub.add_argument("--out", required=True, type=Path)
        sub.add_argument("--width", type=int, default=1200)
        sub.add_argument("--height", type=int, default=700)
        sub.add_argument("--scale", type=float, default=2)
        lang_option(sub)
        sub.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
        sub.add_argument("--db", type=Path, default=None)
    return {"export": cmd_export}


def cmd_export(args: argparse.Namespace) -> int:
    if args.view == "rankings":
        return export_rankings(args)
    if args.view in ("trends", "gaps", "profile", "compare", "why"):
        return export_page(args)
    raise ChisoError.coded("cli.export.no_such_view", view=args.view)  # argparse refuses other names first


def page_view(args: argparse.Namespace):
    """(the page's view, the database's meta) for the selection in ``args``: the same
    ``chiso.views.<page>.build`` the page calls, on the same rows."""
    catalog = load_catalog(args.config)
    if args.view == "profile":
        return _profile(args, catalog)
    index = catalog.index(args.index)
    with queries.connect(args.db or paths.db_path()) as con:
        scope = resolve_scope(
            catalog, queries.units(con), queries.aliases(con), args.province, args.unit_type
        )
        chosen = _resolve_units(con, getattr(args, "unit", None) or [], scope)
        view = VIEWS[args.view](con, args, index, scope, chosen, args.lang)
        return view, queries.meta(con)


def export_rankings(args: argparse.Namespace) -> int:
    view, meta = page_view(args)
    ranking, lang = view.rows, args.lang
    if args.format in ("png", "svg") and view.chart_note:  # ranks without scores: no chart, as on screen
        raise ChisoError.coded("rankings.ranks_only_chart")
    if args.format in ("png", "svg"):
        figure = view.figure or rankings_view.rankings_figure(
            ranking, view.index, view.sel, lang, load_catalog(args.config)
        )
        figure = export.with_caption(figure, view.source, rankings_view.data_date(meta, lang))
        height = args.height or max(700, int(figure.layout.height or 0))
        if args.width <= 0 or height <= 0 or args.scale <= 0:
            raise ChisoError.coded("cli.export.size")
        render = export.figure_png if args.format == "png" else export.figure_svg
        scale = args.scale if args.format == "png" else 1
        data = render(figure, width=args.width, height=height, scale=scale)
    elif args.format == "long":
        data = export.long_csv(ranking)
    else:
        data = _table_bytes(view.export, args.format, lang)
    write_file(args.out, data)
    print(t("cli.written_units", lang, path=args.out, format=args.format, size=len(data), n=ranking.height))
    return 0


def _rankings(con, args, index, scope, chosen: list[str], lang: str):
    ranking = scope_ranking(con, index.code, args.year, scope, edition=getattr(args, "edition", None))
    sel = Selection(scope.peer_group, scope.scope_province, index.code, args.year, editions.of_table(ranking))
    return rankings_view.build(ranking, index, sel, lang, catalog=load_catalog(args.config))


def _resolve_units(con, texts: list[str], scope) -> list[str]:
    from chiso.units import Registry

    registry = Registry.from_frames(queries.units(con), queries.aliases(con))
    return [registry.resolve(text, province=scope.province or None).unit_id for text in texts]


def export_page(args: argparse.Namespace) -> int:
    """The main chart (png/svg) or table (csv/xlsx) of the trends, components, profile, compare
    and why pages: the page's own view, written."""
    view, meta = page_view(args)
    notes = getattr(view, "break_notes", ())  # the trend's flags, written under the chart
    return _write_view(args, view.figure, view.export, meta, args.lang, view.source, notes)


def _trends(con, args, index, scope, chosen: list[str], lang: str):
    from chiso.views import trends

    series = queries.series(
        con, index=index.code, peer_group=scope.peer_group, scope_province=scope.scope_province
    )
    if series.is_empty():
        raise ChisoError.coded("cli.export.no_series", index=index.code, group=scope.peer_group)
    year = args.year or int(series.get_column("year").max())
    offer = trends.choices(series, year)
    chosen = chosen or offer.default_units
    sel = Selection(scope.peer_group, scope.scope_province, index.code, year)
    from chiso.store import lineage_table

    preds = lineage_table.predecessors(con, unit_ids=chosen)  # the page's predecessors' lines too
    others = [*chosen, *preds.get_column("other_id").drop_nulls().to_list()]
    reorg = (preds, lineage_table.totals_of(con, unit_ids=sorted(set(others)), index=index.code))
    view = trends.build(
        series,
        chosen,
        args.measure or offer.default_measure,
        index,
        sel,
        lang,
        load_catalog(args.config),
        reorg,
    )
    return view


def _table_rows(con, index, scope, year: int):
    from chiso.store import analysis_queries

    return analysis_queries.table_rows(
        con, index=index.code, year=year, peer_group=scope.peer_group, scope_province=scope.scope_province
    )


def _gaps(con, args, index, scope, chosen: list[str], lang: str):
    from chiso.views import components

    if not chosen:
        raise ChisoError.coded("cli.export.unit_required", view="gaps")
    sel = Selection(scope.peer_group, scope.scope_province, index.code, args.year)
    rows = _table_rows(con, index, scope, args.year)
    if not components.has_components(rows):
        raise ChisoError.coded("cli.export.no_components", index=index.code, year=args.year)
    view = components.build(rows, chosen[0], index, sel, lang, load_catalog(args.config))
    return view


def _compare(con, args, index, scope, chosen: list[str], lang: str):
    from chiso.metrics import gaps
    from chiso.views import compare

    sel = Selection(scope.peer_group, scope.scope_province, index.code, args.year)
    rows = _table_rows(con, index, scope, args.year)
    chosen = chosen or gaps.totals(rows).sort("rank", nulls_last=True).get_column("unit_id").to_list()[:3]
    if len(chosen) < 2:
        raise ChisoError.coded("cli.export.compare_two")
    view = compare.build(rows, chosen, index, sel, load_catalog(args.config), lang)
    if view.figure is None and args.format in ("png", "svg"):
        raise ChisoError.coded("cli.export.no_components_to_draw", index=index.code, year=args.year)
    return view


def _why(con, args, index, scope, chosen: list[str], lang: str):
    import polars as pl

    from chiso.store import analysis_queries
    from chiso.views import why

    if not chosen:
        raise ChisoError.coded("cli.export.unit_required", view="why")
    sel = Selection(scope.peer_group, scope.scope_province, index.code, args.year)
    year_a = args.year_a or args.year - 1
    rows = analysis_queries.tables_two_years(
        con,
        index=index.code,
        peer_group=scope.peer_group,
        scope_province=scope.scope_province,
        year_a=year_a,
        year_b=args.year,
    )
    if rows.filter(pl.col("year") == year_a).is_empty():
        raise ChisoError.coded("cli.export.no_year_a", index=index.code, year=year_a)
    view = why.build(rows, chosen[0], index, sel, year_a, lang, load_catalog(args.config))
    if not view.has_components:  # the page shows neither chart nor table then, and says why
        raise ChisoError.coded("why.no_components")
    return view


VIEWS = {"rankings": _rankings, "trends": _trends, "gaps": _gaps, "compare": _compare, "why": _why}


def _profile(args, catalog):
    from chiso.cli.analysis import resolve_unit
    from chiso.store import analysis_queries
    from chiso.views import profile

    if not args.unit:
        raise ChisoError.coded("cli.export.unit_required", view="profile")
    with queries.connect(args.db or paths.db_path()) as con:
        unit, _ = resolve_unit(con, args.unit[0], args.province)
        rows = analysis_queries.unit_rows(con, unit_id=unit.unit_id)
        meta = queries.meta(con)
    view = profile.build(rows, args.year, catalog, args.lang)
    if view.figure is None and args.format in ("png", "svg"):
        raise ChisoError.coded("cli.export.profile_two", unit=unit.name, year=args.year)
    return view, meta


def _table_bytes(table_export: TableExport, fmt: str, lang: str) -> bytes:
    """The CSV or XLSX of a view's table export, exactly as the page's download buttons write it."""
    if fmt == "csv":
        return export_sources.csv_bytes(
            table_export.table, table_export.sources, table_export.source_key, lang
        )
    return export_sources.xlsx_bytes(
        table_export.table, table_export.sources, lang, formats=table_export.number_formats
    )


def _write_view(
    args, figure, table_export: TableExport, meta, lang: str, source: str, notes: tuple[str, ...] = ()
) -> int:
    if args.format in ("png", "svg"):
        # the view's own source line (the figure's first annotation may be a trend's ⚑ flag)
        figure = export.with_caption(figure, source, rankings_view.data_date(meta, lang), notes)
        render = export.figure_png if args.format == "png" else export.figure_svg
        data = render(
            figure,
            width=args.width,
            height=max(args.height, int(figure.layout.height or 0)),
            scale=args.scale if args.format == "png" else 1,
        )
    else:
        data = _table_bytes(table_export, args.format, lang)
    write_file(args.out, data)
    print(t("cli.written", lang, path=args.out, format=args.format, size=len(data)))
    return 0
