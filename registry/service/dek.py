"""The DEK registry: key encryption keys (KEKs) and the data encryption keys (DEKs) they wrap.

Client-side field-level encryption as Confluent's ``dek-registry`` module serves it
(``DekRegistry.java`` and ``DekRegistryResource.java``): a producer's ENCRYPT rule finds or
creates a KEK (a named KMS key), generates a DEK per subject, wraps it with the KMS and stores
only the wrapped ``encryptedKeyMaterial`` here; consumers fetch it and unwrap it with their own
KMS access. This registry never sees a raw key: it has no KMS access, so it does not generate
DEKs for shared KEKs (Confluent's server-side generation) and says so (40370) instead of
storing a DEK without key material. KMS secrets a client puts in a KEK's ``kmsProps`` are kept
but never answered (Confluent's ``KmsPropsRedactor``) and never written to the audit log.

Soft and hard deletes follow Confluent: a permanent delete needs a soft delete first (40471), a
KEK cannot be deleted while DEKs use it (42272), and a DEK cannot be undeleted under a deleted
KEK (40472). Every public method opens one transaction; writes take the registry-wide lock
and record an audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.orm import Session

from registry import errors
from registry.domain import AuditEntry
from registry.service.dek_keys import (
    MAX_VERSION,
    MIN_VERSION,
    KekRequest,
    check_algorithm,
    check_context,
    check_material,
    check_name,
    check_props,
    check_subject,
    check_text,
    kek_detail,
    merged_props,
    normalize_kms_type,
    redacted,
    same_kek,
)
from registry.service.naming import ANONYMOUS, LATEST, Caller, parse_version
from registry.storage import dek_repository as repo
from registry.storage.dek_repository import Dek, Kek
from registry.storage.engine import Database
from registry.storage.repository import record


def _not_found(name: str) -> errors.KeyNotFound:
    return errors.KeyNotFound(f"Key '{name}' not found")


class DekRegistryService:
    """Use cases of the DEK registry over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- keks -------------------------------------------------------------------------------

    def list_keks(self, *, deleted: bool = False) -> list[str]:
        """KEK names, soft-deleted ones too when asked."""
        with self.db.read() as session:
            return [k.name for k in repo.keks(session, include_deleted=deleted)]

    def get_kek(self, name: str, *, deleted: bool = False, context: str | None = None) -> Kek:
        """One KEK (40470 when absent, or soft-deleted and not asked for)."""
        check_name(name)
        check_context(context)
        with self.db.read() as session:
            return redacted(self._kek(session, name, deleted=deleted))

    def create_kek(
        self, request: KekRequest, *, context: str | None = None, caller: Caller = ANONYMOUS
    ) -> Kek:
        """Create a KEK. An existing one is refused (40971) unless it is soft-deleted and the
        request is the same key, which undeletes it (as Confluent's create does)."""
        name = check_name(request.name)
        check_context(context)
        if not request.kms_key_id:
            raise errors.InvalidKey("Invalid or missing key info: kmsKeyId is required")
        if not request.kms_type:
            raise errors.InvalidKey("Invalid or missing key info: kmsType is required")
        check_text("kmsType", request.kms_type)
        check_text("kmsKeyId", request.kms_key_id)
        new = Kek(
            name=name,
            kms_type=normalize_kms_type(request.kms_type),
            kms_key_id=request.kms_key_id,
            kms_props=check_props(request.kms_props) or {},
            doc=check_text("doc", request.doc),
            shared=request.shared,
            deleted=request.deleted,
        )
        with self.db.write() as session:
            old = repo.kek(session, name)
            if old is not None and (old.deleted == new.deleted or not same_kek(old, new)):
                raise errors.KeyAlreadyExists(f"Key '{name}' already exists; use a different value")
            stored = repo.put_kek(session, new)
            self._record(session, "create_kek", caller, None, None, kek_detail(stored))
        return redacted(stored)

    def update_kek(
        self,
        name: str,
        *,
        kms_props: Mapping[str, str] | None = None,
        doc: str | None = None,
        shared: bool | None = None,
        caller: Caller = ANONYMOUS,
    ) -> Kek:
        """Change a live KEK's ``kmsProps``, ``doc`` or ``shared`` (the KMS key never changes);
        fields left out keep their value."""
        check_name(name)
        check_props(kms_props)
        check_text("doc", doc)
        with self.db.write() as session:
            old = self._kek(session, name, deleted=False)
            new = replace(
                old,
                kms_props=old.kms_props
                if kms_props is None
                else merged_props(kms_props, old.kms_props),
                doc=old.doc if doc is None else doc,
                shared=old.shared if shared is None else shared,
            )
            if same_kek(old, new):
                return redacted(old)
            stored = repo.put_kek(session, new)
            self._record(session, "update_kek", caller, None, None, kek_detail(stored))
        return redacted(stored)

    def delete_kek(self, name: str, *, permanent: bool = False, caller: Caller = ANONYMOUS) -> None:
        """Soft-delete a KEK, or (permanent) remove a soft-deleted one. Refused while DEKs use it
        (any DEK for a permanent delete, live ones for a soft delete: 42272)."""
        check_name(name)
        with self.db.write() as session:
            kek = self._kek(session, name, deleted=True)
            if repo.deks_of_kek(session, name, include_deleted=permanent):
                raise errors.KeyReferenceExists(f"One or more references exist to the key {name}")
            if permanent:
                if not kek.deleted:
                    raise errors.KeyNotSoftDeleted(
                        f"Key '{name}' was not deleted first before being permanently deleted"
                    )
                repo.delete_kek(session, name)
            elif not kek.deleted:
                repo.put_kek(session, replace(kek, deleted=True))
            detail = {"kek": name, "permanent": permanent}
            self._record(session, "delete_kek", caller, None, None, detail)

    def undelete_kek(self, name: str, *, caller: Caller = ANONYMOUS) -> None:
        """Bring back a soft-deleted KEK."""
        check_name(name)
        with self.db.write() as session:
            kek = self._kek(session, name, deleted=True)
            if kek.deleted:
                repo.put_kek(session, replace(kek, deleted=False))
            self._record(session, "undelete_kek", caller, None, None, {"kek": name})

    # --- deks -------------------------------------------------------------------------------

    def list_dek_subjects(self, kek_name: str, *, deleted: bool = False) -> list[str]:
        """The subjects that have DEKs under a KEK."""
        check_name(kek_name)
        with self.db.read() as session:
            self._kek(session, kek_name, deleted=deleted)
            found = repo.deks_of_kek(session, kek_name, include_deleted=deleted)
        return sorted({d.subject for d in found})

    def list_dek_versions(
        self,
        kek_name: str,
        subject: str,
        *,
        algorithm: str | None = None,
        deleted: bool = False,
    ) -> list[int]:
        """The versions of a subject's DEK with one algorithm (an empty list when none)."""
        check_name(kek_name)
        check_subject(subject)
        alg = check_algorithm(algorithm)
        with self.db.read() as session:
            self._kek(session, kek_name, deleted=deleted)
            found = repo.dek_versions(session, kek_name, subject, alg, include_deleted=deleted)
        return [d.version for d in found]

    def get_dek(
        self,
        kek_name: str,
        subject: str,
        version: str | int = MIN_VERSION,
        *,
        algorithm: str | None = None,
        deleted: bool = False,
    ) -> Dek:
        """One version of a subject's DEK (``latest`` or -1 for the newest; 40470 when none)."""
        check_name(kek_name)
        check_subject(subject)
        alg = check_algorithm(algorithm)
        number = parse_version(version)
        with self.db.read() as session:
            self._kek(session, kek_name, deleted=deleted)
            found = self._dek(session, kek_name, subject, alg, number, deleted=deleted)
        if found is None:
            raise _not_found(subject)
        return found

    def create_dek(
        self,
        kek_name: str,
        subject: str | None,
        *,
        body_subject: str | None = None,
        version: int | None = None,
        algorithm: str | None = None,
        encrypted_key_material: str | None = None,
        deleted: bool = False,
        rewrap: bool = False,
        caller: Caller = ANONYMOUS,
    ) -> Dek:
        """Store a DEK version the client generated and wrapped with its KMS.

        Without ``encryptedKeyMaterial`` Confluent generates the DEK through the KMS when the
        KEK is shared; this registry has no KMS access, so it refuses (40370, or 42271 for a
        KEK that is not shared, as Confluent). The same request again is refused (40971)
        unless it brings back a soft-deleted version with the same material.
        """
        check_name(kek_name)
        subject = check_subject(subject)
        if body_subject is not None and body_subject != subject:
            raise errors.InvalidKey(
                f"Invalid key subject: the body names '{body_subject}', the path '{subject}'"
            )
        alg = check_algorithm(algorithm)
        number = MIN_VERSION if version is None else version
        if not MIN_VERSION <= number <= MAX_VERSION:
            raise errors.InvalidVersion(f"Invalid key version {number}: use 1 to {MAX_VERSION}")
        with self.db.write() as session:
            kek = self._kek(session, kek_name, deleted=deleted)
            if rewrap or encrypted_key_material is None:
                if rewrap or kek.shared:
                    raise errors.DekGenerationForbidden(
                        f"Key '{subject}' cannot be generated or rewrapped by this registry: it "
                        f"has no KMS access for KEK '{kek_name}'. Send encryptedKeyMaterial "
                        "(the DEK wrapped by your KMS), or use a KEK with shared=false so that "
                        "clients generate their own DEKs"
                    )
                raise errors.InvalidKey(
                    "Invalid or missing key info: encryptedKeyMaterial is required for a KEK "
                    "that is not shared"
                )
            new = Dek(kek_name, subject, number, alg, check_material(encrypted_key_material))
            new = replace(new, deleted=deleted)
            old = repo.dek(session, kek_name, subject, alg, number)
            if old is not None and (
                old.deleted == new.deleted
                or old.encrypted_key_material != new.encrypted_key_material
            ):
                raise errors.KeyAlreadyExists(
                    f"Key '{subject}' already exists; use a different value"
                )
            stored = repo.put_dek(session, new)
            detail = {"kek": kek_name, "algorithm": alg, "deleted": deleted}
            self._record(session, "create_dek", caller, subject, number, detail)
        return stored

    def delete_dek(
        self,
        kek_name: str,
        subject: str,
        version: str | int | None = None,
        *,
        algorithm: str | None = None,
        permanent: bool = False,
        caller: Caller = ANONYMOUS,
    ) -> None:
        """Soft-delete one version (or every version) of a subject's DEK, or (permanent) remove
        soft-deleted ones (40471 while one is live)."""
        check_name(kek_name)
        check_subject(subject)
        alg = check_algorithm(algorithm)
        with self.db.write() as session:
            self._kek(session, kek_name, deleted=True)
            targets = self._targets(session, kek_name, subject, alg, version)
            if permanent:
                if any(not t.deleted for t in targets):
                    raise errors.KeyNotSoftDeleted(
                        f"Key '{subject}' was not deleted first before being permanently deleted"
                    )
                repo.delete_deks(session, targets)
            else:
                repo.set_deks_deleted(session, [t for t in targets if not t.deleted], True)
            detail = {
                "kek": kek_name,
                "algorithm": alg,
                "permanent": permanent,
                "versions": [t.version for t in targets],
            }
            number = targets[0].version if version is not None else None
            self._record(session, "delete_dek", caller, subject, number, detail)

    def undelete_dek(
        self,
        kek_name: str,
        subject: str,
        version: str | int | None = None,
        *,
        algorithm: str | None = None,
        caller: Caller = ANONYMOUS,
    ) -> None:
        """Bring back one soft-deleted version (or all) of a subject's DEK; its KEK must be
        live (40472)."""
        check_name(kek_name)
        check_subject(subject)
        alg = check_algorithm(algorithm)
        with self.db.write() as session:
            kek = self._kek(session, kek_name, deleted=True)
            targets = self._targets(session, kek_name, subject, alg, version)
            if kek.deleted:
                raise errors.KeySoftDeleted(f"Key '{kek_name}' must be undeleted first")
            repo.set_deks_deleted(session, [t for t in targets if t.deleted], False)
            detail = {"kek": kek_name, "algorithm": alg, "versions": [t.version for t in targets]}
            number = targets[0].version if version is not None else None
            self._record(session, "undelete_dek", caller, subject, number, detail)

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _kek(session: Session, name: str, *, deleted: bool) -> Kek:
        kek = repo.kek(session, name)
        if kek is None or (kek.deleted and not deleted):
            raise _not_found(name)
        return kek

    @staticmethod
    def _dek(
        session: Session, kek_name: str, subject: str, alg: str, number: int, *, deleted: bool
    ) -> Dek | None:
        if number == LATEST:
            versions = repo.dek_versions(session, kek_name, subject, alg, include_deleted=deleted)
            return versions[-1] if versions else None
        found = repo.dek(session, kek_name, subject, alg, number)
        return None if found is None or (found.deleted and not deleted) else found

    def _targets(
        self,
        session: Session,
        kek_name: str,
        subject: str,
        alg: str,
        version: str | int | None,
    ) -> list[Dek]:
        """Every version of the DEK (``version`` None) or one, soft-deleted or not (40470 when
        there is none)."""
        if version is None:
            targets = repo.dek_versions(session, kek_name, subject, alg, include_deleted=True)
        else:
            found = self._dek(session, kek_name, subject, alg, parse_version(version), deleted=True)
            targets = [found] if found is not None else []
        if not targets:
            raise _not_found(subject)
        return targets

    @staticmethod
    def _record(
        session: Session,
        action: str,
        caller: Caller,
        subject: str | None,
        version: int | None,
        detail: Mapping[str, object],
    ) -> None:
        entry = AuditEntry(
            action, subject, version, None, caller.actor, caller.remote, dict(detail)
        )
        record(session, entry)
