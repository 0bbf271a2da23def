"""Timings of the Julia bridge (worker transport): per-cell overhead, a page of
100 small cells, time to first output against `julia` running a script, and a site of
20 pages of cells built on one core against one Julia worker per core (`-j`).

    PYSITE_JULIA=... .venv/bin/python benchmarks/bench_bridge.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pysite.api import Julia
from pysite.bridge import CellRequest, Limits, find_julia, open_bridge

PAGE_CODE = 'x = sum(1:10)\nprintln("x is ", x)\nx'
# A page of the parallel site: two cells of fixed work (sums of 10 million sines: 0.3 s each with Julia 1.5 here).
WORK_PAGE = ("# Page {n}\n\n```julia:a\ns = sum(sin, 1:{n}_000_000 + 10_000_000)\n```\n\\output{{a}}\n\n"
             "```julia:b\nprintln(round(s + sum(cos, 1:10_000_000)))\n```\n\\output{{b}}\n")


def page(out: Path, codes: list[str]) -> list[CellRequest]:
    return [CellRequest(code, 3 + 4 * i, out / f"c{i}") for i, code in enumerate(codes)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def parallel_site(root: Path, pages: int = 20) -> dict[str, tuple[float, str]]:
    """Build a site of `pages` pages of cells with -j1 and -jN (N cores), with cold workers and
    with workers kept from the build before; (seconds, load average) of each."""
    site = root / "parallel"
    (site / "pages").mkdir(parents=True)
    (site / "config.md").write_text('@def title = "cells"\n')
    for n in range(pages):
        (site / "pages" / f"p{n:02d}.md").write_text(WORK_PAGE.format(n=n))
    cores = os.cpu_count() or 1
    # Kept workers in a folder of this run's own, so that stopping them touches no one else's.
    env = {**os.environ, "XDG_RUNTIME_DIR": str(root / "run")}
    (root / "run").mkdir()
    pysite = [sys.executable, "-m", "pysite"]

    def build(jobs: int, keep: str) -> tuple[float, str]:
        shutil.rmtree(site / "__site", ignore_errors=True)
        command = pysite + ["build", str(site), "-q", "--reeval", f"-j{jobs}", "--keep-julia", keep]
        before = load()
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdin=subprocess.DEVNULL)
        return time.perf_counter() - start, before

    times = {}
    for jobs in (1, cores):
        times[f"-j{jobs}, cold workers"] = build(jobs, "0")
        build(jobs, "60")  # starts the kept workers
        times[f"-j{jobs}, kept workers"] = build(jobs, "60")
        subprocess.run(pysite + ["julia", "stop"], env=env, capture_output=True)
    return times


def main() -> None:
    install = find_julia()
    if install is None:
        sys.exit("no Julia: run `pysite julia install` (or set PYSITE_JULIA)")
    out = Path(tempfile.mkdtemp())
    script = out / "page.jl"
    script.write_text(PAGE_CODE + "\n")

    start = time.perf_counter()
    subprocess.run([str(install.executable), "--startup-file=no", str(script)], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    script_time = time.perf_counter() - start

    start = time.perf_counter()
    bridge = open_bridge(install)
    bridge.run_page("bench/cold.md", page(out, [PAGE_CODE]), Limits(timeout=120))
    cold = time.perf_counter() - start

    start = time.perf_counter()
    bridge.run_page("bench/warm.md", page(out, [PAGE_CODE]), Limits(timeout=120))
    warm = time.perf_counter() - start

    for _ in range(20):  # let the trivial path compile before timing it
        bridge.run_page("bench/trivial.md", page(out, ["1"]), Limits(timeout=60))
    trivial = []
    for _ in range(300):
        start = time.perf_counter()
        bridge.run_page("bench/trivial.md", page(out, ["1"]), Limits(timeout=60))
        trivial.append(time.perf_counter() - start)
    trivial.sort()

    hundred = page(out, [f"y{i} = {i} + 1" for i in range(100)])
    totals = []
    for _ in range(5):
        start = time.perf_counter()
        bridge.run_page("bench/hundred.md", hundred, Limits(timeout=60))
        totals.append(time.perf_counter() - start)
    bridge.close()

    with Julia(str(install.executable), root=out, cache=False) as api:  # what a Python program pays
        for _ in range(20):
            api.evaluate(["1"], path="bench/api.md")
        through_api = []
        for _ in range(300):
            start = time.perf_counter()
            api.evaluate(["1"], path="bench/api.md")
            through_api.append(time.perf_counter() - start)
    through_api.sort()

    print(f"julia: {install.executable}")
    print(f"per-cell overhead (1-cell page round trip, trivial cell): median {ms(statistics.median(trivial))}, "
          f"p90 {ms(trivial[int(len(trivial) * 0.9)])}")
    print(f"per-cell overhead through pysite.api (Julia.evaluate, cache off): median "
          f"{ms(statistics.median(through_api))}, p90 {ms(through_api[int(len(through_api) * 0.9)])}")
    print(f"page of 100 small cells: median total {ms(statistics.median(totals))} "
          f"({ms(statistics.median(totals) / 100)} per cell)")
    print(f"time to first output, `julia page.jl`: {ms(script_time)}")
    print(f"time to first output, bridge incl. cold worker start: {ms(cold)}")
    print(f"time to first output, bridge with a running worker (new page): {ms(warm)}")

    cores = os.cpu_count() or 1
    times = parallel_site(out)
    print(f"a site of 20 pages of cells (2 cells of 10 million sines each), `pysite build --reeval`, {cores} cores:")
    for name, (seconds, before) in times.items():
        print(f"  {name:22} {seconds:6.2f} s   ({before})")
    for kind in ("cold workers", "kept workers"):
        one, many = times[f"-j1, {kind}"][0], times[f"-j{cores}, {kind}"][0]
        print(f"  {kind}: -j{cores} takes {many / one:.2f}x the time of -j1 (1/{cores} = {1 / cores:.2f})")


if __name__ == "__main__":
    main()
