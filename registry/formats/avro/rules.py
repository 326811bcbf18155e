"""The catalogue of Avro compatibility rules, each with an example pair that breaks it.

Every rule cites the "Schema Resolution" section of the Avro specification
(https://avro.apache.org/docs/1.11.1/specification/#schema-resolution). The example ``writer``
and ``reader`` documents break the rule in the BACKWARD direction: the reader cannot read some
data the writer allows (a test checks that the checker reports exactly that rule for them).
"""

from __future__ import annotations

from typing import Any

from registry.formats.avro.resolve import (
    BRANCH_REMOVED,
    FIELD_ADDED,
    FIXED_SIZE,
    NAME_MISMATCH,
    NO_BRANCH,
    PROMOTION,
    SYMBOL_REMOVED,
    TYPE_MISMATCH,
)
from registry.formats.base import Rule

_SPEC = "Avro specification, 'Schema Resolution'"


def _record(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "shop", "fields": list(fields)}


RULES: tuple[Rule, ...] = (
    Rule(
        FIELD_ADDED,
        "Reader field missing from the writer has no default",
        f"{_SPEC}: 'if the reader's record schema has a field with no default value, and the "
        "writer's schema does not have a field with the same name, an error is signalled'. "
        "Fields match by name or by a reader field alias.",
        writer=_record("OrderPlaced", {"name": "id", "type": "string"}),
        reader=_record(
            "OrderPlaced",
            {"name": "id", "type": "string"},
            {"name": "currency", "type": "string"},
        ),
    ),
    Rule(
        TYPE_MISMATCH,
        "Reader and writer types cannot be resolved",
        f"{_SPEC}: the schemas must 'match': equal primitive types, a permitted promotion, "
        "records, enums or fixed types of the same name, or arrays and maps whose items or "
        "values match. A record cannot read a string, a string cannot read an int, and so on.",
        writer=_record("Payment", {"name": "amount", "type": "string"}),
        reader=_record("Payment", {"name": "amount", "type": "int"}),
    ),
    Rule(
        PROMOTION,
        "Numeric type narrowed",
        f"{_SPEC}: the writer's type may be promoted to the reader's only as int to long, "
        "float or double; long to float or double; float to double. Narrowing (for example "
        "long to int, or double to float) cannot read every value the writer wrote.",
        writer=_record("Payment", {"name": "cents", "type": "long"}),
        reader=_record("Payment", {"name": "cents", "type": "int"}),
    ),
    Rule(
        BRANCH_REMOVED,
        "Writer union branch not readable by the reader",
        f"{_SPEC}: 'if the writer's is a union ... the first schema in the reader's union that "
        "matches the selected writer's union schema is recursively resolved against it; if "
        "none match, an error is signalled', and a non-union reader must match every branch "
        "the writer may choose.",
        writer=_record("Customer", {"name": "email", "type": ["null", "string"]}),
        reader=_record("Customer", {"name": "email", "type": "string"}),
    ),
    Rule(
        NO_BRANCH,
        "Reader union has no branch for the writer's type",
        f"{_SPEC}: 'if the reader's is a union, but the writer's is not: the first schema in "
        "the reader's union that matches the writer's schema is recursively resolved against "
        "it. If none match, an error is signalled.'",
        writer=_record("Customer", {"name": "age", "type": "int"}),
        reader=_record("Customer", {"name": "age", "type": ["null", "string"]}),
    ),
    Rule(
        SYMBOL_REMOVED,
        "Writer enum symbol missing from the reader enum, which has no default",
        f"{_SPEC}: 'if the writer's symbol is not present in the reader's enum and the reader "
        "has a default value, then that value is used, otherwise an error is signalled'.",
        writer={"type": "enum", "name": "Suit", "symbols": ["HEARTS", "SPADES", "CLUBS"]},
        reader={"type": "enum", "name": "Suit", "symbols": ["HEARTS", "SPADES"]},
    ),
    Rule(
        FIXED_SIZE,
        "Fixed size changed",
        f"{_SPEC}: 'both schemas are fixed with the same size'; fixed types of different "
        "sizes do not match.",
        writer={"type": "fixed", "name": "Digest", "size": 16},
        reader={"type": "fixed", "name": "Digest", "size": 32},
    ),
    Rule(
        NAME_MISMATCH,
        "Named type renamed without a reader alias",
        f"{_SPEC}: records, enums and fixed types match only 'with the same (unqualified) "
        "name'; 'Aliases' lets a reader name a writer type it replaces.",
        writer=_record("OrderPlaced", {"name": "id", "type": "string"}),
        reader=_record("OrderCreated", {"name": "id", "type": "string"}),
    ),
)
