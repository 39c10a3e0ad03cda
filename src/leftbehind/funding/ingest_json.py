"""Streaming 360Giving JSON packages (``{"grants": [...]}``) into DuckDB without loading them.

Why two paths: parsing millions of grants in Python (even with ijson's C backend) manages
about 90,000 grants/s on one core; DuckDB's JSON reader does several times that. So:

* **fast path** — when the file starts ``{"grants": [`` and ends ``]}`` (the usual package),
  the bytes of the array are streamed through a named pipe to DuckDB's ``read_json``;
* **general path** — otherwise (metadata before the grants, odd layouts) ijson streams the
  ``grants.item`` objects and we write them as JSON lines into the pipe.

Either way the file is read once, in pieces, and never held in memory whole. A file that is
not JSON, is truncated, or whose top level is not an object with a ``grants`` array is an
:class:`InputError` (the caller's transaction is rolled back, so the store is unchanged).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson

from leftbehind.errors import InputError

_HEAD = re.compile(rb'^\s*\{\s*"grants"\s*:\s*\[')
CHUNK = 1 << 20
MAX_OBJECT_BYTES = 64 * 1024 * 1024  # one grant (DuckDB's default, 16 MB, is too tight)


@contextlib.contextmanager
def fifo_feed(write: Callable[[IO[bytes]], None]) -> Iterator[tuple[str, list[BaseException]]]:
    """A named pipe that a thread fills with ``write(out)``; yields (pipe path, errors).

    The errors list is filled if the writer failed (e.g. truncated JSON found by ijson): the
    reader then saw a short stream, so the caller must check it and fail.
    """
    folder = tempfile.mkdtemp(prefix="leftbehind-")
    fifo = os.path.join(folder, "grants.json")
    os.mkfifo(fifo)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with open(fifo, "wb") as out:
                write(out)
        except BrokenPipeError:
            pass  # the reader stopped early (it reports its own error)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield fifo, errors
    finally:
        if thread.is_alive():  # unblock a writer whose reader never opened or closed early
            with contextlib.suppress(OSError):
                fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
                os.close(fd)
        thread.join(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def duckdb_reader(fmt: str, columns: str | None = None) -> str:
    """DuckDB's ``read_json`` of the file given as the query's parameter: records with the
    given ``columns`` (a DuckDB struct literal), or whole values when ``columns`` is None."""
    shape = f"records = true, columns = {columns}" if columns else "records = false"
    return f"read_json(?, format = '{fmt}', {shape}, maximum_object_size = {MAX_OBJECT_BYTES})"


def fast_path_span(path: Path) -> tuple[int, int] | None:
    """Byte span of the grants array if the file is exactly ``{"grants": [...]}``."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
            bom = 3
        else:
            bom = 0
        match = _HEAD.match(head)
        if not match:
            return None
        handle.seek(max(0, size - 256))
        tail = handle.read()
    stripped = tail.rstrip()
    if not stripped.endswith(b"}") or not stripped[:-1].rstrip().endswith(b"]"):
        return None
    end = size - (len(tail) - len(stripped)) - 1  # position of the final '}'
    return bom + match.end() - 1, end


@contextlib.contextmanager
def span_copy(path: Path, start: int, end: int) -> Iterator[Path | None]:
    """A temporary file holding bytes ``[start, end)`` of ``path`` (copied in the kernel), or
    ``None`` if it cannot be made (e.g. no space): the caller then uses the named pipe.

    DuckDB reads a regular file markedly faster than a pipe (about 1.5 s less for a 400 MB
    package), and the copy costs a fraction of that; it is removed afterwards.
    """
    folder = tempfile.mkdtemp(prefix="leftbehind-")
    target = Path(folder) / "grants.json"
    try:
        try:
            _copy_range(path, start, end, target)
        except OSError:
            yield None
            return
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_BOUNDARY = re.compile(rb"\}\s*,\s*\{")
# Keys every grant has and nested objects (organisations, locations, programmes) do not.
GRANT_KEYS = frozenset({"amountAwarded", "awardDate"})
PART_MIN_BYTES = 16 * 1024 * 1024  # smaller parts are not worth a thread (measured)
_WINDOW = 4 * 1024 * 1024


def item_boundary(path: Path, target: int, end: int) -> tuple[int, int] | None:
    """Offsets ``(close, open)`` of a ``}`` ending one top-level item of the array that ends
    at ``end`` and of the ``{`` starting the next, at or after ``target``; ``None`` if not
    found within a few MB.

    The scan starts mid-file without knowing whether it is inside a string, so a candidate
    ``}, {`` is only a guess (checked by decoding the next items). A wrong guess cannot be
    read silently: the part before it, ``[ ... }]``, then ends inside a string or an unclosed
    item, so DuckDB fails and the caller reads the whole array instead.
    """
    with path.open("rb") as handle:
        handle.seek(target)
        window = handle.read(min(_WINDOW, end - target))
    decoder = json.JSONDecoder()
    for match in _BOUNDARY.finditer(window):
        text = window[match.end() - 1:].decode("utf-8", errors="replace")
        try:
            pos = 0
            for _ in range(2):  # the next two items are grants separated by a comma
                item, pos = decoder.raw_decode(text, pos)
                if not (isinstance(item, dict) and GRANT_KEYS & item.keys()):
                    raise ValueError  # e.g. the 2nd of 4+ organisations in a nested list
                rest = text[pos:pos + 64].lstrip()
                if not rest.startswith(","):
                    raise ValueError
                pos = len(text) - len(text[pos:].lstrip()[1:].lstrip())
        except ValueError:
            continue
        return target + match.start(), target + match.end() - 1
    return None


def part_count(size: int) -> int:
    """How many parts to read a JSON array of ``size`` bytes in: one per core, each at least
    :data:`PART_MIN_BYTES`."""
    return max(1, min(os.cpu_count() or 1, size // PART_MIN_BYTES))


@contextlib.contextmanager
def part_copies(path: Path, start: int, end: int) -> Iterator[list[Path] | None]:
    """Temporary files, each a JSON array, holding the items of the array at ``[start, end)``
    cut at :func:`item_boundary` into :func:`part_count` parts (so DuckDB can read them on
    several threads; DuckDB reads one JSON array on one thread); ``None`` if the copies
    cannot be made (e.g. no space). Where no boundary is found, parts are merged.

    DuckDB also reads a regular file markedly faster than a pipe (about 1.5 s less for a
    400 MB package), and the copies, made in the kernel, cost a fraction of that.
    """
    count = part_count(end - start)
    cuts: list[tuple[int, int]] = []
    for k in range(1, count):
        target = start + (end - start) * k // count
        if cuts and target <= cuts[-1][1]:
            continue
        cut = item_boundary(path, target, end)
        if cut is not None:
            cuts.append(cut)
    folder = tempfile.mkdtemp(prefix="leftbehind-")
    files = [Path(folder) / f"grants_{i + 1}.json" for i in range(len(cuts) + 1)]
    # Part i spans from the item after cut i-1 (the array's own "[" for the first) to the
    # end of the item before cut i (the array's "]" for the last); the others get brackets.
    begins = [start] + [cut[1] for cut in cuts]
    stops = [cut[0] + 1 for cut in cuts] + [end]
    try:
        try:
            with ThreadPoolExecutor(max_workers=len(files)) as pool:
                list(pool.map(lambda i: _copy_range(
                    path, begins[i], stops[i], files[i], prefix=b"[\n" if i else b"",
                    suffix=b"\n]" if i < len(cuts) else b""), range(len(files))))
        except OSError:
            yield None
            return
        yield files
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_range(path: Path, start: int, end: int, target: Path, *, prefix: bytes = b"",
                suffix: bytes = b"") -> None:
    with path.open("rb") as src, target.open("wb", buffering=0) as dst:
        dst.write(prefix)
        offset, remaining = start, end - start
        while remaining > 0:
            try:
                done = os.copy_file_range(src.fileno(), dst.fileno(), remaining, offset)
            except OSError:  # e.g. across file systems on old kernels: copy here
                src.seek(offset)
                done = dst.write(src.read(min(CHUNK, remaining)))
            if done == 0:
                raise OSError("short copy")
            offset += done
            remaining -= done
        dst.write(suffix)


def copy_span(path: Path, start: int, end: int) -> Callable[[IO[bytes]], None]:
    """Writer that copies bytes ``[start, end)`` of ``path``."""

    def write(out: IO[bytes]) -> None:
        with path.open("rb") as handle:
            handle.seek(start)
            remaining = end - start
            while remaining > 0:
                block = handle.read(min(CHUNK, remaining))
                if not block:
                    break
                out.write(block)
                remaining -= len(block)

    return write


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def _json_kind(value: Any) -> str:
    """The JSON type of a parsed value, in the words of the problem messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "a number"


def lines_writer(records: Iterator[Any]) -> Callable[[IO[bytes]], None]:
    """Writer that writes records as JSON lines; a non-object record becomes a marker object."""

    def write(out: IO[bytes]) -> None:
        buffer: list[str] = []
        for record in records:
            if not isinstance(record, dict):
                record = {"_not_object": _json_kind(record)}
            buffer.append(json.dumps(record, default=_default, ensure_ascii=False))
            if len(buffer) >= 5000:
                out.write(("\n".join(buffer) + "\n").encode("utf-8"))
                buffer.clear()
        if buffer:
            out.write(("\n".join(buffer) + "\n").encode("utf-8"))

    return write


def iter_package(path: Path, *, use_float: bool = True) -> Iterator[Any]:
    """Stream the grants of a package with ijson, checking the top level as it goes."""
    try:
        with path.open("rb") as handle:
            events = ijson.parse(handle, use_float=use_float)
            first = next(events, None)
            if first is None:
                raise InputError("file is empty, expected a 360Giving package", path=path)
            if first[1] != "start_map":
                raise InputError(
                    "not a 360Giving package: the top level must be an object "
                    "{\"grants\": [...]}", path=path)
            seen = False
            for prefix, event, value in events:
                if prefix == "grants" and event == "start_array":
                    seen = True
                    yield from ijson.items(_Replay(events), "item", use_float=use_float)
                elif prefix == "" and event == "map_key" and value == "grants":
                    continue
                elif prefix == "grants" and event not in ("start_array",):
                    raise InputError("not a 360Giving package: 'grants' is not an array",
                                     path=path)
            if not seen:
                raise InputError("not a 360Giving package: no 'grants' array", path=path)
    except ijson.JSONError as exc:
        raise InputError(f"invalid or truncated JSON ({_short(exc)})", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None


class _Replay:
    """Feeds the events of the ``grants`` array (already started) to ``ijson.items``."""

    def __init__(self, events: Iterator[tuple[str, str, Any]]) -> None:
        self.events = events

    def __iter__(self) -> Iterator[tuple[str, str, Any]]:
        yield ("", "start_array", None)
        depth = 0
        for prefix, event, value in self.events:
            short = prefix[len("grants."):] if prefix.startswith("grants.") else ""
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                if depth == 0:
                    yield ("", "end_array", None)
                    return
                depth -= 1
            yield (short, event, value)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200]
