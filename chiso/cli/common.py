"""What several commands share: the ``--lang`` option, writing a file, a peer group's ranking."""

from __future__ import annotations

import argparse
from contextvars import ContextVar
from pathlib import Path

import polars as pl

from chiso import paths
from chiso.config import load_catalog
from chiso.errors import ChisoError
from chiso.i18n import DEFAULT_LANG, LANGS, t
from chiso.selection import Scope
from chiso.store import queries

# The language this run of ``chiso`` speaks: its help, its argument errors (set by ``main``).
LANG: ContextVar[str] = ContextVar("chiso_cli_lang", default=DEFAULT_LANG)
HELP_KEY = "cli.help."


def lang_of(argv: list[str]) -> str:
    """The language ``argv`` asks for (``--lang en`` or ``--lang=en``; a command's own, written
    after the global one, wins as it does when parsed), read before parsing so that ``--help`` and
    usage errors speak it too."""
    asked = DEFAULT_LANG
    for i, arg in enumerate(argv):
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        asked = value if value in LANGS else asked
    return asked


def _said(text: str | None) -> str | None:
    """A help text given as a ``cli.help.*`` key, in the run's language."""
    if text == UNIT_TYPES:
        return unit_types_text(LANG.get())
    return t(text, LANG.get()) if text and text.startswith(HELP_KEY) else text


class HelpFormatter(argparse.HelpFormatter):
    """Help whose texts (options, commands, descriptions) are ``locales/`` keys under ``cli.help``;
    ``_get_help_string`` is the hook argparse's own ``ArgumentDefaultsHelpFormatter`` overrides
    (tests/cli/test_cli_lang.py fails if it stops being called)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return _said(action.help)

    def add_text(self, text: str | None) -> None:
        super().add_text(_said(text))


class Parser(argparse.ArgumentParser):
    """The ``chiso`` parser; argparse makes its subcommands' parsers of the same class, so every
    ``--help`` speaks the run's language."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


# The epilog of a command taking --unit-type: the valid unit types and peer groups, read from the
# default config only when the help is shown.
UNIT_TYPES = "cli.help.unit_types"


def unit_types_text(lang: str) -> str:
    catalog = load_catalog(paths.CONFIG_PATH)
    types, groups = ", ".join(catalog.unit_types), ", ".join(catalog.peer_groups)
    return t(UNIT_TYPES, lang, types=types, groups=groups)


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


def scope_ranking(
    con, index: str, year: int, scope: Scope, component: str | None = None, edition: str | None = None
) -> pl.DataFrame:
    """The ranked table of ``index`` in ``year`` for the scope's peer group; none is an error.
    ``edition``: which edition of a year published more than once (None: the default one, or
    the only one stored); an edition not stored for that table is an error naming the stored ones."""
    key = {
        "index": index,
        "year": year,
        "peer_group": scope.peer_group,
        "scope_province": scope.scope_province,
    }
    stored = queries.editions(con, **key).get_column("edition").to_list()
    if edition is not None and stored and edition not in stored:
        raise ChisoError.coded(
            "cli.edition_not_stored", edition=edition, index=index, year=year, known=", ".join(stored)
        )
    chosen = edition if edition is not None else (stored[0] if stored else None)
    ranking = queries.ranking(con, **key, component=component, edition=chosen)
    if ranking.is_empty():
        where = {"province": scope.province} if scope.province else {}
        code = "cli.no_ranking_in" if scope.province else "cli.no_ranking"
        raise ChisoError.coded(code, index=index, year=year, group=scope.peer_group, **where)
    return ranking
