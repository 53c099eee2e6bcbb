"""Slack's markup, in and out: the one place that knows `&`, `<` and `>` are control characters.

Out: every piece of text the bot did not write itself (a question echoed back, a ticket's title or
resolution, a team name from an import) goes through `escape`, so nobody can make the bot post
`<!channel>`, `<!here>`, `<!everyone>`, a user mention or a link whose label hides its address.

In: what Slack sends is already markup (`@here` arrives as `<!here>`, `a < b` as `a &lt; b`, a
pasted link as `<https://…|label>`). `plain_text` turns it into the words the person typed, so the
engine reads the question and a reply that echoes it can escape it once, visibly.
"""

from __future__ import annotations

import re

MARKUP = re.compile(r"<([^<>\n]*)>")


def escape(text: str) -> str:
    """Slack's three control characters in text we did not write ourselves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _readable(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):  # <@U123> or <@U123|name>: a person
        return "@" + (label or target[1:])
    if target.startswith("#"):  # <#C123|general>: a channel
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!channel>, <!subteam^S1|@team>, <!date^…|fallback>
        return label or "@" + target[1:].split("^")[0]
    if label and label != target:  # a link with a label shows both, so no label can hide where it goes
        return f"{label} ({target})"
    return target


def plain_text(text: str) -> str:
    """The words someone typed in Slack, without Slack's markup: mentions, channels and links become
    readable text (`<!here>` -> `@here`, `<https://x|invoice>` -> `invoice (https://x)`), and `&lt;`,
    `&gt;`, `&amp;` become `<`, `>`, `&` again."""
    return unescape(MARKUP.sub(_readable, text or ""))
