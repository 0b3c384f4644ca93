"""Where an index finds its source files, from any working folder.

In memory every source path is absolute. On disk (``manifest.json``,
``chunks.jsonl``) a file under the folder that holds the index is recorded
relative to that folder (``data/reports/a.txt`` for the index ``index/`` beside
``data/``), so the project can be moved or copied whole; any other file keeps
its absolute path. A file's documents are named after its recorded path (its
stem and a hash of the path), so two ``report.txt`` in two folders never share
an id, and a moved project keeps its ids.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def index_root(index_dir: str | Path) -> str:
    """The folder recorded paths are relative to: the one holding the index folder."""
    return os.path.dirname(os.path.abspath(index_dir))


def stored_path(path: str, root: str) -> str:
    """``path`` as the index records it: relative to ``root`` when inside it, else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    return absolute if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative


def resolved_path(stored: str, root: str) -> str:
    """The absolute path of a recorded one."""
    return os.path.normpath(os.path.join(root, stored))


def source_key(path: str, root: str) -> str:
    """The file's part of its documents' ids: its name and a hash of its recorded path
    (``report-1a2b3c4d``)."""
    digest = hashlib.sha256(stored_path(path, root).encode("utf-8")).hexdigest()[:8]
    return f"{Path(path).stem}-{digest}"


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
