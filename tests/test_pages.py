"""Every page registered in app.py renders with AppTest; selections change what is shown."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
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
    assert registered_pages() == ["pages/rankings.py", "pages/trends.py", "pages/about.py"]


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
