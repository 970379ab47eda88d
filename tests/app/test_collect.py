"""Garbage is still collected when Streamlit no longer collects after every page run."""

import gc
import time
import tomllib
import weakref
from pathlib import Path

from chiso.app import collect

ROOT = Path(__file__).resolve().parents[2]


class Node:
    pass


def test_the_app_turns_off_streamlits_collection_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_an_old_reference_cycle_is_freed_by_the_collector_thread(monkeypatch):
    monkeypatch.setattr(collect, "INTERVAL_S", 0.05)
    monkeypatch.setattr(collect, "_started", False)
    gc.disable()  # only the collector thread may free the cycle
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        gc.collect()  # the cycle survives a full collection: it is now in the oldest generation
        del a, b
        collect.start()
        gc.collect(0)  # a young collection, as allocations during a page run cause
        deadline = time.monotonic() + 30
        while gone() is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert gone() is None
    finally:
        gc.enable()
