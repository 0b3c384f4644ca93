"""The ONNX int8 embedding backend: its numerics, the choice of backend, and (e2e) its agreement with torch."""

import json
from dataclasses import replace

import numpy as np
import pytest

from reportqa.errors import InputError, ModelUnavailable
from reportqa.indexing import embedding
from reportqa.indexing.embedding import OnnxEmbedder, SentenceTransformerEmbedder, embed_backend, make_embedder
from reportqa.indexing.offline_model import OFFLINE_MODEL_NAME
from reportqa.indexing.onnx_embedding import check_mean_pooling, l2_normalise, mean_pool, pad_batch
from reportqa.settings import Settings


def test_batches_are_padded_on_the_right_with_a_mask():
    input_ids, mask = pad_batch([[0, 5, 2], [0, 2]])
    assert input_ids.tolist() == [[0, 5, 2], [0, 2, 1]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]


def test_mean_pooling_leaves_padding_out_and_vectors_have_length_one():
    states = np.array([[[1.0, 0.0], [3.0, 4.0]], [[2.0, 2.0], [100.0, -100.0]]], np.float32)
    pooled = mean_pool(states, np.array([[1, 1], [1, 0]]))
    assert pooled.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    normalised = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert normalised.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)], [0.0, 0.0]]


def test_a_model_that_does_not_mean_pool_is_refused_by_name(tmp_path):
    (tmp_path / "modules.json").write_text(json.dumps([{"type": "sentence_transformers.models.Transformer"},
                                                       {"type": "sentence_transformers.models.Pooling"}]))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    with pytest.raises(ModelUnavailable, match="REPORTQA_EMBED_BACKEND=torch"):
        check_mean_pooling(tmp_path)


@pytest.mark.parametrize("backend, model, installed, chosen", [
    ("auto", OFFLINE_MODEL_NAME, True, "onnx"),
    ("auto", OFFLINE_MODEL_NAME, False, "torch"),
    ("auto", "BAAI/bge-small-zh-v1.5", True, "torch"),
    ("torch", OFFLINE_MODEL_NAME, True, "torch"),
    ("onnx", OFFLINE_MODEL_NAME, True, "onnx"),
])
def test_auto_takes_onnx_for_the_offline_default_when_it_can(monkeypatch, backend, model, installed, chosen):
    monkeypatch.setattr(embedding, "onnxruntime_installed", lambda: installed)
    settings = replace(Settings(), embed_backend=backend, embed_model=model)
    assert embed_backend(settings) == chosen
    assert type(make_embedder(settings)) is {"onnx": OnnxEmbedder, "torch": SentenceTransformerEmbedder}[chosen]


@pytest.mark.parametrize("backend, model, message", [
    ("onnx", "BAAI/bge-small-zh-v1.5", "needs torch"),
    ("tensorrt", OFFLINE_MODEL_NAME, "choose one of auto, onnx, torch"),
])
def test_a_backend_that_cannot_run_the_model_is_an_input_error(backend, model, message):
    with pytest.raises(InputError, match=message):
        embed_backend(replace(Settings(), embed_backend=backend, embed_model=model))


@pytest.mark.e2e
def test_onnx_vectors_agree_with_torch_in_order(real_embedder, torch_embedder):
    assert real_embedder.backend == "onnx-int8"
    long_passage = "2021年，全区实现地区生产总值1150亿元，同比增长9.8%。" * 40  # beyond the 512-token window
    texts = ["新增养老床位774张", long_passage, "长三角生态绿色一体化发展示范区建设", "一般公共预算收入"]
    ours, theirs = real_embedder.embed_passages(texts), torch_embedder.embed_passages(texts)
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    assert (ours * theirs).sum(axis=1).min() >= 0.99
    questions = ["嘉定区2020年一般公共预算收入是多少？", "金山和乐高乐园签了什么协议？"]
    assert (real_embedder.embed_queries(questions) * torch_embedder.embed_queries(questions)).sum(axis=1).min() >= 0.99
    # Length-sorted batches, run side by side, come back in the order asked for, each counted once.
    counts: list[int] = []
    assert np.allclose(real_embedder.embed_passages(texts[::-1], counts.append), ours[::-1], atol=1e-5)
    assert sum(counts) == len(texts) and len(counts) >= 2
