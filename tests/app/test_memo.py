"""What every session of a server shares (chiso.app.memo): a table read or a view built once per
process, bounded, one build at a time for the same key, and an error never kept."""

from __future__ import annotations

import sys
import threading
import time
from datetime import date

import pytest

from chiso.app import memo
from chiso.selection import Selection


def test_a_reader_runs_once_per_arguments_and_hands_every_caller_the_same_result():
    calls = []

    @memo.kept(max_entries=8)
    def ranking(dataset: str, version: str, sel: Selection) -> list:
        calls.append(sel)
        return [sel.index, sel.year]

    sel = Selection("districts", "Hà Nội", "PAR", 2024)
    first = ranking("published", "v1", sel)
    again = ranking("published", "v1", Selection("districts", "Hà Nội", "PAR", 2024))
    assert again is first and calls == [sel]
    assert ranking("published", "v2", sel) == first and len(calls) == 2  # a new file version: read again
    assert ranking("published", "v1", sel) is first  # the first version is still kept


def test_the_least_recently_used_result_goes_first_past_the_bound():
    calls = []

    @memo.kept(max_entries=2)
    def period(province: str, start: date) -> str:
        calls.append(province)
        return province

    period("Hà Nội", date(2024, 1, 1))
    period("Huế", date(2024, 1, 1))
    period("Hà Nội", date(2024, 1, 1))  # used again: Huế is now the oldest
    period("Đà Nẵng", date(2024, 1, 1))
    period("Hà Nội", date(2024, 1, 1))
    period("Huế", date(2024, 1, 1))
    assert calls == ["Hà Nội", "Huế", "Đà Nẵng", "Huế"]


def test_sessions_asking_at_once_for_the_same_key_wait_for_one_build(monkeypatch):
    started, release, built, looked = threading.Event(), threading.Event(), [], []

    @memo.kept(max_entries=4)
    def view(key: str) -> object:
        built.append(key)
        started.set()
        release.wait(10)
        return object()

    hit = view._hit
    monkeypatch.setattr(view, "_hit", lambda key: looked.append(key) or hit(key))
    results = []
    first = threading.Thread(target=lambda: results.append(view("PAR 2024")))
    first.start()
    started.wait(10)
    others = [threading.Thread(target=lambda: results.append(view("PAR 2024"))) for _ in range(4)]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 10
    while len(looked) < 5 and time.monotonic() < deadline:  # the four asked while the first builds
        time.sleep(0.001)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert len(looked) >= 5
    assert built == ["PAR 2024"] and len(results) == 5 and len({id(r) for r in results}) == 1


def test_many_sessions_reading_the_same_keys_build_each_key_once():
    """Eight sessions asking for the same 2.000 keys, the interpreter switching threads as often
    as it can: a key whose build lock was given up before its result was stored got built twice
    (31–98 keys a run), and a connection could be opened twice for one file."""
    builds: dict[int, int] = {}

    @memo.kept(max_entries=None)
    def read(key: int) -> object:
        builds[key] = builds.get(key, 0) + 1
        return object()

    def session() -> None:
        for key in range(2000):
            read(key)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        sessions = [threading.Thread(target=session) for _ in range(8)]
        for thread in sessions:
            thread.start()
        for thread in sessions:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert len(builds) == 2000 and {k: n for k, n in builds.items() if n > 1} == {}


def test_an_error_is_not_kept_and_clear_all_empties_every_reader():
    attempts = []

    @memo.kept(max_entries=4)
    def flaky(key: str) -> str:
        attempts.append(key)
        if len(attempts) == 1:
            raise OSError("tệp đang được thay")
        return key

    with pytest.raises(OSError):
        flaky("a")
    assert flaky("a") == "a" and flaky("a") == "a" and attempts == ["a", "a"]
    memo.clear_all()
    assert flaky("a") == "a" and attempts == ["a", "a", "a"]
