"""Save a layout of a 100-page site many times under `pysite serve` while a client keeps
requesting pages; fails if serve ever stops answering (issue 11, point 12).

    .venv/bin/python benchmarks/stress_serve.py [--saves 500] [--pages 100]

The test suite runs the same check with 40 saves (tests/test_serve_robust.py).
"""

from __future__ import annotations

import argparse
import http.client
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

LAYOUT = "<!doctype html><html><body><main>{{ content }}</main><footer>layout {}</footer></body></html>\n"
REBUILT = re.compile(r": \d+ pages? written")


def fetch(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    site = Path(tempfile.mkdtemp(prefix="pysite-stress-"))
    (site / "pages").mkdir()
    (site / "_layout").mkdir()
    (site / "_layout/page.html").write_text(LAYOUT.replace("{}", "0"))
    for i in range(args.pages):
        (site / f"pages/p{i}.md").write_text(f"---\nlayout: page\n---\n# P{i}\n\ntext {i}\n")
    process = subprocess.Popen([sys.executable, "-m", "pysite", "serve", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    rebuilt = threading.Semaphore(0)

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if REBUILT.search(line):
                rebuilt.release()
    threading.Thread(target=read, daemon=True).start()
    rebuilt.acquire(timeout=120)
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", "".join(lines)).group(1))
    requests, started = 0, time.monotonic()
    try:
        for save in range(1, args.saves + 1):
            (site / "_layout/page.html").write_text(LAYOUT.replace("{}", str(save)))
            if not rebuilt.acquire(timeout=60):
                print(f"serve stopped rebuilding after {save - 1} saves", file=sys.stderr)
                return 1
            for path in ("/pages/p1/", f"/pages/p{save % args.pages}/"):
                if fetch(port, path) != 200:
                    print(f"serve stopped answering after {save} saves", file=sys.stderr)
                    return 1
                requests += 1
        print(f"{args.saves} layout saves on {args.pages} pages, {requests} requests answered, "
              f"{time.monotonic() - started:.0f} s; no hang")
        return 0
    finally:
        process.terminate()
        process.wait(20)


if __name__ == "__main__":
    sys.exit(main())
