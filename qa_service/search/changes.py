"""What a build changed against the previous index: documents added, removed, edited (text) or
re-described (metadata only), files skipped, passages embedded vs taken from the cache.

The indexed documents (extracted text and metadata) are stored in the index as JSON lines, so a
loaded index answers and shows its source view without re-reading the corpus files.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

from ..errors import IndexCorruptError
from ..types import Document, DocumentMeta


@dataclass(frozen=True)
class IndexChanges:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    text_changed: tuple[str, ...]
    metadata_changed: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (file, reason)
    embedded: int  # passages run through the model
    reused: int  # passages whose vectors came from the embedding cache
    sentences_embedded: int = 0  # answer sentences run through the model (``sentence_vectors``)
    sentences_reused: int = 0
    clauses_embedded: int = 0  # their clauses (``sentence_vectors``)
    clauses_reused: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.text_changed or self.metadata_changed)

    def summary(self) -> list[str]:
        """Lines a user reads after ``qa-service index/add/remove``."""
        lines = []
        for label, ids in (("added", self.added), ("removed", self.removed),
                           ("text changed", self.text_changed), ("metadata changed", self.metadata_changed)):
            if ids:
                lines.append(f"{label}: {', '.join(ids)}")
        if not lines:
            lines.append("documents unchanged")
        for path, reason in self.skipped:
            lines.append(f"skipped {path}: {reason}")
        lines.append(f"passages embedded: {self.embedded} new, {self.reused} from the cache; "
                     f"answer sentences: {self.sentences_embedded} new, {self.sentences_reused} from the cache; "
                     f"clauses: {self.clauses_embedded} new, {self.clauses_reused} from the cache")
        return lines


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def document_hashes(documents: Sequence[Document]) -> dict[str, dict[str, str]]:
    return {d.doc_id: {"text": _sha(d.raw),
                       "meta": _sha(json.dumps(asdict(d.meta), ensure_ascii=False, sort_keys=True))}
            for d in documents}


def compare_documents(before: dict, after: dict, *, skipped, embedded: int, reused: int,
                      sentences_embedded: int = 0, sentences_reused: int = 0,
                      clauses_embedded: int = 0, clauses_reused: int = 0) -> IndexChanges:
    common = sorted(set(before) & set(after))
    return IndexChanges(
        added=tuple(sorted(set(after) - set(before))),
        removed=tuple(sorted(set(before) - set(after))),
        text_changed=tuple(d for d in common if before[d].get("text") != after[d]["text"]),
        metadata_changed=tuple(d for d in common if before[d].get("text") == after[d]["text"]
                               and before[d].get("meta") != after[d]["meta"]),
        skipped=tuple((s.path, s.reason) for s in skipped),
        embedded=embedded,
        reused=reused,
        sentences_embedded=sentences_embedded,
        sentences_reused=sentences_reused,
        clauses_embedded=clauses_embedded,
        clauses_reused=clauses_reused,
    )


def write_documents(path: Path, documents: Sequence[Document]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in documents:
            record = {"doc_id": d.doc_id, "path": d.path, "format": d.format, "encoding": d.encoding,
                      "meta": asdict(d.meta), "text": d.raw}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_documents(path: Path) -> list[Document]:
    try:
        with path.open(encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        documents = []
        for r in records:
            meta = dict(r["meta"])
            for key in ("reports_on", "plans_for", "bylines"):
                meta[key] = tuple(meta.get(key, ()))
            documents.append(Document(doc_id=r["doc_id"], path=r["path"], raw=r["text"], meta=DocumentMeta(**meta),
                                      format=r.get("format", "txt"), encoding=r.get("encoding", "utf-8")))
        return documents
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"{path} is unreadable: {exc}: run `qa-service index --force`") from exc
