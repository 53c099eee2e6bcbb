"""Showing replies in a terminal: Slack's mrkdwn emphasis as terminal styles."""

from __future__ import annotations

import re

from rich.markup import escape


def mrkdwn_to_rich(text: str) -> str:
    """Slack's *bold* and _italic_ as terminal styles; everything else printed as written."""
    text = escape(text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"[bold]\1[/bold]", text)
    return re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"[italic]\1[/italic]", text)
