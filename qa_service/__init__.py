"""Cited-passage question answering over Siping (四平) municipal news."""
from .config import Settings, load_settings
from .errors import QAServiceError
from .types import Answer, AnswerSpan, Document, DocumentMeta, Hit, Passage

__all__ = ["Answer", "AnswerSpan", "Document", "DocumentMeta", "Hit", "Passage", "QAServiceError",
           "Settings", "load_settings"]
