"""Two replicas behind nginx (deploy/serve.py, as `make serve REPLICAS=2` runs it): a steward
imports a change on the Data page of replica 1 (an upload through nginx), in a real browser; a reader
whose sticky key lands on replica 2 sees the new value through nginx, without a restart, and
downloads it (a media request). Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chiso import auth
from chiso.store.build import build
from tests.conftest import ARTIFACTS, BROWSER_MARKS, CONFIG, ROOT, score, write_csv, write_data

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "mật khẩu đủ dài 2026"
COOKIE = "chiso_replica"

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        not Path(NGINX).exists(), reason="Debian's nginx is not installed (make test installs it)"
    ),
]


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _replica_of(base: str, key: str) -> str:
    """Which replica nginx sends the sticky key to (its X-Chiso-Replica header)."""
    request = urllib.request.Request(f"{base}/_stcore/health", headers={"Cookie": f"{COOKIE}={key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Chiso-Replica"]


def _key_for(base: str, replica: str) -> str:
    for _ in range(200):
        key = secrets.token_hex(16)
        if _replica_of(base, key) == replica:
            return key
    raise AssertionError(f"no sticky key reached replica {replica}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two replicas and nginx over one database file built from the test fixture data."""
    tmp = tmp_path_factory.mktemp("replicas")
    db = tmp / "shared.duckdb"
    build(CONFIG, write_data(tmp / "data"), db)
    port, first, _second = _free_ports(3)
    env = {**os.environ, auth.ENV_HASH: auth.hash_password(PASSWORD)}
    env.pop("CHISO_DB", None)
    listing = tmp / "serve" / "replicas.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "deploy" / "serve.py"),
            "--replicas",
            "2",
            "--port",
            str(port),
            "--first-port",
            str(first),
            "--db",
            str(db),
            "--demo-db",
            str(tmp / "no-demo.duckdb"),
            "--prefix",
            str(tmp / "serve"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 180
    while not listing.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"deploy/serve.py did not start:\n{proc.communicate()[0][-3000:]}")
        time.sleep(0.3)
    base = json.loads(listing.read_text())["url"]
    yield base
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert not listing.exists()  # everything stopped in order


def _context_on(browser, base: str, key: str):
    """A browser whose nginx cookie already holds ``key``: every request goes to one replica."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1600}, locale="vi-VN", accept_downloads=True
    )
    context.add_cookies([{"name": COOKIE, "value": key, "url": base}])
    return context


def test_an_import_on_one_replica_is_read_on_the_other(cluster, browser, tmp_path):
    base = cluster
    key_1, key_2 = _key_for(base, "1"), _key_for(base, "2")
    table = f"{base}/?group=departments&province=Tỉnh Mẫu&index=PAR&year=2023"

    # A reader on replica 2 opens the table first, so that replica holds the old file open.
    reader = _context_on(browser, base, key_2)
    page = reader.new_page()
    response = page.goto(table)
    assert response.headers["x-chiso-replica"] == "2"
    page.get_by_text("Xếp hạng Chỉ số CCHC năm 2023").wait_for(timeout=60_000)
    page.get_by_text("Sở Y tế").first.wait_for(timeout=30_000)
    assert "97,25" not in page.locator("body").inner_text()

    # The steward signs in and imports on replica 1.
    change = tmp_path / "sở nội vụ 2023.csv"
    write_csv(change, [score("Sở Nội vụ", "PAR", 2023, 97.25, rank_of=4)])
    steward = _context_on(browser, base, key_1)
    data = steward.new_page()
    response = data.goto(f"{base}/data")
    assert response.headers["x-chiso-replica"] == "1"
    data.get_by_label("Tên người nhập (ghi vào nhật ký)").fill("Kiểm thử")
    data.get_by_label("Mật khẩu").fill(PASSWORD)
    data.get_by_role("button", name="Đăng nhập").click()
    data.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(change))
    data.get_by_role("button", name="Kiểm tra và xem trước").click()
    data.get_by_role("button", name="Xác nhận nhập: thêm 0, sửa 1 dòng").click()
    try:
        data.get_by_text(re.compile(r"Đã nhập lần #\d+: thêm 0 dòng, sửa 1 dòng")).wait_for(timeout=60_000)
    finally:
        data.screenshot(path=str(ARTIFACTS / "replicas_import_on_1.png"), full_page=True)

    # Replica 2 picks up the swapped file on its next page run: a new visit, and the open one.
    fresh = _context_on(browser, base, key_2)
    page_2 = fresh.new_page()
    response = page_2.goto(table)
    assert response.headers["x-chiso-replica"] == "2"
    page_2.get_by_text("97,25").first.wait_for(timeout=60_000)
    page_2.screenshot(path=str(ARTIFACTS / "replicas_read_on_2.png"), full_page=True)
    # A download is a media request naming the session: it must reach the same replica.
    with page_2.expect_download() as download:
        page_2.get_by_text("Tải CSV").click()
    assert b"97.25" in Path(download.value.path()).read_bytes()
    page.get_by_role("link", name="Xu hướng").first.click()
    page.wait_for_url("**/trends**")
    page.get_by_role("link", name="Xếp hạng").first.click()
    page.wait_for_url(lambda url: "/trends" not in url)
    page.get_by_text("97,25").first.wait_for(timeout=60_000)
    for context in (reader, steward, fresh):
        context.close()
