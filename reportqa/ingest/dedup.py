"""Find near-duplicate documents (the same report published twice).

Documents are compared by the Jaccard similarity of their character 5-gram
sets in search form, so punctuation width, spacing and a few changed words do
not hide a copy. The corpus holds tens of documents, so exact pairwise sets
are cheap; MinHash would only pay off at thousands.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportqa.text import search_form

SHINGLE_CHARS = 5


@dataclass(frozen=True)
class DedupCandidate:
    """A document as dedup sees it.

    Attributes:
        key: the document id.
        text: its raw text.
        sole_in_file: True when its file holds nothing else (a cleaner copy
            than an entry scraped from a listing page).
    """

    key: str
    text: str
    sole_in_file: bool


def shingles(text: str, size: int = SHINGLE_CHARS) -> set[str]:
    """The set of character ``size``-grams of the search form of ``text``."""
    compact = search_form(text)
    return {compact[i:i + size] for i in range(max(1, len(compact) - size + 1))}


def jaccard(left: set[str], right: set[str]) -> float:
    return len(left & right) / len(left | right) if left or right else 1.0


def find_duplicates(candidates: list[DedupCandidate], threshold: float) -> dict[str, str]:
    """Map each duplicate's key to the key of the copy that is kept.

    The kept copy is the one that is alone in its file, then the longer one.
    """
    ranked = sorted(candidates, key=lambda c: (not c.sole_in_file, -len(c.text)))
    sets = {candidate.key: shingles(candidate.text) for candidate in ranked}
    canonical: list[str] = []
    duplicate_of: dict[str, str] = {}
    for candidate in ranked:
        match = next((kept for kept in canonical if jaccard(sets[kept], sets[candidate.key]) >= threshold), None)
        if match is None:
            canonical.append(candidate.key)
        else:
            duplicate_of[candidate.key] = match
    return duplicate_of
