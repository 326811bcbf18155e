"""AsyncAPI in and out: contracts as an AsyncAPI 3.0.0 document, and back.

``esr asyncapi export`` and ``GET /api/asyncapi`` build the document with
:func:`build_document` from a :class:`Catalogue` (contract files and a schemas tree:
:func:`load_catalogue`; or the registry's published contracts:
``registry.asyncapi.catalogue.published_catalogue``, imported only by the server);
``esr asyncapi import`` reads a 2.x or 3.0 document with :func:`read_document` and
:func:`import_document` and writes contract and schema files with :func:`files_of` and
:func:`write_files`. See ``docs/asyncapi.md``.
"""

from registry.asyncapi.export import build_document, render
from registry.asyncapi.importing import (
    Imported,
    files_of,
    import_document,
    read_document,
    write_files,
)
from registry.asyncapi.model import Catalogue, Entry, ServiceInfo, SubjectSchema, load_catalogue

__all__ = [
    "Catalogue",
    "Entry",
    "Imported",
    "ServiceInfo",
    "SubjectSchema",
    "build_document",
    "files_of",
    "import_document",
    "load_catalogue",
    "read_document",
    "render",
    "write_files",
]
