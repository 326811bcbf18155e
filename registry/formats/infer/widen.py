"""An existing schema against sample events: which samples it rejects, and the smallest widening.

:func:`widen` validates every sample with the schema's own format (the registry's validator, so
the report says what a contract test would say) and proposes a schema that accepts them all,
changed only where a sample needed it. The proposal is judged against the existing schema by
the caller, with ``registry.compatibility.check_compatibility`` at the subject's level: the
compatibility layer sits above the formats, so this module cannot ask it.

* JSON Schema (:mod:`.widen_json`): each violation loosens the keyword that failed, where it
  is written (through ``$ref``): a type is added, a bound moved to the value seen, a property
  no longer required, a property added to a closed object, an ``enum`` value added, a
  ``pattern``/``format``/``multipleOf``/``not`` dropped. Every other keyword of the document
  (descriptions, ``$defs``, the other bounds) is kept as written.
* Avro (:mod:`.widen_avro`): a field missing from a sample (without a default) or null in one
  becomes optional (a union with ``null`` and ``"default": null``), keys no field has become new
  optional fields, numbers are promoted (``int`` -> ``long`` -> ``double``), enums get the new
  symbols, and other kinds are added as union branches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.domain import SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.base import ParsedSchema, Violation
from registry.formats.infer.avro_schema import check_objects
from registry.formats.infer.json_schema import check_samples
from registry.formats.infer.widen_avro import widen_avro
from registry.formats.infer.widen_json import widen_json


@dataclass(frozen=True, slots=True)
class Rejection:
    """A sample a schema rejects: its index in the samples and every violation."""

    index: int
    violations: tuple[Violation, ...]


@dataclass(frozen=True, slots=True)
class Widening:
    """What an existing schema makes of some samples, and the schema proposed instead.

    ``rejected`` are the samples ``existing`` rejects; ``proposal`` is ``existing`` itself when
    there are none (and nothing else to add), else the widened schema; ``changes`` says what
    was changed, one line each; ``unresolved`` are samples even the proposal rejects (none
    unless a keyword could not be loosened, see :mod:`.widen_json`).
    """

    existing: ParsedSchema
    proposal: ParsedSchema
    rejected: tuple[Rejection, ...]
    changes: tuple[str, ...]
    unresolved: tuple[Rejection, ...] = ()

    @property
    def accepts_all(self) -> bool:
        """Whether the existing schema accepts every sample."""
        return not self.rejected


def rejections(schema: ParsedSchema, samples: Sequence[Any]) -> tuple[Rejection, ...]:
    """Every sample ``schema`` rejects, with its violations, in sample order."""
    fmt = get_format(schema.schema_type)
    found = []
    for index, sample in enumerate(samples):
        violations = fmt.validate(schema, sample)
        if violations:
            found.append(Rejection(index, tuple(violations)))
    return tuple(found)


def widen(existing: ParsedSchema, samples: Sequence[Any]) -> Widening:
    """Report the samples ``existing`` rejects and propose the smallest widening for them.

    Raises ``InvalidInput`` for no samples, and for Avro for a sample that is not an object or
    a place where a record or array would need a union with another kind.
    """
    check_samples(samples)
    document: Any
    if existing.schema_type is SchemaType.AVRO:
        check_objects(samples)
        rejected = rejections(existing, samples)
        document, changes = widen_avro(existing.document, samples)
    elif existing.schema_type is SchemaType.JSON:
        rejected = rejections(existing, samples)
        document, changes = widen_json(existing, samples, [r.index for r in rejected])
    else:
        raise InvalidInput(f"cannot widen a {existing.schema_type.value} schema")
    if not changes:  # nothing rejected, or nothing that could be loosened
        return Widening(existing, existing, rejected, (), rejected)
    proposal = get_format(existing.schema_type).parse(
        json.dumps(document, indent=2), existing.references
    )
    return Widening(existing, proposal, rejected, tuple(changes), rejections(proposal, samples))
