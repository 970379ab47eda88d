"""Where the project's files live; every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG_PATH = ROOT / "config" / "indices.yaml"
DATA_DIR = ROOT / "data"
LOCALES_DIR = ROOT / "locales"
BUILD_DIR = ROOT / "build"


def db_path() -> Path:
    """The published-data database: ``CHISO_DB`` or ``build/chiso.duckdb``."""
    return Path(os.environ.get("CHISO_DB") or BUILD_DIR / "chiso.duckdb")


def demo_db_path() -> Path:
    """The demo-province database: ``CHISO_DEMO_DB`` or ``build/demo.duckdb``."""
    return Path(os.environ.get("CHISO_DEMO_DB") or BUILD_DIR / "demo.duckdb")
