"""The registry's catalogue for ``GET /api/asyncapi``: published contracts and latest schemas.

Each service contributes the contracts of its newest version that published any (as the
services page shows them), and each subject the schema of its latest registered version, or,
when the registry holds no version of it, the schema the contract was published with. A
published contract keeps its transport and destination only: an EventBridge destination
(``source/detail-type``) gives both fields back; a Service Bus destination is taken to be a
queue; contracts of transports this version does not know are left out.
"""

from __future__ import annotations

from typing import Any

from registry.asyncapi.export import build_document
from registry.asyncapi.model import (
    Catalogue,
    Entry,
    ServiceInfo,
    SubjectSchema,
    entry,
    parse_schema_text,
)
from registry.contract_testing.model import TRANSPORTS, Role, Transport
from registry.domain import SchemaType
from registry.errors import NotFound
from registry.service.deploys import DeployService
from registry.storage.deploy_repository import Contract


def published_catalogue(deploys: DeployService, service: str | None = None) -> Catalogue:
    """Every service's newest published contracts; ``service`` must exist (else 40480).

    The whole catalogue is read even for one service: its consumers are placed on the channels
    of the producers of what they consume.
    """
    if service is not None:
        deploys.versions(service)  # ServiceNotFound for an unknown service
    services: dict[str, ServiceInfo] = {}
    entries: list[Entry] = []
    published: dict[str, Contract] = {}
    for name in deploys.services():
        services[name] = ServiceInfo()
        for version in reversed(deploys.versions(name)):
            contracts = deploys.version(name, version.version).contracts
            if contracts:
                services[name] = ServiceInfo(version=version.version)
                for contract in contracts:
                    found = _entry(name, contract)
                    if found is not None:
                        entries.append(found)
                        published.setdefault(contract.subject, contract)
                break
    schemas = {subject: _schema(deploys, c) for subject, c in sorted(published.items())}
    return Catalogue(services, tuple(sorted(entries, key=Entry.sort_key)), schemas)


def _entry(service: str, contract: Contract) -> Entry | None:
    try:
        transport, role = Transport(contract.transport), Role(contract.role)
    except ValueError:
        return None
    fields: dict[str, Any] = {}
    destination = contract.destination
    if transport is Transport.EVENTBRIDGE:
        source, _, detail_type = destination.partition("/")
        if source and detail_type:
            fields = {"source": source, "detail-type": detail_type}
    elif destination and TRANSPORTS[transport].targets:
        fields[TRANSPORTS[transport].targets[0]] = destination
    if contract.reads is not None and role is Role.CONSUMES:
        fields["reads"] = list(contract.reads)
    return entry(service, role, contract.subject, transport, **fields)


def _schema(deploys: DeployService, contract: Contract) -> SubjectSchema:
    subject = contract.subject
    try:
        latest = deploys.registry.get_version(subject, "latest")
    except NotFound:
        kind = SchemaType(contract.schema_type)
        document = parse_schema_text(subject, kind, contract.schema, "published contract")
        return SubjectSchema(subject, kind, document)
    stored = latest.schema
    document = parse_schema_text(subject, stored.schema_type, stored.schema, f"{subject}@latest")
    return SubjectSchema(subject, stored.schema_type, document, latest.version, stored.id)


def catalogue_document(deploys: DeployService, service: str | None = None) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of the registry's catalogue, or of one service (whose
    newest published version is the document's ``info.version``)."""
    catalogue = published_catalogue(deploys, service)
    version = catalogue.services[service].version if service is not None else None
    return build_document(catalogue, service=service, version=version or "1.0.0")
