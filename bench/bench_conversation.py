"""How long the conversation takes to answer, in process, on the demo store.

    .venv/bin/python bench/bench_conversation.py [--db DEMO.db] [--repeat 5]

Opens (or builds, seed 7 with its advice history) the demo store, builds the conversation context
with every skill the way `smartstep chat` and the Slack app do, warms up the way the Slack app
does at start (a metric question, a similar-case search, the repeated problems, the advisor's
ranking), then answers
every question below `--repeat` times, each in a fresh thread after the turns it follows up on.
Medians per question and per intent; the baseline, timed in the same process, is the advisor
itself (`pipeline.next_steps`, not logged) on the same store, so the ratio shows what the
conversation adds on top of the one expensive call it wraps. Advice and feedback written while
answering go to a copy of the store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conversation_eval import open_copy, store_context  # noqa: E402
from eval_conversation import demo_store  # noqa: E402

from smartstep.advice.pipeline import next_steps  # noqa: E402
from smartstep.advice.rule_inputs import load_rule_base  # noqa: E402
from smartstep.chat.conversation import ConversationState  # noqa: E402
from smartstep.chat.engine import answer  # noqa: E402

# (turns before, the question timed): one or more per intent, in a lead's words.
QUESTIONS = (
    ((), "how is CSAT trending for Billing?"),
    ((), "backlog for Onboarding over the last 12 weeks"),
    (("csat for billing",), "and for Technical?"),
    ((), "how are we doing?"),
    ((), "how is Technical doing?"),
    ((), "what changed last week?"),
    ((), "what moved since October?"),
    ((), "which team is struggling?"),
    ((), "which team has the worst CSAT?"),
    ((), "compare CES between Technical and Billing"),
    ((), "CSAT this month vs last month"),
    ((), "what is FCR?"),
    ((), "how do I improve FCR?"),
    ((), "how can Technical get CES back up?"),
    ((), "what should Billing do next?"),
    ((), "what should we do next?"),
    (("what should we do next?",), "more"),
    (("what should Billing do next?",), "why?"),
    ((), "why is CES down for Technical?"),
    ((), "why is the Onboarding backlog growing?"),
    ((), "show the tickets behind Technical's CES"),
    ((), "open tickets waiting longest at Onboarding"),
    ((), "repeated problems without an article"),
    ((), "similar cases for invoice pdf is blank"),
    (("what should Technical do next?",), "the second one is done"),
    ((), "thanks!"),
    ((), "help"),
    ((), "what's the rate for Billing?"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a store made by `smartstep demo` (seed 7)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.db
        if source is None:
            source = Path(tmp) / "built.db"
            demo_store(source)
        db = open_copy(source, Path(tmp) / "demo.db")
        rules = load_rule_base(None)
        start = time.perf_counter()
        context = store_context(db)
        warm = ConversationState()
        for text in (
            "how is ticket volume?",
            "show similar cases for password reset email never arrives",
            "repeated problems",
        ):
            answer(text, warm, context)
        next_steps(db, rules, k=5, log=False)
        print(f"context and warm-up: {time.perf_counter() - start:.1f} s")
        per_question: dict[str, list[float]] = defaultdict(list)
        per_intent: dict[str, list[float]] = defaultdict(list)
        baseline = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            next_steps(db, rules, k=3, log=False)
            baseline.append(time.perf_counter() - t0)
            for before, text in QUESTIONS:
                state = ConversationState()
                for turn in before:
                    answer(turn, state, context)
                t0 = time.perf_counter()
                reply = answer(text, state, context)
                seconds = time.perf_counter() - t0
                per_question[text].append(seconds)
                per_intent[reply.understood["intent"]].append(seconds)
        base = statistics.median(baseline) * 1000
        print(f"baseline `pipeline.next_steps` (k=3, not logged): median {base:.0f} ms over {args.repeat} runs\n")
        print("| question | understood as | median ms | max ms | ratio to baseline |")
        print("| --- | --- | ---: | ---: | ---: |")
        for before, text in QUESTIONS:
            times = per_question[text]
            intent = next(i for i, ts in per_intent.items() if any(t in ts for t in times))
            shown = f"{' → '.join(before)} → {text}" if before else text
            median = statistics.median(times) * 1000
            print(f"| {shown} | {intent} | {median:.0f} | {max(times) * 1000:.0f} | {median / base:.2f} |")
        everything = [t for ts in per_question.values() for t in ts]
        worst = max(statistics.median(ts) for ts in per_question.values()) * 1000
        print(
            f"\nall answers: median {statistics.median(everything) * 1000:.0f} ms, slowest question's median "
            f"{worst:.0f} ms, max {max(everything) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
