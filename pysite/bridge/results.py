"""The data that crosses the bridge: cell requests and results, a Julia
installation, and the `Bridge` interface both transports implement."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol



@dataclass
class CellRequest:
    code: str  # the cell's code as written
    line: int  # 1-based line in the .md of the first code line
    output_dir: Path  # folder for @OUTPUT (created by the Julia side on first use)


@dataclass
class CellResult:
    status: str  # "ok" | "error" | "timeout" | "crashed" | "not-evaluated"
    stdout: str = ""  # stdout and stderr, interleaved as printed
    value: str | None = None  # text/plain of the value; None when suppressed by ';' or nothing
    rich: tuple[str, bytes] | None = None  # (mime, data): best rich form of the value
    displays: list[tuple[str, bytes]] = field(default_factory=list)  # display() calls, in order
    error: str | None = None
    backtrace: str | None = None
    seconds: float = 0.0
    line: int | None = None  # the page line where the error happened, when known

    def to_json(self) -> dict:
        """The result as a JSON-ready dict (bytes as base64), for the on-disk cell cache."""
        data = asdict(self)
        data["rich"] = _encode_mime(self.rich) if self.rich else None
        data["displays"] = [_encode_mime(d) for d in self.displays]
        return data

    @classmethod
    def from_json(cls, data: dict | str | bytes) -> "CellResult":
        """From `to_json()`'s dict, or that dict serialised as JSON text."""
        data = dict(data) if isinstance(data, dict) else json.loads(data)
        data["rich"] = _decode_mime(data["rich"]) if data.get("rich") else None
        data["displays"] = [_decode_mime(d) for d in data.get("displays", [])]
        return cls(**data)


def _encode_mime(item: tuple[str, bytes]) -> list[str]:
    return [item[0], base64.b64encode(item[1]).decode("ascii")]


def _decode_mime(item: list[str]) -> tuple[str, bytes]:
    return (item[0], base64.b64decode(item[1]))


@dataclass(frozen=True)
class Limits:
    """What one page's cells may use."""
    timeout: float = 60.0            # seconds per cell
    output: int = 1 << 20            # bytes of printed output (and of the value's text) per cell
    memory: int | None = None        # bytes of address space for the worker; None: half the machine's memory


@dataclass(frozen=True)
class JuliaInstall:
    executable: Path
    project: Path | None = None  # a Julia project to activate (juliapkg's), if any
    found_by: str = field(default="", compare=False)  # why this Julia: what `pysite julia` says


class Bridge(Protocol):
    julia_version: str

    def run_page(self, path: str, cells: list[CellRequest], limits: Limits) -> list[CellResult]:
        """Evaluate a page's cells (`path` relative to the site) in order in a fresh module."""
        ...

    def eval_value(self, code: str, path: str, line: int, timeout: float) -> object:
        """Evaluate one expression (a page variable) and return it as a Python value.

        Raises pysite.errors.JuliaError located at `path:line`."""
        ...

    def close(self) -> None: ...
