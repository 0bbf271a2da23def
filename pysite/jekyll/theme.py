"""A Jekyll gem theme installed on this machine (`theme:` in _config.yml), found where Jekyll's
Bundler or RubyGems keeps gems: the site's `vendor/bundle/`, then the folders `gem env gempath`
names. Its `_layouts/` and `_includes/` come after the site's own, as in Jekyll; a theme that
is not installed leaves the pages to pysite's theme.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pysite.jekyll.site import JEKYLL


@functools.lru_cache(maxsize=1)
def gem_paths() -> tuple[Path, ...]:
    """RubyGems' folders, asked once per process (none when Ruby is not installed)."""
    gem = shutil.which("gem")
    if gem is None:
        return ()
    try:
        answer = subprocess.run([gem, "env", "gempath"], capture_output=True, text=True, timeout=20,
                                stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(Path(part) for part in answer.stdout.strip().split(":") if part)


def version_key(folder: Path) -> tuple:
    version = folder.name.rsplit("-", 1)[-1]
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.]", version))


def find_theme(root: Path, name: str) -> Path | None:
    """The newest installed version of the gem `name` that holds a theme's `_layouts/`."""
    bundled = sorted((root / "vendor" / "bundle" / "ruby").glob("*")) if (root / "vendor").is_dir() else []
    for base in [*bundled, *gem_paths()]:
        found = [folder for folder in (base / "gems").glob(f"{name}-*")
                 if re.fullmatch(rf"{re.escape(name)}-\d[\w.]*", folder.name) and (folder / "_layouts").is_dir()]
        if found:
            return max(found, key=version_key)
    return None


def theme_folder(site: Any) -> Path | None:
    """The site's installed theme, looked up once per build."""
    if "theme_folder" not in site.cache:
        name = site.config.get("theme")
        wanted = site.kind == JEKYLL and isinstance(name, str) and name   # Hexo's themes are npm's or themes/
        site.cache["theme_folder"] = find_theme(site.root, name) if wanted else None
    return site.cache["theme_folder"]


def folders(site: Any, name: str) -> list[Path]:
    """Where `_layouts` or `_includes` files are looked for: the site's, then its theme's."""
    theme = theme_folder(site)
    return [site.source / name] + ([theme / name] if theme is not None else [])
