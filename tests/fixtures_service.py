"""The real QAService (real model, real corpus, real index) shared by the web and browser tests.

pytest only reads fixtures from ``conftest.py`` and the test modules themselves, so the test
modules import ``real_service`` from here; the loader is cached so both modules (and every
test) share one service per session instead of loading the model twice.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GDP_QUESTION = "2024年前三季度GDP是多少"
GDP_FIGURE = "451.83"
GDP_DOC = "000_d035c923f93be10b"


@functools.lru_cache(maxsize=1)
def load_real_service():
    """Build the index if missing or stale (~30–60 s with the real model), then load it."""
    from qa_service.config import load_settings
    from qa_service.service import QAService, ensure_index, make_embedder

    index_dir = Path(os.environ.get("QA_TEST_INDEX_DIR") or ROOT / "index")
    settings = load_settings({"index_dir": index_dir})
    embedder = make_embedder(settings)
    ensure_index(settings, embedder=embedder)
    return QAService.load(settings, build_if_missing=True, embedder=embedder)


@pytest.fixture(scope="session")
def real_service():
    return load_real_service()
