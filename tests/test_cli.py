"""The command line, in-process: passages, index (fake embedder), error exits."""
from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from support import FakeEmbedder, ticking_clock

from qa_service import service
from qa_service.cli import main
from qa_service.service import core


pytestmark = pytest.mark.usefixtures("clean_qa_environment")


@pytest.fixture
def fake_embedder(monkeypatch):
    """Replace the real model; ``calls`` counts how often the CLI asked for one."""
    calls = []

    def make(settings):
        calls.append(settings)
        return FakeEmbedder()

    monkeypatch.setattr(service, "make_embedder", make)  # what the CLI commands call
    monkeypatch.setattr(core, "make_embedder", make)  # what QAService.load calls
    return calls


# --- passages -----------------------------------------------------------------------------


def test_passages_stats(capsys, passages):
    assert main(["passages", "--stats"]) == 0
    out = capsys.readouterr().out.splitlines()
    per_doc = Counter(p.doc_id for p in passages)
    rows = {line.split()[0]: line.split() for line in out[1:]}
    for doc_id, n in per_doc.items():
        assert int(rows[doc_id][1]) == n  # one row per document, with its passage count
        assert int(rows[doc_id][4]) <= 360  # max length
    assert int(rows["ALL"][1]) == len(passages)
    assert len(out) == 1 + len(per_doc) + 1 + 1  # header, documents, ALL, summary
    assert out[-1] == "limit 360 chars; over the limit: 0"


def test_passages_json_for_one_document(capsys, passages):
    assert main(["passages", "--doc", "001", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    expected = [p for p in passages if p.doc_id.startswith("001_")]
    assert len(records) == len(expected) > 0
    assert all(r["doc_id"].startswith("001_") for r in records)
    assert [r["passage_id"] for r in records] == [p.passage_id for p in expected]
    assert all(r["passage_id"].startswith(r["doc_id"] + ":") for r in records)
    assert records[0]["text"] == expected[0].text


def test_passages_text_output_lists_every_passage(capsys, passages):
    assert main(["passages", "--doc", "003"]) == 0
    out = capsys.readouterr().out
    ids = [p.passage_id for p in passages if p.doc_id.startswith("003_")]
    assert out.startswith(f"=== {ids[0].split(':')[0]} ({len(ids)} passages)")
    assert all(f"[{pid}]" in out for pid in ids)


def test_unknown_doc_exits_1(capsys):
    assert main(["passages", "--doc", "999"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "no document matches '999'"


# --- index --------------------------------------------------------------------------------


def test_index_builds_then_reports_up_to_date(capsys, tmp_path, fake_embedder, passages, monkeypatch):
    ticking_clock(monkeypatch)
    index_dir = tmp_path / "index"
    assert main(["--index-dir", str(index_dir), "index"]) == 0
    out = capsys.readouterr().out
    assert f"\nindexed {len(passages)} passages into {index_dir}/build-" in out
    assert out.startswith("added: 000_d035c923f93be10b, ")  # what changed comes first
    assert f"passages embedded: {len(passages)} new, 0 from the cache" in out
    assert len(fake_embedder) == 1

    assert main(["--index-dir", str(index_dir), "index"]) == 0
    out = capsys.readouterr().out
    assert "up to date" in out
    assert out.startswith(f"index in {index_dir} is up to date")
    assert len(fake_embedder) == 1  # no model loaded, nothing built

    assert main(["--index-dir", str(index_dir), "index", "--force"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("documents unchanged\n")
    assert f"passages embedded: 0 new, {len(passages)} from the cache" in out
    assert "no model load" in out
    assert len(fake_embedder) == 1  # every vector came from the cache: the model never loaded
    assert len(list(index_dir.glob("build-*"))) == 2


def test_index_rebuilds_when_stale(capsys, tmp_path, fake_embedder, monkeypatch):
    ticking_clock(monkeypatch)
    index_dir = tmp_path / "index"
    assert main(["--index-dir", str(index_dir), "index"]) == 0
    capsys.readouterr()
    # another model setting: the index on disk no longer fits
    assert main(["--index-dir", str(index_dir), "--model", "other/model", "index"]) == 0
    out = capsys.readouterr().out
    assert "\nindexed " in out and "204 new, 0 from the cache" in out  # another model: nothing reused
    assert len(fake_embedder) == 2


def test_ask_with_fake_model_prints_cited_json(capsys, tmp_path, fake_embedder, monkeypatch):
    ticking_clock(monkeypatch)
    index_dir = tmp_path / "index"
    argv = ["--index-dir", str(index_dir), "ask", "2022年新建高标准农田多少亩", "--json", "--top-k", "3",
            "--doc", "002_13d572a342c534f4"]
    assert main(argv) == 0  # builds the missing index first
    body = json.loads(capsys.readouterr().out)
    assert body["question"] == "2022年新建高标准农田多少亩"
    assert 0 < len(body["passages"]) <= 3
    assert {h["doc_id"] for h in body["passages"]} == {"002_13d572a342c534f4"}
    assert [h["rank"] for h in body["passages"]] == list(range(1, len(body["passages"]) + 1))
    assert len(fake_embedder) == 1
    assert (index_dir / "current" / "manifest.json").is_file()


def _gold_file(tmp_path, ids):
    from support import ROOT
    lines = [line for line in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["id"] in ids]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_of_one_batch_of_questions_by_id_prefix(capsys, tmp_path, fake_embedder, monkeypatch):
    """``eval --ids fr`` asks only the questions whose id starts with fr (a fresh batch)."""
    ticking_clock(monkeypatch)
    gold = _gold_file(tmp_path, {"q001", "fr001", "fr031"})
    argv = ["--index-dir", str(tmp_path / "index"), "eval", "--gold", str(gold), "--modes", "bm25",
            "--ids", "fr", "--json", "--out", str(tmp_path / "reports")]
    assert main(argv) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["n_questions"] == 2
    assert {r["id"] for r in body["results"]} == {"fr001", "fr031"}


@pytest.mark.parametrize("extra, words", [
    (["--ids", "zz"], "no gold question has an id starting with zz"),
    (["--ids", "fr", "--write-summary"], "--write-summary is for the whole gold set: leave out --ids"),
])
def test_eval_id_prefix_errors_are_one_line_and_write_nothing(capsys, tmp_path, extra, words):
    gold = _gold_file(tmp_path, {"q001", "fr001"})
    out = tmp_path / "reports"
    assert main(["eval", "--gold", str(gold), "--modes", "bm25", "--out", str(out), *extra]) == 2
    assert capsys.readouterr().err.strip() == f"qa-service: {words}"
    assert not out.exists()


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("variable, value, words", [
    ("QA_FAISS_INDEX", "bogus", "faiss_index must be one of flat, hnsw, ivf"),
    ("QA_MAX_PASSAGE_CHARS", "many", "'max_passage_chars' has an invalid value 'many'"),
    ("QA_MAX_PASSAGE_CHARS", "10", "max_passage_chars must be at least 80"),
])
def test_broken_setting_exits_2_with_one_line(capsys, monkeypatch, variable, value, words):
    monkeypatch.setenv(variable, value)
    assert main(["passages", "--stats"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("qa-service: ")
    assert words in lines[0]


def test_unknown_setting_in_config_file_exits_2(capsys, monkeypatch, tmp_path):
    config = tmp_path / "qa_service.toml"
    config.write_text('[qa_service]\nfaiss_kind = "flat"\n', encoding="utf-8")
    monkeypatch.setenv("QA_CONFIG", str(config))
    assert main(["passages", "--stats"]) == 2
    assert capsys.readouterr().err.strip() == "qa-service: unknown setting(s): faiss_kind"


def test_missing_corpus_dir_exits_2(capsys, tmp_path):
    assert main(["--corpus-dir", str(tmp_path / "nowhere"), "passages"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"qa-service: corpus directory {tmp_path / 'nowhere'} does not exist"


def test_missing_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage: qa-service" in capsys.readouterr().err


class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_stdout_pipe_is_not_a_traceback(monkeypatch):
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    assert main(["passages", "--json"]) != 0
