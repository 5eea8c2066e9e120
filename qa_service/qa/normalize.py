"""Question normalisation before analysis, each change reported as a ``Rewrite``.

- Traditional characters become simplified ones (OpenCC ``t2s``): the corpus is simplified, and
  every offset and highlight is computed on the corpus text, so nothing maps back.
- A question asked in English (or mostly so) is glossed into the corpus's Chinese: question
  words, periods and units through the cue table (how many people → 多少人, first half → 上半年),
  metric words through the dictionary (grain output → 粮食产量), capitalised place names through
  its place names (Changchun → 长春), years as 2023年; words none of these knows are left to the
  multilingual dense model, which still sees the original question.
- A question word the corpus never contains that sounds exactly like one corpus word (same
  toneless pinyin, same length) is read as that word: 新增就叶 → 就业, 高标准农天 → 高标准农田.
  A "word" here is one or more whole jieba words (a typo often splits into single characters),
  not a dictionary word itself, ending in a content word, without numerals or interrogatives; two or
  more corpus words with that sound: left alone (a guess between them would be a coin toss).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..lexicon.cues import (CN_DIGITS, ENGLISH_COUNTS, ENGLISH_CUES, ENGLISH_FUNCTION_WORDS, ENGLISH_MEASURES, ENGLISH_NUMBER_WORDS, ENGLISH_ORDINALS,
                            ENGLISH_PARTICIPLE_CLAUSE, ENGLISH_PLURAL, ENGLISH_PREPOSITIONS, ENGLISH_QUANTITY_NOUNS,
                            ENGLISH_SESSION_THEN_TERM, ENGLISH_VERB_AFTER_NOUN, ENGLISH_WHAT, ENGLISH_WHAT_NOUN,
                            ENGLISH_WHICH, INTERROGATIVES, LATIN_WORD)
from ..lexicon.dictionary import EnglishDictionary, lemmas, places
from ..lexicon.patterns import HAN
from ..lexicon.synonyms import english_terms
from ..search.tokenizer import default_tokenizer

_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")
MIN_WORD, MAX_WORD = 2, 6


@dataclass(frozen=True)
class Rewrite:
    """One change made to the question before it was analysed."""

    original: str
    replacement: str
    reason: str  # "traditional" | "english" | "homophone"


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # the PyPI build of OpenCC (C++ with its dictionaries)

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> tuple[str, tuple[Rewrite, ...]]:
    """``text`` in simplified characters, and the rewrite when anything changed."""
    converted = _t2s().convert(text)
    if converted == text:
        return text, ()
    return converted, (Rewrite(text, converted, "traditional"),)


_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s*(million|billion)\b")
_WAN = {"million": 100, "billion": 100_000}  # 万 in one


def _in_wan(wan: float) -> str:
    """An amount of ``wan`` 万 in the units Chinese writes it in: 5000万, but 1亿 (not 10000万)."""
    return f"{wan / 10_000:g}亿" if wan >= 10_000 else f"{wan:g}万"


def _chinese_scale(m: re.Match) -> str:
    """An English amount in the units Chinese writes it in: 50 million = 5000万, 100 million =
    1亿 (not 10000万), 3 billion = 30亿."""
    return _in_wan(float(m.group(1)) * _WAN[m.group(2)])


_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]*\d)")  # 3,000 and 200,000
_MEASURED = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(万?)(-?)\s*(" + "|".join(p for p, _ in ENGLISH_MEASURES)
                       + r")(?![a-z])")
_MEASURE = {word: chinese for words, chinese in ENGLISH_MEASURES for word in words.split("|")}


def _chinese_amount(m: re.Match) -> str:
    """A number written with thousands separators in the 万 (and 亿) Chinese counts in from ten
    thousand: 200,000 → 20万, 10,000 → 1万; a smaller one stays (3,000: a year it is not)."""
    value = float(m.group(0).replace(",", ""))
    return _in_wan(value / 10_000) if value >= 10_000 else m.group(0)


def _chinese_measure(m: re.Match) -> str:
    """A number and its English measure word as a Chinese figure (3000 tonnes → 3000吨); a
    10,000-X compound is the scale word 万X (a 10,000-head farm is a 万头 farm, 10,000-mu → 万亩)."""
    number, wan, hyphen, word = m.groups()
    number = number.replace(",", "")
    return ("" if number == "1" and wan and hyphen else number) + wan + _MEASURE[word]


_NUMBER_HYPHEN = re.compile(r"(?<=\d)-(?=[a-z])")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b(?!\s*年)")


@lru_cache(maxsize=1)
def _english_phrases() -> tuple[re.Pattern, dict[str, str]]:
    table: dict[str, str] = {}
    for phrases, chinese in ENGLISH_CUES:
        for phrase in phrases.split("|"):
            table.setdefault(phrase, chinese)
    for phrase, chinese in english_terms().items():
        table.setdefault(phrase, chinese)
    alternatives = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![a-z])")
    return pattern, table


def is_english(text: str) -> bool:
    """Mostly Latin-script words: fewer Chinese characters than Latin words (四平 gdp 2024 is Chinese)."""
    words = LATIN_WORD.findall(text)
    return bool(words) and len(HAN.findall(text)) < len(words)


def gloss_english(text: str, dictionary: EnglishDictionary | None = None
                  ) -> tuple[str, tuple[Rewrite, ...], tuple[tuple[str, ...], ...]]:
    """The corpus-language reading of a question asked in English, the rewrite (or unchanged),
    and the concepts the dictionary found for words the glossary does not know (each the corpus
    words one English word or phrase translates; the first of them is written into the gloss)."""
    if not is_english(text):
        return text, (), ()
    pattern, table = _english_phrases()
    lowered = _MEASURED.sub(_chinese_measure, _GROUPED.sub(_chinese_amount, text.lower().replace("’", "'")))
    lowered = _YEAR.sub(r"\1年", lowered)  # after the figures: 2000 tonnes is no year
    for ordinal, suffix in ENGLISH_ORDINALS:  # the number only: the words after it are glossed below
        lowered = ordinal.sub(lambda m, suffix=suffix: _chinese_number(int(m.group(1))) + suffix + " ", lowered)
    lowered = _SCALE.sub(_chinese_scale, _NUMBER_HYPHEN.sub(" ", lowered))  # 10-billion-yuan: 10 billion yuan
    lowered = ENGLISH_WHAT.sub(lambda m: ("多少" if _quantity(m.group(1)) else "什么") + m.group(1), lowered)
    lowered = ENGLISH_WHICH.sub(lambda m: _counted(m.group(1)) or (
        "哪些" + m.group(1) if _several(m.group(1)) else _before_head(m.group(1), "哪个")), lowered)
    lowered = ENGLISH_WHAT_NOUN.sub(lambda m: _counted(m.group(1)) or _what_noun(m, lowered, pattern), lowered)
    lowered = _INFLECTED.sub(lambda m: _cue_form(m.group(0), table), lowered)
    pieces: list[str] = []
    groups: list[tuple[str, ...]] = []
    names = english_places(text)
    last = 0
    for m in pattern.finditer(lowered):
        if _in_compound(lowered, m, dictionary):
            continue  # road in "road surface" (路面): the dictionary's compound, read with the rest
        pieces.append(_leftover(lowered[last:m.start()], dictionary, groups, names))
        pieces.append(table[m.group(0)])
        last = m.end()
    pieces.append(_leftover(lowered[last:], dictionary, groups, names))
    glossed = ENGLISH_SESSION_THEN_TERM.sub(r"\3\1\2", "".join(pieces).strip())  # 八届十一次全会
    return (glossed, (Rewrite(text, glossed, "english"),), tuple(groups)) if glossed else (text, (), ())


def english_verbs(text: str, dictionary: EnglishDictionary | None) -> tuple[tuple[str, ...], ...]:
    """The corpus words of the English question's verbs (CC-CEDICT's one-word verb senses: polish
    → 擦亮, adjust → 调整): what the gloss leaves out, read like a Chinese question's predicates."""
    if dictionary is None or not is_english(text):
        return ()
    words = dict.fromkeys(w for w in _WORDS.findall(text.lower()) if w not in ENGLISH_FUNCTION_WORDS)
    return tuple(found for w in words if (found := dictionary.verb(w)))


_WORDS = re.compile(r"[a-z]+")
_NEXT_WORD = re.compile(r"\s+([a-z][a-z\-]*)")
_INFLECTED = re.compile(r"(?<![a-z'\-])[a-z]{4,}(?![a-z'\-])")


def _what_noun(m: re.Match, text: str, cues: re.Pattern) -> str:
    """"What <noun phrase> <verb> …" (not a cue phrase: what share, what level): a quantity is
    asked as 多少, anything else as 什么 before the phrase's head, its last noun, which Chinese
    puts last too (what production base does → production 什么 base: 什么基地), so the answer
    is looked for in the clause that names that kind of thing (``spans.pick_clause``)."""
    if cues.match(text, m.start()):
        return m.group(0)
    words = list(_noun_words(m.group(1), stop=ENGLISH_PREPOSITIONS))
    if not words or all(w in ENGLISH_FUNCTION_WORDS for w in words):
        return m.group(0)
    if words[_last_noun(words)].removesuffix("'s") in ENGLISH_QUANTITY_NOUNS:
        return "多少 " + m.group(1)  # what growth did … see
    return _before_head(m.group(1), "什么") + (" " if m.group(0).endswith(" ") else "")


def _last_noun(words: list[str]) -> int:
    """The index of the noun phrase's last word that is no function word (one is assumed)."""
    return max(i for i, w in enumerate(words) if w not in ENGLISH_FUNCTION_WORDS)


def _before_head(noun_phrase: str, word: str) -> str:
    """The question word put before the noun phrase's head, its last noun, where Chinese puts it
    (which Shuangliao park did → Shuangliao 哪个 park: 双辽哪个园区); before the phrase when it
    has no noun. A possessive is the head (which bridge's road surface asks for a bridge)."""
    words = list(_noun_words(noun_phrase, stop=ENGLISH_PREPOSITIONS))
    if not words or all(w in ENGLISH_FUNCTION_WORDS for w in words):
        return word + noun_phrase
    head = next((i for i, w in enumerate(words) if w.endswith("'s")), None)
    head = _last_noun(words) if head is None else head
    rest = noun_phrase.split()[len(words):]
    return " ".join([*words[:head], word, *words[head:], *rest])


def _cue_form(word: str, table: dict[str, str]) -> str:
    """A word as the cue table lists it when the table has its base form only (aiming → aim,
    targets → target, rises → rise); the word itself otherwise."""
    if word in table:
        return word
    return next((form for form in lemmas(word)[1:] if form in table), word)


def _in_compound(text: str, m: re.Match, dictionary: EnglishDictionary | None) -> bool:
    """Whether a one-word glossary match begins a two-word compound the dictionary knows
    (road surface → 路面, not 公路 + 地表)."""
    if dictionary is None or " " in m.group(0):
        return False
    after = _NEXT_WORD.match(text, m.end())
    return bool(after) and after.group(1) not in ENGLISH_FUNCTION_WORDS and bool(
        dictionary.lookup(f"{m.group(0)} {after.group(1)}"))


def english_places(text: str) -> dict[str, str]:
    """The places an English question names, capitalised (Changchun, Jinhua's), each lower-case
    name with its Chinese (长春, 金华)."""
    known = places().english
    names = (w.lower().removesuffix("'s").removesuffix("’s") for w in LATIN_WORD.findall(text) if w[0].isupper())
    return {n: known[n] for n in names if n in known}


def _noun_words(noun_phrase: str, *, stop: frozenset[str] = frozenset()) -> Iterable[str]:
    """The words after a question word up to the verb (or a word in ``stop``, or a participle
    clause: ``ENGLISH_PARTICIPLE_CLAUSE``)."""
    words = noun_phrase.split()
    for i, word in enumerate(words):
        if (ENGLISH_VERB_AFTER_NOUN.match(word) or word in stop
                or ENGLISH_PARTICIPLE_CLAUSE.match(" ".join(words[i:i + 2]))):
            return
        yield word


def _quantity(noun_phrase: str) -> bool:
    """Whether the words after "what was/is" (up to a verb or preposition) name a quantity."""
    return any(w.removesuffix("'s") in ENGLISH_QUANTITY_NOUNS
               for w in _noun_words(noun_phrase, stop=ENGLISH_PREPOSITIONS))


_COUNT_WORD = re.compile(r"\s*([a-z]+)(?:-(?=[a-z]))?")


def _counted(noun_phrase: str) -> str:
    """A noun phrase after which/what that opens with a count (which two hospitals, what
    four-step approach) as Chinese asks it, with the general classifier (哪两个 hospitals, 哪四个 step
    approach): the count is how many items the answer lists (``spans.lists.list_count``); "" when
    it opens with none."""
    m = _COUNT_WORD.match(noun_phrase)
    if not m or m.group(1) not in ENGLISH_COUNTS:
        return ""
    n = ENGLISH_COUNTS[m.group(1)]
    return "哪" + ("两" if n == 2 else _chinese_number(n)) + "个 " + noun_phrase[m.end():].lstrip()


def _several(noun_phrase: str) -> bool:
    """Whether the words after "which" (up to the verb) name several things: a plural noun or a
    number word (which projects, which two hospitals; not which project was, which city)."""
    return any(w in ENGLISH_NUMBER_WORDS or (w not in ENGLISH_FUNCTION_WORDS and ENGLISH_PLURAL.match(w))
               for w in _noun_words(noun_phrase))


def _chinese_number(n: int) -> str:
    """1–99 in Chinese numerals, as session and term numbers are written (八, 十一, 二十)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


_KEPT = re.compile(r"\d[\d.,]*年?|[\u4e00-\u9fff]+|%|[a-z][a-z\-]*")


def _english_word(token: str) -> bool:
    """A ``_KEPT`` token that is a (lower-case) English word, not a figure or Chinese."""
    return token[:1].isascii() and token[:1].isalpha()


def _leftover(text: str, dictionary: EnglishDictionary | None, groups: list[tuple[str, ...]],
              names: dict[str, str]) -> str:
    """What the gloss keeps between known phrases: years, figures and Chinese, the Chinese of a
    place ``names`` holds (capitalised in the question), and the corpus word the dictionary gives
    for an English word or two-word phrase (its alternatives into ``groups``)."""
    tokens = []
    for token in _KEPT.findall(text):
        # a hyphenated compound the dictionary lacks is read word by word (sponge-city, water-diversion)
        if "-" in token and dictionary is not None and not dictionary.lookup(token):
            tokens.extend(t for t in token.split("-") if t)
        else:
            tokens.append(token)
    kept, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if not _english_word(token) or token in names:
            kept.append(names.get(token, token))
            i += 1
            continue
        words: tuple[str, ...] = ()
        if dictionary is not None and token not in ENGLISH_FUNCTION_WORDS and token not in ENGLISH_NUMBER_WORDS:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            after = tokens[i + 2] if i + 2 < len(tokens) else ""
            if _english_word(nxt) and nxt not in ENGLISH_FUNCTION_WORDS:
                words = dictionary.lookup(f"{token} {nxt}")
                if words:
                    i += 1
            elif nxt in ENGLISH_FUNCTION_WORDS and _english_word(after) and after not in ENGLISH_FUNCTION_WORDS:
                words = dictionary.lookup(f"{token} {nxt} {after}")  # opened to traffic
                if words:
                    i += 2
            words = words or dictionary.lookup(token)
        if words:
            kept.append(words[0])
            groups.append(words)
        i += 1
    return "".join(kept)


@lru_cache(maxsize=8192)
def _sound(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


# Capitalised words in a row (Ping Xin Ban, Yingxin Glass): a name, perhaps spelt in pinyin.
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ \-][A-Z][a-z]+)*")


class HomophoneReader:
    """Corpus words by their toneless pinyin, to read a mistyped question word as the corpus word,
    and a name an English question spells in pinyin as the corpus's name (Yingxin → 迎新)."""

    def __init__(self, vocabulary: Iterable[str], corpus_text: str):
        self._by_sound: dict[tuple[str, ...], set[str]] = {}
        for word in vocabulary:
            if _CJK_WORD.fullmatch(word):
                self._by_sound.setdefault(_sound(word), set()).add(word)
        self._text = corpus_text
        # the corpus's Chinese runs with their pinyin, and where each syllable starts: built on the
        # first English question, in one assignment (the server's threads may ask at once)
        self._syllables: tuple[list[tuple[str, list[str]]], dict[str, list[tuple[int, int]]]] | None = None

    def read_names(self, question: str, dictionary: EnglishDictionary | None = None
                   ) -> tuple[str, tuple[Rewrite, ...]]:
        """An English question with each name it spells in pinyin (capitalised words in a row, or
        some of them: Ping Xin Ban, Yingxin in Yingxin Glass) written as the one string of the corpus
        that sounds so (平信办, 迎新); known places and single English words are left to the gloss."""
        known = places().english
        rewrites: list[Rewrite] = []

        def name(m: re.Match) -> str:
            words = m.group(0).replace("-", " ").split()
            out, i, found = [], 0, False
            while i < len(words):
                for j in range(len(words), i, -1):  # the longest run of words first
                    chinese = self._pinyin_name(words[i:j], known, dictionary)
                    if chinese:
                        spelt = " ".join(words[i:j])
                        rewrites.append(Rewrite(spelt, chinese, "homophone"))
                        out.append(chinese)
                        i, found = j, True
                        break
                else:
                    out.append(words[i])
                    i += 1
            return " ".join(out) if found else m.group(0)  # Five-Year stays as it was

        text = _CAPITALISED_RUN.sub(name, question)
        return text, tuple(rewrites)

    def _pinyin_name(self, words: list[str], known: dict[str, str], dictionary: EnglishDictionary | None
                     ) -> str | None:
        lowered = [w.lower() for w in words]
        if len(words) == 1 and (lowered[0] in known or lowered[0] in ENGLISH_FUNCTION_WORDS
                                or (dictionary is not None and dictionary.lookup(lowered[0]))):
            return None  # a place the gloss knows, or an English word (Glass, Steel, Which)
        found = self._sounding("".join(lowered))
        return next(iter(found)) if len(found) == 1 else None

    def _sounding(self, spelt: str) -> set[str]:
        """The strings of two or more characters of the corpus whose toneless pinyin is ``spelt``."""
        if self._syllables is None:
            from pypinyin import lazy_pinyin

            runs = [(run, lazy_pinyin(run)) for run in re.findall(r"[\u4e00-\u9fff]{2,}", self._text)]
            starts: dict[str, list[tuple[int, int]]] = {}  # each syllable's places in the runs
            for r, (run, sounds) in enumerate(runs):
                for i, sound in enumerate(sounds[:-1]):
                    starts.setdefault(sound, []).append((r, i))
            self._syllables = (runs, starts)
        runs, starts = self._syllables
        found: set[str] = set()
        for first in (s for s in starts if spelt.startswith(s)):
            for r, i in starts[first]:
                run, sounds = runs[r]
                joined = ""
                for j in range(i, min(len(run), i + MAX_WORD)):
                    joined += sounds[j]
                    if not spelt.startswith(joined):
                        break
                    if joined == spelt and j > i:
                        found.add(run[i:j + 1])
                        break
        return found

    def joined_words(self, words: list[str]) -> list[str]:
        """Single characters in a row (jieba's cut, which leaves a word outside its dictionary in
        characters: 专+班, 国+控, 大+思+政+课) that the corpus writes together: one word to the
        question (专班, 大思政课), as jieba cannot know it; the longest the corpus has, from the left."""
        found, i = [], 0
        while i < len(words):
            run = 0
            while i + run < len(words) and len(words[i + run]) == 1:
                run += 1
            joined = next((n for n in range(run, 1, -1)
                           if _CJK_WORD.fullmatch(w := "".join(words[i:i + n])) and w in self._text), 0)
            if joined:
                found.append("".join(words[i:i + joined]))
            i += max(joined, 1)
        return found

    def read(self, question: str) -> tuple[str, tuple[Rewrite, ...]]:
        """The question with each unknown homophone replaced (longest first), and the rewrites."""
        tokenizer = default_tokenizer()
        words = tokenizer.words(question)
        rewrites: list[Rewrite] = []
        out, i = [], 0
        while i < len(words):
            # words[i:j], longest first; only pieces of at most MAX_WORD characters can be a word
            j_max, length = i, 0
            while j_max < len(words) and length + len(words[j_max]) <= MAX_WORD:
                length += len(words[j_max])
                j_max += 1
            for j in range(j_max, i, -1):
                piece = "".join(words[i:j])
                replacement = self._homophone(piece, words[i:j], tokenizer,
                                              words[i - 1] if i else "", words[j] if j < len(words) else "")
                if replacement:
                    rewrites.append(Rewrite(piece, replacement, "homophone"))
                    out.append(replacement)
                    i = j
                    break
            else:
                out.append(words[i])
                i += 1
        return "".join(out), tuple(rewrites)

    def _homophone(self, piece: str, parts: list[str], tokenizer, before: str = "", after: str = "") -> str | None:
        """The one corpus word that sounds like ``piece``, or None (``before``/``after``: the
        question's words next to it)."""
        if not MIN_WORD <= len(piece) <= MAX_WORD or not _CJK_WORD.fullmatch(piece):
            return None
        if tokenizer.knows(piece) or piece in self._text or INTERROGATIVES.search(piece):
            return None  # a real word, the corpus's own wording, or the question's 几/什么
        if any(p in CN_DIGITS for p in parts):
            return None  # 钱一: a word and a numeral, not one mistyped term
        words = self._by_sound.get(_sound(piece))
        if not words:
            return None

        def said_beside(word: str, *, any_word: bool = False) -> bool:
            """Whether the corpus says ``word`` next to the question's content word beside it (or,
            ``any_word``, its word of two characters or more: 示范, a verb)."""
            def counts(neighbour: str) -> bool:
                return bool(neighbour) and (len(neighbour) >= 2 and not INTERROGATIVES.search(neighbour)
                                            if any_word else not tokenizer.is_function_word(neighbour))
            context = [f"{before}{word}" if counts(before) else "", f"{word}{after}" if counts(after) else ""]
            return any(c and c in self._text for c in context)

        if len(words) > 1:
            # several corpus words sound so (城市, 成事): the one the corpus says beside the
            # question's neighbouring word (示范城事 → 示范城市), if only one is
            beside = [w for w in words if said_beside(w, any_word=True)]
            return beside[0] if len(beside) == 1 else None
        word = next(iter(words))
        if tokenizer.is_function_word(parts[-1]) and not said_beside(word):
            # 各是, 去的: a word and a particle or verb read as one (各市, 取得) — unless the corpus
            # says the sound word together with a content word next to it (农村测所 → 农村厕所)
            return None
        return word
