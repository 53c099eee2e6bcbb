"""`smartstep digest`: build the weekly digest; preview it (`--dry-run`, `--json`) or post it
to the channels of the digest subscriptions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smartstep.commands.common import CliState, emit_json, say_period_note
from smartstep.errors import UserError

if TYPE_CHECKING:
    from smartstep.digest.post import RenderedDigest
    from smartstep.rules.loader import RuleSet


@click.command("digest")
@click.option("--team", help="Only this team's digest.")
@click.option("--dry-run", is_flag=True, help="Post nothing; write digest.json (Block Kit) and the chart PNG to --out.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), help="Folder for the dry run's files.")
@click.option("--json", "as_json", is_flag=True, help="Print the digest's data as JSON.")
@click.pass_obj
def digest_command(state: CliState, team: str | None, dry_run: bool, out: Path | None, as_json: bool) -> None:
    """Build the weekly digest: scorecard moves, top steps, outcomes, call-backs, trend chart."""
    from smartstep.advice.rule_inputs import NO_DATA, load_rule_base
    from smartstep.digest.post import render_digest
    from smartstep.metrics.reader import current_period, known_teams
    from smartstep.names import resolve

    if out is not None and not dry_run:
        raise click.UsageError("--out goes with --dry-run (a posted digest writes no files)")
    ruleset = load_rule_base(None, state.settings.rules_path)
    db = state.db()
    if current_period(db, state.as_of) is None:
        raise UserError(NO_DATA)
    teams = [resolve(team, known_teams(db), "team")] if team else None
    say_period_note(state)
    if dry_run or as_json:
        rendered = render_digest(
            db, ruleset, teams=teams, as_of=state.as_of, log=False, chart=dry_run, ticket_url=state.settings.ticket_url
        )
        if dry_run:
            written = _write_files(rendered, out or Path("."))
            if not as_json:
                click.echo("Dry run, nothing posted. Wrote " + ", ".join(str(p) for p in written))
        if as_json:
            emit_json(rendered.digest.to_json())
        return
    _post_to_subscriptions(state, ruleset, teams)


def _write_files(rendered: RenderedDigest, out: Path) -> list[Path]:
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "digest.json"]
        paths[0].write_text(json.dumps(rendered.message, ensure_ascii=False, indent=2), encoding="utf-8")
        if rendered.png is not None:
            paths.append(out / "digest.png")
            paths[1].write_bytes(rendered.png)
    except OSError as error:
        raise UserError(f"{out}: cannot write the dry run's files ({error.strerror or error})") from None
    return paths


def _post_to_subscriptions(state: CliState, ruleset: RuleSet, teams: list[str] | None) -> None:
    from smartstep.digest.post import post_digest, render_digest
    from smartstep.digest.subscriptions import list_subscriptions
    from smartstep.slack.client import build_client

    if not state.settings.slack_bot_token:
        raise UserError("SLACK_BOT_TOKEN is not set; use --dry-run to preview the digest without posting")
    db = state.db()
    subscriptions = list_subscriptions(db)
    if not subscriptions:
        raise UserError(
            "no channel is subscribed to the digest; an admin can run `/smartstep digest subscribe` in Slack"
        )
    client = build_client(state.settings)
    for sub in subscriptions:
        chosen = teams or sub.teams
        rendered = render_digest(db, ruleset, teams=chosen, as_of=state.as_of, ticket_url=state.settings.ticket_url)
        if rendered.digest.quiet and sub.quiet == "skip":
            click.echo(f"{sub.channel}: quiet week, nothing posted (subscription says skip)")
            continue
        ts = post_digest(client, sub.channel, rendered)
        click.echo(f"{sub.channel}: posted the {rendered.digest.period} digest (ts {ts})")
