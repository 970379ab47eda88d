"""Every page registered in app.py renders with AppTest; selections change what is shown."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chiso.i18n import label

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def registered_pages() -> list[str]:
    """Read the page list from the router itself, so a new page cannot escape these tests."""
    return re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))


def run(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def table_text(at: AppTest) -> str:
    return at.dataframe[0].value.to_csv() if at.dataframe else ""


def test_router_registers_the_expected_pages():
    assert registered_pages() == [
        "pages/rankings.py",
        "pages/trends.py",
        "pages/gaps.py",
        "pages/profile.py",
        "pages/compare.py",
        "pages/why.py",
        "pages/services.py",
        "pages/data.py",
        "pages/about.py",
    ]


@pytest.mark.parametrize("page", registered_pages())
def test_every_page_renders_without_exception(fixture_db, page):
    at = run(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_rankings_defaults_to_the_largest_complete_table(fixture_db):
    at = run()
    assert "Xếp hạng Chỉ số CCHC năm 2023" in at.header[0].value
    text = table_text(at)
    assert "Sở Y tế" in text.splitlines()[1] and "94,00" in text  # 2023: the health department first
    assert "1/4" in text


def test_changing_the_year_changes_the_table(fixture_db):
    at = run()
    before = table_text(at)
    at.selectbox(key="w_year").select(2022).run()
    after = table_text(at)
    assert after != before
    assert "Sở Nội vụ" in after.splitlines()[1] and "95,50" in after and "2/4" in after
    assert at.query_params["year"] == "2022"


def test_changing_the_group_changes_the_table_and_labels_incomplete(fixture_db):
    at = run()
    at.selectbox(key="w_group").select("localities").run()
    text = table_text(at)
    assert "Thành phố Hòa Lạc" in text and "90,93" in text  # 90.925 rounded half up
    assert any("chưa đầy đủ" in m.value for m in at.markdown)


def test_url_state_is_restored_and_invalid_values_fall_back(fixture_db):
    at = run(group="departments", province="Tỉnh Mẫu", index="PAR", year="2022", lang="en")
    assert "PAR INDEX rankings, 2022" in at.header[0].value
    at = run(year="1900", index="NOPE")
    assert not at.exception
    assert "2023" in at.header[0].value
    assert any("1900" in t.value for t in at.toast) or any("NOPE" in t.value for t in at.toast)


def test_a_long_refused_value_is_cut_in_its_notice_and_selectboxes_speak_vietnamese(fixture_db):
    """A 5.000-character index in a link: the notice quotes its first characters only (a long
    toast gets Streamlit's English 'view more'); the pickers' typing hint is Vietnamese."""
    at = run(index="X" * 5000)
    assert not at.exception
    notice = next(t.value for t in at.toast if "index" in t.value)
    assert "X" * 29 + "…" in notice and "X" * 31 not in notice
    hints = {s.proto.placeholder for s in at.selectbox}
    assert hints == {"Chọn hoặc gõ để tìm"}


def test_pickers_offer_peer_groups_and_indices_in_the_catalogues_order(both_dbs):
    """PAR INDEX first, as the catalogue declares, not 'Chỉ số CCHC' between PAPI and PCI."""
    from chiso.config import load_catalog
    from chiso.paths import CONFIG_PATH

    catalog = load_catalog(CONFIG_PATH)
    at = run(group="provinces")
    indices = at.selectbox(key="w_index").options
    codes = [c for c in catalog.codes if any(label == _short(catalog, c) for label in indices)]
    assert [_short(catalog, c) for c in codes] == indices and len(indices) >= 3
    groups = at.selectbox(key="w_group").options
    declared = [label(g.name, "vi") for g in catalog.peer_groups.values()]
    assert groups == [g for g in declared if g in groups]


def _short(catalog, code: str) -> str:
    return label(catalog.index(code).short_name, "vi")


def test_language_switch_changes_labels(fixture_db):
    at = run()
    at.radio(key="w_lang").set_value("en").run()
    assert "rankings" in at.header[0].value
    assert at.query_params["lang"] == "en"


def test_missing_demo_database_is_explained(fixture_db):
    at = run(ds="demo")
    assert any("chiso demo" in w.value for w in at.warning)
    assert not at.exception


def test_missing_database_is_explained_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(tmp_path / "none.duckdb"))
    at = run()
    assert not at.exception
    assert any("chiso build" in w.value for w in at.warning)


@pytest.fixture
def both_dbs(published_db, demo_db, monkeypatch):
    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo_db))


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [h.value for h in at.header] + [i.value for i in at.info]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


@pytest.mark.parametrize("page", registered_pages())
@pytest.mark.parametrize("dataset", ["published", "demo"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_renders_on_both_datasets_and_languages(both_dbs, page, dataset, lang):
    at = run(page, ds=dataset, lang=lang)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_gaps_on_the_published_pci_2019_table(both_dbs):
    at = run("pages/gaps.py", group="provinces", index="PCI", year="2019", unit="quang-ninh/quang-ninh")
    table = at.dataframe[0].value
    first = table.iloc[0].tolist()
    assert first[0] == "Dịch vụ hỗ trợ doanh nghiệp" and "3,32" in first
    assert not any("/22" in str(cell) for cell in first)  # 22 of 63 provinces: no rank among them
    assert any("Thành phần mất nhiều điểm nhất" in m.value for m in at.markdown)
    at.selectbox(key="w_unit").select("dong-thap/dong-thap").run()
    assert at.dataframe[0].value.iloc[0].tolist() != first
    assert at.query_params["unit"] == "dong-thap/dong-thap"


def test_gaps_without_components_says_where_they_are(both_dbs):
    at = run("pages/gaps.py", group="departments", province="Hòa Bình", index="PAR", year="2022")
    assert any("PCI 2019" in i.value for i in at.info)


def test_profile_sentences_and_year_switch(both_dbs):
    at = run("pages/profile.py", unit="quang-ninh/huyen-dam-ha")
    text = text_of(at)
    sentence = "Năm 2021, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về Chỉ số CCHC (PAR INDEX) với 91,24 điểm."
    assert sentence in text
    assert "28,81/30" in text


def test_compare_needs_two_units_and_shows_them(both_dbs):
    at = run("pages/compare.py", ds="demo", group="localities", index="PAR", year="2024")
    table = at.dataframe[0].value
    assert table.shape[1] == 4  # component column + three units
    chosen = at.multiselect(key="w_units").value
    at.multiselect(key="w_units").set_value(chosen[:1]).run()
    assert any("ít nhất hai" in i.value for i in at.info)


def test_why_page_splits_the_change_and_switches_year(both_dbs):
    at = run("pages/why.py", ds="demo", group="localities", index="PAR", year="2024")
    assert any("Từ 2023 đến 2024" in m.value for m in at.markdown)
    at.selectbox(key="w_from").select(2020).run()
    assert any("Từ 2020 đến 2024" in m.value for m in at.markdown)


def test_why_page_draws_no_empty_chart_when_only_one_year_has_components(
    both_dbs, published_db, capsys, tmp_path
):
    """PCI 2021 has ten sub-indices, 2020 none: the page says there is nothing to split instead of
    drawing a waterfall of dashes, and `chiso export why` refuses the same way."""
    from tests.conftest import run_cli

    at = run("pages/why.py", group="provinces", index="PCI", year="2021")
    at.selectbox(key="w_from").select(2020).run()
    assert any("Từ 2020 đến 2021" in m.value for m in at.markdown)
    assert any("Không có dữ liệu thành phần của cả hai năm" in i.value for i in at.info)
    assert not at.get("plotly_chart") and not at.exception
    code, _, err = run_cli(
        capsys, "export", "why", index="PCI", year="2021", unit="Quảng Ninh", unit_type="provinces",
        format="png", out=tmp_path / "why.png", db=published_db, **{"from": "2020"},
    )  # fmt: skip
    assert code != 0 and "Không có dữ liệu thành phần" in err and not (tmp_path / "why.png").exists()


def test_copy_link_holds_selections_made_below_it(both_dbs):
    at = run("pages/trends.py", ds="demo", group="localities", index="PAR")
    names = at.multiselect(key="w_units").options
    at.multiselect(key="w_units").set_value(at.multiselect(key="w_units").value[:1]).run()
    link = at.get("iframe")[0].proto.srcdoc  # the copy button's page holds the link it copies
    assert "units=" in link and "ds=demo" in link and "index=PAR" in link
    assert names


def test_downloads_exist_on_every_table_page(both_dbs):
    for page, query in [
        ("pages/rankings.py", {}),
        ("pages/gaps.py", {"group": "provinces", "index": "PCI", "year": "2019"}),
        ("pages/compare.py", {"ds": "demo", "group": "localities", "index": "PAR", "year": "2024"}),
        ("pages/services.py", {"ds": "demo"}),
    ]:
        at = run(page, **query)
        labels = [b.label for b in at.get("download_button")]
        assert "Tải CSV" in labels and "Tải XLSX" in labels, (page, labels)


def test_briefing_pack_is_prepared_on_click_and_offered_as_html_and_pdf(both_dbs):
    at = run("pages/profile.py", unit="hoa-binh/so-noi-vu", year="2022")
    assert not [b for b in at.get("download_button") if "HTML" in b.label]
    at.toggle(key="brief_hoa-binh/so-noi-vu_2022_make").set_value(True).run()
    labels = [b.label for b in at.get("download_button")]
    assert "Tải báo cáo (HTML)" in labels
    assert not at.exception and not at.error


def test_the_pack_prepared_while_the_profile_is_read_is_ready_before_the_toggle(both_dbs, monkeypatch):
    """Opening a profile starts the unit's pack in the background, so the toggle finds it made."""
    from chiso.app import brief, busy

    # a quiet server: no other session ran a page in the last seconds (earlier tests' runs would
    # count as other readers and, rightly, hold the pack back)
    monkeypatch.setattr(busy, "_ENDED", {})

    run("pages/profile.py", unit="hoa-binh/so-noi-vu", year="2022")
    jobs = [job for key, job in brief._READY.items() if key[2:4] == ("hoa-binh/so-noi-vu", 2022)]
    assert jobs, list(brief._READY)
    html, pdf = jobs[-1].result(timeout=120)
    assert "Sở Nội vụ" in html.decode("utf-8")
    assert pdf is None or pdf.startswith(b"%PDF")


def test_no_pack_is_prepared_ahead_while_another_session_runs_a_page(both_dbs):
    """Under load the pack is made when asked for, not ahead; it is still offered."""
    from chiso.app import brief, busy

    brief._READY.clear()
    with busy.page_run():  # this thread stands for another reader's page run in progress
        at = run("pages/profile.py", unit="hoa-binh/so-noi-vu", year="2022")
    assert not brief._READY
    at.toggle(key="brief_hoa-binh/so-noi-vu_2022_make").set_value(True).run()
    assert "Tải báo cáo (HTML)" in [b.label for b in at.get("download_button")]


def test_rank_only_table_renders_its_published_ranks(both_dbs):
    """Quảng Ninh localities PAR 2024 holds published ranks without scores: the page shows
    them (no chart crash), and computes no peer average."""
    at = run(group="localities", province="Quảng Ninh", index="PAR", year="2024")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert table.iloc[0].tolist()[:3] == ["1/13", "100", "Thành phố Hạ Long"]
    assert not any("Bình quân nhóm" in c.value for c in at.caption)


def test_incomplete_table_shows_no_computed_rank_nor_peer_average(both_dbs):
    """Quảng Ninh DDCI 2020: 4 of 13 scored. Hải Hà and Vân Đồn have no published rank, so no
    rank at all (never 3/4); their order among the loaded units is only in the note."""
    at = run(group="localities", province="Quảng Ninh", index="DDCI", year="2020")
    table = at.dataframe[0].value
    ranks = dict(zip(table.iloc[:, 2], table.iloc[:, 0], strict=True))
    assert ranks["Huyện Tiên Yên"] == "3/13"
    assert ranks["Huyện Hải Hà"] == "–" and ranks["Huyện Vân Đồn"] == "–"
    assert "/4" not in table.iloc[:, 0].str.cat()
    assert not any("Bình quân nhóm" in c.value for c in at.caption)


def test_a_table_of_text_and_numbers_goes_to_the_page_as_arrow_and_reads_the_same(both_dbs):
    """``ui.dataframe`` hands a plain Polars table to Streamlit as Arrow (no pandas conversion on
    every run); the page's table reads the same values, nulls included."""
    import polars as pl

    from chiso.app import ui

    frame = pl.DataFrame({"Hạng": ["1/13", None], "Điểm": [91.24, None], "Số": [14859, None]})
    script = f"""
import polars as pl
from chiso.app import ui
ui.dataframe(pl.DataFrame({frame.to_dict(as_series=False)!r}))
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["Hạng", "Điểm", "Số"]
    assert shown.iloc[0].tolist() == ["1/13", 91.24, 14859]
    assert shown.iloc[1].isna().all()
    assert all(isinstance(d, ui._ARROW_PLAIN) for d in frame.dtypes)
    sent = at.dataframe[0].proto.arrow_data.data  # Arrow as built: no pandas index metadata
    assert sent and b"pandas" not in sent
    nested = AppTest.from_string(
        "import polars as pl\nfrom chiso.app import ui\nui.dataframe(pl.DataFrame({'d': [[1, 2]]}))",
        default_timeout=60,
    ).run()
    assert b"pandas" in nested.dataframe[0].proto.arrow_data.data  # other types: through pandas


def test_the_online_services_map_choice_says_what_it_does(both_dbs):
    """The services page's charts are further down: its choice beside the table reads 'Không hiện
    bản đồ | Bản đồ' (a 'Biểu đồ' chosen there showed nothing under it); the ranking page keeps
    'Biểu đồ | Bản đồ'."""

    def labels(at: AppTest) -> list[str]:
        (group,) = at.get("button_group")  # the page's one segmented control
        return [o.content for o in group.proto.options]

    at = run("pages/services.py", ds="demo")
    assert not at.exception, at.exception
    assert labels(at) == ["Không hiện bản đồ", "Bản đồ"]
    assert labels(run(ds="demo")) == ["Biểu đồ", "Bản đồ"]
