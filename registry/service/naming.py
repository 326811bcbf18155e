"""Names and small values of the use cases: callers, registrations, subjects, versions."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass

from registry import errors
from registry.domain import SchemaInput, SchemaType, StoredSchema
from registry.formats.base import ParsedSchema

MAX_SUBJECT_LENGTH = 255
LATEST = -1


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, for the audit log and permission checks."""

    actor: str | None = None
    remote: str | None = None


ANONYMOUS = Caller()


@dataclass(frozen=True, slots=True)
class Registration:
    """The outcome of a registration."""

    id: int
    version: int
    subject: str
    schema: StoredSchema
    created: bool
    parsed: ParsedSchema | None = None


def validate_subject(subject: str) -> str:
    """Refuse the subject names Confluent refuses, and two more (42208).

    Confluent takes any name without control characters that does not start with its context
    wildcard ``:*:`` (``QualifiedSubject.isValidSubject``): ``test/Alias`` and ``a\\b`` are
    fine, and reach the routes as one percent-encoded segment (``registry.api.rawpath``). This
    registry also bounds the length, and refuses ``.`` and ``..``, which HTTP clients and
    proxies remove from paths as dot segments (Confluent's Jetty refuses them as ambiguous).
    """
    if not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise errors.InvalidSubject(
            f"Invalid subject: must be 1 to {MAX_SUBJECT_LENGTH} characters long"
        )
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in subject):
        raise errors.InvalidSubject("Invalid subject: control characters are not allowed")
    if subject in (".", ".."):
        raise errors.InvalidSubject(f"Invalid subject '{subject}': '.' and '..' are not allowed")
    if subject.startswith(":*:"):
        raise errors.InvalidSubject(
            f"Invalid subject '{subject}': ':*:' is the context wildcard, not a subject"
        )
    return subject


_VERSION_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")
VERSION_PATTERN = r"^([+-]?[0-9]+|[Ll][Aa][Tt][Ee][Ss][Tt])$"


def parse_version(value: str | int) -> int:
    """A version path parameter: a positive integer, ``latest`` or -1 (returned as -1)."""
    if isinstance(value, int):
        number = value
    elif str(value).lower() == "latest":
        return LATEST
    else:
        # Java's Integer.parseInt, as Confluent reads it: an optional sign and ASCII digits
        # (Python's int() would also take spaces, underscores and other scripts' digits).
        text = str(value)
        number = int(text) if _VERSION_NUMBER.fullmatch(text) else 0
    if number == LATEST:
        return LATEST
    if number < 1 or number > 2**31 - 1:
        raise errors.InvalidVersion(
            f"The specified version '{value}' is not a valid version id. Allowed values are "
            'between [1, 2^31-1] and the string "latest"'
        )
    return number


def schema_identity(parsed: ParsedSchema, schema: SchemaInput) -> str:
    """The hash of everything that makes a schema distinct: type, canonical form and
    references (the parsed fingerprint), metadata and ruleSet. One identity, one global id."""
    extra = json.dumps([schema.metadata, schema.rule_set], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{parsed.fingerprint}|{extra}".encode()).hexdigest()


def parse_guid(text: str) -> str:
    """A GUID as given in a path or an import, in its canonical form (SchemaNotFound when it
    is not a UUID: no schema can have it)."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise errors.SchemaNotFound(f"Schema {text} not found") from None


JSON_SCHEMA_MARKERS = ("$schema", "properties", "$defs", "definitions", "$ref", "allOf", "oneOf")


def looks_like_json_schema(text: str) -> bool:
    """Whether schema text that failed as Avro reads like a JSON Schema (a clue for the error)."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    if not isinstance(document, dict):
        return False
    if document.get("type") in ("object", "string", "number", "integer", "boolean", "array"):
        return document.get("type") != "array" or "items" in document
    return any(marker in document for marker in JSON_SCHEMA_MARKERS)


def schema_type_of(value: str | None) -> SchemaType:
    """Parse a wire ``schemaType``."""
    return SchemaType.parse(value)
