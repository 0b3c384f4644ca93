"""The indicator table: the statistical indicators reports give figures for, each under all its names.

``data/indicators.txt`` holds one indicator a line (地区生产总值 GDP 国内生产总值 …);
``Indicators.mentions`` finds them in a text, the longest name at each place, so
人均地区生产总值 is not read as 地区生产总值.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# An indicator named as the denominator of another: 「单位生产总值」「每万元GDP」.
_PER = re.compile(r"(?:单位|每万?元?)$")


@dataclass(frozen=True)
class Indicators:
    """The indicator table: each name (lower case) → the indicator's usual name; rate-like indicators."""

    names: dict[str, str]
    rates: frozenset[str]

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, indicator) for each indicator named in ``text``, the longest name at each place."""
        lowered = text.lower()
        found: list[tuple[int, int, str]] = []
        position = 0
        longest = max(map(len, self.names), default=0)
        while position < len(lowered):
            for length in range(min(longest, len(lowered) - position), 1, -1):
                name = self.names.get(lowered[position:position + length])
                if name:
                    if not _PER.search(lowered[:position]):  # 「单位生产总值能耗」: per unit of GDP, not GDP
                        found.append((position, position + length, name))
                    position += length
                    break
            else:
                position += 1
        return found

    def part_of(self, words: str, indicator: str) -> bool:
        """Whether ``words`` are part of a name of ``indicator`` (收入 of 一般公共预算收入)."""
        return bool(words) and any(words in name for name, usual in self.names.items() if usual == indicator)

    def named_in(self, text: str) -> tuple[str, ...]:
        """The indicators ``text`` names, in order, each once."""
        return tuple(dict.fromkeys(name for _, _, name in self.mentions(text)))


@lru_cache(maxsize=1)
def indicators() -> Indicators:
    """The table in ``reportqa/data/indicators.txt``."""
    text = (resources.files("reportqa") / "data" / "indicators.txt").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    rates: set[str] = set()
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        rate = words[0] == "%"
        words = words[1:] if rate else words
        for word in words:
            names.setdefault(word.lower(), words[0])
        if rate:
            rates.add(words[0])
    return Indicators(names, frozenset(rates))
