import hashlib

import pytest

from reportqa.answer.local_llm import GGUF_NAME, local_gguf_path, part_paths
from reportqa.errors import ModelUnavailable


def test_parts_are_joined_in_order_verified_and_reused(parts, tmp_path):
    good = hashlib.sha256(b"GGUF-head-middle-tail").hexdigest()
    calls = []

    def listed():
        calls.append(1)
        return parts

    path = local_gguf_path(tmp_path / "cache", listed, good)
    assert path.name == GGUF_NAME and path.read_bytes() == b"GGUF-head-middle-tail"
    assert local_gguf_path(tmp_path / "cache", listed, good) == path
    assert len(calls) == 1  # the second call hashes the joined file again and finds it good: no new join


def test_a_mismatching_hash_is_refused_and_leaves_nothing_behind(parts, tmp_path):
    with pytest.raises(ModelUnavailable, match="sha256 .* expected .*--require-hashes"):
        local_gguf_path(tmp_path / "cache", lambda: parts, "0" * 64)
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_changed_file_is_verified_again(parts, tmp_path):
    good = hashlib.sha256(b"GGUF-head-middle-tail").hexdigest()
    path = local_gguf_path(tmp_path / "cache", lambda: parts, good)
    path.write_bytes(b"tampered")
    assert local_gguf_path(tmp_path / "cache", lambda: parts, good).read_bytes() == b"GGUF-head-middle-tail"


def test_missing_part_packages_say_how_to_install_them():
    with pytest.raises(ModelUnavailable, match="make model"):
        part_paths(["reportqa_no_such_part_package"])
