"""The backup document: written and read back unchanged, defects named by their spot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from registry.backup import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Document,
    dumps_document,
    load_document,
    validate_document,
)
from registry.errors import InvalidInput


def document() -> Document:
    return {
        "format": FORMAT_NAME,
        "formatVersion": FORMAT_VERSION,
        "config": {"compatibilityLevel": "BACKWARD"},
        "mode": "READWRITE",
        "schemas": [
            {"id": 1, "schemaType": "AVRO", "schema": '"string"', "references": []},
            {"id": 4, "schemaType": "JSON", "schema": "{}", "references": []},
        ],
        "orphans": [4],
        "subjects": [
            {
                "subject": "s",
                "config": None,
                "mode": None,
                "versions": [{"version": 1, "id": 1, "deleted": False}],
            }
        ],
    }


def test_a_written_document_reads_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_text(dumps_document(document()), encoding="utf-8")

    assert load_document(path) == document()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"formatVersion": 2}, "formatVersion: 2 is not supported"),
        ({"orphans": [9]}, "orphans[0]: 9 is not among the schemas"),
        ({"mode": None}, "mode: expected a string"),
    ],
)
def test_a_defect_is_named_by_its_spot(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        validate_document({**document(), **change})


def test_a_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_text("{", encoding="utf-8")

    with pytest.raises(InvalidInput, match=r"backup\.json: not a JSON backup"):
        load_document(path)


def test_the_package_needs_no_terminal() -> None:
    """An admin endpoint can call it: neither typer nor the CLI is imported.

    (rich may be: httpx imports it when it is installed, for its own command line.)
    """
    code = (
        "import sys, registry.backup\n"
        "print(sorted(m for m in sys.modules if m in {'typer', 'registry.cli'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
