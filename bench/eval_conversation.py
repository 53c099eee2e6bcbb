"""How often the conversation gets a lead's question right, on the held-out set.

    .venv/bin/python bench/eval_conversation.py [--db DEMO.db] [--misses]

Runs every dialogue of tests/data/heldout_questions.jsonl (written before the grammar and the
intent examples, and kept apart from bot/data/intents.yaml) in a fresh thread: the demo ones
against the seed-7 demo with its advice history (built into a temporary store unless --db names a
`smartstep demo` store; a copy is used, as feedback turns write), the others against "workgroups",
a store whose teams are named like "Workgroup 2" and "Group 25". Prints the share of turns right,
the share of dialogues with every turn right, the confusion by intent (expected -> understood) and,
with --misses, what was wrong with each miss.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conversation_eval import build_workgroups, open_copy, run_heldout  # noqa: E402

from smartstep.db import open_db  # noqa: E402


def demo_store(path: Path) -> None:
    from smartstep.advice.rule_inputs import load_rule_base
    from smartstep.demo import build_demo
    from smartstep.demo.history import plant_advice_history
    from smartstep.metrics.reader import current_period

    db = open_db(path)
    build_demo(db, seed=7)
    plant_advice_history(db, load_rule_base(None), current_period(db), seed=7)
    db.close()


def confusion_table(confusion: Counter) -> list[str]:
    expected = sorted({e for e, _ in confusion})
    lines = ["| expected intent | turns | right intent | understood instead |", "| --- | ---: | ---: | --- |"]
    for intent in expected:
        total = sum(n for (e, _), n in confusion.items() if e == intent)
        right = confusion[(intent, intent)]
        wrong = ", ".join(f"{u} {n}" for (e, u), n in sorted(confusion.items()) if e == intent and u != intent)
        lines.append(f"| {intent} | {total} | {right} | {wrong or '–'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a store made by `smartstep demo` (seed 7)")
    parser.add_argument("--misses", action="store_true", help="print every miss and what was wrong")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.db
        if source is None:
            source = Path(tmp) / "built.db"
            demo_store(source)
        demo = open_copy(source, Path(tmp) / "demo.db")
        workgroups = open_db(Path(tmp) / "workgroups.db")
        build_workgroups(workgroups)
        result = run_heldout({"demo": demo, "workgroups": workgroups})
    print(f"turns right: {result.right}/{result.turns} = {result.accuracy:.1%}")
    print(f"dialogues with every turn right: {result.dialogues_right}/{result.dialogues}")
    intents = sum(n for (e, u), n in result.confusion.items() if e == u)
    print(f"intent right: {intents}/{result.turns} = {intents / result.turns:.1%}")
    times = sorted(result.seconds)
    print(
        f"answer time: median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )
    print("\n".join(confusion_table(result.confusion)))
    if args.misses:
        for miss in result.misses:
            print(f"{miss['id']} {miss['say']!r}: {'; '.join(miss['problems'])}")


if __name__ == "__main__":
    main()
