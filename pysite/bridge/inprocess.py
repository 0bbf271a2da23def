"""The experimental juliacall transport: the same julia/PysiteBridge.jl, loaded into
an in-process Julia. It needs juliacall (Julia >= 1.10) and has never run where
pysite is tested. It cannot time out a cell, limit its memory, restart Julia, keep
pages apart (a page's tasks, timers and methods stay), or survive a cell that
crashes it (`exit()` ends Python): the worker transport is the default for those reasons."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from pysite.bridge.install import julia_source_dir
from pysite.bridge.protocol import Requests, decode_cell, encode_message, new_id, page_request, split_messages
from pysite.bridge.results import CellRequest, CellResult, JuliaInstall, Limits
from pysite.errors import JuliaError

HINT = ("juliacall needs `pip install 'pysite-ssg[juliacall]'` and Julia >= 1.10 with PythonCall.jl; "
        "use the worker transport (the default)")


class JuliacallBridge(Requests):
    def __init__(self, install: JuliaInstall, project: Path | None = None, root: Path | None = None):
        active = project or install.project
        if active is not None and "PYTHON_JULIACALL_EXE" not in os.environ:
            # juliacall reads these at import; they only work set together.
            os.environ["PYTHON_JULIACALL_EXE"] = str(install.executable)
            os.environ["PYTHON_JULIACALL_PROJECT"] = str(active)
        try:
            from juliacall import Main as jl
        except Exception as e:  # ImportError, or juliapkg failing to resolve Julia/PythonCall
            raise JuliaError(f"the juliacall transport cannot start: {type(e).__name__}: {e}", hint=HINT) from None
        try:
            jl.seval(f"include({json.dumps(str(julia_source_dir() / 'PysiteBridge.jl'))})")
            self._handle = jl.seval("PysiteBridge.handle_base64")
            jl.seval("root -> PysiteBridge.ROOT[] = root")(str((root or Path.cwd()).resolve()))
            self.julia_version = str(jl.seval("string(VERSION)"))
        except Exception as e:
            raise JuliaError(f"the juliacall transport cannot load the bridge: {e}", hint=HINT) from None

    def _call(self, request: bytes) -> list[list[bytes]]:
        reply = self._handle(base64.b64encode(request).decode("ascii"))
        return split_messages(base64.b64decode(str(reply)))

    def run_page(self, path: str, cells: list[CellRequest], limits: Limits) -> list[CellResult]:
        # In-process code cannot be interrupted safely: the timeout is not enforced here, nor memory.
        if not cells:
            return []
        *replies, _done = self._call(page_request(new_id(), path, limits.output, cells))
        return [decode_cell(m) for m in replies]

    def _send(self, kind: str, args: list[bytes | str], path: str | None, line: int | None,
              timeout: float) -> list[bytes]:
        (reply,) = self._call(encode_message([kind, new_id(), *args]))
        return reply

    def close(self) -> None:
        """In-process Julia cannot be shut down; nothing to release."""
