"""The wire format shared with julia/protocol.jl: messages of length-prefixed
binary fields, requests built from cells, and replies decoded into results."""

from __future__ import annotations

import datetime
import os
import select
import struct
import time

from pysite.bridge.results import CellRequest, CellResult
from pysite.errors import JuliaError

_U32 = struct.Struct("<I")


def encode_message(fields: list[bytes | str]) -> bytes:
    parts = [_U32.pack(len(fields))]
    for f in fields:
        b = f.encode() if isinstance(f, str) else f
        parts.append(_U32.pack(len(b)))
        parts.append(b)
    return b"".join(parts)


def parse_message(buf: bytes | bytearray, pos: int = 0) -> tuple[list[bytes], int] | None:
    """One message from `buf` at `pos` and the position after it; None if incomplete."""
    end = len(buf)
    if end - pos < 4:
        return None
    (count,) = _U32.unpack_from(buf, pos)
    pos += 4
    fields = []
    for _ in range(count):
        if end - pos < 4:
            return None
        (size,) = _U32.unpack_from(buf, pos)
        pos += 4
        if end - pos < size:
            return None
        fields.append(bytes(buf[pos:pos + size]))
        pos += size
    return fields, pos


def split_messages(data: bytes) -> list[list[bytes]]:
    messages, pos = [], 0
    while pos < len(data):
        parsed = parse_message(data, pos)
        if parsed is None:
            raise EOFError("truncated reply from Julia")
        messages.append(parsed[0])
        pos = parsed[1]
    return messages


class MessageReader:
    """Reads messages from a pipe, with a deadline; EOFError when the writer is gone."""

    def __init__(self, fd: int):
        self.fd = fd
        self._buf = bytearray()

    def read(self, deadline: float | None = None) -> list[bytes]:
        while True:
            parsed = parse_message(self._buf)
            if parsed is not None:
                del self._buf[:parsed[1]]
                return parsed[0]
            self._fill(deadline)

    def _fill(self, deadline: float | None) -> None:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and (wait <= 0 or not select.select([self.fd], [], [], wait)[0]):
            raise TimeoutError
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            raise EOFError("Julia closed the reply pipe")
        self._buf += chunk


def page_request(path: str, cells: list[CellRequest]) -> bytes:
    fields: list[bytes | str] = ["page", path, str(len(cells))]
    for cell in cells:
        fields += [cell.code, str(cell.line), str(cell.output_dir)]
    return encode_message(fields)


def _optional(field: bytes) -> bytes | None:
    return field[1:] if field else None


def _optional_text(field: bytes) -> str | None:
    return field[1:].decode("utf-8", "replace") if field else None


def decode_cell(fields: list[bytes]) -> CellResult:
    """A `cell` reply: status, seconds, output, value?, mime?, data?, error?, backtrace?, (mime, data)*."""
    status = fields[1].decode()
    mime, data = _optional_text(fields[5]), _optional(fields[6])
    return CellResult(
        status="timeout" if status == "interrupted" else status,
        stdout=fields[3].decode("utf-8", "replace"),
        value=_optional_text(fields[4]),
        rich=(mime, data) if mime is not None and data is not None else None,
        displays=[(fields[i].decode(), fields[i + 1]) for i in range(9, len(fields), 2)],
        error=_optional_text(fields[7]),
        backtrace=_optional_text(fields[8]),
        seconds=float(fields[2]),
    )


def decode_value(fields: list[bytes]) -> object:
    """A `value` reply: the tagged prefix encoding of julia/protocol.jl `encode_value!`."""
    items = iter(fields[1:])

    def take() -> object:
        tag = next(items)
        if tag == b"s":
            return next(items).decode()
        if tag == b"i":
            return int(next(items))
        if tag == b"f":
            return float(next(items))
        if tag == b"b":
            return next(items) == b"1"
        if tag == b"n":
            return None
        if tag == b"D":
            return datetime.date.fromisoformat(next(items).decode())
        if tag == b"T":
            return datetime.datetime.fromisoformat(next(items).decode())
        if tag == b"l":
            return [take() for _ in range(int(next(items)))]
        if tag == b"d":
            pairs = [(take(), take()) for _ in range(int(next(items)))]
            return {_hashable(k): v for k, v in pairs}
        raise ValueError(f"unknown value tag {tag!r} from Julia")

    return take()


def _hashable(key: object) -> object:
    return tuple(key) if isinstance(key, list) else key


class Requests:
    """The requests both transports answer the same way, on top of their `_send(fields, path, line)`."""

    def _request(self, fields: list[bytes | str], path: str | None, line: int | None) -> list[bytes]:
        reply = self._send(fields, path, line)
        if reply[0] == b"error":
            raise JuliaError(reply[1].decode("utf-8", "replace"), path, line)
        return reply

    def eval_value(self, code: str, path: str, line: int) -> object:
        return decode_value(self._request(["eval", code, path, str(line)], path, line))

    def load_utils(self, code: str, path: str) -> None:
        """Evaluate a site's utils.jl into the site module (replacing the previous one)."""
        self._request(["load_utils", code, path], path, 1)

    def call(self, name: str, args: list[str], path: str | None = None, line: int | None = None) -> str:
        """Call `name(args)` (or `name()` without args) from utils.jl; its result as a string."""
        return self._request(["call", name, *args], path, line)[1].decode()

