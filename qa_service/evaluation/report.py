"""Rendering of an ``EvalReport``: terminal table, JSON, Markdown, an SVG chart, RESULTS.md."""
from __future__ import annotations

import json
from dataclasses import asdict
from html import escape
from pathlib import Path

from .harness import EvalReport
from .metrics import HIT_CUTOFFS, RETRIEVAL_METRICS, QuestionResult, Summary

LABELS = {"hit@1": "Hit@1", "hit@3": "Hit@3", "hit@5": "Hit@5", "hit@10": "Hit@10",
          "mrr@10": "MRR@10", "ndcg@10": "nDCG@10"}
COLOURS = ("#8c8c8c", "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1")


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def headline_rows(summary: Summary) -> list[tuple[str, str]]:
    """(label, formatted value) for the headline metrics of one summary."""
    rows = [(LABELS[m], _fmt(summary.retrieval[m])) for m in RETRIEVAL_METRICS]
    rows += [
        ("answer accuracy", _fmt(summary.answer_accuracy)),
        ("exact-span accuracy", _fmt(summary.exact_span_accuracy)),
        ("sentence accuracy", _fmt(summary.sentence_accuracy)),
        (f"wrong-year top-1 (n={summary.n_wrong_year_judged})", _fmt(summary.wrong_year_top1)),
        (f"abstention, unanswerable (n={summary.n_unanswerable})", _fmt(summary.abstention_unanswerable)),
        (f"false abstention (n={summary.n_answerable})", _fmt(summary.false_abstention)),
        ("latency p50 ms", _fmt(summary.latency_p50_ms, 1)),
        ("latency p95 ms", _fmt(summary.latency_p95_ms, 1)),
    ]
    return rows


def _mode_table(report: EvalReport) -> tuple[list[str], list[list[str]]]:
    header = ["metric", *report.modes]
    columns = [headline_rows(report.per_mode[m].overall) for m in report.modes]
    rows = [[label, *(col[i][1] for col in columns)] for i, (label, _) in enumerate(columns[0])]
    return header, rows


def _type_rows(report: EvalReport, mode: str) -> tuple[list[str], list[list[str]]]:
    header = ["type", "n", "Hit@1", "Hit@5", "MRR@10", "nDCG@10", "answer acc", "false abst.",
              "wrong-year", "abstention"]
    rows = []
    for qtype, s in report.per_mode[mode].by_type.items():
        rows.append([qtype, str(s.n_answerable or s.n_unanswerable), _fmt(s.retrieval["hit@1"]),
                     _fmt(s.retrieval["hit@5"]), _fmt(s.retrieval["mrr@10"]),
                     _fmt(s.retrieval["ndcg@10"]), _fmt(s.answer_accuracy),
                     _fmt(s.false_abstention), _fmt(s.wrong_year_top1),
                     _fmt(s.abstention_unanswerable)])
        if not s.n_answerable:  # unanswerable: only the abstention column means anything
            rows[-1][2:9] = ["—"] * 7
    return header, rows


def _split_table(report: EvalReport, mode: str) -> tuple[list[str], list[list[str]]]:
    """Headline metrics of one mode on dev and test side by side (test: never tuned on)."""
    mr = report.per_mode[mode]
    splits = [s for s in ("dev", "test") if s in mr.by_split]
    columns = [headline_rows(mr.by_split[s]) for s in splits] + [headline_rows(mr.overall)]
    header = ["metric", *(f"{s} (n={mr.by_split[s].n_answerable + mr.by_split[s].n_unanswerable})"
                          for s in splits), "all"]
    rows = [[label, *(col[i][1] for col in columns)] for i, (label, _) in enumerate(columns[0])]
    return header, rows


def _style_table(report: EvalReport, mode: str) -> tuple[list[str], list[list[str]]]:
    """Per question style: answer accuracy (abstention for unanswerable) and Hit@1, dev | test."""
    by_style = report.per_mode[mode].by_style
    header = ["style", "n dev/test", "answer acc dev", "answer acc test", "Hit@1 dev", "Hit@1 test"]
    rows = []
    for style in by_style.get("all", {}):
        cells = [style]
        dev, test = by_style.get("dev", {}).get(style), by_style.get("test", {}).get(style)
        count = lambda s: 0 if s is None else s.n_answerable + s.n_unanswerable  # noqa: E731
        cells.append(f"{count(dev)}/{count(test)}")
        for s in (dev, test):
            if s is None:
                cells.append("—")
            elif s.n_answerable:
                cells.append(_fmt(s.answer_accuracy))
            else:
                cells.append(f"abst {_fmt(s.abstention_unanswerable)}")
        for s in (dev, test):
            cells.append(_fmt(s.retrieval["hit@1"]) if s is not None and s.n_answerable else "—")
        rows.append(cells)
    return header, rows


def _type_by_mode(report: EvalReport) -> tuple[list[str], list[list[str]]]:
    """Hit@5 / answer accuracy per type, modes side by side."""
    header = ["type", *report.modes]
    types = list(report.per_mode[report.modes[0]].by_type)
    rows = []
    for qtype in types:
        cells = []
        for mode in report.modes:
            s = report.per_mode[mode].by_type[qtype]
            cells.append(f"abst {_fmt(s.abstention_unanswerable, 2)}" if not s.n_answerable
                         else f"{_fmt(s.retrieval['hit@5'], 2)} / {_fmt(s.answer_accuracy, 2)}")
        rows.append([qtype, *cells])
    return header, rows


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text == "—"
    return True


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    """Markdown table; columns holding only numbers are right-aligned."""
    cell = lambda text: str(text).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    numeric = [bool(rows) and all(_is_number(r[i]) for r in rows) for i in range(len(header))]
    out = ["| " + " | ".join(map(cell, header)) + " |",
           "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    out += ["| " + " | ".join(map(cell, r)) + " |" for r in rows]
    return "\n".join(out)


def _describe(report: EvalReport) -> str:
    overall = report.per_mode[report.modes[0]].overall
    info = ", ".join(f"{k} {report.index_info[k]}" for k in ("model", "store", "faiss_index", "passages")
                     if k in report.index_info)
    return (f"{report.n_questions} gold questions ({overall.n_answerable} answerable, "
            f"{overall.n_unanswerable} unanswerable), top_k={report.top_k}; index: {info}")


def render_terminal(report: EvalReport) -> str:
    """Modes side by side, then the per-type breakdown."""
    mode = report.default_mode
    parts = [f"Evaluation — {_describe(report)}", "", _text_table(*_mode_table(report)), "",
             f"{mode}, dev and test splits:", _text_table(*_split_table(report, mode)), "",
             f"{mode}, per question style:", _text_table(*_style_table(report, mode)), "",
             "Per type, Hit@5 / answer accuracy:", _text_table(*_type_by_mode(report)), "",
             f"Per type, {mode}:", _text_table(*_type_rows(report, mode)), "",
             f"{len(report.failures())} failed questions in {mode} (list in report.md)"]
    if report.unreachable:
        parts.append(f"no passage holds the evidence of: {', '.join(report.unreachable)}")
    parts += [f"note: {note}" for note in report.notes]
    return "\n".join(parts)


def _failure_rows(failures: list[QuestionResult]) -> list[list[str]]:
    rows = []
    for r in failures:
        top = ("(nothing)" if not r.returned else f"(relevant) `{r.returned[0]}`"
               if r.first_relevant_rank == 1 else f"`{r.returned[0]}` {r.top1_text}")
        span = f"{r.span} (`{r.answer_passage_id}`)" if r.span else "—"
        rank = "—" if r.first_relevant_rank is None else str(r.first_relevant_rank)
        gold = r.gold_answer if r.gold_answer is not None else "(unanswerable)"
        flags = "wrong year" if r.wrong_year_top1 else ""
        if r.error:
            flags = f"{flags} {r.error}".strip()
        rows.append([r.id, f"{r.style}/{r.split}", r.question, gold, r.gold_doc_id or "—", rank, top,
                     span, "yes" if r.abstained else "no", flags])
    return rows


def render_markdown(report: EvalReport) -> str:
    mode = report.default_mode
    failures = report.failures()
    lines = [
        "# Evaluation report", "",
        f"Run {report.created}: {_describe(report)}.", "",
        "Relevance: a passage is relevant iff it comes from the gold document and contains the "
        "gold evidence (whitespace removed); when a paragraph split cut the evidence, a passage "
        "holding the answer and 60 % of the evidence (its start or end) counts. Retrieval metrics "
        "exclude unanswerable questions; an abstention counts as a wrong answer.", "",
        *(f"Note: {note}." for note in report.notes), *([""] if report.notes else []),
        "## Modes side by side", "", _md_table(*_mode_table(report)), "",
        "![Hit@k by mode](hit_at_k.svg)", "",
        f"## {mode}: dev and test splits", "", _md_table(*_split_table(report, mode)), "",
        f"## {mode}: per question style", "", _md_table(*_style_table(report, mode)), "",
        "## Per question type: Hit@5 / answer accuracy", "", _md_table(*_type_by_mode(report)), "",
    ]
    for m in report.modes:
        lines += [f"## Per question type: {m}", "", _md_table(*_type_rows(report, m)), ""]
    lines += [f"## Failed questions ({mode}, {len(failures)})", "",
              "Answerable: the rank-1 passage is not relevant or the span is wrong; "
              "unanswerable: the service answered instead of abstaining.", ""]
    header = ["id", "style/split", "question", "gold answer", "gold doc", "first relevant rank",
              "rank 1 instead", "span returned", "abstained", "note"]
    lines += [_md_table(header, _failure_rows(failures)) if failures else "None.", ""]
    if report.unreachable:
        lines += ["## Evidence held by no passage", "",
                  "These answerable questions count as misses in every mode: "
                  + ", ".join(report.unreachable), ""]
    return "\n".join(lines)


def render_hit_chart_svg(report: EvalReport) -> str:
    """Grouped bars: Hit@k for k in 1, 3, 5, 10, one bar per mode; hand-written SVG."""
    width, height, left, right, top, bottom = 680, 360, 50, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    group_w = plot_w / len(HIT_CUTOFFS)
    bar_w = group_w * 0.8 / len(report.modes)
    y = lambda v: top + plot_h * (1 - v)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">'
           f'Hit@k by retrieval mode ({report.n_questions} gold questions)</text>']
    for tick in range(0, 11, 2):
        v = tick / 10
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#ddd"/><text x="{left - 6}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end">{v:.1f}</text>')
    for g, k in enumerate(HIT_CUTOFFS):
        x0 = left + g * group_w + group_w * 0.1
        for i, mode in enumerate(report.modes):
            v = report.per_mode[mode].overall.retrieval[f"hit@{k}"]
            x = x0 + i * bar_w
            out.append(f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar_w - 2:.1f}" '
                       f'height="{plot_h * v:.1f}" fill="{COLOURS[i % len(COLOURS)]}">'
                       f'<title>{escape(mode)} Hit@{k} = {v:.3f}</title></rect>')
            out.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y(v) - 4:.1f}" text-anchor="middle" '
                       f'font-size="10">{v:.2f}</text>')
        out.append(f'<text x="{left + (g + 0.5) * group_w:.1f}" y="{top + plot_h + 18}" '
                   f'text-anchor="middle">Hit@{k}</text>')
    lx = left
    for i, mode in enumerate(report.modes):
        out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" '
                   f'fill="{COLOURS[i % len(COLOURS)]}"/><text x="{lx + 16}" y="{height - 12}">'
                   f'{escape(mode)}</text>')
        lx += 24 + 8 * len(mode)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_json(report: EvalReport) -> dict:
    return {"default_mode": report.default_mode, **asdict(report)}


def write_reports(report: EvalReport, out_dir: Path) -> list[Path]:
    """Write report.json, report.md and hit_at_k.svg into ``out_dir``; returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"report.json": json.dumps(to_json(report), ensure_ascii=False, indent=1) + "\n",
             "report.md": render_markdown(report),
             "hit_at_k.svg": render_hit_chart_svg(report)}
    paths = []
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def render_summary(report: EvalReport) -> str:
    """The small committed headline (eval/RESULTS.md)."""
    mode = report.default_mode
    header = ["type", "n", "Hit@1", "Hit@5", "MRR@10", "answer acc"]
    rows = [[t, str(s.n_answerable or s.n_unanswerable),
             *( [_fmt(s.retrieval[m]) for m in ("hit@1", "hit@5", "mrr@10")] if s.n_answerable
                else ["—", "—", "—"]),
             _fmt(s.answer_accuracy) if s.n_answerable
             else f"abstained {_fmt(s.abstention_unanswerable)}"]
            for t, s in report.per_mode[mode].by_type.items()]
    return "\n".join([
        "# Evaluation results", "",
        f"Measured {report.created} with `qa-service eval --write-summary`: {_describe(report)}.",
        "Full report (per type, failed questions, chart): `eval/reports/report.md` after a run.", "",
        _md_table(*_mode_table(report)), "",
        f"{mode}, dev and test splits (the test split is never tuned on):", "",
        _md_table(*_split_table(report, mode)), "",
        f"{mode}, per question style:", "", _md_table(*_style_table(report, mode)), "",
        f"Per question type, {mode}:", "", _md_table(header, rows), "",
        *(f"Note: {note}." for note in report.notes),
    ]).rstrip() + "\n"


def write_summary(report: EvalReport, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_summary(report), encoding="utf-8")
    return path
