"""Block Kit for the weekly digest: plain `Digest` in, a message dict out. No Slack calls.

Per team: what moved (worse news first), the steady key numbers in one line, Time to Customer
Value, outcomes of done steps, how many unhappy answers await a call-back (one button lists them,
each with its own "Called back" button, in a message only the clicker sees), the problem to write
up, and a driver line; then the top steps with the same feedback buttons as every other advice.
A quiet team is one line; a quiet week with `quiet="skip"` is no message.
"""

from __future__ import annotations

from typing import Any

from smartstep.digest.growing import growing_text, slack_style
from smartstep.digest.model import CallBack, Digest, TeamDigest, note_line, outcome_line
from smartstep.slack.blocks import _context, _section, advice_blocks, escape, fallback, text_sections

CALLBACK_ACTION = "digest_called_back"
LIST_CALLBACKS_ACTION = "digest_list_callbacks"
MAX_BLOCKS = 50  # Slack's limit per message
CALLBACKS_LISTED = 25  # buttons in the list a lead opens (5 actions blocks)


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
            data["why"] = ""  # the team's lines above show the numbers; "More" shows the evidence
            steps += advice_blocks(data, number)
    note = [_context("12-week trend chart in the thread; only changes beyond noise are listed")] if chart_note else []
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
        return [{"type": "divider"}, _section(escape(team.steady_line))]
    lines = [f"*{escape(team.team)}*"]
    lines += [f"• {escape(m.text)}" for m in team.moves]
    if team.more_moves:
        lines.append(f"• and {team.more_moves} more moved (`smartstep metrics --team {escape(team.team)}`)")
    lines += [f"Note: {escape(note_line(n))}" for n in team.notes]
    if team.steady:
        lines.append("Steady: " + " · ".join(escape(s) for s in team.steady))
    if team.too_few:
        lines.append("Too few answers to tell: " + ", ".join(escape(s) for s in team.too_few))
    if team.value is not None and team.value.moved:  # Klever's Law in the post only when it moved
        lines.append(escape(team.value.text))
    lines += [f"Outcome: {escape(outcome_line(o))}" for o in team.outcomes]
    if team.repeat_line:
        lines.append(escape(team.repeat_line))
    if team.driver:
        lines.append("Driver: " + escape(_short_driver(team.team, team.driver)))
    if team.callbacks_total and not buttons:
        lines.append(f"{team.callbacks_total} unhappy answer(s) await a call-back.")
    blocks = [{"type": "divider"}, _section("\n".join(lines))]
    if team.callbacks_total and buttons:
        blocks += callback_blocks(team)
    return blocks


def _short_driver(team: str, line: str) -> str:
    """The driver line without the team's name (the section is the team's) or its parenthesis."""
    line = line.removeprefix(f"{team}: ")
    return line.split(" (")[0].rstrip(".") + "." if " (" in line else line


def callback_blocks(team: TeamDigest) -> list[dict[str, Any]]:
    """How many unhappy answers await a call-back, and one button that lists them (its value is
    "period|team"; the list comes as a message only the clicker sees, `callback_list_message`)."""
    text = f"☎️ {team.callbacks_total} unhappy answer(s) await a call-back."
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "List them", "emoji": True},
        "action_id": LIST_CALLBACKS_ACTION,
        "value": f"{team.period}|{team.team}"[:2000],
    }
    return [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": text},
            "accessory": button,
            "block_id": f"callbacks:{team.team}"[:255],
        }
    ]


def callback_list_message(team: str, period: str, callbacks: list[CallBack]) -> dict[str, Any]:
    """The unhappy answers of `team` in `period` awaiting a call-back, each with a button that records it."""
    if not callbacks:
        text = f"No unhappy answers of {team} in {period} await a call-back any more."
        return {"text": text, "blocks": [_section(escape(text))]}
    shown = callbacks[:CALLBACKS_LISTED]
    more = len(callbacks) - len(shown)
    head = f"*{escape(team)}*, {period}: {len(callbacks)} unhappy answer(s) await a call-back"
    head += f" ({more} more not shown)" if more else ""
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": f"☎️ {c.text}"[:75], "emoji": True},
            "action_id": f"{CALLBACK_ACTION}_{i}",
            "value": c.survey_id,
        }
        for i, c in enumerate(shown)
    ]
    blocks: list[dict[str, Any]] = [_section(head + ". Press one once you have called back.")]
    for start in range(0, len(buttons), 5):
        blocks.append(
            {"type": "actions", "block_id": f"callbacks:{team}:{start}"[:255], "elements": buttons[start : start + 5]}
        )
    return {"text": fallback(f"{team}: {len(callbacks)} unhappy answer(s) await a call-back"), "blocks": blocks}


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
