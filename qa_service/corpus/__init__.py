"""The corpus: source files and their metadata → newspaper layout rebuilt → cited passages."""
from .layout import layout_text, reflow_blocks
from .loading import corpus_files, corpus_hash, load_corpus
from .passages import build_corpus_passages, build_passages
from .sentences import split_paragraph, split_sentences

__all__ = ["build_corpus_passages", "build_passages", "corpus_files", "corpus_hash", "layout_text",
           "load_corpus", "reflow_blocks", "split_paragraph", "split_sentences"]
