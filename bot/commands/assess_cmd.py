"""`smartstep assess`: the capability assessment in the terminal (Slack runs it as a modal)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from smartstep.advice.assessment import Profile, load_assessments, progress, questionnaire, save_assessment, score
from smartstep.commands.common import CliState, emit_json
from smartstep.errors import UserError


@click.command("assess")
@click.option("--team", default="all", show_default=True, help="Assess one team instead of the organisation.")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON object of question id -> answer number (1-5) instead of asking.",
)
@click.option("--show", is_flag=True, help="Show earlier takes and the progress between them.")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
@click.pass_obj
def assess_command(state: CliState, team: str, answers_file: Path | None, show: bool, as_json: bool) -> None:
    """Place your support organisation on the five maturity stages, per dimension (about 5 minutes)."""
    db = state.db()
    if show:
        takes = load_assessments(db, team)
        if not takes:
            raise UserError(f"no assessment for '{team}' yet; run 'smartstep assess' first")
        _print(takes, as_json)
        return
    if answers_file is not None:
        answers = _read_answers(answers_file)
    elif sys.stdin.isatty():
        answers = _ask()
    else:
        raise UserError("the assessment asks questions on a terminal; without one, pass --answers FILE.json")
    earlier = load_assessments(db, team)
    profile = score(answers, team)
    save_assessment(db, profile, answers, user="cli")
    _print([*earlier[-1:], profile], as_json)


def _read_answers(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("no such file", where=str(path)) from None
    except json.JSONDecodeError as error:
        raise UserError(f"not valid JSON ({error.msg})", where=f"{path}:{error.lineno}") from None
    if not isinstance(data, dict):
        raise UserError("expected a JSON object of question id -> answer number", where=str(path))
    return data


def _ask() -> dict[str, int]:
    answers = {}
    questions = questionnaire().questions
    for number, question in enumerate(questions, start=1):
        click.echo(f"\n{number}/{len(questions)} [{question.dimension}] {question.text}")
        for index, text in enumerate(question.answers, start=1):
            click.echo(f"  {index}. {text}")
        answers[question.id] = click.prompt("Your answer", type=click.IntRange(1, len(question.answers)))
    return answers


def _print(takes: list[Profile], as_json: bool) -> None:
    latest = takes[-1]
    if as_json:
        data = latest.to_dict()
        if len(takes) > 1:
            data["progress"] = progress(takes[-2], latest)
        emit_json(data)
        return
    change = progress(takes[-2], latest) if len(takes) > 1 else {}
    click.echo(
        f"\nMaturity of '{latest.team}' ({latest.answered_at[:10]}): "
        f"stage {latest.overall}, {latest.stage_name(latest.overall)}"
    )
    for dimension, stage in latest.stages.items():
        moved = change.get(dimension, 0)
        note = (
            f"  (up {moved} since {takes[-2].answered_at[:10]})"
            if moved > 0
            else (f"  (down {-moved} since {takes[-2].answered_at[:10]})" if moved < 0 else "")
        )
        click.echo(f"  {dimension:<12} stage {stage} {latest.stage_name(stage)}{note}")
