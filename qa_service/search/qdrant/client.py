"""Connecting to Qdrant: a server (``QA_QDRANT_URL``) or local mode, with qdrant-client imported
only here, lazily: users of the embedded default never need it."""
from __future__ import annotations

import atexit
import threading
from pathlib import Path

from ...errors import ConfigError
from ..store_config import DenseConfig

MEMORY = ":memory:"  # QA_QDRANT_URL=:memory: keeps a local-mode collection in this process only
_LOCAL: dict[str, object] = {}  # local-mode clients by storage path (a path admits one client) or MEMORY
_LOCK = threading.Lock()


def qdrant_modules():
    """``(QdrantClient, models)``; a missing package is a ConfigError that names the extra."""
    try:
        from qdrant_client import QdrantClient, models
    except ImportError as exc:
        raise ConfigError("QA_STORE=qdrant needs the Qdrant client, which is not installed: "
                          "pip install '.[qdrant]' (or pip install 'qdrant-client>=1.12,<2')") from exc
    return QdrantClient, models


def connect(config: DenseConfig, *, local_path: Path | None):
    """A client for the configured server, or for local-mode storage under ``local_path``."""
    client_class, _ = qdrant_modules()
    url = config.qdrant_url
    if url and url != MEMORY:
        return client_class(url=url, api_key=config.qdrant_api_key or None, timeout=60)
    key = MEMORY if url == MEMORY or local_path is None else str(local_path.resolve())
    with _LOCK:  # one in-memory collection set per process, like one server
        client = _LOCAL.get(key)
        if client is None:
            client = _LOCAL[key] = client_class(location=MEMORY) if key == MEMORY else client_class(path=key)
        return client


def release(local_path: Path) -> None:
    """Close a local-mode client (a finished build), releasing its storage lock."""
    with _LOCK:
        client = _LOCAL.pop(str(local_path.resolve()), None)
    if client is not None:
        client.close()


@atexit.register
def _close_all() -> None:
    """Close cached clients before interpreter shutdown (their own ``__del__`` fails then)."""
    with _LOCK:
        clients = list(_LOCAL.values())
        _LOCAL.clear()
    for client in clients:
        client.close()
