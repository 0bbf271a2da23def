"""`pysite new`: a working site copied from the skeleton that ships with pysite."""

from __future__ import annotations

import shutil
from pathlib import Path

SKELETON = Path(__file__).parent / "skeleton"


def create_site(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} exists and is not empty")
    shutil.copytree(SKELETON, directory, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
