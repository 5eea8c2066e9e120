"""Chinese tokenisation (jieba + a domain dictionary) and the BM25 index (bm25s)."""
from __future__ import annotations

import logging
import re
import threading
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import IndexCorruptError

logger = logging.getLogger(__name__)

# Function words and question words that carry no topic; dropping them keeps BM25 on content.
STOPWORDS = frozenset("""
的 了 是 在 和 与 及 等 为 对 把 被 将 也 都 而 并 或 从 向 于 以 之 其 这 那 个 年 月 日 中 上 下
多少 几 几个 第几 哪 哪些 哪个 哪几 什么 怎么 怎样 如何 是否 吗 呢 吧 啊 有 没有 请问 请 一下 情况 方面
要 会 能 可以 达到 实现 完成 提出 了解 问 告诉 我 你 他 我们 多 大 到 时候 时间 今年 去年 明年 啥 谁 哪里 期间 目前 现在 最近 啊 钱 多长时间 多久 时候 东西
""".split())
_KEEP = re.compile(r"[\w%]", re.UNICODE)
_tokenizer = None
_lock = threading.Lock()


def _jieba():
    """One jieba tokenizer with the domain dictionary, initialised once per process."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            with resources.as_file(resources.files("qa_service") / "data" / "userdict.txt") as path:
                tok.load_userdict(str(path))
            tok.initialize()
            _tokenizer = tok
    return _tokenizer


def tokenize(text: str, *, keep_stopwords: bool = False, search: bool = True) -> list[str]:
    """jieba tokens, lower-cased, without punctuation.

    ``search=True`` (index and BM25 queries) adds the parts of long words (地区生产总值 →
    生产, 总值, …) for recall; ``search=False`` gives whole words only.
    """
    tokens = []
    tok = _jieba()
    for token in (tok.cut_for_search(text) if search else tok.cut(text)):
        token = token.strip().lower()
        if not token or not _KEEP.search(token):
            continue
        if not keep_stopwords and token in STOPWORDS:
            continue
        tokens.append(token)
    return tokens


_CONTENT_POS = ("n", "vn", "eng", "t", "b", "j", "i", "s", "l")
_function_words: frozenset[str] | None = None


def _load_function_words() -> frozenset[str]:
    """Dictionary words whose part of speech is not a content one (verbs, numerals, pronouns…).

    Read straight from jieba's dictionary file: jieba.posseg would hold a tag table for all
    350k words (~160 MB per process); this keeps only the non-content ones.
    """
    import jieba

    words = set()
    path = Path(jieba.__file__).resolve().parent / "dict.txt"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and not parts[2].startswith(_CONTENT_POS):
                words.add(parts[0])
    with resources.as_file(resources.files("qa_service") / "data" / "userdict.txt") as user:
        for line in user.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3:
                (words.add if not parts[2].startswith(_CONTENT_POS) else words.discard)(parts[0])
    return frozenset(words)


def content_words(text: str) -> list[str]:
    """Nouns, names, places, terms and time words: what a question is about.

    Verbs, numerals, pronouns and particles (建了, 多少, 是谁) say what kind of answer is wanted,
    not what it is about, so they do not count when judging whether a passage covers a question.
    Words outside the dictionary (names, new terms) count as content.
    """
    global _function_words
    with _lock:
        if _function_words is None:
            _function_words = _load_function_words()
    words = []
    for token in _jieba().cut(text, HMM=False):  # HMM would glue 建+了 into one unknown "word"
        word = token.strip().lower()
        if word and _KEEP.search(word) and word not in STOPWORDS and token.strip() not in _function_words:
            words.append(word)
    return words


def add_words(words: list[str]) -> None:
    """Teach the tokenizer extra words (e.g. synonym terms) so they stay whole."""
    tok = _jieba()
    for word in words:
        tok.add_word(word)


class BM25Index:
    """BM25 over pre-tokenised passages (bm25s: sparse matrices, no pickle on disk)."""

    def __init__(self, retriever=None, count: int = 0):
        self._retriever = retriever
        self.count = count

    @classmethod
    def build(cls, token_lists: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index(token_lists, show_progress=False)
        return cls(retriever, len(token_lists))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when no token is known)."""
        if not query_tokens or self.count == 0:
            return np.zeros(self.count, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(query_tokens), dtype=np.float32)

    def document_frequency(self, token: str) -> int:
        """Passages whose indexed text contains ``token`` (one column of the CSC score matrix)."""
        column = self._retriever.vocab_dict.get(token)
        if column is None:
            return 0
        indptr = self._retriever.scores["indptr"]
        return int(indptr[column + 1] - indptr[column])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, *, count: int) -> "BM25Index":
        import bm25s

        try:
            retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
            probe = retriever.get_scores(["四平"])
        except Exception as exc:  # bm25s raises assorted errors on damaged files
            raise IndexCorruptError(f"BM25 index in {directory} is unreadable: {exc}") from exc
        if len(probe) != count:
            raise IndexCorruptError(f"BM25 index has {len(probe)} passages, manifest says {count}")
        return cls(retriever, count)
