"""The capability assessment: 14 questions that place each dimension of the support
organisation on a maturity stage, so the advisor can prefer steps that fit where a team is.

Scoring is pure; `save_assessment`/`load_assessments` are the only I/O.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.definitions import assessment_data, load_maturity
from smartstep.errors import UserError
from smartstep.weeks import format_time


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str
    answers: tuple[str, ...]  # answers[i] places the dimension at stage i + 1


@dataclass(frozen=True)
class Questionnaire:
    stages: dict[int, str]
    dimensions: tuple[str, ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Profile:
    """Stage per dimension (1..5) and overall; overall is the weakest link rounded, since a
    team cannot be proactive with chaotic measurement."""

    stages: dict[str, int]
    overall: int
    answered_at: str
    team: str = "all"

    def stage_name(self, stage: int) -> str:
        return questionnaire().stages[stage]

    def to_dict(self) -> dict:
        names = questionnaire().stages
        return {
            "team": self.team,
            "answered_at": self.answered_at,
            "overall": {"stage": self.overall, "name": names[self.overall]},
            "dimensions": {d: {"stage": s, "name": names[s]} for d, s in self.stages.items()},
        }


@cache
def questionnaire() -> Questionnaire:
    maturity = load_maturity()
    raw = assessment_data()
    questions = tuple(Question(q["id"], q["dimension"], q["text"], tuple(q["answers"])) for q in raw["questions"])
    return Questionnaire(dict(maturity.names), maturity.dimensions, questions)


def score(answers: Mapping[str, int], team: str = "all", at: datetime | None = None) -> Profile:
    """Answers map question id -> chosen stage (1..5). Every question must be answered."""
    q = questionnaire()
    missing = [question.id for question in q.questions if question.id not in answers]
    if missing:
        raise UserError(f"the assessment needs an answer to every question; missing: {', '.join(missing)}")
    unknown = sorted(set(answers) - {question.id for question in q.questions})
    if unknown:
        raise UserError(f"unknown assessment question '{unknown[0]}'")
    stages: dict[str, int] = {}
    for dimension in q.dimensions:
        chosen = []
        for question in q.questions:
            if question.dimension != dimension:
                continue
            value = answers[question.id]
            if not isinstance(value, int) or not 1 <= value <= len(question.answers):
                raise UserError(f"answer to '{question.id}' must be a number from 1 to {len(question.answers)}")
            chosen.append(value)
        # Half-way between stages rounds down: a stage is reached when it is mostly true.
        stages[dimension] = math.floor(sum(chosen) / len(chosen) + 1e-9)
    overall = min(math.floor(sum(stages.values()) / len(stages) + 1e-9), min(stages.values()) + 1)
    return Profile(stages, overall, format_time(at or datetime.now(UTC)), team)


def progress(before: Profile, after: Profile) -> dict[str, int]:
    """Stage change per dimension between two takes (positive: moved up)."""
    return {d: after.stages[d] - before.stages[d] for d in after.stages}


def save_assessment(db: sqlite_utils.Database, profile: Profile, answers: Mapping[str, int], user: str) -> None:
    with write_transaction(db):
        db["assessments"].insert(
            {
                "team": profile.team,
                "answered_at": profile.answered_at,
                "user": user,
                "answers": json.dumps(dict(answers), sort_keys=True),
                "stages": json.dumps(profile.stages, sort_keys=True),
                "overall": profile.overall,
            }
        )


def load_assessments(db: sqlite_utils.Database, team: str = "all") -> list[Profile]:
    """Every take for a team (or the whole organisation), oldest first."""
    rows = db.query("SELECT * FROM assessments WHERE team = ? ORDER BY answered_at, id", [team])
    return [Profile(json.loads(r["stages"]), r["overall"], r["answered_at"], r["team"]) for r in rows]


def current_stage(db: sqlite_utils.Database, team: str) -> Profile | None:
    """The latest profile for a team, falling back to the organisation-wide one."""
    for who in (team, "all"):
        takes = load_assessments(db, who)
        if takes:
            return takes[-1]
    return None
