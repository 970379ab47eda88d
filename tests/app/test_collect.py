"""Garbage is still collected when Streamlit no longer collects after every page run."""

import gc
import threading
import time
import tomllib
import weakref
from pathlib import Path

from chiso.app import busy, collect

ROOT = Path(__file__).resolve().parents[2]


class Node:
    pass


def test_the_app_turns_off_streamlits_collection_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_the_app_sends_no_usage_statistics_however_it_is_started():
    """``streamlit run app.py`` without the launcher's flags: the readers' browsers send nothing to
    Streamlit's servers."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False


def test_an_old_reference_cycle_is_freed_by_the_collector_thread(monkeypatch):
    monkeypatch.setattr(collect, "INTERVAL_S", 0.05)
    monkeypatch.setattr(collect, "_started", False)
    monkeypatch.setattr(busy, "idle_for", lambda: 60.0)  # a quiet server: no page run in progress
    gc.disable()  # only the collector thread may free the cycle
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        gc.collect()  # the cycle survives a full collection: it is now in the oldest generation
        del a, b
        collect.start()
        deadline = time.monotonic() + 30
        while gone() is not None and time.monotonic() < deadline:
            gc.collect(0)  # young collections, as allocations during page runs cause
            time.sleep(0.01)
        assert gone() is None
    finally:
        gc.enable()


def test_a_collection_waits_for_a_pause_in_the_page_runs_unless_the_last_is_too_old():
    # nothing made since the last pass: never
    assert not collect.due(allocated=False, idle_s=60, since_last_s=3600)
    # readers are being served (a run in progress or one that just ended): later
    assert not collect.due(allocated=True, idle_s=0.0, since_last_s=collect.BUSY_INTERVAL_S / 2)
    # a pause: now
    assert collect.due(allocated=True, idle_s=collect.PAUSE_S, since_last_s=0.0)
    # busy for longer than the busy interval: now, pause or not
    assert collect.due(allocated=True, idle_s=0.0, since_last_s=collect.BUSY_INTERVAL_S)


def test_the_server_reads_as_busy_during_a_page_run_and_idle_after_it():
    from chiso.app import busy

    with busy.page_run():
        assert busy.idle_for() == 0.0
    time.sleep(0.02)
    assert busy.idle_for() >= 0.02


def test_the_database_cache_is_handed_back_once_after_a_quiet_spell_and_not_again_until_pages_run(
    monkeypatch,
):
    """One look of the collector at a time (``collect.tick``), on this thread: a collector thread
    started by an earlier page run may wake meanwhile, and its releases are not counted."""
    here, released = threading.get_ident(), []
    monkeypatch.setattr(collect, "RELEASE_AFTER_S", 0.2)
    monkeypatch.setattr(collect, "_release", lambda: threading.get_ident() == here and released.append(1))
    state = (0, time.monotonic(), busy.ended_runs())
    with busy.page_run():
        state = collect.tick(*state)
        assert released == []  # never while a page runs
    state = collect.tick(*state)
    assert released == []  # the page run just ended: not quiet yet
    time.sleep(0.25)
    state = collect.tick(*state)
    assert released == [1]  # quiet for RELEASE_AFTER_S: handed back
    time.sleep(0.25)
    state = collect.tick(*state)
    assert released == [1]  # still quiet, nothing read since: nothing more to hand back
    with busy.page_run():
        pass
    time.sleep(0.25)
    collect.tick(*state)
    assert released == [1, 1]  # pages ran again, then a quiet spell: handed back again


def test_work_when_idle_waits_for_the_quiet_spell_and_holds_new_page_runs_off():
    done = []
    with busy.page_run():
        assert not busy.when_idle(0.0, lambda: done.append("during a run"))
    assert not busy.when_idle(60.0, lambda: done.append("too soon"))
    with busy.background_job():
        assert not busy.when_idle(0.0, lambda: done.append("during the pack"))
    assert done == []

    def slow_work():
        time.sleep(0.3)
        done.append("released")

    def reader():
        with busy.page_run():
            done.append("page run")

    worker = threading.Thread(target=lambda: busy.when_idle(0.0, slow_work))
    worker.start()
    time.sleep(0.1)  # the work has begun
    page = threading.Thread(target=reader)
    page.start()
    worker.join(), page.join()
    assert done == ["released", "page run"]  # the page run started only once the work was done
