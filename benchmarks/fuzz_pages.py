"""A long fuzzing run of the page pipeline (tests/fuzz_pages.py): N generated and mutated
pages, each built for real; prints how many built cleanly, how many gave located errors,
and the first failure hypothesis finds (shrunk), if any.

    .venv/bin/python benchmarks/fuzz_pages.py [--examples 5000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

import fuzz_pages  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.pop("PYSITE_JULIA", None)  # no Julia: cells are shown, not run
    os.environ.update(PATH="/usr/bin:/bin", PYSITE_JULIA_PREFIX=os.devnull)
    counts = {"built": 0, "located errors": 0}
    site = fuzz_pages.Site(Path(tempfile.mkdtemp(prefix="pysite-fuzz-")) / "site")
    started = time.monotonic()

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(fuzz_pages.PAGES)
    def run(text: str) -> None:
        report = site.check(text)
        counts["located errors" if report.errors else "built"] += 1

    try:
        run()
        failed = 0
    except Exception as error:  # noqa: BLE001 - the shrunk failure is the report
        print(f"FAILED: {type(error).__name__}: {error}", *getattr(error, "__notes__", ()), sep="\n", file=sys.stderr)
        failed = 1
    finally:
        site.close()
    print(f"{sum(counts.values())} builds in {time.monotonic() - started:.0f} s: "
          + ", ".join(f"{count} {name}" for name, count in counts.items()))
    return failed


if __name__ == "__main__":
    sys.exit(main())
