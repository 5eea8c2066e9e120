"""Command line: ``qa-service passages | prepare-model | index | ask | serve | eval``."""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
from dataclasses import asdict
from pathlib import Path

from .config import DEFAULT_MODEL, Settings, load_settings
from .errors import QAServiceError

logger = logging.getLogger(__name__)


def _passages(settings: Settings, args: argparse.Namespace) -> int:
    from .corpus import load_corpus
    from .reflow import build_passages

    documents = load_corpus(settings.corpus_dir, root=settings.root)
    if args.doc:
        documents = [d for d in documents if d.doc_id.startswith(args.doc)]
        if not documents:
            print(f"no document matches {args.doc!r}", file=sys.stderr)
            return 1
    per_doc = {d.doc_id: build_passages(d, max_chars=settings.max_passage_chars) for d in documents}
    if args.stats:
        _print_stats(per_doc, settings.max_passage_chars)
    elif args.json:
        for passages in per_doc.values():
            for p in passages:
                print(json.dumps(asdict(p), ensure_ascii=False))
    else:
        for doc_id, passages in per_doc.items():
            print(f"=== {doc_id} ({len(passages)} passages)")
            for p in passages:
                section = f"  〔{p.section}〕" if p.section else ""
                print(f"[{p.passage_id}] {p.date} raw[{p.start}:{p.end}]{section}\n{p.text}\n")
    return 0


def _print_stats(per_doc: dict, limit: int) -> None:
    bins = [(0, 40), (40, 100), (100, 200), (200, 300), (300, limit + 1)]
    header = f"{'document':24} {'n':>4} {'min':>4} {'p50':>5} {'max':>4}  " + "  ".join(
        f"{lo}-{hi - 1 if hi > limit else hi}" for lo, hi in bins)
    print(header)
    everything = []
    for doc_id, passages in per_doc.items():
        lengths = [len(p.text) for p in passages]
        everything.extend(lengths)
        _stats_row(doc_id, lengths, bins)
    _stats_row("ALL", everything, bins)
    print(f"limit {limit} chars; over the limit: {sum(n > limit for n in everything)}")


def _stats_row(name: str, lengths: list[int], bins) -> None:
    if not lengths:
        print(f"{name:24} {0:>4}")
        return
    counts = "  ".join(f"{sum(lo <= n < hi for n in lengths):>{len(f'{lo}-{hi}')}}" for lo, hi in bins)
    print(f"{name:24} {len(lengths):>4} {min(lengths):>4} {statistics.median(lengths):>5.0f} "
          f"{max(lengths):>4}  {counts}")


def _prepare_model(settings: Settings, args: argparse.Namespace) -> int:
    from .embedding import prepare_model

    location = prepare_model(settings.model, cache_dir=settings.cache_dir)
    print(f"model {settings.model} ready at {location}")
    return 0


def _index(settings: Settings, args: argparse.Namespace) -> int:
    import time

    from .service import make_embedder
    from .store import build_index, index_is_current

    if not args.force and index_is_current(settings):
        print(f"index in {settings.index_dir} is up to date (corpus and model unchanged); nothing to do")
        return 0
    started = time.perf_counter()
    embedder = make_embedder(settings)
    result = build_index(settings, embedder, show_progress=sys.stderr.isatty() or args.progress)
    print(f"indexed {result.passage_count} passages into {result.directory} "
          f"in {time.perf_counter() - started:.1f}s (including model load)")
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    from .serialize import answer_to_dict
    from .service import QAService

    service = QAService.load(settings, build_if_missing=True)
    answer = service.ask(args.question, top_k=args.top_k, year=args.year, doc_id=args.doc, mode=args.mode)
    if args.json:
        print(json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=2))
        return 0
    print(_format_answer(answer, color=sys.stdout.isatty()))
    return 0


def _mark(text: str, spans, color: bool) -> str:
    start_mark, end_mark = ("\033[1;33m", "\033[0m") if color else ("【", "】")
    out, last = [], 0
    for s, e in sorted(spans):
        if s < last:
            continue
        out += [text[last:s], start_mark, text[s:e], end_mark]
        last = e
    out.append(text[last:])
    return "".join(out)


def _format_answer(answer, *, color: bool) -> str:
    lines = [f"问：{answer.question}"]
    if answer.abstained:
        lines.append("没有找到可靠答案。最接近的段落：")
    else:
        a = answer.answer
        cited = answer.hits[a.citation - 1].passage
        sentence = a.text
        if a.span:
            rel = a.span_start - a.sentence_start
            sentence = _mark(sentence, [(rel, rel + len(a.span))], color)
        lines.append(f"答：{a.span or ''}\n   {sentence}")
        lines.append(f"   —— 引自 [{a.citation}] {cited.title}（{cited.date}）第{cited.paragraph}段")
    lines.append("")
    for hit in answer.hits:
        p = hit.passage
        section = f" · {p.section}" if p.section else ""
        lines.append(f"[{hit.rank}] {p.title}（{p.date}）第{p.paragraph}段{section}  {p.passage_id}  score={hit.score:.3f}")
        lines.append("    " + _mark(p.text, answer.highlights.get(p.passage_id, ()), color))
    lines.append(f"({answer.took_ms:.0f} ms)")
    return "\n".join(lines)


def _register_core(sub) -> None:
    p = sub.add_parser("prepare-model", help="convert/prepare the embedding model into the cache")
    p.set_defaults(handler=_prepare_model)
    p = sub.add_parser("index", help="build or rebuild index/ from corpus/")
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    p.add_argument("--progress", action="store_true", help="show the progress bar even without a terminal")
    p.set_defaults(handler=_index)
    p = sub.add_parser("ask", help="answer a question with cited passages")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--year", type=int, help="only passages about this year")
    p.add_argument("--doc", help="only passages of this document id")
    p.add_argument("--mode", default="hybrid_rerank", choices=("bm25", "dense", "hybrid", "hybrid_rerank"))
    p.add_argument("--json", action="store_true", help="print the JSON API object")
    p.set_defaults(handler=_ask)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa-service", description=__doc__)
    parser.add_argument("--corpus-dir", type=Path, help="corpus directory (default: ./corpus)")
    parser.add_argument("--index-dir", type=Path, help="index directory (default: ./index)")
    parser.add_argument("--model", help="sentence-transformers model name or path")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("passages", help="print the reconstructed passages")
    p.add_argument("--doc", help="only documents whose id starts with this")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="one JSON object per passage")
    group.add_argument("--stats", action="store_true", help="counts and length distribution")
    p.set_defaults(handler=_passages)
    for register in _REGISTRARS:
        register(sub)
    return parser


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    """Run the gold set through every mode, print the table, write the reports."""
    from . import report
    from .errors import ConfigError
    from .evaluate import _check_modes, run_evaluation
    from .gold import load_gold
    from .service import QAService

    records = load_gold(args.gold or settings.root / "eval" / "gold.jsonl")
    modes = args.modes or QAService.MODES
    _check_modes(modes, QAService.MODES)  # before the slow model load
    if not 1 <= args.top_k <= settings.max_top_k:
        raise ConfigError(f"--top-k must be from 1 to {settings.max_top_k}")
    service = QAService.load(settings, build_if_missing=True)
    result = run_evaluation(service, records, modes=modes, top_k=args.top_k,
                            progress=not args.json and sys.stderr.isatty())
    written = report.write_reports(result, args.out or settings.root / "eval" / "reports")
    if args.write_summary:
        written.append(report.write_summary(result, settings.root / "eval" / "RESULTS.md"))
    if args.json:
        print(json.dumps(report.to_json(result), ensure_ascii=False, indent=2))
    else:
        print(report.render_terminal(result))
        print("written: " + ", ".join(str(p) for p in written))
    return 0


def _mode_list(text: str) -> tuple[str, ...]:
    modes = tuple(m.strip() for m in text.split(",") if m.strip())
    if not modes:
        raise argparse.ArgumentTypeError("give at least one mode")
    return modes


def _register_edges(sub) -> None:
    from .serve import add_serve_command

    add_serve_command(sub)
    p = sub.add_parser("eval", help="measure retrieval and answer accuracy on the gold set")
    p.add_argument("--gold", type=Path, help="gold JSONL file (default: eval/gold.jsonl)")
    p.add_argument("--modes", type=_mode_list,
                   help="comma-separated modes (default: all: bm25,dense,hybrid,hybrid_rerank)")
    p.add_argument("--top-k", type=int, default=10, help="passages per question (default: 10)")
    p.add_argument("--out", type=Path, help="report directory (default: eval/reports)")
    p.add_argument("--write-summary", action="store_true",
                   help="also write the committed headline table eval/RESULTS.md")
    p.add_argument("--json", action="store_true", help="print the JSON report instead of tables")
    p.set_defaults(handler=_eval)


_REGISTRARS: list = [_register_core, _register_edges]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings({"corpus_dir": args.corpus_dir, "index_dir": args.index_dir,
                                  "model": args.model})
        if settings.model == DEFAULT_MODEL or Path(settings.model).expanduser().is_dir():
            # A local model needs no hub: never let a library try to reach one.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return args.handler(settings, args)
    except QAServiceError as exc:
        print(f"qa-service: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qa-service: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa-service passages --json | head`: the reader has gone
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the interpreter flushes it at exit
        except OSError:
            pass
        return 141


if __name__ == "__main__":
    sys.exit(main())
