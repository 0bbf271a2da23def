"""The pages `serve` shows instead of a page that failed to build, and when a site has no 404 page.

Only `serve` shows them (a built site never contains them); the live-reload script is added
like to any page, so the next good save brings the page back.
"""

from __future__ import annotations

import html
from pathlib import Path

from pysite.errors import Diagnostic, shown_path

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { color: #b00020; font-size: 1.4rem; }
.problem { border-left: 4px solid #b00020; background: #fff4f4; padding: .6rem 1rem; margin: 1rem 0; }
.problem pre { margin: .3rem 0; white-space: pre-wrap; font-size: .95rem; }
.where { font-family: ui-monospace, monospace; font-weight: bold; }
.hint { color: #555; }
@media (prefers-color-scheme: dark) {
  body { background: #1b1b1b; color: #ddd; } .problem { background: #2a1a1a; } .hint { color: #aaa; }
}
"""


def document(title: str, body: str) -> bytes:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n").encode("utf-8")


def error_page(problems: list[Diagnostic], site: Path) -> bytes:
    items = []
    for problem in problems:
        where = ""
        if problem.path is not None:
            where = relative(problem.path, site) + (f":{problem.line}" if problem.line else "")
        parts = [f'<div class="problem"><div class="where">{html.escape(where)}</div>',
                 f"<pre>{html.escape(problem.message)}</pre>"]
        if problem.source_line:
            parts.append(f"<pre>    {html.escape(problem.source_line.rstrip())}</pre>")
        if problem.hint:
            parts.append(f'<div class="hint">hint: {html.escape(problem.hint)}</div>')
        items.append("".join(parts) + "</div>")
    body = ("<h1>This page did not build</h1>\n" + "\n".join(items) +
            "\n<p>Fix it and save: this page reloads by itself.</p>")
    return document("pysite: build error", body)


def not_found_page(path: str) -> bytes:
    body = (f"<h1>Not found</h1>\n<p><code>{html.escape(path)}</code> is not part of this site.</p>\n"
            '<p><a href="/">Home</a></p>')
    return document("Not found", body)


def relative(path: Path, site: Path) -> str:
    return shown_path(path, site).as_posix()
