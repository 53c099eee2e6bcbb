"""Matching what people type to the names the store knows (teams, metrics), typos allowed."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils
from smartstep.errors import UserError


def suggest(name: str, known: Sequence[str], cutoff: float = 70) -> str | None:
    """The closest known name, when one is close enough to be a likely typo."""
    match = process.extractOne(name, known, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=cutoff)
    return match[0] if match else None


def resolve(name: str, known: Sequence[str], what: str) -> str:
    """The known name `name` means (case-insensitive), or a UserError with a did-you-mean."""
    for candidate in known:
        if candidate.casefold() == name.strip().casefold():
            return candidate
    hint = suggest(name, known)
    if hint:
        raise UserError(f"unknown {what} '{name}' — did you mean '{hint}'?")
    listed = ", ".join(known) if known else "none yet (import data first)"
    raise UserError(f"unknown {what} '{name}'; known {what}s: {listed}")
