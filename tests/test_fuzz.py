"""Fuzzing the page pipeline (issue 11, point 11): generated front matter, dialect and Markdown,
and mutations of the test sites' pages, each built for real into a folder; every input builds
or gives pysite's own located error, and the site's other page is built regardless.
A bounded run here; `benchmarks/fuzz_pages.py --examples N` runs longer."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from fuzz_pages import PAGES, Site

EXAMPLES = int(os.environ.get("PYSITE_FUZZ_EXAMPLES", "200"))  # about 25 s: each is a real build


def test_every_page_builds_or_says_where_it_went_wrong(tmp_path, monkeypatch):
    for name, value in (("PATH", "/usr/bin:/bin"), ("PYSITE_JULIA_PREFIX", os.devnull)):  # no Julia: cells
        monkeypatch.setenv(name, value)                                                # are shown, not run
    monkeypatch.delenv("PYSITE_JULIA", raising=False)

    site = Site(tmp_path / "site")

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(PAGES)
    def builds_or_says_where(text: str) -> None:
        site.check(text)

    try:
        builds_or_says_where()
    finally:
        site.close()
