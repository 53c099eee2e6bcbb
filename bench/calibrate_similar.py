"""Calibrate the "no close match" floor: below it a top hit is shown as only loosely related.

    .venv/bin/python bench/calibrate_similar.py

Questions from the tune half of our labelled set and from the public GitBugs dev split (never
the held-out half), in two bands that score on different scales: short ones (at most four
content words, the index's own "short") and the rest. Per band, two kinds: one whose solved
case is in the index (the top hit's score when that hit is right) and one whose right cases
(and, in our set, the same-area hard negative) were taken out, so whatever comes first is at
best loosely related. The floor is the 10th percentile of right top hits: the notice hides a
right answer at most one time in ten (the costly mistake for an agent), and the script prints
what share of the nothing-right questions it flags, per set, so the constants in
`knowledge/confidence.py` can be checked against it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import gitbugs  # noqa: E402

from smartstep.knowledge.cases import Case, index_text, title_text  # noqa: E402
from smartstep.knowledge.confidence import CLOSE_MATCH  # noqa: E402
from smartstep.knowledge.evaluate import Query, load_eval_set  # noqa: E402
from smartstep.knowledge.index import SimilarityIndex  # noqa: E402
from smartstep.knowledge.normalise import clean_text  # noqa: E402
from smartstep.knowledge.queries import is_short  # noqa: E402

DATA = Path(__file__).parent.parent / "tests" / "data" / "similar_eval.json"


def top_scores(corpus: list[Case], queries: list[Query], hide: dict[str, set[str]]) -> list[tuple[str, bool, float]]:
    """(band, right?, score) of the top hit of each query, and (band, False, score) with every right case
    (and `hide`) taken out. The query's own case (GitBugs queries are pool reports) is always hidden."""
    index = SimilarityIndex().fit([index_text(c) for c in corpus], [title_text(c) for c in corpus])
    row_of = {c.id: row for row, c in enumerate(corpus)}
    out = []
    for query in queries:
        text = clean_text(query.text)
        band = "short" if is_short(text) else "long"
        mask = np.ones(len(corpus), dtype=bool)
        mask[[row_of[i] for i in (query.id,) if i in row_of]] = False
        hits = index.search(text, k=1, mask=mask)
        if hits and corpus[hits[0].row].id in query.relevant:
            out.append((band, True, hits[0].score))
        mask[[row_of[i] for i in query.relevant | hide.get(query.id, set()) if i in row_of]] = False
        hits = index.search(text, k=1, mask=mask)
        out.append((band, False, hits[0].score if hits else 0.0))
    return out


def main() -> None:
    corpus, queries = load_eval_set(DATA)
    tune = [q for q in queries if q.split == "tune"]
    siblings = {q.id: {q.id.split(":")[0] + ":sibling"} for q in tune}
    sets = {"synthetic tune half": top_scores(corpus, tune, siblings)}
    folder = gitbugs.find_dir()
    if folder is not None:
        data = gitbugs.load(folder)
        sets["GitBugs dev"] = top_scores(data.cases(), data.queries, {})
    pooled = [row for rows in sets.values() for row in rows]
    for band in ("short", "long"):
        right = [s for b, ok, s in pooled if b == band and ok]
        floor = float(np.percentile(right, 10)) if right else float("nan")
        print(f"{band} questions: 10th percentile of right top hits {floor:.3f} (in use: {CLOSE_MATCH[band]})")
        for name, rows in sets.items():
            r = [s for b, ok, s in rows if b == band and ok]
            n = [s for b, ok, s in rows if b == band and not ok]
            if not r or not n:
                continue
            cut = CLOSE_MATCH[band]
            kept, flagged = np.mean(np.array(r) >= cut), np.mean(np.array(n) < cut)
            print(
                f"  {name:<20} right top hits {len(r):>3}, median {np.median(r):.3f}, shown as close {kept:6.1%}"
                f" | nothing right {len(n):>3}, median {np.median(n):.3f}, flagged loose {flagged:6.1%}"
            )


if __name__ == "__main__":
    main()
