"""Wire models of Confluent's DEK registry (``/dek-registry/v1``), for requests, answers and the
OpenAPI document. Field names and shapes are those of Confluent's ``Kek``, ``Dek``,
``CreateKekRequest``, ``CreateDekRequest`` and ``UpdateKekRequest`` entities.

Every request field is optional, as in Confluent's document: a missing name, subject, kmsType,
kmsKeyId or encryptedKeyMaterial is answered by the service with Confluent's 42271.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from registry.api.models import ErrorResponse, WireModel
from registry.service.dek_keys import MAX_VERSION, MIN_VERSION
from registry.storage.dek_repository import Dek, Kek

Algorithm = Literal["AES128_GCM", "AES256_GCM", "AES256_SIV"]


class CreateKekRequest(WireModel):
    """POST /dek-registry/v1/keks."""

    name: str | None = Field(default=None, description="Name of the KEK", examples=["orders"])
    kmsType: str | None = Field(
        default=None, description="KMS type: aws-kms, azure-kms, gcp-kms, hcvault, local-kms"
    )
    kmsKeyId: str | None = Field(default=None, description="Id of the key in the KMS")
    kmsProps: dict[str, str] | None = Field(
        default=None, description="KMS properties (secrets among them are never answered)"
    )
    doc: str | None = Field(default=None, description="Description of the KEK")
    shared: bool = Field(
        default=False, description="Whether the registry generates DEKs (it never does here)"
    )
    deleted: bool = Field(default=False, description="Create it soft-deleted (replication)")


class UpdateKekRequest(WireModel):
    """PUT /dek-registry/v1/keks/{name}: fields left out keep their value."""

    kmsProps: dict[str, str] | None = None
    doc: str | None = None
    shared: bool | None = None


class CreateDekRequest(WireModel):
    """POST /dek-registry/v1/keks/{name}/deks[/{subject}]."""

    subject: str | None = Field(default=None, description="Subject of the DEK")
    version: int | None = Field(
        default=None, ge=MIN_VERSION, le=MAX_VERSION, description="Version (default 1)"
    )
    algorithm: Algorithm | None = Field(default=None, description="Algorithm (AES256_GCM)")
    encryptedKeyMaterial: str | None = Field(
        default=None, description="The DEK wrapped by the KEK's KMS key, base64"
    )
    deleted: bool = Field(default=False, description="Create it soft-deleted (replication)")


class KekResponse(WireModel):
    """A KEK as answered."""

    name: str
    kmsType: str
    kmsKeyId: str
    kmsProps: dict[str, str]
    doc: str | None = None
    shared: bool
    ts: int = Field(description="Last write, milliseconds since the epoch")
    deleted: bool | None = Field(default=None, description="Present (true) when soft-deleted")


class DekResponse(WireModel):
    """A DEK version as answered: only ever the wrapped key."""

    kekName: str
    subject: str
    version: int
    algorithm: Algorithm
    encryptedKeyMaterial: str
    keyMaterial: str | None = Field(
        default=None,
        description="The raw key, only when the registry generated the DEK (never here)",
    )
    ts: int = Field(description="Last write, milliseconds since the epoch")
    deleted: bool | None = Field(default=None, description="Present (true) when soft-deleted")


def kek_wire(kek: Kek) -> dict[str, Any]:
    """A KEK on the wire (``doc`` and ``deleted`` only when set, as Confluent)."""
    data: dict[str, Any] = {
        "name": kek.name,
        "kmsType": kek.kms_type,
        "kmsKeyId": kek.kms_key_id,
        "kmsProps": kek.kms_props,
        "shared": kek.shared,
        "ts": kek.ts,
    }
    if kek.doc is not None:
        data["doc"] = kek.doc
    if kek.deleted:
        data["deleted"] = True
    return data


def dek_wire(dek: Dek) -> dict[str, Any]:
    """A DEK version on the wire (``deleted`` only when set, as Confluent)."""
    data: dict[str, Any] = {
        "kekName": dek.kek_name,
        "subject": dek.subject,
        "version": dek.version,
        "algorithm": dek.algorithm,
        "encryptedKeyMaterial": dek.encrypted_key_material,
        "ts": dek.ts,
    }
    if dek.deleted:
        data["deleted"] = True
    return data


KEY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed request"},
    401: {"model": ErrorResponse, "description": "Credentials required (40101)"},
    403: {
        "model": ErrorResponse,
        "description": "Role does not allow this (40301); DEK generation forbidden (40370)",
    },
    404: {
        "model": ErrorResponse,
        "description": "Key not found (40470), not soft-deleted (40471), KEK deleted (40472)",
    },
    422: {"model": ErrorResponse, "description": "Invalid key (42271), references exist (42272)"},
    500: {"model": ErrorResponse, "description": "Store error (50001)"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorResponse, "description": "Key already exists (40971)"}
}


def _link(operation: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation, "parameters": parameters, "description": description}


_KEK = "$response.body#/name"
_DEK_KEK = "$response.body#/kekName"
_DEK_SUBJECT = "$response.body#/subject"
_DEK_VERSION = "$response.body#/version"
# What a created KEK or DEK leads to, so that clients and the fuzzer's stateful phase can chain.
KEK_LINKS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The KEK",
        "links": {
            "GetKek": _link("get_kek", "The KEK", name=_KEK),
            "ListDekSubjects": _link("list_dek_subjects", "Its DEKs' subjects", name=_KEK),
            "DeleteKek": _link("delete_kek", "Soft-delete it", name=_KEK),
        },
    }
}
DEK_LINKS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The DEK version",
        "links": {
            "GetDekVersion": _link(
                "get_dek_version",
                "The DEK version",
                name=_DEK_KEK,
                subject=_DEK_SUBJECT,
                version=_DEK_VERSION,
            ),
            "ListDekVersions": _link(
                "list_dek_versions", "The DEK's versions", name=_DEK_KEK, subject=_DEK_SUBJECT
            ),
            "DeleteDekVersion": _link(
                "delete_dek_version",
                "Soft-delete it",
                name=_DEK_KEK,
                subject=_DEK_SUBJECT,
                version=_DEK_VERSION,
            ),
        },
    }
}
