"""The conversation engine's skills over one store: next steps, similar cases, drivers and
feedback in words. Built by the I/O layer (CLI, Slack) and injected into the engine's Context,
so the engine itself never touches the database."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from smartstep.advice.feedback import record_rating
from smartstep.advice.pipeline import next_steps
from smartstep.chat.engine import Answer, ConversationState, Skill
from smartstep.chat.replies import advice_text
from smartstep.errors import UserError
from smartstep.rules.loader import RuleSet

if TYPE_CHECKING:
    from smartstep.knowledge import IndexCache

DRIVER_METRICS = ("csat", "ces", "nps")
SIMILAR_PREFIX = (
    "show similar cases for",
    "similar cases for",
    "similar tickets for",
    "find past cases about",
    "search cases",
    "search:",
    "has anyone solved",
    "how did we fix",
    "how did we solve",
    "find similar cases:",
    "similar cases:",
)


def build_skills(
    db: sqlite_utils.Database,
    rules: Callable[[], RuleSet],
    *,
    user: str = "cli",
    surface: str = "cli",
    as_of: datetime | None = None,
    cases: IndexCache | None = None,
) -> dict[str, Skill]:
    """`rules` returns the rule base in force (it may reload while the bot runs); `cases` is the
    similar-case index cache to search (default: the process-wide one)."""

    def advise(text: str, team: str | None, metric: str | None, state: ConversationState) -> Answer:
        run = next_steps(db, rules(), teams=[team] if team else None, k=3, surface=surface, as_of=as_of)
        state.advice = run.advice
        return Answer("next_steps", advice_text(run.advice, run.period, team), data=[a.to_json() for a in run.advice])

    def similar(text: str, team: str | None, metric: str | None, state: ConversationState) -> Answer:
        from smartstep.knowledge import find_similar

        query = _problem_text(text)
        try:
            found = find_similar(db, query, k=3, cache=cases)
        except UserError as error:
            return Answer("similar", str(error))
        if not found:
            return Answer("similar", f"I found no solved case like “{query}”.")
        lines = [f"*Solved before — closest to “{query}”:*"]
        for number, case in enumerate(found, start=1):
            seen = f" (seen {case.seen_count} times)" if case.seen_count > 1 else ""
            lines.append(f"\n*{number}. {case.title}*{seen} — {case.team}, solved {case.solved_at[:10]}")
            lines.append(f"Try: {case.resolution or 'no resolution text was written'}")
            if case.why_matched:
                lines.append(f"_Matched on:_ {', '.join(case.why_matched[:5])}")
        return Answer("similar", "\n".join(lines), data=[c.to_json() for c in found])

    def drivers(text: str, team: str | None, metric: str | None, state: ConversationState) -> Answer:
        from smartstep.drivers.data import load_driver_report
        from smartstep.drivers.text import report_lines, report_to_dict

        if metric not in DRIVER_METRICS:
            metric = "ces" if metric is None and re.search(r"effort|easy|ease", text, re.I) else metric
        if metric not in DRIVER_METRICS:
            names = " or ".join(m.upper() for m in DRIVER_METRICS)
            return Answer(
                "clarify",
                f"Driver analysis explains {names}. Which one do you mean?",
                options=tuple(f"why is {m} down?" for m in DRIVER_METRICS),
            )
        report = load_driver_report(db, metric, team=team, as_of=as_of)
        if report is None:
            return Answer("drivers", "There are no survey answers to analyse yet.")
        lines = report_lines(report)
        text_out = "*" + lines[0].strip() + "*\n" + "\n".join(line.strip() for line in lines[1:])
        return Answer("drivers", text_out, data=report_to_dict(report))

    def feedback(rating: str) -> Skill:
        def rate(text: str, team: str | None, metric: str | None, state: ConversationState) -> Answer:
            if not state.advice or state.advice[0].advice_id is None:
                return Answer("feedback", "Which advice do you mean? Ask for next steps first, then tell me.")
            first = state.advice[0]
            record_rating(db, first.advice_id, user, rating, comment=text[:500])
            verb = "useful" if rating == "up" else "not useful"
            return Answer(
                "feedback", f"Noted: “{first.candidate.title}” marked {verb}. It will shape what I rank next."
            )

        return rate

    skills: dict[str, Skill] = {
        "next_steps": advise,
        "similar": similar,
        "drivers": drivers,
        "feedback_positive": feedback("up"),
        "feedback_negative": feedback("down"),
    }
    return skills


def _problem_text(text: str) -> str:
    """The problem itself, without "show similar cases for" and quotes around it."""
    lowered = text.lower()
    for prefix in SIMILAR_PREFIX:
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.strip(" :?\"'“”")
