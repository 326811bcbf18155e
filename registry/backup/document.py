"""The backup document (``esr-backup``, format version 1): reading, checking and writing it.

The format is described in ``docs/backup-format.md``. A document is plain JSON data: the
registry's global config and mode, every schema id with its schema, type, references,
metadata, rule set and GUID, the ids no version uses any more (orphans), and every subject with
its own config, mode and versions (each naming its schema id and whether it is soft-deleted).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry import errors

FORMAT_NAME = "esr-backup"
FORMAT_VERSION = 1

#: A backup document, as JSON data (see the module docstring for its keys).
Document = dict[str, Any]


def dumps_document(document: Document) -> str:
    """The document as the text of a backup file (indented JSON, keys in writing order)."""
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def load_document(path: Path) -> Document:
    """Read and check a backup file; any defect is an ``InvalidInput`` naming the spot."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise errors.InvalidInput(f"{path}: cannot read the backup: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.InvalidInput(f"{path}: not a JSON backup: {exc}") from exc
    try:
        return validate_document(data)
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(f"{path}: {exc.message}") from exc


def validate_document(data: Any) -> Document:
    """Check the shape of a backup document (see ``docs/backup-format.md``) and return it.

    Every schema id a version or an orphan names must be among the document's schemas, so an
    import never has to ask the source for anything.
    """
    _need(isinstance(data, dict), "backup", "expected a JSON object")
    _need(data.get("format") == FORMAT_NAME, "format", f"expected '{FORMAT_NAME}'")
    version = data.get("formatVersion")
    _need(version == FORMAT_VERSION, "formatVersion", f"{version!r} is not supported (1 is)")
    _need(isinstance(data.get("config"), dict), "config", "expected an object")
    _need(isinstance(data.get("mode"), str), "mode", "expected a string")
    for key in ("schemas", "subjects", "orphans"):
        _need(isinstance(data.get(key), list), key, "expected a list")
    ids: set[int] = set()
    for n, entry in enumerate(data["schemas"]):
        where = f"schemas[{n}]"
        _need(isinstance(entry, dict), where, "expected an object")
        _need(_is_id(entry.get("id")), f"{where}.id", "expected a positive integer")
        _need(entry["id"] not in ids, f"{where}.id", f"id {entry['id']} appears twice")
        _need(isinstance(entry.get("schema"), str), f"{where}.schema", "expected a string")
        _need(isinstance(entry.get("schemaType"), str), f"{where}.schemaType", "expected a string")
        _check_references(entry.get("references"), f"{where}.references")
        guid = entry.get("guid")
        _need(guid is None or isinstance(guid, str), f"{where}.guid", "expected a string")
        ids.add(entry["id"])
    for n, orphan in enumerate(data["orphans"]):
        _need(orphan in ids, f"orphans[{n}]", f"{orphan!r} is not among the schemas")
    for n, subject in enumerate(data["subjects"]):
        _check_subject(subject, f"subjects[{n}]", ids)
    return dict(data)


def _need(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise errors.InvalidInput(f"{where}: {what}")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _check_references(refs: Any, where: str) -> None:
    _need(isinstance(refs, list), where, "expected a list")
    for n, ref in enumerate(refs):
        ok = isinstance(ref, dict) and isinstance(ref.get("name"), str)
        ok = ok and isinstance(ref.get("subject"), str) and _is_id(ref.get("version"))
        _need(ok, f"{where}[{n}]", "expected {name, subject, version}")


def _check_subject(subject: Any, where: str, ids: set[int]) -> None:
    _need(isinstance(subject, dict), where, "expected an object")
    _need(isinstance(subject.get("subject"), str), f"{where}.subject", "expected a string")
    _need(subject.get("config") is None or isinstance(subject["config"], dict), where, "config")
    _need(subject.get("mode") is None or isinstance(subject["mode"], str), where, "mode")
    _need(isinstance(subject.get("versions"), list), f"{where}.versions", "expected a list")
    for n, item in enumerate(subject["versions"]):
        spot = f"{where}.versions[{n}]"
        _need(isinstance(item, dict) and _is_id(item.get("version")), spot, "bad version")
        _need(item.get("id") in ids, f"{spot}.id", f"{item.get('id')!r} is not among the schemas")
        _need(isinstance(item.get("deleted"), bool), f"{spot}.deleted", "expected true or false")
