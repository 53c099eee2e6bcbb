"""CSV (and in-memory record) imports: stream, validate, write, recompute — all or nothing.

One import is one `db.atomic()` block holding every row write and the metric recompute, so a
bad row on line 900,000 or a crash leaves the store exactly as it was. Files are read as a
stream in batches; nothing holds the whole file. Every refusal names the file, the line
(the header is line 1) and the column, in the words of the file's own header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import sqlite_utils

from smartstep.db import write_transaction
from smartstep.errors import UserError
from smartstep.imports.batch_check import BatchValidator
from smartstep.imports.presets import Preset, get_preset, recognise_export
from smartstep.imports.schema import KINDS, SCHEMAS, FieldError, Schema, normalise_header
from smartstep.imports.store_checks import SeenKeys
from smartstep.imports.store_writer import StoreWriter

BATCH_ROWS = 5000
MAX_ERRORS_KEPT = 1000

csv.field_size_limit(16 * 1024 * 1024)  # descriptions with pasted logs exceed csv's 128 KiB default


@dataclass(frozen=True)
class ImportSummary:
    kind: str
    source: str
    added: int
    updated: int
    rejected: int
    errors: tuple[str, ...]
    """Rejected-row messages (only with skip_bad_rows)."""
    since: dict[str, str]
    """team -> earliest ISO week touched: what was recomputed."""
    unchanged: int = 0
    """Rows identical to the stored ones: not written, so a re-import of the same file changes nothing."""
    ratings: int = 0
    """CSAT survey rows a tool export's satisfaction column gave (added or updated)."""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["errors"] = list(self.errors)
        return data


def import_csv(
    db: sqlite_utils.Database,
    kind: str,
    path: Path,
    *,
    preset: str = "generic",
    skip_bad_rows: bool = False,
    progress: Callable[[int], None] | None = None,
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Import one CSV file of `kind`; `progress(bytes_read)` is called after each batch.

    Times more than a day after `now` (default: the clock) are refused."""
    schema = _schema(kind)
    reader = _CsvReader(Path(path), str(path), get_preset(preset, kind), schema, tz)
    tick = (lambda: progress(reader.bytes_read)) if progress else None
    validate = BatchValidator(schema, tz, now)
    return _import(db, schema, str(path), reader.batches(), validate, skip_bad_rows, tick, reader.shown, unit="line")


def import_records(
    db: sqlite_utils.Database,
    kind: str,
    records: Iterable[Mapping[str, object]],
    *,
    source: str = "records",
    recompute: bool = True,
    skip_bad_rows: bool = False,
) -> ImportSummary:
    """Import rows already in memory (keyed by the CSV column names), with the same checks and writes.

    `recompute=False` leaves the metrics to the caller, who imports several kinds in one
    transaction (the demo, a helpdesk sync) and recomputes once at the end.
    """
    schema = _schema(kind)
    batches = _record_batches(records, schema, source)
    return _import(db, schema, source, batches, BatchValidator(schema), skip_bad_rows, None, {}, recompute, unit="row")


def _customers_touched(db: sqlite_utils.Database, kind: str) -> bool:
    """Customer metrics change with a customers import, or with tickets when some customer has
    no team of its own (its team is then the one that handled most of its tickets)."""
    if kind == "customers":
        return True
    if kind != "tickets":
        return False
    return db.execute("SELECT 1 FROM customers WHERE team IS NULL OR team = '' LIMIT 1").fetchone() is not None


def _schema(kind: str) -> Schema:
    if kind not in SCHEMAS:
        raise UserError(f"unknown import kind {kind!r}; choose one of {', '.join(KINDS)}", exit_code=2)
    return SCHEMAS[kind]


@dataclass
class _Batch:
    """Up to BATCH_ROWS rows as columns, plus rows that could not even be split into fields."""

    lines: list[int]
    columns: dict[str, Sequence[str]]
    problems: list[tuple[int, FieldError]]
    where: str
    """How to name a row: a format with {line}, e.g. `tickets.csv:{line}` or `demo row {line}`."""
    ratings: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    """(line, survey record) from a tool export's satisfaction column, written with the tickets."""


def _import(
    db: sqlite_utils.Database,
    schema: Schema,
    source: str,
    batches: Iterable[_Batch],
    validate: BatchValidator,
    skip_bad_rows: bool,
    tick: Callable[[], None] | None,
    shown: Mapping[str, str],
    recompute_metrics: bool = True,
    *,
    unit: str,
) -> ImportSummary:
    from smartstep.metrics.store import recompute

    errors: list[str] = []
    rejected = 0
    with write_transaction(db):
        writer = StoreWriter(db, schema)
        seen = SeenKeys(db, schema, unit)
        ratings = _RatingWriter(db)
        for batch in batches:
            rows, bad = validate(batch.columns, len(batch.lines))
            lines = [line for index, line in enumerate(batch.lines) if index not in bad]
            repeated = seen.check(rows, lines)
            if repeated:
                rows = [row for index, row in enumerate(rows) if index not in repeated]
            problems = batch.problems + [(batch.lines[i], e) for i, e in bad.items()]
            problems = sorted(problems + [(lines[i], e) for i, e in repeated.items()], key=lambda p: p[0])
            if problems and not skip_bad_rows:
                line, error = problems[0]
                raise UserError(_describe(error, shown), where=batch.where.format(line=line))
            rejected += len(problems)
            room = max(0, MAX_ERRORS_KEPT - len(errors))
            errors += [f"{batch.where.format(line=n)}: {_describe(e, shown)}" for n, e in problems[:room]]
            writer.write(rows)
            ratings.write([record for line, record in batch.ratings if line not in {n for n, _ in problems}])
            if tick:
                tick()
        seen.close()
        first_load = writer.was_empty
        added, updated, unchanged, since = writer.finish()
        rated, since = ratings.finish(since)
        if recompute_metrics:
            # Into an empty table every week is touched: one plain full recompute is cheaper.
            scope = None if first_load and schema.kind == "tickets" else since
            recompute(db, since=scope, customers=_customers_touched(db, schema.kind))
    return ImportSummary(
        schema.kind, source, added, updated, rejected, tuple(errors), since, unchanged=unchanged, ratings=rated
    )


class _RatingWriter:
    """Survey rows derived from a ticket export, checked and written like a surveys import."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._writer: StoreWriter | None = None
        self._validate = BatchValidator(SCHEMAS["surveys"])

    def write(self, records: list[dict[str, str]]) -> None:
        if not records:
            return
        if self._writer is None:
            self._writer = StoreWriter(self.db, SCHEMAS["surveys"])
        rows, _ = self._validate(_record_columns(records, SCHEMAS["surveys"].names), len(records))
        self._writer.write(rows)

    def finish(self, since: dict[str, str]) -> tuple[int, dict[str, str]]:
        """(ratings written, the weeks to recompute with theirs merged in)."""
        if self._writer is None:
            return 0, since
        added, updated, _, touched = self._writer.finish()
        merged = dict(since)
        for team, week in touched.items():
            merged[team] = min(week, merged.get(team, week))
        return added + updated, merged


def _describe(error: FieldError, shown: Mapping[str, str]) -> str:
    """The error in the words of the file's own header (`Created at`, not `created_at`)."""
    if error.column is None:
        return error.message
    return f"column '{shown.get(error.column, error.column)}': {error.message}"


def _cell(value: object) -> str:
    """In-memory values as the text a CSV would hold, so records take the very same checks."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _record_batches(records: Iterable[Mapping[str, object]], schema: Schema, source: str) -> Iterator[_Batch]:
    names = schema.names
    where = source.replace("{", "{{").replace("}", "}}") + " row {line}"
    chunk: list[Mapping[str, object]] = []
    start = 1
    for record in records:
        chunk.append({str(k).strip().lower(): v for k, v in record.items()})
        if len(chunk) >= BATCH_ROWS:
            yield _Batch(list(range(start, start + len(chunk))), _record_columns(chunk, names), [], where)
            start += len(chunk)
            chunk = []
    yield _Batch(list(range(start, start + len(chunk))), _record_columns(chunk, names), [], where)


def _record_columns(chunk: list[Mapping[str, object]], names: Sequence[str]) -> dict[str, Sequence[str]]:
    return {name: [_cell(record.get(name)) for record in chunk] for name in names}


class _CsvReader:
    """Streams a CSV file as batches of columns, checking its shape; nothing holds the whole file."""

    def __init__(self, path: Path, name: str, preset: Preset, schema: Schema, tz: tzinfo | None) -> None:
        self.path, self.name, self.preset, self.schema = path, name, preset, schema
        self.tz = tz
        self.shown: dict[str, str] = {}
        self._raw: io.BufferedReader | None = None
        self._reader: Any = None
        self._where = name.replace("{", "{{").replace("}", "}}") + ":{line}"

    @property
    def bytes_read(self) -> int:
        return self._raw.tell() if self._raw is not None and not self._raw.closed else 0

    def batches(self) -> Iterator[_Batch]:
        try:
            with open(self.path, "rb") as raw:
                self._raw = raw
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                self._reader = csv.reader(text)
                yield from self._batches(self._reader)
        except FileNotFoundError:
            raise UserError("no such file", where=self.name) from None
        except IsADirectoryError:
            raise UserError("is a directory, not a CSV file", where=self.name) from None
        except UnicodeDecodeError:
            raise UserError(self._encoding_problem(), where=f"{self.name}:{self._bad_line()}") from None
        except csv.Error as error:
            line = self._reader.line_num if self._reader is not None else 1
            raise UserError(f"not a readable CSV row ({error})", where=f"{self.name}:{line}") from None

    def _batches(self, reader: Iterator[list[str]]) -> Iterator[_Batch]:
        header = next(reader, None)
        if header is None:
            required = ", ".join(self.schema.required)
            raise UserError(f"the file is empty; expected a header row with {required}", where=f"{self.name}:1")
        positions = self._columns(header)
        width, transform, tz = len(header), self.preset.transform, self.tz or UTC
        if transform is not None:
            source, positions = positions, {name: i for i, name in enumerate(self.schema.names)}
        lines: list[int] = []
        rows: list[Sequence[str]] = []
        problems: list[tuple[int, FieldError]] = []
        ratings: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num
        for fields in reader:
            start, line = line + 1, reader.line_num
            if not fields:
                continue  # a blank line
            if len(fields) != width:
                problems.append(
                    (start, FieldError(None, f"the row has {len(fields)} fields but the header has {width}"))
                )
                continue
            if transform is not None:
                try:
                    values = transform({name: fields[i] for name, i in source.items()}, tz)
                    rating = self.preset.rating(values, tz) if self.preset.rating else None
                except FieldError as error:
                    problems.append((start, error))
                    continue
                fields = [values.get(name) or "" for name in self.schema.names]
                if rating is not None:
                    ratings.append((start, rating))
            rows.append(fields)
            lines.append(start)
            if len(rows) >= BATCH_ROWS:
                yield self._batch(lines, rows, problems, positions, width, ratings)
                lines, rows, problems, ratings = [], [], [], []
        yield self._batch(lines, rows, problems, positions, width, ratings)

    def _batch(self, lines, rows, problems, positions: Mapping[str, int], width: int, ratings) -> _Batch:
        columns = list(zip(*rows, strict=True)) if rows else [()] * max(width, len(positions))
        return _Batch(lines, {name: columns[i] for name, i in positions.items()}, problems, self._where, ratings)

    def _columns(self, header: list[str]) -> dict[str, int]:
        """canonical column -> field index, after checking the header names every required column."""
        where = f"{self.name}:1"
        positions: dict[str, int] = {}
        wanted = {normalise_header(h) for hs in self.preset.sources.values() for h in hs} or set(self.schema.names)
        for index, name in enumerate(header):
            key = normalise_header(name)
            if key in positions and key in wanted:
                raise UserError(f"column '{name.strip()}' appears twice in the header", where=where)
            positions[key] = index
        found = self.preset.resolve(positions)
        for required in self.schema.required:
            if required not in found:
                tool = recognise_export(positions) if not self.preset.sources else None
                hint = f"; this looks like a {tool.capitalize()} export: add --preset {tool}" if tool else ""
                raise UserError(f"missing required column '{self.preset.header_for(required)}'{hint}", where=where)
        self.shown.update({canonical: header[index].strip() for canonical, (index, _) in found.items()})
        return {canonical: index for canonical, (index, _) in found.items()}

    def _encoding_problem(self) -> str:
        return "the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in spreadsheet apps) and import again"

    def _bad_line(self) -> int:
        """The first line that does not decode, found by a second, binary pass (errors only)."""
        with open(self.path, "rb") as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
        return 1
