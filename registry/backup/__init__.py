"""Backups of a whole registry: the ``esr-backup`` document, export and import, no terminal.

Both directions speak only the Confluent REST API through :class:`registry.client.RegistryClient`,
so the source of an export can be Confluent, Karapace, Apicurio's ccompat API or this registry,
and so can the target of an import. Progress is reported to a plain callback
(:data:`ProgressCallback`); ``esr export`` and ``esr import`` draw it as a progress bar.

::

    with RegistryClient(source) as client:
        document = export_registry(client, progress=print)
    with RegistryClient(target) as client:
        report = import_document(client, document)
"""

from __future__ import annotations

from registry.backup.document import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Document,
    dumps_document,
    load_document,
    validate_document,
)
from registry.backup.exporting import export_registry
from registry.backup.importing import ImportReport, import_document, registration_order
from registry.backup.progress import Phase, Progress, ProgressCallback, no_progress

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "Document",
    "ImportReport",
    "Phase",
    "Progress",
    "ProgressCallback",
    "dumps_document",
    "export_registry",
    "import_document",
    "load_document",
    "no_progress",
    "registration_order",
    "validate_document",
]
