"""Handlers of the ``qa-service`` sub-commands: each takes the settings and parsed arguments,
prints its result and returns the exit status."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
import time
from dataclasses import asdict

from ..config import Settings
from ..errors import ConfigError, ModelError
from .output import format_answer, print_stats


def passages(settings: Settings, args: argparse.Namespace) -> int:
    from ..corpus import build_passages, load_corpus

    documents = load_corpus(settings.corpus_dir, root=settings.root, use_metadata=settings.metadata == "use")
    if args.doc:
        documents = [d for d in documents if d.doc_id.startswith(args.doc)]
        if not documents:
            print(f"no document matches {args.doc!r}", file=sys.stderr)
            return 1
    per_doc = {d.doc_id: build_passages(d, max_chars=settings.max_passage_chars) for d in documents}
    if args.stats:
        print_stats(per_doc, settings.max_passage_chars)
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


def prepare_model(settings: Settings, args: argparse.Namespace) -> int:
    """Convert the model if needed, then make (or check) its ONNX export."""
    from ..search.embedding import ensure_export, prepare_model as prepare
    from ..search.model_location import export_dir
    from ..search.onnx_files import verify_checksums

    location = prepare(settings.model, cache_dir=settings.cache_dir)
    print(f"model {settings.model} ready at {location}")
    marker = ensure_export(settings.model, cache_dir=settings.cache_dir, in_process=True)
    directory = export_dir(settings.model, cache_dir=settings.cache_dir)
    if marker.get("status") != "ready":
        print(f"no ONNX export ({marker.get('reason')}): serving will encode with sentence-transformers (torch)")
        return 0
    damaged = verify_checksums(directory, marker)
    if damaged:
        raise ModelError(f"ONNX export in {directory}: {', '.join(damaged)} fail their checksums; "
                         "delete the directory and run `qa-service prepare-model` again")
    optimisation = marker["optimization"]
    print(f"ONNX export ready at {directory}: opset {marker['opset']}, fusions {optimisation['fusions']} "
          f"(optimizer level {optimisation['optimizer_opt_level']}, session {optimisation['session_level']}), "
          f"word embeddings {marker['word_embeddings']}, min cosine with sentence-transformers "
          f"{marker['fidelity']['min_cosine']:.7f}, checksums verified")
    return 0


def index(settings: Settings, args: argparse.Namespace) -> int:
    from ..search import build_index, index_is_current
    from ..search.embedding_cache import LazyEmbedder
    from ..service import make_embedder

    if not args.force and index_is_current(settings):
        print(f"index in {settings.index_dir} is up to date (corpus and model unchanged); nothing to do")
        return 0
    started = time.perf_counter()
    embedder = LazyEmbedder(lambda: make_embedder(settings))  # loaded only if a passage is new
    result = build_index(settings, embedder, show_progress=sys.stderr.isatty() or args.progress)
    print_build(result, time.perf_counter() - started, model_seconds=embedder.load_seconds if embedder.loaded else None)
    return 0


def print_build(result, seconds: float, *, model_seconds: float | None) -> None:
    """What a build changed, then where it went and how long it took."""
    for line in result.changes.summary() if result.changes else ():
        print(line)
    how = ("no model load: every passage was cached" if model_seconds is None
           else f"model load {model_seconds:.1f}s, the rest {seconds - model_seconds:.1f}s")
    print(f"indexed {result.passage_count} passages into {result.directory} in {seconds:.1f}s ({how})")


def ask(settings: Settings, args: argparse.Namespace) -> int:
    from ..service import QAService, answer_to_dict

    service = QAService.load(settings, build_if_missing=True)
    answer = service.ask(args.question, top_k=args.top_k, year=args.year, doc_id=args.doc, mode=args.mode)
    if args.json:
        print(json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=2))
        return 0
    print(format_answer(answer, color=sys.stdout.isatty()))
    return 0


def train(settings: Settings, args: argparse.Namespace) -> int:
    """Fit the learned ranking and abstention on the dev split; write the model file."""
    from importlib import resources

    from ..evaluation import load_gold
    from ..evaluation.training import train as fit
    from ..qa.learned import LearnedModelError, load_learned
    from ..service import QAService

    records = [r for r in load_gold(args.gold or settings.root / "eval" / "gold.jsonl") if r.split == "dev"]
    incumbent = None
    if not args.fresh and settings.learned_model != "off":
        try:  # the model in use: its floors and waiver stay unless the dev CV says another is better
            incumbent = load_learned(Path(settings.learned_model) if settings.learned_model else None)
        except (LearnedModelError, OSError, ValueError):
            incumbent = None
    service = QAService.load(settings.replace(learned_model="off"), build_if_missing=True)
    model = fit(service, records, incumbent)
    out = args.out or Path(str(resources.files("qa_service") / "data" / "learned.json"))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(model.to_json(), encoding="utf-8")
    tmp.replace(out)
    info = model.info
    print(f"trained on {info['dev_questions']} dev questions: ranking C={info['ranking_C']} "
          f"(CV MRR@10 {info['ranking_cv_mrr10']}), abstention C={info['abstention_C']}, "
          f"threshold {info['threshold']} (CV: {info['threshold_cv']}), coverage floors "
          f"{list(model.coverage_floors)} (CV right replies per passage/sentence floor: {info['coverage_floors_cv']}), "
          f"key-concept waiver {model.key_concept_waiver} (CV right replies per waiver: {info['key_concept_waiver_cv']}), "
          f"clause cosine weight Chinese / English {list(model.clause_dense)} (sentences whose chosen clause holds "
          f"the answer, per weight: {info['clause_dense_right']}), rank penalty {model.rank_penalty} (CV right "
          f"answers per penalty: {info['rank_penalty_cv']}); {info['training_questions']} training questions "
          f"(comparisons by their parts)")
    print(f"written: {out}")
    return 0


def evaluate(settings: Settings, args: argparse.Namespace) -> int:
    """Run the gold set through every mode, print the table, write the reports."""
    from ..evaluation import load_gold, report, run_evaluation
    from ..evaluation.harness import check_modes
    from ..service import QAService

    records = load_gold(args.gold or settings.root / "eval" / "gold.jsonl")
    if getattr(args, "split", "all") != "all":
        records = [r for r in records if r.split == args.split]
    prefixes = getattr(args, "ids", None)
    if prefixes:
        if args.write_summary:
            raise ConfigError("--write-summary is for the whole gold set: leave out --ids")
        records = [r for r in records if r.id.startswith(prefixes)]
        if not records:
            raise ConfigError(f"no gold question has an id starting with {', '.join(prefixes)}")
    modes = args.modes or QAService.MODES
    check_modes(modes, QAService.MODES)  # before the slow model load
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


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Build the index if needed, then serve the page and API on waitress until interrupted."""
    from ..web.server import serve as run_server

    run_server(settings, host=args.host, port=args.port, threads=args.threads)
    return 0
