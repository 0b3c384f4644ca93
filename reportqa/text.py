"""Text normalisation shared by every stage, with a map back to the source.

Two forms exist, and every module uses these functions rather than its own:

* ``match_form`` — the chunk ``text`` contract: whitespace removed, then NFKC.
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

# Variants NFKC leaves alone but readers treat as the same character.
_VARIANTS = str.maketrans({"○": "〇", "◯": "〇", "－": "-", "—": "-", "–": "-"})

# Footnote markers whose footnotes were lost in extraction: "[3]" after a word,
# circled numbers, superscript digits. A bracketed number that starts a passage
# (a list item) is not a marker, hence the look-behind.
FOOTNOTE_MARKER = re.compile(r"(?<=[^\s\d\[(（])\[\d{1,2}\]|[\u2460-\u2473\u00b9\u00b2\u00b3\u2070-\u2079]")

_WHITESPACE = re.compile(r"\s+")


def match_form(text: str) -> str:
    """Remove all whitespace, then apply NFKC (the chunk ``text`` contract)."""
    return unicodedata.normalize("NFKC", _WHITESPACE.sub("", text))


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
            if ch.isspace():
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
