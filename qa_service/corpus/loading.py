"""Load the corpus directory: every document file (any supported format, in subfolders too),
its text and its metadata — read from the text, with ``metadata.json`` as optional overrides.

A file that cannot be used is reported by name with the reason and skipped; it never fails the
build or the other documents.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError, DocumentSkippedError
from ..types import Document, DocumentMeta
from .formats import extract
from .inference import infer_meta

logger = logging.getLogger(__name__)

METADATA_FILE = "metadata.json"
CORPUS_LABEL = "corpus"  # the corpus folder's name in responses, whatever its real path


@dataclass(frozen=True)
class SkippedFile:
    path: str  # relative to the corpus directory
    reason: str


@dataclass(frozen=True)
class CorpusScan:
    documents: list[Document]
    skipped: list[SkippedFile]


def _is_candidate(path: Path, corpus_dir: Path) -> bool:
    rel = path.relative_to(corpus_dir)
    if any(part.startswith((".", "~$")) for part in rel.parts):
        return False  # hidden files, editor and Office lock files
    return not (len(rel.parts) == 1 and (path.name == METADATA_FILE or path.name.upper().startswith("README")))


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every file under the corpus directory that is meant as a document, in a stable order
    (metadata, READMEs and hidden files excluded; unsupported formats included, to be reported)."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory {corpus_dir} does not exist")
    # os.walk with onerror: rglob would swallow an unreadable folder's PermissionError and find nothing
    def fail(exc: OSError) -> None:
        raise exc

    found = []
    for folder, subfolders, names in os.walk(corpus_dir, onerror=fail):
        subfolders.sort()
        for name in names:
            path = Path(folder) / name
            if path.is_file() and _is_candidate(path, corpus_dir):
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(corpus_dir).as_posix())


def document_ids(corpus_dir: Path, paths: list[Path]) -> dict[Path, str]:
    """Document id = file name without extension; when two files share it, the path relative to
    the corpus directory without extension (``2024/conference_report``)."""
    stems: dict[str, int] = {}
    for path in paths:
        stems[path.stem] = stems.get(path.stem, 0) + 1
    return {p: p.stem if stems[p.stem] == 1 else p.relative_to(corpus_dir).with_suffix("").as_posix()
            for p in paths}


def corpus_hash(corpus_dir: Path) -> str:
    """SHA-256 over every document file's relative path and bytes and the metadata file."""
    digest = hashlib.sha256()
    paths = corpus_files(corpus_dir)
    meta = corpus_dir / METADATA_FILE
    if meta.is_file():
        paths = [*paths, meta]
    for path in paths:
        digest.update(path.relative_to(corpus_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def source_path(path: Path, corpus_dir: Path) -> str:
    """How a document's file is named to users: relative to the corpus folder, written
    ``corpus/<name>`` wherever that folder lives, so no server path reaches a response."""
    return f"{CORPUS_LABEL}/{path.relative_to(corpus_dir).as_posix()}"


def load_metadata(corpus_dir: Path) -> dict[str, dict]:
    path = corpus_dir / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["documents"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"cannot read {path}: {exc}") from exc


def apply_overrides(meta: DocumentMeta, entry: dict) -> DocumentMeta:
    """The inferred metadata with the fields a metadata.json entry gives replaced."""
    try:
        changes = {key: str(entry[key]) for key in ("title", "date", "kind", "note") if key in entry}
        for key in ("reports_on", "plans_for"):
            if key in entry:
                changes[key] = tuple(int(y) for y in entry[key])
        if "bylines" in entry:
            changes["bylines"] = tuple(str(b) for b in entry["bylines"])
    except (TypeError, ValueError) as exc:
        raise CorpusError(f"metadata entry for {meta.doc_id} is invalid: {exc}") from exc
    return dataclasses.replace(meta, inferred=False, **changes)


def scan_corpus(corpus_dir: Path, *, root: Path | None = None, use_metadata: bool = True) -> CorpusScan:
    """Read every document under ``corpus_dir``; unusable files are listed with the reason."""
    metadata = load_metadata(corpus_dir) if use_metadata else {}
    # ``root`` is accepted for callers, no longer used: paths are shown relative to the corpus folder
    paths = corpus_files(corpus_dir)
    ids = document_ids(corpus_dir, paths)
    documents, skipped = [], []
    for path in paths:
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            extracted = extract(path, name=rel)
        except DocumentSkippedError as exc:
            skipped.append(SkippedFile(rel, str(exc).removeprefix(f"{rel}: ")))
            continue
        doc_id = ids[path]
        meta = infer_meta(doc_id, extracted.text, title_hint=extracted.title_hint,
                          date_hint=extracted.date_hint)
        if doc_id in metadata:
            meta = apply_overrides(meta, metadata[doc_id])
        documents.append(Document(doc_id=doc_id, path=source_path(path, corpus_dir), raw=extracted.text, meta=meta,
                                  format=extracted.format, encoding=extracted.encoding))
    for item in skipped:
        logger.warning("skipped %s: %s", item.path, item.reason)
    return CorpusScan(documents, skipped)


def load_corpus(corpus_dir: Path, *, root: Path | None = None, use_metadata: bool = True) -> list[Document]:
    """The readable documents of ``corpus_dir`` (see ``scan_corpus``).

    Raises:
        CorpusError: the directory is missing, metadata.json is malformed, or no file is usable.
    """
    scan = scan_corpus(corpus_dir, root=root, use_metadata=use_metadata)
    if not scan.documents:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in scan.skipped[:5])
        raise CorpusError(f"no readable documents in {corpus_dir}" + (f" ({reasons})" if reasons else ""))
    return scan.documents
