"""The ``chiso`` command: one module per command group, registered in :mod:`chiso.cli.main`."""
