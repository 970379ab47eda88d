"""``chiso import``, ``chiso undo``, ``chiso audit`` and ``chiso hash-password``.

The import never prompts and never reads standard input: it prints the preview, writes unless
``--dry-run`` is given, and prints what it wrote. Exit 0 when imported (or valid on a dry run),
1 when the file cannot be read or is invalid (nothing written), 2 for malformed arguments.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

import polars as pl

from chiso import auth, paths
from chiso.cli.common import LANG, UNIT_TYPES
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.i18n import t
from chiso.ingest.annex import ENCODINGS, ImportOptions
from chiso.store import imports
from chiso.views import import_report

PASSWORD_ENV = "CHISO_STEWARD_PASSWORD"


def _who(args: argparse.Namespace) -> str:
    if args.who:
        return args.who
    try:
        return f"{getpass.getuser()} (cli)"
    except Exception:  # no user name in this environment
        return "cli"


def _year(text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise argparse.ArgumentTypeError(t("cli.import.year_digits", LANG.get(), text=repr(text)))
    return int(text)


def register(sub) -> dict:
    p_import = sub.add_parser(
        "import",
        epilog=UNIT_TYPES,
        help="cli.help.import",
        description="cli.help.import.about",
    )
    p_import.add_argument("file", type=Path, help="cli.help.import.file")
    p_import.add_argument("--sheet", default=None, help="cli.help.import.sheet")
    p_import.add_argument("--index", default=None, help="cli.help.import.index")
    p_import.add_argument("--year", type=_year, default=None, help="cli.help.import.year")
    p_import.add_argument("--province", default=None, help="cli.help.import.province")
    p_import.add_argument("--unit-type", default=None, help="cli.help.import.unit_type")
    p_import.add_argument("--encoding", choices=ENCODINGS, default=None, help="cp1258 cho CSV Windows-1258")
    p_import.add_argument("--source", default=None, help="cli.help.import.source")
    p_import.add_argument("--source-url", default=None, help="cli.help.import.source_url")
    p_import.add_argument("--edition", default=None, help="cli.help.import.edition")
    p_import.add_argument("--pages", default=None, help="cli.help.import.pages")
    p_import.add_argument("--accept-flagged", action="store_true", help="cli.help.import.accept_flagged")
    p_import.add_argument(
        "--correct",
        action="append",
        default=None,
        metavar="CELL=VALUE",
        help="cli.help.import.correct",
    )
    p_import.add_argument("--dry-run", action="store_true", help="cli.help.import.dry_run")
    p_import.add_argument(
        "--replace",
        action="store_true",
        help="cli.help.import.replace",
    )
    p_import.add_argument("--who", default=None, help="cli.help.import.who")
    p_import.add_argument("--wait", type=float, default=0.0, help="cli.help.import.wait")
    p_import.add_argument("--config", type=Path, default=paths.CONFIG_PATH)
    p_import.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")

    p_undo = sub.add_parser("undo", help="cli.help.undo")
    p_undo.add_argument("--who", default=None)
    p_undo.add_argument("--wait", type=float, default=0.0)
    p_undo.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")

    p_audit = sub.add_parser("audit", help="cli.help.audit")
    p_audit.add_argument("--format", choices=["table", "csv"], default="table")
    p_audit.add_argument("--rows", type=int, default=None, metavar="ID", help="cli.help.audit.rows")
    p_audit.add_argument("--db", type=Path, default=None, help=f"DuckDB file (default: {paths.db_path()})")

    p_hash = sub.add_parser(
        "hash-password",
        help="cli.help.hash-password",
        description="cli.help.hash-password.about",
    )
    p_hash.add_argument("password", nargs="?", default=None)
    p_hash.add_argument("--env", default=PASSWORD_ENV, help="cli.help.hash-password.env")
    return {"import": cmd_import, "undo": cmd_undo, "audit": cmd_audit, "hash-password": cmd_hash}


def cmd_import(args: argparse.Namespace) -> int:
    db = args.db or paths.db_path()
    if not args.file.is_file():
        raise ChisoError.coded("cli.import.no_file", file=args.file)
    options = ImportOptions(
        index=args.index,
        year=args.year,
        province=args.province,
        unit_type=args.unit_type,
        sheet=args.sheet,
        encoding=args.encoding,
        source_title=args.source,
        source_url=args.source_url,
        pages=args.pages,
        accept_flagged=args.accept_flagged,
        corrections="; ".join(args.correct) if args.correct else None,
        edition=args.edition,
    )
    from chiso.store import counts_import

    if counts_import.is_counts_file(args.file):
        return _import_counts(args, db)
    catalog = load_catalog(args.config)
    plan = imports.plan_import(db, args.file, options, config=args.config)
    lang = getattr(args, "lang", "vi")
    print(import_report.text_report(plan, catalog, lang))
    if not plan.ok:
        first = plan.errors[0].render(lang)
        more = t("problem.import.more", lang, n=len(plan.errors) - 1) if len(plan.errors) > 1 else ""
        raise ChisoError(t("problem.import.refused", lang, first=first, more=more))
    if args.dry_run:
        print(t("cli.import.dry_run", lang))
        return 0
    _require_replace(plan, args)
    return _say_written(
        imports.apply_import(db, plan, who=_who(args), wait=args.wait, config=args.config), db, lang
    )


def _say_written(result, db, lang: str) -> int:
    if not result.written:
        print(t("cli.import.unchanged", lang, unchanged=result.unchanged))
    else:
        values = {"id": result.import_id, "added": result.added, "changed": result.changed}
        print(t("cli.import.done", lang, db=db, unchanged=result.unchanged, **values))
    return 0


def _require_replace(plan, args: argparse.Namespace) -> None:
    """A stored value is changed only when asked for: the preview above lists each old → new."""
    changed = plan.changed.height if plan.changed is not None else 0
    if changed and not args.replace:
        raise ChisoError.coded("cli.import.needs_replace", n=changed)


def _import_counts(args: argparse.Namespace, db) -> int:
    """One-stop counts (long layout): validated by the build's reader, written in one swap."""
    from chiso.store import counts_import

    plan = counts_import.plan_counts(db, args.file)
    lang = getattr(args, "lang", "vi")
    print(plan.report(lang))
    if args.dry_run:
        print(t("cli.import.dry_run", lang))
        return 0
    return _say_written(counts_import.apply_counts(db, plan, who=_who(args), wait=args.wait), db, lang)


def cmd_undo(args: argparse.Namespace) -> int:
    db = args.db or paths.db_path()
    result = imports.undo_last(db, who=_who(args), wait=args.wait)
    values = {"id": result.import_id, "file": result.file, "added": result.added, "changed": result.changed}
    print(t("cli.undo.done", getattr(args, "lang", "vi"), **values))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    db = args.db or paths.db_path()
    lang = getattr(args, "lang", "vi")
    if not Path(db).exists():
        raise ChisoError.coded("cli.audit.no_db", db=db)
    if args.rows is not None:
        frame = imports.audit(db, with_rows=True).filter(pl.col("import_id") == args.rows)
        if frame.is_empty():
            raise ChisoError.coded("cli.audit.no_import", id=args.rows)
        from chiso.export.files import neutralised_csv

        sys.stdout.write(neutralised_csv(frame["long_csv"][0] or ""))
        return 0
    frame = imports.audit(db)
    if args.format == "csv":
        from chiso.export.files import neutralised

        sys.stdout.write(neutralised(frame).write_csv())
        return 0
    if frame.is_empty():
        print(t("cli.audit.none", lang))
        return 0
    for row in frame.iter_rows(named=True):
        undone = (
            t("cli.audit.undone", lang, at=row["undone_at"], by=row["undone_by"]) if row["undone_at"] else ""
        )
        print(
            f"#{row['import_id']}  {row['imported_at']} UTC  {row['who']}  {row['file']}  "
            f"sha256 {row['sha256'][:12]}  +{row['rows_added']} ~{row['rows_changed']}{undone}"
        )
    return 0


def cmd_hash(args: argparse.Namespace) -> int:
    password = args.password if args.password is not None else os.environ.get(args.env)
    if not password:
        raise ChisoError.coded("cli.hash.no_password", env=args.env)
    try:
        print(auth.hash_password(password))
    except ValueError as exc:
        raise ChisoError.coded("auth.too_short", n=auth.MIN_LENGTH) from exc
    return 0
