"""From a JSON pointer into a schema document to the line of the schema file where it is.

The gate's annotations (GitHub, SARIF, JUnit) and the web UI's diff point at a line. The
engine reports JSON pointers (RFC 6901), so this module scans the file's text once, recording
the line where each pointer's value starts (for an object member, the line of its key), and
answers with the deepest prefix of the pointer that exists in the file: a removed field points
at its parent's line. Anything that cannot be scanned falls back to line 1.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from json import decoder

from registry.formats.base import json_depth

_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_WS = " \t\r\n"
MAX_DEPTH = 200

# The stdlib's JSON string scanner (C-accelerated); typeshed does not declare it.
scanstring: Callable[[str, int], tuple[str, int]] = decoder.scanstring  # type: ignore[attr-defined]


def escape_token(token: str) -> str:
    """Escape one reference token of a JSON pointer (``~`` then ``/``)."""
    return token.replace("~", "~0").replace("/", "~1")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [i for i, char in enumerate(text) if char == "\n"]
        self.lines: dict[str, int] = {}

    def line(self, pos: int) -> int:
        return bisect_right(self.newlines, pos - 1) + 1

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WS:
            self.pos += 1

    def expect(self, char: str) -> None:
        self.skip()
        if self.text[self.pos : self.pos + 1] != char:
            raise ValueError(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def value(self, pointer: str) -> None:
        self.skip()
        self.lines.setdefault(pointer, self.line(self.pos))
        char = self.text[self.pos : self.pos + 1]
        if char == "{":
            self.members(pointer)
        elif char == "[":
            self.items(pointer)
        elif char == '"':
            _, self.pos = scanstring(self.text, self.pos + 1)
        else:
            match = _SCALAR.match(self.text, self.pos)
            if match is None:
                raise ValueError(f"unexpected {char!r} at {self.pos}")
            self.pos = match.end()

    def members(self, pointer: str) -> None:
        self.pos += 1
        self.skip()
        if self.text[self.pos : self.pos + 1] == "}":
            self.pos += 1
            return
        while True:
            self.skip()
            start = self.pos
            self.expect('"')
            key, self.pos = scanstring(self.text, self.pos)
            child = f"{pointer}/{escape_token(key)}"
            self.lines.setdefault(child, self.line(start))
            self.expect(":")
            self.value(child)
            self.skip()
            if self.text[self.pos : self.pos + 1] == ",":
                self.pos += 1
                continue
            self.expect("}")
            return

    def items(self, pointer: str) -> None:
        self.pos += 1
        self.skip()
        if self.text[self.pos : self.pos + 1] == "]":
            self.pos += 1
            return
        index = 0
        while True:
            self.value(f"{pointer}/{index}")
            index += 1
            self.skip()
            if self.text[self.pos : self.pos + 1] == ",":
                self.pos += 1
                continue
            self.expect("]")
            return


def pointer_lines(text: str) -> dict[str, int]:
    """Every JSON pointer in ``text`` with its 1-based line; ``{}`` when it cannot be scanned."""
    if json_depth(text) > MAX_DEPTH:
        return {}
    scanner = _Scanner(text)
    try:
        scanner.value("")
    except (ValueError, IndexError, RecursionError):
        return {}
    return scanner.lines


def line_for(text: str, pointer: str, lines: dict[str, int] | None = None) -> int:
    """The line of ``pointer`` in ``text``, else of its deepest existing ancestor, else 1."""
    table = pointer_lines(text) if lines is None else lines
    current = pointer.lstrip("#")
    while True:
        if current in table:
            return table[current]
        if not current:
            return 1
        current = current.rsplit("/", 1)[0]


def syntax_error_line(text: str) -> int:
    """The line of the first JSON syntax error in ``text``, or 1 when it is valid JSON."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.lineno
    except (RecursionError, ValueError):
        return 1
    return 1
