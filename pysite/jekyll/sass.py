"""Jekyll's Sass: a `.scss` or `.sass` file with front matter is compiled to CSS by libsass (as
jekyll-sass-converter 2 does), its imports found in the site's `sass.sass_dir` (`_sass/`), the
installed theme's `_sass/` and the file's own folder, in `sass.style` (default compact, as converter 2 has it).
"""

from __future__ import annotations

import re
from pathlib import Path

import sass as libsass

from pysite.errors import ParseError
from pysite.jekyll import theme
from pysite.jekyll.site import GeneratorSite

STYLES = {"nested", "expanded", "compact", "compressed"}


def compile_sass(site: GeneratorSite, path: Path, text: str) -> str:
    settings = site.config.get("sass") if isinstance(site.config.get("sass"), dict) else {}
    folder = str(settings.get("sass_dir") or "_sass")
    paths = [site.source / folder] + [base for base in theme.folders(site, "_sass")[1:]] + [path.parent]
    style = str(settings.get("style") or "compact").lower().lstrip(":")
    try:
        return libsass.compile(string=text, include_paths=[str(p) for p in paths if p.is_dir()],
                               output_style=style if style in STYLES else "compact",
                               indented=path.suffix == ".sass")
    except libsass.CompileError as error:
        message = str(error).strip().splitlines()
        line = re.search(r"on line (\d+)", str(error))
        raise ParseError(f"Sass: {message[0].removeprefix('Error: ')}", path, int(line[1]) if line else None,
                         hint="the file is compiled as Jekyll compiles it, with the site's _sass/ and its "
                              "theme's on the import path") from None
