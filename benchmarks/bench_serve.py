"""Save-to-screen latency of `pysite serve` on a 1,000-page site, measured in headless Chromium.

For a plain page and a page with one small Julia cell: the time from writing the source
file to the browser showing the new text (the moment the page's body was replaced, on
the same clock as the save). Also prints the server's own rebuild
times, which are part of that latency.

    PYSITE_JULIA=... .venv/bin/python benchmarks/bench_serve.py [--pages 1000] [--saves 15]
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
PLAIN = "---\ntitle: Bench\n---\n# Bench\n\nA page edited by the benchmark.\n\nrevision {n}\n"
CELL = ("---\ntitle: Cell bench\n---\n# Cell bench\n\nA page with one cell.\n\n"
        "```julia:ex\nprintln(\"revision \", {n})\n```\n\n\\output{{ex}}\n")
BODY_TEXT = "return document.body ? document.body.innerText : ''"
# When the page's text changed: its body is replaced in place (an observer set before the
# save notes when), or, after a full reload, the new document's DOMContentLoaded.
WATCH = ("window.__changedAt = null; new MutationObserver(() => { if (!window.__changedAt)"
         " window.__changedAt = performance.timeOrigin + performance.now(); })"
         ".observe(document.documentElement, {childList: true, subtree: true});")
CHANGED_AT = ("if (window.__changedAt) return window.__changedAt;"
              "const n = performance.getEntriesByType('navigation')[0];"
              "return performance.timeOrigin + n.domContentLoadedEventEnd;")


def make_site(folder: Path, pages: int) -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    (folder / "pages").mkdir(parents=True)
    (folder / "config.md").write_text('+++\ntitle = "Bench"\n+++\n')
    (folder / "index.md").write_text("# Bench site\n\nHello.\n")
    for index in range(pages):
        shutil.copyfile(seeds[index % len(seeds)], folder / "pages" / f"p{index:04d}.md")
    (folder / "pages" / "bench.md").write_text(PLAIN.format(n=0))
    (folder / "pages" / "cell.md").write_text(CELL.format(n=0))


def browser(profile: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def measure(driver, server_lines: queue.Queue, source: Path, template: str, url: str, saves: int):
    driver.get(url)
    WebDriverWait(driver, 60).until(lambda d: "revision 0" in d.execute_script(BODY_TEXT))
    latencies, rebuilds = [], []
    for n in range(1, saves + 1):
        time.sleep(0.3)  # let the previous reload settle
        while not server_lines.empty():
            server_lines.get()
        driver.execute_script(WATCH)
        saved_at = time.time() * 1000
        source.write_text(template.format(n=n))
        WebDriverWait(driver, 60, poll_frequency=0.005, ignored_exceptions=(WebDriverException,)).until(
            lambda d: f"revision {n}" in d.execute_script(BODY_TEXT))
        latencies.append(driver.execute_script(CHANGED_AT) - saved_at)
        line = server_lines.get(timeout=10)
        rebuilds.append(float(re.search(r"in (\d+) ms", line).group(1)))
    return latencies, rebuilds


def describe(name: str, values: list[float]) -> str:
    return (f"{name}: median {statistics.median(values):.0f} ms, min {min(values):.0f}, "
            f"max {max(values):.0f} (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp, tempfile.TemporaryDirectory() as profile:
        site = Path(temp) / "site"
        make_site(site, args.pages)
        process = subprocess.Popen([sys.executable, "-m", "pysite", "serve", str(site), "--port", "0"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: queue.Queue[str] = queue.Queue()
        url = None
        for line in process.stdout:
            print("  server:", line.rstrip())
            if "(Ctrl-C to stop)" in line:
                url = re.search(r"at (http://\S+) ", line).group(1)
                break
        assert url, "the server did not start"

        def forward() -> None:
            for line in process.stdout:
                if re.search(r"\d+ outputs? changed in", line):
                    lines.put(line)
        threading.Thread(target=forward, daemon=True).start()
        driver = browser(profile)
        try:
            print(f"site: {args.pages + 3} pages")
            plain, plain_builds = measure(driver, lines, site / "pages" / "bench.md", PLAIN, url + "pages/bench/", args.saves)
            print(describe("plain page, save -> new content in Chromium", plain))
            print(describe("plain page, server rebuild", plain_builds))
            if os.environ.get("PYSITE_JULIA"):
                cell, cell_builds = measure(driver, lines, site / "pages" / "cell.md", CELL, url + "pages/cell/", args.saves)
                print(describe("Julia cell page, save -> new content in Chromium", cell))
                print(describe("Julia cell page, server rebuild (cell run included)", cell_builds))
            else:
                print("Julia cell page: skipped (set PYSITE_JULIA)")
        finally:
            driver.quit()
            process.send_signal(2)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
