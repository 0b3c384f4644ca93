"""Text rules shared by every stage, each written once.

* normal forms, with a map back to the source (below);
* sentences: what ends one (``SENTENCE_END``, full and half width, since NFKC
  turns ``！？；`` into ``!?;``) and ``sentences``;
* figures: ``NUMBER``, ``figures`` in canonical form, units and their kinds;
* years (``YEAR``: 19xx/20xx) and five-year plan periods (十四五 → 2021–2025);
* Chinese numerals (三, 十二, 两).

Two normal forms exist, and every module uses these functions rather than its own:

* ``match_form`` — the chunk ``text`` contract: whitespace and zero-width characters
  (U+200B–U+200D, U+2060, U+FEFF, which scraped pages leave inside words) removed, then NFKC.
  It folds full/half width (``，`` → ``,``, ``２`` → ``2``, ``Ⅴ`` → ``V``) and joins
  PDF line wraps and digit/CJK spacing (``1233.5 \\n\\n 亿元`` → ``1233.5亿元``).
* ``search_form`` — what is embedded, tokenised and shown in prompts: the match
  form with footnote markers that have no footnote (``[3]``, ``①``, ``¹``)
  dropped and variant characters folded (``○`` → ``〇``).

``NormalizedText`` keeps, for every character of the match form, the index of
the source character it came from, so a normalised hit (an evidence string, a
cited figure) can be located and highlighted in the raw text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

# Variants NFKC leaves alone but readers treat as the same character.
_VARIANTS = str.maketrans({"○": "〇", "◯": "〇", "－": "-", "—": "-", "–": "-"})

# Footnote markers whose footnotes were lost in extraction: "[3]" after a word,
# circled numbers, superscript digits. A bracketed number that starts a passage
# (a list item) is not a marker, hence the look-behind.
FOOTNOTE_MARKER = re.compile(r"(?<=[^\s\d\[(（])\[\d{1,2}\]|[\u2460-\u2473\u00b9\u00b2\u00b3\u2070-\u2079]")

# Characters that take no room: zero-width space, (non-)joiner, word joiner, BOM / zero-width no-break space.
ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(rf"[\s{ZERO_WIDTH}]+")


def match_form(text: str) -> str:
    """Remove all whitespace and zero-width characters, then apply NFKC (the chunk ``text`` contract)."""
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))


def is_invisible(ch: str) -> bool:
    """Whether ``match_form`` drops the character: whitespace or zero-width."""
    return ch.isspace() or ch in ZERO_WIDTH


def strip_footnote_markers(text: str) -> str:
    """Drop footnote markers (``[3]``, ``①``, ``¹``) from raw or normalised text."""
    return FOOTNOTE_MARKER.sub("", text)


def search_form(text: str) -> str:
    """The form that is indexed and read: match form, no markers, variants folded."""
    return match_form(strip_footnote_markers(text)).translate(_VARIANTS)


def display_width(text: str) -> int:
    """Print width in a CJK context: wide, full-width and ambiguous characters
    (such as “ ” in Chinese text) count 2, spaces 0."""
    return sum(
        2 if unicodedata.east_asian_width(ch) in "WFA" else 1
        for ch in text
        if not ch.isspace()
    )


@dataclass(frozen=True)
class NormalizedText:
    """The match form of ``source`` plus, per character, its source index.

    Attributes:
        text: the normalised string.
        offsets: ``offsets[i]`` is the index in ``source`` that produced
            ``text[i]``; one extra entry at the end holds ``len(source)``.
    """

    text: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, source: str) -> NormalizedText:
        chars: list[str] = []
        offsets: list[int] = []
        for index, ch in enumerate(source):
            if is_invisible(ch):
                continue
            folded = unicodedata.normalize("NFKC", ch)
            chars.append(folded)
            offsets.extend([index] * len(folded))
        offsets.append(len(source))
        return cls("".join(chars), tuple(offsets))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` range of the normalised text to the source."""
        if start >= end:
            position = self.offsets[start]
            return position, position
        return self.offsets[start], self.offsets[end - 1] + 1

    def find(self, needle: str, start: int = 0) -> tuple[int, int] | None:
        """Locate ``needle`` (any form) and return its source span, or None."""
        position = self.text.find(match_form(needle), start)
        if position < 0:
            return None
        return self.source_span(position, position + len(match_form(needle)))


# --- sentences -------------------------------------------------------------

# Characters after which a sentence is complete: full width as written, half width as NFKC leaves them.
SENTENCE_END: Final = "。！？；!?;"
# ... and after which a paragraph may be (a line ending in one does not run on).
PARAGRAPH_END: Final = SENTENCE_END + "：:”’」』…"
_SENTENCE = re.compile(rf"[^{SENTENCE_END}\n]+[{SENTENCE_END}]*")


def sentences(text: str, keep_ends: bool = True) -> list[str]:
    """``text`` cut after each run of sentence ends and at line breaks; blank pieces dropped.

    Args:
        text: any text (passages in match form, answers as generated).
        keep_ends: keep each sentence's end marks (「…亿元。」); False strips them.
    """
    pieces = [piece for piece in _SENTENCE.findall(text) if piece.strip()]
    return pieces if keep_ends else [piece.rstrip(SENTENCE_END) for piece in pieces]


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with a sentence end mark."""
    return text[-1:] in SENTENCE_END


# --- figures ---------------------------------------------------------------

NUMBER: Final = re.compile(r"\d+(?:\.\d+)?")
# Units that make a figure a different quantity: 13.5% is not 13.5微克, 3.8% is not 3.8亿元.
_UNITS = r"%|‰|个百分点|微克|毫克|年(?!均|度)|[万亿]*美?元|亿|平方(?:公里|千米|米)|公顷|亩|公里|千米|米"
_UNIT_KINDS = (("%", re.compile(r"%|‰|个百分点")), ("concentration", re.compile(r"微克|毫克")),
               ("year", re.compile(r"年")), ("money", re.compile(r"[万亿]*美?元|亿")),
               ("area", re.compile(r"平方(?:公里|千米|米)|公顷|亩")), ("length", re.compile(r"公里|千米|米")))
FIGURE_WITH_UNIT: Final = re.compile(rf"({NUMBER.pattern})({_UNITS})?")


def has_figure(text: str) -> bool:
    """Whether ``text`` holds a digit."""
    return NUMBER.search(text) is not None


def compact(text: str) -> str:
    """Match form with thousands commas removed (1,234 → 1234)."""
    return re.sub(r"(?<=\d),(?=\d{3})", "", match_form(text))


def canonical_figure(number: str) -> str:
    """A number as compared: 220.40 → 220.4, 007 → 7."""
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number.lstrip("0") or "0"


def figures(text: str) -> list[str]:
    """The numbers in ``text`` in canonical form (full-width digits folded, thousands commas removed)."""
    return [canonical_figure(number) for number in NUMBER.findall(compact(text))]


def unit_kind(unit: str) -> str:
    """The kind of quantity a unit measures (%, money, area, …); "" for none or an untelling one."""
    return next((name for name, pattern in _UNIT_KINDS if unit and pattern.fullmatch(unit)), "")


def figure_kinds(text: str) -> dict[str, str]:
    """figure → the kind of its unit, for each figure in ``text`` ("" without a telling unit)."""
    return {canonical_figure(number): unit_kind(unit) for number, unit in FIGURE_WITH_UNIT.findall(compact(text))}


# --- years and plan periods -----------------------------------------------------

# A calendar year as the reports write it.
YEAR: Final = r"(?:19|20)\d{2}"
# A year, with or without 年 (「2020年」「2020」).
YEAR_MENTION: Final = re.compile(rf"({YEAR})\s*年?")
# A year followed by 年.
NAMED_YEAR: Final = re.compile(rf"({YEAR})\s*年")
# A five-year plan's ordinal (十四) and name (十四五).
PLAN_NUMERAL: Final = "十[一二三四五六七八九]"
PLAN_PERIOD: Final = f"{PLAN_NUMERAL}五"
PLANS: Final = tuple(f"十{digit}五" for digit in "一二三四五六七八九")


def plan_first_year(plan: str) -> int:
    """The first year of a five-year plan: 十四五 → 2021, 十一五 → 2006; 0 for anything else.

    Plans run in five-year steps since the third (1966–1970): plan n starts in 1951 + 5n.
    """
    number = chinese_numeral(plan[:-1]) if plan.endswith("五") else 0
    return 1951 + 5 * number if number >= 3 else 0


# --- Chinese numerals -------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}


def chinese_numeral(text: str) -> int:
    """Value of a numeral such as 三, 两, 十二, 二十一 or 12 (0 when unreadable)."""
    if text.isdigit():
        return int(text)
    if "百" in text:
        return 0
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0
