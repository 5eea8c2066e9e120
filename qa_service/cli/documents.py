"""``qa-service add PATH…`` and ``qa-service remove DOC_ID…``: change the corpus, then update the
index (only new passages are embedded; a running server picks the new index up by itself)."""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from ..config import Settings
from ..corpus.formats import extract
from ..corpus.loading import corpus_files, document_ids
from ..errors import CorpusError, DocumentSkippedError


def _rebuild(settings: Settings, started: float) -> None:
    from ..search import build_index
    from ..search.embedding_cache import LazyEmbedder
    from ..service import make_embedder
    from .commands import print_build

    embedder = LazyEmbedder(lambda: make_embedder(settings))
    result = build_index(settings, embedder, show_progress=sys.stderr.isatty())
    print_build(result, time.perf_counter() - started,
                model_seconds=embedder.load_seconds if embedder.loaded else None)


def add(settings: Settings, args: argparse.Namespace) -> int:
    """Copy readable files into the corpus (under ``--into``), then update the index."""
    started = time.perf_counter()
    target_dir = settings.corpus_dir / (args.into or "")
    if args.into and (Path(args.into).is_absolute() or ".." in Path(args.into).parts):
        raise CorpusError("--into must be a folder inside the corpus directory")
    copied, failed = [], 0
    for source in args.paths:
        source = Path(source)
        if not source.is_file():
            print(f"not added: {source}: no such file", file=sys.stderr)
            failed += 1
            continue
        try:
            extract(source, name=source.name)  # refuse what the build would skip
        except DocumentSkippedError as exc:
            print(f"not added: {exc}", file=sys.stderr)
            failed += 1
            continue
        destination = target_dir / source.name
        if destination.exists() and destination.read_bytes() != source.read_bytes() and not args.replace:
            print(f"not added: {destination} already exists with other content (use --replace)", file=sys.stderr)
            failed += 1
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.resolve() != destination.resolve():
            shutil.copy2(source, destination)
        copied.append(destination)
    if copied:
        print("copied: " + ", ".join(str(p) for p in copied))
        _rebuild(settings, started)
    return 1 if failed else 0


def remove(settings: Settings, args: argparse.Namespace) -> int:
    """Delete the documents' files from the corpus, then update the index."""
    started = time.perf_counter()
    paths = corpus_files(settings.corpus_dir)
    by_id = {doc_id: path for path, doc_id in document_ids(settings.corpus_dir, paths).items()}
    unknown = [d for d in args.doc_ids if d not in by_id]
    if unknown:
        known = ", ".join(sorted(by_id)[:20])
        raise CorpusError(f"no document {', '.join(unknown)} in {settings.corpus_dir} (documents: {known})")
    for doc_id in args.doc_ids:
        by_id[doc_id].unlink()
        print(f"deleted {by_id[doc_id]}")
    _rebuild(settings, started)
    return 0
