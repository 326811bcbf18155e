"""What a parsed JSON Schema keeps for validating instances (``ParsedSchema.compiled``)."""

from __future__ import annotations

from typing import Any


class Compiled:
    """The ``jsonschema`` validator of a schema, and its jsonschema-rs fast path once built.

    ``validator`` is built when the schema is parsed; ``fast`` (a :class:`~.fast.FastPath`) on
    the first validation, so parsing, which the registry does for every schema it stores,
    does not pay for a compilation that only validation needs. Building it twice in two
    threads at once is harmless: both builds are equal and either may be kept.
    """

    __slots__ = ("fast", "validator")

    def __init__(self, validator: Any) -> None:
        self.validator = validator
        self.fast: Any = None
