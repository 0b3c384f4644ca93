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
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportqa.answer.pipeline import Answerer
from reportqa.indexing import store, writing
from reportqa.indexing.build import plan_update, update_index
from reportqa.indexing.embedding import Embedder, make_embedder
from reportqa.ingest.pipeline import IngestResult
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui.catalogue import (
    UNREADABLE,
    Change,
    FileOutcome,
    LibraryError,
    Upload,
    check_count,
    delete_new,
    document_entries,
    file_problem,
    outcome_of,
    place_upload,
    sources_named,
)

__all__ = ["Change", "FileOutcome", "Library", "LibraryError", "Served", "Upload", "is_loopback"]

# Called as (stage, done, total): stage "read" counts files, "embed" passages and sentences, "write" is one step.
Progress = Callable[[str, int, int], None]
# How often a request looks whether another process swapped in a newer index.
_RECHECK_SECONDS = 1.0


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
                outcomes[number] = FileOutcome(upload.shown_name, None, error=problem[1], code=problem[0])
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
                delete_new(placed)
                raise
            served = self.reload()
        failed = {os.path.abspath(error.path): error.reason for error in result.errors}
        entries = document_entries(served.index)
        for number, upload, (path, new) in placed:
            if path in failed:
                outcomes[number] = FileOutcome(upload.shown_name, None, error=failed[path], code=UNREADABLE)
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
        """Plan and write the index with ``paths`` added and ``remove`` taken out (the lock is held). The
        files already indexed are read first, so a new file that repeats a report is folded into it as a
        copy, never the other way round."""
        tell = progress or (lambda stage, done, total: None)
        plan = plan_update(paths, self.settings, remove=remove)
        indexed = {source["path"] for source in store.read_manifest(self.settings.index_dir, older=True)["sources"]}
        new = set(map(os.path.abspath, paths)) - indexed
        plan = replace(plan, files=tuple(sorted(plan.files, key=lambda path: path in new)))
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


def is_loopback(host: str) -> bool:
    """Whether the app listening on ``host`` is reachable only from this machine."""
    return host in {"127.0.0.1", "localhost", "::1"} or host.startswith("127.")
