"""A site's own functions: `hfun_name` answers `{{name ...}}`, `lx_name` answers `\\name{...}`.

`utils.py` (Python) is loaded once per process; `utils.jl` (Julia) is loaded once per
build into a site module by the bridge (pysite.dialect.julia_utils). Both see the page
through `locvar(name)`, `globvar(name)` and `pagevar(page, name)`; `@delay` (Julia)
or `@delay` (Python decorator) defers a function to render time, when every page
has been read. A function that raises is a warning with its error and backtrace;
the page is still built.
"""

from __future__ import annotations

import signal
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Iterator

from pysite.dialect.context import PageScope, as_text
from pysite.errors import ParseError

if TYPE_CHECKING:
    from pysite.config import SiteConfig

PREFIXES = {"hfun": "hfun_", "lx": "lx_"}


@dataclass
class LxCommand:
    """What an `lx_name(com, _)` function receives: the command's name and its brace contents."""

    name: str
    braces: list[str]

    def content(self, index: int = 0) -> str:
        return self.braces[index]


def delay(function: Callable) -> Callable:
    """Mark an hfun to run at render time, when every page's variables are known."""
    function.delay = True
    return function


class PythonUtils:
    def __init__(self, path: Path):
        self.path = path
        self.module = ModuleType("utils")
        self.module.__file__ = str(path)
        self.module.__dict__.update(delay=delay, locvar=None, globvar=None, pagevar=None)
        code = path.read_text(encoding="utf-8")
        try:
            exec(compile(code, str(path), "exec"), self.module.__dict__)
        except SyntaxError as error:
            raise ParseError(f"utils.py: {error.msg}", path, error.lineno) from None
        except (Exception, SystemExit, KeyboardInterrupt) as error:
            raise ParseError(f"utils.py failed to load: {type(error).__name__}: {error}", path,
                             error_line(error, path)) from None

    def function(self, kind: str, name: str) -> Callable | None:
        found = getattr(self.module, PREFIXES[kind] + name, None)
        return found if callable(found) else None

    def has(self, kind: str, name: str) -> bool:
        return self.function(kind, name) is not None

    def delayed(self, kind: str, name: str) -> bool:
        return bool(getattr(self.function(kind, name), "delay", False))

    def variable(self, name: str) -> tuple[bool, Any]:
        if name.startswith("_") or name not in self.module.__dict__:
            return False, None
        value = self.module.__dict__[name]
        return (False, None) if callable(value) or isinstance(value, ModuleType) else (True, value)

    def call_hfun(self, name: str, params: list[str], scope: PageScope, line: int | None) -> str:
        function = self.function("hfun", name)
        return self.run(f"hfun_{name}", lambda: function(params) if params else call_without(function),
                        scope, line)

    def call_lx(self, name: str, braces: list[str], scope: PageScope, line: int | None) -> str:
        function = self.function("lx", name)
        return self.run(f"lx_{name}", lambda: function(LxCommand(name, braces), None), scope, line)

    def run(self, label: str, call: Callable[[], Any], scope: PageScope, line: int | None) -> str:
        self.module.__dict__.update(bindings(scope))
        with watching_ctrl_c() as pressed:
            try:
                return as_text(call())
            # sys.exit() or a KeyboardInterrupt raised by the function is its failure, not a request
            # to stop the build; Ctrl-C pressed meanwhile still stops it.
            except (Exception, SystemExit, KeyboardInterrupt) as error:
                if pressed:
                    raise
                failed = error
        frames = [frame for frame in traceback.extract_tb(failed.__traceback__) if frame.filename == str(self.path)]
        backtrace = "".join(traceback.format_list(frames)).rstrip()
        scope.warn(f"{label} (utils.py) raised {type(failed).__name__}: {failed}\n{backtrace}", line)
        return ""


@contextmanager
def watching_ctrl_c() -> Iterator[list[bool]]:
    """A list that holds True once Ctrl-C (SIGINT) arrives within the block; the interrupt is
    raised as usual. Where SIGINT is not Python's default (ignored in build workers), nothing is watched."""
    pressed: list[bool] = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield pressed
        return

    def note(signum, frame) -> None:
        pressed.append(True)
        signal.default_int_handler(signum, frame)
    signal.signal(signal.SIGINT, note)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def call_without(function: Callable) -> Any:
    """`{{name}}` calls `hfun_name()`; a function written to take params gets an empty list."""
    try:
        return function()
    except TypeError as error:
        if "positional argument" not in str(error):
            raise
        return function([])


def bindings(scope: PageScope) -> dict[str, Callable]:
    """`locvar`, `globvar`, `pagevar` for the page being built."""
    def locvar(name: str, default: Any = None) -> Any:
        found, value = scope.lookup(str(name))
        return value if found else default

    def globvar(name: str, default: Any = None) -> Any:
        return scope.site.get(str(name), default)

    def pagevar(page: str, name: str, default: Any = None) -> Any:
        found, value = scope.page_variable(str(page), str(name))
        return value if found else default

    return {"locvar": locvar, "globvar": globvar, "pagevar": pagevar}


def error_line(error: BaseException, path: Path) -> int | None:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == str(path)]
    return frames[-1].lineno if frames else None


class Utils:
    """The site's utils.py and utils.jl together; utils.py answers first. utils.jl is
    loaded on first use, as that needs the Julia bridge (which only the main process holds)."""

    def __init__(self, python: PythonUtils | None, julia_path: Path | None, bridge: Callable | None):
        self.python = python
        self.julia_path = julia_path
        self.bridge = bridge          # () -> Bridge | None; raises NeedsJulia outside the main process
        self._julia: Any = None

    def parts(self) -> list[Any]:
        found = [self.python] if self.python is not None else []
        if self.julia_path is not None and self.bridge is not None:
            if self._julia is None:
                bridge = self.bridge()
                self._julia = julia_utils(bridge, self.julia_path) if bridge is not None else False
            if self._julia:
                found.append(self._julia)
        return found

    def owner(self, kind: str, name: str) -> Any:
        return next((part for part in self.parts() if part.has(kind, name)), None)

    def has(self, kind: str, name: str) -> bool:
        return self.owner(kind, name) is not None

    def delayed(self, kind: str, name: str) -> bool:
        return self.owner(kind, name).delayed(kind, name)

    def call_hfun(self, name: str, params: list[str], scope: PageScope, line: int | None) -> str:
        return self.owner("hfun", name).call_hfun(name, params, scope, line)

    def call_lx(self, name: str, braces: list[str], scope: PageScope, line: int | None) -> str:
        return self.owner("lx", name).call_lx(name, braces, scope, line)

    def variable(self, name: str) -> tuple[bool, Any]:
        return self.python.variable(name) if self.python is not None else (False, None)


@lru_cache(maxsize=4)
def _python_utils(path: Path, mtime_ns: int, size: int) -> PythonUtils:
    return PythonUtils(path)


_JULIA: dict[tuple, Any] = {}


def julia_utils(bridge: Any, path: Path) -> Any:
    """utils.jl in this bridge's site module, loaded again when the file or the bridge changes."""
    from pysite.dialect.julia_utils import JuliaUtils
    stat = path.stat()
    key = (id(bridge), str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _JULIA:
        _JULIA.clear()
        _JULIA[key] = JuliaUtils(bridge, path)
    return _JULIA[key]


def load_utils(config: SiteConfig, bridge: Callable | None = None) -> Utils | None:
    """The site's utils.py and utils.jl, or None when it has neither (`config`: the site's SiteConfig)."""
    stat = config.site_file_stat("utils.py")
    python = _python_utils(config.root / "utils.py", stat.st_mtime_ns, stat.st_size) if stat else None
    julia = config.site_file_stat("utils.jl") is not None
    if python is None and not julia:
        return None
    return Utils(python, config.root / "utils.jl" if julia else None, bridge)
