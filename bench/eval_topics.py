"""Topic grouping quality on three sets whose truth is known, with the shipped parameters (data/topics.yaml).

    .venv/bin/python bench/eval_topics.py [--demo PATH]

- planted: 60 problems in one team (tests/planted_topics.py), nouns and faults shared between problems,
  each worded three ways: purity (share of tickets in their topic's majority problem) and recall (mean
  share of a problem's tickets in its biggest topic), through `load_topics` (grouping + word merge);
- demo: the demo's Billing and Technical tickets of the last 12 weeks, truth from the catalogue's
  subject templates (subjects the templates do not match, typos, are left out);
- GitBugs (public, real; ../shared/eval/gitbugs-dev): each project's reports grouped; of the trackers'
  duplicate pairs, how many share a topic, against the chance that two random reports do.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).parent))

from gitbugs import DEFAULT_DIR, FALLBACK_DIR  # noqa: E402
from planted_topics import Planted, problem, write  # noqa: E402

from smartstep.advice.emerging import load_thresholds  # noqa: E402
from smartstep.advice.topics import load_topics  # noqa: E402
from smartstep.db import open_db  # noqa: E402
from smartstep.knowledge.grouping import GroupingParams, group, topic_vectors  # noqa: E402
from smartstep.knowledge.topic_text import ticket_texts  # noqa: E402


def scores(labels: list[int], truth: list[str | None]) -> tuple[float, float]:
    known = [i for i, t in enumerate(truth) if t]
    pure = sum(
        Counter(truth[i] for i in known if labels[i] == c).most_common(1)[0][1] for c in {labels[i] for i in known}
    )
    recall = np.mean(
        [
            Counter(labels[i] for i in known if truth[i] == k).most_common(1)[0][1] / n
            for k, n in Counter(truth[i] for i in known).items()
        ]
    )
    return pure / len(known), float(recall)


def planted() -> None:
    rng = random.Random(3)
    rows = Planted([], {})
    pool = [f"C{i}" for i in range(2000)]
    for i in range(60):
        rows.add(rng, problem(i), "T", [rng.choice([2, 5, 10, 20, 40])] * 12, pool)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "planted.db")
        write(db, rows)
        report = load_topics(db, thresholds=_all_topics())
        label_of = {}
        for number, topic in enumerate(report.topics):
            for ticket in topic.all_ids:
                label_of[ticket] = number
    ids = [r["id"] for r in rows.rows if r["id"] in label_of]
    purity, recall = scores([label_of[i] for i in ids], [rows.truth[i] for i in ids])
    found = len(report.topics)
    print(f"planted: {len(rows.rows)} tickets, 60 problems -> {found} topics; purity {purity:.3f}, recall {recall:.3f}")


def _all_topics():
    from dataclasses import replace

    return replace(load_thresholds(), min_topic_tickets=1)


def demo(path: Path) -> None:
    from smartstep.demo import catalogue

    patterns = [
        (re.compile(re.sub(r"\\\{\w+\\\}", ".*", re.escape(s)) + "$", re.I), p.key)
        for p in catalogue.BILLING + catalogue.TECHNICAL
        for s in p.subjects
    ]
    db = open_db(path)
    for team in ("Billing", "Technical"):
        report = load_topics(db, team=team, thresholds=_all_topics())
        subjects = dict(db.execute("SELECT id, subject FROM tickets WHERE team = ?", [team]).fetchall())
        ids, labels = [], []
        for number, topic in enumerate(report.topics):
            ids += topic.all_ids
            labels += [number] * len(topic.all_ids)
        truth = [next((k for rx, k in patterns if rx.search(subjects[i] or "")), None) for i in ids]
        purity, recall = scores(labels, truth)
        print(
            f"demo {team}: {len(ids)} tickets -> {len(report.topics)} topics; purity {purity:.3f}, recall {recall:.3f}"
        )


def gitbugs() -> None:
    folder = DEFAULT_DIR if DEFAULT_DIR.exists() else FALLBACK_DIR
    with gzip.open(folder / "pool.jsonl.gz", "rt") as lines:
        pool = [json.loads(line) for line in lines]
    dev = [json.loads(line) for line in (folder / "dev.jsonl").read_text().splitlines()]
    alias = {a: r["id"] for r in pool for a in r.get("aliases", [])}
    params = GroupingParams(**load_thresholds().grouping)
    for project in ("hadoop", "seamonkey"):
        rows = [r for r in pool if r["id"].startswith(project)]
        where = {r["id"]: i for i, r in enumerate(rows)}
        texts = [t for t, _ in ticket_texts([(r["title"], r["body"]) for r in rows])]
        labels = group(topic_vectors(texts, params), params)
        pairs = {
            tuple(sorted((alias.get(q["query_id"], q["query_id"]), alias.get(p, p))))
            for q in dev
            if q["query_id"].startswith(project)
            for p in q["positives"]
        }
        pairs = {(a, b) for a, b in pairs if a != b and a in where and b in where}
        together = sum(labels[where[a]] == labels[where[b]] for a, b in pairs)
        sizes = np.bincount(labels)
        chance = float((sizes * (sizes - 1)).sum()) / (len(rows) * (len(rows) - 1))
        print(
            f"GitBugs {project}: {len(rows)} reports -> {len(sizes)} topics (largest {sizes.max()}); duplicate pairs "
            f"in one topic {together}/{len(pairs)} = {together / len(pairs):.2f}, two random reports {chance:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="a demo store (smartstep demo --no-chat); skipped when absent")
    args = parser.parse_args()
    planted()
    if args.demo:
        demo(args.demo)
    gitbugs()


if __name__ == "__main__":
    main()
