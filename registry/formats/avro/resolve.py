"""Can a reader schema read what a writer schema wrote? Avro's schema resolution, as findings.

This follows the "Schema Resolution" section of the Avro specification
(https://avro.apache.org/docs/1.11.1/specification/#schema-resolution):

* primitives match when equal or when the writer's type promotes to the reader's
  (int to long, float or double; long to float or double; float to double; string to bytes and
  bytes to string);
* records, enums and fixed types match when their unqualified names are equal or a reader alias
  names the writer's type ("Aliases"); fields match by name or by a reader field alias, writer-only
  fields are skipped, and a reader field the writer lacks needs a default;
* a writer enum symbol the reader lacks is an error unless the reader enum has a default;
* fixed sizes must be equal; arrays and maps resolve their items and values;
* a writer union is readable when each of its branches is; a non-union writer is read by the
  FIRST reader union branch that matches it;
* logical types are ignored, as Apache Avro's own ``SchemaCompatibility`` ignores them.

Recursive types terminate because each (reader, writer) pair of named types is checked once.
Each finding remembers the union branches and enum symbols the writer took to reach it, so a
counterexample generator can be steered there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.formats.avro.schema import AvroCompiled, Node, pointer
from registry.formats.avro.types import NAMED_KINDS, PRIMITIVES
from registry.formats.base import Incompatibility

FIELD_ADDED = "avro.field-added-without-default"
TYPE_MISMATCH = "avro.type-mismatch"
PROMOTION = "avro.type-promotion-invalid"
BRANCH_REMOVED = "avro.union-branch-removed"
NO_BRANCH = "avro.union-branch-missing"
SYMBOL_REMOVED = "avro.enum-symbol-removed"
FIXED_SIZE = "avro.fixed-size-changed"
NAME_MISMATCH = "avro.name-mismatch"


@dataclass(slots=True)
class Found:
    """An incompatibility and the writer choices (union branch, enum symbol) that reach it."""

    incompatibility: Incompatibility
    steer: dict[int, Any] = field(default_factory=dict)


def shallow_match(reader: Node, writer: Node) -> bool:
    """Whether two non-union schemas "match" in the specification's sense (not recursively)."""
    if reader.kind in PRIMITIVES and writer.kind in PRIMITIVES:
        return reader.kind == writer.kind or reader.kind in PRIMITIVES[writer.kind].promotes_to
    if reader.kind != writer.kind:
        return False
    return reader.kind not in NAMED_KINDS or names_match(reader, writer)


def names_match(reader: Node, writer: Node) -> bool:
    """Equal unqualified names, or a reader alias equal to the writer's full name."""
    return reader.short_name == writer.short_name or writer.name in reader.aliases


def first_branch(reader: Node, writer: Node) -> int | None:
    """The index of the first reader union branch that matches ``writer``, if any."""
    for i, branch in enumerate(reader.branches):
        if shallow_match(branch, writer):
            return i
    return None


# A place in a schema document: (base, what, tokens). The JSON pointer is ``base`` (a pointer,
# or another place) extended by ``tokens``; ``what`` names the place for messages (a phrase, or
# a (field, record) pair). Both are spelled out only when a finding needs them: plain tuples
# keep the walk fast on schemas with thousands of fields.
_At = tuple[Any, Any, tuple[str | int, ...]]


def _what(at: _At) -> str:
    what = at[1]
    if isinstance(what, tuple):
        return f"field '{what[0]}' of record '{what[1]}'"
    return str(what)


def _path(at: _At) -> str:
    base, _, tokens = at
    return pointer(base if isinstance(base, str) else _path(base), *tokens)


class Resolver:
    """Walks a reader and a writer schema together and collects every incompatibility."""

    def __init__(self, reader: AvroCompiled, writer: AvroCompiled) -> None:
        self.reader = reader
        self.writer = writer
        self.found: list[Found] = []
        self._seen: set[tuple[int, int]] = set()
        self._trail: dict[int, Any] = {}

    def run(self) -> list[Found]:
        """Check the root schemas; the findings, in document order."""
        root: _At = ("", "the root schema", ())
        self.check(self.reader.root, self.writer.root, root, root)
        return self.found

    def _r(self, parent: Node, at: _At, *tokens: str | int, what: str | None = None) -> _At:
        return _step(self.reader.local, parent, at, tokens, what)

    def _w(self, parent: Node, at: _At, *tokens: str | int, what: str | None = None) -> _At:
        return _step(self.writer.local, parent, at, tokens, what)

    def _report(
        self, rule: str, message: str, ra: _At, wa: _At, extra: dict[int, Any] | None = None
    ) -> None:
        trail = dict(self._trail)
        trail.update(extra or {})
        self.found.append(Found(Incompatibility(rule, message, _path(ra), _path(wa)), trail))

    def check(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        """Report everything that stops ``r`` reading data written with ``w``."""
        if r.kind == w.kind and r.kind in PRIMITIVES:
            return
        if w.kind == "union":
            self._writer_union(r, w, ra, wa)
        elif r.kind == "union":
            self._reader_union(r, w, ra, wa)
        elif r.kind in PRIMITIVES and w.kind in PRIMITIVES:
            self._primitives(r, w, ra, wa)
        elif r.kind != w.kind:
            self._report(
                TYPE_MISMATCH,
                f"{_cap(_what(ra))} is {r.describe()} in the reader but {w.describe()} in the "
                f"writer, and Avro cannot resolve {w.kind} data to a {r.kind}",
                ra,
                wa,
            )
        elif r.kind in NAMED_KINDS and not names_match(r, w):
            self._report(
                NAME_MISMATCH,
                f"{_cap(_what(ra))} is {r.describe()} in the reader but {w.describe()} in the "
                f"writer; the unqualified names differ and no reader alias names '{w.name}'",
                ra,
                wa,
            )
        elif r.kind == "record":
            self._record(r, w, ra, wa)
        elif r.kind == "enum":
            self._enum(r, w, ra, wa)
        elif r.kind == "fixed":
            self._fixed(r, w, ra, wa)
        else:
            self._container(r, w, ra, wa)

    def _writer_union(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        for i, branch in enumerate(w.branches):
            bw = self._w(w, wa, i)
            self._trail[id(w)] = i
            if r.kind == "union":
                j = first_branch(r, branch)
                target = None if j is None else r.branches[j]
                br = ra if j is None else self._r(r, ra, j)
            else:
                target = r if shallow_match(r, branch) else None
                br = ra
            if target is None:
                self._report(
                    BRANCH_REMOVED,
                    f"{_cap(_what(wa))} may be {branch.describe()} in the writer (union branch "
                    f"{i}) but the reader ({r.describe()}) has nothing that can read it",
                    br,
                    bw,
                )
            else:
                self.check(target, branch, br, bw)
            del self._trail[id(w)]

    def _reader_union(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        j = first_branch(r, w)
        if j is None:
            self._report(
                NO_BRANCH,
                f"{_cap(_what(ra))} is {r.describe()} in the reader, and none of its branches can "
                f"read the writer's {w.describe()}",
                ra,
                wa,
            )
            return
        self.check(r.branches[j], w, self._r(r, ra, j), wa)

    def _primitives(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        reader, writer = PRIMITIVES[r.kind], PRIMITIVES[w.kind]
        if r.kind == w.kind or r.kind in writer.promotes_to:
            return
        if reader.numeric and writer.numeric:
            self._report(
                PROMOTION,
                f"{_cap(_what(ra))} is {w.kind} in the writer but {r.kind} in the reader; Avro "
                "promotes only int to long, float or double, long to float or double, and float "
                "to double, never the other way",
                ra,
                wa,
            )
            return
        self._report(
            TYPE_MISMATCH,
            f"{_cap(_what(ra))} is {r.kind} in the reader but {w.kind} in the writer, and Avro "
            f"cannot resolve {w.kind} data to {r.kind}",
            ra,
            wa,
        )

    def _record(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        key = (id(r), id(w))
        if key in self._seen:
            return
        self._seen.add(key)
        r_local, w_local = id(r) in self.reader.local, id(w) in self.writer.local
        index = w.field_index
        for i, rf in enumerate(r.fields):
            wf = index.get(rf.name)
            if wf is None and rf.aliases:
                wf = next((index[a] for a in rf.aliases if a in index), None)
            if wf is None:
                if not rf.has_default:
                    self._report(
                        FIELD_ADDED,
                        f"Field '{rf.name}' of record '{r.name}' is new in the reader and has "
                        "no default, so records written without it cannot be read",
                        self._r(r, ra, "fields", i),
                        self._w(w, wa, "fields"),
                    )
                continue
            what = (rf.name, r.name)
            self.check(
                rf.type,
                wf.type,
                (r.path, what, ("fields", i, "type")) if r_local else (ra, what, ()),
                (w.path, what, ("fields", wf.index, "type")) if w_local else (wa, what, ()),
            )

    def _enum(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        symbols = set(r.symbols)
        missing = [s for s in w.symbols if s not in symbols]
        if not missing or r.has_default:
            return
        self._report(
            SYMBOL_REMOVED,
            f"Enum '{r.name}' ({_what(ra)}) lacks the writer symbol(s) {', '.join(missing)} and "
            "has no default, so data carrying them cannot be read",
            self._r(r, ra, "symbols"),
            self._w(w, wa, "symbols"),
            extra={id(w): missing[0]},
        )

    def _fixed(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        if r.size != w.size:
            self._report(
                FIXED_SIZE,
                f"Fixed '{r.name}' ({_what(ra)}) is {w.size} bytes in the writer but {r.size} in "
                "the reader, and fixed sizes must be equal",
                self._r(r, ra, "size"),
                self._w(w, wa, "size"),
            )

    def _container(self, r: Node, w: Node, ra: _At, wa: _At) -> None:
        key = "items" if r.kind == "array" else "values"
        assert r.child is not None and w.child is not None
        what = f"the {key} of {_what(ra)}"
        self.check(r.child, w.child, self._r(r, ra, key, what=what), self._w(w, wa, key, what=what))


def _step(
    local: frozenset[int], parent: Node, at: _At, tokens: tuple[str | int, ...], what: str | None
) -> _At:
    """The place of a child: under the parent's definition when the parent is in this document,
    else (a type from a reference) the place in this document where it is used."""
    if id(parent) in local:
        return (parent.path, at[1] if what is None else what, tokens)
    return at if what is None else (at, what, ())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else "The schema"


def resolve(reader: AvroCompiled, writer: AvroCompiled) -> list[Found]:
    """Every incompatibility stopping ``reader`` from reading data written with ``writer``."""
    return Resolver(reader, writer).run()
