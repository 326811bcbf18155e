"""/api: registry administration beyond Confluent's API (audit log)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from registry.api.deps import ADMIN, ServiceDep
from registry.api.models import ERRORS, Offset

router = APIRouter(tags=["admin"], responses=ERRORS)


@router.get("/api/audit", dependencies=[ADMIN], response_model=list[dict[str, Any]])
def list_audit_entries(
    service: ServiceDep,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Every write, newest first: who, when, what and from where (admins only)."""
    return service.audit(limit=limit, offset=offset)
