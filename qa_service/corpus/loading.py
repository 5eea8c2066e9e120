"""Load the corpus directory: raw text files plus one metadata file describing them."""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from ..errors import CorpusError
from ..lexicon.patterns import FULL_DATE, YEAR_IN_TEXT
from ..types import Document, DocumentMeta

logger = logging.getLogger(__name__)

METADATA_FILE = "metadata.json"
CORPUS_LABEL = "corpus"  # the corpus folder's name in responses, whatever its real path


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The document files, in a stable order (metadata and READMEs excluded)."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory {corpus_dir} does not exist")
    # iterdir, not glob: glob swallows an unreadable folder's PermissionError and finds nothing
    return sorted(p for p in corpus_dir.iterdir()
                  if p.suffix == ".txt" and not p.name.startswith(".") and p.is_file())


def corpus_hash(corpus_dir: Path) -> str:
    """SHA-256 over every document file's name and bytes and the metadata file."""
    digest = hashlib.sha256()
    paths = corpus_files(corpus_dir)
    meta = corpus_dir / METADATA_FILE
    if meta.is_file():
        paths = [*paths, meta]
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
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


def infer_meta(doc_id: str, raw: str) -> DocumentMeta:
    """Best-effort metadata for a document without an entry: title, date and years from text."""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    title = next((ln for ln in lines if 4 <= len(ln) <= 40 and "。" not in ln), lines[0][:30] if lines else doc_id)
    date_match = FULL_DATE.search(raw)
    date = ""
    years: tuple[int, ...] = ()
    if date_match:
        y, m, d = (int(g) for g in date_match.groups())
        date = f"{y:04d}-{m:02d}-{d:02d}"
        years = (y,)
    else:
        counted = sorted({int(y) for y in YEAR_IN_TEXT.findall(raw)})
        years = tuple(counted[-1:])
        date = str(years[0]) if years else ""
    return DocumentMeta(doc_id=doc_id, title=title, date=date, reports_on=years, inferred=True,
                        note="inferred from the text: no metadata entry")


def _meta_from_entry(doc_id: str, entry: dict) -> DocumentMeta:
    try:
        return DocumentMeta(
            doc_id=doc_id,
            title=str(entry["title"]),
            date=str(entry.get("date", "")),
            reports_on=tuple(int(y) for y in entry.get("reports_on", ())),
            plans_for=tuple(int(y) for y in entry.get("plans_for", ())),
            kind=str(entry.get("kind", "news")),
            note=str(entry.get("note", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"metadata entry for {doc_id} is invalid: {exc}") from exc


def load_corpus(corpus_dir: Path, *, root: Path | None = None) -> list[Document]:
    """Read every document in ``corpus_dir`` with its metadata (inferred when missing)."""
    metadata = load_metadata(corpus_dir)  # ``root`` is accepted for callers, no longer used
    documents = []
    for path in corpus_files(corpus_dir):
        doc_id = path.stem
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"cannot read {path}: {exc}") from exc
        if doc_id in metadata:
            meta = _meta_from_entry(doc_id, metadata[doc_id])
        else:
            logger.warning("no metadata for %s in %s; inferring title/date from its text", doc_id, METADATA_FILE)
            meta = infer_meta(doc_id, raw)
        rel = source_path(path, corpus_dir)
        documents.append(Document(doc_id=doc_id, path=rel, raw=raw, meta=meta))
    if not documents:
        raise CorpusError(f"no .txt documents in {corpus_dir}")
    return documents
