"""Root, contexts, server metadata, health and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from registry import __version__
from registry.api.deps import ServiceDep
from registry.api.models import Limit, Offset
from registry.errors import StoreError

router = APIRouter(tags=["meta"])


class Health(BaseModel):
    """Liveness or readiness answer."""

    status: str


@router.get("/", response_model=dict[str, Any])
async def get_root() -> dict[str, Any]:
    """An empty object, as Confluent answers."""
    return {}


@router.get("/contexts", response_model=list[str])
async def list_contexts(offset: Offset = 0, limit: Limit = -1) -> list[str]:
    """Only the default context exists."""
    contexts = ["."][offset:]
    return contexts if limit < 0 else contexts[:limit]


@router.get("/v1/metadata/id", response_model=dict[str, Any])
async def get_cluster_id() -> dict[str, Any]:
    """Server metadata in Confluent's shape."""
    return {
        "scope": {
            "path": [],
            "clusters": {
                "kafka-cluster": "event-schema-registry",
                "schema-registry-cluster": "default",
            },
        }
    }


@router.get("/v1/metadata/version", response_model=dict[str, Any])
async def get_server_version() -> dict[str, Any]:
    """Server version."""
    return {"version": __version__, "commitId": ""}


@router.get("/health", response_model=Health)
async def get_health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get(
    "/ready",
    response_model=Health,
    responses={500: {"description": "The database does not answer"}},
)
def get_ready(service: ServiceDep) -> dict[str, str]:
    """Readiness: the database answers."""
    if not service.ready():
        raise StoreError("Database unreachable")
    return {"status": "ready"}
