"""Briefing pack as a committee member meets it: in a real browser on a running app, seconds from
switching on 'Báo cáo tóm tắt' on the profile page to both download buttons. Prints the numbers;
not a test. Start the app first (make run), then:

    .venv/bin/python benchmarks/brief_app_bench.py [--url http://127.0.0.1:8501] [--unit ID ...]
        [--year 2024] [--read SECONDS]

The first unit on a fresh server meets a cold renderer; later units a warm one.
"""

from __future__ import annotations

import argparse
import statistics
import time


def one(browser, url: str, read: float) -> float:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(url)
    toggle = page.get_by_text("Báo cáo tóm tắt", exact=True)
    toggle.wait_for(timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget] button')")
    page.wait_for_timeout(read * 1000)  # a reader on the page before asking for the pack
    start = time.perf_counter()
    toggle.click()
    page.get_by_role("button", name="PDF").or_(page.get_by_text("Tải PDF")).first.wait_for(timeout=120_000)
    page.get_by_text("HTML", exact=False).first.wait_for()
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--unit", nargs="+", default=["hoa-binh/so-noi-vu", "hoa-binh/so-tu-phap"])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--read", type=float, default=0.0, help="seconds on the page before the toggle")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        times = [
            one(browser, f"{args.url}/profile?unit={unit}&year={args.year}", args.read) for unit in args.unit
        ]
        browser.close()
    print(
        f"briefing pack in the app, toggle to both buttons ({args.year}, {args.read:g} s on the page first)"
    )
    for unit, seconds in zip(args.unit, times, strict=True):
        print(f"{unit:<40} {seconds:6.2f} s")
    print(f"median {statistics.median(times):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
