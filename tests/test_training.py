"""The learned sentence scoring, ranking and abstention: the learners recover a known weighting
on synthetic data, the model file round-trips and refuses foreign features, the shipped model
loads, and a sentence model decides which sentence of a real passage answers."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qa_service.evaluation.gold import GoldPart, GoldRecord, relevant_passage_ids
from qa_service.evaluation.training import (COVERAGE_FLOORS, FOLDS, KEY_CONCEPT_WAIVERS, fit_abstention, fit_ranking,
                                            one_standard_error, part_records,
                                            choose_rank_penalty, _kept, _Question)
from qa_service.qa.analysis import analyse
from qa_service.qa.answer import SENTENCE_FEATURES, AnswerCandidate, best_in_passage, hand_score, sentence_features
from qa_service.qa.learned import (ABSTAIN_FEATURES, RANK_FEATURES, LearnedModel, LearnedModelError,
                                   abstain_features, load_learned)
from qa_service.qa.linear import Linear
from qa_service.qa.params import THRESHOLDS
from qa_service.qa.parts import split_parts
from qa_service.qa.signals import ScoringContext
from qa_service.types import Hit, Passage

FEATURES = ("signal", "weak", "noise")


def synthetic_pools(n_questions=60, pool=10, seed=7):
    """Relevance follows 3·signal + 1·weak (+ a little noise); ``noise`` carries nothing."""
    rng = np.random.default_rng(seed)
    pools = []
    for q in range(n_questions):
        x = rng.normal(size=(pool, 3))
        utility = 3 * x[:, 0] + 1 * x[:, 1] + rng.normal(scale=0.3, size=pool)
        y = np.zeros(pool, dtype=np.int64)
        y[int(np.argmax(utility))] = 1
        pools.append((x, y, q % FOLDS))
    return pools


def test_ranking_learns_the_known_weighting():
    model, c, cv, _ = fit_ranking(synthetic_pools(), FEATURES)
    signal, weak, noise = model.coef
    assert signal > weak > abs(noise)
    assert signal / weak == pytest.approx(3, rel=0.5)
    assert cv[c] > 0.8  # the relevant passage is nearly always first out of fold


def test_listwise_ranking_learns_the_known_weighting():
    """The listwise (softmax over each pool) ranker recovers the same weighting, with no intercept:
    a constant cannot reorder a pool."""
    model, c, cv, folds = fit_ranking(synthetic_pools(), FEATURES, listwise=True)
    signal, weak, noise = model.coef
    assert signal > weak > abs(noise)
    assert signal / weak == pytest.approx(3, rel=0.5)
    assert model.intercept == 0.0
    assert cv[c] > 0.8 and sorted(folds) == list(range(FOLDS))


def test_listwise_ranking_shares_the_target_among_several_relevant_rows():
    """A pool with two relevant rows asks for both above the rest, not one at the other's expense."""
    rng = np.random.default_rng(3)
    pools = []
    for q in range(50):
        x = rng.normal(size=(8, 2))
        y = np.zeros(8, dtype=np.int64)
        y[np.argsort(-x[:, 0])[:2]] = 1  # the two highest on the first feature
        pools.append((x, y, q % FOLDS))
    model, *_ = fit_ranking(pools, ("signal", "noise"), listwise=True)
    assert model.coef[0] > 5 * abs(model.coef[1])


def test_ranking_cv_over_repeated_fold_assignments():
    """Each pool may carry its fold in several assignments: C is chosen on the averaged per-question
    score, and the per-fold models returned are those of the first assignment."""
    pools = synthetic_pools()
    repeated = [(x, y, (q % FOLDS, (q * 7 + 3) % FOLDS, (q // FOLDS) % FOLDS)) for q, (x, y, _) in enumerate(pools)]
    model, c, cv, folds = fit_ranking(repeated, FEATURES)
    single, c1, cv1, folds1 = fit_ranking(pools, FEATURES)
    signal, weak, noise = model.coef
    assert signal > weak > abs(noise) and cv[c] > 0.8
    assert sorted(folds) == list(range(FOLDS))
    if c == c1:  # same C: the first assignment's fold models are the single assignment's
        assert folds == folds1
    assert cv != cv1  # the other assignments moved the CV figures


def test_ranking_gives_the_fold_models_of_every_assignment():
    """The coverage floors are chosen on replies averaged over the fold assignments, so the ranking
    gives its chosen C's per-fold models for each assignment, the first being ``fit_ranking``'s."""
    from qa_service.evaluation.training import _fit_ranking

    pools = synthetic_pools()
    repeated = [(x, y, (q % FOLDS, (q * 7 + 3) % FOLDS, (q // FOLDS) % FOLDS)) for q, (x, y, _) in enumerate(pools)]
    model, c, cv, per_assignment = _fit_ranking(repeated, FEATURES)
    assert len(per_assignment) == 3 and all(sorted(m) == list(range(FOLDS)) for m in per_assignment)
    assert per_assignment[0] == fit_ranking(repeated, FEATURES)[3]
    assert per_assignment[0] != per_assignment[1]  # other folds, other training rows


def test_one_standard_error_rule_takes_the_first_setting_in_the_given_order_within_reach_of_the_best():
    """Floors, waiver and abstention threshold are chosen in the grid's order (strictest floors,
    lowest threshold first): a setting one question better than the first is no reason to move."""
    per_question = np.r_[np.ones(300), np.zeros(100)]
    one_better = per_question.copy()
    one_better[-1] = 1.0
    far_better = per_question.copy()
    far_better[-60:] = 1.0
    assert one_standard_error({0.0: per_question, 0.2: one_better}, order=(0.0, 0.2)) == 0.0
    assert one_standard_error({0.0: per_question, 0.2: far_better}, order=(0.0, 0.2)) == 0.2
    assert one_standard_error({"strict": one_better, "loose": per_question}, order=("loose", "strict")) == "loose"


def test_one_standard_error_rule_prefers_the_strongest_regularisation_on_a_flat_curve():
    rng = np.random.default_rng(5)
    base = rng.uniform(0.5, 1.0, size=200)
    # questions move both ways between Cs, the means by far less than that noise
    flat = {0.001: base + rng.normal(0, 0.05, 200) - 0.002, 0.1: base, 10.0: base + rng.normal(0, 0.05, 200)}
    assert one_standard_error(flat) == 0.001
    steep = {0.001: base - 0.3, 0.1: base, 10.0: base - 0.001}  # too much regularisation costs
    assert one_standard_error(steep) == 0.1
    noisy = {0.001: base - rng.uniform(0.0, 0.02, 200), 0.1: base}  # a real loss, however small
    assert one_standard_error(noisy) == 0.1


def test_the_setting_in_use_stays_unless_another_is_better_by_more_than_noise():
    """The floors and the waiver: the best by CV replaces the incumbent's only beyond one standard
    error of their per-question difference; without an incumbent the best is taken."""
    incumbent = np.r_[np.ones(300), np.zeros(100)]
    slightly = incumbent.copy()  # 5 questions gained, 3 lost: +2, one SE of the sum about 2.8
    slightly[300:305] = 1.0
    slightly[:3] = 0.0
    clearly = incumbent.copy()  # 30 gained, none lost: +30, one SE about 5.4
    clearly[300:330] = 1.0
    order = ("a", "b")
    assert _kept({"a": incumbent, "b": slightly}, order, "a") == "a"
    assert _kept({"a": incumbent, "b": slightly}, order, None) == "b"
    assert _kept({"a": incumbent, "b": clearly}, order, "a") == "b"
    assert _kept({"a": clearly, "b": incumbent}, order, "b") == "a"
    assert _kept({"a": incumbent, "b": incumbent.copy()}, order, "b") == "b"  # a tie keeps the one in use
    assert _kept({"a": incumbent, "b": clearly}, order, "c") == "b"  # not in the grid: the best


def test_abstention_threshold_separates_right_from_wrong():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + rng.normal(scale=0.5, size=400) > 0.5).astype(np.int64)  # right when "signal" is high
    model, _, _, threshold, counts, _ = fit_abstention(x, y, np.arange(400) % FOLDS, FEATURES)
    assert model.coef[0] > 5 * abs(model.coef[2])
    assert 0.2 <= threshold <= 0.8
    assert counts["kept_right"] > 0.8 * counts["answers_right"] and counts["wrong_dropped"] > 0.8 * counts["wrong_total"]
    p = model.probability(np.array([[2.0, 0, 0], [-2.0, 0, 0]]))
    assert p[0] > 0.9 and p[1] < 0.1  # calibrated in the right direction


def test_abstention_threshold_is_not_raised_by_wrong_answers_abstaining_would_not_fix():
    """Wrong answers to answerable questions are no gain to drop (abstaining is wrong too): only
    the rows marked droppable (unanswerable questions) may buy a higher threshold."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + rng.normal(scale=0.5, size=400) > 0.5).astype(np.int64)
    none = np.zeros(400, dtype=bool)
    _, _, _, t_all, _, _ = fit_abstention(x, y, np.arange(400) % FOLDS, FEATURES)
    _, _, _, t_none, counts, _ = fit_abstention(x, y, np.arange(400) % FOLDS, FEATURES, droppable=none)
    assert t_all > 0.2 and t_none == 0.0
    assert counts["kept_right"] == counts["answers_right"] and counts["droppable_total"] == 0
    some = (y == 0) & (x[:, 0] < -1.0)  # unanswerable rows sit far below the right ones
    _, _, _, t_some, counts, _ = fit_abstention(x, y, np.arange(400) % FOLDS, FEATURES, droppable=some)
    assert 0.0 < t_some <= t_all
    assert counts["droppable_dropped"] > 0.8 * counts["droppable_total"]


@pytest.mark.parametrize("listwise", [False, True])
def test_training_is_deterministic(listwise):
    a = fit_ranking(synthetic_pools(), FEATURES, listwise=listwise)[0]
    b = fit_ranking(synthetic_pools(), FEATURES, listwise=listwise)[0]
    assert a == b


def test_model_file_round_trips_and_refuses_other_features():
    shipped = load_learned()
    assert shipped is not None, "qa_service/data/learned.json missing: run `qa-service train`"
    assert shipped.ranking.features == RANK_FEATURES and shipped.abstention.features == ABSTAIN_FEATURES
    assert shipped.sentence is not None and shipped.sentence.features == SENTENCE_FEATURES
    assert LearnedModel.from_json(shipped.to_json()) == shipped
    without_sentences = shipped.to_json().replace('"sentence"', '"sentences_old"')
    with pytest.raises(LearnedModelError):  # a model from before the sentence model: retrain
        LearnedModel.from_json(without_sentences)
    foreign = shipped.to_json().replace('"coverage"', '"colour"')
    with pytest.raises(LearnedModelError):
        LearnedModel.from_json(foreign)
    with pytest.raises(LearnedModelError):
        LearnedModel.from_json('{"ranking": {}}')
    data = json.loads(shipped.to_json())
    del data["coverage_floors"]
    with pytest.raises(LearnedModelError, match="qa-service train"):  # from before the learned floors
        LearnedModel.from_json(json.dumps(data))
    for floors in ([0.2, 1.5], [-0.1, 0.1], [0.2]):
        with pytest.raises(LearnedModelError):
            LearnedModel.from_json(json.dumps({**data, "coverage_floors": floors}))
    data = json.loads(shipped.to_json())
    del data["key_concept_waiver"]
    with pytest.raises(LearnedModelError, match="qa-service train"):  # from before the learned waiver
        LearnedModel.from_json(json.dumps(data))
    for waiver in (1.5, -0.2, True, "high", None):
        with pytest.raises(LearnedModelError):
            LearnedModel.from_json(json.dumps({**data, "key_concept_waiver": waiver}))
    data = json.loads(shipped.to_json())
    del data["clause_dense"]
    with pytest.raises(LearnedModelError, match="qa-service train"):  # from before the clause weights
        LearnedModel.from_json(json.dumps(data))
    for weights in ([0.0, -1.0], [0.0], [0.0, "high"], None):
        with pytest.raises(LearnedModelError):
            LearnedModel.from_json(json.dumps({**data, "clause_dense": weights}))
    data = json.loads(shipped.to_json())
    del data["rank_penalty"]
    with pytest.raises(LearnedModelError, match="qa-service train"):  # from before the learned rank penalty
        LearnedModel.from_json(json.dumps(data))
    for penalty in (-0.1, True, "high", None, float("inf")):
        with pytest.raises(LearnedModelError):
            LearnedModel.from_json(json.dumps({**data, "rank_penalty": penalty}))


def _pool(answers_at: int, right_score: float, wrong_score: float, record_id: str):
    """A question whose first passage has a wrong answer candidate scored ``wrong_score`` and
    whose passage at rank ``answers_at`` the right one scored ``right_score``."""
    passages = [Passage(passage_id=f"{record_id}:{i}", doc_id="d", paragraph=i, part=0, section="", title="",
                        date="", start=0, end=0, source_file="d.txt", text=f"第{i}段：全年完成{i}1亿元。")
                for i in range(1, 4)]
    hits = [Hit(p, rank, 0.0) for rank, p in enumerate(passages, start=1)]
    candidates = {p.passage_id: None for p in passages}
    candidates[passages[0].passage_id] = AnswerCandidate(wrong_score, passages[0].passage_id, 0, 11, (7, 10))
    right = passages[answers_at - 1]
    candidates[right.passage_id] = AnswerCandidate(right_score, right.passage_id, 0, 11, (7, 10))
    record = GoldRecord(id=record_id, question="?", type="figure", doc_id="d", evidence=right.text,
                        answer=right.text[7:10], year=None)
    x = np.zeros((3, len(RANK_FEATURES)))
    x[:, 0] = [3.0, 2.0, 1.0]  # keeps the given order under a model weighing only the first feature
    return _Question(record, None, hits, candidates, x, np.asarray([0, 0, 0]), (0,) * 3)


def test_the_rank_penalty_is_the_one_that_answers_most_questions_right():
    """Synthetic pools: the right answer sits one rank below a wrong one and scores 0.4 more (half
    of them), or two ranks below and 0.7 more (a quarter); in the other quarter the first passage is
    right and a wrong one two ranks down scores 0.5 more. Of the penalties tried only 0.3 per rank
    answers all: 0.5 and more lose the lower right answers, 0.2 and less let the lower wrong one win."""
    rank_model = Linear(RANK_FEATURES, (1.0,) + (0.0,) * (len(RANK_FEATURES) - 1), 0.0,
                        (0.0,) * len(RANK_FEATURES), (1.0,) * len(RANK_FEATURES))
    questions = ([_pool(2, 0.4, 0.0, f"a{i}") for i in range(8)] + [_pool(3, 0.7, 0.0, f"b{i}") for i in range(4)]
                 + [_pool(1, 0.0, 0.0, f"c{i}") for i in range(4)])
    for q in questions[-4:]:  # the first passage holds the right answer; a better-scored wrong one two ranks down
        wrong = q.hits[2].passage.passage_id
        q.candidates[wrong] = AnswerCandidate(0.5, wrong, 0, 11, (7, 10))
    models = [{fold: rank_model for fold in range(FOLDS)}] * 2
    penalty, right = choose_rank_penalty(questions, models)
    assert penalty == 0.3 and right[0.3] == 16
    assert right[0.2] == 12 and right[0.5] == 4 and right[0.0] == 12


def test_the_clause_weight_is_the_smallest_within_reach_of_the_best():
    """``fit_clause_weights`` on synthetic sentences: where the clause nearest the question holds
    the answer and the rule's scores point elsewhere, English gets a weight; where the cosines say
    nothing (the answer clause is never the nearest), Chinese keeps 0."""
    from qa_service.evaluation.training import CLAUSE_DENSE_WEIGHTS, fit_clause_weights

    rng = np.random.default_rng(5)
    groups = []
    for n in range(60):
        labels = np.zeros(4, dtype=bool)
        labels[n % 4] = True
        scores = rng.uniform(0.3, 0.5, size=4)
        near = np.full(4, 0.80)
        near[n % 4] = 0.85  # English: the answer's clause is the nearest by 0.05
        groups.append((True, scores, near, labels))
        far = np.full(4, 0.80)
        far[(n + 1) % 4] = 0.85  # Chinese: another clause is the nearest
        groups.append((False, scores.copy(), far, labels.copy()))
    (chinese, english), counts = fit_clause_weights(groups)
    assert chinese == 0.0 and english > 0.0 and english in CLAUSE_DENSE_WEIGHTS
    assert counts["english"]["sentences"] == 60 and counts["english"][str(english)] == 60


def test_a_model_trained_for_another_encoder_is_not_applied(caplog):
    from qa_service.service.core import _matching

    shipped = load_learned()
    same = {"model": shipped.info["model"], "pipeline": shipped.info["index_pipeline"]}
    assert _matching(shipped, same) is shipped
    assert _matching(None, same) is None
    with caplog.at_level("WARNING", logger="qa_service.service.core"):
        assert _matching(shipped, {**same, "model": "intfloat/multilingual-e5-large"}) is None
    assert "hand-set weights" in caplog.text and "qa-service train" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="qa_service.service.core"):
        assert _matching(shipped, {**same, "pipeline": "0" * 16}) is shipped  # applies, with a warning
    assert "refit" in caplog.text


def test_a_comparison_trains_as_the_parts_the_service_asks(real_service):
    """Each part is a question of its own with the part's answer, a missing part an unanswerable
    one; all keep the comparison's id (one fold); an ordinary question is kept as it is, and a
    comparison the service splits otherwise than the gold set is left out."""
    grain = GoldRecord(id="x1", question="2021年和2025年四平粮食产量分别是多少", type="year_figure",
                       doc_id="003_15d4afe9644c5fee", evidence="全市粮食产量预计达到100亿斤", answer="100亿斤",
                       year=2025, style="comparison",
                       parts=(GoldPart("2021年", None, None, None, 2021, missing=True),
                              GoldPart("2025年", "003_15d4afe9644c5fee", "全市粮食产量预计达到100亿斤", "100亿斤", 2025)))
    plain = GoldRecord(id="x2", question="2025年四平粮食产量是多少", type="year_figure", doc_id=grain.doc_id,
                       evidence=grain.evidence, answer="100亿斤", year=2025)
    three = GoldRecord(**{**grain.__dict__, "id": "x3", "parts": (*grain.parts, grain.parts[1])})
    records = part_records(real_service, [grain, plain, three])
    assert [(r.id, r.answerable, r.year) for r in records] == [("x1", False, 2021), ("x1", True, 2025), ("x2", True, 2025)]
    missing, present, _ = records
    assert missing.question.startswith("2021年") and "粮食产量" in missing.question and not missing.parts
    assert present.answer == "100亿斤" and relevant_passage_ids(real_service.passages, present)
    assert not split_parts(real_service.analyse(present.question).question)  # a part does not split again


def test_the_shipped_model_was_trained_on_the_shipped_pipeline(real_service):
    """Retrain (`qa-service train`) whenever tokenizer data or the model changes."""
    info = load_learned().info
    assert info["model"] == real_service.manifest["model"]
    assert info["index_pipeline"] == real_service.manifest["pipeline"]


# A real passage (004): two sentences both cover the question's concepts; only the second has
# its verbs (举债, 避免).
DEBT = Passage(passage_id="004:38", doc_id="004", paragraph=38, part=0, section="", title="市委经济工作会议",
               date="2022-12-30", start=0, end=0, source_file="004.txt",
               text="要防范化解政府债务风险，加大存量隐性债务处置力度，坚决遏制增量、化解存量。"
                    "特别是绝不允许过度举债建设，坚决避免“只考虑花钱、不考虑还钱”，科学合理确定政府债务规模。")
CTX = ScoringContext(documents={}, doc_freq={}, n_passages=100)


def _only(feature: str, weight: float) -> Linear:
    coef = tuple(weight if f == feature else 0.0 for f in SENTENCE_FEATURES)
    n = len(SENTENCE_FEATURES)
    return Linear(SENTENCE_FEATURES, coef, 0.0, (0.0,) * n, (1.0,) * n)


def test_a_sentence_model_decides_which_sentence_answers():
    analysis = analyse("市委经济工作会议在政府举债上要坚决避免什么")
    rows = sentence_features(DEBT, analysis, CTX)
    assert len(rows) == 2 and all(len(f) == len(SENTENCE_FEATURES) for *_, f in rows)
    second = DEBT.text.index("特别是")
    # a model that weighs the asked verb picks the sentence with 避免; one that weighs it
    # negatively picks the other: the model, not a rule, decides
    assert best_in_passage(DEBT, analysis, CTX, model=_only("asked_verb", 1.0)).start == second
    assert best_in_passage(DEBT, analysis, CTX, model=_only("asked_verb", -1.0)).start == 0
    # the hand-set weights (the rules mode) read the same features
    hand = best_in_passage(DEBT, analysis, CTX)
    assert hand.score == pytest.approx(max(hand_score(f) for *_, f in rows))


def test_the_sentence_closest_to_the_question_vector_is_chosen_by_a_model_that_weighs_it():
    analysis = analyse("市委经济工作会议在政府举债上要坚决避免什么")
    second = DEBT.text.index("特别是")
    for sims, start in (((0.9, 0.7), 0), ((0.7, 0.9), second)):
        pick = best_in_passage(DEBT, analysis, CTX, model=_only("dense", 1.0), similarity=np.asarray(sims))
        assert pick.start == start
    # without the index's sentence vectors the feature is not measured (NaN): the model counts
    # it as its training mean, so it neither helps nor sinks a sentence
    rows = sentence_features(DEBT, analysis, CTX)
    assert all(math.isnan(f[SENTENCE_FEATURES.index("dense")]) for *_, f in rows)
    model = Linear(("dense",), (2.0,), 0.5, (0.8,), (0.1,))
    assert model.logit(np.asarray([[math.nan], [0.8]])).tolist() == [0.5, 0.5]


def test_the_learned_path_holds_sentences_to_the_model_floors_the_rules_to_the_hand_set(real_service):
    """The coverage floors are chosen by CV with the rest of the model (``COVERAGE_FLOORS``): the
    learned path uses the model's, the rules modes keep ``params.THRESHOLDS``. On the real corpus,
    a colloquial question whose words the answer sentence shares little of (牌子, 复查 vs 复检)
    gets that sentence as a candidate under the lower floors only."""
    shipped = load_learned()
    answerer = real_service.answerer
    assert answerer.ctx.thresholds == THRESHOLDS
    assert (answerer.learned_ctx.thresholds.min_passage_coverage,
            answerer.learned_ctx.thresholds.min_unit_coverage) == shipped.coverage_floors
    assert shipped.coverage_floors in COVERAGE_FLOORS
    assert shipped.info["coverage_floors_cv"]  # every pair tried, with its CV count of right replies
    assert answerer.learned_ctx.thresholds.key_concept_waived_at == shipped.key_concept_waiver
    assert shipped.key_concept_waiver in KEY_CONCEPT_WAIVERS
    assert set(shipped.info["key_concept_waiver_cv"]) == {str(w) for w in KEY_CONCEPT_WAIVERS}
    analysis = real_service.analyse("四平国家卫生城市那块牌子复查结果咋样")

    def candidate(floors):
        hits, candidates, _ = answerer.with_coverage_floors(*floors).rank_pool(analysis)
        hit = next(h for h in hits if "复检高分通过" in h.passage.text)
        c = candidates[hit.passage.passage_id]
        return c and hit.passage.text[c.start:c.end]

    assert candidate((0.4, 0.25)) is None
    assert "国家卫生城市复检高分通过" in candidate((0.2, 0.1))
    assert answerer.with_coverage_floors(0.2, 0.1).ctx is answerer.ctx  # the rules' floors untouched


def test_the_key_concept_waiver_is_the_models_and_decides_which_sentences_may_answer(real_service):
    """The key-concept waiver is a learned setting like the floors: under 0.5 a sentence that
    covers two thirds of a clause question answers although it lacks the question's rarest word
    (效果); under the old hand-set 0.7 it may not answer at all."""
    answerer = real_service.answerer
    analysis = real_service.analyse("畅通项目审批“绿色通道”后，政府工作报告要实现怎样的审批效果")

    def candidate(waiver):
        hits, candidates, _ = answerer.with_coverage_floors(0.2, 0.1, waiver).rank_pool(analysis)
        hit = next(h for h in hits if "清单之外无审批" in h.passage.text)
        c = candidates[hit.passage.passage_id]
        return c and hit.passage.text[c.start:c.end]

    assert candidate(0.7) is None
    assert "清单之外无审批" in candidate(0.5)
    assert answerer.with_coverage_floors(0.2, 0.1, 0.5).ctx.thresholds == THRESHOLDS  # the rules' untouched


def test_abstention_reads_the_coverage_of_the_clause_that_holds_the_span():
    """A figure in a clause that names none of the question's words is weaker evidence than one
    in the clause that does, although both sit in the same sentence."""
    analysis = analyse("市委经济工作会议在政府举债上要坚决避免什么")
    second = DEBT.text.index("特别是")
    sentence = DEBT.text[second:]
    hits = [Hit(DEBT, 1, 2.0, {})]

    def features(word):
        at = sentence.index(word)
        c = AnswerCandidate(1.0, DEBT.passage_id, second, len(DEBT.text), (at, at + len(word)))
        return dict(zip(ABSTAIN_FEATURES, abstain_features(hits, 1, c, analysis, CTX)))

    covered, elsewhere = features("科学合理"), features("只考虑花钱")  # …确定政府债务规模 names 政府
    assert covered["sentence_coverage"] == elsewhere["sentence_coverage"] > 0
    assert covered["clause_coverage"] > elsewhere["clause_coverage"]
    assert math.isnan(covered["sentence_dense"])  # no sentence features given: not measured
