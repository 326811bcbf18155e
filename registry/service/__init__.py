"""The registry's use cases; the one transaction boundary (see ``core`` and ``settings``)."""

from registry.domain import MAX_REFERENCE_DEPTH
from registry.service.core import RegistryService
from registry.service.naming import (
    ANONYMOUS,
    LATEST,
    Caller,
    Registration,
    parse_version,
    schema_type_of,
    validate_subject,
)

__all__ = [
    "ANONYMOUS",
    "LATEST",
    "MAX_REFERENCE_DEPTH",
    "Caller",
    "Registration",
    "RegistryService",
    "parse_version",
    "schema_type_of",
    "validate_subject",
]
