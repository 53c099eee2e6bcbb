"""`smartstep chat` and `smartstep ask`: the terminal faces of the conversation engine."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markdown import Markdown
from smartstep.cli import CliState, emit_json
from smartstep.context import load_context
from smartstep.conversation import Answer, ConversationState, answer


def _show(console: Console, reply: Answer) -> None:
    # Slack's *bold* / _italic_ read fine as Markdown emphasis in the terminal.
    console.print(Markdown(reply.text.replace("•", "-")))


@click.command("ask")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.pass_obj
def ask_command(state: CliState, text: str, as_json: bool) -> None:
    """One question, one answer (the same engine as chat and Slack)."""
    reply = answer(text, ConversationState(), load_context(state.db(), state.as_of))
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
    context = load_context(state.db(), state.as_of)
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
