"""Model files kept in the cache folder, checked against pinned sha256 digests.

The default models are built into the cache from hash-pinned inputs (the
embedding model converted, the answer model joined from parts), so what they
build is known byte for byte and is hashed again on every load: a file's size
and modification time can both be put back after it is replaced, its content
cannot. A cached file or folder that fails its check is moved aside with
``move_aside`` and built again; ``staged_folder`` writes a folder atomically.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_BLOCK = 1 << 22  # 4 MiB reads: 1.0 s for 1.1 GB here, against 1.4 s for hashlib.file_digest's 256 KiB


def file_sha256(path: Path) -> str:
    """The file's sha256, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_problem(folder: Path, pins: dict[str, str]) -> str | None:
    """What differs between ``folder`` and ``pins`` (relative path: sha256), or None if nothing does.

    Every file in the folder must be pinned: an added file (a pickled
    ``pytorch_model.bin``, say) fails the check as a changed one does.
    """
    found = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_symlink() or not path.is_dir()}
    if found != set(pins):
        return f"files missing: {sorted(set(pins) - found)}, files added: {sorted(found - set(pins))}"
    for name, pinned in sorted(pins.items()):
        if (digest := file_sha256(folder / name)) != pinned:
            return f"{name} has sha256 {digest}, not the pinned {pinned}"
    return None


def move_aside(path: Path) -> Path:
    """Rename a file or folder to ``<name>.rejected``, replacing an earlier rejected one; returns the new path.

    One rejected copy is kept so that a person can look at what changed it.
    """
    rejected = path.with_name(path.name + ".rejected")
    if rejected.is_dir() and not rejected.is_symlink():
        shutil.rmtree(rejected)
    else:
        rejected.unlink(missing_ok=True)
    return path.rename(rejected)


@contextmanager
def staged_folder(out_dir: Path) -> Iterator[Path]:
    """A temporary folder beside ``out_dir`` to write into; it replaces ``out_dir`` when the block ends without
    an error and is deleted when it raises, so a half-written folder never takes the cached one's name."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield staging
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
