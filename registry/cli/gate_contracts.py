"""Who produces and who consumes each subject, read minimally from ``contracts/*.yaml``.

A contract file names one service and the subjects it produces and consumes::

    service: billing
    produces:
      - subject: payments.PaymentCaptured
        transport: kafka
    consumes:
      - subject: orders.OrderPlaced

The gate only needs the subject names, so only ``service``, ``produces[].subject`` and
``consumes[].subject`` are read (a bare string stands for ``{subject: ...}``); everything else in
a contract belongs to ``registry.contract_testing``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from registry.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ContractIndex:
    """Services by subject, for naming whom a breaking change hurts."""

    producers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    consumers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def services(self, subject: str, breaks: Iterable[str]) -> tuple[str, ...]:
        """The services a finding breaking ``producers`` and/or ``consumers`` names, sorted."""
        found: set[str] = set()
        for who in breaks:
            table = self.producers if who == "producers" else self.consumers
            found.update(table.get(subject, ()))
        return tuple(sorted(found))


def load_contracts(directory: Path | None) -> ContractIndex:
    """Read every ``*.yaml``/``*.yml`` under ``directory``; absent directory: empty index."""
    if directory is None or not directory.is_dir():
        return ContractIndex()
    producers: dict[str, set[str]] = defaultdict(set)
    consumers: dict[str, set[str]] = defaultdict(set)
    files = sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")])
    for path in files:
        for document in _documents(path):
            service = document.get("service")
            if not isinstance(service, str) or not service:
                raise InvalidInput(f"{path}: a contract needs 'service: <name>'")
            for subject in _subjects(document.get("produces"), path, "produces"):
                producers[subject].add(service)
            for subject in _subjects(document.get("consumes"), path, "consumes"):
                consumers[subject].add(service)
    return ContractIndex(
        {k: tuple(sorted(v)) for k, v in producers.items()},
        {k: tuple(sorted(v)) for k, v in consumers.items()},
    )


def _documents(path: Path) -> list[Mapping[str, Any]]:
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML ({exc})") from None
    result: list[Mapping[str, Any]] = []
    for document in documents:
        if document is None:
            continue
        if not isinstance(document, dict):
            raise InvalidInput(f"{path}: a contract must be a mapping")
        result.append(document)
    return result


def _subjects(items: Any, path: Path, key: str) -> list[str]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise InvalidInput(f"{path}: '{key}' must be a list")
    subjects = []
    for item in items:
        subject = item.get("subject") if isinstance(item, dict) else item
        if not isinstance(subject, str) or not subject:
            raise InvalidInput(f"{path}: every entry of '{key}' needs a 'subject'")
        subjects.append(subject)
    return subjects
