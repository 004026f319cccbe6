"""Resource limits and sanity checks every importer applies to untrusted files.

A hostile or broken file must be refused with one short sentence in seconds, never crash, hang, exhaust memory or
break the open database connection. The limits (generous for real clinical files, tiny for attacks):

* JSON: nesting at most :data:`MAX_DEPTH` levels; integers at most :data:`MAX_INT_DIGITS` digits; no NaN/Infinity;
  no string longer than :data:`MAX_STRING`; no lone surrogate (``"\\ud800"``: DuckDB cannot store it and its
  internal error would break every later query of the open store).
* Compressed input: at most :data:`MAX_RATIO` times larger than the compressed bytes once past
  :data:`RATIO_GRACE`, and at most :data:`MAX_TOTAL` bytes in all (a 1 MB gzip of 1 GiB of NUL bytes is refused
  after ~64 MiB, in well under a second).
* Text lines at most :data:`MAX_LINE`; table cells at most :data:`MAX_CELL`.
* Numbers stored must be finite.
* Error messages: every :class:`~workstation.errors.ImportError_` reason is capped (:func:`short`).
"""
from __future__ import annotations

import io
import math
import os
from pathlib import Path

from workstation.errors import MalformedFile

MAX_DEPTH = 64
MAX_INT_DIGITS = 30
MAX_STRING = 16 << 20
MAX_RATIO = 200
RATIO_GRACE = 64 << 20
MAX_TOTAL = 64 << 30
MAX_LINE = 16 << 20
MAX_CELL = 64 << 10
MAX_MESSAGE = 300
# A genotype allele index larger than this is not a real allele of a VCF record.
MAX_ALLELE_INDEX = 4096


def short(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters (an error message quoting a 9 MB value stays one readable line)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_name(path: Path | str) -> str:
    """The file name as text that can be stored and shown even when the bytes are not valid UTF-8."""
    name = os.path.basename(os.fspath(path))
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "replace")


def has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _refuse_constant(name: str):
    raise ValueError(f"non-finite number {name}")


def _int(s: str) -> int:
    if len(s.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number with {len(s)} digits")
    return int(s)


def _float(s: str) -> float:
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(f"the number {short(s, 40)} is too large")
    return v


def loads(text: str | bytes):
    """``json.loads`` that refuses NaN/Infinity and huge integers (ValueError); RecursionError for deep nesting."""
    import json

    return json.loads(text, parse_constant=_refuse_constant, parse_int=_int, parse_float=_float)


def load_json(fh, path: Path | str, *, line: int | None = None):
    """Parse one JSON document from a text file or string, refusing with MalformedFile: invalid JSON, a number
    out of range, nesting deeper than MAX_DEPTH, a lone surrogate or an over-long string."""
    import json

    text = fh if isinstance(fh, str) else fh.read()
    try:
        doc = loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFile(str(path), f"this is not valid JSON ({exc.msg}, column {exc.colno})",
                            line=line if line is not None else exc.lineno) from None
    except RecursionError:
        raise MalformedFile(str(path), f"the JSON is nested more than {MAX_DEPTH} levels deep", line=line) from None
    except ValueError as exc:
        raise MalformedFile(str(path), f"the JSON holds {short(exc, 80)}, which is not accepted", line=line) from None
    check_json(doc, path, line=line)
    return doc


def check_json(doc, path: Path | str, *, line: int | None = None) -> None:
    """Walk a parsed JSON value without recursion: depth, string length and surrogates."""
    stack = [(doc, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MalformedFile(str(path), f"the JSON is nested more than {MAX_DEPTH} levels deep", line=line)
        if isinstance(v, str):
            _check_str(v, path, line)
        elif isinstance(v, dict):
            for k, x in v.items():
                _check_str(k, path, line)
                if isinstance(x, (dict, list, str)):
                    stack.append((x, depth + 1))
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v if isinstance(x, (dict, list, str)))


def _check_str(s: str, path, line) -> None:
    if len(s) > MAX_STRING:
        raise MalformedFile(str(path), f"a text value is longer than {MAX_STRING >> 20} MiB", line=line)
    if has_surrogate(s):
        raise MalformedFile(str(path), "a text value holds an invalid Unicode character (a lone surrogate)",
                            line=line)


def check_text(s: str, path: Path | str, *, line: int | None = None, field: str | None = None) -> None:
    """Refuse one text value that is too long or not valid Unicode."""
    if len(s) > MAX_CELL:
        raise MalformedFile(str(path), f"a value is {len(s):,} characters long (at most {MAX_CELL:,} accepted)",
                            line=line, field=field)
    if has_surrogate(s):
        raise MalformedFile(str(path), "a value holds an invalid Unicode character", line=line, field=field)


def check_finite(value: float, path: Path | str, *, line: int | None = None, field: str | None = None) -> float:
    if not math.isfinite(value):
        raise MalformedFile(str(path), f"the number {value!r} is not a finite value", line=line, field=field)
    return value


def check_genotype(gt: str, path: Path | str, *, line: int | None = None) -> None:
    """A VCF genotype's allele indexes must be small whole numbers (``99999999999999999999/1`` is refused)."""
    for allele in gt.replace("|", "/").split("/"):
        if allele in (".", ""):
            continue
        if not allele.isdigit() or len(allele) > 4 or int(allele) > MAX_ALLELE_INDEX:
            raise MalformedFile(str(path), f"the genotype {short(gt, 40)!r} has an allele index that is not a "
                                "small whole number", line=line, field="GT")


class GuardedStream(io.RawIOBase):
    """A binary stream over decompressed data that refuses a decompression bomb: more than MAX_RATIO times the
    compressed bytes read (once past RATIO_GRACE) or more than MAX_TOTAL bytes in all."""

    def __init__(self, inner, compressed_pos, path: Path | str, *, max_total: int = MAX_TOTAL,
                 ratio: int = MAX_RATIO) -> None:
        self._inner = inner
        self._pos = compressed_pos      # () -> compressed bytes consumed so far
        self._path = path
        self._max_total = max_total
        self._ratio = ratio
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._inner.readinto(b)
        self.total += n or 0
        self.check()
        return n

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.total += len(data)
        self.check()
        return data

    def check(self) -> None:
        if self.total > self._max_total:
            raise MalformedFile(str(self._path), f"the file expands to more than {self._max_total >> 30} GiB when "
                                "decompressed; it is refused")
        if self.total > RATIO_GRACE and self.total > self._ratio * max(1, self._pos()):
            raise MalformedFile(str(self._path), f"the file expands more than {self._ratio} times when "
                                "decompressed (a compression bomb or a damaged file); it is refused")

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


def guarded_gzip(path: Path | str) -> GuardedStream:
    """Open a gzip file for reading through :class:`GuardedStream`."""
    import gzip

    raw = open(path, "rb")
    gz = gzip.GzipFile(fileobj=raw, mode="rb")
    stream = GuardedStream(gz, raw.tell, path)

    def close(_orig=stream.close):
        try:
            _orig()
        finally:
            raw.close()
    stream.close = close  # type: ignore[method-assign]
    return stream


def check_ratio(path: Path | str, compressed: int, expanded: int, *, max_total: int = MAX_TOTAL) -> None:
    """For a container that states its sizes (a zip member): refuse a bomb before reading it."""
    if expanded > max_total:
        raise MalformedFile(str(path), f"the file expands to more than {max_total >> 30} GiB when decompressed; "
                            "it is refused")
    if expanded > RATIO_GRACE and expanded > MAX_RATIO * max(1, compressed):
        raise MalformedFile(str(path), f"the file expands more than {MAX_RATIO} times when decompressed (a "
                            "compression bomb or a damaged file); it is refused")


def check_compressed(path: Path | str, *, scan: int = 8 << 20) -> None:
    """For a gzip file: decompress at most ``scan`` compressed bytes and refuse it when the output exceeds
    MAX_RATIO times the input beyond RATIO_GRACE (the first part of a bomb gives it away; the reading importer
    keeps its own guard for the rest). Other files: nothing to do."""
    import zlib

    with open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return
        fh.seek(0)
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        consumed = produced = 0
        while consumed < scan:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            consumed += len(chunk)
            buf = chunk
            while buf:
                try:
                    out = d.decompress(buf, 1 << 22)
                except zlib.error:
                    return   # damaged: the importer names the problem
                produced += len(out)
                if produced > RATIO_GRACE and produced > MAX_RATIO * consumed:
                    raise MalformedFile(str(path), f"the file expands more than {MAX_RATIO} times when "
                                        "decompressed (a compression bomb or a damaged file); it is refused")
                buf = d.unconsumed_tail
                if d.eof:
                    rest = d.unused_data
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)   # the next gzip member (BGZF has many)
                    buf = rest


def check_last_line(path: Path | str) -> None:
    """A plain-text file whose last line is longer than MAX_LINE is refused (a CSV reader would drop it
    silently). Reads at most MAX_LINE + 1 bytes from the end; gzip files are left to the reader's guard."""
    size = os.path.getsize(path)
    if size <= MAX_LINE:
        return
    with open(path, "rb") as fh:
        if fh.read(2) in (b"\x1f\x8b", b"PK"):
            return
        fh.seek(size - MAX_LINE - 1)
        tail = fh.read(MAX_LINE + 1)
    if b"\n" not in tail[:-1]:
        raise MalformedFile(str(path), f"the last line is longer than {MAX_LINE >> 20} MiB; it is not a line of a "
                            "data file")
