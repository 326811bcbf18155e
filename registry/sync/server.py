"""Cloud sync inside the server: the registry's own service as the source, state in its database.

``start_server_sync(settings, service)`` builds one :class:`SyncWorker` for the targets configured
in ``Settings.sync`` and subscribes it to registrations, so every successful registration is
queued for every target; a failure never fails or slows the registration (the worker retries with
exponential backoff and catches up when the target returns). The queue lives in memory, and the
state of every push in the database: at start, every subject a target has not caught up with
(from the stored states) is queued again, so a restart loses nothing.
"""

from __future__ import annotations

from registry.config import Settings
from registry.domain import CompatibilityLevel
from registry.errors import SubjectNotFound
from registry.service import Registration, RegistryService
from registry.sync import build_target
from registry.sync.base import SourceVersion, SyncState
from registry.sync.worker import SyncWorker


class ServiceSource:
    """The :class:`SchemaSource` protocol over this process's service."""

    def __init__(self, service: RegistryService) -> None:
        self.service = service

    def subjects(self, prefix: str | None = None) -> list[str]:
        """Live subjects, sorted."""
        return self.service.list_subjects(prefix=prefix or "")

    def versions(self, subject: str) -> list[SourceVersion]:
        """Every live version, ascending."""
        try:
            numbers = self.service.list_versions(subject)
        except SubjectNotFound:
            return []
        found = []
        for number in numbers:
            item = self.service.get_version(subject, number)
            found.append(
                SourceVersion(
                    subject,
                    item.version,
                    item.schema.schema,
                    item.schema.schema_type,
                    item.schema.references,
                )
            )
        return found

    def compatibility(self, subject: str) -> CompatibilityLevel:
        """The level in force for the subject."""
        return self.service.get_config(subject, default_to_global=True).compatibility or (
            self.service.settings.default_compatibility
        )


class ServiceStateStore:
    """The :class:`StateStore` protocol over the ``sync_state`` table."""

    def __init__(self, service: RegistryService) -> None:
        self.service = service

    def all(self) -> list[SyncState]:
        """Every stored state."""
        return [
            SyncState(
                s["target"], s["subject"], s["lastSyncedVersion"], s["lastError"], s["attempts"]
            )
            for s in self.service.sync_states()
        ]

    def load(self, target: str, subject: str) -> SyncState:
        """One state (fresh when unknown)."""
        for state in self.all():
            if state.target == target and state.subject == subject:
                return state
        return SyncState(target, subject)

    def save(self, state: SyncState) -> None:
        """Store a state."""
        self.service.save_sync_state(
            state.target, state.subject, state.last_synced_version, state.last_error, state.attempts
        )


def start_server_sync(settings: Settings, service: RegistryService) -> SyncWorker | None:
    """Build and start the worker for the configured targets (None when there are none)."""
    configured = settings.sync.targets()
    if not configured:
        return None
    targets = {kind: build_target(kind, **options) for kind, options in configured.items()}
    worker = SyncWorker(
        targets,
        ServiceSource(service),
        ServiceStateStore(service),
        base_delay=settings.sync.base_delay,
        max_delay=settings.sync.max_delay,
    )
    prefix = settings.sync.subjects

    def queue(registration: Registration) -> None:
        if prefix is None or registration.subject.startswith(prefix):
            worker.notify(registration.subject)

    service.on_registered(queue)
    worker.start()
    for subject in lagging_subjects(service, list(targets), prefix):
        worker.notify(subject)
    return worker


def lagging_subjects(service: RegistryService, targets: list[str], prefix: str | None) -> list[str]:
    """Subjects some target has not caught up with: registered while the server was down or
    stopping, or still failing. Queued at start, so nothing waits for the next registration."""
    synced: dict[tuple[str, str], int | None] = {
        (s["target"], s["subject"]): s["lastSyncedVersion"] for s in service.sync_states()
    }
    lagging = []
    for item in service.list_schemas(prefix=prefix or "", latest_only=True):
        behind = [t for t in targets if (synced.get((t, item.subject)) or 0) < item.version]
        if behind:
            lagging.append(item.subject)
    return lagging
