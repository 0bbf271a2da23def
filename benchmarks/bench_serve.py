"""Save-to-screen latency of `pysite serve` on a 1,000-page site, beside `hugo server`'s.

For a plain page: the time from writing the source file to the new text being served
(an HTTP client polling the page every 2 ms), for pysite and, on the same pages, for
`hugo server`. For pysite also the time to the browser showing the new text in headless
Chromium (the moment the page's body was replaced, on the same clock as the save), the
same for a page with one small Julia cell, and the server's own rebuild times, which are
part of that latency. The load average is printed beside each figure.

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
import urllib.request
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


def served(url: str, source: Path, template: str, saves: int) -> list[float]:
    """Milliseconds from each save to the first HTTP answer holding the new text."""
    def text() -> str:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.read().decode("utf-8", "replace")
        except OSError:
            return ""
    deadline = time.monotonic() + 60
    while "revision 0" not in text():
        if time.monotonic() > deadline:
            sys.exit(f"{url} never showed the page")
        time.sleep(0.1)
    latencies = []
    for n in range(1, saves + 1):
        time.sleep(0.3)  # as an author between saves; lets the server's watcher settle
        saved_at = time.perf_counter()
        source.write_text(template.format(n=n))
        while f"revision {n}" not in text():
            if time.perf_counter() - saved_at > 30:
                sys.exit(f"{url}: revision {n} never served")
            time.sleep(0.002)
        latencies.append((time.perf_counter() - saved_at) * 1000)
    return latencies


def hugo_served(folder: Path, pages: int, saves: int) -> list[float]:
    """The same measure for `hugo server`, on the same seed pages (as bench_build makes them)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_build import make_sites

    site = make_sites(folder, pages)["hugo"]
    page = site / "content" / "posts" / "bench.md"
    page.write_text(PLAIN.format(n=0))
    port = free_port()
    process = subprocess.Popen(["hugo", "server", "-s", str(site), "--port", str(port), "--bind", "127.0.0.1",
                                "--disableLiveReload"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return served(f"http://127.0.0.1:{port}/posts/bench/", page, PLAIN, saves)
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def describe(name: str, values: list[float]) -> str:
    return (f"{name}: median {statistics.median(values):.0f} ms, min {min(values):.0f}, "
            f"max {max(values):.0f} (n={len(values)})   ({load()})")


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
            polled = served(url + "pages/bench/", site / "pages" / "bench.md", PLAIN, args.saves)
            print(describe("plain page, save -> new text served (HTTP poll)", polled), flush=True)
            (site / "pages" / "bench.md").write_text(PLAIN.format(n=0))  # where the browser's measure starts
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
    if shutil.which("hugo"):
        with tempfile.TemporaryDirectory() as temp:
            hugo = hugo_served(Path(temp), args.pages, args.saves)
        print(describe("hugo server, plain page, save -> new text served (HTTP poll)", hugo))
        print(f"pysite / hugo server: {statistics.median(polled) / statistics.median(hugo):.2f}x")
    else:
        print("hugo server: not installed (apt-get install hugo), skipped")


if __name__ == "__main__":
    main()
