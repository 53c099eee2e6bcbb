"""The conversation engine shared by `smartstep chat`, `smartstep ask` and Slack.

Plain data in, an `Answer` out: the caller supplies the facts (a `Context` read from the store,
with the skills that need the store) and the thread's `ConversationState`; nothing here reads
the database or talks to Slack, so every surface answers the same question the same way.
"""

from __future__ import annotations

from dataclasses import replace

from smartstep.chat.conversation import (
    PUBLIC_INTENTS,
    Answer,
    Context,
    ConversationState,
    Frame,
    Period,
    Skill,
)
from smartstep.chat.dialogue import understand
from smartstep.chat.figures import compare_answer, metric_answer, ranking_answer
from smartstep.chat.help import (
    clarify_answer,
    help_answer,
    help_text,
    smalltalk_answer,
    unknown_answer,
    unknown_team_answer,
)
from smartstep.chat.summaries import changes_answer, define_answer, overview_answer

__all__ = ["Answer", "Context", "ConversationState", "Frame", "Period", "Skill", "answer", "HELP", "PUBLIC_INTENTS"]

HELP = help_text()
MAX_TEXT = 2000
NEEDS_DATA = {"metric", "overview", "changes", "ranking", "compare", "improve", "next_steps", "tickets", "repeated"}
NEEDS_DATA |= {"topics"}
NEEDS_TEAM = NEEDS_DATA | {"why"}
PURE = {"metric": metric_answer, "compare": compare_answer, "ranking": ranking_answer}
PURE |= {"overview": overview_answer, "changes": changes_answer}
SKILL_MISSING = "That needs smartstep's store, which this installation has not switched on."


def answer(text: str, state: ConversationState, context: Context) -> Answer:
    """Answer one message; updates `state` so the next follow-up knows what it refers to."""
    cleaned = " ".join(text.replace("\x00", " ").split())[:MAX_TEXT]
    if not cleaned:
        return Answer("help", HELP, frame=Frame("help"))
    frame = understand(cleaned, state, context)
    if frame.action == "option" and frame.ordinal and 0 < frame.ordinal <= len(state.options):
        chosen = state.options[frame.ordinal - 1]
        state.options = ()
        return answer(chosen, state, context)
    reply = respond(frame, state, context)
    remember(state, frame, reply)
    return reply


def respond(frame: Frame, state: ConversationState, context: Context) -> Answer:
    intent = frame.intent
    if frame.unknown_teams and not frame.teams and intent in NEEDS_TEAM:
        return unknown_team_answer(frame, context)
    if intent in NEEDS_DATA and context.period is None:
        return Answer(intent, "There is no data yet: import some with `smartstep import`.", frame=frame)
    if intent == "help":
        return help_answer(frame)
    if intent == "smalltalk":
        return smalltalk_answer(frame)
    if intent == "unknown":
        return unknown_answer(frame)
    if intent == "clarify":
        return clarify_answer(frame, context)
    if intent == "define":
        return define_answer(frame)
    if intent == "why" and (not frame.metrics or frame.action == "choice"):
        return explain_last(frame, state)
    if intent in PURE and frame.action in ("more", "choice"):
        return _pick(frame, state, context)
    if intent == "changes" and "new_topics" in context.skills:
        return _with_new_topics(PURE[intent](frame, context), frame, state, context)
    if intent in PURE:
        return PURE[intent](frame, context)
    skill = context.skills.get(intent)
    if skill is None:
        return Answer(intent, SKILL_MISSING, frame=frame)
    return skill(frame, state)


def _with_new_topics(moved: Answer, frame: Frame, state: ConversationState, context: Context) -> Answer:
    """ "What's new?" is what moved and what customers newly write about: the new or growing topics follow."""
    new = context.skills["new_topics"](frame, state)
    if not new.text:
        return moved
    return replace(moved, text=f"{moved.text}\n\n{new.text}", basis=(moved.basis + " " + new.basis).strip())


def _pick(frame: Frame, state: ConversationState, context: Context) -> Answer:
    """ "the second one" after a list of teams: that team's overview; "more": the reasons."""
    if frame.action == "choice" and frame.ordinal and 0 < frame.ordinal <= len(state.items):
        team = state.items[frame.ordinal - 1].get("team")
        if team:
            return overview_answer(frame.but(intent="overview", teams=(team,), action=None), context)
    return explain_last(frame.but(intent="why"), state)


def explain_last(frame: Frame, state: ConversationState) -> Answer:
    """ "Why?" about the previous answer: the advice's rule and evidence, or what the numbers rest on."""
    from smartstep.chat.replies import explain_advice_json

    why = frame.but(intent="why")
    advice = state.advice
    if advice:
        index = (frame.ordinal - 1) if frame.ordinal else (state.focus or 0)
        if 0 <= index < len(advice):
            state.focus = index
            return Answer("why", explain_advice_json(advice[index]), data=advice[index], frame=why)
    if state.basis:
        return Answer("why", state.basis, frame=why)
    if state.kind is None:
        return Answer("why", 'Ask me something first — then "why?" shows the evidence behind my answer.', frame=why)
    return Answer("why", "That answer rests only on what it says; there is no further evidence behind it.", frame=why)


def remember(state: ConversationState, frame: Frame, reply: Answer) -> None:
    """What the next message may refer to. Small talk, help and feedback leave the thread as it was."""
    if reply.intent in ("help", "smalltalk", "unknown", "feedback", "unknown_team") or frame.intent == "feedback":
        if reply.options:
            state.options = reply.options
        return
    if reply.intent == "why" and not frame.metrics:
        return  # "why?" explains the last answer; the thread stays on it
    state.options = reply.options
    state.frame = frame if reply.intent != "clarify" else frame.but(intent="clarify")
    if frame.action == "more" and reply.items:
        state.focus = len(state.items)  # "why?" now means the first of the new ones
        state.items = state.items + list(reply.items)
        state.shown = len(state.items)
        return
    if frame.action == "choice":
        state.focus = (frame.ordinal or 1) - 1
        return
    state.kind = reply.intent
    state.items = list(reply.items)
    state.shown = len(reply.items)
    state.focus = None
    state.basis = reply.basis
    state.last_data = reply.data
    teams = [i.get("team") for i in reply.items if i.get("team")]
    if reply.intent == "ranking" and teams:
        state.referent_teams = (teams[0],)
    else:
        state.referent_teams = frame.teams
