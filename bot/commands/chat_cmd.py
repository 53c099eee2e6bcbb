"""`smartstep chat` and `smartstep ask`: the terminal faces of the conversation engine."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from smartstep.chat.context import load_context
from smartstep.chat.conversation import Answer, Context, ConversationState
from smartstep.chat.engine import answer
from smartstep.chat.terminal import mrkdwn_to_rich
from smartstep.commands.common import CliState, emit_json, say_period_note
from smartstep.errors import UserError
from smartstep.metrics.freshness import with_freshness
from smartstep.settings import ticket_address

MAX_SESSION_ID = 200


def terminal_context(state: CliState) -> Context:
    """The store's facts plus every skill, for the terminal user."""
    from dataclasses import replace

    from smartstep.advice.rule_inputs import load_rule_base
    from smartstep.chat.skills import build_skills

    db = state.db()
    rules = load_rule_base(None, state.settings.rules_path)
    skills = build_skills(db, lambda: rules, user="cli", surface="cli", as_of=state.as_of)
    return replace(load_context(db, state.as_of), skills=skills)


def _show(console: Console, reply: Answer) -> None:
    console.print(mrkdwn_to_rich(reply.text), highlight=False)


def answer_json(reply: Answer, ticket_url: str | None = None) -> dict:
    """`ask --json`: the answer, what the question was understood as, and the tickets it names (with
    their helpdesk address when SMARTSTEP_TICKET_URL is set; the text itself shows ids)."""
    return {
        "intent": reply.intent,
        "text": reply.text,
        "data": reply.data,
        "options": list(reply.options),
        "understood": reply.understood,
        "tickets": [
            {"id": ticket, "url": ticket_address(ticket_url, ticket) if ticket_url else None}
            for ticket in reply.tickets
        ],
    }


@click.command("ask")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option(
    "--session",
    "session",
    metavar="ID",
    help="Keep the conversation's context under ID between calls (stored in the store, forgotten after a day).",
)
@click.pass_obj
def ask_command(state: CliState, text: str, as_json: bool, session: str | None) -> None:
    """One question, one answer (the same engine as chat and Slack)."""
    from smartstep.chat.sessions import load_session, save_session

    if session is not None and not (0 < len(session.strip()) <= MAX_SESSION_ID):
        raise UserError(f"--session: an id of 1 to {MAX_SESSION_ID} characters, such as `weekly-review`")
    key = f"cli:{session.strip()}" if session else None
    say_period_note(state)
    context = terminal_context(state)
    thread = load_session(state.db(), key) if key else ConversationState()
    reply = with_freshness(answer(text, thread, context), state.db(), state.settings.stale_after_hours, state.as_of)
    if key:
        save_session(state.db(), key, thread)
    if as_json:
        emit_json(answer_json(reply, state.settings.ticket_url))
    else:
        _show(Console(), reply)


@click.command("chat")
@click.pass_obj
def chat_command(state: CliState) -> None:
    """Talk to the advisor in the terminal. Type 'help' for ideas, 'quit' or Ctrl-D to leave."""
    run_chat(state)


def run_chat(state: CliState) -> None:
    console = Console()
    thread = ConversationState()
    context = terminal_context(state)
    console.print(
        "[bold]smartstep[/bold] — ask about your metrics. Type [italic]help[/italic], or [italic]quit[/italic]."
    )
    while True:
        try:
            text = console.input("[bold cyan]you>[/bold cyan] ") if sys.stdin.isatty() else input()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if text.strip().lower() in {"quit", "exit", "bye", "q"}:
            return
        if text.strip():
            _show(
                console,
                with_freshness(
                    answer(text, thread, context), state.db(), state.settings.stale_after_hours, state.as_of
                ),
            )
