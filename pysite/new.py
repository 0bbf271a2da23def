"""`pysite new`: a working site from the skeleton, with the default theme's layouts and CSS to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from pysite.layout import THEME

SKELETON = Path(__file__).parent / "skeleton"


def create_site(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} exists and is not empty")
    shutil.copytree(SKELETON, directory, dirs_exist_ok=True)
    for folder in ("_layout", "_css"):
        shutil.copytree(THEME / folder, directory / folder)
