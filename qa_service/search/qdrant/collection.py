"""One Qdrant collection per index: the dense vector (cosine), the BM25 sparse vector (our
jieba tokens' saturated term frequencies, idf computed by the engine: ``Modifier.IDF``) and the
payload (doc id, paragraph, years, text offsets).

The collection is reached through an alias (``QA_QDRANT_COLLECTION``) that points at a
physical collection (``<alias>-<build stamp>``). A full build fills a new physical collection
and then moves the alias in one call, so readers never see a half-built collection; an
incremental build (same server and collection, the corpus's mean passage length within 1%)
deletes and upserts only the changed documents' points in the physical collection in use.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path
from typing import Sequence

import numpy as np

from ...errors import IndexCorruptError
from ..context import StoreRecords
from ..store_config import DenseConfig
from ..sparse import B, K1, saturated_tf
from .client import MEMORY, connect, qdrant_modules, release

logger = logging.getLogger(__name__)

DENSE, SPARSE = "dense", "bm25"  # the collection's named vectors
LOCAL_DIR = "qdrant"  # local-mode storage inside the build directory (the engine's own files)
DESCRIPTOR = "qdrant.json"  # in the index's dense/ folder
VOCABULARY = "vocabulary.json"  # in the index's bm25/ folder: term → sparse index, and df
AVGDL_TOLERANCE = 0.01  # beyond this drift every passage's length normalisation is rewritten
BATCH = 256
_NAMESPACE = uuid.UUID("5b0c1f7e-2f1a-4f57-9a43-0d1c3b6a9e21")


def point_id(passage_id: str) -> str:
    """A passage's stable point id: the same passage keeps its point across builds."""
    return str(uuid.uuid5(_NAMESPACE, passage_id))


class QdrantCollection:
    """The collection behind one built index, with the vocabulary that numbers its sparse terms."""

    def __init__(self, client, config: DenseConfig, *, physical: str, passage_ids: Sequence[str], dim: int,
                 vocabulary: dict[str, int], doc_freq: dict[str, int], avgdl: float, local_path: Path | None):
        self.client, self.config, self.physical, self.dim = client, config, physical, dim
        self.alias = config.qdrant_collection
        self.vocabulary, self.doc_freq, self.avgdl = vocabulary, doc_freq, avgdl
        self.points = [point_id(p) for p in passage_ids]
        self.rows = {pid: i for i, pid in enumerate(self.points)}
        self.local_path = local_path

    @property
    def count(self) -> int:
        return len(self.points)

    # --- build ----------------------------------------------------------------------------

    @classmethod
    def build(cls, records: StoreRecords, config: DenseConfig, directory: Path | None, *,
              previous: Path | None = None, changed_docs: set[str] | None = None) -> "QdrantCollection":
        """Fill the collection from ``records`` (incrementally when ``previous`` allows) and
        write the descriptor and vocabulary into ``directory``'s dense/ and bm25/ folders."""
        local_path = None if config.qdrant_url or directory is None else directory / LOCAL_DIR
        client = connect(config, local_path=local_path)
        lengths = [len(t) for t in records.token_lists]
        avgdl = float(np.mean(lengths)) if lengths else 0.0
        old = _read_previous(previous, config)
        incremental = (old is not None and changed_docs is not None and old["avgdl"] > 0
                       and abs(avgdl - old["avgdl"]) / old["avgdl"] <= AVGDL_TOLERANCE
                       and client.collection_exists(old["physical"]))
        vocabulary = dict(old["vocabulary"]) if incremental else {}
        for tokens in records.token_lists:
            for t in tokens:
                vocabulary.setdefault(t, len(vocabulary))
        doc_freq: dict[str, int] = {}
        for tokens in records.token_lists:
            for t in set(tokens):
                doc_freq[t] = doc_freq.get(t, 0) + 1
        store = cls(client, config, physical=old["physical"] if incremental else _new_physical(config),
                    passage_ids=records.passage_ids, dim=records.vectors.shape[1], vocabulary=vocabulary,
                    doc_freq=doc_freq, avgdl=avgdl, local_path=local_path)
        if incremental:
            store._replace_documents(records, changed_docs)
            if store._points_held() != store.count:  # the collection was changed behind our back
                logger.warning("Qdrant collection %s does not hold this index's points: rebuilding it", store.alias)
                store.physical, incremental = _new_physical(config), False
        if not incremental:
            store._create()
            store._upsert(records, range(len(records.passage_ids)))
            store._point_alias(old["physical"] if old else None)
        if store._points_held() != store.count:
            raise IndexCorruptError(f"Qdrant collection {store.alias} holds {store._points_held()} points after "
                                    f"the build, expected {store.count}")
        if directory is not None:
            store.save(directory)
        return store

    def _points_held(self) -> int:
        return self.client.count(self.alias, exact=True).count

    def _create(self) -> None:
        _, models = qdrant_modules()
        c = self.config
        self.client.create_collection(
            self.physical,
            vectors_config={DENSE: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            shard_number=c.qdrant_shards, replication_factor=c.qdrant_replicas,
            hnsw_config=models.HnswConfigDiff(m=c.qdrant_hnsw_m, ef_construct=max(100, 2 * c.qdrant_hnsw_m)))
        if c.qdrant_url and c.qdrant_url != MEMORY:  # payload indexes make filters fast on a server (local mode has none)
            self.client.create_payload_index(self.physical, "doc_id", models.PayloadSchemaType.KEYWORD)
            self.client.create_payload_index(self.physical, "years", models.PayloadSchemaType.INTEGER)

    def _upsert(self, records: StoreRecords, rows) -> None:
        _, models = qdrant_modules()
        rows = list(rows)
        for start in range(0, len(rows), BATCH):
            points = []
            for i in rows[start:start + BATCH]:
                weights = saturated_tf(records.token_lists[i], avgdl=self.avgdl, k1=K1, b=B)
                indices = sorted(self.vocabulary[t] for t in weights)
                by_index = {self.vocabulary[t]: w for t, w in weights.items()}
                vector = {DENSE: np.asarray(records.vectors[i], dtype=np.float32).tolist(),
                          SPARSE: models.SparseVector(indices=indices, values=[by_index[j] for j in indices])}
                payload = {"passage_id": records.passage_ids[i], "doc_id": records.doc_ids[i], **records.payloads[i]}
                points.append(models.PointStruct(id=point_id(records.passage_ids[i]), vector=vector, payload=payload))
            self.client.upsert(self.physical, points=points, wait=True)

    def append(self, records: StoreRecords) -> None:
        """Add passages after the existing rows (the vectors-only store's ``add``)."""
        self._upsert(records, range(len(records.passage_ids)))
        for name in records.passage_ids:
            self.rows[point_id(name)] = len(self.points)
            self.points.append(point_id(name))

    def _replace_documents(self, records: StoreRecords, changed: set[str]) -> None:
        """Delete the changed (and removed) documents' points, upsert their current passages."""
        _, models = qdrant_modules()
        if changed:
            condition = models.FieldCondition(key="doc_id", match=models.MatchAny(any=sorted(changed)))
            self.client.delete(self.physical, points_selector=models.FilterSelector(
                filter=models.Filter(must=[condition])), wait=True)
        self._upsert(records, [i for i, d in enumerate(records.doc_ids) if d in changed])
        logger.info("Qdrant: %d document(s) replaced in %s", len(changed), self.physical)

    def _point_alias(self, previous_physical: str | None) -> None:
        """Move the alias to the new physical collection in one call, then drop the old one."""
        _, models = qdrant_modules()
        actions = [models.CreateAliasOperation(create_alias=models.CreateAlias(
            collection_name=self.physical, alias_name=self.alias))]
        aliases = {a.alias_name for a in self.client.get_aliases().aliases}
        if self.alias in aliases:
            actions.insert(0, models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=self.alias)))
        self.client.update_collection_aliases(change_aliases_operations=actions)
        if previous_physical and previous_physical != self.physical and self.client.collection_exists(previous_physical):
            self.client.delete_collection(previous_physical)

    # --- save / load ----------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        (directory / "dense").mkdir(parents=True, exist_ok=True)
        (directory / "bm25").mkdir(parents=True, exist_ok=True)
        descriptor = {"url": self.config.qdrant_url, "alias": self.alias, "physical": self.physical,
                      "points": self.count, "dim": self.dim, "avgdl": self.avgdl, "k1": K1, "b": B}
        (directory / "dense" / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
        terms = sorted(self.vocabulary, key=self.vocabulary.get)
        (directory / "bm25" / VOCABULARY).write_text(json.dumps(
            {"terms": terms, "df": [self.doc_freq.get(t, 0) for t in terms]}, ensure_ascii=False), encoding="utf-8")

    def close(self) -> None:
        """Release local-mode storage (a build directory is renamed after the build)."""
        if self.local_path is not None:
            release(self.local_path)

    @classmethod
    def load(cls, directory: Path, config: DenseConfig, *, passage_ids: Sequence[str], dim: int) -> "QdrantCollection":
        descriptor, terms, df = _read_files(directory)
        if descriptor.get("url", "") != config.qdrant_url or descriptor.get("alias") != config.qdrant_collection:
            raise IndexCorruptError(f"index in {directory} was built for Qdrant collection {descriptor.get('alias')!r} "
                                    f"at {descriptor.get('url') or 'local mode'}: run `qa-service index --force`")
        if descriptor.get("points") != len(passage_ids) or descriptor.get("dim") != dim:
            raise IndexCorruptError(f"Qdrant descriptor in {directory} does not match the manifest: "
                                    "run `qa-service index --force`")
        local_path = None if config.qdrant_url else directory / LOCAL_DIR
        if local_path is not None and not local_path.is_dir():
            raise IndexCorruptError(f"local Qdrant storage {local_path} is missing: run `qa-service index --force`")
        client = connect(config, local_path=local_path)
        if not client.collection_exists(config.qdrant_collection):
            raise IndexCorruptError(f"Qdrant collection {config.qdrant_collection!r} does not exist: "
                                    "run `qa-service index --force`")
        store = cls(client, config, physical=descriptor["physical"], passage_ids=passage_ids, dim=dim,
                    vocabulary={t: i for i, t in enumerate(terms)}, doc_freq=dict(zip(terms, df)),
                    avgdl=descriptor["avgdl"], local_path=local_path)
        actual = store._points_held()
        if actual != store.count:  # a newer build may have changed a shared collection since
            logger.warning("Qdrant collection %s holds %d points, this index %d", store.alias, actual, store.count)
        return store


def _new_physical(config: DenseConfig) -> str:
    return f"{config.qdrant_collection}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"


def read_descriptor(directory: Path) -> dict:
    return _read_files(directory)[0]


def _read_files(directory: Path) -> tuple[dict, list[str], list[int]]:
    try:
        descriptor = json.loads((directory / "dense" / DESCRIPTOR).read_text(encoding="utf-8"))
        vocab = json.loads((directory / "bm25" / VOCABULARY).read_text(encoding="utf-8"))
        terms, df = list(vocab["terms"]), [int(x) for x in vocab["df"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"Qdrant descriptor in {directory} is unreadable: {exc}: "
                                "run `qa-service index --force`") from exc
    if len(terms) != len(df):
        raise IndexCorruptError(f"Qdrant vocabulary in {directory} is damaged: run `qa-service index --force`")
    return descriptor, terms, df


def _read_previous(previous: Path | None, config: DenseConfig) -> dict | None:
    """The previous build's collection, when it lives on the same server under the same alias
    (local mode keeps a collection per build directory: nothing to carry over)."""
    if previous is None or not config.qdrant_url:
        return None
    try:
        descriptor, terms, _ = _read_files(previous)
    except IndexCorruptError:
        return None
    if descriptor.get("url") != config.qdrant_url or descriptor.get("alias") != config.qdrant_collection:
        return None
    return {"physical": descriptor["physical"], "avgdl": float(descriptor["avgdl"]),
            "vocabulary": {t: i for i, t in enumerate(terms)}}
