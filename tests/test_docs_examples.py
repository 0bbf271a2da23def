"""The Python examples of the documentation pages run, and print what their comments say."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from conftest import ROOT

pytestmark = pytest.mark.julia

FENCE = re.compile(r"^(`{3,})python\n(.*?)^\1$", re.M | re.S)
EXPECTED = re.compile(r"^\s*print\(.*\)\s+# (.*)$", re.M)


def examples(page: str) -> list[str]:
    return [match.group(2) for match in FENCE.finditer((ROOT / page).read_text(encoding="utf-8"))]


@pytest.mark.parametrize("index", range(len(examples("pages/api.md"))))
def test_python_api_page_examples(index, julia_install, monkeypatch, tmp_path):
    monkeypatch.setenv("PYSITE_JULIA", str(julia_install.executable))
    monkeypatch.chdir(tmp_path)
    code = examples("pages/api.md")[index]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"pages/api.md example {index + 1}", "exec"), {})
    expected = [comment.split(":")[0].strip() for comment in EXPECTED.findall(code)]
    assert printed.getvalue().splitlines() == expected
