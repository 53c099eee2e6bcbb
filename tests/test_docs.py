"""The docs are part of the product: every command, option and setting a user can reach is
documented (in the style of sqlite-utils' test_docs.py), and the docs point only to files that exist."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import click
import pytest

from smartstep.cli import main

ROOT = Path(__file__).resolve().parents[1]
INTERFACE = (ROOT / "docs" / "interface.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command a user can type, as (path, command), groups included."""
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if command.hidden:
            continue
        found.append(((*path, name), command))
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
    return found


def section(title: str) -> str:
    """The interface doc's text under `### `title``, up to the next heading."""
    match = re.search(rf"^### `{re.escape(title)}`\n(.*?)(?=^#)", INTERFACE + "\n#", re.S | re.M)
    return match.group(1) if match else ""


def options(command: click.Command) -> list[str]:
    return [
        max(p.opts, key=len)
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden and p.name not in ("help",)
    ]


ALL = commands()


@pytest.mark.parametrize("path,command", ALL, ids=[" ".join(p) for p, _ in ALL])
def test_every_command_and_option_is_in_the_interface_doc(path, command) -> None:
    if isinstance(command, click.Group) and not command.invoke_without_command and not options(command):
        assert f"`smartstep {' '.join(path)}" in INTERFACE  # a group: its subcommands have the sections
        return
    text = section("smartstep " + " ".join(path))
    assert text, f"docs/interface.md has no section ### `smartstep {' '.join(path)}`"
    missing = [o for o in options(command) if f"`{o}" not in text]
    assert missing == [], f"smartstep {' '.join(path)}: options not documented: {missing}"


@pytest.mark.parametrize("name", sorted({p[0] for p, _ in ALL}))
def test_every_command_is_in_the_readme(name) -> None:
    assert f"smartstep {name}" in README


def test_every_global_option_is_documented() -> None:
    missing = [o for o in options(main) if f"`{o}" not in INTERFACE]
    assert missing == []


def environment_variables() -> set[str]:
    """Every variable the settings read, found in the source (the only reader of os.environ)."""
    spec = importlib.util.find_spec("smartstep.settings")
    assert spec is not None and spec.origin is not None
    names = set()
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9_]{2,}", node.value)
        ):
            names.add(node.value)
    return names


def test_every_setting_is_in_both_environment_tables() -> None:
    found = environment_variables()
    assert {"SMARTSTEP_DB", "SLACK_BOT_TOKEN", "SMARTSTEP_DEBUG"} <= found  # the scan sees the settings
    for doc, text in (("docs/interface.md", INTERFACE), ("README.md", README)):
        table = text[text.index("| variable |") :]
        missing = sorted(name for name in found if f"`{name}`" not in table)
        assert missing == [], f"{doc}: environment table lacks {missing}"


def test_links_in_the_docs_point_to_files_that_exist() -> None:
    for doc in (ROOT / "README.md", ROOT / "docs" / "interface.md", ROOT / "rules" / "README.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)} links to missing {target}"


def test_every_document_the_code_cites_exists() -> None:
    """The code once cited an "INTERFACE.md" the repository did not have."""
    cited = set()
    for folder in ("bot", "knowledge", "rules"):
        for path in (ROOT / folder).rglob("*.py"):
            cited |= set(re.findall(r"\b[\w./-]+\.md\b", path.read_text(encoding="utf-8")))
    assert "docs/interface.md" in cited
    assert sorted(c for c in cited if not (ROOT / c).exists()) == []
