"""The synonym dictionary: groups of words that name the same concept (GDP = 地区生产总值)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

SYNONYMS_FILE = "synonyms.json"


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Each concept's words, colloquial and corpus terms together (``data/synonyms.json``)."""
    text = (resources.files("qa_service") / "data" / SYNONYMS_FILE).read_text(encoding="utf-8")
    return tuple(tuple(group) for group in json.loads(text)["groups"])


@lru_cache(maxsize=1)
def english_terms() -> dict[str, str]:
    """English words (lower case) and the corpus term they stand for (``data/synonyms.json``)."""
    text = (resources.files("qa_service") / "data" / SYNONYMS_FILE).read_text(encoding="utf-8")
    return {k.lower(): v for k, v in json.loads(text).get("english", {}).items()}
