"""The official AsyncAPI JSON Schemas (npm ``@asyncapi/specs``), read from the copy the Makefile
fetches into the venv (``make asyncapi-specs``, a prerequisite of ``make install`` and ``make
test``); ``ESR_ASYNCAPI_SPECS`` points elsewhere. Validation resolves every ``$ref`` in the
bundled schema file itself: a registry of local resources only, never the network."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

SPECS_VERSION = "6.11.1"


def specs_dir() -> Path:
    """Where the package was unpacked (``package.json`` and ``schemas/``)."""
    given = os.environ.get("ESR_ASYNCAPI_SPECS")
    return Path(given) if given else Path(sys.prefix) / "asyncapi-specs"


def _offline(uri: str) -> Any:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@cache
def validator(version: str) -> Draft7Validator:
    """A validator of AsyncAPI ``version`` documents (``3.0.0``, ``2.6.0``); skips the test
    when the specs were not fetched."""
    path = specs_dir() / "schemas" / f"{version}.json"
    if not path.is_file():
        pytest.skip(
            f"the AsyncAPI specs are not at {specs_dir()}: run `make install` "
            "(the Makefile's asyncapi-specs rule fetches @asyncapi/specs into the venv)"
        )
    schema = json.loads(path.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry(retrieve=_offline).with_resource(  # type: ignore[call-arg]
        schema["$id"], DRAFT7.create_resource(schema)
    )
    return Draft7Validator(
        schema, registry=registry.crawl(), format_checker=Draft7Validator.FORMAT_CHECKER
    )


def problems(document: Any, version: str = "3.0.0") -> list[str]:
    """What the official schema rejects in a document (empty: valid), deepest cause first."""
    found = []
    for error in validator(version).iter_errors(document):
        deepest = max(error.context or [error], key=lambda e: len(e.absolute_path))
        where = "/".join(str(p) for p in deepest.absolute_path)
        found.append(f"/{where}: {deepest.message[:300]}")
    return found


def assert_valid(document: Any, version: str = "3.0.0") -> None:
    """The document validates against the official AsyncAPI ``version`` schema."""
    assert problems(document, version) == []
