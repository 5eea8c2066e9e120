"""Shared fixtures: the real corpus and its passages, and the real service (model + index) built
once per session and shared by every test that needs the real model."""
from __future__ import annotations

import os

import pytest
from support import CORPUS, ROOT, real_settings

from qa_service.corpus import build_corpus_passages, load_corpus


@pytest.fixture(scope="session")
def documents():
    return load_corpus(CORPUS, root=ROOT)


@pytest.fixture(scope="session")
def passages(documents):
    return build_corpus_passages(documents, max_chars=360)


@pytest.fixture(scope="session")
def real_embedder():
    """The real embedding model, loaded once for the whole suite."""
    from qa_service.service import make_embedder

    return make_embedder(real_settings())


@pytest.fixture(scope="session")
def real_service(real_embedder):
    """The shipped configuration (defaults only) over the real corpus, with the index built
    (or found current) once per session in a test-only directory."""
    from qa_service.service import QAService, ensure_index

    settings = real_settings()
    ensure_index(settings, embedder=real_embedder)
    return QAService.load(settings, embedder=real_embedder)


@pytest.fixture(scope="session")
def fake_service(tmp_path_factory):
    """The real question path over the real corpus with a tiny fake embedder instead of the model
    (hashed character bigrams): for web, API and CLI tests where the model is not the point."""
    from support import FakeEmbedder, make_settings

    from qa_service.search import build_index
    from qa_service.service import QAService

    root = tmp_path_factory.mktemp("fake-service")
    # named for what it is: the learned weights read the real model's cosines (a sentence's is
    # one of its features) and are not applied to another encoder's (``service.core._matching``)
    settings = make_settings(root, corpus_dir=CORPUS, model=FakeEmbedder.model_name)
    embedder = FakeEmbedder()
    build_index(settings, embedder)
    return QAService.load(settings, embedder=embedder)


@pytest.fixture
def clean_qa_environment(monkeypatch, tmp_path):
    """No QA_* variable or qa_service.toml of the machine running the tests may leak in
    (modules that read settings from the environment use it: ``pytestmark``)."""
    for name in list(os.environ):
        if name.startswith("QA_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("QA_CONFIG", str(tmp_path / "absent.toml"))
