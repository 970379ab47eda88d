"""The server survives any upload: the far-cell and zip-bomb workbooks go through the Data page in
a real browser, are refused in words, and the app still serves the next page (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from chiso import auth
from tests.hostile import make_hostile
from tests.test_browser import ARTIFACTS, CHROMIUM, ROOT, _free_port, _settle, browser  # noqa: F401

PASSWORD = "mật khẩu thử trình duyệt"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]


@pytest.fixture(scope="module")
def steward_server(published_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-browser")
    db = folder / "chiso.duckdb"
    db.write_bytes(published_db.read_bytes())
    port = _free_port()
    env = {
        **os.environ,
        "CHISO_DB": str(db),
        "CHISO_DEMO_DB": str(db),
        auth.ENV_HASH: auth.hash_password(PASSWORD),
        "CHISO_LOG": str(folder / "errors.log"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
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
    yield base, proc, db
    proc.terminate()
    proc.wait(timeout=20)


def test_far_cell_and_zip_bomb_uploads_are_refused_and_the_server_stays_up(steward_server, browser, tmp_path):  # noqa: F811
    base, proc, db = steward_server
    before = db.read_bytes()
    made = {c.name for c in make_hostile.cases(tmp_path)}
    assert {"far_cell.xlsx", "zip_bomb.xlsx"} <= made
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/data")
    page.get_by_label("Tên người nhập (ghi vào nhật ký)").fill("kiểm thử")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Đã đăng nhập").wait_for(timeout=30_000)
    for name in ("far_cell.xlsx", "zip_bomb.xlsx"):
        page.locator("input[type=file]").set_input_files(str(tmp_path / name))
        page.get_by_role("button", name="Kiểm tra và xem trước").wait_for(timeout=30_000)
        page.get_by_role("button", name="Kiểm tra và xem trước").click()
        page.get_by_text("Tệp có 1 lỗi: không thể nhập").wait_for(timeout=60_000)
        _settle(page)
        body = page.locator("body").inner_text()
        assert "Traceback" not in body
        # the message itself is in the errors table (a canvas grid); its wording is checked by
        # tests/test_hostile.py, here the point is that the refusal is shown and the server lives
        page.screenshot(path=str(ARTIFACTS / f"hostile_upload_{name}.png"), full_page=True)
        assert proc.poll() is None, f"the server died on {name}"
    context.close()
    assert urllib.request.urlopen(f"{base}/_stcore/health", timeout=5).read() == b"ok"
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/?group=provinces&index=PCI&year=2019")
    page.get_by_role("heading", level=2).first.wait_for(timeout=30_000)
    _settle(page)
    assert "Traceback" not in page.locator("body").inner_text()
    context.close()
    assert proc.poll() is None and db.read_bytes() == before
