"""Timings of the Julia bridge (worker transport): per-cell overhead, a page of
100 small cells, and time to first output against `julia` running a script.

    PYSITE_JULIA=... .venv/bin/python benchmarks/bench_bridge.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pysite.api import Julia
from pysite.bridge import CellRequest, Limits, find_julia, open_bridge

PAGE_CODE = 'x = sum(1:10)\nprintln("x is ", x)\nx'


def page(out: Path, codes: list[str]) -> list[CellRequest]:
    return [CellRequest(code, 3 + 4 * i, out / f"c{i}") for i, code in enumerate(codes)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


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


if __name__ == "__main__":
    main()
