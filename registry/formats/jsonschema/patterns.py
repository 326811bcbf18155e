"""Patterns that jsonschema-rs matches exactly as Python's ``re.search`` does.

The ``jsonschema`` package runs ``pattern`` and ``patternProperties`` with Python's ``re``;
jsonschema-rs with an ECMA-262 dialect on Rust's ``regex`` crate. They agree on a plain subset
and differ around it: ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are Unicode-aware in Python and
ASCII in ECMA-262, ``(?i)``, ``(?P<name>)``, ``\\Z`` and possessive quantifiers are Python
only, ``[]a]`` and ``a{,2}`` mean different things, and Python's ``$`` also matches before a
final newline (``^[a-z]+$`` accepts ``"abc\\n"``).

:func:`rs_pattern` accepts the subset whose meaning is the same in both (literal characters,
escaped punctuation, ``\\n \\t \\r \\f \\v``, ``.``, classes of those with ranges, groups ``(``
and ``(?:``, ``|``, ``^``, ``$`` and the quantifiers ``* + ? {n} {n,} {n,m}`` with their lazy
forms) and returns the pattern to give jsonschema-rs, where each ``$`` becomes ``\\n?$``, which
is Python's ``$`` wherever nothing but the end of the pattern may follow it (so a ``$`` that
anything else may follow puts the pattern outside the subset). A schema with a pattern outside
the subset is validated with ``jsonschema`` (:mod:`fast`).
"""

from __future__ import annotations

import functools
import re
import string

_ESCAPABLE = frozenset(string.punctuation) - {"<", ">"}  # \< and \> are word boundaries in Rust
_CONTROL = frozenset("ntrfv")
_QUANTIFIER = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_SET_OPERATORS = ("&&", "--", "~~", "||")


class _Unportable(Exception):
    pass


@functools.lru_cache(maxsize=4096)
def rs_pattern(pattern: str) -> str | None:
    """The pattern jsonschema-rs must be given to match exactly as ``re.search(pattern)``.

    ``None`` when ``pattern`` is outside the subset both engines read the same way (or is not
    a Python regular expression at all).
    """
    try:
        tokens = _tokens(pattern)
        _check_ends(tokens)
        re.compile(pattern)  # after the tokens, which refuse what makes re warn ("[[", "--")
    except (re.error, _Unportable, RecursionError):
        return None
    return "".join("\\n?$" if kind == "$" else text for kind, text in tokens)


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; kinds: ``atom``, ``(``, ``)``, ``|``, ``^``, ``$``, ``quant``."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            _escape(pattern, i)
            tokens.append(("atom", pattern[i : i + 2]))
            i += 2
        elif c == "[":
            end = _class_end(pattern, i)
            tokens.append(("atom", pattern[i:end]))
            i = end
        elif c == "(":
            if pattern.startswith("(?:", i):
                tokens.append(("(", "(?:"))
                i += 3
            elif pattern.startswith("(?", i):
                raise _Unportable
            else:
                tokens.append(("(", "("))
                i += 1
        elif c in ")|^$":
            tokens.append((c, c))
            i += 1
        elif c in "*+?{":
            i = _quantifier(pattern, i, tokens)
        elif c in "]}":
            raise _Unportable
        else:
            tokens.append(("atom", c))
            i += 1
    return tokens


def _escape(pattern: str, i: int) -> None:
    if i + 1 >= len(pattern):
        raise _Unportable
    escaped = pattern[i + 1]
    if escaped not in _ESCAPABLE and escaped not in _CONTROL:
        raise _Unportable


def _class_end(pattern: str, start: int) -> int:
    """The index after the class opening at ``start``."""
    i, n = start + 1, len(pattern)
    if i < n and pattern[i] == "^":
        i += 1
    if i < n and pattern[i] == "]":  # "[]a]": a literal "]" in Python, an empty class in ECMA
        raise _Unportable
    while i < n and pattern[i] != "]":
        if pattern[i] == "\\":
            _escape(pattern, i)
            i += 2
        elif pattern[i] == "[" or pattern.startswith(_SET_OPERATORS, i):
            raise _Unportable
        else:
            i += 1
    if i >= n:
        raise _Unportable
    return i + 1


def _quantifier(pattern: str, i: int, tokens: list[tuple[str, str]]) -> int:
    if pattern[i] == "{":
        match = _QUANTIFIER.match(pattern, i)
        if match is None:
            raise _Unportable
        end = match.end()
    else:
        end = i + 1
    if not tokens or tokens[-1][0] not in ("atom", ")"):
        raise _Unportable
    if end < len(pattern) and pattern[end] == "?":
        end += 1
    tokens.append(("quant", pattern[i:end]))
    return end


def _check_ends(tokens: list[tuple[str, str]]) -> None:
    """Every ``$`` may be followed by nothing but the end of the pattern.

    After it may come ``$``, ``)`` (of a group not quantified) and ``|`` (whose alternative
    is skipped to the end of its group); anything else could match the final newline Python's
    ``$`` leaves unconsumed.
    """
    for index, (kind, _) in enumerate(tokens):
        if kind != "$":
            continue
        j = index + 1
        while j < len(tokens):
            kind = tokens[j][0]
            if kind == "$":
                j += 1
            elif kind == ")":
                if j + 1 < len(tokens) and tokens[j + 1][0] == "quant":
                    raise _Unportable
                j += 1
            elif kind == "|":
                j = _group_close(tokens, j)
            else:
                raise _Unportable


def _group_close(tokens: list[tuple[str, str]], start: int) -> int:
    """The index of the ``)`` closing the group holding ``start`` (``len(tokens)``: none)."""
    depth = 0
    for j in range(start + 1, len(tokens)):
        kind = tokens[j][0]
        if kind == "(":
            depth += 1
        elif kind == ")":
            if depth == 0:
                return j
            depth -= 1
    return len(tokens)
