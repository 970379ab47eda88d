"""The ``chiso`` command: one module per command group, registered in :mod:`chiso.cli.main`."""

from chiso.cli.main import main

__all__ = ["main"]
