"""Benchmark Chỉ số at national scale: prints a table and writes JSON. Not a test.

    .venv/bin/chiso demo --scale national --db national.duckdb
    .venv/bin/python benchmarks/run.py --db national.duckdb --json out.json

Measures, in one run: the build (when --build is given), the data work of every page (median
and p95 over 30 varied selections, with the app's thread settings: one Polars worker, one DuckDB
thread per read) against two pandas baselines doing the same computation —
(a) recompute: pandas reads the raw scores from Parquet and ranks per request, the way a user
would otherwise write it; (b) precomputed: pandas filters the same precomputed table from
Parquet — the one-province import, and in a real browser: cold start of the app and of the
bare-Streamlit floor (benchmarks/floor_app.py: one 19-row table, one Plotly bar chart) started
alternately in the same run, their ratio, page switch, the app's memory after every page of one
session, per extra session, and after the sessions close.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The pages' data work is timed as the app runs it: Polars on one worker thread without the
# partitioned group-by (set by chiso.app before Polars is imported), DuckDB on one thread per
# read-only connection (queries.connect).
os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("POLARS_NO_PARTITION", "1")

from datetime import date  # noqa: E402

import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

from chiso import paths  # noqa: E402
from chiso.app import collect  # noqa: E402
from chiso.config import load_catalog  # noqa: E402
from chiso.metrics import gaps, trends  # noqa: E402
from chiso.metrics import services as dvc  # noqa: E402
from chiso.metrics.ranks import peer_average  # noqa: E402
from chiso.selection import Selection  # noqa: E402
from chiso.store import analysis_queries, counts, queries  # noqa: E402
from chiso.views import findings  # noqa: E402
from chiso.views import tables as views  # noqa: E402

RUNS = 30


# The pages a visitor goes through, by their titles in the sidebar (browser figures, memory_pages.py).
PAGE_TITLES = [
    "Xếp hạng",
    "Xu hướng",
    "Thành phần",
    "Hồ sơ đơn vị",
    "So sánh",
    "Vì sao thay đổi hạng",
    "Dịch vụ công",
]


def timed(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# ---------- the pages' data work, exactly as the pages do it (without Streamlit) ----------


def rankings_work(con, catalog, sel: Selection) -> None:
    ranking = queries.ranking(
        con, index=sel.index, year=sel.year, peer_group=sel.peer_group, scope_province=sel.province
    )
    queries.published_stats(
        con, index=sel.index, year=sel.year, peer_group=sel.peer_group, province=sel.province
    )
    views.display_table(ranking, catalog.index(sel.index), "vi")
    peer_average(ranking)


def trends_work(con, catalog, sel: Selection) -> None:
    series = queries.series(con, index=sel.index, peer_group=sel.peer_group, scope_province=sel.province)
    trends.default_units(series, sel.year)
    trends.peer_average_by_year(series, trends.default_measure(series))
    trends.year_span(series)


def gaps_work(con, catalog, sel: Selection) -> None:
    index = catalog.index(sel.index)
    rows = analysis_queries.table_rows(
        con, index=sel.index, year=sel.year, peer_group=sel.peer_group, scope_province=sel.province
    )
    unit_id = gaps.totals(rows).get_column("unit_id").to_list()[0]
    names = gaps.component_names(index, sel.province, sel.peer_group, sel.year, "vi")
    gap_table = gaps.component_gaps(rows, unit_id, names)
    gaps.heatmap_matrix(rows, names)
    tiers = index.tiers_for(sel.province, sel.peer_group, sel.year)
    gaps.what_it_takes(rows, unit_id, tiers, gap_table=gap_table)


def profile_picks(con, picks: list[Selection]) -> list[tuple[str, int]]:
    """(unit, year) of each selection for :func:`profile_work`: the unit first in the selection's
    ranking. Picked before the timing: the profile page takes its unit from the picker and never
    ranks a table, so the ranking read is no part of its work."""
    out = []
    for sel in picks:
        ranking = queries.ranking(
            con, index=sel.index, year=sel.year, peer_group=sel.peer_group, scope_province=sel.province
        )
        out.append((ranking.get_column("unit_id").to_list()[0], sel.year))
    return out


def profile_work(con, catalog, pick: tuple[str, int]) -> None:
    """The profile page's data work for one (unit, year) of :func:`profile_picks`."""
    unit_id, year = pick
    rows = analysis_queries.unit_rows(con, unit_id=unit_id)
    complete = gaps.scored_tables(rows, year, catalog)  # as chiso.views.profile.build
    findings.profile_report(rows, catalog, "vi", year, complete)  # the profile and its sentences
    gaps.component_extremes(rows, year, catalog=catalog, complete=complete)


def compare_work(con, catalog, sel: Selection) -> None:
    rows = analysis_queries.table_rows(
        con, index=sel.index, year=sel.year, peer_group=sel.peer_group, scope_province=sel.province
    )
    chosen = gaps.totals(rows).get_column("unit_id").to_list()[:3]
    names = gaps.component_names(catalog.index(sel.index), sel.province, sel.peer_group, sel.year, "vi")
    picked = rows.filter(pl.col("unit_id").is_in(chosen))
    views.compare_frame(picked, chosen, names)


def why_work(con, catalog, sel: Selection) -> None:
    rows = analysis_queries.tables_two_years(
        con,
        index=sel.index,
        peer_group=sel.peer_group,
        scope_province=sel.province,
        year_a=sel.year - 1,
        year_b=sel.year,
    )
    rows_a, rows_b = rows.filter(pl.col("year") == sel.year - 1), rows.filter(pl.col("year") == sel.year)
    unit_id = gaps.totals(rows_b).get_column("unit_id").to_list()[0]
    index = catalog.index(sel.index)
    gaps.rank_change_split(
        rows_a, rows_b, unit_id, index.aggregation_for(sel.province, sel.peer_group, sel.year)
    )
    gaps.movers(rows_a, rows_b, unit_id)


def services_work(con, catalog, pick: tuple[str, date, date]) -> None:
    province, start, end = pick
    group = counts.group_counts(con, province=province, start=start, end=end)
    rated, _ = dvc.rates_and_checks(group, catalog.index("DVC").rates)  # as chiso.app.services
    dvc.ranking(rated, catalog.index("DVC").rates[0].code, "unit", group)


# ---------- baselines with pandas ----------


def export_parquet(con, folder: Path) -> tuple[Path, Path]:
    raw, derived = folder / "scores.parquet", folder / "ranked.parquet"
    with con.cursor() as cur:
        cur.sql(
            "SELECT s.*, u.name, u.peer_group FROM scores s JOIN units u USING (unit_id)"
        ).pl().write_parquet(raw)
        cur.sql("SELECT * FROM ranked").pl().write_parquet(derived)
        cur.sql("SELECT * FROM one_stop_counts").pl().write_parquet(folder / "counts.parquet")
    return raw, derived


def _index_series(raw: Path, national: set[str], sel: Selection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw scores, and the index totals of the selection's peer group and scope, all years."""
    frame = pd.read_parquet(raw)
    scope = frame["province"].where(~frame["peer_group"].isin(national), "")
    series = frame[
        (frame["index_code"] == sel.index)
        & (frame["peer_group"] == sel.peer_group)
        & (scope == sel.province)
        & frame["component"].isna()
    ]
    return frame, series


def recompute_rankings(raw: Path, national: set[str], sel: Selection) -> None:
    frame, series = _index_series(raw, national, sel)
    table = series[series["year"] == sel.year]
    table = table.assign(
        rank=table["score"].rank(method="min", ascending=False),
        pct_of_max=table["score"] / table["max_score"] * 100,
    )
    prev = frame[
        (frame["index_code"] == sel.index) & (frame["year"] == sel.year - 1) & frame["component"].isna()
    ]
    table = table.merge(prev[["unit_id", "score"]], on="unit_id", how="left", suffixes=("", "_prev"))
    table.sort_values("rank")
    table["score"].mean()


def recompute_trends(raw: Path, national: set[str], sel: Selection) -> None:
    series = _index_series(raw, national, sel)[1].copy()
    series["rank"] = series.groupby("year")["score"].rank(method="min", ascending=False)
    series.groupby("year")["score"].mean()


def recompute_slice(raw: Path, national: set[str], sel: Selection, *, years: int = 1) -> None:
    """The plain way for the analysis pages: read all scores, take the table (totals and
    components, one or two years), rank every component per year, compute shares."""
    frame = pd.read_parquet(raw)
    scope = frame["province"].where(~frame["peer_group"].isin(national), "")
    table = frame[
        (frame["index_code"] == sel.index)
        & (frame["year"] > sel.year - years)
        & (frame["year"] <= sel.year)
        & (frame["peer_group"] == sel.peer_group)
        & (scope == sel.province)
    ]
    table = table.assign(component=table["component"].fillna(""))
    table = table.assign(
        rank=table.groupby(["component", "year"])["score"].rank(method="min", ascending=False),
        pct=table["score"] / table["max_score"] * 100,
    )
    table.groupby(["component", "year"])["score"].agg(["mean", "max"])
    table.pivot_table(index="unit_id", columns="component", values="pct")


def recompute_profile(raw: Path, national: set[str], sel: Selection) -> None:
    frame = pd.read_parquet(raw)
    scope = frame["province"].where(~frame["peer_group"].isin(national), "")
    peers = frame[(frame["peer_group"] == sel.peer_group) & (scope == sel.province)]
    peers = peers.assign(component=peers["component"].fillna(""))
    peers = peers.assign(
        rank=peers.groupby(["index_code", "component", "year"])["score"].rank(method="min", ascending=False)
    )
    unit = peers["unit_id"].iloc[0]
    peers[peers["unit_id"] == unit].sort_values(["index_code", "year"])


def recompute_services(raw_counts: Path, pick: tuple[str, date, date]) -> None:
    province, start, end = pick
    frame = pd.read_parquet(raw_counts)
    starts, ends = pd.to_datetime(frame["period_start"]), pd.to_datetime(frame["period_end"])
    part = frame[
        (frame["province"] == province) & (starts >= pd.Timestamp(start)) & (ends <= pd.Timestamp(end))
    ]
    sums = part.pivot_table(index=["unit_id", "level"], columns="indicator", values="value", aggfunc="sum")
    (sums["dossiers_digitised"] / sums["dossiers_resolved"] * 100).rank(ascending=False, method="min")


def precomputed_slice(derived: Path, sel: Selection, *, years: int = 1) -> None:
    frame = pd.read_parquet(derived)
    table = frame[
        (frame["index_code"] == sel.index)
        & (frame["year"] > sel.year - years)
        & (frame["year"] <= sel.year)
        & (frame["peer_group"] == sel.peer_group)
        & (frame["scope_province"] == sel.province)
    ]
    table.pivot_table(
        index="unit_id", columns=table["component"].fillna(""), values="pct_of_max", aggfunc="first"
    )


def precomputed_profile(derived: Path, sel: Selection) -> None:
    frame = pd.read_parquet(derived)
    unit = frame[(frame["peer_group"] == sel.peer_group) & (frame["scope_province"] == sel.province)][
        "unit_id"
    ].iloc[0]
    frame[frame["unit_id"] == unit].sort_values(["index_code", "year"])


def _precomputed_series(derived: Path, sel: Selection) -> pd.DataFrame:
    """The stored ranked rows of the selection's index totals, peer group and scope, all years."""
    frame = pd.read_parquet(derived)
    return frame[
        (frame["index_code"] == sel.index)
        & (frame["peer_group"] == sel.peer_group)
        & (frame["scope_province"] == sel.province)
        & frame["component"].isna()
    ]


def precomputed_rankings(derived: Path, sel: Selection) -> None:
    series = _precomputed_series(derived, sel)
    table = series[series["year"] == sel.year]
    table.sort_values("rank")
    table["score"].mean()


def precomputed_trends(derived: Path, sel: Selection) -> None:
    series = _precomputed_series(derived, sel)
    series.groupby("year")["peer_mean"].first()


def province_import_seconds(db: Path) -> tuple[float, int]:
    """Import one province's yearly commune table (≈54 units × PAR components, perturbed so
    every row changes) into a copy of the database, including the recomputation; seconds, rows."""
    import shutil

    from chiso.export import files as export
    from chiso.store import imports

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "n.duckdb"
        shutil.copyfile(db, copy)
        with queries.connect(copy) as con, con.cursor() as cur:
            best = cur.sql(
                "SELECT scope_province, year, count(DISTINCT unit_id) AS n FROM ranked "
                "WHERE peer_group = 'communes' AND index_code = 'PAR' GROUP BY ALL "
                "ORDER BY abs(n - 54), scope_province, year DESC LIMIT 1"
            ).fetchall()[0]
            rows = cur.sql(
                "SELECT * FROM ranked WHERE peer_group = 'communes' AND index_code = 'PAR' "
                "AND scope_province = $p AND year = $y",
                params={"p": best[0], "y": best[1]},
            ).pl()
        rows = rows.with_columns(score=(pl.col("score") * 0.99).round(2))
        path = Path(tmp) / "province.csv"
        path.write_bytes(export.long_csv(rows))
        started = time.perf_counter()
        plan = imports.plan_import(copy, path)
        imports.apply_import(copy, plan, who="benchmark")
        return time.perf_counter() - started, rows.height


# ---------- browser: cold start, page switch, memory ----------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int, field: str = "VmHWM") -> float:
    """Resident memory of the app process in MB: its peak (VmHWM) or current (VmRSS) figure."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"
COLD_RUNS = 3  # cold starts of each app, alternating floor and Chỉ số
EXTRA_SESSIONS = 4  # browser sessions opened after the first, for the memory cost of a session
RENDERED = (  # the first table and the first chart are on the page
    "() => document.querySelector(\"[data-testid='stDataFrame']\")"
    " && document.querySelector('.js-plotly-plot')"
)


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) the process has used so far: less noisy than wall
    time on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(script: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Chỉ số as ``make run`` starts it (``python -m chiso.app.launch``: its first page's imports
    begin with the server); the floor app as a bare ``streamlit run``."""
    port = _free_port()
    launcher = "streamlit" if script == FLOOR_APP else "chiso.app.launch"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            launcher,
            "run",
            str(script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    while proc.poll() is None:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{script.name}: the server exited with code {proc.returncode} before answering")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def _cold_start(browser, script: Path, env: dict[str, str], query: str, *, keep: bool = False):
    """Seconds from starting the server to the first table and chart drawn in a fresh browser
    context (no cached front end). With ``keep`` the server and page are returned as well."""
    started = time.perf_counter()
    proc, base = _serve(script, env)
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = context.new_page()
    page.goto(f"{base}/{query}")
    page.wait_for_function(RENDERED, timeout=120_000)
    cold = time.perf_counter() - started
    CPU_TO_FIRST_RENDER.setdefault(script.name, []).append(_cpu_s(proc.pid))
    if keep:
        return cold, proc, base, context, page
    context.close()
    _stop(proc)
    return cold


CPU_TO_FIRST_RENDER: dict[str, list[float]] = {}  # the server's CPU seconds at each cold start, per script


SETTLED = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const n = performance.getEntriesByType("resource").length, now = performance.now();
  if (window.__chisoSeen !== n) { window.__chisoSeen = n; window.__chisoSince = now; return false; }
  return now - window.__chisoSince > 500;
}"""  # the run has finished (no running indicator) and nothing was fetched for 0,5 s


def settle(page) -> None:
    """Wait until the page's run has finished (as tests/conftest.py's ``settle``). The heading a
    page switch waits for is drawn early in the run; memory read then missed the rest of it."""
    page.wait_for_function(SETTLED, polling=100, timeout=120_000)


def _visit_every_page(page, pages: list[str], after=None) -> tuple[list[float], list[str]]:
    """Click through the sidebar; the seconds of each switch and the names in order. ``after(name)``
    runs once each page has switched (outside the timed part)."""
    switches, order = [], pages[1:] + pages[:1]
    for name in order:
        old = page.locator("h2").first.inner_text()
        t0 = time.perf_counter()
        page.locator("[data-testid='stSidebarNav'] a", has_text=name).first.click()
        page.wait_for_function(
            "old => { const h = document.querySelector('h2'); return h && h.innerText !== old; }",
            arg=old,
            timeout=60_000,
        )
        switches.append(time.perf_counter() - t0)
        if after is not None:
            after(name)
    return switches, order


def browser_figures(db: Path, pages: list[str]) -> dict:
    """Cold start of Chỉ số and of the bare-Streamlit floor (same run, alternating), page switch,
    RSS after every page of one session, RSS per extra session and after the sessions close."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return {}
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "CHISO_DB": str(db), "CHISO_DEMO_DB": str(db)}
    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        floors, colds = [], []
        for n in range(COLD_RUNS):
            floors.append(_cold_start(browser, FLOOR_APP, env, ""))
            if n < COLD_RUNS - 1:
                colds.append(_cold_start(browser, ROOT / "app.py", env, "?ds=demo"))
        cold, proc, base, context, page = _cold_start(browser, ROOT / "app.py", env, "?ds=demo", keep=True)
        colds.append(cold)
        try:
            rss_start = _rss_mb(proc.pid, "VmRSS")
            rss_pages = {}

            def settled(name: str) -> None:
                settle(page)
                rss_pages[name] = _rss_mb(proc.pid, "VmRSS")

            switches, visited = _visit_every_page(page, pages, after=settled)
            one_session = _rss_mb(proc.pid, "VmRSS")
            # More readers: each opens the app on its own table and clicks through every page.
            tables = _sample_links(db, EXTRA_SESSIONS)
            extra = []
            for query in tables:
                ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
                extra_page = ctx.new_page()
                extra_page.goto(f"{base}/?{query}")
                extra_page.get_by_role("heading", level=2).first.wait_for(timeout=60_000)
                _visit_every_page(extra_page, pages)
                extra_page.wait_for_load_state("networkidle")
                extra.append(ctx)
            many = _rss_mb(proc.pid, "VmRSS")
            for ctx in extra:
                ctx.close()
            context.close()
            # the server notices the closed websockets, and after RELEASE_AFTER_S without a page
            # run hands DuckDB's cached blocks back (chiso.app.collect, checked every INTERVAL_S)
            time.sleep(collect.RELEASE_AFTER_S + collect.INTERVAL_S + 5)
            out.update(
                {
                    "cold_start_s": statistics.median(colds),
                    "cold_start_runs_s": colds,
                    "cold_start_floor_s": statistics.median(floors),
                    "cold_start_floor_runs_s": floors,
                    "cold_start_ratio": statistics.median(colds) / statistics.median(floors),
                    "cold_start_cpu_s": statistics.median(CPU_TO_FIRST_RENDER["app.py"]),
                    "cold_start_floor_cpu_s": statistics.median(CPU_TO_FIRST_RENDER[FLOOR_APP.name]),
                    "page_switch_s": statistics.median(switches),
                    "page_switch_max_s": max(switches),
                    "page_switch_by_page_s": dict(zip(visited, switches, strict=True)),
                    "rss_first_page_mb": rss_start,
                    "rss_after_page_mb": rss_pages,
                    "rss_one_session_mb": one_session,
                    "rss_sessions": 1 + EXTRA_SESSIONS,
                    "rss_many_sessions_mb": many,
                    "rss_per_extra_session_mb": (many - one_session) / EXTRA_SESSIONS,
                    "rss_after_close_mb": _rss_mb(proc.pid, "VmRSS"),
                    "rss_mb": _rss_mb(proc.pid),
                }
            )
        finally:
            _stop(proc)
            browser.close()
    return out


def _sample_links(db: Path, n: int) -> list[str]:
    """Query strings of n different tables of the database, for the extra sessions."""
    from urllib.parse import urlencode

    with queries.connect(db) as con, con.cursor() as cur:
        rows = cur.sql(
            "SELECT peer_group, scope_province, index_code, year FROM ranked_tables "
            "WHERE n_scored > 1 ORDER BY hash(scope_province || index_code || year) LIMIT $n",
            params={"n": n},
        ).fetchall()
    return [
        urlencode({"ds": "demo", "group": g, "index": i, "year": y} | ({"province": p} if p else {}))
        for g, p, i, y in rows
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=paths.db_path())
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--no-build",
        dest="build",
        action="store_false",
        help="skip timing a fresh national build (about 10 s)",
    )
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    catalog = load_catalog(paths.CONFIG_PATH)
    result: dict = {"db": str(args.db), "db_mb": args.db.stat().st_size / 2**20}

    if args.build:
        from chiso.demo.national import build_national

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            build_national(paths.CONFIG_PATH, Path(tmp) / "n.duckdb")
            result["build_s"] = time.perf_counter() - t0

    result["province_import_s"], result["province_import_rows"] = province_import_seconds(args.db)
    con = queries.connect(args.db)
    with con.cursor() as cur:
        result["score_rows"] = cur.sql("SELECT count(*) FROM scores").fetchall()[0][0]
        result["count_rows"] = cur.sql("SELECT count(*) FROM one_stop_counts").fetchall()[0][0]
    tables = queries.tables(con).filter(pl.col("n_scored") > 1)
    national = {g for g, spec in catalog.peer_groups.items() if spec.scope == "national"}
    picks = [
        Selection(r["peer_group"], r["scope_province"], r["index_code"], r["year"])
        for r in tables.sample(RUNS, seed=7, with_replacement=tables.height < RUNS).iter_rows(named=True)
    ]

    with tempfile.TemporaryDirectory() as tmp:
        raw, derived = export_parquet(con, Path(tmp))
        comp_tables = analysis_queries.component_tables(con).filter(pl.col("year") > 2015)
        comp_picks = [
            Selection(r["peer_group"], r["scope_province"], r["index_code"], r["year"])
            for r in comp_tables.sample(RUNS, seed=11, with_replacement=comp_tables.height < RUNS).iter_rows(
                named=True
            )
        ] or picks
        periods = counts.periods(con)
        service_picks = (
            [
                (r["province"], r["period_start"], r["period_end"])
                for r in periods.sample(min(RUNS, periods.height), seed=5).iter_rows(named=True)
            ]
            if periods.height
            else []
        )
        raw_counts = Path(tmp) / "counts.parquet"
        work = {
            "rankings": (picks, rankings_work, recompute_rankings, precomputed_rankings),
            "trends": (picks, trends_work, recompute_trends, precomputed_trends),
            "gaps": (comp_picks, gaps_work, recompute_slice, precomputed_slice),
            "profile": (picks, profile_work, recompute_profile, precomputed_profile),
            "compare": (comp_picks, compare_work, recompute_slice, precomputed_slice),
            "why": (
                comp_picks,
                why_work,
                lambda raw, nat, s: recompute_slice(raw, nat, s, years=2),
                lambda d, s: precomputed_slice(d, s, years=2),
            ),
        }
        pages = {}
        # The profile page's work is timed on each selection's unit, picked beforehand.
        own_picks = {"profile": profile_picks(con, picks)}
        for name, (chosen, ours, recompute, precomputed) in work.items():
            picks = chosen
            it = iter(own_picks.get(name, picks) * 2)
            mine = timed(lambda ours=ours, it=it: ours(con, catalog, next(it)))
            it = iter(picks * 2)
            base_a = timed(lambda recompute=recompute, it=it: recompute(raw, national, next(it)), runs=10)
            it = iter(picks * 2)
            base_b = timed(lambda precomputed=precomputed, it=it: precomputed(derived, next(it)), runs=10)
            median, p95 = summary(mine)
            pages[name] = {
                "median_ms": median,
                "p95_ms": p95,
                "baseline_recompute_median_ms": statistics.median(base_a),
                "baseline_precomputed_median_ms": statistics.median(base_b),
            }
        if service_picks:
            it = iter(service_picks * 3)
            mine = timed(lambda it=it: services_work(con, catalog, next(it)))
            it = iter(service_picks * 3)
            base_a = timed(lambda it=it: recompute_services(raw_counts, next(it)), runs=10)
            median, p95 = summary(mine)
            pages["services"] = {
                "median_ms": median,
                "p95_ms": p95,
                "baseline_recompute_median_ms": statistics.median(base_a),
                "baseline_precomputed_median_ms": statistics.median(base_a),
            }
    result["pages"] = pages
    ratios_a = [p["baseline_recompute_median_ms"] / p["median_ms"] for p in pages.values()]
    ratios_b = [p["baseline_precomputed_median_ms"] / p["median_ms"] for p in pages.values()]
    result["ratio_vs_recompute_geomean"] = math.exp(statistics.mean(math.log(r) for r in ratios_a))
    result["ratio_vs_precomputed_geomean"] = math.exp(statistics.mean(math.log(r) for r in ratios_b))
    con.close()

    if not args.no_browser:
        result.update(
            browser_figures(
                args.db,
                PAGE_TITLES,
            )
        )

    print(f"{'page':<12}{'median ms':>11}{'p95 ms':>9}{'pandas recompute':>18}{'pandas precomputed':>20}")
    for name, p in pages.items():
        print(
            f"{name:<12}{p['median_ms']:>11.2f}{p['p95_ms']:>9.2f}{p['baseline_recompute_median_ms']:>18.1f}"
            f"{p['baseline_precomputed_median_ms']:>20.1f}"
        )
    for key in (
        "ratio_vs_recompute_geomean",
        "ratio_vs_precomputed_geomean",
        "build_s",
        "db_mb",
        "province_import_s",
        "cold_start_s",
        "cold_start_floor_s",
        "cold_start_ratio",
        "cold_start_cpu_s",
        "cold_start_floor_cpu_s",
        "page_switch_s",
        "page_switch_max_s",
        "rss_first_page_mb",
        "rss_one_session_mb",
        "rss_many_sessions_mb",
        "rss_per_extra_session_mb",
        "rss_after_close_mb",
        "rss_mb",
        "score_rows",
        "count_rows",
    ):
        if key in result:
            value = result[key]
            print(f"{key:<32}{value:.2f}" if isinstance(value, float) else f"{key:<32}{value}")
    for name, seconds in result.get("page_switch_by_page_s", {}).items():
        print(f"{'switch to ' + name:<32}{seconds:.2f}")
    for name, mb in result.get("rss_after_page_mb", {}).items():
        print(f"{'rss after ' + name:<32}{mb:.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
