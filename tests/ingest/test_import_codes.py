"""Import problems carry codes; their words come from locales/ by code, so `chiso --lang en import`
speaks English, and the hint follows the code, never words searched in a message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chiso.cli.main import main
from chiso.i18n import messages
from chiso.ingest.annex import ImportOptions
from chiso.store import imports
from tests.conftest import built_fixture
from tests.store.test_import import cli_args

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "fixtures" / "bad"
BASE = {"index": "PAR", "year": 2024, "province": "Tỉnh Mẫu"}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return built_fixture(tmp_path_factory.mktemp("codes"))


def cli(path: Path, db: Path, options: dict, *lang: str) -> list[str]:
    return [*lang, *cli_args(path, db, options)]


# file, options, code of the first problem, a fragment of its English text, of its English hint
CASES = [
    ("score_above_max.csv", BASE, "score.above_max", "above the maximum 13", "original table"),
    ("negative_score.csv", BASE, "score.negative", "is negative", "cannot be negative"),
    ("duplicate_unit.csv", BASE, "score.duplicate", "as row 2 but a different score", "One row per unit"),
    ("decimal_comma_long.csv", {}, "number.decimal_comma", "uses a decimal comma", "accepts 91,24"),
    ("unknown_column.csv", BASE, "header.unknown", "not recognised", "config/indices.yaml"),
    ("mixed_decimals.csv", BASE, "number.mixed_vn", "written differently", "the same way"),
    ("rank_out_of_range.csv", BASE, "rank.outside", "rank 5 is outside 1–4", "whole number"),
    ("no_index.csv", {"year": 2024, "province": "Tỉnh Mẫu"}, "index.unknown", "which index", "--index PAR"),
    ("empty.csv", BASE, "file.empty", "the file is empty", "Choose a file"),
    (
        "unit_wrong_type.csv",
        BASE | {"unit_type": "district"},
        "unit.other_type",
        "not of the chosen type",
        None,
    ),
]


@pytest.mark.parametrize(("name", "options", "code", "text", "hint"), CASES, ids=[c[0] for c in CASES])
def test_problems_carry_codes_and_speak_english(db, name, options, code, text, hint):
    plan = imports.plan_import(db, BAD / name, ImportOptions(**options))
    first = plan.errors[0]
    assert first.code == code
    english = first.render("en")
    assert text in english
    if hint:
        assert hint in first.hint_text("en")
    assert first.text("en") != first.message
    # Vietnamese stays the default: the same problem in the words of the Vietnamese locale.
    assert first.render() == str(first) and first.text() == first.message


def test_a_duplicate_names_the_source_row_of_the_first_in_both_languages(db):
    plan = imports.plan_import(db, BAD / "duplicate_unit.csv", ImportOptions(**BASE))
    duplicate = next(e for e in plan.errors if e.code == "score.duplicate")
    assert duplicate.row == 3 and dict(duplicate.params)["line"] == 2
    assert "với dòng 2" in duplicate.message and "as row 2" in duplicate.text("en")


def test_an_unclosed_quote_is_coded(db, tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('Tên đơn vị,Tổng điểm\nSở Nội vụ,"90\nSở Y tế,80\n', encoding="utf-8")
    plan = imports.plan_import(db, path, ImportOptions(**BASE))
    assert [e.code for e in plan.errors] == ["csv.unclosed_quote"]
    assert "is never closed" in plan.errors[0].text("en")


def test_chiso_lang_en_import_prints_the_problems_in_english(db, capsys):
    before = db.read_bytes()
    assert main(cli(BAD / "score_above_max.csv", db, BASE, "--lang", "en")) == 1
    out, err = capsys.readouterr()
    assert "score 13.5 is above the maximum 13" in out
    assert "row 2, column C «Cải cách thể chế»" in out
    assert err.startswith("chiso: not imported:") and "the database is unchanged" in err
    assert "vượt" not in out + err and "không nhập" not in err
    assert db.read_bytes() == before


def test_chiso_import_speaks_vietnamese_by_default(db, capsys):
    assert main(cli(BAD / "score_above_max.csv", db, BASE)) == 1
    out, err = capsys.readouterr()
    assert "điểm 13.5 vượt điểm tối đa 13" in out and "không nhập:" in err


def test_every_problem_code_has_its_words_in_both_languages():
    for lang in ("vi", "en"):
        texts = messages(lang)
        codes = {k for k in texts if k.startswith("problem.")}
        assert len(codes) >= 60
        assert all(texts[k].strip() for k in codes)
    vi, en = messages("vi"), messages("en")
    for key in vi:
        if key.startswith(("problem.", "hint.")):
            assert set(re.findall(r"{(\w+)}", vi[key])) == set(re.findall(r"{(\w+)}", en[key])), key
