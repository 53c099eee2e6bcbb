"""`smartstep next-step`: the ranked smartest next steps right now, best first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from smartstep.cli import CliState, emit_json
from smartstep.rule_inputs import load_rule_base, load_rule_inputs, resolve_team
from smartstep.rules.engine import Candidate, evaluate


def advice_json(c: Candidate) -> dict[str, Any]:
    """The INTERFACE.md advice shape; advice_id stays null until the advisor logs advice."""
    return {
        "advice_id": None,
        "rule_id": c.rule_id,
        "team": c.team,
        "title": c.title,
        "category": c.category,
        "why": c.why,
        "steps": list(c.steps),
        "score": round(c.score, 3),
        "evidence": [e.as_dict() for e in c.evidence],
        "similar_situations": [],
    }


def render_text(candidates: list[Candidate]) -> str:
    if not candidates:
        return "Nothing needs attention right now: no rule fired for this week."
    lines = []
    for i, c in enumerate(candidates, 1):
        lines.append(f"{i}. [{c.team}] {c.title}  (score {c.score:.2f}, {c.category})")
        lines.append(f"   Why: {c.why}")
        lines += [f"   - {step}" for step in c.steps]
        lines.append("")
    return "\n".join(lines).rstrip()


@click.command("next-step")
@click.option("--team", help="Only this team's next steps.")
@click.option("--k", "k", type=click.IntRange(min=1, max=100), default=5, show_default=True, help="How many steps.")
@click.option(
    "--rules", "rules_path", type=click.Path(path_type=Path), help="Rule file or folder (default: the shipped base)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON.")
@click.pass_obj
def next_step_command(state: CliState, team: str | None, k: int, rules_path: Path | None, as_json: bool) -> None:
    """The smartest next steps right now, with the evidence behind each."""
    ruleset = load_rule_base(rules_path, state.settings.rules_path)
    db = state.db()
    inputs = load_rule_inputs(db, ruleset.rules, state.as_of)
    if team is not None:
        team = resolve_team(team, inputs.teams)
    result = evaluate(ruleset.rules, inputs.history, inputs.current, inputs.facts)
    chosen = [c for c in result.candidates if team is None or c.team == team][:k]
    if as_json:
        emit_json([advice_json(c) for c in chosen])
    else:
        click.echo(render_text(chosen))
