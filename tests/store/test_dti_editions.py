"""DTI 2024 was published twice: for the 63 former provinces and for the 34 formed on 1 July 2025.
The 34-province ranking is stored as published; the 63-province values of a merged province's
predecessors (distinct units, valid to 30 June 2025) sit beside it; a province that kept its unit
cannot hold both editions, and an import that would swap one for the other is refused in words.

Every 63-province figure here is SYNTHETIC (made up for the test, never shipped): the shared
sources hold no 63-province DTI 2024 values."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from chiso import safe
from chiso.config import load_catalog
from chiso.i18n import t
from chiso.views import reorg_series
from tests.conftest import CONFIG, ROOT, run_cli, write_csv

DTI = load_catalog(CONFIG).index("DTI")
SYNTHETIC = ("Bảng giả lập kiểm thử (không phải số liệu công bố)", "https://example.invalid/dti-2024-63")


def _row(province: str, score: float, rank: int) -> dict:
    return {
        "province": province,
        "unit": province,
        "unit_type": "province",
        "index": "DTI",
        "year": "2024",
        "score": str(score),
        "rank": str(rank),
        "rank_of": "63",
        "source_title": SYNTHETIC[0],
        "source_url": SYNTHETIC[1],
        "quote": "synthetic",
    }


@pytest.fixture
def db(published_db, tmp_path, monkeypatch):
    copy = tmp_path / "chiso.duckdb"
    shutil.copy(published_db, copy)
    monkeypatch.setenv("CHISO_DB", str(copy))
    monkeypatch.setenv("CHISO_DEMO_DB", str(tmp_path / "no-demo.duckdb"))
    return copy


def _stored(db, province: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT published_rank, published_rank_of, score FROM scores s JOIN units u USING (unit_id)"
            " WHERE u.name = ? AND s.index_code = 'DTI' AND s.year = 2024 AND s.component IS NULL",
            [province],
        ).fetchall()


def _predecessors_page(lang: str) -> tuple[list[dict], list[str]]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    query = {"group": "provinces", "index": "DTI", "year": "2024"} | ({"lang": "en"} if lang == "en" else {})
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    heading = t("reorg.heading_ranking", lang)
    assert heading in [h.value for h in at.subheader]
    table = at.dataframe[-1].value  # the predecessors' table follows the ranking
    return table.to_dict("records"), [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_63_province_values_of_predecessors_sit_beside_the_34_province_ranking(db, tmp_path, capsys, lang):
    rows = [
        _row("Bình Dương", 0.7001, 7),
        _row("Bà Rịa - Vũng Tàu", 0.6002, 20),
        _row("Thừa Thiên Huế", 0.7503, 3),
    ]
    write_csv(tmp_path / "dti63.csv", rows)
    code, _out, err = run_cli(capsys, "import", tmp_path / "dti63.csv", db=db, who="test")
    assert code == 0, err
    assert _stored(db, "Hồ Chí Minh") == [(4, 34, None)]  # the 34-province ranking as published
    table, captions = _predecessors_page(lang)
    unit, rank, pred, value = (t(f"reorg.rcol.{c}", lang) for c in ("unit", "rank", "predecessor", "value"))
    hcmc = {r[pred]: r for r in table if r[unit] == "Hồ Chí Minh"}
    number = {"vi": "0,7001", "en": "0.7001"}[lang]
    assert hcmc["Bình Dương"][value].startswith(f"2024: {number} · 7/63")  # same year, beside 4/34
    assert hcmc["Bình Dương"][rank].startswith("4/34")
    assert t("reorg.not_same_year", lang, year=2024) not in hcmc["Bình Dương"][value]
    # Its own former territory cannot hold a 2024 value of 63 beside its 4/34: the row says so.
    former = hcmc[t("reorg.former_self", lang, unit="Hồ Chí Minh")][value]
    assert former.startswith("2023: ") and former.endswith(t("reorg.one_edition", lang, year=2024, n=34))
    # Huế's only predecessor has a 2024 value: the publisher's mean is shown, derived and unranked.
    hue = [r for r in table if r[unit] == "Huế"]
    derived = [r for r in hue if r[pred] == t("reorg.derived_short", lang)]
    assert len(derived) == 1 and derived[0][rank] == "–"
    assert derived[0][value] == f"2024: {'0,7503' if lang == 'vi' else '0.7503'}"
    rule = reorg_series.rule_note(DTI, lang)
    assert safe.md(t("reorg.derived_note", lang, rule=rule)) in captions  # the mean: the publisher's rule
    assert "Bộ KH&CN" in rule if lang == "vi" else "Ministry of Science and Technology" in rule


@pytest.mark.parametrize("replace", [False, True])
def test_a_63_province_rank_of_a_province_that_kept_its_unit_is_refused_in_words(
    db, tmp_path, capsys, replace
):
    """Hà Nội did not merge: its DTI 2024 1/34 is stored; a file giving it x/63 is the other
    edition, not a correction. One coded message naming file, row and column; nothing changes."""
    write_csv(tmp_path / "ha_noi_63.csv", [_row("Hà Nội", 0.8241, 2)])
    before = _stored(db, "Hà Nội")
    assert [r[:2] for r in before] == [(1, 34)]
    for lang in ("en", "vi"):
        args = ["--lang", lang, "import", tmp_path / "ha_noi_63.csv", *(["--replace"] if replace else [])]
        code, out, err = run_cli(capsys, *args, db=db, who="test")
        said = {
            "en": "ha_noi_63.csv, row 2, column rank_of: Hà Nội: DTI 2024 is stored as rank 1/34",
            "vi": "ha_noi_63.csv, dòng 2, cột rank_of: Hà Nội: DTI 2024 đã lưu hạng 1/34",
        }[lang]
        assert code != 0 and said in err and "Traceback" not in err + out
        assert ("not even with --replace" if lang == "en" else "kể cả với --replace") in err
    assert _stored(db, "Hà Nội") == before
