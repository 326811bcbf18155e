"""/api/sync: the state of server-side cloud sync, and full runs on demand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request

from registry.api.deps import ADMIN, READ, ServiceDep
from registry.api.models import ERRORS
from registry.errors import NotFound

router = APIRouter(tags=["sync"], responses=ERRORS)


@router.get("/api/sync", dependencies=[READ], response_model=dict[str, Any])
def get_sync_state(request: Request, service: ServiceDep) -> dict[str, Any]:
    """Configured targets and, per target and subject, the last synced version and error."""
    worker = request.app.state.sync_worker
    return {
        "targets": sorted(worker.targets) if worker is not None else [],
        "pending": [list(p) for p in worker.pending()] if worker is not None else [],
        "states": service.sync_states(),
    }


@router.post("/api/sync/{target}", dependencies=[ADMIN], response_model=dict[str, Any])
def run_sync_target(request: Request, target: str = Path()) -> dict[str, Any]:
    """Push every subject to one configured target now; answers the per-subject results."""
    worker = request.app.state.sync_worker
    if worker is None or target not in worker.targets:
        raise NotFound(f"Sync target '{target}' is not configured on this server")
    report = worker.run_all(target)
    return {"target": target, "results": [r.as_dict() for r in report.results]}
