"""Similar-cases ranking quality: our index vs Okapi BM25, SQLite FTS5 BM25 and plain TF-IDF, in one run.

    .venv/bin/python bench/eval_similar.py            # held-out ("test") half, per query kind
    .venv/bin/python bench/eval_similar.py --split tune

The labelled set is tests/data/similar_eval.json (rebuild with bench/make_similar_eval.py).
Parameters were chosen on the `tune` half only; the `test` half is what we report.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from smartstep.knowledge.evaluate import load_eval_set, quality, rank_bm25, rank_fts5, rank_ours, rank_tfidf

DATA = Path(__file__).parent.parent / "tests" / "data" / "similar_eval.json"
RANKERS = {"smartstep": rank_ours, "okapi_bm25": rank_bm25, "fts5_bm25": rank_fts5, "tfidf_cosine": rank_tfidf}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["test", "tune", "all"])
    args = parser.parse_args()
    corpus, queries = load_eval_set(DATA)
    chosen = [q for q in queries if args.split in ("all", q.split)]
    kinds = sorted({q.kind for q in chosen})
    print(f"corpus {len(corpus)} cases, {len(chosen)} queries ({args.split} half)")
    print(f"{'ranker':<14}{'kind':<12}{'MAP':>7}{'MRR':>7}{'P@1':>7}")
    results = {}
    for name, ranker in RANKERS.items():
        start = time.perf_counter()
        rankings = dict(zip([q.id for q in chosen], ranker(corpus, chosen), strict=True))
        elapsed = time.perf_counter() - start
        for kind in [*kinds, "all"]:
            subset = [q for q in chosen if kind in ("all", q.kind)]
            score = quality([rankings[q.id] for q in subset], subset)
            results[name, kind] = score
            print(f"{name:<14}{kind:<12}{score.map:7.3f}{score.mrr:7.3f}{score.p_at_1:7.3f}")
        print(f"{'':<14}(ranked in {elapsed:.2f} s)")
    ours = results["smartstep", "all"]
    for base in ("okapi_bm25", "fts5_bm25", "tfidf_cosine"):
        other = results[base, "all"]
        print(
            f"smartstep vs {base}: MAP x{ours.map / other.map:.2f}, MRR x{ours.mrr / other.mrr:.2f}, "
            f"P@1 x{ours.p_at_1 / other.p_at_1:.2f}"
        )


if __name__ == "__main__":
    main()
