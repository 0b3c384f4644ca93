"""The government that issued a report, read only from where a report says who it is.

Three places say it, in this order of trust:

* the congress line: 「——2021年2月3日在上海市嘉定区第六届人民代表大会第八次会议上」
  (「在第十四届全国人民代表大会…」 for the State Council);
* the opening: 「我代表嘉定区人民政府，向大会报告工作」, 「我代表国务院」;
* the title: 「2021年上海市嘉定区人民政府工作报告」, 「广东省国民经济和社会发展统计公报」.

A place merely mentioned in the body (绿水青山就是金山银山, a district named in a
city's report) is never taken: only those lines are read, and a congress named
inside a sentence (「1月14日，在…人民代表大会…会议上，省长…作报告」, as news
write it) is not a congress line. A name several places share (鼓楼区 is in
福州, 南京, 徐州 and 开封) is the one whose city or province the report's
opening names (「福州市鼓楼区人民政府区长」), or none when that does not
single one out. One exception: a
masthead that gives the congress but leaves out the place's name
(「区六届人大八次会议」, an infographic's) says the issuer is a district; then
the county-level place the document names most, at least twice and twice as
often as any other, is taken — counting only places it names in full or that
lie inside a province or city it names, since short forms alone (振兴, 和平)
are ordinary words. A report that
says none of this has no issuer, not a guess.
"""

from __future__ import annotations

import re

from reportqa.gazetteer import CITY, COUNTY, NATION_CODE, PROVINCE, Gazetteer, Place
from reportqa.text import YEAR

# Where the report's own lines say who speaks (a scraped page may glue them into one line).
_HEAD_CHARS = 1500
# A congress line: 在 after its date, a dash or a bracket (not inside a sentence), and not going on
# as a sentence does after 会议上 (「会议上，」「会议上作…」).
_CONGRESS = re.compile(r"(?:\d{1,2}月\d{1,2}日|(?<![\u4e00-\u9fff，,、；;。：:]))"
                       r"在(?P<place>[\u4e00-\u9fff]{0,24}?)第[一二三四五六七八九十\d]{1,4}届(?P<nation>全国)?人民代表大会"
                       r"(?![^，,。]{0,16}?会议上[，,、作所的])")
_SPEAKER = re.compile(r"我代表(?P<place>[\u4e00-\u9fff]{0,24}?)(?:人民政府|国务院)")
# 「区六届人大八次会议」: a congress whose place goes unnamed, at the start of a line or text.
_UNNAMED_CONGRESS = re.compile(r"(?<![\u4e00-\u9fff])(?P<kind>区|县)第?[一二三四五六七八九十]{1,3}届人大")
_MIN_MENTIONS = 2
_TITLE = re.compile(rf"^(?:关于)?(?:{YEAR}年)?(?P<place>[\u4e00-\u9fff]{{2,24}}?)(?:{YEAR}年(?:度)?)?"
                    r"(?:人民政府|政府工作报告|国民经济和社会发展|预算执行)")


def find_issuer(title: str | None, text: str, places: Gazetteer | None = None) -> Place | None:
    """The issuing government of a report, or None when its own lines do not say.

    Args:
        title: the report's title, if known.
        text: the report's text (only its first ``_HEAD_CHARS`` characters are read).
        places: the gazetteer (default: the official code table).
    """
    places = places or Gazetteer.load()
    head = text[:_HEAD_CHARS]
    context = f"{title or ''}\n{head}"
    for name, nation in _own_lines(title, head):
        if found := places.get(NATION_CODE) if nation else _read_place(name, context, places):
            return found
    if _UNNAMED_CONGRESS.search(head):
        return _most_named_county(text, places)
    return None


def ambiguity_note(title: str | None, text: str, places: Gazetteer | None = None) -> str | None:
    """For a report whose own lines name a place several places share and nothing singles one out
    (鼓楼区 with no city named), a note saying so: 「发文地区「鼓楼区」有4处同名（福州市、…），未能确定」."""
    places = places or Gazetteer.load()
    for name, nation in _own_lines(title, text[:_HEAD_CHARS]):
        sharing = () if nation else places.lookup(name)
        if len(sharing) > 1 and not places.parse(name):
            outer = "、".join(places.breadcrumb(place).rsplit(" › ", 1)[0] for place in sharing)
            return f"发文地区「{name}」有{len(sharing)}处同名（{outer}），未能确定"
    return None


def _own_lines(title: str | None, head: str) -> list[tuple[str, bool]]:
    """The place each of the report's own lines names, in order of trust (congress line, opening, title),
    with whether it names the nation (「第十四届全国人民代表大会」, 「我代表国务院」)."""
    named = []
    if match := _CONGRESS.search(head):
        named.append((match.group("place"), bool(match.group("nation"))))
    if match := _SPEAKER.search(head):
        named.append((match.group("place"), match.group(0).endswith("国务院")))
    if title and (match := _TITLE.search(title)):
        named.append((match.group("place"), False))
    return named


def _read_place(name: str, context: str, places: Gazetteer) -> Place | None:
    """The place a report's own line names: its name chain (福州市鼓楼区), or, for a name several places
    of one level share (鼓楼区), the only one whose city or province ``context`` names."""
    if found := places.parse(name):
        return found
    sharing = places.lookup(name)
    if len({place.level for place in sharing}) != 1:
        return None
    named = [place for place in sharing
             if any(alias in context for above in places.chain(place)[:-1] for alias in places.names_of(above))]
    return named[0] if len(named) == 1 else None


def _most_named_county(text: str, places: Gazetteer) -> Place | None:
    """The county-level place ``text`` names most (full or short form), if clearly ahead of the rest. Only
    places it names in full, or inside a province or city it names (上海 → 上海市's districts), count: short
    forms alone (振兴, 和平) are ordinary words. A name several places share is the one whose city or
    province the text names most."""
    outer = {place.code for place in places.all() if place.level in (PROVINCE, CITY)
             and any(form in text for form in places.names_of(place))}
    by_name: dict[str, list[Place]] = {}
    for place in places.all():
        if place.level == COUNTY and (place.name in text or any(p.code in outer for p in places.chain(place)[:-1])):
            by_name.setdefault(place.name, []).append(place)
    counts = sorted(((sum(text.count(form) for form in places.names_of(sharing[0])), name)
                     for name, sharing in by_name.items()), reverse=True) + [(0, ""), (0, "")]
    (best, name), (runner_up, _) = counts[0], counts[1]
    if best < _MIN_MENTIONS or best < 2 * runner_up:
        return None
    return max(by_name[name], key=lambda place: sum(text.count(form) for above in places.chain(place)[:-1]
                                                     for form in places.names_of(above)))
