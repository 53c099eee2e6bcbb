"""`smartstep similar`: past solved cases like a problem, one query or a JSON Lines batch."""

from __future__ import annotations

import json
from pathlib import Path

import click

from smartstep.commands.common import CliState, cut_of, emit_json, segment_options
from smartstep.errors import UserError
from smartstep.knowledge import find_similar, find_similar_batch, looks_like_garbage
from smartstep.knowledge.replies import NO_MATCH, NOTHING_CLOSE, similar_reply

GARBAGE = "That text has no words to match on (only symbols, numbers or very short fragments)."


@click.command("similar")
@click.argument("text", required=False)
@click.option(
    "--queries",
    "queries_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help='A JSON Lines file of {"id", "text"} queries: answer them all in one batch.',
)
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=1, max=100),
    default=5,
    show_default=True,
    help="How many cases to return per query.",
)
@click.option("--team", help="Only cases of this team.")
@click.option("--product", help="Only cases about this product.")
@click.option("--channel", help="Only cases that came in on this channel.")
@click.option("--since", "since", metavar="DATE", help="Only cases solved on or after this date.")
@segment_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (JSON Lines for --queries).")
@click.pass_obj
def similar_command(
    state: CliState,
    text: str | None,
    queries_file: Path | None,
    k: int,
    team: str | None,
    product: str | None,
    channel: str | None,
    since: str | None,
    as_json: bool,
    **cuts: str | None,
) -> None:
    """Similar solved cases for a problem, with their resolutions and why they matched."""
    if (text is None) == (queries_file is None):
        raise click.UsageError("give either TEXT or --queries FILE.jsonl, not both and not neither")
    filters = {"team": team, "product": product, "channel": channel, "solved_after": since}
    where = cut_of(**cuts) or None
    if queries_file is not None:
        _batch(state, queries_file, k, filters, where)
        return
    cases = find_similar(state.db(), text or "", k=k, where=where, **filters)
    note = GARBAGE if not cases and looks_like_garbage(text or "") else (NO_MATCH if not cases else None)
    if as_json:
        emit_json([c.to_json() for c in cases])  # always a list, so scripts see one shape
        if note or not any(c.close for c in cases):
            click.echo(f"smartstep: {note or NOTHING_CLOSE}", err=True)
        return
    click.echo(note if note else similar_reply(text or "", cases, scores=True))


def _batch(state: CliState, path: Path, k: int, filters: dict[str, str | None], where: dict | None) -> None:
    queries = read_queries(path)
    ranked = find_similar_batch(state.db(), [t for _, t in queries], k=k, where=where, **filters)
    for (query_id, _), results in zip(queries, ranked, strict=True):
        # Every result as single-query JSON has it: title, resolution, the ids folded into it.
        row = {"id": query_id, "results": [case.to_json() for case in results]}
        click.echo(json.dumps(row, ensure_ascii=False))


def read_queries(path: Path) -> list[tuple[object, str]]:
    """Every `{"id", "text"}` line of a JSON Lines file; the first bad line stops with file:line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError("no such file", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read it as UTF-8 text ({error.__class__.__name__})", where=str(path)) from None
    queries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise UserError(f"not valid JSON ({error.msg} at column {error.colno})", where=where) from None
        if not isinstance(item, dict) or "id" not in item or not isinstance(item.get("text"), str):
            raise UserError('expected an object with "id" and a string "text"', where=where)
        queries.append((item["id"], item["text"]))
    return queries
