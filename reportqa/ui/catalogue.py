"""What the library is made of: its reports as listed (``document_entries``), the files an add takes
(``Upload``, checked by ``check_count`` and ``file_problem`` and copied in by ``place_upload``) and what a
change did (``FileOutcome``, ``Change``), for ``reportqa.ui.library``."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportqa.errors import InputError
from reportqa.ingest.loaders import SUPPORTED_SUFFIXES
from reportqa.paths import file_sha256
from reportqa.search.hybrid import SearchIndex
from reportqa.settings import Settings
from reportqa.ui.wording import LEVEL_NAMES

# Why a file was refused (``FileOutcome.code``).
TYPE, MISSING, SIZE, UNREADABLE, EMPTY = "type", "missing", "size", "unreadable", "empty"


class LibraryError(InputError):
    """An add or remove that cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Upload:
    """A file to add: where it is now, and the name it is known by (an upload's original file name)."""

    path: str
    name: str = ""

    @property
    def shown_name(self) -> str:
        return self.name or os.path.basename(self.path)


@dataclass(frozen=True)
class FileOutcome:
    """What became of one added file.

    Attributes:
        name: the file's name as given.
        path: where it is indexed (None when refused).
        documents: the documents found in it, as listed by ``Library.documents``.
        folded_into: titles of documents it duplicates (kept as copies of those).
        error: why it was refused, with what to do (None when indexed).
        code: what kind of refusal: ``type``, ``missing``, ``size`` (checked before reading), ``unreadable``
            (the file could not be read as a report) or ``empty`` (it held no report text).
    """

    name: str
    path: str | None
    documents: tuple[dict[str, Any], ...] = ()
    folded_into: tuple[str, ...] = ()
    error: str | None = None
    code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "indexed": self.error is None, "documents": list(self.documents),
                "passages": sum(document["passages"] for document in self.documents),
                "folded_into": list(self.folded_into), "error": self.error, "code": self.code}


@dataclass(frozen=True)
class Change:
    """What an add or remove did: each added file's outcome, the documents removed, the index after it."""

    files: tuple[FileOutcome, ...]
    removed: tuple[dict[str, Any], ...]
    generation: int | None
    documents: int
    passages: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"files": [outcome.to_json() for outcome in self.files], "removed": list(self.removed),
                "index": {"generation": self.generation, "documents": self.documents, "passages": self.passages},
                "seconds": round(self.seconds, 2)}


def document_entries(index: SearchIndex) -> list[dict[str, Any]]:
    """Every document of the index as the library lists it (the JSON of ``documents list`` and the API):
    ids, original file name, place and level, year, type, passages, when its file was added, the copies
    folded into it, notes, and its place in a file holding several reports."""
    manifest = index.manifest
    added = {source["path"]: source.get("added") for source in manifest["sources"]}
    per_file: dict[str, int] = {}
    for record in manifest["documents"]:
        per_file[record["source_file"]] = per_file.get(record["source_file"], 0) + 1
    entries, seen = [], dict.fromkeys(per_file, 0)
    for record in manifest["documents"]:
        source = record["source_file"]
        seen[source] += 1
        entries.append({
            "doc_id": record["doc_id"], "source_id": record["doc_id"].split("#")[0], "title": record["title"],
            "file_name": os.path.basename(source), "source_file": source,
            "part": [seen[source], per_file[source]],
            "place": record.get("place") or record.get("district"), "place_level": record.get("place_level"),
            "level_name": LEVEL_NAMES.get(record.get("place_level") or ""), "year": record.get("year"),
            "doc_type": record["doc_type"], "passages": record.get("n_chunks", 0), "added": added.get(source),
            "also_in": [os.path.basename(path) for path in record.get("also_in") or ()],
            "notes": list(record.get("notes") or ())})
    return entries


def check_count(files: Sequence[Upload], settings: Settings) -> None:
    """Refuse an add of no files or of more than ``max_upload_files``."""
    if not files:
        raise LibraryError("no files to add: choose one or more .txt, .html, .pdf or .docx reports")
    if len(files) > settings.max_upload_files:
        raise LibraryError(f"{len(files)} files at once, at most {settings.max_upload_files} may be added "
                           "together (REPORTQA_MAX_UPLOAD_FILES): add them in several goes")


def file_problem(upload: Upload, settings: Settings) -> tuple[str, str] | None:
    """Why ``upload`` cannot be added before it is read, as (code, message): ``type``, ``missing`` or
    ``size``; None when it may be read."""
    suffix = Path(upload.shown_name).suffix.lower() or Path(upload.path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = "、".join(sorted(SUPPORTED_SUFFIXES))
        return TYPE, f"{suffix or 'a file without a suffix'} is not a report file type ({kinds})"
    if not os.path.isfile(upload.path):
        return MISSING, "no such file"
    size_mb = os.path.getsize(upload.path) / 2**20
    if size_mb > settings.max_file_mb:
        return SIZE, (f"{size_mb:.1f} MB is over the {settings.max_file_mb} MB limit "
                      "(REPORTQA_MAX_FILE_MB): split the report or raise the limit")
    return None


def safe_name(name: str) -> str:
    """A file name to keep an upload under: its last path part, without control characters or a leading dot."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(char for char in base if char.isprintable() and char not in '/:*?"<>|').lstrip(".")
    stem, suffix = os.path.splitext(base)
    return f"{stem[:120] or 'report'}{suffix.lower()}"


def place_upload(upload: Upload, folder: str) -> tuple[str, bool]:
    """Copy an upload into ``folder`` under its own name (``name (2).docx`` when another file has it; the
    same file again is not copied twice); returns its path there and whether it is a new file."""
    os.makedirs(folder, exist_ok=True)
    name = safe_name(upload.shown_name)
    stem, suffix = os.path.splitext(name)
    digest = file_sha256(upload.path)
    for number in range(1, 1000):
        target = os.path.abspath(os.path.join(folder, name if number == 1 else f"{stem} ({number}){suffix}"))
        if os.path.exists(target) and file_sha256(target) == digest:
            return target, False
        if not os.path.exists(target):
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".uploading-")
            os.close(handle)
            shutil.copyfile(upload.path, temporary)
            os.replace(temporary, target)
            return target, True
    raise LibraryError(f"{folder}: too many files named {name}")


def delete_new(placed: Sequence[tuple[int, Upload, tuple[str, bool]]]) -> None:
    for _, _, (path, new) in placed:
        if new and os.path.exists(path):
            os.remove(path)


def outcome_of(name: str, path: str, entries: Sequence[dict[str, Any]]) -> FileOutcome:
    """The documents ``path`` gave, or the documents it was folded into as a copy."""
    documents = tuple(entry for entry in entries if entry["source_file"] == path)
    base = os.path.basename(path)
    folded = tuple(entry["title"] for entry in entries if not documents and base in entry["also_in"])
    if documents or folded:
        return FileOutcome(name, path, documents, folded)
    return FileOutcome(name, path, error="no report text was found in it", code=EMPTY)


def sources_named(key: str, entries: Sequence[dict[str, Any]]) -> list[str]:
    """The source file a ``doc_id``, ``source_id`` or file name names.

    Raises:
        LibraryError: it names nothing, or several files (by name).
    """
    for field in ("doc_id", "source_id"):
        found = {entry["source_file"] for entry in entries if entry[field] == key}
        if found:
            return sorted(found)
    by_name = sorted({entry["source_file"] for entry in entries
                      if entry["file_name"] == key or entry["source_file"] == os.path.abspath(key)})
    if len(by_name) > 1:
        listed = ", ".join(entry["source_id"] for entry in entries if entry["source_file"] in by_name)
        raise LibraryError(f"{key}: {len(by_name)} files have this name: give a source_id ({listed})")
    if not by_name:
        raise LibraryError(f"{key}: no indexed report has this doc_id, source_id or file name "
                           "(`python -m reportqa documents list` shows them)")
    return by_name
