"""Turning advice and similar cases into replies people read: the step first, then one line of
why, then evidence, playbook and track record. Shared by the terminal and Slack's text form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from smartstep.advice.ranking import Advice
from smartstep.definitions import load_definitions
from smartstep.metrics.scorecard import format_value
from smartstep.rules.render import compared


def evidence_line(advice: Advice) -> str:
    """`CES 4.6/7 (was 5.4, n=312)` for each piece of evidence."""
    parts = []
    for e in advice.candidate.evidence:
        if e.metric not in load_definitions().metrics:
            parts.append(f"{e.label or e.metric}: {e.value:g}" if e.value is not None else e.metric)
            continue
        d = load_definitions().get(e.metric)
        text = f"{d.name}: {format_value(e.value, d.unit)}" if e.value is not None else d.name
        shown = None if e.previous is None else format_value(e.previous, d.unit)
        line = None if e.threshold is None else format_value(e.threshold, d.unit)
        words = ", ".join(w for w in (compared(e.basis, shown, line), f"n={e.n}" if e.n else "") if w)
        parts.append(text + (f" ({words})" if words else ""))
    return " · ".join(parts)


def advice_text(advice: Sequence[Advice], period: str | None, team: str | None = None, start: int = 1) -> str:
    if not advice:
        who = team or "any team"
        return f"Nothing needs a new step for {who} in {period}: every rule's evidence is within normal range."
    lines = [f"*Smartest next steps, {period}*"]
    for number, item in enumerate(advice, start=start):
        c = item.candidate
        lines.append(f"\n*{number}. {c.title}* — {c.team}")
        lines.append(c.why)
        lines.append(f"_Evidence:_ {evidence_line(item)}")
        lines += [f"• {step}" for step in c.steps]
        if item.reasons:
            lines.append(f"_Ranking:_ {'; '.join(item.reasons)}")
    lines.append('\nAsk "why?" for the evidence and rule behind the first step.')
    return "\n".join(lines)


def explain_advice(item: Advice) -> str:
    """The answer to "why?" after advice: the rule, every piece of evidence, the track record."""
    return explain_advice_json(item.to_json())


def explain_advice_json(advice: dict[str, Any]) -> str:
    """`explain_advice` over the advice JSON shape (what a thread keeps between questions)."""
    lines = [
        f"*{advice.get('title')}* — {advice.get('team')}, {advice.get('period')}",
        f"Rule `{advice.get('rule_id')}` ({advice.get('category')}) fired because: {advice.get('why')}",
    ]
    for e in advice.get("evidence") or []:
        change = "" if e.get("change") is None else f", change {e['change']:+.2f}"
        sample = "" if e.get("n") is None else f", n={e['n']}"
        shown = None if e.get("previous") is None else f"{e['previous']:.2f}"
        words = compared(e.get("basis"), shown, None if e.get("threshold") is None else f"{e['threshold']:g}")
        previous = f", {words}" if words else ""
        lines.append(
            f"• {e.get('metric')} for {e.get('team')} in {e.get('period')}: {e.get('value')}{previous}{change}{sample}"
        )
    for past in advice.get("similar_situations") or []:
        lines.append(f"• worked before? {past.get('team')}, {past.get('period')}: {past.get('outcome')}")
    if advice.get("reasons"):
        lines.append("Ranking: " + "; ".join(advice["reasons"]))
    steps = advice.get("steps") or []
    if steps:
        lines.append("Playbook:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1)))
    return "\n".join(lines)


def advice_summary(advice: Sequence[Advice]) -> str:
    """One line per step (team, title, the first sentence of why): the tour and the App Home."""
    lines = []
    for number, item in enumerate(advice, start=1):
        c = item.candidate
        first = c.why.split(". ")[0].rstrip(".")
        lines.append(f"{number}. *{c.team}*: {c.title} — {first}.")
    return "\n".join(lines)
