"""The similar-case reply, written once for every surface: the terminal, the chat engine and Slack.

Every surface tells the same story in its own markup: the close matches with their fix and
why they matched; the fixes of a folded group by count when they differ; and, when nothing
scores above the calibrated floor (`confidence.py`), a plain "nothing close" with the nearest
cases marked as loosely related, so an agent never takes a firewall ticket for the answer to
a password question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from smartstep.knowledge.search import SimilarCase

NO_MATCH = "No similar solved case found; try describing the problem with the words a customer would use."
NOTHING_CLOSE = "Nothing close to this has been solved before."
LOOSE_HEADER = "Loosely related:"


@dataclass(frozen=True)
class Style:
    """How a surface marks things up: bold, italics, escaping of user text, numbered or bulleted items."""

    bold: Callable[[str], str]
    italic: Callable[[str], str]
    escape: Callable[[str], str]
    ref: Callable[[str], str] | None = None  # how a case id is shown (a link to the helpdesk); default: escaped


PLAIN = Style(bold=lambda s: s, italic=lambda s: s, escape=lambda s: s)
MARKDOWN = Style(bold=lambda s: f"*{s}*", italic=lambda s: f"_{s}_", escape=lambda s: s)


def slack_style(escape: Callable[[str], str]) -> Style:
    return Style(bold=lambda s: f"*{s}*", italic=lambda s: f"_{s}_", escape=escape)


def split_close(cases: Sequence[SimilarCase]) -> tuple[list[SimilarCase], list[SimilarCase]]:
    """(close matches, loosely related ones), each in ranking order."""
    return [c for c in cases if c.close], [c for c in cases if not c.close]


def fixes_line(case: SimilarCase, style: Style) -> str | None:
    """ "Fixed by “X” in 41 cases, by “Y” in 12" for a folded group whose write-ups differ."""
    if len(case.resolutions) < 2:
        return None
    first, *rest = case.resolutions
    parts = [f"“{style.escape(first[0])}” in {first[1]} case{'s' if first[1] != 1 else ''}"]
    parts += [f"“{style.escape(text)}” in {count}" for text, count in rest]
    return "Fixed by " + ", by ".join(parts)


def case_lines(rank: int, case: SimilarCase, style: Style) -> list[str]:
    """One case: title and where it comes from, its fix (or the group's fixes), why it matched."""
    seen = f", seen {case.seen_count}{'+' if case.seen_more else ''} times" if case.seen_count > 1 else ""
    title = style.escape(case.title or "(no subject)")
    ref = style.ref(case.id) if style.ref is not None else style.escape(case.id)
    where = f"{ref}, {style.escape(case.team)}, solved {case.solved_at[:10]}{seen}"
    head = f"{rank}. {style.bold(title)}  [{where}]"
    fixes = fixes_line(case, style)  # a group fixed in several ways shows them all, most common first
    resolution = f"resolution: {style.escape(case.resolution) or '(no resolution written)'}"
    lines = [head, f"   {fixes or resolution}"]
    if case.why_matched:
        lines.append(f"   matched on: {style.escape(', '.join(case.why_matched))}")
    return lines


def similar_reply(
    query: str, cases: Sequence[SimilarCase], style: Style = PLAIN, *, scores: bool = False, first: int = 1
) -> str:
    """The whole reply as text; `scores` adds each case's score (the terminal shows it); `first` numbers
    the cases from there (the chat's "more" continues the list)."""
    if not cases:
        return NO_MATCH
    close, loose = split_close(cases)
    lines: list[str] = []
    if style is not PLAIN:
        lines.append(f"{style.bold('Solved cases like')} {style.italic(style.escape(query[:200]))}")
    for rank, case in enumerate(close, first):
        lines.extend(_with_score(case_lines(rank, case, style), case, scores))
    if loose:
        if not close:
            lines.append(NOTHING_CLOSE)
        lines.append(style.italic(LOOSE_HEADER))
        for rank, case in enumerate(loose, len(close) + first):
            lines.extend(_with_score(case_lines(rank, case, style), case, scores))
    return "\n".join(lines)


def _with_score(lines: list[str], case: SimilarCase, scores: bool) -> list[str]:
    return [*lines, f"   score: {case.score:.2f}"] if scores else lines
