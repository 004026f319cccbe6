"""Errors a user can cause. Each carries one plain sentence (``str(err)``) meant to be shown as is.

The CLI prints ``str(err)`` and exits non-zero; the window shows it in a message box. Programming errors are
*not* subclasses of :class:`WorkstationError` and still produce tracebacks.
"""
from __future__ import annotations


class WorkstationError(Exception):
    """Base of every user-facing error. ``exit_code`` is what the CLI returns."""

    exit_code = 2


class VaultError(WorkstationError):
    """The vault header is missing, corrupt, or no key could unlock it."""


class WrongPassphrase(VaultError):
    pass


class StoreError(WorkstationError):
    """The database cannot be opened or written (in use, from another program, newer schema, read-only...)."""


class StoreInUse(StoreError):
    pass


class NotFound(WorkstationError):
    """A patient, model or file named by the user does not exist."""

    exit_code = 3


class ImportError_(WorkstationError):
    """A file could not be imported. Nothing from it was stored.

    ``file`` is the path as given, ``line`` the 1-based line (or record number) where the problem was found,
    ``field`` the column/field name; ``reason`` is the plain-words explanation.
    """

    REASON_CAP = 300      # a refusal quoting a 9 MB value must stay one readable sentence

    def __init__(self, file: str, reason: str, *, line: int | None = None, field: str | None = None,
                 record: str | None = None) -> None:
        self.file = _cap(str(file), 200)
        self.reason = _cap(str(reason), self.REASON_CAP)
        self.line = line
        self.field = field
        self.record = record
        where = []
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {_cap(str(record), 80)}")
        if field is not None:
            where.append(f"field {_cap(str(field), 80)}")
        loc = f" ({', '.join(where)})" if where else ""
        super().__init__(f"{self.file}{loc}: {self.reason}. Nothing from this file was stored.")


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FormatNotRecognised(ImportError_):
    pass


class MalformedFile(ImportError_):
    """Truncated, invalid JSON/XML, wrong column count, non-numeric value..."""


class UnknownSample(ImportError_):
    pass


class UnsupportedBuild(ImportError_):
    """e.g. a GRCh37 VCF given where GRCh38 is required. The reason is the program's own sentence
    (workstation.genome.build.refusal, up to about 400 characters, quoting counts, never file content), kept whole."""

    REASON_CAP = 700


class ModelError(WorkstationError):
    """A model file is missing, tampered with (hash mismatch) or unreadable."""
