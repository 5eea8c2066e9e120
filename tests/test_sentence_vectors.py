"""The index's answer-sentence vectors: one per answer unit of every passage, the encoder's own
embedding of that sentence, reused from the embedding cache by a later build, and refused when
missing or not matching the passages."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from support import CORPUS, FakeEmbedder, make_settings

from qa_service.corpus.sentences import answer_units
from qa_service.errors import IndexCorruptError
from qa_service.search import build_index, load_index
from qa_service.search.manifest import current_dir
from qa_service.search.sentence_vectors import (CLAUSE_ROWS, CLAUSE_VECTORS, ROWS, VECTORS, SentenceVectors,
                                                save_sentence_vectors)


def test_every_answer_sentence_of_the_real_corpus_has_its_own_vector(real_service):
    directory = current_dir(real_service.settings.index_dir)
    vectors = np.load(directory / VECTORS)
    rows = np.load(directory / ROWS)
    passages = real_service.passages
    assert vectors.dtype == np.float16 and vectors.shape[1] == real_service.manifest["model_dim"]
    assert np.diff(rows).tolist() == [len(answer_units(p.text)) for p in passages]
    assert len(vectors) == real_service.manifest["sentence_count"] > len(passages)
    # a few sentences across the corpus: the stored row is the encoder's embedding of the text
    picks = [(i, j) for i in (0, len(passages) // 2, len(passages) - 1) for j in (0, -1)]
    texts, stored = [], []
    for i, j in picks:
        start, end = answer_units(passages[i].text)[j]
        texts.append(passages[i].text[start:end])
        stored.append(vectors[rows[i] + (j % (rows[i + 1] - rows[i]))].astype(np.float32))
    fresh = real_service.embedder.encode_passages(texts)
    cosines = np.sum(fresh * np.asarray(stored), axis=1)
    assert cosines.min() > 0.999  # float16 storage


def test_every_clause_of_every_answer_sentence_has_its_own_vector(real_service):
    """The clauses ``pick_clause`` chooses among (``answer_clauses``), each embedded: one row per
    clause, in sentence order, and ``clause_similarities`` gives one array per sentence."""
    from qa_service.corpus.sentences import answer_clauses

    directory = current_dir(real_service.settings.index_dir)
    vectors, rows = np.load(directory / CLAUSE_VECTORS), np.load(directory / CLAUSE_ROWS)
    units = [p.text[a:b] for p in real_service.passages for a, b in answer_units(p.text)]
    assert np.diff(rows).tolist() == [len(answer_clauses(u)) for u in units]
    assert len(vectors) == real_service.manifest["clause_count"] > len(units)
    middle = len(real_service.passages) // 2
    passage = real_service.passages[middle]
    first = sum(len(answer_units(p.text)) for p in real_service.passages[:middle])  # its first sentence's row
    sentence = passage.text[slice(*answer_units(passage.text)[0])]
    clause = sentence[slice(*answer_clauses(sentence)[-1])]
    stored = vectors[rows[first] + len(answer_clauses(sentence)) - 1].astype(np.float32)
    assert float(real_service.embedder.encode_passages([clause])[0] @ stored) > 0.999
    query = real_service.embedder.encode_queries(["四平的GDP"])[0]
    sims = real_service.answerer.ctx.sentences.clause_similarities(passage.passage_id, query)
    assert [len(s) for s in sims] == [len(answer_clauses(passage.text[a:b])) for a, b in answer_units(passage.text)]


def test_the_answer_sentence_is_closer_to_its_question_than_its_neighbours(real_service):
    """What the "dense" sentence feature reads: for a question worded unlike the corpus
    (English), the sentence holding the answer is the passage's closest to the question."""
    answer = real_service.ask("What was Siping's GDP in the first three quarters of 2024?")
    cited = next(h.passage for h in answer.hits if h.passage.passage_id == answer.answer.passage_id)
    query = real_service.embedder.encode_queries(["What was Siping's GDP in the first three quarters of 2024?"])[0]
    sims = real_service.answerer.ctx.sentences.similarities(cited.passage_id, query)
    units = answer_units(cited.text)
    best = units[int(np.argmax(sims))]
    assert "451.83" in cited.text[best[0]:best[1]]


def test_the_ranking_reads_each_passage_s_closest_sentence(real_service):
    """The "closest_sentence" ranking feature: the passage's best sentence cosine with the
    question less the best among the pool (0 for the closest passage), not measured (NaN) without
    sentence vectors."""
    from qa_service.qa.learned import RANK_FEATURES, rank_features

    answerer = real_service.answerer
    analysis = real_service.analyse("What was Siping's GDP in the first three quarters of 2024?")
    hits, candidates, x = answerer.rank_pool(analysis)
    column = x[:, RANK_FEATURES.index("closest_sentence")]
    sims = answerer.sentence_similarities(hits, analysis)
    closest = [float(sims[h.passage.passage_id].max()) for h in hits]
    assert np.allclose(column, np.asarray(closest) - max(closest))
    assert column.max() == 0.0 and column.min() < 0.0
    bare = rank_features(hits, analysis, answerer.learned_ctx, candidates)  # no sentence vectors
    assert np.isnan(bare[:, RANK_FEATURES.index("closest_sentence")]).all()


def test_the_ranking_reads_each_passage_s_closest_clause(real_service):
    """The "closest_clause" ranking feature: the passage's best clause cosine with the question
    less the best among the pool; not measured (NaN) without clause vectors."""
    from qa_service.qa.learned import RANK_FEATURES, rank_features

    answerer = real_service.answerer
    analysis = real_service.analyse("2023年四平要新建多少个口袋公园")
    hits, candidates, x = answerer.rank_pool(analysis)
    column = x[:, RANK_FEATURES.index("closest_clause")]
    sims = answerer.clause_similarities(hits, analysis)
    closest = [max(float(v.max()) for v in sims[h.passage.passage_id] if len(v)) for h in hits]
    assert np.allclose(column, np.asarray(closest) - max(closest), atol=1e-6)
    assert column.max() == 0.0 and column.min() < 0.0
    bare = rank_features(hits, analysis, answerer.learned_ctx, candidates)  # no clause vectors
    assert np.isnan(bare[:, RANK_FEATURES.index("closest_clause")]).all()


def test_a_later_build_embeds_only_new_sentences(tmp_path):
    settings = make_settings(tmp_path, corpus_dir=tmp_path / "corpus")
    settings.corpus_dir.mkdir()
    first, second = sorted(CORPUS.glob("*.txt"))[:2]
    shutil.copy(first, settings.corpus_dir)
    build_index(settings, FakeEmbedder())
    before = load_index(settings).manifest
    # each distinct sentence text is embedded once (a document may repeat a sentence, and a
    # one-sentence passage's vector is the sentence's)
    assert 0 < before["embedded"]["sentences_new"] <= before["sentence_count"]
    shutil.copy(second, settings.corpus_dir)
    build_index(settings, FakeEmbedder())
    loaded = load_index(settings)
    after = loaded.manifest
    assert after["embedded"]["sentences_cached"] >= before["sentence_count"]
    assert 0 < after["embedded"]["sentences_new"] <= after["sentence_count"] - before["sentence_count"]
    assert len(loaded.sentences) == after["sentence_count"]


def test_missing_or_mismatched_sentence_vectors_are_refused(tmp_path):
    settings = make_settings(tmp_path, corpus_dir=CORPUS)
    build_index(settings, FakeEmbedder())
    directory = current_dir(settings.index_dir)
    passages = load_index(settings).passages
    vectors, rows = np.load(directory / VECTORS), np.load(directory / ROWS)
    # fewer passages than the rows describe, or vectors of another width: corrupt, not misread
    with pytest.raises(IndexCorruptError, match="do not match"):
        SentenceVectors.load(directory, passages[:-1], dim=FakeEmbedder.dim)
    with pytest.raises(IndexCorruptError, match="do not match"):
        SentenceVectors.load(directory, passages, dim=FakeEmbedder.dim + 1)
    clause_vectors, clause_rows = np.load(directory / CLAUSE_VECTORS), np.load(directory / CLAUSE_ROWS)
    save_sentence_vectors(directory, vectors, rows, clause_vectors[:-1], clause_rows)  # a clause short
    with pytest.raises(IndexCorruptError, match="clause vectors .* do not match"):
        SentenceVectors.load(directory, passages, dim=FakeEmbedder.dim)
    save_sentence_vectors(directory, vectors, rows[::-1].copy(), clause_vectors, clause_rows)
    with pytest.raises(IndexCorruptError):
        load_index(settings)  # its checksum no longer matches the manifest
    (directory / VECTORS).unlink()
    with pytest.raises(IndexCorruptError):
        load_index(settings)
    with pytest.raises(IndexCorruptError, match="unreadable"):
        SentenceVectors.load(directory, passages, dim=FakeEmbedder.dim)
