"""`smartstep chat` and `smartstep ask`: the terminal faces of the conversation engine."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from smartstep.chat.context import load_context
from smartstep.chat.engine import Answer, Context, ConversationState, answer
from smartstep.chat.terminal import mrkdwn_to_rich
from smartstep.commands.common import CliState, emit_json, say_period_note


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


@click.command("ask")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.pass_obj
def ask_command(state: CliState, text: str, as_json: bool) -> None:
    """One question, one answer (the same engine as chat and Slack)."""
    say_period_note(state)
    reply = answer(text, ConversationState(), terminal_context(state))
    if as_json:
        emit_json({"intent": reply.intent, "text": reply.text, "data": reply.data, "options": list(reply.options)})
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
            _show(console, answer(text, thread, context))
