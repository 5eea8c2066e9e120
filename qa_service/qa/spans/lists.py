"""Enumerations (A、B、C…) of the asked kind and count inside a sentence."""
from __future__ import annotations

import re
from typing import Callable

from ...corpus.sentences import clause_at
from ...lexicon.cues import (ASKS_HOW_MANY, CLASSIFIER_ONLY, CN_DIGITS, COUNT_IN_QUESTION, COUNTED_KIND, DESCRIPTIVE, ENUMERATION,
                             LIST_HEAD, LIST_LEADING_VERB, ORDINAL_IN_QUESTION)
from ...lexicon.patterns import HAN
from ...search.tokenizer import default_tokenizer

_ITEM = r"[“「]?[\u4e00-\u9fff]{2,12}[”」]?"
# Items joined by 、, the last one possibly by 和/及/以及/与 instead (领导包保企业机制、常态化服务
# 企业机制和定期调度机制): the enumeration comma joins nothing but list items (two of them only
# count when 等 closes them or the question asks for two: ``pick_list``).
_JOINER = "以及|和|及|与"
_LIST = re.compile(rf"{_ITEM}(?:(?:、{_ITEM}){{2,}}|、{_ITEM}(?=等)|、{_ITEM}(?:{_JOINER}){_ITEM})")
_PAIR = re.compile(rf"{_ITEM}、{_ITEM}")
# Quoted items one after another are a list as 、 makes one (大力推行“不见面审批”“一网通办”“四极”…)
_QUOTED_LIST = re.compile(r"(?:“[^“”]{1,15}”){2,}")
_QUOTED_ITEM_BREAK = re.compile(r"(?<=”)(?=“)")
_JOINERS = frozenset(_JOINER.split("|"))


def list_items(span: str) -> list[str]:
    """A list span's items: split at 、 and at the joiner before its last item (…机制和定期调度机制),
    where jieba reads the joiner as a word of its own (not the 和 of 和平 or 共和国)."""
    if span.startswith("“") and _QUOTED_ITEM_BREAK.search(span):
        return _QUOTED_ITEM_BREAK.split(span)
    *items, last = span.split("、")
    words = default_tokenizer().words(last)
    at = next((i for i, w in enumerate(words) if w in _JOINERS and 0 < i < len(words) - 1), None)
    if at is None:
        return [*items, last]
    return [*items, "".join(words[:at]), "".join(words[at + 1:])]
_LIST_TAIL = re.compile(r"[^，,。；;：:！？、]{0,12}")
# Where an enumeration's first item may begin at the earliest: after a clause break, another
# enumeration's 、, or a quotation or title mark.
_ITEM_START = re.compile(r"[^，,。；;：:！？!?、“”「」《》]*$")


def list_count(question: str) -> int | None:
    """How many items a list question announces: 八个重点产业 → 8, 四个平台 → 4. None when it asks
    how many (几: “八大行动”中的固本强基行动提出了哪几项要求 names eight actions, not eight tasks)."""
    if ASKS_HOW_MANY.search(question):
        return None
    m = COUNT_IN_QUESTION.search(question)
    if not m:
        return None
    return _number(m.group(1) or m.group(2))


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else CN_DIGITS.get(text)


def asked_ordinal(question: str) -> int | None:
    """Which item of an enumeration the question asks for: 第二个问题 → 2, 头一个 → 1."""
    m = ORDINAL_IN_QUESTION.search(question)
    return _number(m.group(1) or m.group(2)) if m else None


def enumeration_number(sentence: str) -> int | None:
    """The item number a sentence opens with, in the enumerations reports use (二是…, 三要…):
    None when it opens none."""
    m = ENUMERATION.match(sentence.lstrip())
    return _number(m.group(1)) if m else None


def list_head(question: str) -> str:
    """The noun a list question asks for: 哪几座城 → 城, 要培育哪些前景产业链 → 前景产业链 (its
    last characters name the kind of thing: 产业链)."""
    for pattern in LIST_HEAD:
        m = pattern.search(question)
        if m and m.group(1) and not CLASSIFIER_ONLY.fullmatch(m.group(1)):  # 是哪三个: no noun after 个
            return m.group(1)
    return ""


def names_kind(span: str, kind: str) -> bool:
    """Whether a list names things of ``kind``: the kind word ends a Chinese noun phrase, so an
    item or the phrase closing the list ends with it (…农机城、…换热器城; …文旅康养八个重点产业),
    where 产业发展风向 only contains 产业."""
    if not kind:
        return False
    items = list_items(span)
    # or the closing phrase counts them as the kind before going on (…三大产业链优势地位)
    return (any(item.rstrip().endswith(kind) for item in items)
            or re.search(rf"(?:{COUNTED_KIND}|等)[\u4e00-\u9fff]{{0,6}}?{re.escape(kind)}", items[-1]) is not None)


def pick_list(sentence: str, question: str = "", fit: Callable[[str], float] | None = None) -> tuple[int, int] | None:
    """The enumeration that fits the question, with the noun phrase closing it (…八个重点产业):
    the asked kind first (``names_kind``: the whole asked noun, 前景产业链, before its last two
    characters, before its last one, 示范镇 for 小镇), then the count, then how well the clause
    that holds it fits the question (``fit``: its coverage of the question, when given), then length."""
    head, count = list_head(question), list_count(question)
    best, best_key = None, None
    found = [*_LIST.finditer(sentence), *_QUOTED_LIST.finditer(sentence),
             *(_PAIR.finditer(sentence) if count == 2 else ())]
    for m in found:
        start, end = m.span()
        if start and HAN.match(sentence, start) and HAN.match(sentence, start - 1):
            # the first item is longer than an item may be (…、双辽市大型风电装备制造基地、…): it
            # begins after the mark before it, not inside a word
            start = _ITEM_START.search(sentence, 0, start).start()
        items = list_items(sentence[start:end])
        if sum(bool(DESCRIPTIVE.search(item)) for item in items) * 2 > len(items):
            continue  # 基础最扎实、优势最明显… describes; an answer list names things
        while lead := LIST_LEADING_VERB.match(sentence[start:end]):  # 加快推进…: every leading verb
            start += lead.end()
        end = _LIST_TAIL.match(sentence, end).end()
        span = sentence[start:end]
        key = (names_kind(span, head), names_kind(span, head[-2:]), names_kind(span, head[-1:]),
               count == len(items), fit(sentence[slice(*clause_at(sentence, start))]) if fit else 0.0, end - start)
        if best_key is None or key > best_key:
            best, best_key = (start, end), key
    return best
