"""Shared fixtures: the real corpus and its passages."""
from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.corpus import load_corpus
from qa_service.reflow import build_corpus_passages

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def documents():
    return load_corpus(CORPUS, root=ROOT)


@pytest.fixture(scope="session")
def passages(documents):
    return build_corpus_passages(documents, max_chars=360)
