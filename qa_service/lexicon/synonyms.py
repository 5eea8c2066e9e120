"""The synonym dictionary: groups of words that name the same concept (GDP = 地区生产总值)."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

SYNONYMS_FILE = "synonyms.json"


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Each concept's words, colloquial and corpus terms together (``data/synonyms.json``)."""
    text = (resources.files("qa_service") / "data" / SYNONYMS_FILE).read_text(encoding="utf-8")
    return tuple(tuple(group) for group in json.loads(text)["groups"])


_SINGULAR_NOUN = re.compile(r"[a-z][a-z\-]*[a-z](?<![sxz])(?<!ch|sh)$")  # park, road, community; not gas, tax


def plural(word: str) -> str:
    """The regular English plural: park → parks, community → communities, key → keys."""
    return word[:-1] + "ies" if re.search(r"[^aeiou]y$", word) else word + "s"


@lru_cache(maxsize=1)
def english_terms() -> dict[str, str]:
    """English words (lower case) and the corpus term they stand for (``data/synonyms.json``).

    A phrase ending in a singular noun stands for its plural too (park → 园区, so parks → 园区):
    the file names each noun once, and one number cannot mean another word than the other. An
    entry the file gives in the plural (cadres, clues) is its own (officials is not official)."""
    text = (resources.files("qa_service") / "data" / SYNONYMS_FILE).read_text(encoding="utf-8")
    terms = {k.lower(): v for k, v in json.loads(text).get("english", {}).items()}
    for phrase, chinese in list(terms.items()):
        *head, last = phrase.split(" ")
        if _SINGULAR_NOUN.fullmatch(last):
            terms.setdefault(" ".join([*head, plural(last)]), chinese)
    return terms
