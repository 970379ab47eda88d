"""Export timings for the rankings view: prints a table. Not a test.

    .venv/bin/python benchmarks/export_bench.py [--db build/chiso.duckdb] [--repeat 10]

Measures the first PNG export in a fresh process (it starts the warm Chromium), then warm PNG
and SVG exports, the CSV/XLSX tables, and for comparison plotly.io.to_image, which starts a new
browser for every image.
"""

from __future__ import annotations

from bench import parser, print_times, timed

from chiso import paths
from chiso.config import load_catalog
from chiso.export import files as export
from chiso.selection import Selection, resolve_scope
from chiso.store import queries
from chiso.views import rankings as rankings_view
from chiso.views import style
from chiso.views import tables as views


def main() -> int:
    options = parser(__doc__, repeat=10)
    options.add_argument("--index", default="PAR")
    options.add_argument("--year", type=int, default=2022)
    options.add_argument("--province", default="Hòa Bình")
    options.add_argument("--unit-type", default="department")
    options.add_argument("--width", type=int, default=1200)
    options.add_argument("--scale", type=float, default=2)
    args = options.parse_args()

    catalog = load_catalog(paths.CONFIG_PATH)
    index = catalog.index(args.index)
    with queries.connect(args.db) as con:
        scope = resolve_scope(
            catalog, queries.units(con), queries.aliases(con), args.province, args.unit_type
        )
        ranking = queries.ranking(
            con,
            index=index.code,
            year=args.year,
            peer_group=scope.peer_group,
            scope_province=scope.scope_province,
        )
        meta = queries.meta(con)
    sel = Selection(scope.peer_group, scope.scope_province, index.code, args.year)
    figure = export.with_caption(
        rankings_view.rankings_figure(ranking, index, sel, "vi"),
        views.source_line(ranking, "vi"),
        rankings_view.data_date(meta, "vi"),
    )
    height = max(700, int(figure.layout.height or 0))
    size = {"width": args.width, "height": height}
    print(
        f"rankings {index.code} {args.year} {scope.peer_group} {scope.province or '-'}:",
        f"{ranking.height} units",
    )
    print(f"browser: {export.browser_path()}; font: {export.vietnamese_font(style.FONT)}")

    rows: list[tuple[str, list[float], int]] = []
    first, png = timed(lambda: export.figure_png(figure, **size, scale=args.scale))
    rows.append(("PNG, first (starts Chromium)", [first], len(png)))
    warm = [timed(lambda: export.figure_png(figure, **size, scale=args.scale))[0] for _ in range(args.repeat)]
    rows.append(("PNG, warm", warm, len(png)))
    svg = export.figure_svg(figure, **size)
    rows.append(
        (
            "SVG, warm",
            [timed(lambda: export.figure_svg(figure, **size))[0] for _ in range(args.repeat)],
            len(svg),
        )
    )
    table = rankings_view.rankings_table(ranking, index, "vi")
    csv = export.table_csv(table)
    rows.append(("CSV", [timed(lambda: export.table_csv(table))[0] for _ in range(args.repeat)], len(csv)))
    formats = rankings_view.rankings_number_formats(ranking, index, "vi")
    sources = rankings_view.rankings_sources(ranking)
    xlsx = export.table_xlsx(table, sources=sources, number_formats=formats)
    xlsx_times = [
        timed(lambda: export.table_xlsx(table, sources=sources, number_formats=formats))[0]
        for _ in range(args.repeat)
    ]
    rows.append(("XLSX", xlsx_times, len(xlsx)))
    from chiso.export import brief
    from chiso.store import analysis_queries
    from chiso.views import brief as brief_view

    leader = ranking.get_column("unit_id").to_list()[0]

    def pack(con) -> str:  # as the app and `chiso brief` make it: the store's reads, the view, the file
        read = analysis_queries.unit_year(con, unit_id=leader, year=args.year, order=catalog.codes)
        return brief.briefing_html(brief_view.build(catalog, read, year=args.year, lang="vi"))

    with queries.connect(args.db) as con:
        first_pack, html = timed(lambda: pack(con))
        warm = [timed(lambda: pack(con))[0] for _ in range(min(3, args.repeat))]
    rows.append(("briefing pack HTML, first", [first_pack], len(html)))
    rows.append(("briefing pack HTML, warm", warm, len(html)))
    pdf_time, pdf = timed(lambda: brief.pdf_from_html(html))
    rows.append(("briefing pack PDF (chromium print)", [pdf_time], len(pdf)))
    export.stop_renderer()

    import plotly.io as pio

    cold = [
        timed(lambda: pio.to_image(figure, format="png", **size, scale=args.scale))[0]
        for _ in range(min(3, args.repeat))
    ]
    rows.append(("plotly.io.to_image PNG (new browser each)", cold, len(png)))

    print_times("export", rows, 44, extra=("bytes",))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
