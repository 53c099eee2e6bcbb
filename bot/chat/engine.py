"""The conversation engine shared by `smartstep chat`, `smartstep ask` and Slack.

Plain data in, an `Answer` out: the caller supplies the facts (a `Context` read from the store)
and the thread's `ConversationState`; nothing here reads the database or talks to Slack, so
every surface answers the same question the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils

from smartstep.chat.intents import UNCLEAR, intent_model
from smartstep.definitions import load_definitions
from smartstep.metrics.noise import Judgement, judge, too_few_words
from smartstep.metrics.scorecard import format_value, sparkline
from smartstep.metrics.values import History, MetricValue
from smartstep.weeks import is_week


@dataclass(frozen=True)
class Answer:
    """A reply: `text` for people (Slack mrkdwn-compatible), `data` for --json and Block Kit."""

    intent: str
    text: str
    data: Any = None
    options: tuple[str, ...] = ()


@dataclass
class ConversationState:
    """What a thread remembers between questions (for "why?" and follow-ups)."""

    last: Answer | None = None
    team: str | None = None
    advice: tuple[Any, ...] = ()  # the advice last shown (advisor.Advice), for "why?" and feedback in words


# A capability the engine can call but does not own (the advisor, the case index, driver
# analysis): the caller injects it, so this module stays free of I/O and easy to test.
Skill = Callable[..., "Answer"]


@dataclass(frozen=True)
class Context:
    """The facts a question is answered from, read from the store by the caller, and the
    skills (advisor, similar cases, drivers, feedback) the caller makes available."""

    history: History
    teams: tuple[str, ...]
    period: str | None
    skills: dict[str, Skill] = field(default_factory=dict)
    note: str | None = None  # why "now" is not the data's last week (a straggler week skipped), if so


HELP = (
    "I can answer questions like:\n"
    "• *how is CSAT trending for Billing?* — a metric, a team, a period (`last 8 weeks`, `2026-W40`)\n"
    "• *what's the backlog?* — every team at once when you don't name one\n"
    "• *help* — this list"
)


def _metric_names() -> dict[str, str]:
    """Every way of naming a metric, lower-cased, mapped to its id."""
    names: dict[str, str] = {}
    for metric in load_definitions().metrics.values():
        for name in (metric.id, metric.id.replace("_", " "), metric.name, *metric.synonyms):
            names[utils.default_process(name)] = metric.id
    return names


def find_metric(text: str) -> str | None:
    """The metric a question names, tolerant of typos ("csta") and synonyms ("effort score")."""
    names = _metric_names()
    cleaned = utils.default_process(text)
    words = cleaned.split()
    phrases = {" ".join(words[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)}
    exact = [names[p] for p in sorted(phrases, key=len, reverse=True) if p in names]
    if exact:
        return exact[0]
    best = process.extractOne(cleaned, names.keys(), scorer=fuzz.partial_ratio, score_cutoff=88)
    if best and len(best[0]) >= 4:
        return names[best[0]]
    typo = [process.extractOne(w, names.keys(), scorer=fuzz.ratio, score_cutoff=75) for w in words if len(w) >= 3]
    hits = [t for t in typo if t]
    return names[max(hits, key=lambda t: t[1])[0]] if hits else None


def find_team(text: str, teams: tuple[str, ...]) -> str | None:
    words = utils.default_process(text).split()
    for word in words:
        match = process.extractOne(word, teams, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=80)
        if match:
            return match[0]
    return None


def find_weeks(text: str) -> tuple[int, str | None]:
    """How many weeks a question asks about, and a specific ISO week if it names one."""
    named = next((w for w in re.findall(r"\d{4}-W\d{2}", text, re.I) if is_week(w.upper())), None)
    match = re.search(r"(?:last|past)\s+(\d{1,3})\s*(?:weeks?|wks?)", text, re.I)
    if match:
        return max(2, int(match.group(1))), named
    if re.search(r"\b(quarter|13 weeks)\b", text, re.I):
        return 13, named
    if re.search(r"\b(month)\b", text, re.I):
        return 5, named
    return 8, named


def answer(text: str, state: ConversationState, context: Context) -> Answer:
    """Answer one message; updates `state` so the next "why?" knows what it refers to."""
    cleaned = text.strip()[:2000]
    if not cleaned:
        return _remember(state, Answer("help", HELP))
    intent = intent_model().classify(cleaned)
    metric = find_metric(cleaned)
    team = find_team(cleaned, context.teams)
    if team:
        state.team = team
    name = intent.name
    if name == UNCLEAR and metric is not None:
        name = "metric"  # a metric named plainly ("csat billing") is a metric question
    if name == "help":
        return _remember(state, Answer("help", HELP))
    if name == "why":
        return _remember(state, explain_last(state))
    if name == "metric":
        return _remember(state, _metric_question(cleaned, metric, team, context))
    skill = context.skills.get(name)
    if skill is not None:
        return _remember(state, skill(text=cleaned, team=team or state.team, metric=metric, state=state))
    if name in SKILL_LATER:
        return _remember(state, Answer(name, SKILL_LATER[name]))
    return _remember(state, clarify(context, intent.runner_up))


SKILL_LATER = {
    "next_steps": "Next-step advice is not switched on in this installation yet.",
    "similar": "Similar-case search is not switched on in this installation yet.",
    "drivers": "Driver analysis is not switched on in this installation yet.",
    "assess": "The capability assessment is not switched on in this installation yet.",
    "feedback_positive": "Thanks! Use the buttons on a piece of advice to record it against that step.",
    "feedback_negative": "Sorry to hear it. Use the buttons on a piece of advice to record it against that step.",
}


def _metric_question(text: str, metric: str | None, team: str | None, context: Context) -> Answer:
    if metric is None:
        names = ", ".join(sorted(load_definitions().ids)[:6])
        return Answer(
            "clarify",
            f"Which metric do you mean? For example: {names}.",
            options=tuple(f"how is {m} trending?" for m in ("csat", "ces", "backlog")),
        )
    if context.period is None:
        return Answer("metric", "There is no data yet: import some with `smartstep import`.")
    weeks, named = find_weeks(text)
    teams = (team,) if team else context.teams
    reply = metric_answer(metric, teams, named or context.period, weeks, context.history)
    if context.note and not named:
        reply = Answer(reply.intent, f"{reply.text}\n_{context.note}_", reply.data, reply.options)
    return reply


def explain_last(state: ConversationState) -> Answer:
    """ "Why?" about the previous answer: its evidence, or what the numbers rest on."""
    last = state.last
    if last is None:
        return Answer("why", 'Ask me something first — then "why?" shows the evidence behind my answer.')
    if last.intent == "metric" and last.data:
        metric = last.data[0]["metric"]
        definition = load_definitions().get(metric)
        samples = ", ".join(f"{d['team']} n={d['values'][-1]['n']}" for d in last.data if d["values"])
        text = (
            f"*{definition.name}*: {definition.definition}\nA week counts by its `{definition.week_of}`. "
            f"Latest samples: {samples}. A week is compared with the team's usual level (the median of the 12 "
            "weeks before); a change is called a move only when it is beyond the noise of the samples and of the "
            "team's own week-to-week wobble, and big enough to act on. Below the minimum sample the last 4 weeks "
            "are judged together, and below it even then the answer is that there are too few to tell."
        )
        return Answer("why", text, data={"about": last.intent, "metric": metric})
    if last.intent == "next_steps" and state.advice:
        from smartstep.chat.replies import explain_advice

        return Answer("why", explain_advice(state.advice[0]), data=state.advice[0].to_json())
    return Answer("why", "That answer rests only on what it says; there is no further evidence behind it.")


def clarify(context: Context, likely: str | None = None) -> Answer:
    """An unclear question gets options, never a guess presented as fact."""
    team = context.teams[0] if context.teams else "Billing"
    examples = {
        "metric": "how is CSAT trending?",
        "next_steps": f"what should {team} do next?",
        "similar": "show similar cases for password reset",
        "drivers": "why is CSAT down?",
    }
    first = examples.get(likely or "", examples["metric"])
    options = (first, *[e for e in examples.values() if e != first][:2])
    text = "I'm not sure what you're asking. Did you mean one of these?\n" + "\n".join(f"• _{o}_" for o in options)
    return Answer("clarify", text, options=options)


def metric_answer(metric: str, teams: tuple[str, ...], period: str, weeks: int, history: History) -> Answer:
    """One line per team: the value, the one decision about it (moved from its usual level, a slow
    drift, steady, or too few to tell), the sample, and a sparkline over the period asked about."""
    definition = load_definitions().get(metric)
    lines, data = [], []
    for team in teams:
        series = [v for v in history.get((team, metric), []) if v.period <= period]
        values = series[-weeks:]
        if not values:
            lines.append(f"• *{team}*: no {definition.name} data up to {period}.")
            continue
        judgement = judge(series, metric)
        lines.append(f"• *{team}*: " + _describe(values, judgement, definition.unit))
        data.append(
            {
                "team": team,
                "metric": metric,
                "period": values[-1].period,
                "values": [{"period": v.period, "value": v.value, "n": v.n} for v in values],
                "judgement": judgement.as_dict(),
            }
        )
    title = f"*{definition.name}*, last {weeks} weeks to {period}"
    return Answer("metric", title + "\n" + "\n".join(lines), data=data)


def _describe(values: list[MetricValue], judgement: Judgement, unit: str) -> str:
    latest = values[-1]
    if judgement.too_few:
        spec = load_definitions().get(judgement.metric).signal
        return (
            f"{too_few_words(judgement.metric)} in {latest.period} (n={latest.n} this week, {judgement.n} in the "
            f"last {judgement.weeks} weeks; a value needs {spec.min_n})"
        )
    if judgement.weeks > 1 and judgement.value is not None:
        text = f"{format_value(judgement.value, unit)} over the {judgement.weeks} weeks to {latest.period}"
        text += f" (n={judgement.n}; {latest.n} in the last week alone)"
    else:
        text = f"{format_value(latest.value, unit)} in {latest.period}"
        if latest.n is not None:
            text += f" (n={latest.n}"
            text += (
                f", 90% CI {format_value(latest.ci[0], unit)}–{format_value(latest.ci[1], unit)})" if latest.ci else ")"
            )
    usual = "" if judgement.baseline is None else format_value(judgement.baseline, unit)
    change = judgement.change
    if judgement.moved and change is not None:
        text += f", {judgement.direction} {abs(change):.1f} from a usual {usual} (beyond noise)"
    elif judgement.drifting and change is not None:
        text += f", drifting {judgement.direction}: about {abs(change):.1f} over {judgement.baseline_weeks} weeks"
    elif judgement.status == "no_history":
        text += ", no earlier weeks to compare"
    else:
        text += f", steady (within noise of a usual {usual})"
    if len(values) > 1:
        first = values[0]
        text += f"; {len(values)} weeks ago {format_value(first.value, unit)} `{sparkline([v.value for v in values])}`"
    return text


def _remember(state: ConversationState, reply: Answer) -> Answer:
    if reply.intent not in ("help", "clarify", "why", "feedback"):
        state.last = reply
    return reply
