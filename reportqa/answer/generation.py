"""Generators: passages + question → a cited Chinese answer, streamed.

Three behind one interface (``Generator.stream``):

* ``extractive`` — no model: the sentences of the passages that best answer
  the question, each with its citation. Instant; also the fallback when the
  local model is not installed.
* ``local`` (default) — Qwen2.5-Coder-1.5B-Instruct GGUF run in process by
  llama-cpp-python behind our own LangChain chat model
  (``reportqa.answer.llama_chat.LlamaCppChat``), 2 threads, reusing the KV
  cache of the prompt prefix it shares with the previous question.
* ``openai`` — any OpenAI-compatible endpoint (DeepSeek, Qwen's API, vLLM,
  Ollama, ``llama_cpp.server``) through LangChain's ``ChatOpenAI``.

The chat generators share one prompt (``reportqa.answer.prompts``); a
comparison is answered one side at a time (``reportqa.answer.compare``). What
any generator writes is checked by ``reportqa.answer.verify`` before it is
shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reportqa.answer.compare import comparison_sides, fill_sides, named_side
from reportqa.answer.prompts import prompt_messages
from reportqa.answer.stretches import EXTRACT_MAX_FIGURES
from reportqa.answer.verify import repeat_start
from reportqa.errors import InputError, ModelUnavailable
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.records import Hit
from reportqa.search.question import COMPARISON, FIGURE, Understanding
from reportqa.settings import Settings
from reportqa.text import SENTENCE_END, figures, has_figure, match_form, sentences

GENERATORS = ("local", "openai", "extractive")
# An extracted sentence scores at least this share of the best one.
EXTRACT_MIN_SHARE = 0.6


class Generator(Protocol):
    """Writes an answer from numbered passages."""

    name: str

    def stream(self, understanding: Understanding, passages: Sequence[Hit]) -> Iterator[str]:
        """Pieces of the answer text, citing passages as [1]… (1-based)."""
        ...


@dataclass(frozen=True)
class GeneratorChoice:
    """The generator made for a name, and why it differs from the one asked for (if it does)."""

    generator: Generator
    note: str | None = None


class ChatGenerator:
    """A LangChain chat model behind the ``Generator`` interface."""

    def __init__(self, name: str, chat_model: Any, excerpt_chars: int = 160) -> None:
        self.name = name
        self._model = chat_model
        self._budget = excerpt_chars

    def stream(self, understanding: Understanding, passages: Sequence[Hit]) -> Iterator[str]:
        sides = comparison_sides(understanding, passages)
        if not sides:
            yield from self._stream(prompt_messages(understanding, passages, self._budget))
            return
        for place, numbers in sides:
            shown = [passages[n - 1] for n in numbers]
            yield from named_side(place, self._stream(prompt_messages(understanding, shown, self._budget,
                                                                   numbers, place)), understanding.place_names)
            yield "\n"

    def _stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        yield from _until_repeated(str(chunk.content) for chunk in self._model.stream(messages) if chunk.content)


def _until_repeated(pieces: Iterator[str]) -> Iterator[str]:
    """The pieces, stopped (which stops the model) once the text repeats itself: a finished sentence
    said before, or a stretch of it written before (``repeat_start``). A small model at temperature 0
    can loop 「具体数字是…。具体数字是…。」 until its token limit; ``verify`` cuts what was shown of it."""
    text = ""
    for piece in pieces:
        yield piece
        text += piece
        pieces_said = [sentence.strip() for sentence in sentences(text, keep_ends=False) if sentence.strip()]
        finished = pieces_said if text.endswith(tuple(SENTENCE_END + "\n")) else pieces_said[:-1]
        if len(finished) != len(set(finished)) or repeat_start(text) is not None:
            return


class ExtractiveGenerator:
    """No model: the best-matching sentence of each of the top passages, cited."""

    name = "extractive"

    def __init__(self, sentences_per_answer: int = 2) -> None:
        self._count = sentences_per_answer
        self._analyser = ReportAnalyser()

    def stream(self, understanding: Understanding, passages: Sequence[Hit]) -> Iterator[str]:
        sided, _ = fill_sides("", passages, passages, understanding)
        if sided:  # a comparison: each side's stretch that gives the asked measure
            yield sided
            return
        terms = set(self._analyser(understanding.search_text())) - set(understanding.places)
        want_figure = understanding.kind in (FIGURE, COMPARISON)
        picked: list[tuple[float, int, str]] = []
        for number, passage in enumerate(passages, start=1):
            scored = [(self._score(sentence, terms, want_figure), sentence) for sentence in sentences(passage.text)]
            if scored:
                score, best = max(scored, key=lambda item: item[0])
                picked.append((score, number, best))
        count = max(self._count, len(understanding.places)) if understanding.kind == COMPARISON else self._count
        best_score = max((score for score, _, _ in picked), default=0.0)
        picked = [item for item in picked if item[0] >= best_score * EXTRACT_MIN_SHARE and item[0] > 0]
        chosen = sorted(picked, key=lambda item: -item[0])[:count]
        for _, number, sentence in sorted(chosen, key=lambda item: item[1]):
            body = match_form(sentence).rstrip("。；;，,")
            yield f"{body}[{number}]。"

    def _score(self, sentence: str, terms: set[str], want_figure: bool) -> float:
        if len(figures(sentence)) > EXTRACT_MAX_FIGURES:  # a table run together, not a sentence to show
            return 0.0
        words = set(self._analyser(sentence))
        share = len(words & terms) / (len(terms) or 1)
        return share * (1.0 if not want_figure or has_figure(sentence) else 0.5)


def make_generator(name: str, settings: Settings) -> GeneratorChoice:
    """The generator called ``name`` (local, openai, extractive).

    ``local`` falls back to ``extractive`` (with a note saying why) when the
    model or llama-cpp-python is not installed.

    Raises:
        ValueError: an unknown name, or ``openai`` without a base URL / model.
    """
    if name == "extractive":
        return GeneratorChoice(ExtractiveGenerator())
    if name == "local":
        try:
            return GeneratorChoice(ChatGenerator("local", _local_chat_model(settings), settings.llm_excerpt_chars))
        except ModelUnavailable as error:
            return GeneratorChoice(ExtractiveGenerator(), f"本地模型不可用，改用摘录：{error}")
    if name == "openai":
        return GeneratorChoice(ChatGenerator("openai", _openai_chat_model(settings), settings.llm_excerpt_chars))
    raise InputError(f"unknown generator {name!r}: choose one of {', '.join(GENERATORS)}")


def _local_chat_model(settings: Settings) -> Any:
    from reportqa.answer.local_llm import local_model_path

    try:
        import llama_cpp  # noqa: F401  (LlamaCppChat imports it when it loads the model)
    except ImportError as error:
        raise ModelUnavailable("the local generator needs llama-cpp-python: install it with `make model`") from error
    from reportqa.answer.llama_chat import LlamaCppChat

    path = str(local_model_path(settings.llm_model_path, settings.cache_dir))
    return LlamaCppChat(model_path=path, n_threads=settings.llm_threads, n_threads_batch=settings.llm_threads,
                        n_ctx=settings.llm_context, max_tokens=settings.llm_max_tokens)


def _openai_chat_model(settings: Settings) -> Any:
    if not settings.llm_base_url or not settings.llm_model:
        raise InputError("the openai generator needs REPORTQA_LLM_BASE_URL and REPORTQA_LLM_MODEL "
                         "(and REPORTQA_LLM_API_KEY if the endpoint wants one)")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                      api_key=settings.llm_api_key or "not-needed", timeout=settings.llm_timeout,
                      max_retries=0, temperature=0.0, max_tokens=settings.llm_max_tokens)
