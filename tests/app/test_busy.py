"""Whether other readers are using the server (``chiso.app.busy``): a page run in progress, or one
that ended a moment ago; the briefing pack is prepared ahead only when neither is the case."""

from __future__ import annotations

import threading

from chiso.app import busy


def _run_in_another_session(monkeypatch, session: str) -> None:
    """A page run of ``session`` on another thread, ended."""

    def run() -> None:
        with busy.page_run():
            pass

    monkeypatch.setattr(
        busy, "_session", lambda: session if threading.current_thread().name == "other" else ""
    )
    thread = threading.Thread(target=run, name="other")
    thread.start()
    thread.join()


def test_a_run_that_ended_a_moment_ago_counts_and_one_long_ago_does_not(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(busy.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(busy, "_ENDED", {})
    monkeypatch.setattr(busy, "_RUNNING", {})
    assert not busy.others_active()
    _run_in_another_session(monkeypatch, "reader-2")
    clock[0] += 2.0  # two seconds later, the other reader is reading the page it got
    assert busy.others_active()
    clock[0] += busy.QUIET_S
    assert not busy.others_active()


def test_the_readers_own_runs_never_count(monkeypatch):
    monkeypatch.setattr(busy, "_ENDED", {})
    monkeypatch.setattr(busy, "_RUNNING", {})
    monkeypatch.setattr(busy, "_session", lambda: "me")
    with busy.page_run():
        assert not busy.others_active()
    assert not busy.others_active()


def test_a_run_in_progress_counts(monkeypatch):
    monkeypatch.setattr(busy, "_ENDED", {})
    monkeypatch.setattr(busy, "_RUNNING", {"reader-2": 1})
    monkeypatch.setattr(busy, "_session", lambda: "me")
    assert busy.others_active()


def test_a_guarded_page_body_counts_as_a_page_run_in_progress():
    """The Data and About pages run through ``ui.guard`` alone and read the database too: no
    release of its cache (``chiso.app.collect``) may fall in the middle of them."""
    from chiso.app import ui

    seen = []
    ui.guard(lambda: seen.append(busy.idle_for()))
    assert seen == [0.0]  # in progress while the body ran
    assert busy.idle_for() > 0.0  # ended after it
