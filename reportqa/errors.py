"""The errors reportqa raises for a person to act on; each message names the file, field or fix.

Everything else (a ``ValueError`` from a bug, say) is a bug and is not caught
as a usage error. The hierarchy::

    ReportqaError
    ├── InputError        a setting, flag, question or batch line that cannot be used (also a ValueError)
    ├── LoadError         a source file that cannot be turned into text
    ├── IndexUnusable     the index is missing, of another format or model, or damaged
    ├── IndexBusy         another ingest is writing the index
    └── ModelUnavailable  a model or its runtime is not installed, or its file is not the one expected
"""

from __future__ import annotations

from pathlib import Path


class ReportqaError(Exception):
    """An error the user can fix; the message says how."""


class InputError(ReportqaError, ValueError):
    """A setting, command-line flag, question or batch line that cannot be used."""


class LoadError(ReportqaError):
    """A source file that cannot be turned into text.

    Attributes:
        path: the file as named.
        reason: what is wrong with it and what to do.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class IndexUnusable(ReportqaError):
    """The index is missing or cannot be used; the message says how to fix it."""


class IndexBusy(ReportqaError):
    """Another process holds the index's writer lock; the message says to wait or retry."""


class ModelUnavailable(ReportqaError):
    """A model cannot be provisioned; the message says what to install."""
