"""The offline default embedding model on ONNX Runtime, with int8 matrix products.

``offline_onnx_dir`` builds it once into the cache from the converted
sentence-transformers folder (``offline_model.offline_e5_small_dir``): the
transformer is exported with ``torch.onnx`` (TorchScript exporter, eager
attention), then ``onnxruntime.quantization.quantize_dynamic`` stores the
weights of its linear layers in int8, one scale per output channel, and
quantises activations per batch at run time. Chosen by measurement against the
torch vectors (retrieval MRR on dev_qa / own / heldout with ``python -m
eval.retrieval``; lowest cosine to the torch vectors of the bundled corpus's
passages): torch 0.938 / 0.917 / 0.841; this build 0.929 / 0.908 / 0.841,
cosine 0.9946; with the word embeddings in int8 as well 0.910 / 0.930 / 0.831;
one scale per matrix 0.935 / 0.914 / 0.883 but cosine 0.977; ONNX float32
0.938 / 0.913 / 0.841, at torch's speed. The word embeddings stay float32: a
lookup, there is no arithmetic to save, and their int8 copy cost dev_qa's MRR
0.02. Fusing attention first (``onnxruntime.transformers.optimizer``,
``QAttention``) ran no faster. Like the
converted folder, the build is deterministic for the pinned versions, so its
files are pinned here and checked on every load; a changed file is moved aside
and the model built again (about 25 s).

``OnnxEncoder`` runs it as the sentence-transformers folder does (its
``modules.json``: Transformer, then mean Pooling, then Normalize): the folder's
fast tokenizer (``tokenizer.json``, truncated at 512 tokens), the last hidden
states averaged over the attention mask, L2-normalised.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import ModelUnavailable
from reportqa.indexing.offline_model import INPUT_SHA256, offline_e5_small_dir, verified_folder
from reportqa.indexing.pinned import staged_folder

ONNX_BUILD_VERSION = 2  # part of the folder's name: raise it when the built files (and their pins) change
MODEL_FILE = "model.int8.onnx"
# What ``build_onnx_model`` writes (torch 2.13.0, transformers 5.24.0, onnx 1.23.2, onnxruntime 1.32.0).
ONNX_SHA256 = {
    MODEL_FILE: "d414d45f7e4910144a3331a1b9fa69651b6cbb7c9c639915e77b1022ad0c9a28",
    "tokenizer.json": INPUT_SHA256["tokenizer.json"],
}
MAX_TOKENS = 512  # the model's window (sentence_bert_config.json max_seq_length)
# Tokens a batch (padding included). Measured on 2 cores on the bundled corpus (eval/bench_ingest.py):
# small batches keep a batch's activations in cache, so 1024 tokens ran passages at 46/s against 28/s
# for 16 passages a batch, and sentences at 360/s against 290/s.
BATCH_TOKENS = 1024
_PAD_ID = 1  # XLM-RoBERTa's <pad>
_BUILD_REMEDY = ("they were pinned with torch 2.13.0, transformers 5.24.0, onnx 1.23.2 and onnxruntime 1.32.0; "
                 "install those (`make setup`), or set REPORTQA_EMBED_BACKEND=torch")


def onnxruntime_installed() -> bool:
    """Whether ``onnxruntime`` can be imported (without importing it)."""
    return importlib.util.find_spec("onnxruntime") is not None


def offline_onnx_dir(cache_dir: str | Path) -> Path:
    """The int8 ONNX build of the offline default model, checked against its pins (built when missing or failing).

    Raises:
        ModelUnavailable: a package the build needs is missing, or the build did not give the pinned files.
    """
    out_dir = Path(cache_dir).expanduser() / f"me5-small-onnx-int8-v{ONNX_BUILD_VERSION}"
    return verified_folder(out_dir, ONNX_SHA256, lambda: build_onnx_model(offline_e5_small_dir(cache_dir), out_dir),
                           what="building the int8 ONNX embedding model", remedy=_BUILD_REMEDY)


def build_onnx_model(source: Path, out_dir: Path) -> Path:
    """Export the sentence-transformers folder ``source`` to ONNX, quantise it, and write ``out_dir`` atomically
    (the model and the tokenizer).

    Raises:
        ModelUnavailable: ``source`` does not pool as this backend does, or onnx / onnxruntime is missing.
    """
    check_mean_pooling(source)
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as error:
        raise ModelUnavailable(f"building the ONNX embedding model needs `{error.name}`: run `make setup`") from error
    with staged_folder(out_dir) as staging:
        exported = staging / "exported.fp32.onnx"
        _export(source, exported)
        quantize_dynamic(exported, staging / MODEL_FILE, weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
        exported.unlink()
        shutil.copy(source / "tokenizer.json", staging / "tokenizer.json")
    return out_dir


def check_mean_pooling(folder: Path) -> None:
    """Refuse a sentence-transformers folder whose modules are not Transformer, mean Pooling, Normalize.

    Raises:
        ModelUnavailable: naming what differs.
    """
    modules = [module["type"].rsplit(".", 1)[-1] for module in json.loads((folder / "modules.json").read_text())]
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    modes = sorted(key for key, on in pooling.items() if key.startswith("pooling_mode") and on)
    if modules != ["Transformer", "Pooling", "Normalize"] or modes != ["pooling_mode_mean_tokens"]:
        raise ModelUnavailable(f"{folder}: modules {modules}, pooling {modes}; the ONNX backend does "
                               "Transformer, mean pooling, Normalize only: set REPORTQA_EMBED_BACKEND=torch")


def _export(source: Path, path: Path) -> None:
    """The transformer of ``source`` as an ONNX graph: (input_ids, attention_mask) → last_hidden_state."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(source, attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # A padded example, so that tracing keeps the mask's path (an all-ones mask may be skipped).
    input_ids = torch.tensor([[0, 100, 200, 300, 2], [0, 400, 2, _PAD_ID, _PAD_ID]])
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(LastHiddenState(), (input_ids, (input_ids != _PAD_ID).long()), str(path),
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
                          opset_version=17, dynamo=False)


def mean_pool(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Token states averaged over the attention mask, as sentence-transformers' mean Pooling does
    (the count clamped at 1e-9).

    Args:
        states: (batch, tokens, dimension) last hidden states.
        mask: (batch, tokens) 1 for real tokens, 0 for padding.
    """
    weights = mask[..., None].astype(np.float32)
    return (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, as torch's ``F.normalize`` (norm clamped at 1e-12)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def pad_batch(token_ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask) of a batch, padded on the right to its longest member."""
    longest = max(len(ids) for ids in token_ids)
    input_ids = np.full((len(token_ids), longest), _PAD_ID, np.int64)
    mask = np.zeros((len(token_ids), longest), np.int64)
    for row, ids in enumerate(token_ids):
        input_ids[row, :len(ids)] = ids
        mask[row, :len(ids)] = 1
    return input_ids, mask


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity), at least 1."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class OnnxEncoder:
    """An ONNX model folder (``MODEL_FILE`` + ``tokenizer.json``), loaded at construction.

    Args:
        folder: from ``offline_onnx_dir``.
        workers: batches ``encode_many`` runs at once; default every usable CPU. Each run is single-threaded
            (intra-op 1), so concurrent calls (two users' queries) also run side by side. Measured on the
            bundled corpus on 2 cores, against one run at a time on 2 threads: passages 43.5 → 46.9/s,
            sentences 327 → 391/s; a single query takes about 1.3 ms longer (5.6 against 4.3 ms).
    """

    def __init__(self, folder: Path, workers: int | None = None) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ModelUnavailable(f"the ONNX embedding backend needs `{error.name}`: run `make setup`, "
                                   "or set REPORTQA_EMBED_BACKEND=torch") from error
        options = onnxruntime.SessionOptions()
        self.workers = workers or usable_cpus()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        self._session: Any = onnxruntime.InferenceSession(str(folder / MODEL_FILE), options,
                                                          providers=["CPUExecutionProvider"])
        self._tokenizer: Any = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised vectors of ``texts`` (prompts already put before them), one batch, in order."""
        return self._run([encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))])

    def encode_many(self, texts: Sequence[str], batch_tokens: int = BATCH_TOKENS,
                    on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Normalised vectors of ``texts`` in order, run longest first in batches of at most ``batch_tokens``
        tokens counting the padding (at least one text a batch), ``workers`` batches at a time;
        ``on_batch(n)`` after each batch of n, in the calling thread."""
        token_ids = [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(token_ids)), key=lambda i: -len(token_ids[i]))
        batches, start = [], 0
        while start < len(order):
            batches.append(order[start:start + max(1, batch_tokens // len(token_ids[order[start]]))])
            start += len(batches[-1])
        result = np.zeros((len(token_ids), self.dimension), np.float32)
        pool = ThreadPoolExecutor(self.workers)  # onnxruntime runs without the GIL
        try:
            running = {pool.submit(self._run, [token_ids[i] for i in rows]): rows for rows in batches}
            for done in as_completed(running):
                result[running[done]] = done.result()
                if on_batch:
                    on_batch(len(running[done]))
        finally:
            pool.shutdown(cancel_futures=True)  # an interrupted ingest does not wait for the remaining batches
        return result

    def _run(self, token_ids: list[list[int]]) -> np.ndarray:
        input_ids, mask = pad_batch(token_ids)
        (states,) = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return l2_normalise(mean_pool(states, mask))
