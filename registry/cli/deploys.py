"""``esr contracts publish``, ``esr deployments record|list`` and ``esr can-i-deploy``.

Publishing reads the repository's contracts with the plugin's own reader
(:func:`registry.contract_testing.load_contracts`) and, for each subject the service produces
or consumes, publishes the schema it was built against: the file of the repository's
``schemas/`` tree when the repository has one (the candidate of a pull request), otherwise the
version the contract pins, or the latest, from the registry. The registry resolves each schema
to its global id and registers nothing. ``can-i-deploy`` exits 0 (yes), 1 (no: the table names
each blocking pair) or 2 (unknown: unknown is never yes).
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, EXIT_USAGE, exit_on_registry_error
from registry.cli.options import (
    DEFAULT_REGISTRY,
    AliasedCommand,
    Registry,
    Timeout,
    Token,
    User,
    basic_auth,
)
from registry.client import open_client
from registry.contract_testing import load_contracts
from registry.contract_testing.model import Binding, Transport
from registry.contract_testing.schemas import LocalTreeSource, RegistrySource, SchemaSource
from registry.errors import InvalidInput

contracts_app = typer.Typer(help="Publish a service version's contracts to the registry.")
deployments_app = typer.Typer(help="Record and list which service versions run where.")

ServiceName = Annotated[str, typer.Option("--service", help="The service's name.")]
ServiceVersion = Annotated[str, typer.Option("--version", help="The service version (git SHA).")]
EXITS = {"yes": EXIT_OK, "no": EXIT_BREAKING, "unknown": EXIT_USAGE}


class Format(enum.StrEnum):
    """Output formats of can-i-deploy and deployments list."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def _client(registry: str, user: str | None, token: str | None, timeout: float) -> Any:
    return open_client(registry, timeout=timeout, auth=basic_auth(user), token=token)


def _destination(binding: Binding) -> str:
    if binding.transport is Transport.EVENTBRIDGE:
        source, detail_type = binding.options.get("source"), binding.options.get("detail-type")
        return f"{source}/{detail_type}" if source else ""
    return binding.target or ""


def contract_documents(root: Path, service: str, source: SchemaSource) -> list[dict[str, Any]]:
    """The contracts of ``service`` under ``root/contracts``, each with its schema's text."""
    found = load_contracts(root / "contracts", relative_to=root)
    contract = found.service(service)
    if contract is None:
        names = ", ".join(c.service for c in found.contracts) or "none"
        raise InvalidInput(
            f"No contract of service '{service}' under {root / 'contracts'} (services: {names})"
        )
    documents = []
    for binding in contract.bindings():
        schema = source(binding.subject, binding.version)
        if schema.references:
            raise InvalidInput(
                f"{binding.location}: the schema of '{binding.subject}' has references, which "
                "contract publication does not support yet"
            )
        document: dict[str, Any] = {
            "role": binding.role.value,
            "subject": binding.subject,
            "transport": binding.transport.value,
            "destination": _destination(binding),
            "schemaType": schema.schema_type.value,
            "schema": schema.text,
        }
        if binding.reads is not None:
            document["reads"] = list(binding.reads)
        documents.append(document)
    return documents


@contracts_app.command("publish", cls=AliasedCommand)
def publish(
    service: ServiceName,
    version: ServiceVersion,
    directory: Annotated[
        Path, typer.Argument(help="The service's repository (contracts/ and schemas/).")
    ] = Path(),
    branch: Annotated[str | None, typer.Option("--branch", help="The version's branch.")] = None,
    registry: Registry = DEFAULT_REGISTRY,
    user: User = None,
    token: Token = None,
    timeout: Timeout = 10.0,
) -> None:
    """Publish the contracts of SERVICE at VERSION, with the schemas they were built against."""
    with exit_on_registry_error(), _client(registry, user, token, timeout) as client:
        tree = directory / "schemas"
        source: SchemaSource = (
            LocalTreeSource(tree, label="schemas/") if tree.is_dir() else RegistrySource(client)
        )
        documents = contract_documents(directory, service, source)
        found = client.publish_contracts(service, version, documents, branch=branch)
    where = "schemas/" if tree.is_dir() else registry
    typer.echo(f"Published {service} {version} to {registry} (schemas from {where}):")
    for c in found["contracts"]:
        schema_id = f"schema id {c['schemaId']}" if c.get("schemaId") else "not registered"
        reads = "" if c.get("reads") is None else f", reads {', '.join(c['reads'])}"
        typer.echo(f"  {c['role']} {c['subject']} on {c['transport']} ({schema_id}{reads})")


@deployments_app.command("record", cls=AliasedCommand)
def record(
    service: ServiceName,
    version: ServiceVersion,
    env: Annotated[str, typer.Option("--env", help="The environment it now runs in.")],
    registry: Registry = DEFAULT_REGISTRY,
    user: User = None,
    token: Token = None,
    timeout: Timeout = 10.0,
) -> None:
    """Record that VERSION of SERVICE now runs in ENV (the previous version there stops)."""
    with exit_on_registry_error(), _client(registry, user, token, timeout) as client:
        found = client.record_deployment(service, version, env)
    typer.echo(f"Recorded: {service} {version} runs in {env} since {found['deployedAt']}")


@deployments_app.command("list", cls=AliasedCommand)
def list_deployments(
    env: Annotated[str | None, typer.Option("--env", help="Only this environment.")] = None,
    history: Annotated[bool, typer.Option("--history", help="Undeployed ones too.")] = False,
    output: Annotated[Format, typer.Option("--format", help="text, json or markdown.")] = (
        Format.TEXT
    ),
    registry: Registry = DEFAULT_REGISTRY,
    user: User = None,
    token: Token = None,
    timeout: Timeout = 10.0,
) -> None:
    """What runs where."""
    with exit_on_registry_error(), _client(registry, user, token, timeout) as client:
        found = client.deployments(env, history=history)
    if output is Format.JSON:
        typer.echo(json.dumps(found, indent=2))
        return
    rows = [
        [d["environment"], d["service"], d["version"], d["deployedAt"], d["undeployedAt"] or ""]
        for d in found
    ]
    header = ["ENVIRONMENT", "SERVICE", "VERSION", "DEPLOYED", "UNDEPLOYED"]
    typer.echo(table(header, rows, markdown=output is Format.MARKDOWN), nl=False)


def register(app: typer.Typer) -> None:
    """Add ``contracts``, ``deployments`` and ``can-i-deploy`` to the CLI."""
    from registry.cli.can_i_deploy import can_i_deploy

    app.add_typer(contracts_app, name="contracts")
    app.add_typer(deployments_app, name="deployments")
    app.command("can-i-deploy", cls=AliasedCommand)(can_i_deploy)


def table(header: list[str], rows: list[list[str]], *, markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r.replace("|", "\\|") for r in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    return "".join(
        "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in [header, *rows]
    )
