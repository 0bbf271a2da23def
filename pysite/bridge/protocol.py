"""The wire format shared with julia/protocol.jl: messages of length-prefixed
binary fields behind a magic number, each request with an id its replies repeat,
requests built from cells, and replies decoded into results."""

from __future__ import annotations

import datetime
import os
import secrets
import select
import struct
import time

from pysite.bridge.results import CellRequest, CellResult
from pysite.errors import JuliaError

PROTOCOL_VERSION = "2"  # julia/protocol.jl's PROTOCOL_VERSION
MAGIC = b"PYS\x02"
_U32 = struct.Struct("<I")


class ProtocolError(Exception):
    """A reply that is not the answer to the request: written by something other than the bridge."""


def new_id() -> str:
    """A request id no cell can guess, so no cell can forge a reply."""
    return secrets.token_hex(8)


def encode_message(fields: list[bytes | str]) -> bytes:
    parts = [MAGIC, _U32.pack(len(fields))]
    for f in fields:
        b = f.encode() if isinstance(f, str) else f
        parts.append(_U32.pack(len(b)))
        parts.append(b)
    return b"".join(parts)


def parse_message(buf: bytes | bytearray, pos: int = 0) -> tuple[list[bytes], int] | None:
    """One message from `buf` at `pos` and the position after it; None if incomplete."""
    end = len(buf)
    if end - pos < 8:
        return None
    if buf[pos:pos + 4] != MAGIC:
        raise ProtocolError("a reply without the protocol's magic number")
    (count,) = _U32.unpack_from(buf, pos + 4)
    pos += 8
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

    def feed(self, data: bytes) -> None:
        """Bytes read from the pipe elsewhere (a kept worker's first message, from its watchdog)."""
        self._buf += data

    def read(self, deadline: float | None = None, request_id: str | None = None) -> list[bytes]:
        """The next message; with `request_id`, it must be a reply to that request."""
        while True:
            parsed = parse_message(self._buf)
            if parsed is not None:
                del self._buf[:parsed[1]]
                message = parsed[0]
                if request_id is not None and (len(message) < 2 or message[1] != request_id.encode()):
                    raise ProtocolError("a reply with another request's id")
                return message
            self._fill(deadline)

    def _fill(self, deadline: float | None) -> None:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and (wait <= 0 or not select.select([self.fd], [], [], wait)[0]):
            raise TimeoutError
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            raise EOFError("Julia closed the reply pipe")
        self._buf += chunk


def page_request(request_id: str, path: str, output_limit: int, cells: list[CellRequest]) -> bytes:
    fields: list[bytes | str] = ["page", request_id, path, str(output_limit), str(len(cells))]
    for cell in cells:
        fields += [cell.code, str(cell.line), str(cell.output_dir)]
    return encode_message(fields)


def _optional(field: bytes) -> bytes | None:
    return field[1:] if field else None


def _optional_text(field: bytes) -> str | None:
    return field[1:].decode("utf-8", "replace") if field else None


def decode_cell(fields: list[bytes]) -> CellResult:
    """A `cell` reply: id, status, seconds, output, value?, mime?, data?, error?, backtrace?, line,
    (mime, data)*."""
    if fields[0] != b"cell":
        raise ProtocolError(f"a {fields[0][:20]!r} reply where a cell's was due")
    status = fields[2].decode()
    mime, data = _optional_text(fields[6]), _optional(fields[7])
    return CellResult(
        status="timeout" if status == "interrupted" else status,
        stdout=fields[4].decode("utf-8", "replace"),
        value=_optional_text(fields[5]),
        rich=(mime, data) if mime is not None and data is not None else None,
        displays=[(fields[i].decode(), fields[i + 1]) for i in range(11, len(fields), 2)],
        error=_optional_text(fields[8]),
        backtrace=_optional_text(fields[9]),
        seconds=float(fields[3]),
        line=int(fields[10]) or None,
    )


def decode_value(fields: list[bytes]) -> object:
    """A `value` reply: the tagged prefix encoding of julia/protocol.jl `encode_value!`."""
    items = iter(fields[2:])

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


UTILS_TIMEOUT = 60.0  # seconds for loading utils.jl and for one call of its functions


class Requests:
    """The requests both transports answer the same way, on top of their
    `_send(kind, args, path, line, timeout)` (which adds the request id)."""

    def _request(self, kind: str, args: list[bytes | str], path: str | None, line: int | None,
                 timeout: float = UTILS_TIMEOUT) -> list[bytes]:
        reply = self._send(kind, args, path, line, timeout)
        if reply[0] == b"error":
            raise JuliaError(reply[2].decode("utf-8", "replace"), path, line)
        return reply

    def eval_value(self, code: str, path: str, line: int, timeout: float = UTILS_TIMEOUT) -> object:
        return decode_value(self._request("eval", [code, path, str(line)], path, line, timeout))

    def load_utils(self, code: str, path: str) -> None:
        """Evaluate a site's utils.jl into the site module (replacing the previous one)."""
        self._request("load_utils", [code, path], path, 1)

    def call(self, name: str, args: list[str], path: str | None = None, line: int | None = None) -> str:
        """Call `name(args)` (or `name()` without args) from utils.jl; its result as a string."""
        return self._request("call", [name, *args], path, line)[2].decode()

