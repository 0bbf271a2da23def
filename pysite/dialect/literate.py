"""Literate.jl scripts as page sections: `# ` comment lines are Markdown, code runs as cells.
As in Franklin, a cell's output shows only on a page with `@def showall = true`.

Only the Literate.jl syntax that shapes a page is read: `#-` ends a code chunk,
`#md ` lines are kept (without the prefix), `#jl`/`#nb` lines are dropped, `## `
is a comment inside code.
"""

from __future__ import annotations

from typing import Callable


def literate_markdown(script: str, next_name: Callable[[], str]) -> str:
    """Markdown for a script: its prose, and a ```julia:NAME``` cell per code chunk."""
    parts: list[str] = []
    code: list[str] = []

    def end_chunk() -> None:
        while code and not code[-1].strip():
            code.pop()
        if code:
            name = next_name()
            parts.append(f"\n```julia:{name}\n" + "\n".join(code) + "\n```\n\n")
        code.clear()

    for line in script.splitlines():
        if line.startswith(("#jl", "#nb")):
            continue
        line = line.removeprefix("#md ") if line.startswith("#md ") else line
        stripped = line.lstrip()
        if line.startswith("#-"):
            end_chunk()
        elif stripped == "#" or (line.startswith("# ") and not line.startswith("## ")):
            end_chunk()
            parts.append(line[2:] + "\n")
        elif code or line.strip():
            code.append(line.replace("## ", "# ", 1) if stripped.startswith("## ") else line)
    end_chunk()
    return "".join(parts)
