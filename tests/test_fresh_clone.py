"""The README's first command on a fresh clone: `make run` builds the shipped data before serving.

The repository is cloned into a temporary folder (the committed tree, as CI and a new user get it)
and its Makefile's build step is run exactly as `make run` runs it, with this checkout's virtual
environment standing in for the install step (its packages are the ones the clone would install;
the clone's own code is put first on the path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)

pytestmark = pytest.mark.skipif(
    not (ROOT / ".git").exists() or shutil.which("git") is None or shutil.which("make") is None,
    reason="needs a git checkout, git and make",
)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("clone") / "chiso"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def _make(clone: Path, *targets: str) -> subprocess.CompletedProcess:
    installed = VENV / ".installed"
    env = {k: v for k, v in os.environ.items() if k not in {"CHISO_DB", "CHISO_DEMO_DB"}}
    env["PYTHONPATH"] = str(clone)
    return subprocess.run(
        # -o: the install step is taken as done (this environment has the packages); VENV points
        # the Makefile's chiso/streamlit at it.
        ["make", "-o", str(installed), f"VENV={VENV}", *targets],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_make_build_on_a_fresh_clone_creates_the_database(clone):
    assert not (clone / "build").exists()  # nothing built is committed
    done = _make(clone, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    db = clone / "build" / "chiso.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        (scores,) = con.sql("SELECT count(*) FROM scores").fetchall()[0]
        (provinces,) = con.sql("SELECT count(DISTINCT province) FROM scores").fetchall()[0]
    assert scores > 100 and provinces > 5
    assert "Traceback" not in done.stderr


def test_make_run_stops_with_the_build_message_when_the_build_fails(clone, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(clone, broken, ignore=shutil.ignore_patterns("build", ".git"))
    scores = broken / "data" / "scores" / "published.csv"
    with scores.open("a", encoding="utf-8") as out:
        out.write("Quảng Ninh,Không Có Đơn Vị Này,,DDCI,,2022,70,100,,,t,https://example.invalid,q,,\n")
    done = _make(broken, "run")  # must stop before serving: the command returns instead of blocking
    assert done.returncode != 0
    assert "Không Có Đơn Vị Này" in done.stderr  # the build's own message, naming the row
    assert "Traceback" not in done.stderr
    assert "đang chạy" not in done.stdout  # the server was never started
    assert not (broken / "build" / "chiso.duckdb").exists()


def test_make_run_builds_the_demo_dataset_the_sidebar_offers_and_keeps_one_already_there(clone, tmp_path):
    """The sidebar offers the demo province beside the shipped data: `make run` builds it when
    missing (a new user never meets 'the demo database does not exist'), and leaves an existing
    file alone (a demo of one's own, or the national demo, is not overwritten)."""
    done = _make(clone, "build/demo.duckdb")  # the prerequisite `make run` builds before serving
    assert done.returncode == 0, done.stdout + done.stderr
    with duckdb.connect(str(clone / "build" / "demo.duckdb"), read_only=True) as con:
        meta = dict(con.sql("SELECT key, value FROM meta").fetchall())
    assert meta.get("dataset") == "demo"
    plan = _make(clone, "-n", "run")  # what `make run` would do now: serve, nothing rebuilt
    assert "chiso demo" not in plan.stdout and "chiso.app.launch" in plan.stdout
    fresh = tmp_path / "fresh"
    shutil.copytree(clone, fresh, ignore=shutil.ignore_patterns("build", ".git"))
    plan = _make(fresh, "-n", "run")
    assert "chiso demo --db build/demo.duckdb" in plan.stdout, plan.stdout
