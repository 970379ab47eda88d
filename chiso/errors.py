"""Errors a user can act on: their message is shown as is, never a traceback."""


class ChisoError(Exception):
    """Invalid input or data; the message names the file, row and column where it can."""
