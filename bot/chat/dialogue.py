"""From a message and the thread to a `Frame`: what is being asked, about whom, over which weeks.

The parse names the entities and the intent model guesses the intent; explicit words decide
what must never be guessed (feedback is recorded only from words such as "useful", "done",
"snooze"; "thanks" is small talk), and the thread fills in what a follow-up leaves out ("and
for Billing?", "what about the last 12 weeks?", "why is it falling?", "the second one").
"""

from __future__ import annotations

import re

from smartstep.chat.conversation import Context, ConversationState, Frame, Period
from smartstep.chat.intents import UNCLEAR, Intent, intent_model
from smartstep.chat.parse import Parsed, parse
from smartstep.chat.vocabulary import vocabulary

# Words a follow-up wraps its names in: "and for Billing?", "what about the last 12 weeks?".
FILLER = frozenset(
    re.findall(
        r"\S+",
        "and or but also too what about how is are was it its for the a an of in on at to with same then so now "
        "just only please instead again there that this me us show tell give see ok okay hmm well what's how's "
        "vs versus compared compare than against next side by do does look looks looking",
    )
)
REFERENCE = {"it", "its", "they", "them", "their", "that", "this", "those", "these", "there", "same", "he", "she"}
COMPARE_WORDS = re.compile(r"\b(vs\.?|versus|compared?|comparison|against|contrast|side by side|than|differ\w*)\b")
FOLLOW_CUE = re.compile(
    r"^\W*(and|but|also|what about|how about|same|just|only|now|then|for|in|over|vs\.?|versus|compared|"
    r"instead|ok and|okay and|what if|with|compare)\b"
)
MORE = re.compile(
    r"^\s*(more|show more|more please|and more|next ones?|keep going|go on|continue|others?|the rest)\W*$"
)
QUESTION_START = re.compile(r"^\s*(what|how|why|which|who|when|where|is|are|was|were|can|could|should|do|does|did)\b")
# Explicit feedback, strongest reading first: "not useful" before "useful", "done" before "helped".
RATINGS = (
    (
        "down",
        r"\bnot (?:\w+ )?(?:useful|helpful|relevant)\b|\buseless\b|\bunhelpful\b|\birrelevant\b|"
        r"\b(?:did ?n[o']?t|does ?n[o']?t|didnt|doesnt) (?:help|work)\b|\bbad advice\b|👎|\bthumbs down\b",
    ),
    ("snooze", r"\bsnooze\b|\bremind me later\b|\bnot now\b|\bpostpone\b|\blater\b|💤"),
    (
        "done",
        r"\bdone\b|\bwe did\b(?! ?n[o']?t)|\bdid (?:it|that)\b|\bwe(?:'ve| have) done\b|\bcompleted\b|"
        r"\bimplemented\b|\b(?:that|it|this) worked\b|\bworked\b|✅",
    ),
    ("up", r"\buseful\b|\bhelpful\b|\b(?:that|this|it) helped\b|\bgood advice\b|\bgreat advice\b|👍|\bthumbs up\b"),
)
RANK_WORDS = (
    ("worst", r"\b(worst|struggl\w*|weakest|poorest|trouble|behind|bottom|worry|needs? (?:the )?most help|bad)\b"),
    ("best", r"\b(best|strongest|leader\w*|top|winning)\b"),
    ("highest", r"\b(highest|most|biggest|largest|longest|slowest|greatest)\b"),
    ("lowest", r"\b(lowest|least|smallest|shortest|fastest|quickest)\b"),
)
# Which tickets a question about tickets means when it names no metric.
TICKET_CUES = (
    (r"\breopen", "reopen_rate"),
    (r"\bescalat", "escalation_rate"),
    (r"\b(breach|sla)", "sla_breach_rate"),
    (r"\b(open|oldest|waiting|unsolved|pending)\b", "backlog"),
    (r"\b(detractor)", "nps"),
)
TEAM_FREE = {"define", "help", "smalltalk", "unknown", "similar", "feedback", "clarify"}


def explicit_rating(text: str) -> str | None:
    lowered = text.lower().replace("’", "'")
    for rating, pattern in RATINGS:
        if re.search(pattern, lowered):
            return rating
    return None


def understand(text: str, state: ConversationState, context: Context) -> Frame:
    """What the message asks, with the thread's context applied."""
    names = vocabulary(context.teams, context.segments, context.products, context.channels)
    last = state.frame
    parsed = parse(text, names, context.period, last.period if last else None)
    lowered = text.lower()
    base = Frame(
        intent="unknown",
        teams=parsed.teams,
        metrics=parsed.metrics,
        period=_period(parsed),
        segments=parsed.segments,
        products=parsed.products,
        channels=parsed.channels,
        unknown_teams=parsed.unknown_teams,
        ordinal=parsed.ordinal,
        text=text,
    )
    rating = explicit_rating(text)
    if rating and not parsed.metrics and not QUESTION_START.match(lowered) and len(parsed.leftover) <= 10:
        return base.but(intent="feedback", rating=rating)
    if MORE.match(lowered) and last is not None:
        return last.but(ordinal=None, action="more")
    if parsed.ordinal is not None and (state.items or state.options) and _only_a_choice(parsed):
        return _choice(parsed, state, base)
    intent = intent_model().classify(parsed.masked)
    if _follow_up(parsed, last, intent):
        return _inherit(parsed, last, base)
    return _settle(intent, parsed, state, base, lowered)


def _period(parsed: Parsed) -> Period | None:
    return parsed.periods[0] if parsed.periods else None


def _only_a_choice(parsed: Parsed) -> bool:
    extra = [w for w in parsed.leftover if w not in FILLER and w not in {"one", "option", "step", "number", "first"}]
    return len(extra) <= 2 and not parsed.metrics and not parsed.teams


def _choice(parsed: Parsed, state: ConversationState, base: Frame) -> Frame:
    """ "the second one": an option of a clarifying reply, or an item of the last list."""
    if state.options:
        return base.but(intent="clarify", action="option")
    kind = state.kind or "unknown"
    intent = "why" if kind in ("next_steps", "improve") else kind if kind in ("similar", "tickets") else "why"
    last = state.frame or base
    return last.but(intent=intent, ordinal=parsed.ordinal, action="choice")


def _follow_up(parsed: Parsed, last: Frame | None, intent: Intent) -> bool:
    """Names wrapped in a follow-up's words ("and for Billing?", "what about the last 12 weeks?",
    "just enterprise"), or names alone: the last question again, with these names instead."""
    if last is None or not (parsed.entities or parsed.weak_metrics):
        return False
    if [w for w in parsed.leftover if w not in FILLER]:
        return False
    return not parsed.leftover or bool(FOLLOW_CUE.match(parsed.text.lower())) or intent.name == UNCLEAR


def _inherit(parsed: Parsed, last: Frame, base: Frame) -> Frame:
    intent = last.intent
    metrics = parsed.metrics or parsed.weak_metrics or last.metrics
    if intent == "clarify":  # the answer to a clarifying question: the question it was about
        intent = last.wants or "metric"
    if intent in TEAM_FREE or intent == "ranking" and parsed.teams and not parsed.metrics:
        intent = "metric" if metrics else "overview"
    teams = parsed.teams or (() if parsed.unknown_teams else last.teams)
    compare = last.compare
    if COMPARE_WORDS.search(base.text.lower()) and parsed.teams:
        intent, teams, compare = "compare", tuple(dict.fromkeys((*last.teams, *parsed.teams))), "teams"
    elif intent == "compare" and compare == "teams" and len(teams) < 2:
        intent, compare = "metric", None
    return last.but(
        intent=intent,
        teams=teams,
        metrics=metrics,
        period=base.period or last.period,
        compare=compare,
        unknown_teams=parsed.unknown_teams,
        segments=parsed.segments or last.segments,
        products=parsed.products or last.products,
        channels=parsed.channels or last.channels,
        text=base.text,
        rating=None,
        ordinal=None,
        action=None,
        wants=None,
    )


def _settle(intent: Intent, parsed: Parsed, state: ConversationState, base: Frame, lowered: str) -> Frame:
    last = state.frame
    refers = bool(REFERENCE & set(parsed.leftover)) or bool(re.search(r"\bthe (tickets|ones)\b", lowered))
    name = intent.name
    if name == "assess":
        return base.but(intent="help", action="assess")
    if name == UNCLEAR:
        name = "metric" if parsed.metrics else "overview" if parsed.teams else "clarify" if parsed.vague_metrics else ""
        name = name or ("metric" if parsed.weak_metrics else "unknown")
    metrics = parsed.metrics or (parsed.weak_metrics if name not in ("tickets", "next_steps", "similar") else ())
    teams = parsed.teams
    if last is not None and (name in ("why", "improve", "tickets") or refers):
        # A drill-down ("why is it falling?", "show the tickets", "how do they fix it?") stays on the
        # thread's subject: its metric when none is named, its teams when the metric is the same one.
        if not metrics and name != "next_steps" and (refers or name in ("tickets", "improve")):
            metrics = last.metrics
        same_subject = refers or metrics == last.metrics
        if not teams and not parsed.unknown_teams and name not in TEAM_FREE and same_subject:
            teams = state.referent_teams or last.teams
    if name == "tickets" and not metrics:
        metrics = tuple(m for pattern, m in TICKET_CUES if re.search(pattern, lowered))[:1] or metrics
    if name == "overview" and metrics:
        name = "metric"  # "how is it for Billing?" about a metric the thread is on
    frame = base.but(intent=name, teams=teams, metrics=metrics)
    if parsed.vague_metrics and not metrics and name not in ("similar", "smalltalk", "help", "unknown"):
        # "what's the rate for Billing?": several metrics fit, whatever the model guessed
        wants = name if name in ("define", "improve", "compare", "ranking", "tickets", "why") else "metric"
        return frame.but(intent="clarify", metrics=parsed.vague_metrics, wants=wants)
    if name in ("metric", "compare", "ranking", "overview", "changes") and len(parsed.periods) == 2:
        return frame.but(intent="compare", compare="periods", periods=parsed.periods)
    if name in ("metric", "compare") and len(teams) >= 2:
        return frame.but(intent="compare", compare="teams")
    if name == "compare":
        if len(teams) == 1 and last is not None and last.teams and teams[0] not in last.teams:
            # "compare with Onboarding": the thread's team(s) against this one, on the thread's metric
            both = tuple(dict.fromkeys((*last.teams, *teams)))
            return frame.but(teams=both, metrics=metrics or last.metrics, compare="teams")
        if len(parsed.periods) == 1:
            return frame.but(compare="periods", periods=parsed.periods)
        return frame.but(compare="teams")
    if name == "ranking":
        return frame.but(direction=next((d for d, p in RANK_WORDS if re.search(p, lowered)), "worst"))
    if name == "metric" and not metrics and not parsed.vague_metrics:
        return frame.but(intent="overview")  # "how is Billing doing?", "how are we doing?"
    if name == "define" and not metrics:
        return frame.but(intent="clarify", wants=name)
    if name == "why" and not metrics and not teams:
        return frame  # "why?" about the last answer
    return frame
