"""The Avro checker against independent implementations and real data.

* Differential: our verdict equals Apache Avro's ``ReaderWriterCompatibilityChecker`` (PyPI
  ``avro``) on hand-written pairs and on hypothesis-generated schemas and mutations of them,
  except for the listed, explained cases where Apache's Python port departs from the
  specification.
* Soundness: whenever we say compatible, records written with the writer schema are read with
  the reader schema by fastavro without error; whenever we attach a counterexample, fastavro
  really fails to read it.
* Apicurio Registry's Avro compatibility cases (third-party data outside this repository, found
  by ``tests/support/shared.py``; absent, they skip saying so, and fail under CI).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import random
import warnings
from typing import Any

import avro.schema
import fastavro
import pytest
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from fastavro.utils import generate_many
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from registry.errors import InvalidSchema
from registry.formats.avro import AvroFormat
from registry.formats.avro.counterexamples import roundtrip
from registry.formats.avro.examples import Generator
from registry.formats.base import ParsedSchema
from tests.support.schemas import field as fld
from tests.support.schemas import record as rec
from tests.support.shared import conformance_path, require

AVRO = AvroFormat()
APICURIO_AVRO = conformance_path("apicurio-registry-avro", "compatibility-test-data.json")
PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]


def apache_compatible(reader: Any, writer: Any) -> bool:
    """Apache Avro's verdict: can ``reader`` read what ``writer`` wrote?"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Apache warns about ignored logical types
        r = avro.schema.parse(json.dumps(reader))
        w = avro.schema.parse(json.dumps(writer))
    result = ReaderWriterCompatibilityChecker().get_compatibility(r, w)
    return bool(result.compatibility is SchemaCompatibilityType.compatible)


def ours_compatible(reader: Any, writer: Any) -> bool:
    return AVRO.check(AVRO.parse(json.dumps(reader)), AVRO.parse(json.dumps(writer))) == []


def enum(symbols: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": "E", "symbols": symbols, **extra}


# (reader, writer) pairs; both directions are compared with Apache.
CORPUS: list[tuple[Any, Any]] = [
    (rec("R", fld("a", "int")), rec("R", fld("a", "int"))),
    (rec("R", fld("a", "int"), fld("b", "string")), rec("R", fld("a", "int"))),
    (rec("R", fld("a", "int"), fld("b", "string", default="")), rec("R", fld("a", "int"))),
    (rec("R", fld("a", "long")), rec("R", fld("a", "int"))),
    (rec("R", fld("a", "double")), rec("R", fld("a", "float"))),
    (rec("R", fld("a", "bytes")), rec("R", fld("a", "string"))),
    (rec("R", fld("a", "boolean")), rec("R", fld("a", "int"))),
    (rec("R", fld("a", ["null", "int"])), rec("R", fld("a", "int"))),
    (rec("R", fld("a", ["null", "long"])), rec("R", fld("a", "int"))),
    (rec("R", fld("a", ["string", "null"])), rec("R", fld("a", ["null", "string", "int"]))),
    (enum(["A", "B"]), enum(["A"])),
    (enum(["A", "B"], default="A"), enum(["A", "B", "C"])),
    ({"type": "fixed", "name": "F", "size": 4}, {"type": "fixed", "name": "F", "size": 8}),
    ({"type": "fixed", "name": "F", "size": 4}, {"type": "fixed", "name": "G", "size": 4}),
    ({"type": "array", "items": "long"}, {"type": "array", "items": "int"}),
    ({"type": "map", "values": "int"}, {"type": "map", "values": "long"}),
    ({"type": "map", "values": "int"}, {"type": "array", "items": "int"}),
    (rec("New", fld("a", "int"), aliases=["Old"]), rec("Old", fld("a", "int"))),
    (rec("New", fld("a", "int")), rec("Old", fld("a", "int"))),
    (rec("R", fld("b", "int", aliases=["a"])), rec("R", fld("a", "int"))),
    (rec("R", fld("b", "int")), rec("R", fld("a", "int"))),
    (
        rec("L", fld("v", "long"), fld("next", ["null", "L"])),
        rec("L", fld("v", "int"), fld("next", ["null", "L"])),
    ),
    (
        rec("T", fld("kids", {"type": "array", "items": "T"}), fld("x", "int", default=1)),
        rec("T", fld("kids", {"type": "array", "items": "T"})),
    ),
    (["null", "string", "long"], "int"),
    (["null", "string"], "int"),
    ("string", ["null", "string"]),
    (rec("R", fld("e", enum(["X"]))), rec("R")),
    (
        rec("R", fld("u", ["null", rec("S", fld("x", "int"), fld("y", "int"))])),
        rec("R", fld("u", ["null", rec("S", fld("x", "int"))])),
    ),
    ({"type": "long", "logicalType": "timestamp-millis"}, "long"),
    ({"type": "string", "logicalType": "uuid"}, "bytes"),
]

# Pairs where Apache Avro's Python port departs from the specification, with the reason.
EXPLAINED: list[tuple[Any, Any, bool, str]] = [
    (
        rec("New", fld("a", "int"), namespace="ns", aliases=["Old"]),
        rec("Old", fld("a", "int"), namespace="ns"),
        True,
        "An alias is 'relative to the namespace of the name it aliases' (spec, Aliases), so "
        "'Old' in namespace ns means ns.Old; Apache's Python port compares the raw alias text "
        "with the writer's full name (Java and fastavro resolve it).",
    ),
    (
        rec("New", fld("a", "int"), namespace="ns", aliases=["Old"]),
        rec("Old", fld("a", "int")),
        False,
        "The same rule the other way: 'Old' in namespace ns is ns.Old, not the writer's Old in "
        "the null namespace (Java's Schema.getAliases() agrees); the Python port matches the "
        "raw text.",
    ),
]


@pytest.mark.parametrize(("reader", "writer"), CORPUS, ids=[str(i) for i in range(len(CORPUS))])
def test_hand_written_pairs_agree_with_apache_avro(reader: Any, writer: Any) -> None:
    assert ours_compatible(reader, writer) == apache_compatible(reader, writer)
    assert ours_compatible(writer, reader) == apache_compatible(writer, reader)


@pytest.mark.parametrize("rule", AvroFormat.rules, ids=lambda r: r.id)
def test_rule_examples_agree_with_apache_avro(rule: Any) -> None:
    assert not apache_compatible(rule.reader, rule.writer)
    assert ours_compatible(rule.writer, rule.writer) and apache_compatible(rule.writer, rule.writer)


@pytest.mark.parametrize(("reader", "writer", "ours", "why"), EXPLAINED)
def test_explained_departures_from_apache_python(
    reader: Any, writer: Any, ours: bool, why: str
) -> None:
    assert ours_compatible(reader, writer) is ours
    assert apache_compatible(reader, writer) is not ours, why
    writer_schema, reader_schema = AVRO.parse(json.dumps(writer)), AVRO.parse(json.dumps(reader))
    if ours:  # fastavro reads it
        roundtrip(writer_schema.compiled, reader_schema.compiled, {"a": 1})


@pytest.mark.parametrize(("reader", "writer"), CORPUS, ids=[str(i) for i in range(len(CORPUS))])
def test_hand_written_pairs_are_sound(reader: Any, writer: Any) -> None:
    assert_sound(AVRO.parse(json.dumps(reader)), AVRO.parse(json.dumps(writer)))
    assert_sound(AVRO.parse(json.dumps(writer)), AVRO.parse(json.dumps(reader)))


def assert_sound(reader: ParsedSchema, writer: ParsedSchema) -> None:
    """Compatible: sampled writer records read back; incompatible: examples really fail.

    Our verdict, like Apache Avro's, ignores logical types, which fastavro applies when it
    reads (a reader ``uuid`` on a writer ``string`` fails on non-UUID text), so the compatible
    case round-trips through the schemas without their logical types.
    """
    found = AVRO.check(reader, writer)
    if not found:
        plain_writer = fastavro.parse_schema(without_logical_types(writer.document))
        plain_reader = fastavro.parse_schema(without_logical_types(reader.document))
        records = AVRO.examples(writer, 5, seed=7) + sample(writer.compiled.root, plain_writer)
        for record in records:
            buffer = io.BytesIO()
            fastavro.schemaless_writer(buffer, plain_writer, record)
            buffer.seek(0)
            # The specification promotes bytes to string; fastavro decodes the random,
            # non-UTF-8 bytes its generator makes strictly. Our own examples are UTF-8.
            with contextlib.suppress(UnicodeDecodeError):
                fastavro.schemaless_reader(buffer, plain_writer, plain_reader)
        return
    for inc in found:
        if inc.has_example:
            assert AVRO.validate(writer, inc.example) == []
            with pytest.raises(Exception):  # noqa: B017 - any fastavro resolution error will do
                roundtrip(writer.compiled, reader.compiled, inc.example)


def without_logical_types(doc: Any) -> Any:
    if isinstance(doc, list):
        return [without_logical_types(d) for d in doc]
    if isinstance(doc, dict):
        return {k: without_logical_types(v) for k, v in doc.items() if k != "logicalType"}
    return doc


def sample(root: Any, plain: Any) -> list[Any]:
    """Records from fastavro's own (independent) generator, plus non-empty steered ones."""
    steered = [Generator(random.Random(i), {}).value(root) for i in range(2)]
    try:
        return steered + list(generate_many(plain, 3))
    except RecursionError:  # fastavro's generator does not bound recursive schemas
        return steered


# --- generated schemas ----------------------------------------------------------------------------


def _union(branches: list[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[str] = set()
    for branch in branches:
        for b in branch if isinstance(branch, list) else [branch]:
            key = b if isinstance(b, str) else b["type"]
            key = "named" + str(len(out)) if key in ("record", "enum", "fixed") else key
            if key not in seen:
                seen.add(key)
                out.append(b)
    return out


def _record(fields: list[tuple[Any, bool]]) -> dict[str, Any]:
    out = []
    for i, (type_, with_default) in enumerate(fields):
        field: dict[str, Any] = {"name": f"f{i}", "type": type_}
        default = default_for(type_)
        if with_default and default is not _NONE:
            field["default"] = default
        out.append(field)
    return {"type": "record", "name": "?", "fields": out}


_NONE = object()
_PRIMITIVE_DEFAULTS: dict[str, Any] = {
    "null": None,
    "boolean": False,
    "int": 0,
    "long": 0,
    "float": 0.5,
    "double": 0.5,
    "bytes": "",
    "string": "",
}


def default_for(type_: Any) -> Any:
    """A valid default for a generated type, or ``_NONE``."""
    if isinstance(type_, str):
        return _PRIMITIVE_DEFAULTS.get(type_, _NONE)
    if isinstance(type_, dict) and type_["type"] in _PRIMITIVE_DEFAULTS:
        return _PRIMITIVE_DEFAULTS[type_["type"]]
    if isinstance(type_, list):
        return default_for(type_[0]) if type_ else _NONE
    kind = type_["type"]
    if kind == "enum":
        return type_["symbols"][0]
    if kind == "fixed":
        return "\u0000" * type_["size"]
    if kind in ("array", "map"):
        return [] if kind == "array" else {}
    values = {f["name"]: default_for(f["type"]) for f in type_["fields"]}
    return _NONE if any(v is _NONE for v in values.values()) else values


_leaf = st.one_of(
    st.sampled_from(PRIMITIVES),
    st.builds(
        lambda syms, d: {
            "type": "enum",
            "name": "?",
            "symbols": syms,
            **({"default": syms[0]} if d else {}),
        },
        st.lists(st.sampled_from("ABCD"), min_size=1, max_size=4, unique=True),
        st.booleans(),
    ),
    st.builds(lambda n: {"type": "fixed", "name": "?", "size": n}, st.integers(1, 4)),
    st.sampled_from(
        [
            {"type": "long", "logicalType": "timestamp-millis"},
            {"type": "int", "logicalType": "date"},
            {"type": "string", "logicalType": "uuid"},
            {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2},
        ]
    ),
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda c: {"type": "array", "items": c}, children),
        st.builds(lambda c: {"type": "map", "values": c}, children),
        st.lists(children, min_size=1, max_size=3).map(_union),
        st.lists(st.tuples(children, st.booleans()), max_size=4).map(_record),
    )


_types = st.recursive(_leaf, _extend, max_leaves=8)
writers = st.lists(st.tuples(_types, st.booleans()), min_size=1, max_size=5).map(_record)


def name_types(doc: Any, counter: list[int], prefix: str) -> Any:
    """Give every named type ("?") a fresh, unique name."""
    if isinstance(doc, list):
        return [name_types(b, counter, prefix) for b in doc]
    if isinstance(doc, dict):
        out = {k: name_types(v, counter, prefix) for k, v in doc.items()}
        if out.get("name") == "?":
            counter[0] += 1
            out["name"] = f"{prefix}{counter[0]}"
        if "fields" in out:
            out["fields"] = [
                {**f, "type": name_types(f["type"], counter, prefix)} for f in doc["fields"]
            ]
        return out
    return doc


def _walk(doc: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(doc, list):
        for b in doc:
            _walk(b, out)
    elif isinstance(doc, dict):
        out.append(doc)
        for key in ("items", "values"):
            if key in doc:
                _walk(doc[key], out)
        for f in doc.get("fields", []):
            out.append(f)
            _walk(f["type"], out)
    return out


_PROMOTE = {
    "int": "long",
    "long": "int",
    "float": "double",
    "double": "float",
    "string": "bytes",
    "bytes": "string",
    "null": "boolean",
    "boolean": "int",
}


def _retype(field: dict[str, Any], new: Any) -> None:
    field["type"] = new
    had = "default" in field
    field.pop("default", None)
    default = default_for(new)
    if had and default is not _NONE:
        field["default"] = default


def mutate(doc: Any, ops: list[tuple[str, int]]) -> Any:
    """The reader: the writer changed by a few schema-evolution steps."""
    doc = copy.deepcopy(doc)
    fresh = [0]
    for op, n in ops:
        nodes = _walk(doc, [])
        fields = [
            x
            for x in nodes
            if "name" in x and "type" in x and x.get("type") not in ("record", "enum", "fixed")
        ]
        records = [x for x in nodes if x.get("type") == "record"]
        enums = [x for x in nodes if x.get("type") == "enum"]
        named = [x for x in nodes if x.get("type") in ("record", "enum", "fixed")]
        fixeds = [x for x in nodes if x.get("type") == "fixed"]
        fresh[0] += 1
        if op == "add_field" and records:
            r = records[n % len(records)]
            new = {"name": f"n{fresh[0]}", "type": PRIMITIVES[n % 8]}
            if n % 2:
                new["default"] = _PRIMITIVE_DEFAULTS[new["type"]]
            r["fields"].append(new)
        elif op == "drop_field" and records and any(r["fields"] for r in records):
            r = [r for r in records if r["fields"]][n % len([r for r in records if r["fields"]])]
            r["fields"].pop(n % len(r["fields"]))
        elif op == "retype" and fields:
            _retype(fields[n % len(fields)], PRIMITIVES[n // 7 % 8])
        elif op == "promote" and fields:
            f = fields[n % len(fields)]
            if isinstance(f["type"], str):
                _retype(f, _PROMOTE[f["type"]])
        elif op == "nullable" and fields:
            f = fields[n % len(fields)]
            t = f["type"]
            if isinstance(t, list):
                _retype(
                    f,
                    t[: max(1, len(t) - 1)]
                    if n % 2
                    else [*t, *(p for p in PRIMITIVES[n % 8 : n % 8 + 1] if p not in t)],
                )
            else:
                _retype(f, ["null", t] if t != "null" else ["null", "int"])
        elif op == "enum" and enums:
            e = enums[n % len(enums)]
            if n % 3 == 0 and len(e["symbols"]) > 1:
                e["symbols"].pop()
            elif n % 3 == 1:
                e["symbols"].append("Z")
            elif "default" in e:
                del e["default"]
            else:
                e["default"] = e["symbols"][0]
        elif op == "fixed" and fixeds:
            fixeds[n % len(fixeds)]["size"] += 1
        elif op == "namespace" and named:
            t = named[n % len(named)]
            t["name"] = f"moved{fresh[0]}." + t["name"].rpartition(".")[2]
        elif op == "rename" and named:
            t = named[n % len(named)]
            old, t["name"] = t["name"], f"M{fresh[0]}"
            if n % 2:
                t["aliases"] = [old]
        elif op == "rename_field" and fields:
            f = fields[n % len(fields)]
            old, f["name"] = f["name"], f"r{fresh[0]}"
            if n % 2:
                f["aliases"] = [old]
    return doc


OPS = [
    "add_field",
    "drop_field",
    "retype",
    "promote",
    "nullable",
    "enum",
    "fixed",
    "rename",
    "rename_field",
    "namespace",
]
mutations = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 10_000)), min_size=1, max_size=3
)


def _parse_or_reject(doc: Any) -> ParsedSchema:
    try:
        return AVRO.parse(json.dumps(doc))
    except InvalidSchema:
        assume(False)
        raise


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(writers, mutations)
def test_generated_pairs_agree_with_apache_and_are_sound(
    writer_doc: Any, ops: list[tuple[str, int]]
) -> None:
    writer_doc = name_types(writer_doc, [0], "T")
    writer_doc["name"] = "Root"
    reader_doc = mutate(writer_doc, ops)
    writer, reader = _parse_or_reject(writer_doc), _parse_or_reject(reader_doc)
    for r, w, rd, wd in (
        (reader, writer, reader_doc, writer_doc),
        (writer, reader, writer_doc, reader_doc),
    ):
        # Apache's Python port reads aliases as raw text (see EXPLAINED): qualify them first.
        apache = apache_compatible(qualify_aliases(rd, ""), qualify_aliases(wd, ""))
        assert (AVRO.check(r, w) == []) == apache, (rd, wd, AVRO.check(r, w))
        assert_sound(r, w)
    assert AVRO.check(writer, writer) == []


def qualify_aliases(doc: Any, namespace: str) -> Any:
    """The document with every named-type alias written as the full name it stands for."""
    if isinstance(doc, list):
        return [qualify_aliases(d, namespace) for d in doc]
    if not isinstance(doc, dict):
        return doc
    out = dict(doc)
    if doc.get("type") in ("record", "enum", "fixed"):
        name = doc["name"]
        namespace = name.rpartition(".")[0] if "." in name else doc.get("namespace", namespace)
        out["aliases"] = [
            a if "." in a or not namespace else f"{namespace}.{a}" for a in doc.get("aliases", [])
        ]
    for key in ("items", "values"):
        if key in doc:
            out[key] = qualify_aliases(doc[key], namespace)
    if "fields" in doc:
        out["fields"] = [
            {**f, "type": qualify_aliases(f["type"], namespace)} for f in doc["fields"]
        ]
    return out


# --- Apicurio Registry's cases --------------------------------------------------------------------


def _apicurio_cases() -> list[Any]:
    if not APICURIO_AVRO.is_file():  # the test skips or fails saying so
        return [pytest.param(None, id="absent")]
    tests = json.loads(APICURIO_AVRO.read_text(encoding="utf-8"))["tests"]
    return [
        pytest.param(case, id=f"{i}-{case['id']}")
        for i, case in enumerate(tests)
        if case.get("enabled", True)
    ]


@pytest.mark.parametrize("case", _apicurio_cases())
def test_apicurio_avro_compatibility_cases(case: dict[str, Any]) -> None:
    require(APICURIO_AVRO)
    original = AVRO.parse(json.dumps(case["original"]))
    updated = AVRO.parse(json.dumps(case["updated"]))
    backward = AVRO.check(updated, original) == []
    forward = AVRO.check(original, updated) == []
    expected = {"backward": (True, False), "both": (True, True), "none": (False, False)}
    assert (backward, forward) == expected[case["compatibility"]]


def test_fastavro_round_trip_helper_reads_what_it_wrote() -> None:
    schema = AVRO.parse(json.dumps(rec("R", fld("a", "int"))))
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema.compiled.fastavro, {"a": 5})
    assert roundtrip(schema.compiled, schema.compiled, {"a": 5}) == {"a": 5}
