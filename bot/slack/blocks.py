"""Block Kit builders: plain data in, message and view dicts out. No Slack calls, no store.

Replies are read on phones, so each step leads with what to do, then one line of why; the
evidence and playbook sit behind "More" so a thread of advice stays short.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from smartstep.chat.engine import Answer
from smartstep.definitions import load_definitions
from smartstep.metrics.scorecard import ScoreRow, format_value
from smartstep.rules.render import compared
from smartstep.settings import ticket_address
from smartstep.slack.markup import escape

SECTION_LIMIT = 2900  # Slack refuses section text over 3000 characters
MAX_STEPS = 10  # a message holds at most 50 blocks; four per step plus the header
RATINGS = {
    "up": ("👍", "Useful", "useful"),
    "down": ("👎", "Not useful", "not useful"),
    "done": ("✅", "Done", "done"),
    "snooze": ("💤", "Snooze", "snoozed"),
}
RATE_ACTION = "rate_"  # action ids are rate_up, rate_down, rate_done, rate_snooze
MORE_ACTION = "advice_more"
CHART_ACTION = "metric_chart"
FRIENDLY_ERROR = "Sorry, something went wrong on my side while answering that. It is logged; please try again soon."
WORKING = ":hourglass_flowing_sand: Working on it…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
    if block_id:
        block["block_id"] = block_id
    return block


def text_sections(text: str) -> list[dict[str, Any]]:
    """Long text split on line breaks into sections Slack accepts."""
    pieces: list[str] = []
    for line in text.splitlines() or [""]:
        while len(line) > SECTION_LIMIT:
            pieces.append(line[:SECTION_LIMIT])
            line = line[SECTION_LIMIT:]
        pieces.append(line)
    chunks, current = [], ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > SECTION_LIMIT:
            chunks.append(current)
            current = piece
        else:
            current = candidate
    chunks.append(current)
    return [_section(c) for c in chunks if c.strip()] or [_section("…")]


def is_advice_list(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and all(isinstance(a, dict) and a.get("advice_id") for a in data)


def answer_message(answer: Answer, ticket_url: str | None = None) -> dict[str, Any]:
    """`text` (the notification fallback) and `blocks` for one Answer.

    The engine's text is mrkdwn without markup of its own (bold, italics, code only) but carries the
    question, case titles and team names as they were typed: escaped whole, here, once. Then the
    tickets the answer names become links to the helpdesk (`ticket_url`, with `{id}`), added after
    escaping, so no text from a ticket or a question can make a link."""
    text = link_tickets(escape(answer.text), answer.tickets, ticket_url)
    if is_advice_list(answer.data):
        header = text.splitlines()[0] if text.strip() else "*Smartest next steps*"
        blocks = text_sections(header)
        for number, advice in enumerate(answer.data[:MAX_STEPS], start=1):
            blocks += [{"type": "divider"}, *advice_blocks(advice, number)]
        return {"text": fallback(text or header), "blocks": blocks}
    blocks = text_sections(text or "…")[:45]
    chart = chart_request(answer)
    if chart is not None:
        blocks.append(
            {
                "type": "actions",
                "block_id": "metric_chart",
                "elements": [_button("📈 Chart", CHART_ACTION, json.dumps(chart, separators=(",", ":")))],
            }
        )
    return {"text": fallback(text), "blocks": blocks}


def link_tickets(text: str, tickets: Sequence[str], ticket_url: str | None) -> str:
    """`` `id` `` -> `<https://helpdesk/…/id|id>` for each ticket an answer names (in escaped text)."""
    if not ticket_url:
        return text
    for ticket in dict.fromkeys(tickets):
        shown = escape(ticket)
        text = text.replace(f"`{shown}`", f"<{ticket_address(ticket_url, ticket)}|{shown}>")
    return text


def chart_request(answer: Answer) -> dict[str, Any] | None:
    """What a "Chart" button should draw for a metric answer: the metric, its teams, the period and span."""
    if answer.intent != "metric" or not isinstance(answer.data, list) or not answer.data:
        return None
    rows = [r for r in answer.data if isinstance(r, dict) and r.get("metric") and r.get("values")]
    if not rows or len({r["metric"] for r in rows}) != 1:
        return None
    return {
        "metric": rows[0]["metric"],
        "teams": [str(r["team"]) for r in rows][:20],
        "period": max(str(r["period"]) for r in rows),
        "weeks": max(len(r["values"]) for r in rows),
    }


def driver_bars(answer: Answer) -> list[tuple[str, float]]:
    """The bars of a driver answer's chart: each stable driver and its share (empty: no chart)."""
    if answer.intent != "drivers" or not isinstance(answer.data, dict):
        return []
    return [(str(d["label"]), float(d["share"])) for d in answer.data.get("drivers") or [] if d.get("share")]


def fallback(text: str) -> str:
    return text[:3000] if text.strip() else "smartstep"


def advice_blocks(advice: dict[str, Any], number: int | None = None) -> list[dict[str, Any]]:
    """Step first, one line of why, then the buttons (👍 👎 ✅ 💤 and More) carrying the advice id."""
    advice_id = str(advice["advice_id"])
    title = escape(str(advice.get("title") or advice.get("rule_id") or "Next step"))
    why = escape(str(advice.get("why") or "").strip().splitlines()[0]) if str(advice.get("why") or "").strip() else ""
    prefix = f"{number}. " if number is not None else ""
    lines = [f"*{prefix}{title}*"] + ([why] if why else [])
    team = advice.get("team")
    blocks = [_section("\n".join(lines))]
    if team:
        blocks.append(_context(f"Team {escape(str(team))}"))
    buttons = [
        _button(f"{emoji} {label}", RATE_ACTION + rating, advice_id) for rating, (emoji, label, _) in RATINGS.items()
    ]
    buttons.append(_button("More", MORE_ACTION, advice_id))
    blocks.append({"type": "actions", "block_id": f"advice:{advice_id}", "elements": buttons})
    return blocks


def _button(text: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }


def ratings_line(ratings: Iterable[tuple[str, str]]) -> str:
    """`✅ recorded: done by <@U1> · 👍 recorded: useful by <@U2>` — what the updated message shows."""
    parts = [f"{RATINGS[r][0]} recorded: {RATINGS[r][2]} by <@{user}>" for user, r in ratings if r in RATINGS]
    return " · ".join(parts)


def with_ratings(blocks: Sequence[dict[str, Any]], advice_id: str, ratings: list[tuple[str, str]]) -> list[dict]:
    """The message's blocks with the "recorded" line for one advice placed under its buttons (replaced if there)."""
    rated_id = f"rated:{advice_id}"
    out: list[dict[str, Any]] = []
    for block in blocks:
        if block.get("block_id") == rated_id:
            continue
        out.append(block)
        if block.get("block_id") == f"advice:{advice_id}" and ratings:
            out.append(_context(ratings_line(ratings), rated_id))
    return out


def advice_detail_message(advice: dict[str, Any]) -> dict[str, Any]:
    """What "More" shows: the full why, the evidence with numbers, the playbook, and where it worked before."""
    definitions = load_definitions()
    lines = [f"*{escape(str(advice.get('title') or advice.get('rule_id')))}*"]
    if advice.get("why"):
        lines.append(escape(str(advice["why"])))
    evidence = [e for e in advice.get("evidence") or [] if isinstance(e, dict)]
    if evidence:
        lines.append("\n*Evidence*")
        for item in evidence:
            lines.append("• " + _evidence_line(item, definitions))
    steps = [str(s) for s in advice.get("steps") or []]
    if steps:
        lines.append("\n*Playbook*")
        lines += [f"{i}. {escape(s)}" for i, s in enumerate(steps, start=1)]
    similar = [s for s in advice.get("similar_situations") or [] if isinstance(s, dict)]
    if similar:
        lines.append("\n*Worked before*")
        lines += [
            f"• {escape(str(s.get('team')))}, {s.get('period')}: {escape(str(s.get('outcome')))}" for s in similar
        ]
    lines.append(f"\n_rule `{escape(str(advice.get('rule_id')))}` · advice `{advice.get('advice_id')}`_")
    text = "\n".join(lines)
    return {"text": fallback(text), "blocks": text_sections(text)}


def _evidence_line(item: dict[str, Any], definitions: Any) -> str:
    metric = str(item.get("metric"))
    unit = definitions.get(metric).unit if metric in definitions.metrics else ""
    name = definitions.get(metric).name if metric in definitions.metrics else escape(metric)

    def show(value: Any) -> str:
        return format_value(float(value), unit) if isinstance(value, int | float) else "–"

    text = f"{name} ({escape(str(item.get('team')))}, {item.get('period')}): {show(item.get('value'))}"
    previous = None if item.get("previous") is None else show(item.get("previous"))
    line = None if item.get("threshold") is None else show(item.get("threshold"))
    words = compared(str(item.get("basis") or "earlier"), previous, line)
    return text + (f", {words}" if words else "")


def home_view(
    rows: list[ScoreRow], period: str | None, top_steps: list[dict[str, Any]] | None, recent: list[dict[str, Any]]
) -> dict[str, Any]:
    """The App Home tab: this week's scorecard per team, the current top steps, recent advice and outcomes."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": "smartstep"}}]
    blocks.append(_section(f"*Scorecard, {period}*" if period else "*Scorecard*: no data yet; import some."))
    teams: dict[str, list[ScoreRow]] = {}
    for row in rows:
        teams.setdefault(row.team, []).append(row)
    for team_rows in list(teams.values())[:40]:
        blocks += text_sections(scorecard_text(team_rows))[:1]
    blocks.append({"type": "divider"})
    blocks.append(_section("*Top next steps*"))
    if top_steps:
        blocks += [
            _section(f"{i}. *{escape(str(s.get('title')))}* ({escape(str(s.get('team')))})")
            for i, s in enumerate(top_steps[:5], start=1)
        ]
    else:
        blocks.append(_context("The ranked next steps appear here once the advisor has advice for your teams."))
    blocks += [{"type": "divider"}, _section("*Recent advice and outcomes*")]
    blocks.append(_section("\n".join(_recent_line(r) for r in recent)) if recent else _context("No advice given yet."))
    return {"type": "home", "blocks": blocks[:100]}


def scorecard_text(rows: list[ScoreRow]) -> str:
    """One bold team name, then a line per metric: the value and the one decision about it
    (moved from its usual level, drifting, steady, or too few to tell; then no number at all)."""
    lines: list[str] = []
    team = None
    for row in rows:
        if row.team != team:
            team = row.team
            lines.append(f"*{escape(team)}*")
        lines.append(_score_line(row))
    return "\n".join(lines)


def _score_line(row: ScoreRow) -> str:
    definition = load_definitions().get(row.metric)
    judgement = row.judgement
    if judgement.too_few:
        return f"{definition.name}: _{judgement.words}_"
    value = judgement.value if judgement.weeks > 1 and judgement.value is not None else row.latest.value
    text = f"{definition.name}: {format_value(value, definition.unit)}"
    if judgement.weeks > 1:
        text += f" (last {judgement.weeks} weeks)"
    change = judgement.change
    if judgement.moved and change is not None and judgement.baseline is not None:
        arrow = "↑" if change > 0 else "↓"
        text += f" {arrow}{abs(change):.1f} from a usual {format_value(judgement.baseline, definition.unit)}"
    elif judgement.drifting and change is not None:
        text += f" {'↗' if change > 0 else '↘'} drifting"
    elif judgement.status == "steady":
        text += " · steady"
    return text


def _recent_line(row: dict[str, Any]) -> str:
    text = f"• {escape(str(row.get('title') or row.get('rule_id')))} ({escape(str(row.get('team')))}, "
    text += f"{str(row.get('created_at'))[:10]})"
    if row.get("verdict"):
        text += f": *{escape(str(row['verdict']))}*"
        if row.get("before") is not None and row.get("after") is not None:
            text += f" ({row['before']:.1f} → {row['after']:.1f})"
    elif row.get("done"):
        text += ": done, outcome pending"
    return text
