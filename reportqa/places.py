"""Places the reports are about: the district list and the forms a name is written in.

The list of known districts is a data file (``reportqa/data/districts.txt``, one
full name a line), read once per process, so another city's districts are
added without code changes. A district is written in full (嘉定区, 浦东新区) or
in its short form (嘉定, 浦东).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def known_districts() -> tuple[str, ...]:
    """Full district names from ``reportqa/data/districts.txt``, in file order."""
    text = resources.files("reportqa.data").joinpath("districts.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def short_district_name(district: str) -> str:
    """嘉定区 → 嘉定, 浦东新区 → 浦东; names of two characters stay whole."""
    for suffix in ("新区", "区", "县"):
        if district.endswith(suffix) and len(district) - len(suffix) >= 2:
            return district[: -len(suffix)]
    return district


def district_forms() -> frozenset[str]:
    """Every known district in full and in short form (words the analyser keeps whole)."""
    names = known_districts()
    return frozenset({*names, *(short_district_name(name) for name in names)})


def find_districts(text: str) -> tuple[str, ...]:
    """Known districts named in ``text`` (full or short form), in order of first mention."""
    found: list[tuple[int, str]] = []
    for district in known_districts():
        positions = [text.find(name) for name in {district, short_district_name(district)}]
        positions = [position for position in positions if position >= 0]
        if positions:
            found.append((min(positions), district))
    return tuple(district for _, district in sorted(found))
