"""Chinese tokenisation: one jieba tokenizer with the domain dictionary and the synonym words.

The tokenizer is built once, with every word it will ever know, and the same instance tokenises
passages at indexing time and questions at query time: what an index holds can never depend on
what the process did before (jieba's global tokenizer learns words as a side effect).
"""
from __future__ import annotations

import itertools
import logging
import re
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..lexicon.cues import DUMMY_VERBS, QUESTION_WORD_PREFIX
from ..lexicon.synonyms import synonym_groups

logger = logging.getLogger(__name__)

USER_DICT = "userdict.txt"
STOPWORDS_FILE = "stopwords.txt"
_KEEP = re.compile(r"[\w%]", re.UNICODE)
_CONTENT_POS = ("n", "vn", "eng", "t", "b", "j", "i", "s", "l")
# Verbs and adjectives (增长, 出栏, 避免, 偏低): not what a question is about, but what it says
# about it; a passage that has them is more likely the one meant (see ``predicates``).
_PREDICATE_POS = ("v", "a")
# Texts whose tokens are kept (a bounded LRU, ~10 KB per passage at most): every build
# re-tokenises the whole corpus for BM25, and a server that adds a document or a process that
# builds again reads the unchanged passages from here instead of running jieba over them again.
TOKEN_CACHE_SIZE = 4096


def _data_text(name: str) -> str:
    return (resources.files("qa_service") / "data" / name).read_text(encoding="utf-8")


def _load_stopwords() -> frozenset[str]:
    return frozenset(line.strip() for line in _data_text(STOPWORDS_FILE).splitlines()
                     if line.strip() and not line.startswith("#"))


class Tokenizer:
    """jieba with ``data/userdict.txt`` and the multi-character synonym words added up front."""

    def __init__(self):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        with resources.as_file(resources.files("qa_service") / "data" / USER_DICT) as path:
            self._jieba.load_userdict(str(path))
        for group in synonym_groups():
            for word in group:
                if len(word) > 1:  # synonym terms stay whole (经济总量, 外贸进出口总额)
                    self._jieba.add_word(word)
        self._jieba.initialize()
        self.stopwords = _load_stopwords()
        self._function_words: frozenset[str] | None = None
        self._predicate_words: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._cached_tokens = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._tokens)

    def tokenize(self, text: str, *, keep_stopwords: bool = False, search: bool = True) -> list[str]:
        """jieba tokens, lower-cased, without punctuation.

        ``search=True`` (index and BM25 queries) adds the parts of long words (地区生产总值 →
        生产, 总值, …) for recall; ``search=False`` gives whole words only.
        """
        return list(self._cached_tokens(text, keep_stopwords, search))

    def _tokens(self, text: str, keep_stopwords: bool, search: bool) -> tuple[str, ...]:
        tokens = []
        for token in (self._jieba.cut_for_search(text) if search else self._jieba.cut(text)):
            token = token.strip().lower()
            if not token or not _KEEP.search(token):
                continue
            if not keep_stopwords:
                token = self._asked_rest(token)
                if not token or token in self.stopwords:
                    continue
            tokens.append(token)
        return tuple(tokens)

    def _asked_rest(self, word: str) -> str:
        """``word`` less a question word glued to its front (哪几种 → "", 哪三管 → 三管): what is
        left counts only when it is a word of two characters or more and no stopword."""
        asked = QUESTION_WORD_PREFIX.match(word)
        if asked is None or word in self.stopwords:
            return word
        rest = word[asked.end():]
        return rest if len(rest) >= 2 and rest not in self.stopwords else ""

    def words(self, text: str) -> list[str]:
        """Whole words in order, nothing dropped (the question as jieba reads it, HMM off)."""
        return list(self._jieba.cut(text, HMM=False))

    def knows(self, word: str) -> bool:
        """Whether the dictionary (jieba's, the domain one or the synonyms) has ``word``."""
        return bool(self._jieba.FREQ.get(word))

    def is_function_word(self, word: str) -> bool:
        """A stopword, or a dictionary word whose part of speech is not a content one."""
        return word in self.stopwords or word in self._load_function_words()

    def content_words(self, text: str) -> list[str]:
        """Nouns, names, places, terms and time words: what a question is about.

        Verbs, numerals, pronouns and particles (建了, 多少, 是谁) say what kind of answer is wanted,
        not what it is about, so they do not count when judging whether a passage covers a question.
        Words outside the dictionary (names, new terms) count as content, and so does a verb that is
        the object of a dummy verb (开展巡察 → 巡察, ``cues.DUMMY_VERBS``): it names the activity.
        """
        function_words = self._load_function_words()
        words, previous = [], ""
        for token in self._jieba.cut(text, HMM=False):  # HMM would glue 建+了 into one unknown "word"
            word = self._asked_rest(token.strip().lower())
            nominal = previous in DUMMY_VERBS and word in self._predicate_words
            if word and _KEEP.search(word) and word not in self.stopwords and (
                    nominal or token.strip() not in function_words):
                words.append(word)
            previous = word
        return words

    def predicates(self, text: str) -> list[str]:
        """Verbs and adjectives of two or more characters (增长, 出栏, 避免, 偏低), in order.

        ``content_words`` leaves them out, rightly for deciding whether a passage is about the
        question; they still tell which sentence of it says what was asked (坚决避免…).
        """
        self._load_function_words()
        return [w for w in (t.strip().lower() for t in self.words(text))
                if len(w) >= 2 and w in self._predicate_words and w not in self.stopwords]

    def _load_function_words(self) -> frozenset[str]:
        """Dictionary words whose part of speech is not a content one (verbs, numerals, pronouns…).

        Read straight from jieba's dictionary file: jieba.posseg would hold a tag table for all
        350k words (~160 MB per process); this keeps only the non-content ones, and of those the
        verbs and adjectives of two characters or more (``predicates``).
        """
        with self._lock:
            if self._function_words is None:
                import jieba

                words, predicates = set(), set()
                path = Path(jieba.__file__).resolve().parent / "dict.txt"
                with path.open(encoding="utf-8") as fh:  # streamed: 350k lines
                    lines = itertools.chain(fh, _data_text(USER_DICT).splitlines())
                    for parts in map(str.split, lines):  # the domain dictionary comes last and overrides
                        if len(parts) != 3:
                            continue
                        # a one-character verbal noun is a verb (管, 测, 投: "vn" names 管理, 监测)
                        function = not parts[2].startswith(_CONTENT_POS) or (parts[2] == "vn" and len(parts[0]) == 1)
                        (words.add if function else words.discard)(parts[0])
                        predicate = function and parts[2].startswith(_PREDICATE_POS) and len(parts[0]) >= 2
                        (predicates.add if predicate else predicates.discard)(parts[0])
                self._function_words = frozenset(words)
                self._predicate_words = frozenset(predicates)
        return self._function_words


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """The process's tokenizer (built on first use; jieba's dictionary load takes ~1 s)."""
    return Tokenizer()


def tokenize(text: str, *, keep_stopwords: bool = False, search: bool = True) -> list[str]:
    """``default_tokenizer().tokenize``."""
    return default_tokenizer().tokenize(text, keep_stopwords=keep_stopwords, search=search)


def content_words(text: str) -> list[str]:
    """``default_tokenizer().content_words``."""
    return default_tokenizer().content_words(text)


def predicates(text: str) -> list[str]:
    """``default_tokenizer().predicates``."""
    return default_tokenizer().predicates(text)
