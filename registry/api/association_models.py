"""Wire models of the associations API (Confluent 8.2), for request parsing and OpenAPI.

The answers are built by :mod:`registry.wire` (``association_to_wire`` and friends); these
models document them, and a test keeps their fields the same.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from registry.api.models import ErrorResponse, SchemaRequest, SubjectVersionResponse, WireModel
from registry.domain import Lifecycle
from registry.errors import InvalidAssociation
from registry.service.associations import TOPIC, AssociationRequest, AssociationSpec


class AssociationInfoRequest(WireModel):
    """One association to create or update (Confluent's ``AssociationCreateOrUpdateInfo``)."""

    subject: str | None = Field(
        default=None, description="Default: <resourceName>-<associationType>"
    )
    associationType: str | None = Field(default=None, description="key or value (default)")
    lifecycle: str | None = Field(default=None, description="STRONG or WEAK (default)")
    frozen: bool | None = Field(default=None, description="Nothing changes until unfrozen")
    schema_: SchemaRequest | None = Field(
        default=None, alias="schema", description="A schema to register under the subject"
    )
    normalize: bool | None = None


class AssociationRequestModel(WireModel):
    """Body of ``POST /associations`` and ``PUT /associations/resources/{resourceId}``."""

    resourceName: str | None = Field(default=None, description="The topic's name")
    resourceNamespace: str | None = Field(default=None, description="The Kafka cluster id")
    resourceId: str | None = Field(default=None, description="The topic's id")
    resourceType: str | None = Field(default=None, description="topic (the only type)")
    associations: list[AssociationInfoRequest] | None = None

    def to_request(self, resource_id: str | None = None) -> AssociationRequest:
        """The domain request; ``resource_id`` is the path's (42212 when the body's differs)."""
        if resource_id is not None and self.resourceId not in (None, resource_id):
            raise InvalidAssociation(
                "Invalid association: resourceId in the path does not match the resource ID "
                "in the request body"
            )
        return AssociationRequest(
            resource_name=self.resourceName or "",
            resource_namespace=self.resourceNamespace or "",
            resource_id=self.resourceId or resource_id,
            resource_type=self.resourceType or TOPIC,
            specs=tuple(
                AssociationSpec(
                    association_type=info.associationType or "value",
                    subject=info.subject,
                    lifecycle=Lifecycle.parse(info.lifecycle) if info.lifecycle else None,
                    frozen=info.frozen,
                    schema=info.schema_.to_input() if info.schema_ else None,
                    normalize=info.normalize,
                )
                for info in self.associations or []
            ),
        )


class AssociationResponseModel(WireModel):
    """An association (Confluent's ``Association``)."""

    subject: str
    guid: str
    resourceName: str
    resourceNamespace: str
    resourceId: str
    resourceType: str
    associationType: str
    lifecycle: str
    frozen: bool


class AssociationInfoResponse(WireModel):
    """One association of a create or update answer, with the version its schema got."""

    subject: str
    associationType: str
    lifecycle: str
    frozen: bool
    schema_: SubjectVersionResponse | None = Field(default=None, alias="schema")


class AssociationCreateResponse(WireModel):
    """The answer of a create or update (Confluent's ``AssociationResponse``)."""

    resourceName: str
    resourceNamespace: str
    resourceId: str | None = None
    resourceType: str
    associations: list[AssociationInfoResponse]


ASSOCIATION_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Association not found (40410)"},
    409: {
        "model": ErrorResponse,
        "description": "Association conflict (40903-40908) or incompatible schema (409)",
    },
    422: {"model": ErrorResponse, "description": "Invalid association (42212) or schema"},
}
