"""Block Kit for the weekly digest: plain `Digest` in, a message dict out. No Slack calls.

Per team: what moved (worse news first), the steady key numbers in one line, Time to Customer
Value, outcomes of done steps, call-backs waiting (with a "Called back" button each), the
problem to write up, and a driver line; then the top steps with the same feedback buttons as
every other advice. A quiet team is one line; a quiet week with `quiet="skip"` is no message.
"""

from __future__ import annotations

from typing import Any

from smartstep.digest.growing import growing_text, slack_style
from smartstep.digest.model import Digest, TeamDigest, note_line, outcome_line
from smartstep.slack.blocks import _context, _section, advice_blocks, escape, fallback, text_sections

CALLBACK_ACTION = "digest_called_back"
MAX_BLOCKS = 50  # Slack's limit per message


def digest_message(digest: Digest, *, chart_note: bool = True, ticket_url: str | None = None) -> dict[str, Any]:
    """`text` (notification fallback) and `blocks` for the digest; `ticket_url` (SMARTSTEP_TICKET_URL)
    links the tickets behind the "New or growing" lines."""
    if digest.period is None:
        return {
            "text": "Weekly digest: there is no data yet.",
            "blocks": [_section("Weekly digest: there is no data yet.")],
        }
    title = f"Weekly digest · {digest.period}"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    if digest.quiet:
        blocks.append(_section(escape(digest.steady_line)))
        return {"text": fallback(f"{title}: all steady"), "blocks": blocks}
    steps: list[dict[str, Any]] = []
    if digest.steps:
        steps += [{"type": "divider"}, _section("*Top next steps*")]
        for number, advice in enumerate(digest.steps, start=1):
            data = advice.to_json()
            data["advice_id"] = data["advice_id"] or f"preview-{number}"
            steps += advice_blocks(data, number)
    note = (
        [_context("12-week trend chart in the thread · changes marked only where beyond noise")] if chart_note else []
    )
    growing = growing_text(digest.growing, slack_style(escape, ticket_url))
    new = [{"type": "divider"}, _section(growing)] if growing else []
    blocks += _teams_part(digest, MAX_BLOCKS - len(blocks) - len(steps) - len(note) - len(new))
    blocks += new + steps + note
    return {"text": fallback(f"{title}: {headline(digest)}"), "blocks": blocks}


def headline(digest: Digest) -> str:
    moved = sum(len(t.moves) + t.more_moves for t in digest.teams)
    return f"{moved} change(s) beyond noise, {len(digest.steps)} step(s) to consider"


def team_blocks(team: TeamDigest, *, buttons: bool = True) -> list[dict[str, Any]]:
    if team.quiet:
        return [{"type": "divider"}, _section(team.steady_line)]
    lines = [f"*{escape(team.team)}*"]
    lines += [f"• {escape(m.text)}" for m in team.moves]
    if team.more_moves:
        lines.append(f"• and {team.more_moves} more moved (`smartstep metrics --team {escape(team.team)}`)")
    lines += [f"Note: {escape(note_line(n))}" for n in team.notes]
    if team.steady:
        lines.append("Steady: " + " · ".join(escape(s) for s in team.steady))
    if team.value is not None:
        lines.append(escape(team.value.text))
    lines += [f"Outcome: {escape(outcome_line(o))}" for o in team.outcomes]
    if team.repeat_line:
        lines.append(escape(team.repeat_line))
    if team.driver:
        lines.append("Driver: " + escape(team.driver))
    if team.callbacks_total and not buttons:
        lines.append(f"{team.callbacks_total} unhappy answer(s) await a call-back.")
    blocks = [{"type": "divider"}, _section("\n".join(lines))]
    if team.callbacks_total and buttons:
        blocks += callback_blocks(team)
    return blocks


def callback_blocks(team: TeamDigest) -> list[dict[str, Any]]:
    """Unhappy answers awaiting a call-back; each button records one (its value is the survey id)."""
    more = team.callbacks_total - len(team.callbacks)
    text = f"{team.callbacks_total} unhappy answer(s) await a call-back" + (f" ({more} more not shown)" if more else "")
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": f"☎️ {c.text}"[:75], "emoji": True},
            "action_id": f"{CALLBACK_ACTION}_{i}",
            "value": c.survey_id,
        }
        for i, c in enumerate(team.callbacks)
    ]
    blocks: list[dict[str, Any]] = [_context(text + ": press one once you have called back.")]
    if buttons:
        blocks.append({"type": "actions", "block_id": f"callbacks:{team.team}"[:255], "elements": buttons})
    return blocks


def _teams_part(digest: Digest, budget: int) -> list[dict[str, Any]]:
    """Team sections within Slack's 50-block limit: full (with call-back buttons) when they fit,
    else one section per team without buttons, else all teams' text in as few sections as needed."""
    full = [block for team in digest.teams for block in team_blocks(team)]
    if len(full) <= budget:
        return full
    compact = [block for team in digest.teams for block in team_blocks(team, buttons=False)[1:]]
    if len(compact) <= budget:
        return compact
    text = "\n\n".join(block["text"]["text"] for block in compact if block["type"] == "section")
    return text_sections(text)[: max(1, budget)]
