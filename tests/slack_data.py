"""A little real data for the Slack tests: tickets for two teams over three weeks, and logged advice."""

from __future__ import annotations

import json

import sqlite_utils

from smartstep.chat.conversation import Answer, ConversationState, Frame, Skill
from smartstep.metrics.store import recompute
from smartstep.weeks import shift_week, week_start

# Tickets created per team per day; the last one is on Sunday 2026-11-15, so "now" is 2026-W46.
CREATED = {
    "Billing": [
        "2026-10-27",
        "2026-10-28",
        "2026-10-29",  # W44: 3
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
        "2026-11-06",  # W45: 4
        "2026-11-10",
        "2026-11-11",
        "2026-11-12",
        "2026-11-13",
        "2026-11-14",
        "2026-11-15",
    ],  # W46: 6
    "Technical": ["2026-10-27", "2026-10-30", "2026-11-03", "2026-11-05", "2026-11-10", "2026-11-12"],  # 2 a week
}

RESPONSE_RATE = [30, 31, 29, 30, 30, 31, 29, 30, 30, 29, 31, 30, 30, 20, 17, 15, 13]


def seed_tickets(db: sqlite_utils.Database) -> None:
    records = []
    for team, days in CREATED.items():
        for n, day in enumerate(days):
            records.append(
                {
                    "id": f"{team[:3]}-{n}",
                    "created_at": f"{day}T12:00:00Z",
                    "first_reply_at": f"{day}T14:00:00Z",
                    "solved_at": f"{day}T18:00:00Z",
                    "status": "solved",
                    "team": team,
                    "subject": f"{team} question {n}",
                }
            )
    with db.atomic():
        db["tickets"].insert_all(records)
        # Billing's survey response rate, imported weekly, falls from ~30% to 13% over the last 4 weeks:
        # enough for the shipped rule `surveys.response_rate_falling` to fire for Billing in 2026-W46.
        for offset, value in enumerate(RESPONSE_RATE):
            week = shift_week("2026-W46", offset - len(RESPONSE_RATE) + 1)
            db["imported_metrics"].insert(
                {
                    "team": "Billing",
                    "metric": "survey_response_rate",
                    "date": week_start(week).strftime("%Y-%m-%d"),
                    "value": value,
                }
            )
        recompute(db)


def insert_advice(db: sqlite_utils.Database, advice_id: str, title: str, team: str = "Billing") -> dict:
    """An advice row as the advisor logs it, and the advice dict (docs/interface.md shape) built independently."""
    evidence = [{"metric": "ticket_volume", "team": team, "value": 6, "previous": 4, "change": 2, "period": "2026-W46"}]
    steps = ["Tag the top three contact reasons", "Write a macro for the biggest one"]
    db["advice"].insert(
        {
            "id": advice_id,
            "rule_id": "volume_spike",
            "team": team,
            "title": title,
            "why": "Volume rose 50% in a week.\nMore detail here.",
            "steps": json.dumps(steps),
            "score": 0.8,
            "evidence": json.dumps(evidence),
            "period": "2026-W46",
            "created_at": "2026-11-16T09:00:00Z",
            "surface": "slack",
        }
    )
    return {
        "advice_id": advice_id,
        "rule_id": "volume_spike",
        "team": team,
        "title": title,
        "why": "Volume rose 50% in a week.\nMore detail here.",
        "steps": steps,
        "score": 0.8,
        "evidence": evidence,
        "similar_situations": [],
    }


def advice_skills(db: sqlite_utils.Database, user: str) -> dict[str, Skill]:
    """Stands in for the advisor (issue 5, not built yet): answers "what next?" with the logged advice rows,
    newest first, in the docs/interface.md advice shape."""

    def next_steps(frame: Frame, state: ConversationState) -> Answer:
        rows = list(db.query("SELECT * FROM advice ORDER BY created_at DESC, id"))
        if not rows:
            return Answer("next_steps", "Nothing needs attention right now.", frame=frame)
        data = [
            {
                "advice_id": r["id"],
                "rule_id": r["rule_id"],
                "team": r["team"],
                "title": r["title"],
                "why": r["why"],
                "steps": json.loads(r["steps"]),
                "score": r["score"],
                "evidence": json.loads(r["evidence"]),
                "similar_situations": [],
            }
            for r in rows
        ]
        return Answer("next_steps", "*Smartest next steps*", data=data, frame=frame, items=tuple(data))

    return {"next_steps": next_steps}
