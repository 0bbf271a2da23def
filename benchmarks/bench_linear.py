"""Cost against input size: a page's dialect expansion and Markdown parse at 1x and 4x the
text; linear work takes about 4x as long (quadratic: 16x).

    .venv/bin/python benchmarks/bench_linear.py
"""

from __future__ import annotations

import time
from pathlib import Path

from pysite.dialect import expand
from pysite.config import FRANKLIN
from pysite.markdown import build_parser

DIALECT = "Text with \\R and {{fill author}} and `code \\x` and $\\R^2$.\n\n@@box\nin a box\n@@\n\n"
PROSE = ("The work is done, said we: with words and words to spare, and time to read them. " * 20
         + "See https://example.org/a?b=1, write to a.b@example.com or visit www.example.net. ")


def best(run, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    md = build_parser(FRANKLIN)
    definitions = "\\newcommand{\\R}{\\mathbb{R}}\n\n"
    cases = {
        "dialect expansion": lambda n: (lambda: expand(definitions + DIALECT * n, Path("page.md"))),
        "Markdown, one paragraph": lambda n: (lambda: md.parse(PROSE * n, {})),
    }
    for name, make in cases.items():
        small, large = best(make(500)), best(make(2000))
        print(f"{name:26s} 1x {small * 1000:8.1f} ms   4x {large * 1000:8.1f} ms   ratio {large / small:4.1f}")


if __name__ == "__main__":
    main()
