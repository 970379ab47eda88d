"""Run Chỉ số as n Streamlit replicas behind nginx, in the foreground (``make serve REPLICAS=n``).

    python deploy/serve.py --replicas 2 --port 8501 --db build/chiso.duckdb

Each replica is a ``python -m chiso.app.launch run app.py`` (``streamlit run`` with the first
page's imports started at once) on a loopback port (``--first-port`` upwards) reading the
same database file read-only; nginx listens on ``--port`` with sticky sessions (a cookie holding a
random key, hashed to a replica) and the websocket upgrade. The nginx configuration is generated
from deploy/nginx.conf.template into ``--prefix`` (default build/serve/), where nginx also keeps
its pid, logs and temporary files, so it runs as the calling user with no system configuration.
``replicas.json`` there lists the processes (for benchmarks/load.py). Ctrl-C or SIGTERM stops all
of them; if any one exits, the others are stopped too.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
COOKIE = "chiso_replica"
BODY_MB = 25  # above Streamlit's maxUploadSize (20 MB, .streamlit/config.toml)


def render_config(prefix: Path, listen: str, ports: list[int]) -> str:
    """The nginx configuration for replicas on ``ports`` (loopback), nginx on ``listen``."""
    text = TEMPLATE.read_text(encoding="utf-8")
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in ports)
    replica_map = "\n".join(f'        "127.0.0.1:{port}" "{n}";' for n, port in enumerate(ports, 1))
    for key, value in {
        "PREFIX": str(prefix),
        "LISTEN": listen,
        "COOKIE": COOKIE,
        "BODY_MB": str(BODY_MB),
        "SERVERS": servers,
        "REPLICA_MAP": replica_map,
    }.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def replica_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "chiso.app.launch",  # streamlit run, with the first page's imports started at once
        "run",
        str(ROOT / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with code {proc.returncode}")
        try:
            if urllib.request.urlopen(url, timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: not healthy after {timeout:.0f} s")


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8501, help="nginx listens here (loopback)")
    parser.add_argument("--first-port", type=int, default=None, help="first replica port (port + 100)")
    parser.add_argument("--host", default="127.0.0.1", help="address nginx listens on")
    parser.add_argument("--db", type=Path, default=None, help="CHISO_DB for every replica")
    parser.add_argument("--demo-db", type=Path, default=None, help="CHISO_DEMO_DB for every replica")
    parser.add_argument("--prefix", type=Path, default=ROOT / "build" / "serve")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be 1 or more")
    if not Path(args.nginx).exists():
        print("nginx is missing: run 'sudo apt-get install nginx' (or 'make nginx' as root)", file=sys.stderr)
        return 2
    first = args.first_port or args.port + 100
    ports = [first + n for n in range(args.replicas)]
    prefix = args.prefix.resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render_config(prefix, f"{args.host}:{args.port}", ports), encoding="utf-8")
    nginx = [args.nginx, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf)]
    checked = subprocess.run([*nginx, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        print(f"nginx refused {conf}:\n{checked.stderr.strip()}", file=sys.stderr)
        return 2

    env = dict(os.environ)
    if args.db:
        env["CHISO_DB"] = str(args.db.resolve())
    if args.demo_db:
        env["CHISO_DEMO_DB"] = str(args.demo_db.resolve())
    # One secret for every replica: a cookie signed by one is valid on another after a restart.
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_urlsafe(32))

    busy = [port for port in [args.port, *ports] if port_in_use(port)]
    if busy:
        print(f"Port {', '.join(map(str, busy))} is already in use (another 'make serve'?)", file=sys.stderr)
        return 2
    procs: list[subprocess.Popen] = []
    stopping: bool | None = None  # None while starting
    listing = prefix / "replicas.json"

    def on_signal(signum, frame):
        nonlocal stopping
        if stopping is None:  # still starting: leave through the finally clause below
            raise SystemExit(1)
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for port in ports:
            procs.append(subprocess.Popen(replica_command(port), cwd=ROOT, env=env))
        for port, proc in zip(ports, procs, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, timeout=120)
        front = subprocess.Popen([*nginx, "-g", "daemon off;"])
        procs.append(front)
        wait_healthy(f"http://127.0.0.1:{args.port}/_stcore/health", front, timeout=30)
        listing.write_text(
            json.dumps(
                {
                    "url": f"http://{args.host}:{args.port}",
                    "replicas": [
                        {"port": port, "pid": proc.pid} for port, proc in zip(ports, procs, strict=False)
                    ],
                    "nginx_pid": front.pid,
                }
            ),
            encoding="utf-8",
        )
        print(
            f"Chỉ số đang chạy tại http://{args.host}:{args.port} "
            f"({args.replicas} bản sao: cổng {', '.join(map(str, ports))}; nginx: {conf})",
            flush=True,
        )
        stopping = False
        while not stopping:
            if any(proc.poll() is not None for proc in procs):
                print("A process exited; stopping the others.", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except RuntimeError as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 1
    finally:
        stop(procs)
        if procs and procs[-1].args[0] == args.nginx:
            listing.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
