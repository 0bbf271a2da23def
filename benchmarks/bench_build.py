"""Build the same 1,000 pages (made from the seed pages) with pysite, Hugo and Jekyll.

Prints each tool's cold build and no-change rebuild time (median of --runs) and
pysite's ratio to each. Usage: .venv/bin/python benchmarks/bench_build.py [--pages 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
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


def pysite_times(site: Path, runs: int) -> tuple[float, float]:
    pysite = [sys.executable, "-m", "pysite", "build", str(site), "-q"]
    cold, warm = [], []
    for _ in range(runs):
        shutil.rmtree(site / "__site", ignore_errors=True)
        shutil.rmtree(site / ".pysite", ignore_errors=True)
        cold.append(timed(pysite))
        warm.append(timed(pysite))
    return statistics.median(cold), statistics.median(warm)


def hugo_times(site: Path, runs: int) -> tuple[float, float]:
    hugo = ["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")]
    cold, warm = [], []
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        cold.append(timed(hugo))
        warm.append(timed(hugo))  # Hugo has no incremental CLI build: this is a full build
    return statistics.median(cold), statistics.median(warm)


def jekyll_times(site: Path, runs: int) -> tuple[float, float]:
    jekyll = ["jekyll", "build", "--quiet", "--incremental", "-s", str(site), "-d", str(site / "_site")]
    cold, warm = [], []
    for _ in range(runs):
        shutil.rmtree(site / "_site", ignore_errors=True)
        (site / ".jekyll-metadata").unlink(missing_ok=True)
        shutil.rmtree(site / ".jekyll-cache", ignore_errors=True)
        cold.append(timed(jekyll))
        warm.append(timed(jekyll))
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sites = make_sites(Path(tmp), args.pages)
        results = {"pysite": pysite_times(sites["pysite"], args.runs)}
        for tool, measure in (("hugo", hugo_times), ("jekyll", jekyll_times)):
            if shutil.which(tool):
                results[tool] = measure(sites[tool], args.runs)
            else:
                print(f"{tool}: not installed (apt-get install {tool}), skipped")
    print(f"{args.pages} pages from the seeds, median of {args.runs} runs")
    print(f"{'tool':8} {'cold build':>12} {'no-change rebuild':>18}")
    for tool, (cold, warm) in results.items():
        print(f"{tool:8} {cold:11.3f}s {warm:17.3f}s")
    cold, warm = results["pysite"]
    for tool in ("hugo", "jekyll"):
        if tool in results:
            other_cold, other_warm = results[tool]
            print(f"pysite / {tool}: cold {cold / other_cold:.2f}x, rebuild {warm / other_warm:.2f}x")


if __name__ == "__main__":
    main()
