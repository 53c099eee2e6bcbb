"""`smartstep rules lint | test | explain`: check a rule base and say what a rule means."""

from __future__ import annotations

from pathlib import Path

import click
from smartstep.cli import CliState
from smartstep.errors import UserError
from smartstep.rule_inputs import load_rule_base, load_rule_inputs
from smartstep.rules.engine import evaluate
from smartstep.rules.lint import explain_rule, lint, run_examples
from smartstep.rules.loader import default_rules_path
from smartstep.rules.model import did_you_mean

PATH_ARG = click.argument("path", required=False, type=click.Path(path_type=Path))


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
@click.pass_obj
def lint_command(state: CliState, path: Path | None) -> None:
    """Validate rule files; every problem is printed as file:line:col."""
    ruleset, problems = lint(_target(state, path))
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    if errors or ruleset is None:
        click.echo(f"{errors} problem(s) found; the rule base was not loaded.", err=True)
        raise SystemExit(1)
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.files)} file(s): no errors.")


@rules_command.command("test")
@PATH_ARG
@click.pass_obj
def test_command(state: CliState, path: Path | None) -> None:
    """Run the examples written inside each rule (given values -> fires or not)."""
    ruleset, problems = lint(_target(state, path))
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
@click.pass_obj
def explain_command(state: CliState, rule_id: str, rules_path: Path | None) -> None:
    """A rule in plain words, where it fires now, and when it last fired."""
    ruleset = load_rule_base(rules_path, state.settings.rules_path)
    rule = ruleset.get(rule_id)
    if rule is None:
        raise UserError(f"unknown rule '{rule_id}'{did_you_mean(rule_id, ruleset.ids())}")
    src = ruleset.sources[rule.id]
    for line in explain_rule(rule):
        click.echo(line)
    click.echo(f"Defined in {src.path}:{src.line}.")
    db = state.db()
    try:
        inputs = load_rule_inputs(db, [rule], state.as_of)
    except UserError as error:
        click.echo(f"Fires now: unknown ({error}).")
        return
    result = evaluate([rule], inputs.history, inputs.current, inputs.facts)
    fired = sorted(result.candidates + result.held_back, key=lambda c: -c.score)
    if fired:
        click.echo(f"Fires now ({inputs.current}) for:")
        for c in fired:
            held = " [held back: inside its cooldown]" if c in result.held_back else ""
            click.echo(f"  {c.team} (score {c.score:.2f}){held}: {c.why}")
    else:
        click.echo(f"Fires now ({inputs.current}) for: no team.")
    rows = db.execute(
        "SELECT team, max(created_at) FROM advice WHERE rule_id = ? GROUP BY team ORDER BY 2 DESC", [rule.id]
    ).fetchall()
    if rows:
        click.echo("Last fired: " + "; ".join(f"{team} at {at}" for team, at in rows) + ".")
    else:
        click.echo("Last fired: never (no advice from this rule has been logged).")
