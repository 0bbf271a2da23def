"""Build the same 1,000 pages (made from the seed pages) with pysite, Hugo and Jekyll.

Prints each tool's cold build, no-change rebuild and one-page-changed rebuild time (median
of --runs; Hugo has no incremental CLI build, so its rebuilds are full builds) with the
load average beside them, and pysite's ratios to each: pysite as builds run after an earlier
one (in the build process it left waiting), and pysite-1 with every build in its own process.
Usage: .venv/bin/python benchmarks/bench_build.py [--pages 1000] [--runs 3] [--pause SECONDS]
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"

HUGO_CONFIG = 'baseURL = "http://example.org/"\ntitle = "Bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
HUGO_SINGLE = "<!doctype html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>\n"
JEKYLL_CONFIG = "title: Bench\nmarkdown: kramdown\n"
JEKYLL_LAYOUT = "<!doctype html><html><head><title>{{ page.title }}</title></head><body><main>{{ content }}</main></body></html>\n"


def seed_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.iterdir())]


def with_front_matter(text: str) -> str:
    """Jekyll renders only files with front matter; give the seeds without one an empty block."""
    return text if text.startswith("---\n") else "---\n---\n" + text


def make_sites(root: Path, pages: int) -> dict[str, Path]:
    seeds = seed_texts()
    sites = {"pysite": root / "pysite", "hugo": root / "hugo", "jekyll": root / "jekyll"}
    (sites["pysite"] / "posts").mkdir(parents=True)
    (sites["pysite"] / "config.md").write_text('@def website_title = "Bench"\n')
    (sites["hugo"] / "content" / "posts").mkdir(parents=True)
    (sites["hugo"] / "layouts" / "_default").mkdir(parents=True)
    (sites["hugo"] / "hugo.toml").write_text(HUGO_CONFIG)
    (sites["hugo"] / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (sites["hugo"] / "layouts" / "_default" / "list.html").write_text(HUGO_SINGLE)
    (sites["jekyll"] / "posts").mkdir(parents=True)
    (sites["jekyll"] / "_layouts").mkdir(parents=True)
    (sites["jekyll"] / "_config.yml").write_text(JEKYLL_CONFIG)
    (sites["jekyll"] / "_layouts" / "default.html").write_text(JEKYLL_LAYOUT)
    for i in range(pages):
        text = seeds[i % len(seeds)]
        name = f"page-{i:04d}.md"
        (sites["pysite"] / "posts" / name).write_text(text)
        (sites["hugo"] / "content" / "posts" / name).write_text(with_front_matter(text))
        (sites["jekyll"] / "posts" / name).write_text(with_front_matter(text).replace("---\n", "---\nlayout: default\n", 1))
    return sites


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed


def change_one_page(pages: Path, run: int) -> None:
    """Append a line to one page (a different one each run), as an author saving an edit does."""
    page = pages / f"page-{5 * (run + 1) + run % 4:04d}.md"  # seeds 0-3 in turn: never the long transcript
    page.write_text(page.read_text(encoding="utf-8") + f"\nOne more line, run {run}.\n", encoding="utf-8")


PAUSE = 0.0  # --pause: seconds between two builds


def measure(command: list[str], fresh, pages: Path, runs: int) -> tuple[float, float, float]:
    """Median cold build (after `fresh()`), no-change rebuild and one-page-changed rebuild, each
    started PAUSE seconds after the last one ended."""
    cold, warm, one = [], [], []
    for run in range(runs):
        fresh()
        cold.append(timed(command))
        time.sleep(PAUSE)
        warm.append(timed(command))
        change_one_page(pages, run)
        time.sleep(PAUSE)
        one.append(timed(command))
    return statistics.median(cold), statistics.median(warm), statistics.median(one)


def pysite_times(site: Path, runs: int, keep: bool) -> tuple[float, float, float]:
    """With `keep`, as a user's builds run: in the build process an earlier build left waiting
    (pysite.resident); without, each in a process of its own (`--keep-build 0`)."""
    def fresh() -> None:   # nothing a build left: the output, the next build's folder, the state
        for name in ("__site", ".__site.building", ".pysite"):
            shutil.rmtree(site / name, ignore_errors=True)
    command = [sys.executable, "-m", "pysite", "build", str(site), "-q", "--keep-build", "300" if keep else "0"]
    if keep:
        timed(command)  # the build that leaves the process behind, once it listens
        from pysite import resident

        deadline = time.monotonic() + 30
        while not os.path.exists(resident.socket_path(resident.key())) and time.monotonic() < deadline:
            time.sleep(0.1)
    try:
        return measure(command, fresh, site / "posts", runs)
    finally:
        if keep:
            subprocess.run([sys.executable, "-m", "pysite", "julia", "stop"], capture_output=True)


def hugo_times(site: Path, runs: int) -> tuple[float, float, float]:
    def fresh() -> None:
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
    return measure(["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")], fresh,
                   site / "content" / "posts", runs)


def jekyll_times(site: Path, runs: int) -> tuple[float, float, float]:
    def fresh() -> None:
        shutil.rmtree(site / "_site", ignore_errors=True)
        (site / ".jekyll-metadata").unlink(missing_ok=True)
        shutil.rmtree(site / ".jekyll-cache", ignore_errors=True)
    return measure(["jekyll", "build", "--quiet", "--incremental", "-s", str(site), "-d", str(site / "_site")],
                   fresh, site / "posts", runs)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds between two builds, as an author's edit takes (default 0: back to back); "
                             "the work a pysite build leaves to do after its command ends (its state's save, "
                             "the relinking of the next build's folder) is done by then")
    args = parser.parse_args()
    global PAUSE
    PAUSE = args.pause
    with tempfile.TemporaryDirectory() as tmp:
        sites = make_sites(Path(tmp), args.pages)
        results, loads = {}, {}
        tools = (("pysite", functools.partial(pysite_times, keep=True)),
                 ("pysite-1", functools.partial(pysite_times, keep=False)),
                 ("hugo", hugo_times), ("jekyll", jekyll_times))
        for tool, times in tools:
            if not tool.startswith("pysite") and not shutil.which(tool):
                print(f"{tool}: not installed (apt-get install {tool}), skipped")
                continue
            before = load()
            results[tool] = times(sites[tool.split("-")[0]], args.runs)
            loads[tool] = f"{before}, after: {load()}"
    print(f"{args.pages} pages from the seeds, median of {args.runs} runs, {args.pause:g} s between builds "
          "(a quiet machine has a load average under 1.5; rerun when it is higher)")
    print("pysite: builds run by the kept build process, as after any earlier build; "
          "pysite-1: each build in its own process (--keep-build 0)")
    print(f"{'tool':8} {'cold build':>11} {'no change':>10} {'one page':>10}   load average (1, 5, 15 min)")
    for tool, (cold, warm, one) in results.items():
        print(f"{tool:8} {cold:10.3f}s {warm:9.3f}s {one:9.3f}s   {loads[tool]}")
    for ours in ("pysite", "pysite-1"):
        cold, warm, one = results[ours]
        for tool in ("hugo", "jekyll"):
            if tool in results:
                other_cold, other_warm, _ = results[tool]
                print(f"{ours} / {tool}: cold {cold / other_cold:.2f}x, no change {warm / other_warm:.2f}x, "
                      f"one page changed {one / other_warm:.2f}x of {tool}'s rebuild")


if __name__ == "__main__":
    main()
