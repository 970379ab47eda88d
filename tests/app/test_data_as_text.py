"""Data is text: values from files never become markup, links, formulas or terminal escapes;
sign-in back-off is per client; a garbage lock file is explained instead of blocking forever.

One hostile database serves the page, export and CLI tests: its rows carry a markdown image
(a tracking beacon), HTML (<a href>, <img>, <script>), ``javascript:`` and outside links in
``flag``, ``source_title``, ``quote`` and ``source_url``, and one unit is named as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from chiso import auth, safe
from chiso.cli.main import main
from chiso.export import files as export
from chiso.store import swap
from chiso.store.build import build
from tests.conftest import CONFIG, SCORES, UNITS, write_csv

ROOT = Path(__file__).resolve().parents[2]
EVIL_HOST = "evil.invalid"
FLAG = f"![x](http://{EVIL_HOST}/beacon.png)"
TITLE = (
    f'<a href="http://{EVIL_HOST}/t">Nguồn</a> <img src="http://{EVIL_HOST}/i.png"> '
    "<script>alert(1)</script> $x$ :red[đỏ]"
)
QUOTE = f"[bấm](javascript:alert(1)) http://{EVIL_HOST}/q www.{EVIL_HOST} <b>đậm</b>"
FORMULA_UNIT = f'=HYPERLINK("http://{EVIL_HOST}","x")'
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
URLS = ["javascript:alert(1)", f"http://{EVIL_HOST}/doc"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def hostile_scores() -> list[dict]:
    rows = []
    for i, row in enumerate(SCORES):
        rows.append(
            {
                **row,
                "source_title": TITLE if i % 2 == 0 else FORMULAS[i % len(FORMULAS)],
                "source_url": URLS[i % 2],
                "quote": QUOTE if i % 2 == 0 else FORMULAS[(i + 1) % len(FORMULAS)],
                "flag": FLAG if i % 2 == 0 else FORMULAS[(i + 2) % len(FORMULAS)],
            }
        )
    extra = dict(rows[0])
    extra.update(unit=FORMULA_UNIT, score="80", rank="", rank_of="", flag=FLAG)
    rows.append(extra)
    rows[-2]["score"] = "9.0"  # Sở Nội vụ's component row: the formula unit beats it
    component = dict(rows[-2])
    component.update(unit=FORMULA_UNIT, score="9.5", rank="", rank_of="")
    rows.append(component)
    return rows


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    columns = ["province", "name", "short_name", "unit_type", "code"]
    columns += ["valid_from", "valid_to", "successor", "peer_group", "aliases"]
    units = [dict(zip(columns, row, strict=True)) for row in UNITS]
    units.append(dict(zip(columns, ("Tỉnh Mẫu", FORMULA_UNIT, "", "department", *[""] * 6), strict=True)))
    write_csv(folder / "data" / "units.csv", units)
    write_csv(folder / "data" / "scores" / "hostile.csv", hostile_scores())
    db = folder / "hostile.duckdb"
    build(CONFIG, folder / "data", db)
    return db


@pytest.fixture
def on_hostile(hostile_db, monkeypatch, tmp_path):
    monkeypatch.setenv("CHISO_DB", str(hostile_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(tmp_path / "missing-demo.duckdb"))
    return hostile_db


# ---------- the escaping functions ----------


def test_markdown_escape_keeps_words_and_kills_markup():
    assert safe.md("Đã hoàn tác lần nhập #2 (tệp a.csv)") == "Đã hoàn tác lần nhập #2 (tệp a.csv)"
    # GFM links bare addresses after escapes are gone: an invisible word joiner keeps them text.
    assert safe.md(FLAG) == "!\\[x\\](http:\u2060//evil.invalid/beacon.png)"
    assert safe.md("www.a.vn a@b.vn") == "www\u2060.a.vn a\u2060@b.vn"
    assert safe.md("# tiêu đề\n- mục") == r"\# tiêu đề - mục"  # one line, no heading
    assert safe.md("1. a") == r"1\. a"
    assert safe.md("\x1b[2Jẩn") == "ẩn"


def test_plotly_and_html_escapes_and_links_only_from_http():
    assert safe.plot("<a href='x'>&</a>") == "&lt;a href='x'&gt;&amp;&lt;/a&gt;"
    assert safe.unplot(safe.plot(TITLE)) == TITLE
    assert safe.http_link("https://www.chinhphu.vn/qd?id=1") == (
        "https://www.chinhphu.vn/qd?id=1",
        "www.chinhphu.vn",
    )
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "http://", 'http://a"onclick=x', ""):
        assert safe.http_link(bad) is None, bad


def test_terminal_output_loses_control_characters(capsys):
    with safe.clean_terminal():
        print("a\x1b[2J\x1b]0;title\x07b\rc\x08d\ttab")
    assert capsys.readouterr().out == "abcd\ttab\n"


# ---------- pages (AppTest) ----------

PAGES = {
    "pages/rankings.py": {"group": "departments", "province": "Tỉnh Mẫu", "index": "PAR", "year": "2022"},
    "pages/trends.py": {"group": "departments", "province": "Tỉnh Mẫu", "index": "PAR"},
    "pages/gaps.py": {"group": "departments", "province": "Tỉnh Mẫu", "index": "PAR", "year": "2022"},
    "pages/profile.py": {"unit": "tinh-mau/so-noi-vu"},
    "pages/compare.py": {"group": "departments", "province": "Tỉnh Mẫu", "index": "PAR", "year": "2022"},
    "pages/why.py": {"group": "departments", "province": "Tỉnh Mẫu", "index": "PAR", "year": "2023"},
}
UNESCAPED = [
    re.compile(r"(?<!\\)!(?<!\\)\\?\[[^\]]*(?<!\\)\]\("),  # a markdown image or link
    re.compile(r"(?<!\\)<\s*(a|img|script|b)\b", re.I),  # an HTML tag
    re.compile(r"(?<!\\)://"),  # a bare address GFM would make a link
    re.compile(r"(?<!\\)\$x(?<!\\)\$"),  # maths
]


def _rendered_texts(at: AppTest) -> list[str]:
    kinds = ["markdown", "caption", "info", "warning", "error", "success", "header", "subheader", "toast"]
    return [str(el.value) for kind in kinds for el in at.get(kind)]


def _strings(value, key: str = "") -> list[str]:
    if isinstance(value, str):
        return [] if key in ("hovertemplate", "texttemplate") else [value]  # the code's own markup
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, key)]
    return []


def _figure_texts(at: AppTest) -> str:
    """Every text of the page's figures (titles, annotations, labels, names, custom data)."""
    return "\n".join(s for el in at.get("plotly_chart") for s in _strings(json.loads(el.proto.spec)))


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_show_file_values_as_text(on_hostile, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in PAGES[page].items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    texts = _rendered_texts(at)
    for text in texts:
        for pattern in UNESCAPED:
            assert not pattern.search(text), (pattern.pattern, text)
    spec = _figure_texts(at)
    # <br> is the code's own break in wrapped component names (safe.LINE_BREAK); data markup
    # arrives with <a>, <img>, <script>, <b>, <span> beside any <br>, so those are what is checked.
    assert not re.search(r"<\s*(a|img|script|b|span)\b", spec, re.I), spec
    if page == "pages/rankings.py":
        # The flag is shown (escaped) as a finding's note and the source line under the chart
        # names the title as text; the formula-named unit is a bar like any other.
        assert any(safe.md(FLAG) in text for text in texts), texts
        assert any(safe.md(TITLE) in text for text in texts), texts
        assert safe.plot(FORMULA_UNIT) in spec  # text, escaped


# ---------- charts, SVG and the briefing pack ----------


def _ranking(db: Path):
    from chiso.store import queries

    with queries.connect(db) as con:
        return queries.ranking(
            con, index="PAR", year=2022, peer_group="departments", scope_province="Tỉnh Mẫu"
        )


def test_exported_svg_has_no_link_or_markup_from_data(hostile_db):
    from chiso.config import load_catalog
    from chiso.selection import Selection
    from chiso.views import rankings as rankings_view
    from chiso.views import tables as views

    ranking = _ranking(hostile_db)
    catalog = load_catalog(CONFIG)
    sel = Selection("departments", "Tỉnh Mẫu", "PAR", 2022)
    figure = rankings_view.rankings_figure(ranking, catalog.index("PAR"), sel, "vi", catalog)
    figure = export.with_caption(figure, views.source_line(ranking, "vi"), "Dữ liệu cập nhật 1/12/2026")
    svg = export.figure_svg(figure).decode("utf-8")
    assert EVIL_HOST in svg  # the title is there, as text
    assert "<a " not in svg and "xlink:href" not in svg and "<img" not in svg and "<script" not in svg
    assert re.search(r"&(lt|#60);a href=", svg)  # shown as the characters the file holds


def test_briefing_pack_links_only_http_sources_by_host(hostile_db):
    from chiso.config import load_catalog
    from chiso.export import brief
    from chiso.store import analysis_queries, queries
    from chiso.views import brief as brief_view

    catalog = load_catalog(CONFIG)
    with queries.connect(hostile_db) as con:
        read = analysis_queries.unit_year(con, unit_id="tinh-mau/so-noi-vu", year=2022, order=catalog.codes)
    page = brief.briefing_html(brief_view.build(catalog, read, year=2022, lang="vi"))
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith(("#", "http://", "https://")) for h in hrefs), hrefs
    assert f'<a href="http://{EVIL_HOST}/doc">' in page and f"({EVIL_HOST})" in page  # the source_url
    assert "javascript:" not in " ".join(hrefs)
    assert "<img" not in page and "<script" not in page
    assert f'href="http://{EVIL_HOST}/t"' not in page  # the title's own <a href> is text
    assert "&lt;a href=" in page


# ---------- formula neutralisation: every CSV and XLSX written ----------


def _cells_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _cells_xlsx(data: bytes) -> list[list[str]]:
    frame = pl.read_excel(io.BytesIO(data), sheet_id=0)
    return [[str(v) for v in row] for sheet in frame.values() for row in sheet.rows()] + [
        list(sheet.columns) for sheet in frame.values()
    ]


def _assert_inert(name: str, rows: list[list[str]]) -> None:
    cells = [c for row in rows for c in row]
    assert any(c.startswith("'=") or c.startswith("'+") or c.startswith("'@") for c in cells), (
        f"{name}: no malicious cell reached this writer"
    )
    dangerous = [c for c in cells if c.startswith(DANGEROUS) and not re.fullmatch(r"-\d+(\.\d+)?", c)]
    assert not dangerous, (name, dangerous)


def _cli_outputs(db: Path, tmp_path: Path, capsys) -> dict[str, bytes]:
    where = ["--province", "Tỉnh Mẫu", "--unit-type", "department", "--db", str(db)]
    par22 = ["--index", "PAR", "--year", "2022", *where]
    two = ["--unit", FORMULA_UNIT, "--unit", "Sở Nội vụ"]
    runs = {
        "export rankings csv": ["export", "rankings", *par22, "--format", "csv"],
        "export rankings xlsx": ["export", "rankings", *par22, "--format", "xlsx"],
        "export rankings long": ["export", "rankings", *par22, "--format", "long"],
        "export trends csv": ["export", "trends", "--index", "PAR", *where, *two, "--format", "csv"],
        "export trends xlsx": ["export", "trends", "--index", "PAR", *where, *two, "--format", "xlsx"],
        "export compare csv": ["export", "compare", *par22, *two, "--format", "csv"],
        "export compare xlsx": ["export", "compare", *par22, *two, "--format", "xlsx"],
        "export gaps csv": ["export", "gaps", *par22, "--unit", "Sở Nội vụ", "--format", "csv"],
    }
    out = {}
    for name, argv in runs.items():
        target = tmp_path / f"{name.replace(' ', '_')}.{'xlsx' if 'xlsx' in name else 'csv'}"
        code = main([*argv, "--out", str(target)])
        assert code == 0, (name, capsys.readouterr().err)
        out[name] = target.read_bytes()
    capsys.readouterr()
    stdout_runs = {
        "rank csv": ["rank", "--index", "PAR", "--year", "2022", *where, "--format", "csv"],
    }
    for name, argv in stdout_runs.items():
        assert main(argv) == 0
        out[name] = capsys.readouterr().out.encode("utf-8")
    return out


def test_every_csv_and_xlsx_writer_neutralises_formulas(hostile_db, tmp_path, capsys):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(hostile_db, db)
    outputs = _cli_outputs(db, tmp_path, capsys)
    # Page exports: the same functions the buttons call (table_buttons -> table_csv/table_xlsx,
    # "Tải dạng dài" -> long_csv), on the page's own tables.
    from chiso.config import load_catalog
    from chiso.views import rankings as rankings_view

    ranking = _ranking(db)
    table = rankings_view.rankings_table(ranking, load_catalog(CONFIG).index("PAR"), "vi")
    sources = rankings_view.rankings_sources(ranking)
    outputs["page rankings csv"] = export.table_csv(table)
    outputs["page rankings xlsx"] = export.table_xlsx(table, sources=sources)
    outputs["page long csv"] = export.long_csv(ranking)
    # The audit: an import whose rows and --who are formulas, then audit csv and audit --rows.
    annex = tmp_path / "evil.csv"
    rows = hostile_scores()[:4]  # the four departments of 2022, as a 2024 table
    for r in rows:
        r.update(year="2024", rank="", rank_of="")
    write_csv(annex, rows)
    code = main(["import", str(annex), "--db", str(db), "--who", "=cmd|' /C calc'!A0"])
    assert code == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(["audit", "--db", str(db), "--format", "csv"]) == 0
    outputs["audit csv"] = capsys.readouterr().out.encode("utf-8")
    import_id = int(pl.read_csv(outputs["audit csv"])["import_id"].max())
    assert main(["audit", "--db", str(db), "--rows", str(import_id)]) == 0
    outputs["audit rows"] = capsys.readouterr().out.encode("utf-8")

    for name, data in outputs.items():
        rows = _cells_xlsx(data) if data.startswith(b"PK") else _cells_csv(data)
        _assert_inert(name, rows)
    # Numbers stay numbers: scores read back as numbers from the long format and the audit rows.
    for name in ("page long csv", "export rankings long", "audit rows"):
        assert pl.read_csv(outputs[name]).schema["score"] == pl.Float64, name
    # Exactly one rule: the scalar and the frame versions agree.
    for text in FORMULAS:
        assert export.neutralised(pl.DataFrame({"a": [text]})).item() == export.neutralise(text) == "'" + text


def test_cli_prints_no_escape_sequences_from_data(tmp_path, capsys):
    from tests.conftest import write_data

    rows = [dict(r) for r in SCORES]
    rows[0]["source_title"] = "\x1b[2J\x1b[8mẩn"
    data = write_data(tmp_path / "data", rows)
    db = tmp_path / "t.duckdb"
    build(CONFIG, data, db)
    annex = tmp_path / "a.csv"
    extra = [dict(r, year="2024", rank="", rank_of="", flag="\x1b]0;pwned\x07cờ") for r in SCORES[:4]]
    write_csv(annex, extra)
    assert main(["import", str(annex), "--db", str(db), "--who", "\x1b[31mđỏ"]) == 0
    assert main(["audit", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "đỏ" in out


# ---------- sign-in back-off per client ----------

PASSWORD = "mật khẩu đúng 2024"


def _data_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)


@pytest.fixture
def signin(fixture_db, monkeypatch):
    from chiso.app import data as ui_data

    monkeypatch.setenv(auth.ENV_HASH, auth.hash_password(PASSWORD))
    ui_data.reset_back_off()
    yield ui_data
    ui_data.reset_back_off()


def _try(at: AppTest, password: str) -> AppTest:
    at.text_input(key="data_signin_password").input(password)
    at.button[0].click().run()
    return at


def test_a_wrong_password_in_one_browser_does_not_delay_another(signin, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(signin, "_now", lambda: clock[0])
    stranger = _try(_data_page().run(), "sai mật khẩu")
    assert any("Sai mật khẩu" in e.value for e in stranger.error)
    _try(stranger, PASSWORD)
    assert any("hãy chờ" in e.value for e in stranger.error)  # the stranger's own session waits
    steward = _try(_data_page().run(), PASSWORD)  # another browser, same second
    assert not steward.error and steward.file_uploader


def test_one_address_is_slowed_after_several_failures_and_every_client_at_the_ceiling(signin, monkeypatch):
    clock = [2000.0]
    monkeypatch.setattr(signin, "_now", lambda: clock[0])
    address = ["203.0.113.7"]
    monkeypatch.setattr(signin, "client_address", lambda: address[0])
    for _ in range(signin.ADDRESS_FREE + 1):  # new sessions (tabs) from one address
        _try(_data_page().run(), "sai mật khẩu")
    tab = _try(_data_page().run(), PASSWORD)
    assert any("hãy chờ" in e.value for e in tab.error)  # a fresh tab from that address waits
    address[0] = "198.51.100.9"
    assert _try(_data_page().run(), PASSWORD).file_uploader  # another address does not
    signin.reset_back_off()
    for i in range(signin.GLOBAL_FREE):  # guesses from many addresses reach the ceiling
        address[0] = f"192.0.2.{i}"
        _try(_data_page().run(), "sai mật khẩu")
    address[0] = "198.51.100.10"
    assert any("hãy chờ" in e.value for e in _try(_data_page().run(), PASSWORD).error)
    clock[0] += signin.GLOBAL_WINDOW
    assert _try(_data_page().run(), PASSWORD).file_uploader


# ---------- lock files ----------


def test_a_garbage_lock_file_is_explained_then_taken_over(fixture_db, capsys):
    from tests.store.test_import import ANNEX, BASE, cli_args

    lock = swap.lock_path(fixture_db)
    lock.write_bytes(b"\xff\xfe garbage \x00\x01 not a lock\n")
    fresh = time.time() + 120  # still "just written" however slowly the import reads its file
    os.utime(lock, (fresh, fresh))
    before = fixture_db.read_bytes()
    assert main(cli_args(ANNEX, fixture_db, BASE)) == 1
    err = capsys.readouterr().err
    assert str(lock) in err and "không đọc được" in err and "hãy xóa" in err and "Traceback" not in err
    assert fixture_db.read_bytes() == before
    old = time.time() - swap.LOCK_STALE_EMPTY_SECONDS - 5
    os.utime(lock, (old, old))  # no writer fills its lock that late: it is nobody's
    assert main(cli_args(ANNEX, fixture_db, BASE)) == 0
    assert not lock.exists()


def test_a_live_lock_says_what_to_do(fixture_db):
    with (
        swap.write_lock(fixture_db, who="ai đó"),
        pytest.raises(swap.LockedError, match="hãy xóa tệp khóa"),
        swap.write_lock(fixture_db),
    ):
        pass
