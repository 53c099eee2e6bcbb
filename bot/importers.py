"""CSV (and in-memory record) imports: stream, validate, write, recompute — all or nothing.

One import is one `db.atomic()` block holding every row write and the metric recompute, so a
bad row on line 900,000 or a crash leaves the store exactly as it was. Files are read as a
stream in batches; nothing holds the whole file. Every refusal names the file, the line
(the header is line 1) and the column, in the words of the file's own header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, tzinfo
from pathlib import Path

import sqlite_utils
from smartstep.csv_schema import KINDS, SCHEMAS, FieldError, RowValidator, Schema, normalise_header
from smartstep.errors import UserError
from smartstep.import_store import StoreWriter
from smartstep.presets import Preset, get_preset

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
) -> ImportSummary:
    """Import one CSV file of `kind`; `progress(bytes_read)` is called after each batch."""
    schema = _schema(kind)
    reader = _CsvReader(Path(path), str(path), get_preset(preset, kind), schema, tz)
    tick = (lambda: progress(reader.bytes_read)) if progress else None
    rows, validate = reader.rows(), RowValidator(schema, tz)
    return _import(db, schema, str(path), rows, validate, skip_bad_rows, tick, reader.shown)


def import_records(
    db: sqlite_utils.Database,
    kind: str,
    records: Iterable[Mapping[str, object]],
    *,
    source: str = "records",
) -> ImportSummary:
    """Import rows already in memory (keyed by the CSV column names), with the same checks and writes."""
    schema = _schema(kind)
    rows = ((f"{source} row {n}", record) for n, record in enumerate(records, start=1))
    return _import(db, schema, source, rows, RowValidator(schema), False, None, {})


def _schema(kind: str) -> Schema:
    if kind not in SCHEMAS:
        raise UserError(f"unknown import kind {kind!r}; choose one of {', '.join(KINDS)}", exit_code=2)
    return SCHEMAS[kind]


_Item = tuple[str, Mapping[str, object] | FieldError]


def _import(
    db: sqlite_utils.Database,
    schema: Schema,
    source: str,
    rows: Iterator[_Item] | Iterable[_Item],
    validate: RowValidator,
    skip_bad_rows: bool,
    tick: Callable[[], None] | None,
    shown: Mapping[str, str],
) -> ImportSummary:
    from smartstep.metric_store import recompute

    errors: list[str] = []
    rejected = 0
    with db.atomic():
        writer = StoreWriter(db, schema)
        batch: list[dict[str, object]] = []
        for where, raw in rows:
            try:
                if isinstance(raw, FieldError):
                    raise raw
                batch.append(validate(raw))
            except FieldError as error:
                message = _describe(error, shown)
                if not skip_bad_rows:
                    raise UserError(message, where=where) from None
                rejected += 1
                if len(errors) < MAX_ERRORS_KEPT:
                    errors.append(f"{where}: {message}")
                continue
            if len(batch) >= BATCH_ROWS:
                writer.write(batch)
                batch = []
                if tick:
                    tick()
        writer.write(batch)
        added, updated, since = writer.finish()
        recompute(db, since=since)
    if tick:
        tick()
    return ImportSummary(schema.kind, source, added, updated, rejected, tuple(errors), since)


def _describe(error: FieldError, shown: Mapping[str, str]) -> str:
    """The error in the words of the file's own header (`Created at`, not `created_at`)."""
    if error.column is None:
        return error.message
    return f"column '{shown.get(error.column, error.column)}': {error.message}"


class _CsvReader:
    """Streams a CSV file as (where, values keyed by canonical column) pairs, checking its shape."""

    def __init__(self, path: Path, name: str, preset: Preset, schema: Schema, tz: tzinfo | None) -> None:
        self.path, self.name, self.preset, self.schema = path, name, preset, schema
        self.tz = tz
        self.shown: dict[str, str] = {}
        self._raw: io.BufferedReader | None = None

    @property
    def bytes_read(self) -> int:
        return self._raw.tell() if self._raw is not None and not self._raw.closed else 0

    def rows(self) -> Iterator[_Item]:
        try:
            with open(self.path, "rb") as raw:
                self._raw = raw
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                yield from self._records(csv.reader(text))
        except FileNotFoundError:
            raise UserError("no such file", where=self.name) from None
        except IsADirectoryError:
            raise UserError("is a directory, not a CSV file", where=self.name) from None
        except UnicodeDecodeError:
            raise UserError(self._encoding_problem(), where=f"{self.name}:{self._bad_line()}") from None
        except csv.Error as error:
            raise UserError(f"not a readable CSV row ({error})", where=self.name) from None

    def _records(self, reader: Iterator[list[str]]) -> Iterator[_Item]:
        header = next(reader, None)
        if header is None:
            raise UserError(
                f"the file is empty; expected a header row starting {', '.join(self.schema.required)}",
                where=f"{self.name}:1",
            )
        columns = self._columns(header)
        width = len(header)
        transform, tz = self.preset.transform, self.tz or UTC
        line = reader.line_num  # type: ignore[attr-defined]
        for fields in reader:
            start, line = line + 1, reader.line_num  # type: ignore[attr-defined]
            if not fields:
                continue  # a blank line
            where = f"{self.name}:{start}"
            if len(fields) != width:
                yield where, FieldError(None, f"the row has {len(fields)} fields but the header has {width}")
                continue
            values = {name: fields[index] for name, index in columns}
            if transform is not None:
                try:
                    values = transform(values, tz)
                except FieldError as error:
                    yield where, error
                    continue
            yield where, values

    def _columns(self, header: list[str]) -> list[tuple[str, int]]:
        where = f"{self.name}:1"
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            key = normalise_header(name)
            if key in positions and key:
                raise UserError(f"column '{name.strip()}' appears twice in the header", where=where)
            positions[key] = index
        found = self.preset.resolve(positions)
        for required in self.schema.required:
            if required not in found:
                raise UserError(f"missing required column '{self.preset.header_for(required)}'", where=where)
        self.shown.update({canonical: header[index].strip() for canonical, (index, _) in found.items()})
        return [(canonical, index) for canonical, (index, _) in found.items()]

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
