"""/config and /mode: compatibility settings and registry modes, global and per subject."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from registry.api.deps import ADMIN, READ, CallerDep, ServiceDep
from registry.api.models import (
    ERRORS,
    ConfigRequest,
    ConfigResponse,
    ConfigUpdateResponse,
    Flag,
    ModeRequest,
    ModeResponse,
)
from registry.wire import ConfigUpdateWire, ConfigWire, config_to_wire, config_update_to_wire

router = APIRouter(tags=["config"], responses=ERRORS)


@router.get(
    "/config", dependencies=[READ], response_model=ConfigResponse, response_model_exclude_none=True
)
def get_global_config(service: ServiceDep) -> ConfigWire:
    """The global compatibility config."""
    return config_to_wire(service.get_config(None))


@router.put(
    "/config",
    dependencies=[ADMIN],
    response_model=ConfigUpdateResponse,
    response_model_exclude_none=True,
)
def put_global_config(
    service: ServiceDep, caller: CallerDep, body: ConfigRequest
) -> ConfigUpdateWire:
    """Change the global config: the fields sent (null clears one); the others are kept."""
    return config_update_to_wire(service.set_config(None, body.to_update(), caller=caller))


@router.delete(
    "/config", dependencies=[ADMIN], response_model=ConfigResponse, response_model_exclude_none=True
)
def delete_global_config(service: ServiceDep, caller: CallerDep) -> ConfigWire:
    """Reset the global config to the server's defaults; answer what it was."""
    return config_to_wire(service.delete_config(None, caller=caller))


@router.get(
    "/config/{subject:segment}",
    dependencies=[READ],
    response_model=ConfigResponse,
    response_model_exclude_none=True,
)
def get_subject_config(
    service: ServiceDep,
    subject: str = Path(),
    defaultToGlobal: Annotated[Flag, Query()] = False,
) -> ConfigWire:
    """A subject's own config (40408 when it has none), or the effective one; the level in
    force is always there."""
    return config_to_wire(service.get_config(subject, default_to_global=defaultToGlobal))


@router.put(
    "/config/{subject:segment}",
    dependencies=[ADMIN],
    response_model=ConfigUpdateResponse,
    response_model_exclude_none=True,
)
def put_subject_config(
    service: ServiceDep, caller: CallerDep, body: ConfigRequest, subject: str = Path()
) -> ConfigUpdateWire:
    """Change a subject's config: the fields sent (null clears one); the others are kept."""
    return config_update_to_wire(service.set_config(subject, body.to_update(), caller=caller))


@router.delete(
    "/config/{subject:segment}",
    dependencies=[ADMIN],
    response_model=ConfigResponse,
    response_model_exclude_none=True,
)
def delete_subject_config(
    service: ServiceDep, caller: CallerDep, subject: str = Path()
) -> ConfigWire:
    """Remove a subject's config; answer what it was."""
    return config_to_wire(service.delete_config(subject, caller=caller))


@router.get("/mode", dependencies=[READ], response_model=ModeResponse)
def get_global_mode(service: ServiceDep) -> dict[str, Any]:
    """The global mode."""
    return {"mode": service.get_mode(None).value}


@router.put("/mode", dependencies=[ADMIN], response_model=ModeResponse)
def put_global_mode(
    service: ServiceDep,
    caller: CallerDep,
    body: ModeRequest,
    force: Annotated[Flag, Query()] = False,
) -> dict[str, Any]:
    """Change the global mode (IMPORT over existing schemas needs force=true)."""
    return {"mode": service.set_mode(None, body.mode, force=force, caller=caller).value}


@router.delete("/mode", dependencies=[ADMIN], response_model=ModeResponse)
def delete_global_mode(service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """Reset the global mode to READWRITE; answer what it was."""
    return {"mode": service.delete_mode(None, caller=caller).value}


@router.get("/mode/{subject:segment}", dependencies=[READ], response_model=ModeResponse)
def get_subject_mode(
    service: ServiceDep,
    subject: str = Path(),
    defaultToGlobal: Annotated[Flag, Query()] = False,
) -> dict[str, Any]:
    """A subject's own mode (40409 when it has none), or the effective one."""
    return {"mode": service.get_mode(subject, default_to_global=defaultToGlobal).value}


@router.put("/mode/{subject:segment}", dependencies=[ADMIN], response_model=ModeResponse)
def put_subject_mode(
    service: ServiceDep,
    caller: CallerDep,
    body: ModeRequest,
    subject: str = Path(),
    force: Annotated[Flag, Query()] = False,
) -> dict[str, Any]:
    """Change a subject's mode."""
    return {"mode": service.set_mode(subject, body.mode, force=force, caller=caller).value}


@router.delete("/mode/{subject:segment}", dependencies=[ADMIN], response_model=ModeResponse)
def delete_subject_mode(
    service: ServiceDep, caller: CallerDep, subject: str = Path()
) -> dict[str, Any]:
    """Remove a subject's mode; answer what it was."""
    return {"mode": service.delete_mode(subject, caller=caller).value}
