"""Generators: passages + question → a cited Chinese answer, streamed.

Three behind one interface (``Generator.stream``):

* ``extractive`` — no model: the sentences of the passages that best answer
  the question, each with its citation. Instant; also the fallback when the
  local model is not installed.
* ``local`` (default) — Qwen2.5-Coder-1.5B-Instruct GGUF run in process by
  llama-cpp-python through LangChain's ``ChatLlamaCpp``, 2 threads.
* ``openai`` — any OpenAI-compatible endpoint (DeepSeek, Qwen's API, vLLM,
  Ollama, ``llama_cpp.server``) through LangChain's ``ChatOpenAI``.

The chat generators share one prompt: a short Chinese system message and the
passages numbered ``[n]`` with title and breadcrumb, each cut to the sentences
that best match the question so prompt processing (which dominates latency
on two cores) stays short. A figure question is put before the passages as
well as after them (read without it, a small model copies a neighbouring
figure); a fact question asks for the source's own words. A comparison is
answered one side at a time: each district's own passages (keeping their
numbers) and a request for that district's figure only, so a small model
neither skips a side nor lends one side's figure to the other. What any generator writes is checked by
``reportqa.answer.verify`` before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reportqa.indexing.lexical import ReportAnalyser
from reportqa.places import short_district_name
from reportqa.text import match_form
from reportqa.indexing.offline_model import ModelUnavailable
from reportqa.search.question import COMPARISON, FIGURE, LIST, Understanding
from reportqa.search.rescoring import sentences
from reportqa.records import Hit
from reportqa.settings import Settings
from reportqa.answer.verify import repeat_start

SYSTEM_PROMPT = "你是政府工作报告问答助手。只根据给出的资料，用简短的中文回答问题，每个数字后面标注它所在资料的编号，例如[1]。"
ANSWER_INSTRUCTION = "请根据资料用一两句话回答，写出具体数字，并在句末标注资料编号，如[1]。"
FACT_INSTRUCTION = "请照录资料原文中引号内的原话回答，并在句末标注资料编号，如[1]。"
LIST_INSTRUCTION = "请照录资料原文，用一句话列出全部各项，用顿号分隔，不加解释，并在句末标注资料编号，如[1]。"
SIDE_INSTRUCTION = "请只回答{district}的情况，用一句话写出{district}的具体数字，并在句末标注资料编号，如[1]。"
COMPARISON_INSTRUCTION = "请分别写出每个区的数字，每个数字后标注它所在资料的编号，如[1]，再作比较。"
# Passages shown for each side of a comparison.
SIDE_PASSAGES = 2
GENERATORS = ("local", "openai", "extractive")
_NUMBER = re.compile(r"\d")
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


def excerpt(text: str, terms: Sequence[str], budget: int, analyser: Callable[[str], list[str]]) -> str:
    """The passage cut to its best-matching sentences (in their order) within ``budget`` characters."""
    pieces = sentences(text)
    if len(text) <= budget or not pieces:
        return text
    wanted = set(terms)
    scored = sorted(range(len(pieces)), key=lambda i: (-len(wanted & set(analyser(pieces[i]))), i))
    chosen: list[int] = []
    used = 0
    for index in scored:
        if used + len(pieces[index]) > budget and chosen:
            continue
        chosen.append(index)
        used += len(pieces[index])
    return "…".join("".join(pieces[i] for i in run) for run in _runs(sorted(chosen)))


def _runs(indices: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for index in indices:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def prompt_messages(understanding: Understanding, passages: Sequence[Hit], budget: int,
                    numbers: Sequence[int] | None = None, side: str | None = None) -> list[tuple[str, str]]:
    """(role, content) messages: the system prompt, then the numbered passages and the question.

    ``numbers`` are the passages' citation numbers (1… by default); ``side``
    asks for one district's part of a comparison.
    """
    analyser = ReportAnalyser()
    terms = analyser(understanding.search_text())
    blocks = []
    for number, passage in zip(numbers or range(1, len(passages) + 1), passages):
        where = " › ".join(passage.section[-2:])
        blocks.append(f"[{number}]《{passage.title}》{where}\n{excerpt(passage.text, terms, budget, analyser)}")
    user = "资料：\n" + "\n\n".join(blocks) + f"\n\n问题：{understanding.question}\n{_instruction(understanding, side)}"
    if understanding.kind == FIGURE:
        # Read with the question in mind: a small model otherwise copies a neighbouring figure.
        user = f"问题：{understanding.question}\n" + user
    return [("system", SYSTEM_PROMPT), ("human", user)]


def _instruction(understanding: Understanding, side: str | None) -> str:
    if side:
        return SIDE_INSTRUCTION.format(district=side)
    return {COMPARISON: COMPARISON_INSTRUCTION, FIGURE: ANSWER_INSTRUCTION,
            LIST: LIST_INSTRUCTION}.get(understanding.kind, FACT_INSTRUCTION)


def _naming(district: str, pieces: Iterator[str]) -> Iterator[str]:
    """The pieces of one side's answer, led by 「松江：」 unless the answer itself starts with the district
    (so the verifier holds its figures to that district's passages)."""
    short = short_district_name(district)

    def named(head: str) -> str:
        return head if head.lstrip().startswith(short) else f"{short}：{head.lstrip()}"

    head: str | None = ""
    for piece in pieces:
        if head is None:
            yield piece
            continue
        head += piece
        if len(head) >= len(district):
            yield named(head)
            head = None
    if head:
        yield named(head)


def comparison_sides(understanding: Understanding, passages: Sequence[Hit]) -> list[tuple[str, list[int]]]:
    """For a comparison across districts, each district with the 1-based numbers of its passages
    (at most ``SIDE_PASSAGES``); empty when the question is not one or a side has no passage."""
    if understanding.kind != COMPARISON or len(understanding.districts) < 2:
        return []
    sides = [(district, [n for n, passage in enumerate(passages, start=1) if passage.district == district]
              [:SIDE_PASSAGES]) for district in understanding.districts]
    return sides if all(numbers for _, numbers in sides) else []


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
        for district, numbers in sides:
            shown = [passages[n - 1] for n in numbers]
            yield from _naming(district, self._stream(prompt_messages(understanding, shown, self._budget,
                                                                      numbers, district)))
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
        finished = [sentence.strip() for sentence in re.split(r"[。！？\n]", text)[:-1] if sentence.strip()]
        if len(finished) != len(set(finished)) or repeat_start(text) is not None:
            return


class ExtractiveGenerator:
    """No model: the best-matching sentence of each of the top passages, cited."""

    name = "extractive"

    def __init__(self, sentences_per_answer: int = 2) -> None:
        self._count = sentences_per_answer
        self._analyser = ReportAnalyser()

    def stream(self, understanding: Understanding, passages: Sequence[Hit]) -> Iterator[str]:
        terms = set(self._analyser(understanding.search_text())) - set(understanding.districts)
        want_figure = understanding.kind in (FIGURE, COMPARISON)
        picked: list[tuple[float, int, str]] = []
        for number, passage in enumerate(passages, start=1):
            scored = [(self._score(sentence, terms, want_figure), sentence) for sentence in sentences(passage.text)]
            if scored:
                score, best = max(scored, key=lambda item: item[0])
                picked.append((score, number, best))
        count = max(self._count, len(understanding.districts)) if understanding.kind == COMPARISON else self._count
        best_score = max((score for score, _, _ in picked), default=0.0)
        picked = [item for item in picked if item[0] >= best_score * EXTRACT_MIN_SHARE and item[0] > 0]
        chosen = sorted(picked, key=lambda item: -item[0])[:count]
        for _, number, sentence in sorted(chosen, key=lambda item: item[1]):
            body = match_form(sentence).rstrip("。；;，,")
            yield f"{body}[{number}]。"

    def _score(self, sentence: str, terms: set[str], want_figure: bool) -> float:
        words = set(self._analyser(sentence))
        share = len(words & terms) / (len(terms) or 1)
        return share * (1.0 if not want_figure or _NUMBER.search(sentence) else 0.5)


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
    raise ValueError(f"unknown generator {name!r}: choose one of {', '.join(GENERATORS)}")


def _local_chat_model(settings: Settings) -> Any:
    from reportqa.answer.local_llm import local_gguf_path

    try:
        from langchain_community.chat_models import ChatLlamaCpp
        import llama_cpp  # noqa: F401  (ChatLlamaCpp imports it only when called)
    except ImportError as error:
        raise ModelUnavailable("the local generator needs llama-cpp-python and langchain-community: "
                               "install them with `make model`") from error
    path = settings.llm_model_path or str(local_gguf_path(settings.cache_dir))
    return ChatLlamaCpp(model_path=path, n_threads=settings.llm_threads, n_ctx=settings.llm_context, n_batch=512,
                        max_tokens=settings.llm_max_tokens, temperature=0.0, verbose=False,
                        # Figures are copied digit by digit: a repeat penalty turns 1566 into 1467.
                        repeat_penalty=1.0)


def _openai_chat_model(settings: Settings) -> Any:
    if not settings.llm_base_url or not settings.llm_model:
        raise ValueError("the openai generator needs REPORTQA_LLM_BASE_URL and REPORTQA_LLM_MODEL "
                         "(and REPORTQA_LLM_API_KEY if the endpoint wants one)")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                      api_key=settings.llm_api_key or "not-needed", timeout=settings.llm_timeout,
                      max_retries=0, temperature=0.0, max_tokens=settings.llm_max_tokens)
