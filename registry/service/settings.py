"""Compatibility config, modes and operational reads: the settings half of the service.

Every public method opens exactly one transaction, like the rest of the service.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from registry import errors
from registry.config import Settings
from registry.domain import (
    SUPPORTED_SCHEMA_TYPES,
    AuditEntry,
    ConfigUpdate,
    EffectiveConfig,
    Mode,
    SubjectConfig,
)
from registry.service.naming import ANONYMOUS, Caller, validate_subject
from registry.storage import repository as repo
from registry.storage.engine import Database
from registry.storage.tables import GLOBAL


class SettingsUseCases:
    """Config, modes, audit and sync state over one database."""

    db: Database
    settings: Settings

    # --- config and mode --------------------------------------------------------------------

    def _effective_config(self, session: Session, subject: str) -> EffectiveConfig:
        """The settings in force for ``subject``: each its own, else the global one, else the
        server's default."""
        found = repo.configs(session, subject, GLOBAL)
        own = found.get(subject) or SubjectConfig()
        glob = found.get(GLOBAL) or SubjectConfig()

        def pick(name: str) -> Any:
            value = getattr(own, name)
            return value if value is not None else getattr(glob, name)

        return EffectiveConfig(
            compatibility=pick("compatibility") or self.settings.default_compatibility,
            policy=pick("policy") or self.settings.default_policy,
            normalize=bool(pick("normalize")),
            group=pick("group"),
            default_metadata=pick("default_metadata"),
            override_metadata=pick("override_metadata"),
            default_rule_set=pick("default_rule_set"),
            override_rule_set=pick("override_rule_set"),
        )

    def _effective_mode(self, session: Session, subject: str | None) -> Mode:
        found = repo.modes(session, GLOBAL, *([] if subject is None else [subject]))
        if subject is not None and subject in found:
            return found[subject]
        return found.get(GLOBAL) or Mode.READWRITE

    def _require_writable(self, session: Session, subject: str) -> Mode:
        mode = self._effective_mode(session, subject)
        if mode in (Mode.READONLY, Mode.READONLY_OVERRIDE):
            raise errors.OperationNotPermitted(
                f"Subject '{subject}' is in read-only mode ({mode.value})"
            )
        return mode

    # --- config -----------------------------------------------------------------------------

    def get_config(
        self, subject: str | None = None, *, default_to_global: bool = False
    ) -> EffectiveConfig | SubjectConfig:
        """The global config, a subject's own config, or (default_to_global) the effective one.

        A subject's own config always says which level is in force (the global one when it
        sets none): clients such as kafkajs read ``compatibilityLevel`` from it.
        """
        with self.db.read() as session:
            if subject is None:
                return self._effective_config(session, GLOBAL)
            if default_to_global:
                return self._effective_config(session, subject)
            own = repo.get_config(session, subject)
            if own is None:
                raise errors.SubjectConfigNotFound(
                    f"Subject '{subject}' does not have subject-level compatibility configured"
                )
            if own.compatibility is None:
                own = replace(
                    own, compatibility=self._effective_config(session, subject).compatibility
                )
            return own

    def set_config(
        self, subject: str | None, change: ConfigUpdate, *, caller: Caller = ANONYMOUS
    ) -> SubjectConfig:
        """Change the settings a request names in the global or a subject's config; the others
        keep their value. A change that names nothing changes nothing (and creates no config);
        one that clears every setting of a subject removes its config."""
        key = GLOBAL if subject is None else validate_subject(subject)
        with self.db.write() as session:
            old = repo.get_config(session, key)
            if not change.named:
                return old or SubjectConfig()
            new = change.applied_to(old or SubjectConfig())
            if new.is_empty() and subject is not None:
                repo.delete_config(session, key)
            else:
                repo.put_config(session, key, new)
            repo.record(
                session,
                AuditEntry(
                    "set_config",
                    subject,
                    None,
                    None,
                    caller.actor,
                    caller.remote,
                    {name: getattr(change.values, name) for name in sorted(change.named)},
                ),
            )
            return new

    def delete_config(
        self, subject: str | None, *, caller: Caller = ANONYMOUS
    ) -> EffectiveConfig | SubjectConfig:
        """Remove a subject's config (or reset the global one); return what it was."""
        with self.db.write() as session:
            key = GLOBAL if subject is None else subject
            old = repo.get_config(session, key)
            if subject is not None and old is None:
                if not repo.has_versions(session, subject, include_deleted=True):
                    raise errors.SubjectNotFound(subject)
                raise errors.SubjectConfigNotFound(
                    f"Subject '{subject}' does not have subject-level compatibility configured"
                )
            previous: EffectiveConfig | SubjectConfig = (
                self._effective_config(session, GLOBAL)
                if subject is None
                else old or SubjectConfig()
            )
            repo.delete_config(session, key)
            repo.record(
                session,
                AuditEntry("delete_config", subject, None, None, caller.actor, caller.remote),
            )
            return previous

    # --- mode -------------------------------------------------------------------------------

    def get_mode(self, subject: str | None = None, *, default_to_global: bool = False) -> Mode:
        """The global mode, a subject's own mode, or (default_to_global) the effective one."""
        with self.db.read() as session:
            if subject is None:
                return self._effective_mode(session, None)
            own = repo.get_mode(session, subject)
            if own is None and not default_to_global:
                raise errors.SubjectModeNotFound(
                    f"Subject '{subject}' does not have subject-level mode configured"
                )
            return own or self._effective_mode(session, None)

    def set_mode(
        self, subject: str | None, mode: str, *, force: bool = False, caller: Caller = ANONYMOUS
    ) -> Mode:
        """Set the global or a subject's mode. IMPORT over existing schemas needs ``force``."""
        new = Mode.parse(mode)
        key = GLOBAL if subject is None else validate_subject(subject)
        with self.db.write() as session:
            if new is Mode.IMPORT and not force:
                busy = (
                    repo.any_schema(session)
                    if subject is None
                    else repo.has_versions(session, subject, include_deleted=True)
                )
                if busy:
                    raise errors.OperationNotPermitted(
                        "Cannot import since found existing subjects; use force=true to "
                        "switch to IMPORT mode anyway"
                    )
            repo.put_mode(session, key, new)
            repo.record(
                session,
                AuditEntry(
                    "set_mode",
                    subject,
                    None,
                    None,
                    caller.actor,
                    caller.remote,
                    {"mode": new.value},
                ),
            )
            return new

    def delete_mode(self, subject: str | None, *, caller: Caller = ANONYMOUS) -> Mode:
        """Remove a subject's mode (or reset the global one); return what it was."""
        with self.db.write() as session:
            key = GLOBAL if subject is None else subject
            old = repo.get_mode(session, key)
            if subject is not None and old is None:
                raise errors.SubjectModeNotFound(
                    f"Subject '{subject}' does not have subject-level mode configured"
                )
            repo.delete_mode(session, key)
            repo.record(
                session, AuditEntry("delete_mode", subject, None, None, caller.actor, caller.remote)
            )
            return old or Mode.READWRITE

    # --- operations -------------------------------------------------------------------------

    def ready(self) -> bool:
        """Whether the database answers."""
        return self.db.ping()

    def audit(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        subject: str | None = None,
        action: str | None = None,
        actor: str | None = None,
    ) -> list[dict[str, Any]]:
        """Newest audit entries first (of one subject, action or actor when given)."""
        with self.db.read() as session:
            return repo.audit_entries(
                session, limit=limit, offset=offset, subject=subject, action=action, actor=actor
            )

    def sync_states(self) -> list[dict[str, Any]]:
        """Cloud sync progress per target and subject."""
        with self.db.read() as session:
            return [
                {
                    "target": r.target,
                    "subject": r.subject,
                    "lastSyncedVersion": r.last_synced_version,
                    "lastError": r.last_error,
                    "attempts": r.attempts,
                    "updatedAt": r.updated_at.isoformat(),
                }
                for r in repo.sync_states(session)
            ]

    def save_sync_state(
        self,
        target: str,
        subject: str,
        last_synced_version: int | None,
        last_error: str | None,
        attempts: int,
    ) -> None:
        """Record a sync attempt's outcome."""
        with self.db.write() as session:
            repo.put_sync_state(session, target, subject, last_synced_version, last_error, attempts)

    @staticmethod
    def schema_types() -> list[str]:
        """Schema types this registry accepts."""
        return [t.value for t in SUPPORTED_SCHEMA_TYPES]
