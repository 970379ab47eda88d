"""Shared fixtures: a tiny data folder written from Python rows, built into a real DuckDB file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from chiso import paths
from chiso.app import collect
from chiso.columns import UNIT_COLUMNS
from chiso.demo.province import write_rows
from chiso.store.build import build

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "indices.yaml"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# pytestmark of every real-browser module: `pytestmark = BROWSER_MARKS`
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]

# The app's collector thread (started by the first page run of AppTest) never hands DuckDB's
# cache back in the test process: tests read their databases outside page runs, through
# connections that share the app's. tests/app/test_collect.py tests the release itself.
collect.RELEASE_AFTER_S = float("inf")

UNITS = [
    # province, name, short_name, unit_type, code, valid_from, valid_to, successor, peer_group, aliases
    ("Tỉnh Mẫu", "Tỉnh Mẫu", "Tỉnh Mẫu", "province", "", "", "", "", "", ""),
    ("Tỉnh Mẫu", "Sở Nội vụ", "", "department", "", "", "", "", "", ""),
    ("Tỉnh Mẫu", "Sở Tư pháp", "", "department", "", "", "", "", "", ""),
    ("Tỉnh Mẫu", "Sở Lao động - Thương binh và Xã hội", "", "department", "", "", "", "", "", "Sở LĐ-TB&XH"),
    ("Tỉnh Mẫu", "Sở Y tế", "", "department", "", "", "", "", "", ""),
    ("Tỉnh Mẫu", "Thành phố Hòa Lạc", "Hòa Lạc", "city", "999", "", "", "", "", "TP Hòa Lạc"),
    ("Tỉnh Mẫu", "Huyện Đầm Sen", "Đầm Sen", "district", "", "", "2019", "Thành phố Hòa Lạc", "", ""),
    ("Tỉnh Mẫu", "Huyện Ba Bể", "Ba Bể", "district", "", "", "", "", "", ""),
]
SOURCE = ("Quyết định mẫu", "https://example.invalid/qd")


def score(unit, index, year, value, *, component="", rank="", rank_of="", max_score="", province="Tỉnh Mẫu"):
    return {
        "province": province,
        "unit": unit,
        "unit_type": "",
        "index": index,
        "component": component,
        "year": str(year),
        "score": "" if value is None else str(value),
        "max_score": str(max_score),
        "rank": str(rank),
        "rank_of": str(rank_of),
        "source_title": SOURCE[0],
        "source_url": SOURCE[1],
        "quote": "trích dẫn",
    }


SCORES = [
    # 2022: a complete table of four departments with a tie (rank 2, 2, 4).
    score("Sở Nội vụ", "PAR", 2022, 95.5, rank=1, rank_of=4),
    score("Sở Tư pháp", "PAR", 2022, 91.24, rank=2, rank_of=4),
    score("Sở LĐ-TB&XH", "PAR", 2022, 91.24, rank=2, rank_of=4),
    score("Sở Y tế", "PAR", 2022, 88.0, rank=4, rank_of=4),
    # 2023: the health department overtakes; no published ranks, rank_of known.
    score("Sở Nội vụ", "PAR", 2023, 93.0, rank_of=4),
    score("Sở Tư pháp", "PAR", 2023, 90.0, rank_of=4),
    score("Sở Lao động - Thương binh và Xã hội", "PAR", 2023, 89.0, rank_of=4),
    score("Sở Y tế", "PAR", 2023, 94.0, rank_of=4),
    # Localities: an incomplete table (two of three).
    score("TP Hòa Lạc", "PAR", 2022, 90.925, rank=1, rank_of=3),
    score("Ba Bể", "PAR", 2022, 85.0),
    # Components of PAR for one department (area maxima from the config).
    score("Sở Nội vụ", "PAR", 2022, 9.5, component="chi_dao_dieu_hanh"),
]


def cli_args(*args, **flags) -> list[str]:
    """``chiso``'s arguments: ``args``, then each flag as ``--name value``
    (``unit_type`` → ``--unit-type``)."""
    argv = [str(a) for a in args]
    for name, value in flags.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    return argv


def run_cli(capsys, *args, **flags) -> tuple[int, str, str]:
    """``chiso`` with :func:`cli_args`: its exit code, stdout and stderr."""
    from chiso.cli.main import main

    code = main(cli_args(*args, **flags))
    out = capsys.readouterr()
    return code, out.out, out.err


def said_by_calls(imports: str, *calls: str) -> list[str]:
    """What a Streamlit script shows when it runs ``calls`` (Python expressions, after
    ``imports``) one by one: each call's ChisoError, or "reached" where the call went through."""
    from streamlit.testing.v1 import AppTest

    script = f"""
import streamlit as st
from chiso.errors import ChisoError
{imports}
for call in ({", ".join(f"lambda: {c}" for c in calls)},):
    try:
        call()
        st.write("reached")
    except ChisoError as exc:
        st.write(str(exc))
"""
    return [m.value for m in AppTest.from_string(script, default_timeout=60).run().markdown]


def signed_in_data_page(name: str, password: str):
    """The Data page (an AppTest) after a steward signs in as ``name`` with ``password``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60).run()
    at.text_input(key="data_signin_name").input(name)
    at.text_input(key="data_signin_password").input(password)
    at.button[0].click().run()
    return at


def choose_and_click(at, button: str, **choices: str):
    """Each keyed select box of an AppTest set to its option, then ``button`` clicked and the
    page run, as a user fills a form; the run raised nothing."""
    for key, option in choices.items():
        at.selectbox(key=key).select(option)
    at.button(key=button).click().run()
    assert not at.exception, at.exception
    return at


def write_csv(path: Path, rows: list[dict]) -> None:
    """Rows as a CSV in the data folder's layout (the tests' name for the demo's writer)."""
    write_rows(path, rows)


def write_data(folder: Path, scores: list[dict] | None = None) -> Path:
    write_rows(folder / "units.csv", [dict(zip(UNIT_COLUMNS, row, strict=True)) for row in UNITS])
    write_rows(folder / "scores" / "fixture.csv", scores if scores is not None else SCORES)
    return folder


def built_fixture(folder: Path) -> Path:
    """The fixture data written to ``folder/data`` and built into ``folder/chiso.duckdb``."""
    db = folder / "chiso.duckdb"
    build(CONFIG, write_data(folder / "data"), db)
    return db


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_data(tmp_path / "data")


@pytest.fixture
def fixture_db(tmp_path: Path, data_dir: Path, monkeypatch) -> Path:
    db = tmp_path / "fixture.duckdb"
    build(CONFIG, data_dir, db)
    monkeypatch.setenv("CHISO_DB", str(db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(tmp_path / "missing-demo.duckdb"))
    return db


@pytest.fixture(scope="session")
def published_db(tmp_path_factory) -> Path:
    """The shipped data, built once per test session."""
    db = tmp_path_factory.mktemp("published") / "chiso.duckdb"
    build(CONFIG, paths.DATA_DIR, db)
    return db


@pytest.fixture(scope="session")
def national_db(tmp_path_factory):
    """The national demo (every province, district and commune of the registry), built once per
    test run, parallel workers included (the first to ask builds it while the others wait; ≈ 40 s
    of two cores): (database path, its row counts). Tests only read it."""
    import dataclasses
    import fcntl
    import json

    from chiso.demo.national import NationalCounts, build_national

    # the run's own folder under xdist (each worker's base folder is inside it), else this session's
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    db, counts_file = shared / "national.duckdb", shared / "national.json"
    with open(shared / "national.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not counts_file.is_file():
            _, counts = build_national(CONFIG, db)
            counts_file.write_text(json.dumps(dataclasses.asdict(counts)))
    return db, NationalCounts(**json.loads(counts_file.read_text()))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo province, built once per test session."""
    from chiso.demo.province import build_demo

    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(CONFIG, db)
    return db


# ---------- real-browser tests: one way to start the app and the browser ----------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def steward_env(db: Path, folder: Path, password: str) -> dict[str, str]:
    """The environment of an app whose Data page takes ``password`` and writes ``db`` (published and
    demo alike), with its error log in ``folder``."""
    from chiso import auth

    return {
        "CHISO_DB": str(db),
        "CHISO_DEMO_DB": str(db),
        auth.ENV_HASH: auth.hash_password(password),
        "CHISO_LOG": str(folder / "errors.log"),
    }


@contextmanager
def streamlit_server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m chiso.app.launch run app.py` (as ``make run``) on a free port with ``env`` added
    to this process's environment; yields the base URL once the health check answers (60 s at
    most), and the process."""
    port = free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "chiso.app.launch", "run", str(ROOT / "app.py")),
            *("--server.headless", "true"),
            *("--server.address", "127.0.0.1", "--server.port", str(port)),
            *("--browser.gatherUsageStats", "false"),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    try:
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


QUIET = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const n = performance.getEntriesByType("resource").length, now = performance.now();
  if (window.__chisoSeen !== n) { window.__chisoSeen = n; window.__chisoSince = now; return false; }
  return now - window.__chisoSince > 500;
}"""


def settle(page, timeout: float = 90_000) -> None:
    """Wait until the app has finished its run (Streamlit's running indicator gone) and the page
    has fetched nothing new for half a second. Playwright's "networkidle" is not used: on a fresh
    server's first page it never fired although every request had been answered."""
    page.wait_for_function(QUIET, polling=100, timeout=timeout)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()
