"""Cloud sync: push the registry's subjects to EventBridge, Azure and Glue schema registries.

One module per target behind :class:`~registry.sync.base.SyncTarget`; :data:`TARGETS` lists
them (adding a target is one module and one entry). Targets are imported on demand, so the SDKs
(the ``cloud`` extra) are only needed for the target in use.
"""

from __future__ import annotations

import importlib
from typing import Any

from registry.errors import TargetMisconfigured
from registry.sync.base import (
    Drift,
    DriftKind,
    Outcome,
    RegistrySource,
    SchemaSource,
    SourceVersion,
    SubjectResult,
    SyncState,
    SyncTarget,
)
from registry.sync.runner import (
    DriftReport,
    RetryPolicy,
    SyncReport,
    backoff_delay,
    check_subject,
    run_check,
    run_sync,
    sync_subject,
)
from registry.sync.worker import MemoryStateStore, StateStore, SyncWorker

#: target kind -> (module, options class, target class)
TARGETS: dict[str, tuple[str, str, str]] = {
    "eventbridge": ("registry.sync.eventbridge", "EventBridgeOptions", "EventBridgeTarget"),
    "azure": ("registry.sync.azure", "AzureOptions", "AzureTarget"),
    "glue": ("registry.sync.glue", "GlueOptions", "GlueTarget"),
}


def build_target(kind: str, **options: Any) -> SyncTarget:
    """Build a target from its options (the fields of its ``*Options`` dataclass)."""
    entry = TARGETS.get(kind)
    if entry is None:
        raise TargetMisconfigured(
            f"unknown sync target {kind!r}: choose one of {', '.join(sorted(TARGETS))}"
        )
    module = importlib.import_module(entry[0])
    try:
        settings = getattr(module, entry[1])(**options)
    except TypeError as exc:
        raise TargetMisconfigured(f"bad options for the {kind} target: {exc}") from None
    target: SyncTarget = getattr(module, entry[2])(settings)
    return target


__all__ = [
    "TARGETS",
    "Drift",
    "DriftKind",
    "DriftReport",
    "MemoryStateStore",
    "Outcome",
    "RegistrySource",
    "RetryPolicy",
    "SchemaSource",
    "SourceVersion",
    "StateStore",
    "SubjectResult",
    "SyncReport",
    "SyncState",
    "SyncTarget",
    "SyncWorker",
    "backoff_delay",
    "build_target",
    "check_subject",
    "run_check",
    "run_sync",
    "sync_subject",
]
