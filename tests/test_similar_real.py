"""Similar cases on text nobody on this project wrote, and the demo's first questions.

GitBugs (A. Patil, arXiv 2504.09651, CC BY 4.0): real bug reports of Apache Hadoop and Mozilla
SeaMonkey with their trackers' own duplicate links. The dev split is read from ../shared when
it is there (never copied into the repository); the test skips when it is not.
bench/eval_gitbugs.py runs the same protocol through the CLI with rank_bm25 and TF-IDF too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from smartstep.knowledge.evaluate import quality, rank_bm25, rank_fts5, rank_ours

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

import gitbugs  # noqa: E402

FOLDER = gitbugs.find_dir()


@pytest.fixture(scope="module")
def bugs():
    if FOLDER is None:
        pytest.skip("the GitBugs dev split is not in ../shared/eval/gitbugs-dev")
    return gitbugs.load(FOLDER)


def _scored(data, rankings):
    return quality([data.judged(r, q) for r, q in zip(rankings, data.queries, strict=True)], data.queries)


def test_real_duplicate_bug_reports_rank_well_above_bm25_and_fts5(bugs):
    corpus = bugs.cases()
    ours = _scored(bugs, rank_ours(corpus, bugs.queries, 101))
    okapi = _scored(bugs, rank_bm25(corpus, bugs.queries, 101))
    fts5 = _scored(bugs, rank_fts5(corpus, bugs.queries, 101))
    assert ours.n == 83
    assert ours.map > 1.1 * max(okapi.map, fts5.map)
    assert ours.p_at_1 > max(okapi.p_at_1, fts5.p_at_1)
    assert ours.recall_at_10 >= 0.75


def test_the_demo_answers_the_readmes_account_questions_with_its_account_problems():
    from demo_support import demo_data, demo_db_path

    from smartstep.db import open_db
    from smartstep.knowledge import IndexCache, find_similar

    truth = dict(zip((t["id"] for t in demo_data().tickets), demo_data().problem_keys, strict=True))
    db = open_db(demo_db_path())
    try:
        cache = IndexCache()
        for query, problem in [
            ("customer can't reset password", "password_reset_email"),
            ("I can't log in to my account", "account_locked_login"),
        ]:
            top = find_similar(db, query, k=3, cache=cache)[0]
            assert top.close and truth[top.id] == problem
            assert all(truth[i] == problem for i in top.duplicates)
    finally:
        db.close()
