"""The conversation on questions and dialogues it was not written from (tests/data/heldout_questions.jsonl):
at least 90% of turns understood and answered right. `bench/eval_conversation.py` prints the
confusion by intent and every miss."""

from __future__ import annotations

from conversation_eval import build_workgroups, open_copy, run_heldout
from demo_support import demo_with_history_path

from smartstep.db import open_db


def test_at_least_90_percent_of_heldout_turns_are_right(tmp_path):
    demo = open_copy(demo_with_history_path(), tmp_path / "demo.db")
    workgroups = open_db(tmp_path / "workgroups.db")
    build_workgroups(workgroups)
    result = run_heldout({"demo": demo, "workgroups": workgroups})
    print(f"held-out: {result.right}/{result.turns} turns right ({result.accuracy:.1%})")
    assert result.turns >= 150
    assert result.accuracy >= 0.90, "\n".join(f"{m['say']!r}: {'; '.join(m['problems'])}" for m in result.misses)
