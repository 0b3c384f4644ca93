"""The government that issued a report, read only from where a report says who it is.

Three places say it, in this order of trust:

* the congress line: 「——2021年2月3日在上海市嘉定区第六届人民代表大会第八次会议上」
  (「在第十四届全国人民代表大会…」 for the State Council);
* the opening: 「我代表嘉定区人民政府，向大会报告工作」, 「我代表国务院」;
* the title: 「2021年上海市嘉定区人民政府工作报告」, 「广东省国民经济和社会发展统计公报」.

A place merely mentioned in the body (绿水青山就是金山银山, a district named in a
city's report) is never taken: only those lines are read. A report that says
none of this has no issuer, not a guess.
"""

from __future__ import annotations

import re

from reportqa.gazetteer import NATION_CODE, Gazetteer, Place
from reportqa.text import YEAR

# Where the report's own lines say who speaks (a scraped page may glue them into one line).
_HEAD_CHARS = 1500
_CONGRESS = re.compile(r"在(?P<place>[\u4e00-\u9fff]{0,24}?)第[一二三四五六七八九十\d]{1,4}届(?P<nation>全国)?人民代表大会")
_SPEAKER = re.compile(r"我代表(?P<place>[\u4e00-\u9fff]{0,24}?)(?:人民政府|国务院)")
_TITLE = re.compile(rf"^(?:{YEAR}年)?(?P<place>[\u4e00-\u9fff]{{2,24}}?)(?:人民政府|政府工作报告|国民经济和社会发展)")


def find_issuer(title: str | None, text: str, places: Gazetteer | None = None) -> Place | None:
    """The issuing government of a report, or None when its own lines do not say.

    Args:
        title: the report's title, if known.
        text: the report's text (only its first ``_HEAD_CHARS`` characters are read).
        places: the gazetteer (default: the official code table).
    """
    places = places or Gazetteer.load()
    head = text[:_HEAD_CHARS]
    if match := _CONGRESS.search(head):
        found = places.get(NATION_CODE) if match.group("nation") else places.parse(match.group("place"))
        if found:
            return found
    if match := _SPEAKER.search(head):
        found = places.get(NATION_CODE) if match.group(0).endswith("国务院") else places.parse(match.group("place"))
        if found:
            return found
    if title and (match := _TITLE.search(title)):
        return places.parse(match.group("place"))
    return None
