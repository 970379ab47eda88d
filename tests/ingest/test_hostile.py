"""Hostile and broken inputs (issue 17): each is refused with one message naming where, leaving the
database byte for byte as it was, or imported exactly; never a traceback; memory bounded.

The corpus is written by tests/hostile/make_hostile.py; tests/hostile/run_corpus.py runs every case
through ``chiso import`` in one fresh process and reports what happened (exit code, output, the
database before and after, peak memory of that process and of the bounded workbook readers,
which report their own). Peaks are maxima so far, so a bound that holds after a case held during
it. Times are printed, not asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from chiso import fmt
from chiso.errors import ChisoError
from chiso.export.files import check_image_size
from chiso.store.build import build
from tests.conftest import CONFIG, write_data
from tests.hostile import make_hostile

ROOT = Path(__file__).resolve().parents[2]
PEAK_MB = 500  # the stated bound, for the importing process and for any child it starts
CORPUS = Path(tempfile.mkdtemp(prefix="chiso-hostile-"))
CASES = {case.name: case for case in make_hostile.cases(CORPUS)}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("hostile")
    base = folder / "base.duckdb"
    build(CONFIG, write_data(folder / "data"), base)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "hostile" / "run_corpus.py"),
            str(CORPUS),
            str(base),
            str(folder / "w"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"CHISO_LOG": str(folder / "errors.log"), "PATH": "/usr/bin:/bin", "HOME": str(folder)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = {r["name"]: r for r in json.loads(done.stdout)}
    print(
        "\n".join(
            f"{n}: {r['seconds']} s, peak {r['peak_mb']}/{r['peak_child_mb']} MB" for n, r in found.items()
        )
    )
    return found


def test_the_corpus_has_at_least_sixty_hostile_inputs_of_every_kind():
    names = list(CASES)
    assert len(names) >= 60
    assert {c.expect for c in CASES.values()} == {"refused", "imported"}
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".csv") for n in names)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_in_words_or_imported_exactly(results, name):
    case, got = CASES[name], results[name]
    assert not got["escaped"], got["escaped"]
    assert "Traceback" not in got["stdout"] + got["stderr"]
    if case.expect == "refused":
        assert got["code"] == 1, got
        lines = [line for line in got["stderr"].splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("chiso: "), lines
        assert case.fragment in lines[0], lines[0]
        assert case.where in lines[0], lines[0]
        assert got["unchanged"], "the database changed although the file was refused"
        assert got["leftovers"] == [], got["leftovers"]
    else:
        assert got["code"] == 0, got["stderr"]
        assert got["stderr"] == ""
        assert got["scores"] == pytest.approx(case.scores)
        assert got["added"] == len(case.scores)  # every data line, no fewer
        assert case.fragment in got["stdout"]
    assert got["peak_mb"] <= PEAK_MB, f"importing process peaked at {got['peak_mb']} MB"
    assert got["peak_child_mb"] <= PEAK_MB, f"a reading child peaked at {got['peak_child_mb']} MB"


def test_workbooks_that_would_exhaust_memory_are_refused_before_parsing(results):
    for name in ("far_cell.xlsx", "far_cell_lying_dimension.xlsx", "zip_bomb.xlsx"):
        assert results[name]["code"] == 1
        print(f"{name}: refused in {results[name]['seconds']} s")


def test_unclosed_quote_is_refused_at_the_line_it_opens(results):
    message = results["unclosed_quote.csv"]["stderr"]
    assert "unclosed_quote.csv, dòng 6:" in message and "ngoặc kép" in message


@pytest.mark.parametrize("value", [-0.0, -0.001, -0.004])
def test_minus_zero_is_shown_as_zero(value):
    assert fmt.number(value) == "0,00"
    assert fmt.number(value, lang="en") == "0.00"


@pytest.mark.parametrize(("width", "height", "scale"), [(20000, 20000, 1), (1200, 9000, 2), (9000, 9000, 1)])
def test_an_image_the_renderer_cannot_draw_is_refused(width, height, scale):
    with pytest.raises(ChisoError, match="quá lớn"):
        check_image_size(width, height, scale)


def test_ordinary_image_sizes_are_accepted():
    check_image_size(1200, 700, 2)
    check_image_size(1200, 3000, 2)


def test_changing_a_stored_value_needs_replace(fixture_db, tmp_path, capsys):
    import duckdb

    from chiso.cli.main import main

    path = tmp_path / "fix.csv"
    path.write_text(make_hostile.LONG + "\nTỉnh Mẫu,Sở Y tế,PAR,,2023,94.5,,4\n", encoding="utf-8")
    before = fixture_db.read_bytes()
    assert main(["import", str(path), "--db", str(fixture_db)]) == 1
    captured = capsys.readouterr()
    assert "94,00 → 94,50" in captured.out  # the preview shows old → new
    assert "--replace" in captured.err and "Traceback" not in captured.err
    assert fixture_db.read_bytes() == before
    assert main(["import", str(path), "--db", str(fixture_db), "--replace"]) == 0
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        stored = con.execute(
            "SELECT score FROM scores WHERE year = 2023 AND unit_id LIKE '%y-te%' AND component IS NULL"
        ).fetchall()
    assert stored == [(94.5,)]
