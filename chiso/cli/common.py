"""What several commands share: the ``--lang`` option, writing a file, a peer group's ranking."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from chiso.errors import ChisoError
from chiso.selection import Scope
from chiso.store import queries


def lang_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """A command's own ``--lang``; without it the global ``chiso --lang`` (default vi) applies."""
    parser.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS, help=help)


def write_file(path: Path, data: bytes) -> None:
    """Write through a temporary file so a failed write leaves no half file behind."""
    if not path.parent.exists():
        raise ChisoError.coded("cli.no_folder", folder=path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ChisoError.coded("cli.cannot_write", path=path, reason=exc.strerror or exc) from exc


def scope_ranking(con, index: str, year: int, scope: Scope, component: str | None = None) -> pl.DataFrame:
    """The ranked table of ``index`` in ``year`` for the scope's peer group; none is an error."""
    ranking = queries.ranking(
        con,
        index=index,
        year=year,
        peer_group=scope.peer_group,
        scope_province=scope.scope_province,
        component=component,
    )
    if ranking.is_empty():
        where = {"province": scope.province} if scope.province else {}
        code = "cli.no_ranking_in" if scope.province else "cli.no_ranking"
        raise ChisoError.coded(code, index=index, year=year, group=scope.peer_group, **where)
    return ranking
