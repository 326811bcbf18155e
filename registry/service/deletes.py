"""Deletes of subjects and versions, soft and permanent: a part of the service.

Every public method opens exactly one write transaction, like the rest of the service. A
version another live schema references is never deleted (42206), and a subject that a STRONG
association owns is deleted only with its resource (40904, see ``associations``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from registry import errors
from registry.domain import AuditEntry, Lifecycle
from registry.service.naming import ANONYMOUS, LATEST, Caller, parse_version
from registry.service.settings import SettingsUseCases
from registry.storage import association_repository as assoc
from registry.storage import repository as repo


class DeleteUseCases(SettingsUseCases):
    """Soft and permanent deletes of subjects and versions."""

    def delete_subject(
        self, subject: str, *, permanent: bool = False, caller: Caller = ANONYMOUS
    ) -> list[int]:
        """Soft-delete every version, or (permanent) remove a soft-deleted subject."""
        with self.db.write() as session:
            self._require_writable(session, subject)
            rows = repo.version_rows(session, subject)
            if not rows:
                raise errors.SubjectNotFound(subject)
            _refuse_strong_association(session, subject)
            live = [r.version for r in rows if not r.deleted]
            if permanent:
                if live:
                    raise errors.SubjectNotSoftDeleted(
                        f"Subject '{subject}' was not deleted first before being permanently "
                        "deleted"
                    )
                targets = [r.version for r in rows]
                self._refuse_referenced(session, subject, targets)
                repo.hard_delete_versions(session, subject, targets)
                repo.delete_config(session, subject)
                repo.delete_mode(session, subject)
            else:
                if not live:
                    raise errors.SubjectSoftDeleted(f"Subject '{subject}' was soft deleted.")
                targets = live
                self._refuse_referenced(session, subject, targets)
                repo.set_versions_deleted(session, subject, targets)
            repo.record(
                session,
                AuditEntry(
                    "delete_subject",
                    subject,
                    None,
                    None,
                    caller.actor,
                    caller.remote,
                    {"permanent": permanent, "versions": targets},
                ),
            )
            return targets

    def delete_version(
        self,
        subject: str,
        version: str | int,
        *,
        permanent: bool = False,
        caller: Caller = ANONYMOUS,
    ) -> int:
        """Soft-delete one version, or (permanent) remove a soft-deleted one."""
        number = parse_version(version)
        with self.db.write() as session:
            self._require_writable(session, subject)
            if number == LATEST:
                row = repo.latest_version_row(session, subject, include_deleted=permanent)
                if row is None:
                    raise errors.SubjectNotFound(subject)
            else:
                row = repo.version_row(session, subject, number)
                if row is None:
                    if not repo.has_versions(session, subject, include_deleted=True):
                        raise errors.SubjectNotFound(subject)
                    raise errors.VersionNotFound(
                        f"Version {number} not found for subject '{subject}'."
                    )
            if permanent and not row.deleted:
                raise errors.VersionNotSoftDeleted(
                    f"Version {row.version} of subject '{subject}' was not deleted first "
                    "before being permanently deleted"
                )
            if not permanent and row.deleted:
                raise errors.VersionSoftDeleted(
                    f"Version {row.version} of subject '{subject}' was soft deleted."
                )
            self._refuse_referenced(session, subject, [row.version])
            if permanent:
                repo.hard_delete_versions(session, subject, [row.version])
            else:
                repo.set_versions_deleted(session, subject, [row.version])
            repo.record(
                session,
                AuditEntry(
                    "delete_version",
                    subject,
                    row.version,
                    row.schema_id,
                    caller.actor,
                    caller.remote,
                    {"permanent": permanent},
                ),
            )
            return row.version

    @staticmethod
    def _refuse_referenced(session: Session, subject: str, versions: Sequence[int]) -> None:
        for number in versions:
            ids = repo.referencing_schema_ids(session, subject, number)
            if ids:
                raise errors.ReferenceExists(
                    f"Version {number} of subject '{subject}' is referenced by schema ids {ids}"
                )


def _refuse_strong_association(session: Session, subject: str) -> None:
    for association in assoc.by_subject(session, subject):
        if association.lifecycle is Lifecycle.STRONG:
            raise errors.AssociationForSubjectExists(
                f"An association already exists for subject '{subject}': its lifecycle "
                f"belongs to {association.resource_type} '{association.resource_name}' (delete "
                "the association with cascadeLifecycle=true)"
            )
