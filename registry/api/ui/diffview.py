"""The data behind the web UI's diff page: two schema texts side by side, with findings.

Pure functions over texts, parsed schemas and engine findings (no web, no storage):

* :func:`pretty` is the text as the page shows it (JSON re-indented, key order kept);
* :func:`side_by_side` aligns the two pretty texts line by line;
* :func:`finding_views` anchors every compatibility finding in both texts, with the rule's
  title and explanation from the catalogue and the counterexample, if any;
* :func:`verdicts` judges a candidate at every compatibility level but NONE.

Line numbers are 1-based and always refer to the *pretty* texts, so the page can point at
the rows :func:`side_by_side` returns.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.compatibility import Direction, Finding, check_compatibility, rule_catalogue
from registry.domain import CompatibilityLevel, CompatibilityPolicy
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from registry.formats.lines import line_for, pointer_lines

#: The levels :func:`verdicts` judges, in the order the page lists them.
LEVELS: tuple[CompatibilityLevel, ...] = (
    CompatibilityLevel.BACKWARD,
    CompatibilityLevel.BACKWARD_TRANSITIVE,
    CompatibilityLevel.FORWARD,
    CompatibilityLevel.FORWARD_TRANSITIVE,
    CompatibilityLevel.FULL,
    CompatibilityLevel.FULL_TRANSITIVE,
)

EQUAL = "equal"
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"


def pretty(text: str) -> str:
    """The schema text as the UI shows it.

    JSON is re-indented with 2 spaces, keys in their original order and non-ASCII characters
    kept as written; text that is not JSON (or nests too deeply to parse) is returned unchanged.
    """
    try:
        return _dumps(json.loads(text))
    except (ValueError, RecursionError):
        return text


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One row of the side-by-side diff.

    ``kind`` is ``equal``, ``changed``, ``added`` or ``removed``. A side without a line (the
    old side of an added line, the new side of a removed one) has number None and text ``""``.
    """

    kind: str
    old_no: int | None
    old_text: str
    new_no: int | None
    new_text: str


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """Both pretty texts aligned line by line.

    Uses :class:`difflib.SequenceMatcher` opcodes (without the autojunk heuristic). A
    ``replace`` block pairs its lines one to one as ``changed`` rows; the lines left over on the
    longer side become ``removed`` (old side longer) or ``added`` (new side longer) rows whose
    other side is empty.
    """
    a = pretty(old).splitlines()
    b = pretty(new).splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        # equal blocks have the same length on both sides; insert/delete have one side empty
        paired = min(i2 - i1, j2 - j1)
        kind = EQUAL if tag == "equal" else CHANGED
        rows += [DiffRow(kind, i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(paired)]
        rows += [DiffRow(REMOVED, i + 1, a[i], None, "") for i in range(i1 + paired, i2)]
        rows += [DiffRow(ADDED, None, "", j + 1, b[j]) for j in range(j1 + paired, j2)]
    return rows


@dataclass(frozen=True, slots=True)
class FindingView:
    """One engine finding as the diff page shows it, anchored in both pretty texts.

    ``old_pointer``/``new_pointer`` are JSON pointers into the old and new schema documents,
    ``old_line``/``new_line`` their lines in the pretty texts (the deepest existing ancestor's
    line for a pointer the text lacks, line 1 when nothing matches). ``example`` is the
    counterexample as indented JSON, None when the engine found none.
    """

    rule_id: str
    title: str
    explanation: str
    message: str
    direction: str
    breaks: str
    old_pointer: str
    new_pointer: str
    old_line: int
    new_line: int
    example: str | None


def finding_views(old: str, new: str, findings: Sequence[Finding]) -> list[FindingView]:
    """Each engine finding anchored in both texts, in the order given.

    For a BACKWARD finding the NEW schema is the reader (``reader_path`` points into it) and the
    OLD one the writer (``writer_path``); for FORWARD it is the other way round. Rules missing
    from :func:`~registry.compatibility.rule_catalogue` are titled by their id.
    """
    catalogue = rule_catalogue()
    old_text, new_text = pretty(old), pretty(new)
    old_lines, new_lines = pointer_lines(old_text), pointer_lines(new_text)
    views: list[FindingView] = []
    for finding in findings:
        inc = finding.incompatibility
        if finding.direction is Direction.BACKWARD:
            old_pointer, new_pointer = inc.writer_path, inc.reader_path
        else:
            old_pointer, new_pointer = inc.reader_path, inc.writer_path
        rule = catalogue.get(inc.rule_id)
        views.append(
            FindingView(
                rule_id=inc.rule_id,
                title=inc.rule_id if rule is None else rule.title,
                explanation="" if rule is None else rule.description,
                message=inc.message,
                direction=finding.direction.value,
                breaks=finding.breaks,
                old_pointer=old_pointer,
                new_pointer=new_pointer,
                old_line=line_for(old_text, old_pointer, old_lines),
                new_line=line_for(new_text, new_pointer, new_lines),
                example=_dumps(inc.example) if inc.has_example else None,
            )
        )
    return views


def _dumps(value: Any) -> str:
    """``value`` as JSON indented by 2, non-ASCII kept unless it cannot be encoded as UTF-8."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=_jsonable)
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800") stays escaped
        return json.dumps(value, indent=2, default=_jsonable)
    return text


def _jsonable(value: Any) -> Any:
    """Avro bytes as their JSON encoding (ISO-8859-1 text); anything else as its string."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return str(value)


@dataclass(frozen=True, slots=True)
class LevelVerdict:
    """The verdict of a candidate at one level: ``rules`` are the distinct rule ids, sorted."""

    level: CompatibilityLevel
    compatible: bool
    findings: int
    rules: tuple[str, ...]


def verdicts(
    candidate: ParsedSchema,
    history: Sequence[tuple[int, ParsedSchema]],
    policy: CompatibilityPolicy,
) -> list[LevelVerdict]:
    """The verdict of ``candidate`` at every level except NONE, in the order of :data:`LEVELS`.

    ``history`` is the earlier versions (version number, parsed schema), oldest first:
    non-transitive levels judge against the last one only, transitive ones against all (as
    :meth:`CompatibilityLevel.pick_versions` picks). With no history every level passes.
    """
    fmt = get_format(candidate.schema_type)
    out: list[LevelVerdict] = []
    for level in LEVELS:
        result = check_compatibility(fmt, candidate, history, level, policy)
        rules = tuple(sorted({f.rule_id for f in result.findings}))
        out.append(LevelVerdict(level, result.is_compatible, len(result.findings), rules))
    return out
