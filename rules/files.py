"""Which files a rule path names, and reading one safely: plain files only, never unbounded.

The rule base is read at start-up and on every reload while serving, so a path that is a
pipe (blocks forever) or a link to a device such as /dev/zero (endless bytes) must be
refused by name before it is opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path


def rule_files(paths: Path | Iterable[Path]) -> list[Path]:
    """The YAML files a path names: the file itself, or a directory's *.yaml/*.yml, sorted.

    In a directory, a *.yaml entry that is not a plain file (a pipe, a link to a device) is listed
    too, so the reader refuses it by name instead of it vanishing from the rule base unnoticed. A
    link to nothing is skipped: that is what an editor's lock file (`.#backlog.yaml`) looks like."""
    out: list[Path] = []
    for path in [paths] if isinstance(paths, Path) else paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and _listed(p))
        else:
            out.append(path)
    return out


def _listed(entry: Path) -> bool:
    if entry.is_symlink() and not entry.exists():
        return False  # dangling (or a loop): nothing to read, nothing an author wrote
    return not entry.is_dir()


class NotReadable(Exception):
    """A rule path that must not be read: not a regular file, or too large."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The file's bytes, after `os.stat` says it is a regular file of a sane size.

    A FIFO would block the reader forever and a link to /dev/zero would fill memory, so
    neither is opened. The read is bounded too, in case the file is swapped after the check.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotReadable(f"not a regular file ({_file_type(info.st_mode)}); rule files must be plain files")
    if info.st_size > limit:
        raise NotReadable(f"file is too large ({info.st_size:,} bytes; at most {limit:,})")
    with open(path, "rb") as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise NotReadable(f"file is too large (more than {limit:,} bytes)")
    return raw


def _file_type(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))
    kinds += ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a plain file")
