"""Validating instances against a parsed JSON Schema, with every violation spelled out."""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError

from registry.formats.base import ParsedSchema, Violation
from registry.formats.jsonschema.budget import VALIDATION_STEPS, BudgetExceeded, spending
from registry.formats.jsonschema.drafts import draft_of, pointer
from registry.formats.jsonschema.parse import build_context


def validator_of(schema: ParsedSchema) -> Any:
    """The compiled validator of ``schema`` (built when a caller made the schema by hand)."""
    if schema.compiled is not None:
        return schema.compiled
    context = build_context(schema.document, schema.references)
    cls = draft_of(schema.document).validator_class
    return cls(schema.document, registry=context.registry, format_checker=cls.FORMAT_CHECKER)


def is_valid(schema: ParsedSchema, instance: Any) -> bool:
    """Whether ``instance`` conforms (an instance too deep to check does not).

    Runs under the work budget in force (a fresh one of :data:`VALIDATION_STEPS` when there is
    none) and raises :class:`BudgetExceeded` when it runs out: "don't know" is not "invalid".
    """
    with spending(VALIDATION_STEPS, reuse=True):
        try:
            return bool(validator_of(schema).is_valid(instance))
        except RecursionError:
            return False


def validate_instance(schema: ParsedSchema, instance: Any) -> list[Violation]:
    """Every violation, ordered by instance location then schema location.

    ``path`` is the JSON pointer of the offending value in the instance, ``schema_path`` the
    pointer of the failing keyword in the schema document, ``expected`` the keyword's value
    (the bound, the enum, the type...) and ``actual`` the offending value. An instance too
    deep, or a schema too complex (more than :data:`VALIDATION_STEPS` keyword evaluations), to
    check gives one violation that says so.
    """
    try:
        with spending(VALIDATION_STEPS):
            errors = list(validator_of(schema).iter_errors(instance))
    except RecursionError:
        return [Violation(path="", message="The instance nests too deeply to validate")]
    except BudgetExceeded:
        message = (
            f"The schema is too complex to validate this instance: more than "
            f"{VALIDATION_STEPS} keyword evaluations"
        )
        return [Violation(path="", message=message)]
    errors.sort(key=_error_key)
    return [_violation(error) for error in errors]


def _error_key(error: ValidationError) -> tuple[list[str], list[str]]:
    return [str(p) for p in error.absolute_path], [str(p) for p in error.absolute_schema_path]


def _violation(error: ValidationError) -> Violation:
    return Violation(
        path=pointer([str(p) for p in error.absolute_path]),
        message=error.message,
        schema_path=pointer([str(p) for p in error.absolute_schema_path]),
        expected=error.validator_value,
        actual=error.instance,
    )
