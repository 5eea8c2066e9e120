"""Cited-passage question answering over Siping (四平) municipal news.

Layers, each importing only those below it (checked by import-linter):
cli → web | evaluation → service → qa → search → corpus → lexicon → config | types | errors.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import QAServiceError
from .types import Answer, AnswerSpan, Document, DocumentMeta, Hit, Passage

__all__ = ["Answer", "AnswerSpan", "Document", "DocumentMeta", "Hit", "Passage", "QAService",
           "QAServiceError", "Settings", "create_app", "load_settings"]

if TYPE_CHECKING:  # pragma: no cover
    from .config import Settings, load_settings
    from .service import QAService
    from .web import create_app


def __getattr__(name: str):
    """Re-export the public API lazily: ``import qa_service.types`` stays light."""
    if name in ("Settings", "load_settings"):
        from . import config

        return getattr(config, name)
    if name == "QAService":
        from .service import QAService

        return QAService
    if name == "create_app":
        from .web import create_app

        return create_app
    raise AttributeError(f"module 'qa_service' has no attribute {name!r}")
