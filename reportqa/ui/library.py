"""The library: the reports an index holds, listed, added and removed while the app serves them.

One implementation for the three ways in: the 文库 page, the HTTP API
(``reportqa.ui.api``) and ``python -m reportqa documents list|add|remove``.
``Library`` keeps the open index as a ``Served`` bundle (index, retriever,
answerer); a request takes ``current()`` once and uses it to the end, so a
search or an answer never mixes two indexes. ``add`` and ``remove`` hold the
index's writer lock (one change at a time, across processes), write a new
index beside the old one and swap it in (``reportqa.indexing.writing``), then
open it: until then every request is served by the previous index, and a
change that fails leaves it as it was. An index changed by another process
(``python ingest.py``) is opened on the next request.

Uploaded files are copied into the upload folder under their own names
(``Settings.upload_folder``) and deleted from it again when refused or
removed; files added from the command line are indexed where they lie.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportqa.answer.pipeline import Answerer
from reportqa.errors import InputError
from reportqa.indexing import writing
from reportqa.indexing.build import plan_update, update_index
from reportqa.indexing.embedding import Embedder, make_embedder
from reportqa.ingest.loaders import SUPPORTED_SUFFIXES
from reportqa.ingest.pipeline import IngestResult
from reportqa.paths import file_sha256
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings

# Called as (stage, done, total): stage "read" counts files, "embed" passages and sentences, "write" is one step.
Progress = Callable[[str, int, int], None]
LEVEL_NAMES = {"national": "全国", "province": "省级", "city": "地市级", "county": "区县级"}
# How often a request looks whether another process swapped in a newer index.
_RECHECK_SECONDS = 1.0


class LibraryError(InputError):
    """An add or remove that cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Served:
    """What one request searches and answers with, from start to end."""

    index: SearchIndex
    retriever: Retriever
    answerer: Answerer

    @classmethod
    def of(cls, index: SearchIndex) -> Served:
        retriever = Retriever(index)
        return cls(index, retriever, Answerer(retriever, index.settings.answer_passages))


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
    """

    name: str
    path: str | None
    documents: tuple[dict[str, Any], ...] = ()
    folded_into: tuple[str, ...] = ()
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "indexed": self.error is None, "documents": list(self.documents),
                "passages": sum(document["passages"] for document in self.documents),
                "folded_into": list(self.folded_into), "error": self.error}


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


class Library:
    """The reports of one index, served and changed in one process.

    Args:
        settings: the index folder, upload folder and limits.
        embedder: shared by searches and ingests (default: the index's, or made from the settings, loaded on
            first use).
        index: the index already open (default: opened from ``settings.index_dir``).
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, index: SearchIndex | None = None) -> None:
        self.settings = settings
        self._embedder = embedder or (index.embedder if index else make_embedder(settings))
        self._served = Served.of(index or SearchIndex.open(settings, self._embedder))
        self._swap = threading.Lock()
        self._checked = time.monotonic()

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def current(self) -> Served:
        """The index to use for one request: the newest one swapped in, by this process or another."""
        if time.monotonic() - self._checked > _RECHECK_SECONDS:
            self._checked = time.monotonic()
            if self._on_disk_generation() not in (None, self._served.index.manifest.get("generation")):
                self.reload()
        return self._served

    def reload(self) -> Served:
        """Open the index on disk now (after a change); a damaged one raises and the old one stays."""
        with self._swap:
            self._served = Served.of(SearchIndex.open(self.settings, self._embedder))
            self._checked = time.monotonic()
            return self._served

    def _on_disk_generation(self) -> int | None:
        try:
            return writing.generation(writing.locate(self.settings.index_dir))
        except OSError:
            return None

    def documents(self) -> list[dict[str, Any]]:
        """Every indexed document (see ``document_entries``)."""
        return document_entries(self.current().index)

    def add(self, files: Sequence[Upload], copy: bool = True, wait: float = 0.0,
            progress: Progress | None = None) -> Change:
        """Index ``files`` beside the reports already there and serve the new index.

        Args:
            files: the files to add (txt, html, pdf, docx).
            copy: keep a copy in the upload folder (uploads) rather than indexing the file where it lies.
            wait: seconds to wait for another change of this index to finish.
            progress: told of reading, embedding and writing.

        Raises:
            LibraryError: no files, too many, or none of a supported type.
            IndexBusy: another change holds the index longer than ``wait``.
        """
        started = time.perf_counter()
        check_count(files, self.settings)
        outcomes: dict[int, FileOutcome] = {}
        accepted: list[tuple[int, Upload]] = []
        for number, upload in enumerate(files):
            problem = file_problem(upload, self.settings)
            if problem:
                outcomes[number] = FileOutcome(upload.shown_name, None, error=problem)
            else:
                accepted.append((number, upload))
        if not accepted:
            return self._change(files, outcomes, (), started)
        with writing.writer_lock(self.settings.index_dir, wait):
            placed = [(number, upload, place_upload(upload, self.settings.upload_folder()) if copy
                       else (os.path.abspath(upload.path), False)) for number, upload in accepted]
            try:
                result = self._write([path for _, _, (path, _) in placed], (), progress)
            except BaseException:
                _delete_new(placed)
                raise
            served = self.reload()
        failed = {os.path.abspath(error.path): error.reason for error in result.errors}
        entries = document_entries(served.index)
        for number, upload, (path, new) in placed:
            if path in failed:
                outcomes[number] = FileOutcome(upload.shown_name, None, error=failed[path])
                if new:
                    os.remove(path)
            else:
                outcomes[number] = outcome_of(upload.shown_name, path, entries)
        return self._change(files, outcomes, (), started)

    def remove(self, ids: Sequence[str], wait: float = 0.0, progress: Progress | None = None) -> Change:
        """Take reports out of the index: each id is a ``doc_id``, a ``source_id`` or a file name, and
        removes its whole file (every report in it). A removed upload's copy is deleted.

        Raises:
            LibraryError: an id that names nothing, or several files, or a change that would leave the
                library empty.
            IndexBusy: another change holds the index longer than ``wait``.
        """
        started = time.perf_counter()
        with writing.writer_lock(self.settings.index_dir, wait):
            before = self.reload()
            entries = document_entries(before.index)
            paths = sorted({path for key in ids for path in sources_named(key, entries)})
            if not paths:
                raise LibraryError("name a report to remove (its doc_id, source_id or file name)")
            gone = tuple(entry for entry in entries if entry["source_file"] in paths)
            if len({entry["source_file"] for entry in entries}) == len(paths):
                raise LibraryError("that would leave the library empty: add another report first, or start "
                                   "a new index with `python ingest.py --rebuild PATH`")
            self._write([], paths, progress)
            self.reload()
        uploads = os.path.abspath(self.settings.upload_folder())
        for path in paths:
            if os.path.dirname(path) == uploads and os.path.exists(path):
                os.remove(path)
        return self._change((), {}, gone, started)

    def _write(self, paths: Sequence[str], remove: Sequence[str], progress: Progress | None) -> IngestResult:
        """Plan and write the index with ``paths`` added and ``remove`` taken out (the lock is held)."""
        tell = progress or (lambda stage, done, total: None)
        plan = plan_update(paths, self.settings, remove=remove)
        counts = {"read": 0, "embed": 0, "of": 0}

        def read(_path: str) -> None:
            counts["read"] += 1
            tell("read", counts["read"], len(plan.files))

        def embedded(count: int) -> None:
            counts["embed"] += count
            tell("embed", counts["embed"], counts["of"])

        def embedding(total: int) -> None:
            counts["of"] = total
            tell("embed", 0, total)

        tell("read", 0, len(plan.files))
        result, _ = update_index(plan, self.settings, self._embedder, on_file=read, on_embedded=embedded,
                                 on_embedding_start=embedding)
        tell("write", 1, 1)
        return result

    def _change(self, files: Sequence[Upload], outcomes: dict[int, FileOutcome],
                removed: tuple[dict[str, Any], ...], started: float) -> Change:
        index = self._served.index
        return Change(tuple(outcomes[number] for number in range(len(files))), removed,
                      index.manifest.get("generation"), len(index.documents), len(index.chunks),
                      time.perf_counter() - started)


def check_count(files: Sequence[Upload], settings: Settings) -> None:
    """Refuse an add of no files or of more than ``max_upload_files``."""
    if not files:
        raise LibraryError("no files to add: choose one or more .txt, .html, .pdf or .docx reports")
    if len(files) > settings.max_upload_files:
        raise LibraryError(f"{len(files)} files at once, at most {settings.max_upload_files} may be added "
                           "together (REPORTQA_MAX_UPLOAD_FILES): add them in several goes")


def file_problem(upload: Upload, settings: Settings) -> str | None:
    """Why ``upload`` cannot be added before it is read (type, size, missing), or None."""
    suffix = Path(upload.shown_name).suffix.lower() or Path(upload.path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = "、".join(sorted(SUPPORTED_SUFFIXES))
        return f"{suffix or 'a file without a suffix'} is not a report file type ({kinds})"
    if not os.path.isfile(upload.path):
        return "no such file"
    size_mb = os.path.getsize(upload.path) / 2**20
    if size_mb > settings.max_file_mb:
        return (f"{size_mb:.1f} MB is over the {settings.max_file_mb} MB limit "
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


def _delete_new(placed: Sequence[tuple[int, Upload, tuple[str, bool]]]) -> None:
    for _, _, (path, new) in placed:
        if new and os.path.exists(path):
            os.remove(path)


def outcome_of(name: str, path: str, entries: Sequence[dict[str, Any]]) -> FileOutcome:
    """The documents ``path`` gave, or the documents it was folded into as a copy."""
    documents = tuple(entry for entry in entries if entry["source_file"] == path)
    base = os.path.basename(path)
    folded = tuple(entry["title"] for entry in entries if not documents and base in entry["also_in"])
    return FileOutcome(name, path, documents, folded,
                       None if documents or folded else "no report text was found in it")


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


def is_loopback(host: str) -> bool:
    """Whether the app listening on ``host`` is reachable only from this machine."""
    return host in {"127.0.0.1", "localhost", "::1"} or host.startswith("127.")
