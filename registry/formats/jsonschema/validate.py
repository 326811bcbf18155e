"""Validating instances against a parsed JSON Schema, with every violation spelled out.

Two engines, one verdict. jsonschema-rs (:mod:`fast`) answers first wherever it is known to
agree with the ``jsonschema`` package, and an instance it accepts is valid. Anything else (an
instance it rejects, a Python value it cannot read, a schema it is not trusted with) is
decided by ``jsonschema`` under the step budget, which also writes every violation: so the
violations, their wording and their order are exactly those of the ``jsonschema`` path, and
the rare invalid event pays for both engines.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError

from registry.formats.base import ParsedSchema, Violation
from registry.formats.jsonschema.budget import VALIDATION_STEPS, BudgetExceeded, spending
from registry.formats.jsonschema.compiled import Compiled
from registry.formats.jsonschema.drafts import draft_of, pointer
from registry.formats.jsonschema.fast import FastPath, build
from registry.formats.jsonschema.parse import build_context

# What jsonschema-rs raises for a Python value it cannot read: a type JSON has no word for
# (a set, a date), a dict key that is not a string, a lone surrogate, nesting past its limit.
_UNREADABLE = (ValueError, TypeError, OverflowError, RecursionError)


def validator_of(schema: ParsedSchema) -> Any:
    """The compiled ``jsonschema`` validator of ``schema`` (built when made by hand)."""
    if isinstance(schema.compiled, Compiled):
        return schema.compiled.validator
    context = build_context(schema.document, schema.references)
    cls = draft_of(schema.document).validator_class
    return cls(schema.document, registry=context.registry, format_checker=cls.FORMAT_CHECKER)


def fast_path(schema: ParsedSchema) -> FastPath:
    """The jsonschema-rs fast path of ``schema``, compiled on first use and kept.

    ``fast_path(schema).reason`` says why a schema is validated by ``jsonschema`` alone.
    """
    compiled = schema.compiled
    if not isinstance(compiled, Compiled):
        return build(schema)
    if compiled.fast is None:
        compiled.fast = build(schema)
    fast: FastPath = compiled.fast
    return fast


def is_valid(schema: ParsedSchema, instance: Any) -> bool:
    """Whether ``instance`` conforms (an instance too deep to check does not).

    Runs ``jsonschema`` under the work budget in force (a fresh one of
    :data:`VALIDATION_STEPS` when there is none) and raises :class:`BudgetExceeded` when it
    runs out: "don't know" is not "invalid". The compatibility engine and the example
    generator call this inside their own budgets, so it deliberately stays on the engine that
    charges them: their verdicts, and what runs out of budget, do not change with the fast
    path.
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
    check gives one violation that says so. An instance jsonschema-rs accepts is valid without
    further work (see the module docstring).
    """
    compiled = schema.compiled
    prepared = compiled.fast if compiled.__class__ is Compiled else None
    fast = (prepared or fast_path(schema)).validator
    if fast is not None:
        try:
            if fast.is_valid(instance):
                return []
        except _UNREADABLE:
            pass
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
