"""Cells of a table read from a PDF or scan that a person must look at before the import."""

from __future__ import annotations


def flags(table, annex, catalog) -> list:
    return []
