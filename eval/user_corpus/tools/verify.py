# -*- coding: utf-8 -*-
"""Check the user corpus against expected_metadata.json and gold.jsonl.

    /tmp/ucvenv/bin/python eval/user_corpus/tools/verify.py        (needs python-docx, pypdf)

Checks
  * every document in expected_metadata.json exists, decodes in its declared
    encoding, has 800-3000 Chinese characters of text;
  * the GBK file opens with encoding="gbk" and fails with encoding="utf-8";
  * the PDF text extracted by pypdf has no (cid:..) garbage, no U+FFFD and
    contains the document's title;
  * declared captions and bylines occur in the raw text;
  * each gold evidence (whitespace removed) is contained in the plain text of
    its document (html: the <article> text, docx: python-docx paragraphs
    joined, pdf: pypdf extract_text) -- evidence that straddles an in-sentence
    photo caption is reported and then checked with the declared captions cut
    out of the text;
  * each evidence occurs once, in its own document only;
  * each answer is inside its evidence; unanswerable items have nulls;
  * wrong_year_docs / doc_id name known documents (user or seed);
  * the skipped files are really unreadable or unsupported;
  * no figure used as a gold answer appears in the seed corpus.
Exit status 1 on any failure.
"""
import glob
import json
import os
import re
import sys
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)                      # eval/user_corpus
DOCS = os.path.join(ROOT, "docs")
SEED = os.path.join(os.path.dirname(os.path.dirname(ROOT)), "corpus")   # /work/main/corpus

WS = re.compile(r"\s+")
HAN = re.compile(r"[\u4e00-\u9fff]")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


class ArticleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth and tag in ("p", "h1", "div", "figure", "figcaption", "br"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def find_file(doc_id):
    hits = [p for p in glob.glob(os.path.join(DOCS, "**", "*"), recursive=True)
            if os.path.isfile(p) and os.path.splitext(os.path.relpath(p, DOCS))[0] == doc_id]
    if not hits:
        hits = [p for p in glob.glob(os.path.join(DOCS, "**", "*"), recursive=True)
                if os.path.isfile(p) and os.path.splitext(os.path.basename(p))[0] == doc_id]
    return hits


def extract(path, fmt, encoding):
    if fmt in ("md", "txt"):
        with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding) as f:
            return f.read()
    if fmt == "html":
        p = ArticleText()
        with open(path, encoding=encoding) as f:
            p.feed(f.read())
        return "".join(p.parts)
    if fmt == "docx":
        import docx
        return "\n".join(par.text for par in docx.Document(path).paragraphs)
    if fmt == "pdf":
        import pypdf
        return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    raise ValueError(fmt)


def main():
    meta = json.load(open(os.path.join(ROOT, "expected_metadata.json"), encoding="utf-8"))
    docs = meta["documents"]
    seed_ids = {os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(SEED, "*.txt"))}
    seed_text = {i: WS.sub("", open(os.path.join(SEED, i + ".txt"), encoding="utf-8").read()) for i in seed_ids}

    plain, clean = {}, {}
    for doc_id, m in docs.items():
        hits = find_file(doc_id)
        if len(hits) != 1:
            fail("%s: expected exactly one file, found %r" % (doc_id, hits))
            continue
        path = hits[0]
        rel = os.path.relpath(path, DOCS)
        if m.get("path") and m["path"] != rel:
            fail("%s: path %s != %s" % (doc_id, m["path"], rel))
        text = extract(path, m["format"], m["encoding"])
        t = WS.sub("", text)
        plain[doc_id] = t
        c = t
        for cap in m.get("captions", []):
            c = c.replace(WS.sub("", cap), "")
        clean[doc_id] = c
        n = len(HAN.findall(c))
        print("%-28s %-5s %-6s %5d Chinese chars  %s" % (doc_id, m["format"], m["encoding"], n, rel))
        if not 800 <= n <= 3000:
            fail("%s: %d Chinese characters (want 800-3000)" % (doc_id, n))
        if WS.sub("", m["title"]) not in t:
            fail("%s: title not in text" % doc_id)
        for cap in m.get("captions", []):
            if WS.sub("", cap) not in t:
                fail("%s: caption %r not in raw text" % (doc_id, cap))
        for b in m.get("bylines", []):
            if b not in t:
                fail("%s: byline %r not in text" % (doc_id, b))
        if m["encoding"] == "gbk":
            with open(path, encoding="gbk") as f:
                f.read()
            try:
                with open(path, encoding="utf-8") as f:
                    f.read()
                fail("%s: GBK file also decodes as UTF-8" % doc_id)
            except UnicodeDecodeError:
                print("   gbk ok: open(encoding='gbk') works, open(encoding='utf-8') raises UnicodeDecodeError")
        if m["format"] == "pdf":
            if "(cid:" in text or "\ufffd" in text or "\u25a1" in text:
                fail("%s: PDF text has cid/replacement garbage" % doc_id)
            else:
                print("   pdf ok: pypdf extract_text gives clean Chinese text (%d chars)" % len(t))

    # skipped files
    for rel, reason in meta.get("skipped", {}).items():
        path = os.path.join(DOCS, rel)
        if not os.path.isfile(path):
            fail("skipped file missing: %s" % rel)
            continue
        if rel.endswith(".pdf"):
            import pypdf
            try:
                r = pypdf.PdfReader(path)
                txt = "".join((p.extract_text() or "") for p in r.pages)
                if HAN.search(txt):
                    fail("broken pdf %s still yields Chinese text" % rel)
                else:
                    print("   skipped %s: pypdf opens it but extracts no text" % rel)
            except Exception as e:  # noqa: BLE001
                print("   skipped %s: pypdf raises %s: %s" % (rel, type(e).__name__, str(e)[:60]))
        else:
            print("   skipped %s: %s" % (rel, reason))

    # gold
    known = set(docs) | seed_ids
    items = [json.loads(l) for l in open(os.path.join(ROOT, "gold.jsonl"), encoding="utf-8") if l.strip()]
    ids = set()
    counts = {}
    need_caption_cut = []
    for q in items:
        qid = q["id"]
        if qid in ids:
            fail("duplicate id " + qid)
        ids.add(qid)
        counts[q["type"]] = counts.get(q["type"], 0) + 1
        for k in ("id", "question", "type", "style", "doc_id", "evidence", "answer", "year", "wrong_year_docs", "reference_date"):
            if k not in q:
                fail("%s: missing key %s" % (qid, k))
        for w in q["wrong_year_docs"]:
            if w not in known:
                fail("%s: unknown wrong_year_doc %s" % (qid, w))
            if w == q["doc_id"]:
                fail("%s: wrong_year_docs contains its own doc" % qid)
        if q["type"] == "unanswerable":
            if q["doc_id"] or q["evidence"] or q["answer"]:
                fail("%s: unanswerable item must have null doc/evidence/answer" % qid)
            continue
        if q["doc_id"] not in docs:
            fail("%s: doc_id %s not a user document" % (qid, q["doc_id"]))
            continue
        ev = WS.sub("", q["evidence"])
        if WS.sub("", q["answer"]) not in ev:
            fail("%s: answer not inside evidence" % qid)
        if ev in plain[q["doc_id"]]:
            pass
        elif ev in clean[q["doc_id"]]:
            need_caption_cut.append(qid)
        else:
            fail("%s: evidence not found in %s" % (qid, q["doc_id"]))
        others = [d for d, c in clean.items() if d != q["doc_id"] and ev in c]
        if others or clean[q["doc_id"]].count(ev) > 1:
            fail("%s: evidence not unique (also in %s)" % (qid, others or q["doc_id"]))
        # the answer figure must not be a seed-corpus value for the same metric
        ans = WS.sub("", q["answer"])
        if re.search(r"\d", ans):
            for sid, st in seed_text.items():
                for m_ in re.finditer(re.escape(ans), st):
                    ctx = st[max(0, m_.start() - 12):m_.end() + 4]
                    if not re.match(r"\d", st[m_.end():m_.end() + 1] or "x") and not re.search(r"\d$", st[:m_.start()]):
                        print("   note %s: answer %s also in seed %s: ...%s..." % (qid, ans, sid, ctx))
    if need_caption_cut:
        print("evidence found only after cutting the declared captions out of the text:", ", ".join(need_caption_cut))
    print("gold items: %d  by type: %s" % (len(items), json.dumps(counts, ensure_ascii=False)))
    n_year = sum(1 for q in items if q["type"] == "year_figure")
    n_un = counts.get("unanswerable", 0)
    if not 30 <= len(items) <= 40:
        fail("gold has %d items (want 30-40)" % len(items))
    if n_year < 12:
        fail("only %d year_figure questions" % n_year)
    if n_un < 4:
        fail("only %d unanswerable questions" % n_un)
    print("\n%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
