"""Repeated-problem grouping at scale: time, peak memory and whether the counts are right.

    python bench/bench_repeats.py            # 100k tickets, plus the old grouping at 5k for the ratio
    python bench/bench_repeats.py --n 20000

Each size runs in a fresh subprocess so its peak RSS (ru_maxrss) is its own. The tickets are
written here, independently of the product: a ServiceNow-like coded log ("Category 42 /
Subcategory 223 / Symptom 534", codes drawn from a Zipf law as in a real incident log) mixed with
free-text subjects for a few planted problems, each worded five ways with ids in them. The check
compares every coded group's reported size with the true number of tickets with that subject.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter

import numpy as np

PHRASES = (
    ("Invoice PDF download shows blank page", "Regenerated the PDF from the admin side and emailed it."),
    ("invoice pdf is blank when I download it", "Re-rendered the invoice and sent the file by hand."),
    ("Downloaded invoice {id} opens as an empty white page", "Regenerated invoice {id} and emailed it."),
    ("Blank PDF for our invoice {id}", "Sent the invoice as a PDF attachment after re-rendering it."),
    ("Password reset email never arrives", "Whitelisted our sender domain and resent the reset link."),
    ("reset link not received for user {id}", "The reset mail was in quarantine; released it and resent."),
)


def make_tickets(n: int, seed: int = 3) -> tuple[list[str], list[str], Counter]:
    """`n` (subject, resolution) pairs: 80% coded, 20% free text; and the true coded counts."""
    rng = np.random.default_rng(seed)
    codes = rng.zipf(1.3, size=n) % 600
    subjects, resolutions, truth = [], [], Counter()
    for i in range(n):
        if rng.random() < 0.8:
            c = int(codes[i])
            subject = f"Category {c % 40} / Subcategory {100 + c % 250} / Symptom {500 + c}"
            truth[subject] += 1
            subjects.append(subject)
            resolutions.append(f"Closed: resolved per runbook step {rng.integers(1, 9)}; user confirmed.")
        else:
            s, r = PHRASES[int(rng.integers(len(PHRASES)))]
            ident = f"INV-{rng.integers(100000, 999999)}"
            subjects.append(s.format(id=ident))
            resolutions.append(r.format(id=ident))
    return subjects, resolutions, truth


def run_one(n: int, method: str) -> dict:
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    from smartstep.advice.problem_groups import group_problems

    subjects, resolutions, truth = make_tickets(n)
    start = time.perf_counter()
    if method == "new":
        labels = group_problems(subjects, resolutions)
    else:
        texts = [f"{s} {s} {r}" for s, r in zip(subjects, resolutions, strict=True)]
        word = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # the old grouping: letters only, linked pairs, components
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=word).fit_transform(texts)
        _, labels = connected_components((matrix @ matrix.T) >= 0.45, directed=False)
    seconds = time.perf_counter() - start
    sizes = np.bincount(labels)
    wrong = 0
    for subject, count in truth.items():
        members = [i for i, s in enumerate(subjects) if s == subject][:1]
        if members and sizes[labels[members[0]]] != count:
            wrong += 1
    biggest = int(sizes.max())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "n": n,
        "method": method,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_mb),
        "coded_subjects": len(truth),
        "coded_counts_wrong": wrong,
        "largest_group": biggest,
        "largest_true": max(truth.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--baseline-n", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("N", "METHOD"))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1])))
        return
    runs: dict[tuple[int, str], list[dict]] = {}
    plan = [(args.baseline_n, "old"), (args.baseline_n, "new"), (args.n, "new")]
    for _ in range(args.repeat):
        for n, method in plan:  # interleaved, so machine load hits every size alike
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(n), method], capture_output=True, text=True, check=True
            )
            runs.setdefault((n, method), []).append(json.loads(out.stdout))
    for results in runs.values():
        median = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
        peak = sorted(r["peak_mb"] for r in results)[len(results) // 2]
        print(json.dumps({**median, "peak_mb": peak, "runs": len(results)}))
    old = np.median([r["seconds"] for r in runs[(args.baseline_n, "old")]])
    new = np.median([r["seconds"] for r in runs[(args.baseline_n, "new")]])
    print(f"at {args.baseline_n:,} tickets the new grouping takes {new / old:.2f}x the old one's time (medians)")


if __name__ == "__main__":
    main()
