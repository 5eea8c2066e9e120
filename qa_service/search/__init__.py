"""Search: the embedding model, the BM25 and dense indexes, and the index directory."""
from .bm25 import BM25Index, DocFreq
from .index_store import BuildResult, LoadedIndex, build_index, index_is_current, load_index
from .tokenizer import Tokenizer, content_words, default_tokenizer, tokenize

__all__ = ["BM25Index", "BuildResult", "DocFreq", "LoadedIndex", "Tokenizer", "build_index",
           "content_words", "default_tokenizer", "index_is_current", "load_index", "tokenize"]
