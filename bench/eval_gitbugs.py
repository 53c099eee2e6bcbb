"""Similar cases on real bug reports, through the product's own CLI, against three baselines in one run.

    .venv/bin/python bench/eval_gitbugs.py [--data ../shared/eval/gitbugs-dev]

The "full" protocol of the GitBugs dev split (its README): the whole pool (3,570 reports of
Apache Hadoop and Mozilla SeaMonkey) is written as a tickets CSV and imported into a fresh
store with `smartstep import tickets`; every dev query (title + "\\n" + body, 83 of them) goes
into one `smartstep similar --queries FILE --k 100 --json` call, and its JSON Lines answer is
scored: each result in rank order with the ids folded into it (`duplicates`) right after it,
the query's own report left out, aliases mapped, cut at 100. MAP@100, MRR@100, P@1 and
Recall@10, against rank_bm25's BM25Okapi (lowercased \\w+ tokens), plain TF-IDF (1-2-grams,
sublinear, cosine) and SQLite FTS5 bm25() over the same pool and query text, measured in the
same process. The baselines need the `bench` extra (`pip install -e ".[bench]"`).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import gitbugs  # noqa: E402

from smartstep.knowledge.cases import Case  # noqa: E402
from smartstep.knowledge.evaluate import Quality, Query, quality, rank_fts5  # noqa: E402

DEPTH = 100


def write_tickets_csv(data: gitbugs.GitBugs, path: Path) -> None:
    """The pool as solved tickets in the INTERFACE CSV shape: the project is the team."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "created_at", "solved_at", "status", "team", "channel", "subject", "description"])
        for report in data.pool:
            project = report["id"].split("-")[0]
            writer.writerow(
                [report["id"], "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "solved", project, "web"]
                + [report["title"], report["body"]]
            )


def smartstep(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "smartstep", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:])} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def rank_cli(data: gitbugs.GitBugs, folder: Path) -> tuple[list[list[str]], float, float]:
    """Rankings from `smartstep similar --queries` (folded ids expanded in place), import and query seconds."""
    db, tickets, questions = folder / "store.db", folder / "pool.csv", folder / "queries.jsonl"
    write_tickets_csv(data, tickets)
    start = time.perf_counter()
    smartstep("--db", str(db), "import", "tickets", str(tickets))
    imported = time.perf_counter() - start
    questions.write_text(
        "".join(json.dumps({"id": q.id, "text": q.text}, ensure_ascii=False) + "\n" for q in data.queries),
        encoding="utf-8",
    )
    start = time.perf_counter()
    answer = smartstep("--db", str(db), "similar", "--queries", str(questions), "--k", str(DEPTH), "--json")
    asked = time.perf_counter() - start
    rows = {row["id"]: row["results"] for row in map(json.loads, answer.stdout.splitlines())}
    rankings = [[i for r in rows[q.id] for i in (r["id"], *r["duplicates"])] for q in data.queries]
    return rankings, imported, asked


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def rank_bm25okapi(corpus: list[Case], queries: list[Query], depth: int) -> list[list[str]]:
    """rank_bm25's BM25Okapi (k1 1.5, b 0.75, its defaults) over lowercased \\w+ tokens of title + body."""
    from rank_bm25 import BM25Okapi

    model = BM25Okapi([_tokens(f"{c.title}\n{c.description}") for c in corpus])
    out = []
    for query in queries:
        scores = model.get_scores(_tokens(query.text))
        top = np.argsort(-scores, kind="stable")[:depth]
        out.append([corpus[i].id for i in top if scores[i] > 0])
    return out


def rank_tfidf_bigrams(corpus: list[Case], queries: list[Query], depth: int) -> list[list[str]]:
    """Plain TF-IDF: word 1-2-grams, sublinear tf, cosine."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    matrix = vectorizer.fit_transform([f"{c.title}\n{c.description}" for c in corpus])
    scores = linear_kernel(vectorizer.transform([q.text for q in queries]), matrix)
    return [[corpus[i].id for i in np.argsort(-row, kind="stable")[:depth] if row[i] > 0] for row in scores]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="the gitbugs-dev folder (default: ../shared/eval/gitbugs-dev)")
    args = parser.parse_args()
    folder = gitbugs.find_dir(args.data)
    if folder is None:
        raise SystemExit("no GitBugs dev split found; pass --data DIR (the folder holding dev.jsonl)")
    data = gitbugs.load(folder)
    corpus = data.cases()
    print(f"GitBugs dev: {len(data.pool):,} reports in the pool, {len(data.queries)} queries ({folder})")
    results: dict[str, Quality] = {}
    with tempfile.TemporaryDirectory() as tmp:
        rankings, imported, asked = rank_cli(data, Path(tmp))
    print(f"smartstep CLI: import {imported:.1f} s, one `similar --queries` call {asked:.1f} s (index build included)")
    results["smartstep (CLI)"] = score(data, rankings)
    baselines = {
        "BM25Okapi (rank_bm25)": rank_bm25okapi,
        "TF-IDF 1-2-gram cosine": rank_tfidf_bigrams,
        "SQLite FTS5 bm25()": lambda c, q, d: rank_fts5(c, q, d),
    }
    for name, ranker in baselines.items():
        results[name] = score(data, ranker(corpus, data.queries, DEPTH + 1))
    print(f"{'system':<26}{'MAP@100':>9}{'MRR':>7}{'P@1':>7}{'R@10':>7}")
    for name, q in results.items():
        print(f"{name:<26}{q.map:9.3f}{q.mrr:7.3f}{q.p_at_1:7.3f}{q.recall_at_10:7.3f}")
    best_name = max((n for n in results if n != "smartstep (CLI)"), key=lambda n: results[n].map)
    ours, best = results["smartstep (CLI)"], results[best_name]
    print(f"smartstep / best baseline ({best_name}): MAP x{ours.map / best.map:.3f} (goal >= x1.10)")


def score(data: gitbugs.GitBugs, rankings: list[list[str]]) -> Quality:
    return quality([data.judged(r, q, DEPTH) for r, q in zip(rankings, data.queries, strict=True)], data.queries)


if __name__ == "__main__":
    main()
