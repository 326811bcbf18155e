"""Reading contract files, with errors that name the file, the line and what is wrong.

The YAML is composed into nodes (``yaml.compose``) rather than loaded, so every value keeps the
line it was written on; duplicate keys, unknown keys, wrong types and unknown transports are all
refused here, before any test runs. Every error is an :class:`~registry.errors.InvalidInput`
whose message starts with ``file:line:``.

This is the one reader of the contract format: the pytest plugin and ``esr gate`` both load
``contracts/`` here, so they accept the same files and refuse the same ones. The format is
strict: one YAML document (one service) per file, every binding a mapping with its ``subject``
and ``transport``, and files under hidden folders (``.github/``...) are not contracts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry.contract_testing.model import (
    COMMON_FIELDS,
    CONSUMER_FIELDS,
    ENCODINGS,
    TRANSPORTS,
    VIA,
    Binding,
    ContractSet,
    Role,
    ServiceContract,
    Transport,
)
from registry.errors import InvalidInput
from registry.reads.pointers import pointer_error

CONTRACT_SUFFIXES = (".yaml", ".yml")
TOP_LEVEL = ("service", "produces", "consumes", "description")
_SUBJECT = re.compile(r"^[A-Za-z0-9._\-:]{1,255}$")


class _Reader:
    """Turns nodes of one file into values, raising ``InvalidInput`` at the node's line."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._constructor = SafeConstructor()

    def fail(self, node: Node | None, message: str) -> InvalidInput:
        line = node.start_mark.line + 1 if node is not None else 1
        return InvalidInput(f"{self.file}:{line}: {message}")

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{what} must be a mapping, not {_kind(node)}")
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key of {what}")
            if not isinstance(key, str):
                raise self.fail(key_node, f"keys of {what} must be strings, not {key!r}")
            if key in found:
                first = found[key][0].start_mark.line + 1
                raise self.fail(
                    key_node, f"duplicate key '{key}' in {what} (first on line {first})"
                )
            found[key] = (key_node, value_node)
        return found

    def scalar(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, f"{what} must be a single value, not {_kind(node)}")
        return self._constructor.construct_object(node, deep=True)

    def string(self, node: Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, f"{what} must be a non-empty string, not {value!r}")
        return value

    def sequence(self, node: Node, what: str) -> list[Node]:
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"{what} must be a list, not {_kind(node)}")
        return list(node.value)

    def unknown(
        self, keys: dict[str, tuple[Node, Node]], allowed: Iterable[str], what: str
    ) -> None:
        allowed = list(allowed)
        for key, (key_node, _) in keys.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise self.fail(
                    key_node,
                    f"unknown key '{key}' in {what}{hint} (allowed: {', '.join(sorted(allowed))})",
                )


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the value {node.value!r}" if isinstance(node, ScalarNode) else "this"


def parse_contract(text: str, file: Path) -> ServiceContract:
    """Parse the text of one contract file; raise ``InvalidInput`` naming file and line."""
    reader = _Reader(file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        if isinstance(exc, ComposerError) and "single document" in str(exc.context):
            raise InvalidInput(
                f"{file}:{line}: a second YAML document; a contract file holds the contract of "
                "one service: give each service its own file"
            ) from None
        raise InvalidInput(f"{file}:{line}: not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{file}:1: not valid YAML: {exc}") from None
    if root is None:
        raise InvalidInput(f"{file}:1: the contract file is empty; it needs at least 'service'")
    top = reader.mapping(root, "the contract")
    reader.unknown(top, TOP_LEVEL, "the contract")
    if "service" not in top:
        raise reader.fail(root, "the contract has no 'service' (the name of the service)")
    service = reader.string(top["service"][1], "'service'")
    description = None
    if "description" in top:
        description = reader.string(top["description"][1], "'description'")
    bindings: dict[Role, tuple[Binding, ...]] = {}
    for role in Role:
        nodes = reader.sequence(top[role.value][1], f"'{role.value}'") if role.value in top else []
        bindings[role] = tuple(
            _binding(reader, service, role, node, index) for index, node in enumerate(nodes)
        )
    return ServiceContract(
        service, file, bindings[Role.PRODUCES], bindings[Role.CONSUMES], description
    )


def _binding(reader: _Reader, service: str, role: Role, node: Node, index: int) -> Binding:
    where = f"{role.value}[{index}]"
    if isinstance(node, ScalarNode) and node.tag.endswith(":str"):
        raise reader.fail(
            node,
            f"{where} must be a mapping with 'subject' and 'transport', not the bare subject "
            f"{node.value!r}",
        )
    keys = reader.mapping(node, where)
    if "subject" not in keys:
        raise reader.fail(node, f"{where} has no 'subject'")
    if "transport" not in keys:
        known = ", ".join(t.value for t in Transport)
        raise reader.fail(node, f"{where} has no 'transport' (one of {known})")
    subject = reader.string(keys["subject"][1], f"{where}.subject")
    if not _SUBJECT.match(subject):
        raise reader.fail(keys["subject"][1], f"{where}.subject '{subject}' is not a subject name")
    transport_node = keys["transport"][1]
    name = reader.string(transport_node, f"{where}.transport")
    try:
        transport = Transport(name.lower())
    except ValueError:
        names = [t.value for t in Transport]
        close = difflib.get_close_matches(name.lower(), names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise reader.fail(
            transport_node,
            f"{where}.transport: unknown transport '{name}'{hint} (known: {', '.join(names)})",
        ) from None
    spec = TRANSPORTS[transport]
    extra = CONSUMER_FIELDS if role is Role.CONSUMES else ()
    reader.unknown(
        keys,
        (*COMMON_FIELDS, *extra, *spec.targets, *spec.required, *spec.options),
        f"{where} ({name})",
    )
    if role is Role.PRODUCES and not spec.produce:
        raise reader.fail(transport_node, f"{where}: {name} only delivers to consumers")
    options = {
        key: _option(reader, key, value_node, f"{where}.{key}", role)
        for key, (_, value_node) in keys.items()
        if key in spec.required or key in spec.options
    }
    targets = [k for k in spec.targets if k in keys]
    if len(targets) > 1:
        raise reader.fail(node, f"{where} names both {' and '.join(targets)}; give one")
    target = reader.string(keys[targets[0]][1], f"{where}.{targets[0]}") if targets else None
    if role is Role.PRODUCES:
        if spec.targets and target is None:
            raise reader.fail(node, f"{where} ({name}) needs {' or '.join(spec.targets)}")
        missing = [k for k in spec.required if k not in keys]
        if missing:
            raise reader.fail(node, f"{where} ({name}) needs {', '.join(missing)}")
    version = _version(reader, keys["version"][1], where) if "version" in keys else None
    reads = _reads(reader, keys["reads"][1], where) if "reads" in keys else None
    return Binding(
        service=service,
        role=role,
        subject=subject,
        transport=transport,
        file=reader.file,
        line=node.start_mark.line + 1,
        target=target,
        version=version,
        options=options,
        reads=reads,
    )


def _version(reader: _Reader, node: Node, where: str) -> int:
    value = reader.scalar(node, f"{where}.version")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise reader.fail(node, f"{where}.version must be a positive integer, not {value!r}")
    return value


def _reads(reader: _Reader, node: Node, where: str) -> tuple[str, ...]:
    """A consumer's declared reads: JSON pointers (RFC 6901) into the payload, ``*`` any item."""
    pointers = []
    for item in reader.sequence(node, f"{where}.reads"):
        value = reader.scalar(item, f"{where}.reads[]")
        problem = pointer_error(value)
        if problem is not None:
            raise reader.fail(item, f"{where}.reads: {problem}")
        pointers.append(value)
    return tuple(pointers)


def _option(reader: _Reader, key: str, node: Node, what: str, role: Role) -> Any:
    if key == "attributes":
        pairs = reader.mapping(node, what)
        return {k: str(reader.scalar(v, f"{what}.{k}")) for k, (_, v) in pairs.items()}
    if key == "keys":
        return [reader.string(item, f"{what}[]") for item in reader.sequence(node, what)]
    value = reader.string(node, what)
    if key == "via":
        if role is not Role.CONSUMES:
            raise reader.fail(node, f"{what}: 'via' describes what delivers to a consumer")
        if value not in VIA:
            raise reader.fail(
                node, f"{what} must be one of {', '.join(sorted(VIA))}, not {value!r}"
            )
    if key == "encoding" and value not in ENCODINGS:
        raise reader.fail(node, f"{what} must be one of {', '.join(sorted(ENCODINGS))}")
    if key == "method":
        return value.upper()
    return value


def load_contract(path: Path, *, relative_to: Path | None = None) -> ServiceContract:
    """Read and parse one contract file; messages name it relative to ``relative_to``."""
    shown = path
    if relative_to is not None and path.is_relative_to(relative_to):
        shown = path.relative_to(relative_to)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{shown}:1: not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise InvalidInput(f"{shown}: cannot read ({exc.strerror})") from None
    return parse_contract(text, shown)


def contract_files(root: Path) -> list[Path]:
    """The contract files under a directory (``*.yaml`` and ``*.yml``, recursively), sorted."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in CONTRACT_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def load_contracts(root: Path, *, relative_to: Path | None = None) -> ContractSet:
    """Every contract under ``root``; two files for one service are an error.

    ``relative_to`` (the project root) shortens the file names in messages and reports.
    """
    contracts: list[ServiceContract] = []
    for path in contract_files(root):
        contract = load_contract(path, relative_to=relative_to)
        twin = next((c for c in contracts if c.service == contract.service), None)
        if twin is not None:
            raise InvalidInput(
                f"{contract.file}:1: service '{contract.service}' already has a contract "
                f"in {twin.file}"
            )
        contracts.append(contract)
    return ContractSet(tuple(contracts))
