"""Scoring the conversation on the held-out questions and dialogues (tests/data/heldout_questions.jsonl).

Each line is a dialogue of one or more turns, asked in a fresh thread against a real store: the
demo organisation, or "workgroups", a store whose team names hold numbers and spaces ("Workgroup 2",
"Group 25"). A turn is right when everything its line states holds: the understood intent, teams,
metrics, period and comparison; the words the answer must (`says`) and must not (`not_says`) contain;
and whether feedback was written. Used by tests/test_chat_heldout.py and bench/eval_conversation.py.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlite_utils

from smartstep.advice.rule_inputs import load_rule_base
from smartstep.chat.context import load_context
from smartstep.chat.conversation import Context, ConversationState
from smartstep.chat.engine import answer
from smartstep.chat.skills import build_skills
from smartstep.db import open_db
from smartstep.metrics.store import recompute
from smartstep.weeks import format_time, shift_week, week_start

HELDOUT = Path(__file__).parent / "data" / "heldout_questions.jsonl"
WORKGROUPS = {  # team -> (tickets a week, median first reply hours, share of surveys answered)
    "Workgroup 1": (40, 2.0, 0.35),
    "Workgroup 2": (25, 6.0, 0.3),
    "Workgroup 12": (30, 3.0, 0.3),
    "Group 2": (15, 9.0, 0.3),
    "Group 25": (2, 4.0, 0.5),
    "Tier 2 EMEA": (20, 12.0, 0.3),
}
WEEKS = 16
NOW = "2026-W46"


def load_dialogues(path: Path = HELDOUT) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_workgroups(db: sqlite_utils.Database, seed: int = 3) -> None:
    """Tickets and CSAT surveys for six teams over 16 weeks up to 2026-W46, some still open."""
    r = random.Random(seed)
    tickets, surveys = [], []
    for team, (volume, reply_hours, answered) in WORKGROUPS.items():
        for w in range(WEEKS):
            monday = week_start(shift_week(NOW, w - WEEKS + 1))
            for n in range(max(1, round(r.gauss(volume, volume**0.5)))):
                created = monday.replace(hour=8) + _days(r.uniform(0, 6.9))
                reply = created + _days(r.expovariate(1 / reply_hours) / 24)
                open_now = w >= WEEKS - 2 and r.random() < 0.25
                solved = None if open_now else reply + _days(r.expovariate(1 / 1.5))
                tid = f"{team[:2].upper()}{team.split()[-1]}-{w:02d}{n:03d}"
                tickets.append(
                    {
                        "id": tid,
                        "created_at": format_time(created),
                        "first_reply_at": format_time(reply),
                        "solved_at": format_time(solved) if solved else None,
                        "status": "open" if open_now else "solved",
                        "team": team,
                        "subject": r.choice(("Login fails", "Invoice missing", "Export is slow", "API error 500")),
                        "contacts": 1 + (r.random() < 0.3),
                        "reopens": int(r.random() < 0.08),
                    }
                )
                if solved and r.random() < answered:
                    surveys.append(
                        {
                            "id": f"S-{tid}",
                            "ticket_id": tid,
                            "kind": "csat",
                            "sent_at": format_time(solved),
                            "responded_at": format_time(solved + _days(0.5)),
                            "score": r.choice((5, 5, 4, 4, 4, 3, 2)),
                        }
                    )
    with db.atomic():
        db["tickets"].insert_all(tickets)
        db["surveys"].insert_all(surveys)
    recompute(db)


def _days(n: float):
    from datetime import timedelta

    return timedelta(days=n)


def store_context(db: sqlite_utils.Database, user: str = "U-heldout") -> Context:
    rules = load_rule_base(None)
    skills = build_skills(db, lambda: rules, user=user, surface="test")
    return replace(load_context(db), skills=skills)


@dataclass
class Result:
    turns: int = 0
    right: int = 0
    dialogues: int = 0
    dialogues_right: int = 0
    confusion: Counter = field(default_factory=Counter)  # (expected intent, understood intent) -> turns
    misses: list[dict[str, Any]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.turns if self.turns else 0.0


def _feedback_rows(db: sqlite_utils.Database) -> dict[tuple[str, str], tuple[str, str]]:
    return {(a, u): (r, at) for a, u, r, at in db.execute("SELECT advice_id, user, rating, at FROM feedback")}


def check_turn(turn: dict[str, Any], reply: Any, before: dict, after: dict) -> list[str]:
    """What is wrong with the reply to one turn (empty: right)."""
    problems = []
    understood = reply.understood
    want = turn["intent"] if isinstance(turn["intent"], list) else [turn["intent"]]
    if understood["intent"] not in want:
        problems.append(f"intent {understood['intent']} (want {want})")
    for key in ("teams", "metrics"):
        if key in turn and set(turn[key]) != set(understood[key]):
            problems.append(f"{key} {understood[key]} (want {turn[key]})")
    if "unknown_teams" in turn and {t.lower() for t in turn["unknown_teams"]} != {
        t.lower() for t in understood["unknown_teams"]
    }:
        problems.append(f"unknown teams {understood['unknown_teams']} (want {turn['unknown_teams']})")
    if "period" in turn:
        got = understood["period"] or {}
        if (got.get("start"), got.get("end")) != (turn["period"]["start"], turn["period"]["end"]):
            problems.append(f"period {got.get('start')}..{got.get('end')} (want {turn['period']})")
    if "compare" in turn and understood["compare"] != turn["compare"]:
        problems.append(f"compare {understood['compare']} (want {turn['compare']})")
    text = reply.text.lower()
    problems += [f"answer lacks {s!r}" for s in turn.get("says", []) if s.lower() not in text]
    problems += [f"answer has {s!r}" for s in turn.get("not_says", []) if s.lower() in text]
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if turn.get("no_feedback_written") and changed:
        problems.append(f"feedback written: {changed}")
    if turn.get("feedback_written") and turn["feedback_written"] not in {r for r, _ in changed.values()}:
        problems.append(f"no {turn['feedback_written']} feedback written (changed: {changed})")
    return problems


def run_heldout(stores: dict[str, sqlite_utils.Database], dialogues: list[dict[str, Any]] | None = None) -> Result:
    """Every dialogue in a fresh thread against its store; per-turn scoring."""
    import time

    contexts = {name: store_context(db) for name, db in stores.items()}
    result = Result()
    for dialogue in dialogues if dialogues is not None else load_dialogues():
        db, context = stores[dialogue["store"]], contexts[dialogue["store"]]
        state = ConversationState()
        all_right = True
        for turn in dialogue["turns"]:
            before = _feedback_rows(db)
            start = time.perf_counter()
            reply = answer(turn["say"], state, context)
            result.seconds.append(time.perf_counter() - start)
            problems = check_turn(turn, reply, before, _feedback_rows(db))
            want = turn["intent"][0] if isinstance(turn["intent"], list) else turn["intent"]
            result.confusion[(want, reply.understood["intent"])] += 1
            result.turns += 1
            if problems:
                all_right = False
                result.misses.append({"id": dialogue["id"], "say": turn["say"], "problems": problems})
            else:
                result.right += 1
        result.dialogues += 1
        result.dialogues_right += all_right
    return result


def open_copy(source: Path, target: Path) -> sqlite_utils.Database:
    db = open_db(source)
    db.conn.execute(f"VACUUM INTO '{target}'")
    db.close()
    return open_db(target)
