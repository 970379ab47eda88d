"""DTI 2024 was published twice: for the 63 former provinces and for the 34 formed on 1 July 2025.
The config declares both editions; a stored value names its edition, so a province that kept its
unit (Hồ Chí Minh: 1st of 63, 4th of 34) holds both at once, each edition a table of its own with
its own N. The 34-province ranking is shown by default, the 63-province one on request, and the
predecessors' 63-province values sit beside the 34-province table.

Every 63-province figure here is SYNTHETIC (made up for the test, never shipped): the shared
sources hold no 63-province DTI 2024 values."""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from chiso import safe
from chiso.config import load_catalog
from chiso.i18n import t
from chiso.metrics.ranks import rank_change_text
from chiso.store import imports
from chiso.views import reorg_series
from tests.conftest import CONFIG, ROOT, run_cli, write_csv

DTI = load_catalog(CONFIG).index("DTI")
SYNTHETIC = ("Bảng giả lập kiểm thử (không phải số liệu công bố)", "https://example.invalid/dti-2024-63")
EDITION_63 = {
    "vi": "63 tỉnh, thành phố (trước 1/7/2025)",
    "en": "63 provinces and cities (before 1 July 2025)",
}
HCM = "ho-chi-minh/ho-chi-minh"
EDITION_34 = {"vi": "34 tỉnh, thành phố (từ 1/7/2025)", "en": "34 provinces and cities (from 1 July 2025)"}


def _row(province: str, score: float, rank: int, edition: str | None = "63") -> dict:
    row = {
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
    return row if edition is None else {**row, "edition": edition}


# Hồ Chí Minh first of the 63 (as published for it), three predecessors of merged provinces.
ROWS_63 = [
    _row("Hồ Chí Minh", 0.8012, 1),
    _row("Bình Dương", 0.7001, 7),
    _row("Bà Rịa - Vũng Tàu", 0.6002, 20),
    _row("Thừa Thiên Huế", 0.7503, 3),
]


@pytest.fixture
def db(published_db, tmp_path, monkeypatch):
    copy = tmp_path / "chiso.duckdb"
    shutil.copy(published_db, copy)
    monkeypatch.setenv("CHISO_DB", str(copy))
    monkeypatch.setenv("CHISO_DEMO_DB", str(tmp_path / "no-demo.duckdb"))
    return copy


@pytest.fixture
def with_63(db, tmp_path, capsys):
    """The database with the synthetic 63-province edition imported beside the stored 34."""
    write_csv(tmp_path / "dti63.csv", [{k: v for k, v in r.items() if k != "edition"} for r in ROWS_63])
    code, _out, err = run_cli(capsys, "import", tmp_path / "dti63.csv", "--edition", "63", db=db, who="test")
    assert code == 0, err
    return db


def _stored(db, province: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT published_rank, published_rank_of, edition FROM scores s JOIN units u USING (unit_id)"
            " WHERE u.name = ? AND s.index_code = 'DTI' AND s.year = 2024 AND s.component IS NULL"
            " ORDER BY edition",
            [province],
        ).fetchall()


def _snapshot(db) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return tuple(
            con.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("scores", "ranked", "units")
        )


def test_importing_the_63_edition_beside_the_34_adds_and_undo_removes_it(db, tmp_path, capsys):
    assert _stored(db, "Hồ Chí Minh") == [(4, 34, "34")]
    write_csv(tmp_path / "dti63.csv", ROWS_63)
    plan = imports.plan_import(db, tmp_path / "dti63.csv")
    assert plan.ok and plan.counts == (4, 0, 0)  # added beside the 34-province values, none swapped
    code, _out, err = run_cli(capsys, "--lang", "en", "import", tmp_path / "dti63.csv", db=db, who="test")
    assert code == 0, err
    assert _stored(db, "Hồ Chí Minh") == [(4, 34, "34"), (1, 63, "63")]  # both at once
    assert _stored(db, "Hà Nội") == [(1, 34, "34")]  # untouched
    code, _out, err = run_cli(capsys, "undo", db=db, who="test")
    assert code == 0, err
    assert _stored(db, "Hồ Chí Minh") == [(4, 34, "34")]


@pytest.mark.parametrize(
    ("edition", "said"),
    [
        (None, {"vi": "lần công bố: 34, 63", "en": "editions: 34, 63"}),
        ("62", {"vi": "lần công bố '62' không có", "en": "edition '62' is not configured"}),
    ],
)
def test_a_row_without_a_known_edition_is_refused_where_it_is_and_nothing_changes(
    db, tmp_path, capsys, edition, said
):
    rows = [_row("Bình Dương", 0.7001, 7), _row("Hồ Chí Minh", 0.8012, 1, edition)]
    write_csv(tmp_path / "no_edition.csv", rows)
    before = _snapshot(db)
    for lang, where in (
        ("en", "no_edition.csv, row 3, column L «edition»"),
        ("vi", "no_edition.csv, dòng 3, cột L «edition»"),
    ):
        code, out, err = run_cli(
            capsys, "--lang", lang, "import", tmp_path / "no_edition.csv", db=db, who="test"
        )
        assert code != 0 and "Traceback" not in out + err
        assert where in out + err and said[lang] in out + err
    assert _snapshot(db) == before


def test_an_edition_on_a_year_of_one_edition_is_refused(db, tmp_path, capsys):
    row = {**_row("Hồ Chí Minh", 0.8012, 2), "year": "2023"}
    write_csv(tmp_path / "dti2023.csv", [row])
    before = _snapshot(db)
    code, out, err = run_cli(capsys, "--lang", "en", "import", tmp_path / "dti2023.csv", db=db, who="test")
    assert code != 0 and "dti2023.csv, row 2, column L «edition»" in out + err
    assert "DTI 2023 has a single edition" in out + err
    assert _snapshot(db) == before


def test_ranks_are_never_computed_across_editions(with_63):
    with duckdb.connect(str(with_63), read_only=True) as con:
        tables = con.sql(
            "SELECT edition, n_rows, edition_default FROM ranked_tables"
            " WHERE index_code = 'DTI' AND year = 2024 AND peer_group = 'provinces' ORDER BY edition"
        ).fetchall()
        hcm = con.sql(
            "SELECT year, edition, rank, rank_of, n_scored, prev_rank, d_rank, rank_change_comparable"
            " FROM ranked WHERE unit_id = 'ho-chi-minh/ho-chi-minh' AND index_code = 'DTI' AND year >= 2023"
            " ORDER BY year, edition"
        ).fetchall()
    assert tables == [("34", 7, True), ("63", 4, False)]  # two tables, each with its own rows
    by_edition = {(r[0], r[1]): r[2:] for r in hcm}
    assert by_edition[(2024, "63")][:3] == (1, 63, 4)  # the 63-province table: 4 scored of 63
    assert by_edition[(2024, "34")][:3] == (4, 34, 2)  # the 34-province table: its own 2 scored
    # 2/63 in 2023 -> 1/63 in 2024 (63 provinces) is a change; 2023 -> 4/34 (34 provinces) is not,
    # and the table says so ("không so sánh được") rather than showing no earlier rank at all.
    assert by_edition[(2024, "63")][3:] == (2, 1, True)
    assert by_edition[(2024, "34")][3:] == (None, None, False)
    with duckdb.connect(str(with_63), read_only=True) as con:
        row = (
            con.sql(
                "SELECT * FROM ranked WHERE unit_id = 'ho-chi-minh/ho-chi-minh' AND index_code = 'DTI'"
                " AND year = 2024 AND edition = '34' AND component IS NULL"
            )
            .pl()
            .row(0, named=True)
        )
    assert rank_change_text(row) == "không so sánh được"


def test_chiso_rank_and_the_export_take_the_edition(with_63, tmp_path, capsys):
    code, out, err = run_cli(
        capsys,
        "rank",
        "--index",
        "DTI",
        "--year",
        "2024",
        "--unit-type",
        "province",
        "--format",
        "csv",
        db=with_63,
    )
    assert code == 0, err
    hcm = pl.read_csv(out.encode()).filter(pl.col("unit") == "Hồ Chí Minh").row(0, named=True)
    assert (hcm["rank"], hcm["rank_of"], hcm["edition"]) == (4, 34, 34)  # the current edition by default
    args = ["rank", "--index", "DTI", "--year", "2024", "--unit-type", "province", "--edition", "63"]
    code, out, err = run_cli(capsys, "--lang", "en", *args, db=with_63)
    assert code == 0, err
    assert out.startswith(t("edition.caption", "en", name=EDITION_63["en"]))
    assert any(line.split()[:2] == ["1/63", "100"] and "Hồ Chí Minh" in line for line in out.splitlines())
    code, out, err = run_cli(capsys, "--lang", "en", *args[:-1], "99", db=with_63)
    assert code != 0 and "No edition '99' of DTI 2024 is stored" in err and "stored: 34, 63" in err
    out_file = tmp_path / "dti63.csv"
    export = ["export", "rankings", "--index", "DTI", "--year", "2024", "--unit-type", "province"]
    code, _out, err = run_cli(
        capsys, *export, "--edition", "63", "--format", "csv", "--out", out_file, db=with_63
    )
    assert code == 0, err
    table = pl.read_csv(out_file, encoding="utf8-lossy")
    assert set(table.get_column(t("export.col.edition", "vi")).to_list()) == {EDITION_63["vi"]}
    assert table.filter(pl.col(t("col.unit", "vi")) == "Hồ Chí Minh").item(0, t("col.rank", "vi")) == 1


def _rankings_page(lang: str, edition: str | None = None, year: str = "2024") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    query = {"group": "provinces", "index": "DTI", "year": year} | ({"lang": "en"} if lang == "en" else {})
    for key, value in query.items():
        at.query_params[key] = value
    if edition:
        at.query_params["edition"] = edition
    at.run()
    assert not at.exception, at.exception
    return at


def _hcm_rank(at: AppTest, lang: str) -> str:
    table = at.dataframe[0].value
    return table[table[t("col.unit", lang)] == "Hồ Chí Minh"][t("col.rank", lang)].iloc[0]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_rankings_page_shows_both_editions_with_a_picker(with_63, lang):
    at = _rankings_page(lang)
    picker = [s for s in at.selectbox if s.label == t("edition.label", lang)]
    assert len(picker) == 1 and picker[0].options == [EDITION_34[lang], EDITION_63[lang]]
    assert t("edition.caption", lang, name=EDITION_34[lang]) in [c.value for c in at.caption]
    assert _hcm_rank(at, lang).startswith("4/34")  # the current edition by default
    picker[0].set_value("63").run()
    assert not at.exception, at.exception
    assert t("edition.caption", lang, name=EDITION_63[lang]) in [c.value for c in at.caption]
    assert _hcm_rank(at, lang).startswith("1/63")
    assert at.query_params["edition"] == "63"  # the link keeps the edition
    # A year of one edition has no picker.
    at = _rankings_page(lang, year="2023")
    assert not [s for s in at.selectbox if s.label == t("edition.label", lang)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_63_province_values_of_predecessors_sit_beside_the_34_province_ranking(with_63, lang):
    at = _rankings_page(lang)
    heading = t("reorg.heading_ranking", lang)
    assert heading in [h.value for h in at.subheader]
    table = at.dataframe[-1].value.to_dict("records")  # the predecessors' table follows the ranking
    captions = [c.value for c in at.caption]
    unit, rank, pred, value = (t(f"reorg.rcol.{c}", lang) for c in ("unit", "rank", "predecessor", "value"))
    hcmc = {r[pred]: r for r in table if r[unit] == "Hồ Chí Minh"}
    number = {"vi": "0,7001", "en": "0.7001"}[lang]
    assert hcmc["Bình Dương"][value].startswith(f"2024: {number} · 7/63")  # same year, beside 4/34
    assert hcmc["Bình Dương"][rank].startswith("4/34")
    assert t("reorg.not_same_year", lang, year=2024) not in hcmc["Bình Dương"][value]
    # Its own former territory now holds the 63-province value of the same year beside its 4/34.
    former = hcmc[t("reorg.former_self", lang, unit="Hồ Chí Minh")][value]
    assert former.startswith(f"2024: {'0,8012' if lang == 'vi' else '0.8012'} · 1/63")
    # Huế's only predecessor has a 2024 value: the publisher's mean is shown, derived and unranked.
    hue = [r for r in table if r[unit] == "Huế"]
    derived = [r for r in hue if r[pred] == t("reorg.derived_short", lang)]
    assert len(derived) == 1 and derived[0][rank] == "–"
    assert derived[0][value] == f"2024: {'0,7503' if lang == 'vi' else '0.7503'}"
    rule = reorg_series.rule_note(DTI, lang)
    assert safe.md(t("reorg.derived_note", lang, rule=rule)) in captions  # the mean: the publisher's rule


@pytest.mark.parametrize(
    ("page", "query"), [("pages/trends.py", {"units": HCM}), ("pages/profile.py", {"unit": HCM})]
)
def test_trends_and_profile_draw_one_edition_and_list_the_other_beside(with_63, page, query):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in ({"group": "provinces", "index": "DTI", "year": "2024"} | query).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    other = t("edition.other", "vi", year=2024, name=EDITION_63["vi"])
    beside = [c.value for c in at.caption if other in c.value]
    assert len(beside) == 1 and "Hồ Chí Minh 0,8012 · 1/63" in beside[0]
