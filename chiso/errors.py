"""Errors a user can act on: their message is shown as is, never a traceback."""


class ChisoError(Exception):
    """Invalid input or data; the message names the file, row and column where it can."""


class KeepsImportsError(ChisoError):
    """A rebuild refused because the existing database holds imports not in ``data/``.

    The existing database is complete and servable, so ``chiso build --keep-imported`` treats this
    as success (``make run`` then serves it) while every other build failure stops ``make run``.
    """
