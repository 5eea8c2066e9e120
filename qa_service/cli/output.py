"""What the command line prints: answers with citations, passage statistics."""
from __future__ import annotations

import statistics


def print_stats(per_doc: dict, limit: int) -> None:
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


def format_answer(answer, *, color: bool) -> str:
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
