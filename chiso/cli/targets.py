"""``chiso targets set`` and ``chiso targets list``.

    chiso targets set --unit "Sở Y tế" --province "Tỉnh Mẫu" --index PAR --year 2025 --rank 2 --rank-of 4 \
        --source "Nghị quyết 05-NQ/TU" [--source-url URL] [--quote TEXT] [--dry-run] [--replace]
    chiso targets set --file targets.csv
    chiso targets list [--unit U --province P] [--index PAR] [--format table|csv]

``set`` writes like ``chiso import``: it validates, prints the preview and writes through the one
audited write path unless ``--dry-run`` (``chiso undo`` removes the targets again); a stored target
is replaced only with ``--replace``. ``list`` prints each target with its status. Registered by
``chiso.cli.main`` (``FEATURE_MODULES``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from chiso import paths
from chiso.cli.analysis import resolve_unit
from chiso.cli.imports import _who
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.export.files import neutralised
from chiso.i18n import t
from chiso.store import queries
from chiso.store import targets as store
from chiso.views import targets as view

KIND_FLAGS = ("rank", "tier", "score", "floor")


def register(sub) -> dict:
    p = sub.add_parser("targets", help="cli.help.targets")
    actions = p.add_subparsers(dest="targets_action", required=True)
    p_set = actions.add_parser("set", help="cli.help.targets.set")
    p_set.add_argument("--file", type=Path, default=None, help="cli.help.targets.set.file")
    p_set.add_argument("--unit", default=None)
    p_set.add_argument("--province", default=None)
    p_set.add_argument("--index", default=None)
    p_set.add_argument("--year", default=None, help="cli.help.targets.set.year")
    p_set.add_argument("--rank", default=None, metavar="K", help="cli.help.targets.set.rank")
    p_set.add_argument("--rank-of", default=None, metavar="N", help="cli.help.targets.set.rank_of")
    p_set.add_argument("--tier", default=None, help="cli.help.targets.set.tier")
    p_set.add_argument("--score", default=None, help="cli.help.targets.set.score")
    p_set.add_argument(
        "--floor",
        action="append",
        default=None,
        metavar="COMPONENT=POINTS",
        help="cli.help.targets.set.floor",
    )
    p_set.add_argument("--source", default=None, help="cli.help.targets.set.source")
    p_set.add_argument("--source-url", default=None)
    p_set.add_argument("--quote", default=None)
    p_set.add_argument("--dry-run", action="store_true")
    p_set.add_argument("--replace", action="store_true", help="cli.help.targets.set.replace")
    p_set.add_argument("--who", default=None)
    p_set.add_argument("--wait", type=float, default=0.0)
    p_set.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_set.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")
    p_list = actions.add_parser("list", help="cli.help.targets.list")
    p_list.add_argument("--unit", default=None)
    p_list.add_argument("--province", default=None)
    p_list.add_argument("--index", default=None)
    p_list.add_argument("--format", choices=["table", "csv"], default="table")
    p_list.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_list.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")
    return {"targets": cmd_targets}


def cmd_targets(args: argparse.Namespace) -> int:
    return cmd_set(args) if args.targets_action == "set" else cmd_list(args)


def _rows(args: argparse.Namespace, lang: str) -> list[dict]:
    """One row per target the flags give, in the targets file layout."""
    given = [k for k in KIND_FLAGS if getattr(args, k)]
    if len(given) != 1:
        raise ChisoError(t("targets.cli.need_kind", lang))
    missing = [f"--{name}" for name in ("unit", "index", "year", "source") if not getattr(args, name)]
    if missing:
        raise ChisoError(t("targets.cli.need_fields", lang, what=", ".join(missing)))
    base = {
        "province": args.province or "",
        "unit": args.unit,
        "index": args.index,
        "year": str(args.year),
        "rank_of": args.rank_of or "",
        "source_title": args.source,
        "source_url": args.source_url or "",
        "quote": args.quote or "",
    }
    kind = given[0]
    if kind != "floor":
        return [{**base, "kind": kind, "target": str(getattr(args, kind)), "component": ""}]
    rows = []
    for item in args.floor:
        component, sep, value = item.partition("=")
        if not sep or not component.strip() or not value.strip():
            raise ChisoError(t("targets.cli.floor_form", lang, value=item))
        rows.append({**base, "kind": "floor", "target": value.strip(), "component": component.strip()})
    return rows


def _preview(plan, lang: str) -> None:
    print(view.preview_text(plan, lang))
    for row in plan.rows.filter(pl.col("status") == "change").iter_rows(named=True):
        old = row["old_rank_target"] or row["old_tier_code"] or row["old_value"]
        new = row["rank_target"] or row["tier_code"] or row["value"]
        print(
            t(
                "targets.cli.change",
                lang,
                unit=row["unit_name"],
                index=row["index_code"],
                year=row["year"],
                kind=row["kind"] + (f" {row['component']}" if row["component"] else ""),
                old=old,
                new=new,
            )
        )


def cmd_set(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", "vi")
    db = args.db or paths.db_path()
    if args.file is not None:
        if not args.file.is_file():
            raise ChisoError(t("targets.cli.no_file", lang, file=args.file))
        plan = store.plan_targets(db, path=args.file, config=args.config)
    else:
        plan = store.plan_targets(db, rows=_rows(args, lang), name="chiso targets set", config=args.config)
    if not plan.ok:
        first = plan.errors[0].render(lang)
        more = t("problem.import.more", lang, n=len(plan.errors) - 1) if len(plan.errors) > 1 else ""
        raise ChisoError(t("problem.import.refused", lang, first=first, more=more))
    _preview(plan, lang)
    if args.dry_run:
        print(t("targets.cli.dry_run", lang))
        return 0
    _, changed, _ = plan.counts
    if changed and not args.replace:
        raise ChisoError(t("targets.cli.needs_replace", lang, n=changed))
    result = store.apply_targets(db, plan, who=_who(args), wait=args.wait)
    if not result.written:
        print(t("targets.cli.nothing", lang, n=result.unchanged))
        return 0
    print(
        t("targets.cli.written", lang, id=result.import_id, db=db, added=result.added, changed=result.changed)
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", "vi")
    catalog = load_catalog(args.config)
    with queries.connect(args.db or paths.db_path()) as con:
        unit_ids = [resolve_unit(con, args.unit, args.province)[0].unit_id] if args.unit else None
        index = catalog.index(args.index).code if args.index else None
        frame = store.targets(con, unit_ids=unit_ids, index=index)
        built = view.build(frame, store.series(con, frame), catalog, lang)
    if args.format == "csv":
        sys.stdout.write(neutralised(built.machine).write_csv())
        return 0
    if built.empty:
        print(t("targets.none", lang))
        return 0
    for text in built.lines:
        print(f"- {text}")
    print(built.definition)
    return 0
