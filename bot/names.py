"""Matching what people type to the names the store and the rule base know, typos allowed."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from smartstep.errors import UserError


def printable(name: str) -> str:
    """A stored name as it may be printed: control and invisible characters spelled out as escapes
    (`\\x1b`, `\\u202e`), so a name from a store written before imports checked names can neither
    drive the terminal nor reorder the line it is on."""
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """A " — did you mean 'x'?" tail for an error sentence, or nothing when no known name is close."""
    match = process.extractOne(name, known, scorer=fuzz.ratio, score_cutoff=70)
    return f" — did you mean '{match[0]}'?" if match else ""


def resolve(name: str, known: Sequence[str], what: str) -> str:
    """The known name `name` means (case-insensitive), or a UserError with a did-you-mean."""
    for candidate in known:
        if candidate.casefold() == name.strip().casefold():
            return candidate
    hint = did_you_mean(name, known)
    if hint:
        raise UserError(f"unknown {what} '{name}'{hint}")
    listed = ", ".join(known) if known else "none yet (import data first)"
    raise UserError(f"unknown {what} '{name}'; known {what}s: {listed}")
