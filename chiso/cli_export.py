"""``chiso export rankings``: the rankings page's chart or table written to a file.

The same library functions as the page (chiso.rankings_view), so the file matches the screen:
png/svg the chart (with its source line and data date), csv/xlsx the table (numbers as numbers,
the page's headers), long the rows in the import format (``chiso build`` reads it back).

CSV is the spreadsheet download (UTF-8 with BOM so Excel shows Vietnamese); ``long`` is the
machine/import format (plain UTF-8, no BOM).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from chiso import export, paths, rankings_view, views
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.i18n import t
from chiso.selection import Selection, resolve_scope
from chiso.store import queries

FORMATS = ("png", "svg", "csv", "xlsx", "long")


def register(subparsers) -> dict:
    p_export = subparsers.add_parser("export", help="xuất biểu đồ hoặc bảng của một trang ra tệp")
    views = p_export.add_subparsers(dest="view", required=True)
    p_rank = views.add_parser(
        "rankings", help="trang Xếp hạng: biểu đồ (png, svg) hoặc bảng (csv, xlsx, long)"
    )
    p_rank.add_argument("--index", required=True, help="mã chỉ số, ví dụ PAR")
    p_rank.add_argument("--year", required=True, type=int)
    p_rank.add_argument("--province", default=None, help="tỉnh (không cần với nhóm toàn quốc)")
    p_rank.add_argument("--unit-type", required=True, help="loại đơn vị hoặc tên nhóm so sánh")
    p_rank.add_argument("--format", required=True, choices=FORMATS)
    p_rank.add_argument("--out", required=True, type=Path, help="tệp kết quả")
    p_rank.add_argument("--width", type=int, default=1200, help="chiều rộng ảnh, px (mặc định 1200)")
    p_rank.add_argument(
        "--height", type=int, default=None, help="chiều cao ảnh, px (mặc định: theo số đơn vị, ít nhất 700)"
    )
    p_rank.add_argument("--scale", type=float, default=2, help="hệ số phóng ảnh PNG (mặc định 2)")
    p_rank.add_argument("--lang", choices=["vi", "en"], default="vi")
    p_rank.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_rank.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")
    return {"export": cmd_export}


def cmd_export(args: argparse.Namespace) -> int:
    if args.view == "rankings":
        return export_rankings(args)
    raise ChisoError(f"Chưa hỗ trợ xuất trang {args.view!r}")  # argparse refuses other names first


def export_rankings(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.config)
    index = catalog.index(args.index)
    with queries.connect(args.db or paths.db_path()) as con:
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
    if ranking.is_empty():
        raise ChisoError(
            f"Không có dữ liệu {index.code} năm {args.year} cho nhóm {scope.peer_group}"
            + (f" ở {scope.province}" if scope.province else "")
        )
    sel = Selection(scope.peer_group, scope.scope_province, index.code, args.year)
    lang = args.lang
    if args.format in ("png", "svg"):
        figure = rankings_view.rankings_figure(ranking, index, sel, lang)
        figure = export.with_caption(
            figure, views.source_line(ranking, lang), rankings_view.data_date(meta, lang)
        )
        height = args.height or max(700, int(figure.layout.height or 0))
        if args.width <= 0 or height <= 0 or args.scale <= 0:
            raise ChisoError("--width, --height và --scale phải lớn hơn 0")
        render = export.figure_png if args.format == "png" else export.figure_svg
        scale = args.scale if args.format == "png" else 1
        data = render(figure, width=args.width, height=height, scale=scale)
    elif args.format == "long":
        data = export.long_csv(ranking)
    else:
        table = rankings_view.rankings_table(ranking, index, lang)
        if args.format == "csv":
            data = export.table_csv(table)
        else:
            data = export.table_xlsx(
                table,
                sources=rankings_view.rankings_sources(ranking),
                sheet=t("export.sheet.data", lang),
                sources_sheet=t("export.sheet.sources", lang),
                number_formats=rankings_view.rankings_number_formats(ranking, index, lang),
                source_labels=rankings_view.source_labels(lang),
            )
    _write(args.out, data)
    print(f"Đã ghi {args.out}: {args.format}, {len(data)} byte, {ranking.height} đơn vị")
    return 0


def _write(path: Path, data: bytes) -> None:
    if not path.parent.exists():
        raise ChisoError(f"Thư mục {path.parent} không tồn tại")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ChisoError(f"Không ghi được {path}: {exc.strerror or exc}") from exc
