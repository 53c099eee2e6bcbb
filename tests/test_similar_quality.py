"""A quality floor on our own labelled duplicate set (held-out half), and the bar of plain TF-IDF.

The set (tests/data/similar_eval.json, built by bench/make_similar_eval.py) holds 60
hand-written support problems with paraphrased, typo'd, very short and long e-mail
queries among hard negatives and 2,000 filler cases. Parameters were tuned on the other
half only. bench/eval_similar.py prints the full comparison, FTS5 included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smartstep.knowledge.evaluate import load_eval_set, quality, rank_fts5, rank_ours, rank_tfidf

DATA = Path(__file__).parent / "data" / "similar_eval.json"


@pytest.fixture(scope="module")
def held_out():
    corpus, queries = load_eval_set(DATA)
    return corpus, [q for q in queries if q.split == "test"]


@pytest.fixture(scope="module")
def ours(held_out):
    corpus, queries = held_out
    return rank_ours(corpus, queries)


def test_quality_floor_on_the_held_out_half(held_out, ours):
    score = quality(ours, held_out[1])
    assert score.n == 120
    assert score.map >= 0.58 and score.mrr >= 0.62 and score.p_at_1 >= 0.46


def test_beats_sqlite_fts5_bm25_over_all_query_kinds(held_out, ours):
    corpus, queries = held_out
    fts5 = quality(rank_fts5(corpus, queries), queries)
    score = quality(ours, queries)
    assert score.map > 1.1 * fts5.map
    assert score.p_at_1 > 1.1 * fts5.p_at_1


def test_beats_plain_tfidf_cosine(held_out, ours):
    corpus, queries = held_out
    baseline = quality(rank_tfidf(corpus, queries), queries)
    score = quality(ours, queries)
    assert score.map > baseline.map + 0.08
    assert score.mrr > baseline.mrr + 0.05


def test_long_mails_with_logs_and_quoted_replies_beat_fts5_by_far(held_out, ours):
    corpus, queries = held_out
    long_ones = [i for i, q in enumerate(queries) if q.kind == "long"]
    subset = [queries[i] for i in long_ones]
    fts5 = quality(rank_fts5(corpus, subset), subset)
    score = quality([ours[i] for i in long_ones], subset)
    assert score.map > 1.5 * fts5.map


def test_metrics_match_a_hand_computed_example():
    from smartstep.knowledge.evaluate import Query

    queries = [Query("a", "", "x", "t", frozenset({"r1", "r2"})), Query("b", "", "x", "t", frozenset({"r3"}))]
    rankings = [["n", "r1", "n2", "r2"], ["r3"]]
    score = quality(rankings, queries)
    # AP(a) = (1/2 + 2/4) / 2 = 0.5; AP(b) = 1. RR(a) = 1/2, RR(b) = 1. P@1: 0 and 1.
    assert (score.map, score.mrr, score.p_at_1) == (0.75, 0.75, 0.5)
