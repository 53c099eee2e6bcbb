"""YAML rule files → a validated RuleSet, or every problem at once with file:line:col.

Files are composed (never constructed) by the safe loader so no tag can build a Python
object, every node keeps its position, and duplicate keys (which PyYAML silently
merges) are caught. Size, node and depth limits refuse a huge or alias-bomb file fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from smartstep.errors import UserError
from smartstep.names import did_you_mean
from smartstep.rules.files import NotReadable, read_regular_file, rule_files
from smartstep.rules.model import LEAF_KINDS, Rule, RuleFile

MAX_FILE_BYTES = 2_000_000
MAX_FILES = 200
MAX_NODES = 100_000
MAX_DEPTH = 32
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_NOT_PLAIN_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


class _Loader(_Base):
    """The safe loader with a shortcut for the common scalar: a plain word is a string.

    PyYAML resolves every scalar's tag in Python; rule files are mostly words, so this
    halves the load time without changing what any value means.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        plain_word = kind is yaml.ScalarNode and implicit[0] and value[:1].isalpha()
        if plain_word and value.lower() not in _NOT_PLAIN_WORDS:
            return _STR
        return super().resolve(kind, value, implicit)


Path_ = tuple[Any, ...]
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}
_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, order=True)
class RuleProblem:
    """One problem in a rule file, printed the way compilers and linters do."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        tail = " (warning)" if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.col}: {self.message}{tail}"


@dataclass(frozen=True)
class RuleSource:
    """Where a rule (and each of its examples) is written, for lint and test reports."""

    path: str
    line: int
    col: int
    examples: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    sources: dict[str, RuleSource] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    signals: Mapping[str, str] = field(default_factory=dict)  # the registry the rules were checked against

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def ids(self) -> list[str]:
        return [r.id for r in self.rules]


class RuleBaseError(UserError):
    """A rule base that cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        self.problems = tuple(problems)
        more = f" (and {len(problems) - 1} more problems; run `smartstep rules lint`)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


def default_rules_path() -> Path:
    return Path(str(resources.files("smartstep.rules").joinpath("default")))


def load_rules(paths: Path | Iterable[Path], signals: Mapping[str, str] | None = None) -> RuleSet:
    """Load and validate; raise RuleBaseError naming every problem if any is an error.

    `signals` names every per-team signal the caller can compute (name -> meaning); a rule on
    any other signal is a problem."""
    ruleset, problems = check_rules(paths, signals)
    errors = [p for p in problems if p.severity == "error"]
    if errors or ruleset is None:
        raise RuleBaseError(errors or [RuleProblem("<rules>", 1, 1, "no rules found")])
    return ruleset


def check_rules(
    paths: Path | Iterable[Path], signals: Mapping[str, str] | None = None
) -> tuple[RuleSet | None, list[RuleProblem]]:
    """Every problem in the rule base, sorted by position; the RuleSet when there are no errors."""
    signals = dict(signals or {})
    files = rule_files(paths)
    problems: list[RuleProblem] = []
    if not files:
        shown = ", ".join(str(p) for p in ([paths] if isinstance(paths, Path) else paths))
        return None, [RuleProblem(shown or "<rules>", 1, 1, "no rule files (*.yaml) found")]
    if len(files) > MAX_FILES:
        return None, [
            RuleProblem(str(files[0].parent), 1, 1, f"too many rule files ({len(files)}; at most {MAX_FILES})")
        ]
    rules: list[Rule] = []
    sources: dict[str, RuleSource] = {}
    for path in files:
        file_rules, file_problems = _load_file(path, signals)
        problems += file_problems
        for rule, src in file_rules:
            first = sources.get(rule.id)
            if first is not None:
                where = f"{first.path}:{first.line}"
                problems.append(
                    RuleProblem(src.path, src.line, src.col, f"duplicate rule id '{rule.id}' (first at {where})")
                )
                continue
            rules.append(rule)
            sources[rule.id] = src
    problems.sort()
    if any(p.severity == "error" for p in problems):
        return None, problems
    return RuleSet(tuple(rules), sources, tuple(str(f) for f in files), signals), problems


def _display(path: Path) -> str:
    """The path relative to the working directory when it is below it. Links are not followed:
    a rule file is named as the user named it, and a symlink loop cannot raise here."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


SourcedRules = list[tuple[Rule, RuleSource]]
"""A file's rules in the order written, each with where it is written (ids may repeat)."""


def _load_file(path: Path, signals: Mapping[str, str]) -> tuple[SourcedRules, list[RuleProblem]]:
    name = _display(path)
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
        text = raw.decode("utf-8")
    except NotReadable as refused:
        return [], [RuleProblem(name, 1, 1, str(refused))]
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line, col = before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
        return [], [RuleProblem(name, line, col, "not UTF-8 text; save the file as UTF-8")]
    except OSError as error:
        return [], [RuleProblem(name, 1, 1, f"cannot read the file: {error.strerror or error}")]
    return parse_rules_text(text, name, signals)


def parse_rules_text(
    text: str, name: str, signals: Mapping[str, str] | None = None
) -> tuple[SourcedRules, list[RuleProblem]]:
    """Parse one file's text; `name` is how problems refer to it."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        where = (
            f" ({error.context} at line {error.context_mark.line + 1})" if error.context and error.context_mark else ""
        )
        return [], [RuleProblem(name, line, col, f"not valid YAML: {error.problem or error.context}{where}")]
    except (yaml.YAMLError, RecursionError):
        return [], [RuleProblem(name, 1, 1, "not valid YAML (or nested too deeply)")]
    if root is None:
        return [], [RuleProblem(name, 1, 1, "the file is empty; expected a mapping with a 'rules:' list")]
    tree = _Tree(name)
    data = tree.convert(root)
    if tree.fatal:
        return [], tree.problems
    try:
        parsed = RuleFile.model_validate(data, context={"signals": signals or {}})
    except ValidationError as error:
        return [], tree.problems + [tree.problem_for(e, data) for e in error.errors()]
    if tree.problems:
        return [], tree.problems
    pairs = []
    for i, rule in enumerate(parsed.rules):
        line, col = tree.position(("rules", i))
        examples = tuple(tree.position(("rules", i, "examples", j)) for j in range(len(rule.examples)))
        pairs.append((rule, RuleSource(name, line, col, examples)))
    return pairs, []


class _Tree:
    """Plain data from YAML nodes, remembering where each path was written."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.marks: dict[Path_, yaml.Mark] = {}
        self.key_marks: dict[Path_, yaml.Mark] = {}
        self.problems: list[RuleProblem] = []
        self.count = 0
        self.fatal = False

    def _fail(self, mark: yaml.Mark, message: str) -> None:
        self.problems.append(RuleProblem(self.name, mark.line + 1, mark.column + 1, message))

    def convert(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.count += 1
        if self.count > MAX_NODES or len(path) > MAX_DEPTH:
            if not self.fatal:
                self.fatal = True
                why = (
                    f"more than {MAX_NODES:,} values (aliases expanded)"
                    if self.count > MAX_NODES
                    else "nested too deeply"
                )
                self._fail(node.start_mark, f"file is too complex: {why}")
            return None
        self.marks[path] = node.start_mark
        if node.tag not in _PLAIN_TAGS:
            self.fatal = True
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self._fail(node.start_mark, f"tag '{tag}' is not allowed; rule files hold plain data only")
            return None
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else _SCALARS.construct_object(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(child, (*path, i)) for i, child in enumerate(node.value)]
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(key_node.start_mark, "a key must be a plain name")
                continue
            if key_node.tag == _MERGE:
                self.fatal = True
                self._fail(key_node.start_mark, "merge keys ('<<') are not allowed; write each rule's fields out")
                continue
            if key_node.tag not in _PLAIN_TAGS:
                self.fatal = True
                tag = key_node.tag.replace("tag:yaml.org,2002:", "!!")
                self._fail(key_node.start_mark, f"tag '{tag}' is not allowed on a key; a key must be a plain name")
                continue
            key = key_node.value if key_node.tag == _STR else _SCALARS.construct_object(key_node)
            key = key if isinstance(key, str) else str(key)
            if key in out:
                first = self.key_marks[(*path, key)]
                self._fail(key_node.start_mark, f"duplicate key '{key}' (first at line {first.line + 1})")
                continue
            self.key_marks[(*path, key)] = key_node.start_mark
            out[key] = self.convert(value_node, (*path, key))
        return out

    def position(self, path: Path_) -> tuple[int, int]:
        mark = self.marks.get(path) or self.marks[()]
        return mark.line + 1, mark.column + 1

    def resolve(self, loc: Path_, data: Any) -> tuple[Path_, bool, bool]:
        """The deepest written path a pydantic loc reaches; whether it ended on a key; whether all of loc matched."""
        path: Path_ = ()
        node = data
        for i, part in enumerate(loc):
            if part == "[key]":
                return path, True, True
            in_map = isinstance(node, dict) and part in node
            if in_map or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
                path, node = (*path, part), node[part]
            elif i == len(loc) - 1:
                return path, False, False
        return path, False, True

    def problem_for(self, error: Any, data: Any) -> RuleProblem:
        loc = tuple(error["loc"])
        if error["type"] == "why_field":
            loc = (*loc, "why")
        path, on_key, _ = self.resolve(loc, data)
        kind = error["type"]
        if kind == "extra_forbidden" or on_key:
            mark = self.key_marks.get(path) or self.marks[path]
        else:
            mark = self.marks.get(path) or self.marks[()]
        message = _message(error, loc, _lookup(data, path))
        if kind == "condition_kind" and isinstance(error.get("input"), dict) and "kind" in error["input"]:
            mark = self.marks.get((*path, "kind"), mark)
        return RuleProblem(self.name, mark.line + 1, mark.column + 1, message)


def _lookup(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _field_names() -> list[str]:
    from smartstep.rules import model

    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == model.__name__:
            names.update(info.alias or name for name, info in obj.model_fields.items())
    return sorted(names)


def _allowed_fields(parent: Path_) -> list[str]:
    """The fields of the model at a pydantic loc, so an unknown field can be told what fits."""
    from smartstep.rules import model

    last = parent[-1] if parent else None
    by_tag = {"all": model.AllOf, "any": model.AnyOf, "not": model.NotOf}
    chosen: Any = None
    if isinstance(last, str) and last in model.LEAF_MODELS:
        chosen = model.LEAF_MODELS[last]
    elif isinstance(last, str) and last in by_tag:
        chosen = by_tag[last]
    elif isinstance(last, int) and len(parent) >= 2 and parent[-2] in ("rules", "examples"):
        chosen = model.Rule if parent[-2] == "rules" else model.Example
    elif last in ("requires", "stage"):
        chosen = model.Requires if last == "requires" else model.StageRequirement
    if chosen is None:
        return []
    return [info.alias or name for name, info in chosen.model_fields.items()]


def _message(error: Any, loc: Path_, value: Any) -> str:
    kind = error["type"]
    fields = [p for p in loc if isinstance(p, str) and p != "[key]"]
    name = fields[-1] if fields else "value"
    if kind == "missing":
        return f"missing required field '{loc[-1]}'"
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed or _field_names())
        if hint or not allowed:
            return f"unknown field '{loc[-1]}'{hint}"
        return f"unknown field '{loc[-1]}'; expected one of: {', '.join(allowed)}"
    if kind == "condition_kind":
        given = error.get("input")
        if isinstance(given, dict) and "kind" in given:
            return f"unknown condition kind '{given['kind']}'{did_you_mean(str(given['kind']), LEAF_KINDS)}"
        return str(error["msg"])
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        given = str(error["input"])
        return f"'{name}' must be one of {', '.join(expected)}; got '{given}'{did_you_mean(given, expected)}"
    if kind in (
        "unknown_metric",
        "why_field",
        "grading",
        "one_bound",
        "one_size",
        "context_direction",
        "out_of_scale",
        "one_of",
    ):
        return str(error["msg"])
    if kind == "finite_number":
        return f"'{name}' must be a finite number; got {error.get('input')!r}"
    msg = str(error["msg"])
    return f"'{name}': {msg[0].lower()}{msg[1:]}, got {error.get('input')!r}"
