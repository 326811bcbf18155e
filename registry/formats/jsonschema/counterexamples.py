"""Counterexamples: instances the writer accepts and the reader rejects (placeholder)."""

from __future__ import annotations

from registry.formats.base import Incompatibility, ParsedSchema


def attach_examples(
    found: list[Incompatibility], reader: ParsedSchema, writer: ParsedSchema
) -> list[Incompatibility]:
    """``found`` with a verified counterexample attached where one is found in budget."""
    return found
