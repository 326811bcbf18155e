"""The code blocks of the documentation, with what the tests are to do with each.

Every fenced block of README.md and docs/ in a language a user would run or paste (bash, sh,
console, python, toml, yaml), indented in a list item or not, carries a directive in an HTML
comment on the line before its fence:

    <!-- doc-test: run -->                    run it, in a sandbox, against a real esr serve
    <!-- doc-test: run; setup: CMD -->        the same, after CMD (files the block assumes)
    <!-- doc-test: run; exit: N -->           every command must exit with N (default 0)
    <!-- doc-test: run; servers: a, b -->     more servers, reached as http://a:8081 ...
    <!-- doc-test: parse -->                  parse every `esr` command and check every
                                              REGISTRY_* variable against Settings (for blocks
                                              that need a cloud or a remote host)
    <!-- doc-test: tool.esr -->               a [tool.esr] table the gate must load
    <!-- doc-test: workflow -->               a GitHub workflow using the composite action
    <!-- doc-test: contract -->               a contract file that loads, naming known subjects
    <!-- doc-test: make-run -->               `make run` must serve (a test of its own runs it)
    <!-- doc-test: skip: REASON -->           not run, and why

Readers see nothing of it; a block without a directive fails the tests, so nobody adds a command
to the docs without deciding how it is checked.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNABLE = frozenset({"bash", "sh", "shell", "console", "python", "toml", "yaml"})
# A fence at the start of a line, or indented (inside a list item), closed at the same indentation.
_FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^\1```[ \t]*$", re.S | re.M)
_DIRECTIVE = re.compile(r"<!--\s*doc-test:\s*(.*?)\s*-->\s*\n$")


@dataclass(frozen=True)
class Block:
    """One fenced block and its directive."""

    path: Path
    line: int
    language: str
    body: str
    directive: str | None

    @property
    def where(self) -> str:
        """``README.md:35`` (for test ids and messages)."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def action(self) -> str:
        """``run``, ``parse``, ``skip``... (the directive's first word)."""
        return (self.directive or "").split(";")[0].split(":")[0].strip()

    def option(self, name: str) -> str | None:
        """The value of ``name: value`` among the directive's ``;``-separated parts."""
        for part in (self.directive or "").split(";")[1:]:
            key, _, value = part.partition(":")
            if key.strip() == name:
                return value.strip()
        return None


def documents() -> list[Path]:
    """README.md and every Markdown page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks() -> list[Block]:
    """Every runnable block of the documentation, in order."""
    found = []
    for path in documents():
        text = path.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            language = match.group(2).lower()
            if language not in RUNNABLE:
                continue
            before = text[: match.start()]
            directive = _DIRECTIVE.search(before[-400:])
            found.append(
                Block(
                    path,
                    before.count("\n") + 1,
                    language,
                    textwrap.dedent(match.group(3)),
                    directive.group(1) if directive else None,
                )
            )
    return found


@dataclass(frozen=True)
class Command:
    """One shell command of a block and the output documented under it, if any."""

    text: str
    expected: str | None


def commands(body: str) -> list[Command]:
    """The commands of a shell block: continuation lines joined, ``$ `` prompts stripped,
    output lines of a console block dropped, and a ``# {...}`` or ``# [...]`` comment right
    after a command kept as its documented output."""
    found: list[Command] = []
    lines = body.splitlines()
    console = any(line.startswith("$ ") for line in lines)
    pending = ""
    for raw in lines:
        line = raw.rstrip()
        if console:
            if not line.startswith("$ "):
                continue
            line = line[2:]
        stripped = line.strip()
        if pending:
            pending += " " + stripped.removesuffix("\\").strip()
            if not stripped.endswith("\\"):
                found.append(Command(pending, None))
                pending = ""
            continue
        if not stripped:
            continue
        if stripped.startswith("#"):
            comment = stripped[1:].strip()
            if found and found[-1].expected is None and comment[:1] in ("{", "["):
                found[-1] = Command(found[-1].text, comment)
            continue
        if stripped.endswith("\\"):
            pending = stripped.removesuffix("\\").strip()
        else:
            found.append(Command(stripped, None))
    return found


def shell_words(command: str) -> list[str]:
    """The words of a command without trailing comments and leading ``VAR=value`` pairs."""
    import shlex

    words = shlex.split(command, comments=True)
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        words.pop(0)
    return words


def assignments(command: str) -> dict[str, str]:
    """The ``VAR=value`` pairs in front of a command."""
    import shlex

    found = {}
    for word in shlex.split(command, comments=True):
        match = re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(.*)", word)
        if match is None:
            break
        found[match.group(1)] = match.group(2)
    return found
