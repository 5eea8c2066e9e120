"""Exceptions raised by the library; the CLI and web layers turn them into messages."""


class QAServiceError(Exception):
    """Base class: every error the service raises on purpose."""

    code = "error"


class ConfigError(QAServiceError):
    """A setting is missing or has an invalid value."""

    code = "config_error"


class CorpusError(QAServiceError):
    """The corpus directory or its metadata file cannot be read."""

    code = "corpus_error"


class DocumentSkippedError(CorpusError):
    """One corpus file cannot be used (unsupported format, undecodable, damaged); the build
    reports it by name with the reason and goes on with the other documents."""

    code = "document_skipped"


class ModelError(QAServiceError):
    """The embedding model cannot be prepared or loaded."""

    code = "model_error"


class IndexMissingError(QAServiceError):
    """No index has been built yet."""

    code = "index_missing"


class IndexStaleError(QAServiceError):
    """The index was built from another corpus, model or format version."""

    code = "index_stale"


class IndexCorruptError(QAServiceError):
    """An index file is truncated, unreadable or inconsistent with the manifest."""

    code = "index_corrupt"


class InvalidQuestionError(QAServiceError):
    """The question or a request option is not acceptable."""

    code = "invalid_question"

    def __init__(self, message: str, *, code: str = "invalid_question"):
        super().__init__(message)
        self.code = code
