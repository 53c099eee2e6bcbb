"""`smartstep rules lint | test | explain`: check a rule base and say what a rule means."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from smartstep.advice.rule_inputs import load_rule_base, load_rule_inputs
from smartstep.advice.signals import signal_registry
from smartstep.commands.common import CliState, emit_json
from smartstep.errors import UserError
from smartstep.names import did_you_mean
from smartstep.rules.engine import evaluate
from smartstep.rules.lint import explain_rule, lint, run_examples
from smartstep.rules.loader import default_rules_path

PATH_ARG = click.argument("path", required=False, type=click.Path(path_type=Path))
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def _target(state: CliState, path: Path | None) -> Path:
    chosen = path or state.settings.rules_path or default_rules_path()
    if not chosen.exists():
        raise UserError(f"rule path '{chosen}' does not exist")
    return chosen


@click.group("rules")
def rules_command() -> None:
    """Check, test and explain the rule base (YAML files)."""


@rules_command.command("lint")
@PATH_ARG
@JSON_OPTION
@click.pass_obj
def lint_command(state: CliState, path: Path | None, as_json: bool) -> None:
    """Validate rule files; every problem is printed as file:line:col."""
    ruleset, problems = lint(_target(state, path), signal_registry())
    if as_json:
        emit_json({"rules": len(ruleset.rules) if ruleset else 0, "problems": [asdict(p) for p in problems]})
        if ruleset is None or any(p.severity == "error" for p in problems):
            raise SystemExit(1)
        return
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    if errors or ruleset is None:
        click.echo(f"{errors} problem(s) found; the rule base was not loaded.", err=True)
        raise SystemExit(1)
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.files)} file(s): no errors.")


@rules_command.command("test")
@PATH_ARG
@JSON_OPTION
@click.pass_obj
def test_command(state: CliState, path: Path | None, as_json: bool) -> None:
    """Run the examples written inside each rule (given values -> fires or not)."""
    ruleset, problems = lint(_target(state, path), signal_registry())
    if as_json:
        ran, failures = run_examples(ruleset) if ruleset is not None else (0, [])
        emit_json(
            {
                "examples": ran,
                "failures": [asdict(f) for f in failures],
                "problems": [asdict(p) for p in problems if ruleset is None],
            }
        )
        if ruleset is None or failures:
            raise SystemExit(1)
        return
    if ruleset is None:
        for problem in problems:
            click.echo(str(problem))
        click.echo("The rule base has errors; fix them first (see `smartstep rules lint`).", err=True)
        raise SystemExit(1)
    ran, failures = run_examples(ruleset)
    for failure in failures:
        click.echo(str(failure))
    if failures:
        click.echo(f"{len(failures)} of {ran} examples failed.", err=True)
        raise SystemExit(1)
    click.echo(f"{ran} examples in {len(ruleset.rules)} rules: all pass.")


@rules_command.command("explain")
@click.argument("rule_id")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path), help="Rule file or folder.")
@JSON_OPTION
@click.pass_obj
def explain_command(state: CliState, rule_id: str, rules_path: Path | None, as_json: bool) -> None:
    """A rule in plain words, where it fires now, and when it last fired."""
    ruleset = load_rule_base(rules_path, state.settings.rules_path)
    rule = ruleset.get(rule_id)
    if rule is None:
        raise UserError(f"unknown rule '{rule_id}'{did_you_mean(rule_id, ruleset.ids())}")
    src = ruleset.sources[rule.id]
    db = state.db()
    period, fired, held, unknown = None, [], [], None
    try:
        inputs = load_rule_inputs(db, [rule], state.as_of)
        result = evaluate([rule], inputs.history, inputs.current, inputs.facts)
        period, held = inputs.current, list(result.held_back)
        fired = sorted(result.candidates + result.held_back, key=lambda c: -c.score)
    except UserError as error:
        unknown = str(error)
    last = db.execute(
        "SELECT team, max(created_at) FROM advice WHERE rule_id = ? GROUP BY team ORDER BY 2 DESC", [rule.id]
    ).fetchall()
    if as_json:
        emit_json(
            {
                "rule_id": rule.id,
                "title": rule.title,
                "category": rule.category,
                "explanation": explain_rule(rule, ruleset.signals),
                "defined_in": f"{src.path}:{src.line}",
                "period": period,
                "fires_now": [
                    {"team": c.team, "score": round(c.score, 4), "held_back": c in held, "why": c.why} for c in fired
                ],
                "last_fired": [{"team": team, "at": at} for team, at in last],
            }
        )
        return
    for line in explain_rule(rule, ruleset.signals):
        click.echo(line)
    click.echo(f"Defined in {src.path}:{src.line}.")
    if unknown is not None:
        click.echo(f"Fires now: unknown ({unknown}).")
    elif fired:
        click.echo(f"Fires now ({period}) for:")
        for c in fired:
            note = " [held back: inside its cooldown]" if c in held else ""
            click.echo(f"  {c.team} (score {c.score:.2f}){note}: {c.why}")
    else:
        click.echo(f"Fires now ({period}) for: no team.")
    if last:
        click.echo("Last fired: " + "; ".join(f"{team} at {at}" for team, at in last) + ".")
    else:
        click.echo("Last fired: never (no advice from this rule has been logged).")
