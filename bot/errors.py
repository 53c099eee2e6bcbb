"""The one kind of error a user sees: a sentence that names what is wrong and where."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or request, shown as one sentence without a traceback.

    `where` is the file (with line and column when known) so that every message reads
    `path:line: column 'x': what is wrong`, the way compilers and linters report.
    """

    def __init__(self, message: str, *, where: str | None = None, exit_code: int = 1) -> None:
        self.message = message
        self.where = where
        self.exit_code = exit_code
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message
