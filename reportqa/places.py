"""Places named in a question or an answer, read against the places an index holds reports of.

``PlaceNames`` is built from the issuing places of the indexed documents (嘉定区,
广东省, 全国). A name counts as a place when it is:

* an indexed place, in full or short form (嘉定区, 嘉定; 广东省, 广东); 全国 also
  as 国务院, 我国, 中国 and 国家 in a scope phrase (国家2019年…, 国家的…);
* a place beside one: the places above an indexed one, its siblings and the
  places below it, in full or short form (上海 above 嘉定区; 金山 beside it);
* any province, in full or short form, or any other place of China written in
  full with at least three characters (苏州市, 鼓楼区).

Short forms of places far from the index are not read: 振兴, 和平, 城关 are
ordinary words. The text is scanned left to right taking the longest name at
each position, so 上海城市更新 reads 上海 and not 海城市.

``place_words`` lists every name of every place, for the analyser to keep whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from reportqa.gazetteer import NATION_CODE, NATION_NAMES, NATIONAL, PROVINCE, Gazetteer, Place

NATION = NATION_NAMES[0]
# Words for the nation: 国家 only in a scope phrase (国家级, 国家高新区 are titles, not the nation's reports).
_NATIONAL_WORDS = re.compile(r"全国|国务院|我国|中国(?!特色|共产党|式|[（(]|国际|人民)|国家(?=[0-9的在今去整总层])")
# After a place's short form, what shows the place itself is meant (上海2020年…, 上海的…), not a name
# that starts with it (上海科技影都).
_SUBJECT_FOLLOWERS = set("0123456789的在今去前明全和与、跟及同比，,。？?：:；;有共") | {""}
_MIN_FAR_NAME = 3


@dataclass(frozen=True)
class Mention:
    """A place named in a text: its full name, where, whether the index holds its reports,
    and whether the place itself is meant (a full name, or a short form followed by a year, 的, …)."""

    name: str
    start: int
    indexed: bool
    subject: bool


class PlaceNames:
    """The place names to read in questions and answers over one index."""

    def __init__(self, indexed: Iterable[str] = (), places: Gazetteer | None = None) -> None:
        self.places = places or Gazetteer.load()
        self.indexed = frozenset(indexed)
        self._nation = NATION in self.indexed
        own = [place for name in self.indexed for place in self._indexed_places(name)]
        self._forms: dict[str, str] = {}
        for place in self._far_places():
            self._add(place, short_forms=place.level == PROVINCE)
        near = self._near(own)
        above = {outer.code for place in own for outer in self.places.chain(place)[:-1]}
        self._beside = frozenset(place.name for place in near if place.code not in above)
        for place in near:
            self._add(place, short_forms=True)
        for place in own:
            self._add(place, short_forms=True)
        self._pattern = re.compile("|".join(map(re.escape, sorted(self._forms, key=len, reverse=True))) or "(?!)")
        self._forms_of: dict[str, list[str]] = {}
        for form, full in self._forms.items():
            self._forms_of.setdefault(full, []).append(form)
        self._inside: dict[str, set[str]] = {}
        for place in own:
            for outer in self.places.chain(place)[:-1]:
                self._inside.setdefault(outer.name, set()).add(place.name)

    def find(self, text: str) -> tuple[Mention, ...]:
        """Every place named in ``text``, in order; a place named inside another named one (上海市嘉定区)
        drops the outer one."""
        mentions = [Mention(self._forms[m.group()], m.start(), self._forms[m.group()] in self.indexed,
                            self._is_subject(m.group(), text[m.end():m.end() + 1]))
                    for m in self._pattern.finditer(text)]
        if self._nation and not mentions:
            mentions = [Mention(NATION, m.start(), True, True) for m in _NATIONAL_WORDS.finditer(text)][:1]
        named = {mention.name for mention in mentions}
        return tuple(mention for mention in mentions if not self._inside.get(mention.name, set()) & (named - {mention.name}))

    def indexed_in(self, text: str) -> tuple[str, ...]:
        """The indexed places ``text`` names (full names, first mention order, no repeats)."""
        return tuple(dict.fromkeys(mention.name for mention in self.find(text) if mention.indexed))

    def named_in(self, text: str) -> tuple[str, ...]:
        """The places a sentence of an answer speaks of: indexed places and those beside or below them
        (浦东 beside 嘉定区, 浙江 beside 广东省), in any form. Not the places above (a district report's 上海
        is its own city) nor places far from the index (平湖市新仓镇 inside 金山's own passage)."""
        return tuple(dict.fromkeys(mention.name for mention in self.find(text)
                                   if mention.indexed or mention.name in self._beside))

    def inside(self, name: str) -> tuple[str, ...]:
        """The indexed places inside the place named ``name`` (嘉定区, 松江区… inside 上海市)."""
        return tuple(sorted(self._inside.get(name, ())))

    def short(self, name: str) -> str:
        """The shortest form of a place's name, for display: 嘉定区 → 嘉定, 广东省 → 广东, 全国 → 全国."""
        return min(self._forms_of.get(name) or [name], key=lambda form: (len(form), form))

    def nearby_forms(self) -> frozenset[str]:
        """The names of the indexed places and of those beside and below them (not above): the words a
        place filter carries, left out of a passage's term coverage."""
        return frozenset(form for form, full in self._forms.items()
                         if full in self.indexed or full in self._beside)

    def without_names(self, text: str) -> str:
        """``text`` with every place name this reader knows taken out (to read what else it says)."""
        return self._pattern.sub("", text)

    def forms(self, name: str) -> tuple[str, ...]:
        """Every form of a place's name this reader knows, longest first."""
        return tuple(sorted({name, *self._forms_of.get(name, ())}, key=len, reverse=True))

    def widest(self) -> str | None:
        """The one indexed place every other indexed place lies inside (全国 when national reports are
        indexed; the only one when there is one), or None: a question naming no place may be about it."""
        if self._nation:
            return NATION
        if len(self.indexed) == 1:
            return next(iter(self.indexed))
        tops = [name for name in self.indexed if not any(name in self._inside.get(other, ()) for other in self.indexed
                                                          if other != name)]
        return tops[0] if len(tops) == 1 and self.inside(tops[0]) else None

    def _is_subject(self, form: str, follower: str) -> bool:
        full = self._forms[form]
        return form == full or follower in _SUBJECT_FOLLOWERS or full == NATION

    def _add(self, place: Place, short_forms: bool) -> None:
        names = self.places.names_of(place) if short_forms else (place.name,)
        for form in names:
            if place.level != NATIONAL:
                self._forms[form] = place.name

    def _indexed_places(self, name: str) -> list[Place]:
        """The gazetteer places an indexed name is (鼓楼区 is four: the one inside another indexed place
        wins, then those sharing a parent with most other indexed places)."""
        found = [place for place in self.places.lookup(name) if place.name == name]
        if len(found) <= 1:
            return found
        parents = Counter(p.parent for other in self.indexed - {name} for p in self.places.lookup(other))

        def closeness(place: Place) -> tuple[bool, int]:
            return any(outer.name in self.indexed for outer in self.places.chain(place)[:-1]), parents[place.parent]

        best = max(map(closeness, found))
        return [place for place in found if closeness(place) == best]

    def _near(self, own: list[Place]) -> list[Place]:
        """Places above, beside and below the indexed ones."""
        near: dict[str, Place] = {}
        for place in own:
            for outer in self.places.chain(place)[:-1]:
                near[outer.code] = outer
        around = {code for p in own if p.code != NATION_CODE for code in (p.code, p.parent) if code}
        provinces = any(p.level == PROVINCE for p in own)
        for place in self.places.all():
            if place.parent in around or (provinces and place.level == PROVINCE):
                near[place.code] = place
        return [place for code, place in near.items() if place.name not in self.indexed]

    def _far_places(self) -> list[Place]:
        return [place for place in self.places.all()
                if place.level == PROVINCE or len(place.name) >= _MIN_FAR_NAME]


@lru_cache(maxsize=1)
def place_words() -> tuple[str, ...]:
    """Every place of China's name in full and in its short forms, sorted: words the analyser keeps whole
    (嘉定区 and 嘉定, 内蒙古自治区 and 内蒙古)."""
    places = Gazetteer.load()
    return tuple(sorted({name for place in places.all() if place.level != NATIONAL for name in places.names_of(place)}))
