"""Showing replies in a terminal: Slack's mrkdwn emphasis and links as terminal styles."""

from __future__ import annotations

import re

from rich.markup import escape

SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)\|([^>]+)>")


def mrkdwn_to_rich(text: str) -> str:
    """Slack's *bold*, _italic_ and <url|label> links as terminal styles; everything else printed as written."""
    links: list[tuple[str, str]] = []

    def hold(match: re.Match) -> str:
        links.append((match.group(1), match.group(2)))
        return f"\x00{len(links) - 1}\x00"

    text = escape(SLACK_LINK.sub(hold, text))
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"[bold]\1[/bold]", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"[italic]\1[/italic]", text)
    return re.sub(
        r"\x00(\d+)\x00",
        lambda m: f"[link={links[int(m.group(1))][0]}]{escape(links[int(m.group(1))][1])}[/link]",
        text,
    )
