"""Load test: N concurrent Streamlit sessions over the app's own websocket protocol. Not a test.

    .venv/bin/chiso demo --scale national --db build/national.duckdb
    make serve REPLICAS=2 DB=build/national.duckdb          # or one process: make run
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8501 --db build/national.duckdb \
        --pids-from build/serve/replicas.json --json build/load.json

No browser: each session opens ``/_stcore/stream`` with the ``streamlit`` subprotocol (as
Streamlit's front end does), sends ``BackMsg.rerun_script`` carrying the page and the query string
of a link, and reads ``ForwardMsg`` until ``script_finished``; that interval is one page run. A
session first opens a random link (page, peer group, province, index, year drawn from the
database's own catalogue, ``ranked_tables``, and the online-service provinces; with ``--links k``
from k of them only, as when a conference shares a few links), then switches
pages at random keeping the selection, as a reader clicking through the sidebar does, with a
think time between runs. A run is an error when it shows an exception or an error box, finishes
with a compile error, times out, or the connection drops.

For each N (default 1, 10, 25, 50) it prints page runs served, runs per second, p50/p95/p99 page-run
time, errors, and the server's memory (RSS summed over the given processes, before, peak and after
the sessions closed) and CPU (cores busy on average, and seconds per page run: the server's CPU
over the runs served, which is what capacity depends on). Bounded: ``--runs`` per session, ``--seconds``
per N, at most 200 sessions, and loopback addresses only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import math
import os
import random
import secrets
import socket
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import duckdb
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

PAGES = ("rankings", "trends", "gaps", "profile", "compare", "why", "services")
URL_PATH = {"rankings": ""}  # the default page answers at the root, as the browser asks for it
MAX_SESSIONS = 200
COOKIE = "chiso_replica"  # nginx's sticky key (deploy/nginx.conf.template); ignored by Streamlit
DONE = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
ERROR_ALERT = 1  # Alert.Format.ERROR


# ---------- the catalogue ----------


@dataclass
class Catalogue:
    tables: list[tuple[str, str, str, int]]  # (peer_group, scope_province, index_code, year)
    service_provinces: list[str]

    @classmethod
    def read(cls, db: Path) -> Catalogue:
        with duckdb.connect(str(db), read_only=True) as con:
            tables = con.sql(
                "SELECT peer_group, scope_province, index_code, year FROM ranked_tables "
                "WHERE n_scored > 1 ORDER BY ALL"
            ).fetchall()
            try:
                provinces = [
                    r[0] for r in con.sql("SELECT DISTINCT province FROM one_stop_counts").fetchall()
                ]
            except duckdb.Error:
                provinces = []
        if not tables:
            raise SystemExit(f"{db}: no ranked tables to choose from")
        return cls(tables, sorted(provinces))

    def shared(self, k: int, seed: int) -> Catalogue:
        """Only ``k`` tables (and service provinces), drawn once: the links a conference hands out."""
        rng = random.Random(seed)
        tables = rng.sample(self.tables, min(k, len(self.tables)))
        provinces = rng.sample(self.service_provinces, min(k, len(self.service_provinces)))
        return Catalogue(tables, provinces)

    def link(self, rng: random.Random, page: str) -> dict[str, str]:
        """A link's query string: a random ranked table, or a province with counts for services."""
        group, province, index, year = rng.choice(self.tables)
        query = {"group": group, "index": index, "year": str(year)}
        if page == "services" and self.service_provinces:
            province = rng.choice(self.service_provinces)
        if province:
            query["province"] = province
        return query


# ---------- one session ----------


@dataclass
class Phase:
    times: list[float] = field(default_factory=list)  # seconds per successful page run
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def error(self, kind: str, detail: str = "") -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if detail and len(self.samples) < 5:
            self.samples.append(f"{kind}: {detail[:200]}")


def rerun(page: str, query: dict[str, str]) -> bytes:
    msg = BackMsg()
    msg.rerun_script.page_name = URL_PATH.get(page, page)
    msg.rerun_script.query_string = urlencode(query)
    return msg.SerializeToString()


async def page_run(ws, page: str, query: dict[str, str], timeout: float) -> tuple[str | None, str]:
    """Send one rerun and read until the script finishes; (error kind or None, detail)."""
    await ws.send(rerun(page, query))
    problem: tuple[str | None, str] = (None, "")
    async with asyncio.timeout(timeout):
        while True:
            raw = await ws.recv()
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception" and problem[0] is None:
                    problem = ("exception", f"{element.exception.type}: {element.exception.message}")
                elif which == "alert" and element.alert.format == ERROR_ALERT and problem[0] is None:
                    problem = ("error box", element.alert.body)
            elif kind == "page_not_found" and problem[0] is None:
                problem = ("page not found", page)
            elif kind == "script_finished" and msg.script_finished in DONE:
                if msg.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                    return "compile error", page
                return problem


async def session(
    url: str,
    catalogue: Catalogue,
    rng: random.Random,
    phase: Phase,
    *,
    runs: int,
    think: float,
    timeout: float,
    deadline: float,
    order: tuple[str, ...] = (),
) -> None:
    """One reader: a random link, then ``runs`` page runs (random pages, or ``order``)."""
    parts = urlsplit(url)
    ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
    page = order[0] if order else rng.choice(PAGES)
    query = catalogue.link(rng, page)
    # The sticky key a browser would get from nginx on its first request.
    headers = {"Cookie": f"{COOKIE}={secrets.token_hex(16)}"}
    await asyncio.sleep(rng.uniform(0, think))  # users do not arrive in the same millisecond
    try:
        async with connect(
            ws_url,
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            proxy=None,
            open_timeout=timeout,
            compression=None,
            ping_interval=None,  # browsers send no websocket pings; Streamlit answers none while busy
        ) as ws:
            for n in range(runs):
                if time.monotonic() > deadline:
                    return
                if n:
                    await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
                    # The session keeps its view state, as in the browser: the link's selection
                    # holds on every page, so only the page changes.
                    page = order[n] if order else rng.choice([p for p in PAGES if p != page])
                started = time.perf_counter()
                try:
                    kind, detail = await page_run(ws, page, query, timeout)
                except TimeoutError:
                    phase.error("timeout", f"{page}?{urlencode(query)}")
                    return
                elapsed = time.perf_counter() - started
                if kind is None:
                    phase.times.append(elapsed)
                else:
                    phase.error(kind, f"{page}?{urlencode(query)} → {detail}")
    except Exception as exc:  # a refused, timed-out or dropped websocket is the run's error, not the tool's
        phase.error("connection", repr(exc))


# ---------- the server's processes (/proc, no dependency) ----------

TICK = os.sysconf("SC_CLK_TCK")


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / TICK


async def watch(pids: list[int], peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mb(pids))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


def quantile(ordered: list[float], q: float) -> float:
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


async def run_phase(args, catalogue: Catalogue, n: int, pids: list[int]) -> dict:
    phase = Phase()
    rng = random.Random(args.seed * 1000 + n)
    before = rss_mb(pids)
    peak = [before]
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(pids, peak, stop))
    cpu0, t0 = cpu_seconds(pids), time.monotonic()
    deadline = t0 + args.seconds
    await asyncio.gather(
        *(
            session(
                args.url,
                catalogue,
                random.Random(rng.random()),
                phase,
                runs=args.runs,
                think=args.think,
                timeout=args.timeout,
                deadline=deadline,
            )
            for _ in range(n)
        )
    )
    wall = time.monotonic() - t0
    cpu = cpu_seconds(pids) - cpu0
    stop.set()
    await watcher
    await asyncio.sleep(args.settle)
    ordered = sorted(phase.times)
    return {
        "sessions": n,
        "runs": len(ordered),
        "runs_per_s": len(ordered) / wall if wall else float("nan"),
        "p50_s": statistics.median(ordered) if ordered else float("nan"),
        "p95_s": quantile(ordered, 0.95),
        "p99_s": quantile(ordered, 0.99),
        "max_s": ordered[-1] if ordered else float("nan"),
        "errors": sum(phase.errors.values()),
        "error_kinds": phase.errors,
        "error_samples": phase.samples,
        "wall_s": wall,
        "rss_before_mb": before,
        "rss_peak_mb": peak[0],
        "rss_after_mb": rss_mb(pids),
        "cpu_cores": cpu / wall if wall else float("nan"),
        # what capacity depends on: one process serves about 1 / this many runs a second per core
        "cpu_s_per_run": cpu / len(ordered) if ordered else float("nan"),
    }


async def warm_up(args, catalogue: Catalogue, url: str) -> dict:
    phase = Phase()
    t0 = time.monotonic()
    await session(
        url,
        catalogue,
        random.Random(args.seed),
        phase,
        runs=len(PAGES),
        think=0.1,
        timeout=args.timeout * 3,
        deadline=t0 + args.seconds,
        order=PAGES,
    )
    return {"runs": len(phase.times), "errors": sum(phase.errors.values()), "wall_s": time.monotonic() - t0}


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_stcore/health", timeout=30) as response:
            return response.read() == b"ok"
    except OSError:
        return False


def loopback_only(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        raise SystemExit(f"{url}: {exc}") from exc
    if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"{url}: the load test drives loopback addresses only")


def replica_urls(args) -> list[str]:
    if not args.pids_from:
        return []
    listed = json.loads(args.pids_from.read_text(encoding="utf-8"))
    return [f"http://127.0.0.1:{r['port']}" for r in listed["replicas"]]


def server_pids(args) -> list[int]:
    pids = list(args.pid or [])
    if args.pids_from:
        listed = json.loads(args.pids_from.read_text(encoding="utf-8"))
        pids += [r["pid"] for r in listed["replicas"]]
    return pids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--db", type=Path, required=True, help="the database the server reads (catalogue)")
    parser.add_argument("--sessions", default="1,10,25,50", help="comma-separated N")
    parser.add_argument("--runs", type=int, default=6, help="page runs per session")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a session's runs")
    parser.add_argument("--seconds", type=float, default=180, help="time limit per N")
    parser.add_argument("--timeout", type=float, default=60, help="time limit per page run")
    parser.add_argument("--settle", type=float, default=5, help="seconds after closing, before RSS")
    parser.add_argument("--pid", type=int, action="append", help="a server process to measure")
    parser.add_argument("--pids-from", type=Path, help="replicas.json written by deploy/serve.py")
    parser.add_argument("--label", default="", help="a name for this run in the JSON")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--links",
        type=int,
        default=0,
        help="sessions open one of only this many links (a shared link at a conference); "
        "default 0: any table of the catalogue",
    )
    parser.add_argument(
        "--no-warmup",
        dest="warmup",
        action="store_false",
        help="measure from the first run of a fresh server",
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    loopback_only(args.url)
    sizes = [int(s) for s in args.sessions.split(",") if s.strip()]
    if any(n < 1 or n > MAX_SESSIONS for n in sizes):
        parser.error(f"--sessions: each N must be between 1 and {MAX_SESSIONS}")
    catalogue = Catalogue.read(args.db)
    if args.links:
        catalogue = catalogue.shared(args.links, args.seed)
    pids = server_pids(args)
    results = []
    if args.warmup:
        # One session runs every page once first, so the figures are a running server's, not the
        # first imports of a fresh process (benchmarks/run.py measures the cold start).
        # Behind nginx, each replica is warmed directly on its own port.
        for url in replica_urls(args) or [args.url]:
            warm = asyncio.run(warm_up(args, catalogue, url))
            print(
                f"warm-up {url}: {warm['runs']} page runs in {warm['wall_s']:.1f} s, {warm['errors']} errors"
            )
    print(
        f"{'N':>4}{'runs':>6}{'runs/s':>8}{'p50 s':>8}{'p95 s':>8}{'p99 s':>8}{'errors':>8}"
        f"{'RSS before':>12}{'peak':>8}{'after':>8}{'CPU cores':>11}{'CPU s/run':>11}"
    )
    for n in sizes:
        row = asyncio.run(run_phase(args, catalogue, n, pids))
        results.append(row)
        print(
            f"{n:>4}{row['runs']:>6}{row['runs_per_s']:>8.2f}{row['p50_s']:>8.2f}{row['p95_s']:>8.2f}"
            f"{row['p99_s']:>8.2f}{row['errors']:>8}{row['rss_before_mb']:>12.0f}{row['rss_peak_mb']:>8.0f}"
            f"{row['rss_after_mb']:>8.0f}{row['cpu_cores']:>11.2f}{row['cpu_s_per_run']:>11.3f}",
            flush=True,
        )
        for sample in row["error_samples"]:
            print(f"      {sample}")
        if not healthy(args.url):
            print(f"The server no longer answers {args.url}/_stcore/health: stopped after N = {n}.")
            results.append({"sessions": n, "server_stopped_answering": True})
            break
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "label": args.label,
                    "url": args.url,
                    "db": str(args.db),
                    "settings": vars(args)
                    | {"db": str(args.db), "json": str(args.json), "pids_from": str(args.pids_from)},
                    "pids": pids,
                    "results": results,
                },
                indent=1,
                ensure_ascii=False,
                default=str,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
