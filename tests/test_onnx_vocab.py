"""The script-trimmed tokenizer gives exactly the model's token ids: on the whole real corpus
and gold set, and (through the full tokenizer it then loads) on text in other scripts."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from support import CORPUS, ROOT

from qa_service.config import DEFAULT_MODEL
from qa_service.search import embedding, files, onnx_files, onnx_vocab
from qa_service.search.model_location import export_dir
from qa_service.search.onnx_encoder import OnnxEmbedder

FOREIGN = ["ВВП Сыпина в 2024 году", "사핑시 국내총생산", "ناتج سيبينغ", "Σίπινγκ ΑΕΠ"]


@pytest.fixture(scope="module")
def export(real_embedder):  # the session's model load makes (or upgrades) the export
    from support import real_settings

    directory = export_dir(DEFAULT_MODEL, cache_dir=real_settings().cache_dir)
    return directory, onnx_files.read_marker(directory)


@pytest.fixture(scope="module")
def full_ids(export):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(export[0] / onnx_files.TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=512)
    return lambda text: tokenizer.encode(text).ids


def corpus_and_gold_texts() -> list[str]:
    texts = [line for path in sorted(CORPUS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts += [record["question"], str(record.get("answer") or "")]
    return texts + ["What was Siping's GDP in 2024?", "Ａｂｃ１２３ ①②③ ℃ ㎡ ×÷ —— “”", "Café naïve Ⅻ"]


def test_the_export_has_a_trimmed_vocabulary(export):
    directory, marker = export
    vocabulary = marker["vocabulary"]
    assert vocabulary["kind"] == "script-trimmed"
    assert 100_000 < vocabulary["pieces"] < vocabulary["of"] == 250_002
    ids = np.load(directory / onnx_vocab.IDS_FILE)
    assert len(ids) == vocabulary["pieces"] and np.all(np.diff(ids) > 0)  # an order-keeping subset
    assert list(ids[:4]) == [0, 1, 2, 3]  # <s> <pad> </s> <unk> keep their ids


def test_trimmed_ids_equal_the_full_tokenizers_on_corpus_and_gold(export, full_ids):
    encoder = OnnxEmbedder(export[0], model_id=DEFAULT_MODEL, marker=export[1])
    texts = corpus_and_gold_texts()
    assert len(texts) > 1500
    for prompt in ("query: ", "passage: "):
        for text in texts:
            assert list(encoder._token_ids(prompt + text)) == full_ids(prompt + text), text
    assert encoder._full is None  # none of them needed the full vocabulary


def test_text_in_another_script_is_tokenised_by_the_full_vocabulary(export, full_ids):
    encoder = OnnxEmbedder(export[0], model_id=DEFAULT_MODEL, marker=export[1])
    for text in FOREIGN:
        assert list(encoder._token_ids("query: " + text)) == full_ids("query: " + text)
    assert encoder._full is not None


def test_an_old_export_gets_its_trimmed_tokenizer_once(export, tmp_path):
    """An export made before the trimmed tokenizer existed is upgraded in place, not re-exported."""
    directory, marker = export
    old = tmp_path / "onnx"
    old.mkdir()
    for name in (onnx_files.MODEL_FILE, onnx_files.TOKENIZER_FILE):
        shutil.copy(directory / name, old / name)
    (old / onnx_files.DATA_FILE).symlink_to(directory / onnx_files.DATA_FILE)
    legacy = {k: v for k, v in marker.items() if k != "vocabulary"}
    legacy["files"] = {k: v for k, v in marker["files"].items() if not k.startswith("tokenizer.trimmed")}
    files.write_json(old / onnx_files.MARKER, legacy)
    upgraded = embedding._add_vocabulary(old, in_process=False)  # in a child process, as a server does
    assert upgraded["vocabulary"] == marker["vocabulary"]
    assert onnx_files.verify_checksums(old, upgraded) == []
    assert (old / onnx_vocab.TRIMMED_FILE).read_bytes() == (directory / onnx_vocab.TRIMMED_FILE).read_bytes()


def test_a_non_unigram_tokenizer_is_left_whole(tmp_path):
    (tmp_path / onnx_files.TOKENIZER_FILE).write_text(json.dumps({"model": {"type": "WordPiece", "vocab": {}}}))
    assert onnx_vocab.write_trimmed(tmp_path) is None
    assert not (tmp_path / onnx_vocab.TRIMMED_FILE).exists()
