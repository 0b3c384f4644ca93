"""What the pages say in Chinese: what was understood from a question, what a filter did, why no answer.

``EXAMPLE_QUESTIONS`` are the chat's examples (each answered from the bundled
reports); ``follow_up_hint`` answers a follow-up asked with nothing before it;
``understood_text`` turns an ``Understanding`` into the 理解 line;
``filter_notices`` says when a 地区 or 报告年份 filter overrides what the
question names and which filters left nothing; ``error_message`` explains a
failed answer (a model that is not installed, an online model that cannot be
reached) with the fix.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportqa.errors import InputError, ModelUnavailable
from reportqa.search.hybrid import SearchFilters
from reportqa.search.question import ACTUAL, BOTH, COMPARISON, FACT, FIGURE, LIST, TARGET, Understanding
from reportqa.settings import Settings

# What the pages call each level of government.
LEVEL_NAMES = {"national": "全国", "province": "省级", "city": "地市级", "county": "区县级"}
# The dropdown choice that means "no filter".
ALL = "全部"
GENERATOR_LABELS = {"local": "本地模型", "openai": "在线模型", "extractive": "原文摘录"}
KIND_LABELS = {FIGURE: "数字", LIST: "列表", COMPARISON: "比较", FACT: "事实"}
STANCE_LABELS = {ACTUAL: "实际", TARGET: "目标", BOTH: "目标与实际"}
_OTHER_WRITERS = f"或在「回答方式」中改选「{GENERATOR_LABELS['extractive']}」"
# Questions answered from the bundled reports; the first is the full question a follow-up hint suggests.
EXAMPLE_QUESTIONS = ["青浦2020年新增了多少张养老床位？", "2020年普陀和虹口谁的GDP体量更大？",
                     "松江对口帮扶、2020年提前脱贫的是哪几个县？"]


def follow_up_hint(question: str) -> str:
    """What a follow-up asked first is answered with: ask a full question first."""
    return (f"「{question}」是一个追问，要接着前面的问题来理解，但这是对话的第一个问题。"
            f"请先问一个完整的问题，例如「{EXAMPLE_QUESTIONS[0]}」，再问「{question}」。")


def understood_text(understanding: Understanding) -> str:
    """The 理解 line: 「类型：数字；地区：嘉定区；年份：2020；问：目标」, only the parts the question gave."""
    u = understanding
    parts = [("类型", KIND_LABELS.get(u.kind, u.kind)), ("地区", "、".join(u.places)), ("范围", u.within or ""),
             ("未收录的地区", "、".join(u.missing)), ("年份", "、".join(map(str, u.years))),
             ("规划期", "、".join(u.plan_periods)), ("问", STANCE_LABELS.get(u.stance or "", "")),
             ("报告年份", str(u.report_of_year or "")), ("文档类型", u.doc_type or ""),
             ("待定地区", f"「{u.bridge_clue}」" if u.bridge_clue else ""), ("同义扩展", "、".join(u.expansions))]
    return "；".join(f"{label}：{value}" for label, value in parts if value)


def filter_notices(understanding: Understanding, searched: Sequence[str], filters: SearchFilters,
                   found: bool) -> list[str]:
    """What a page says about its filters: one that overrides the place or report year the question
    names (and how to search as asked), and the filters that left nothing.

    Args:
        understanding: what was read from the (standalone) question.
        searched: the places searched.
        filters: the filters chosen on the page.
        found: whether any passage was found.
    """
    notices = []
    asked = tuple(dict.fromkeys((*understanding.places, *understanding.missing)))
    if filters.place and asked and not set(searched) & set(asked):
        notices.append(_overridden("地区", filters.place, "、".join(asked)))
    asked_year = understanding.report_of_year
    if filters.year and asked_year and asked_year != filters.year:
        notices.append(_overridden("报告年份", str(filters.year), f"{asked_year}年的报告"))
    if not found and filters != SearchFilters():
        chosen = [f"{label}：{value}" for label, value in
                  (("地区", filters.place), ("报告年份", filters.year), ("文档类型", filters.doc_type)) if value]
        notices.append(f"筛选条件（{'，'.join(chosen)}）下没有段落；放宽筛选条件再试。")
    return notices


def _overridden(label: str, chosen: str, asked: str) -> str:
    return f"已按筛选条件「{label}：{chosen}」检索，问题问的是「{asked}」；要按问题检索，请把{label}改为「{ALL}」。"


def fallback_note(asked: str, used: str) -> str | None:
    """Why another answer writer than the one chosen wrote the answer (None when it is the one chosen)."""
    if asked == used:
        return None
    if asked == "local":
        return f"本地模型没有安装，已改用「{GENERATOR_LABELS.get(used, used)}」。要用本地模型：运行 `make model` 后重启应用。"
    return f"「{GENERATOR_LABELS.get(asked, asked)}」不可用，已改用「{GENERATOR_LABELS.get(used, used)}」。"


def error_message(error: Exception, generator: str, settings: Settings) -> str:
    """Why a question got no answer, and what to do, for an error raised while answering with ``generator``."""
    if isinstance(error, ModelUnavailable):
        return f"本地模型不可用：运行 `make model` 安装后重启应用，{_OTHER_WRITERS}。"
    if isinstance(error, InputError) and generator == "openai":
        return ("在线模型没有配置：设置 REPORTQA_LLM_BASE_URL 和 REPORTQA_LLM_MODEL（服务要密钥时再设 "
                f"REPORTQA_LLM_API_KEY）后重启应用，{_OTHER_WRITERS}。")
    if online := _online_error_message(error, settings):
        return online
    return f"生成回答时出错：请再试一次；仍然出错时{_OTHER_WRITERS}，并把下面的详情告诉维护者。"


def _online_error_message(error: Exception, settings: Settings) -> str | None:
    """The message for an error of the online model's client, None for any other error."""
    try:
        import openai
    except ImportError:  # no client installed: the error cannot be the online model's
        return None
    instead = f"或在「回答方式」中改选「{GENERATOR_LABELS['local']}」「{GENERATOR_LABELS['extractive']}」"
    if isinstance(error, openai.APITimeoutError):
        return f"在线模型在 {settings.llm_timeout:g} 秒内没有回应：稍后再试，调大 REPORTQA_LLM_TIMEOUT，{instead}。"
    if isinstance(error, openai.APIConnectionError):
        return (f"连不上在线模型（{settings.llm_base_url}）：检查服务是否在运行、REPORTQA_LLM_BASE_URL 是否正确，"
                f"{instead}。")
    if isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return f"在线模型拒绝了访问：检查 REPORTQA_LLM_API_KEY，{instead}。"
    if isinstance(error, openai.NotFoundError):
        return (f"在线模型服务上找不到模型「{settings.llm_model}」：检查 REPORTQA_LLM_MODEL，以及 "
                f"REPORTQA_LLM_BASE_URL 是否以 /v1 结尾，{instead}。")
    if isinstance(error, openai.RateLimitError):
        return f"在线模型拒绝了请求（请求太多或额度已用完）：稍后再试，{instead}。"
    if isinstance(error, openai.APIStatusError):
        return f"在线模型出错（HTTP {error.status_code}）：稍后再试，{instead}。"
    return None
