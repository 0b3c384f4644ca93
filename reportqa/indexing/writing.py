"""Replacing an index: one writer at a time, a complete new index or none, recovery that never rolls back.

* **One writer.** ``writer_lock`` holds ``.<index>.lock`` (a ``filelock``
  lock beside the index folder) for the whole update, from reading the old
  index to the swap; a second writer waits up to its timeout and is then told
  another ingest is running. Readers take no lock and never move a folder.
* **Generations.** Every index records a ``generation`` in its manifest, one
  more than the index it replaces. A new index is written into
  ``.<index>.staging-<generation>-<random>``, flushed to disk, its manifest
  written last; then the live folder is renamed ``.<index>.retired-<generation>``,
  the staging folder takes its name, and the retired one is deleted.
* **Recovery.** A writer that died leaves at most these folders. The next
  writer (under the lock) finishes a swap cut between its renames by making
  the complete folder of the highest generation the live one (never an older
  retired copy while a newer index exists), and deletes every other staging or
  retired folder: an index not yet swapped in was never the index. A reader
  that finds no live folder while a swap is under way waits a moment, then
  reads the newest complete one where it is (``locate``).

``REPORTQA_CRASH_AT`` names a step (``writing``, half the files written;
``written``; ``flushed``; ``retired``; ``swapped``) at which the writing
process kills itself with SIGKILL: the fault-injection tests use it to check
every step's recovery.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from reportqa.errors import IndexBusy
from reportqa.indexing import store

CRASH_AT = "REPORTQA_CRASH_AT"
# How long a reader waits for a swap under way (two renames) before reading the newest complete folder.
_SWAP_WAIT_SECONDS = 2.0


def crash_point(step: str) -> None:
    """Die here, as a power cut would, when ``REPORTQA_CRASH_AT`` names this step (fault injection)."""
    if os.environ.get(CRASH_AT) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def lock_path(index_dir: str | Path) -> Path:
    target = Path(os.path.abspath(index_dir))
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def writer_lock(index_dir: str | Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock (re-entrant within a thread), waiting up to ``timeout`` seconds for it,
    and recover from a writer that died (``recover``).

    Raises:
        IndexBusy: another process or thread holds it after ``timeout``.
    """
    path = lock_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, is_singleton=True)
    try:
        lock.acquire(timeout=timeout)
    except Timeout as error:
        raise IndexBusy(f"another ingest is updating the index at {index_dir} (lock {path}): wait for it to "
                        "finish and run this again, or pass --wait SECONDS to wait for it") from error
    try:
        recover(index_dir)
        yield
    finally:
        lock.release()


def generation(folder: Path) -> int | None:
    """The generation a complete index folder records (0 before generations), None when incomplete."""
    try:
        manifest = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return int(manifest.get("generation", 0)) if isinstance(manifest, dict) else None


def _leftovers(target: Path) -> list[Path]:
    """Staging and retired folders of ``target`` left by earlier writers."""
    return [path for pattern in (".staging-*", ".retired-*")
            for path in target.parent.glob(f".{target.name}{pattern}") if path.is_dir()]


def _newest(folders: list[Path]) -> tuple[Path | None, int]:
    best, best_generation = None, -1
    for folder in folders:
        found = generation(folder)
        if found is not None and found > best_generation:
            best, best_generation = folder, found
    return best, best_generation


def locate(index_dir: str | Path) -> Path:
    """The folder a reader should read: the live one, or during a swap the newest complete one."""
    target = Path(index_dir)
    deadline = time.monotonic() + _SWAP_WAIT_SECONDS
    while not store.has_index(target) and _leftovers(target) and time.monotonic() < deadline:
        time.sleep(0.05)
    if store.has_index(target):
        return target
    newest, _ = _newest(_leftovers(target))
    return newest or target


def recover(index_dir: str | Path) -> None:
    """Finish or clean up after a writer that died (call with the writer lock held).

    With no live folder (a swap cut between its two renames) the newest complete leftover becomes the live
    index: the new one when it was already flushed and renamed aside, never an older copy while a newer one
    exists. With a live folder, leftovers are unfinished or replaced indexes and are deleted; a live folder
    that is damaged stays, to be reported, rather than being replaced by an older copy.
    """
    target = Path(index_dir)
    if not target.exists():
        newest, _ = _newest(_leftovers(target))
        if newest is not None:
            newest.rename(target)
    for folder in _leftovers(target):
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def staged_index(index_dir: str | Path, lock_timeout: float = 0.0) -> Iterator[tuple[Path, int]]:
    """Yield a temporary folder and the new index's generation; the caller writes the index into it, its
    manifest last. On success the folder replaces ``index_dir``; on an exception (or interruption) it is
    removed and the existing index is untouched.

    Raises:
        IndexBusy: another writer holds the index.
    """
    target = Path(index_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(target, lock_timeout):
        live = generation(target) if target.exists() else None
        new_generation = (live or 0) + 1
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{new_generation}-", dir=target.parent))
        try:
            yield staging, new_generation
            crash_point("written")
            store.fsync_tree(staging)
            crash_point("flushed")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        retired = target.with_name(f".{target.name}.retired-{live}")
        if target.exists():
            target.rename(retired)
            crash_point("retired")
        staging.rename(target)
        crash_point("swapped")
        shutil.rmtree(retired, ignore_errors=True)
