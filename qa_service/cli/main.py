"""Command line: ``qa-service passages | prepare-model | index | add | remove | ask | serve | eval``."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path

from ..config import DEFAULT_MODEL, load_settings
from ..errors import CorpusError, QAServiceError
from ..qa import DEFAULT_MODE, MODES
from . import commands, documents
from .fs_errors import describe_os_error, os_error_behind


def _mode_list(text: str) -> tuple[str, ...]:
    modes = tuple(m.strip() for m in text.split(",") if m.strip())
    if not modes:
        raise argparse.ArgumentTypeError("give at least one mode")
    return modes


def _prefix_list(text: str) -> tuple[str, ...]:
    prefixes = tuple(m.strip() for m in text.split(",") if m.strip())
    if not prefixes:
        raise argparse.ArgumentTypeError("give at least one id prefix")
    return prefixes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa-service", description=__doc__)
    parser.add_argument("--corpus-dir", type=Path, help="corpus directory (default: ./corpus)")
    parser.add_argument("--index-dir", type=Path, help="index directory (default: ./index)")
    parser.add_argument("--model", help="sentence-transformers model name or path")
    parser.add_argument("--ignore-metadata", action="store_true",
                        help="read every document's date and years from its text (QA_METADATA=ignore)")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback behind an error message")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("passages", help="print the reconstructed passages")
    p.add_argument("--doc", help="only documents whose id starts with this")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="one JSON object per passage")
    group.add_argument("--stats", action="store_true", help="counts and length distribution")
    p.set_defaults(handler=commands.passages)

    p = sub.add_parser("prepare-model", help="convert/prepare the embedding model into the cache")
    p.set_defaults(handler=commands.prepare_model)

    p = sub.add_parser("index", help="build or rebuild index/ from corpus/")
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    p.add_argument("--progress", action="store_true", help="show the progress bar even without a terminal")
    p.set_defaults(handler=commands.index)

    p = sub.add_parser("add", help="copy documents into the corpus and update the index")
    p.add_argument("paths", nargs="+", metavar="PATH", help=".txt .md .html .docx .pdf files")
    p.add_argument("--into", help="folder inside the corpus to copy them to (default: the corpus itself)")
    p.add_argument("--replace", action="store_true", help="overwrite a corpus file of the same name")
    p.set_defaults(handler=documents.add)

    p = sub.add_parser("remove", help="delete documents from the corpus and update the index")
    p.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    p.set_defaults(handler=documents.remove)

    p = sub.add_parser("ask", help="answer a question with cited passages")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--year", type=int, help="only passages about this year")
    p.add_argument("--doc", help="only passages of this document id")
    p.add_argument("--mode", default=DEFAULT_MODE, choices=MODES)
    p.add_argument("--json", action="store_true", help="print the JSON API object")
    p.set_defaults(handler=commands.ask)

    p = sub.add_parser("serve", help="run the search page and JSON API (waitress)")
    p.add_argument("--host", help="interface to bind (default: settings.host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: settings.port, 8000)")
    p.add_argument("--threads", type=int, help="worker threads (default: settings.threads, 8)")
    p.set_defaults(handler=commands.serve)

    p = sub.add_parser("train", help="learn the ranking and abstention models from the gold dev split")
    p.add_argument("--gold", type=Path, help="gold JSONL file (default: eval/gold.jsonl); only its dev split is used")
    p.add_argument("--out", type=Path, help="model file to write (default: the shipped qa_service/data/learned.json)")
    p.add_argument("--fresh", action="store_true",
                   help="choose the coverage floors and key-concept waiver by CV alone (default: those of the model "
                        "in use stay unless the dev CV finds another better by more than one standard error)")
    p.set_defaults(handler=commands.train)

    p = sub.add_parser("eval", help="measure retrieval and answer accuracy on the gold set")
    p.add_argument("--gold", type=Path, help="gold JSONL file (default: eval/gold.jsonl)")
    p.add_argument("--modes", type=_mode_list,
                   help=f"comma-separated modes (default: all: {','.join(MODES)})")
    p.add_argument("--top-k", type=int, default=10, help="passages per question (default: 10)")
    p.add_argument("--split", choices=("all", "dev", "test"), default="all",
                   help="questions to ask: tune on dev only; test is the held-out yardstick (default: all)")
    p.add_argument("--ids", type=_prefix_list, metavar="PREFIX[,PREFIX…]",
                   help="only the questions whose id starts with one of these (fr: a fresh batch)")
    p.add_argument("--out", type=Path, help="report directory (default: eval/reports)")
    p.add_argument("--write-summary", action="store_true",
                   help="also write the committed headline table eval/RESULTS.md")
    p.add_argument("--json", action="store_true", help="print the JSON report instead of tables")
    p.set_defaults(handler=commands.evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    settings = None
    try:
        settings = load_settings({"corpus_dir": args.corpus_dir, "index_dir": args.index_dir,
                                  "model": args.model, "metadata": "ignore" if args.ignore_metadata else None})
        if settings.model == DEFAULT_MODEL or Path(settings.model).expanduser().is_dir():
            # A local model needs no hub: never let a library try to reach one.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return args.handler(settings, args)
    except QAServiceError as exc:
        cause = os_error_behind(exc) if isinstance(exc, CorpusError) else None
        return _fail(describe_os_error(cause) if cause else str(exc), args.debug)
    except KeyboardInterrupt:
        print("qa-service: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa-service passages --json | head`: the reader has gone
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the interpreter flushes it at exit
        except OSError:
            pass
        return 141
    except OSError as exc:  # permission, missing, not a file, disk full: one line, no traceback
        near = settings.index_dir if settings is not None else None
        return _fail(describe_os_error(exc, near=near), args.debug)


def _fail(message: str, debug: bool) -> int:
    """Print the one-line error (after the traceback with --debug); exit status 2."""
    if debug:
        traceback.print_exc()
    print(f"qa-service: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
