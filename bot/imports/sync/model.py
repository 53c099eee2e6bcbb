"""What a helpdesk source hands the sync: pages of rows in our CSV shapes, each with the cursor after it.

A source only talks HTTP and maps its JSON onto the tickets and surveys columns; the runner
writes each page and its cursor in one transaction, so the cursor saved is always the one
after the last rows stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

Record = dict[str, Any]
"""One row keyed by the CSV column names (tickets or surveys), as `import_records` takes it."""


@dataclass
class Page:
    cursor: Any
    """Where the stream continues after this page (JSON-serialisable)."""
    tickets: list[Record] = field(default_factory=list)
    ratings: list[Record] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    """Ticket ids the helpdesk deleted (or marked spam): they leave the store."""
    sla: dict[str, int] = field(default_factory=dict)
    """ticket id -> 1 breached / 0 met, from a stream of SLA events (Zendesk)."""
    fetched: bool = True
    """False when the source skipped reading comments, so a stored resolution must be kept."""


@dataclass(frozen=True)
class Stream:
    """One incremental feed of a source (tickets, deleted tickets, ratings, SLA events)."""

    name: str
    pages: Callable[[Any], Iterator[Page]]
    """cursor (None on the first run) -> pages, each carrying the cursor after it."""
    optional: bool = False
    """A stream the credential may lack permission for (SLA events): skipped with a note, not fatal."""


class Source(Protocol):
    name: str

    def check(self) -> None:
        """One cheap authenticated call, before anything is written: a wrong credential stops here."""

    def streams(self, since: float) -> list[Stream]:
        """The feeds in the order they must run; `since` (epoch seconds) starts a stream with no cursor."""

    def close(self) -> None: ...
