"""The conversation's skills over one store: next steps, improving a metric, why a number moved,
the tickets behind it, repeated problems, similar cases and feedback in words. Built by the I/O
layer (CLI, Slack) and injected into the engine's Context, so the engine never touches the
database. Each skill is `skill(frame, state) -> Answer`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from smartstep.advice.feedback import record_rating
from smartstep.advice.log import log_advice
from smartstep.advice.pipeline import next_steps
from smartstep.chat.conversation import Answer, ConversationState, Frame, Skill
from smartstep.chat.evidence import PROBLEM_PREFIXES, problem_text, why_moved
from smartstep.chat.figures import short
from smartstep.chat.replies import advice_text
from smartstep.chat.ticket_skills import repeated_skill, ticket_ref, tickets_skill
from smartstep.chat.topic_skills import new_topics_skill, topics_skill
from smartstep.definitions import load_definitions
from smartstep.errors import UserError
from smartstep.rules.loader import RuleSet

if TYPE_CHECKING:
    from smartstep.knowledge import IndexCache

PAGE = 3
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth")
RATED = {"up": "useful", "down": "not useful", "done": "done", "snooze": "snoozed"}
__all__ = ["build_skills", "PROBLEM_PREFIXES"]


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
    similar-case index cache to search (default: the process-wide one). Answers name the tickets they
    show in `tickets`; each surface decides how to link them."""

    def ranked(frame: Frame, k: int):
        return next_steps(db, rules(), teams=list(frame.teams) or None, k=k, surface=surface, as_of=as_of, log=False)

    def advise(frame: Frame, state: ConversationState) -> Answer:
        if frame.metrics:
            return improve(frame, state)
        offset = state.shown if frame.action == "more" else 0
        run = ranked(frame, offset + PAGE)
        chosen = log_advice(db, run.advice[offset:], surface) if run.advice[offset:] else []
        team = frame.teams[0] if len(frame.teams) == 1 else None
        if frame.action == "more" and not chosen:
            return Answer("next_steps", "That is every step that fires now.", frame=frame)
        items = tuple(a.to_json() for a in chosen)
        text = advice_text(chosen, run.period, team, start=offset + 1)
        return Answer("next_steps", text, data=list(items), frame=frame, items=items)

    def improve(frame: Frame, state: ConversationState) -> Answer:
        """Steps whose target is the metric; when none fires, the rule base's playbook for it."""
        metric = frame.metrics[0]
        run = ranked(frame, 50)
        fits = [a for a in run.advice if a.candidate.target == metric][:PAGE]
        who = " and ".join(frame.teams) if frame.teams else "any team"
        if fits:
            chosen = log_advice(db, fits, surface)
            items = tuple(a.to_json() for a in chosen)
            text = (
                f"*Steps that move {short(metric)}, {run.period}*\n" + advice_text(chosen, run.period).split("\n", 1)[1]
            )
            return Answer("improve", text, data=list(items), frame=frame, items=items)
        playbook = [r for r in rules().rules if r.target == metric][:PAGE]
        if not playbook:
            name = load_definitions().get(metric).name
            return Answer("improve", f"The rule base has no step aimed at {name} yet.", frame=frame)
        lines = [
            f"Nothing about {short(metric)} needs a step for {who} in {run.period}: "
            "its evidence is within normal range."
        ]
        lines.append(f"When it does, this is the playbook for {short(metric)}:")
        for rule in playbook:
            lines.append(f"\n*{rule.title}* (rule `{rule.id}`)")
            lines += [f"• {step}" for step in rule.steps]
        data = [{"rule_id": r.id, "title": r.title, "steps": list(r.steps)} for r in playbook]
        return Answer("improve", "\n".join(lines), data=data, frame=frame, basis="The rules whose target is " + metric)

    def why(frame: Frame, state: ConversationState) -> Answer:
        return why_moved(db, frame, ranked, as_of)

    def similar(frame: Frame, state: ConversationState) -> Answer:
        from smartstep.knowledge import find_similar
        from smartstep.knowledge.replies import MARKDOWN, similar_reply

        query = problem_text(frame.text if frame.action != "more" else state_query(state, frame))
        offset = state.shown if frame.action == "more" else 0
        if frame.action == "choice" and frame.ordinal and 0 < frame.ordinal <= len(state.items):
            return _case_detail(state.items[frame.ordinal - 1], frame)
        team = frame.teams[0] if len(frame.teams) == 1 else None
        product = frame.products[0] if frame.products else None
        channel = frame.channels[0] if frame.channels else None
        try:
            found = find_similar(db, query, k=offset + PAGE, team=team, product=product, channel=channel, cache=cases)
        except UserError as error:
            return Answer("similar", str(error), frame=frame)
        shown = found[offset:]
        if not shown and offset:
            return Answer("similar", f"I found no more solved cases like “{query}”.", frame=frame)
        style = replace(MARKDOWN, ref=ticket_ref)
        items = tuple({**c.to_json(), "query": query} for c in shown)
        text = similar_reply(query, shown, style, first=offset + 1)
        ids = tuple(c.id for c in shown)
        return Answer("similar", text, data=list(items), frame=frame, items=items, tickets=ids)

    def feedback(frame: Frame, state: ConversationState) -> Answer:
        advice = state.advice
        if not advice:
            return Answer("feedback", "Which advice do you mean? Ask for next steps first, then tell me.", frame=frame)
        index = (frame.ordinal - 1) if frame.ordinal else state.focus if state.focus is not None else None
        if index is None and len(advice) == 1:
            index = 0
        if index is None or not 0 <= index < len(advice):
            options = tuple(
                _rating_phrase(frame.rating or "up", i) for i in range(min(len(advice), len(ORDINAL_WORDS)))
            )
            text = "Which step do you mean?\n" + "\n".join(
                f"{i + 1}. _{o}_ — {advice[i].get('title')}" for i, o in enumerate(options)
            )
            return Answer("clarify", text, options=options, frame=frame.but(intent="clarify", wants="feedback"))
        chosen = advice[index]
        try:
            record_rating(db, str(chosen["advice_id"]), user, frame.rating or "up", comment=frame.text[:500])
        except UserError:
            return Answer(
                "feedback", "That advice is no longer in smartstep's store; nothing was recorded.", frame=frame
            )
        state.focus = index
        after = " Its outcome is measured after the rule's horizon." if frame.rating == "done" else ""
        text = f"Noted: “{chosen.get('title')}” ({chosen.get('team')}) marked {RATED[frame.rating or 'up']}.{after}"
        return Answer(
            "feedback",
            text + " It will shape what I rank next.",
            frame=frame,
            data={"advice_id": chosen["advice_id"], "rating": frame.rating},
        )

    return {
        "next_steps": advise,
        "improve": improve,
        "why": why,
        "similar": similar,
        "tickets": tickets_skill(db, as_of),
        "topics": topics_skill(db, as_of),
        "new_topics": new_topics_skill(db, as_of),
        "repeated": repeated_skill(db, as_of),
        "feedback": feedback,
    }


def state_query(state: ConversationState, frame: Frame) -> str:
    return str(state.items[0].get("query")) if state.items and state.items[0].get("query") else frame.text


def _rating_phrase(rating: str, index: int) -> str:
    which = f"the {ORDINAL_WORDS[index]} one"
    return {"up": f"{which} was useful", "down": f"{which} was not useful", "done": f"{which} is done"}.get(
        rating, f"snooze {which}"
    )


def _case_detail(case: dict, frame: Frame) -> Answer:
    lines = [
        f"*{case.get('title')}* — {case.get('team')}, solved {str(case.get('solved_at'))[:10]}, "
        + ticket_ref(case["id"])
    ]
    lines.append(f"Resolution: {case.get('resolution') or 'no resolution text was written'}")
    if case.get("duplicates"):
        lines.append("Seen before as: " + ", ".join(ticket_ref(d) for d in case["duplicates"][:10]))
    ids = (str(case["id"]), *(str(d) for d in case.get("duplicates", ())[:10]))
    return Answer("similar", "\n".join(lines), data=case, frame=frame, tickets=ids)
