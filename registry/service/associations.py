"""Associations (Confluent 8.2): which subject a resource, a Kafka topic, uses for its keys and
its values. Clients' default subject-name strategy (``AssociatedNameStrategy``) asks for them
before serializing, and falls back to ``<topic>-key`` / ``<topic>-value`` when there is none.

The rules are Confluent's (``AssociationCreateOrUpdateRequest.validate``, ``Errors``):

* a resource has at most one association per type (``key``, ``value``): creating another is
  40903; an equivalent one is accepted again as it is;
* lifecycle STRONG: the subject belongs to the resource. It can have no other association
  (40904 when it has one, 40905 for any other once it has a STRONG one), cannot be deleted on
  its own (40904), and goes with the resource (``cascadeLifecycle``). WEAK: the subject only
  serves the resource, and outlives it; a WEAK association cannot be frozen;
* frozen: nothing about the association changes (no new schema, no other lifecycle) until a
  request unfreezes it (40908); it uses the default subject;
* an association may carry a schema, registered under its subject in the same transaction
  (with the usual compatibility check); without one, the subject needs a live version (40907);
* the subject of an association never changes; invalid requests are 42212.

Deliberately different: without contexts in this registry, the default subject is
``<resourceName>-<associationType>`` (Confluent's is qualified by a context named after the
resource namespace, ``:.<namespace>:<resourceName>-<associationType>``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from registry import errors
from registry.domain import Association, AuditEntry, Lifecycle, SchemaInput, SubjectVersion
from registry.service.naming import ANONYMOUS, Caller, Registration, validate_subject
from registry.storage import association_repository as assoc
from registry.storage import repository as repo
from registry.storage.engine import Database

TOPIC = "topic"
ASSOCIATION_TYPES = ("key", "value")
ANY_NAMESPACE = ("-", "*")


@dataclass(frozen=True, slots=True)
class AssociationSpec:
    """One association asked for: its type, and what the request says of it (None: unsaid)."""

    association_type: str = "value"
    subject: str | None = None
    lifecycle: Lifecycle | None = None
    frozen: bool | None = None
    schema: SchemaInput | None = None
    normalize: bool | None = None


@dataclass(frozen=True, slots=True)
class AssociationRequest:
    """A create or create-or-update request for one resource (Confluent's
    ``AssociationCreateOrUpdateRequest``)."""

    resource_name: str
    resource_namespace: str
    resource_id: str | None
    specs: tuple[AssociationSpec, ...]
    resource_type: str = TOPIC

    def resolved(self, *, dry_run: bool = False) -> AssociationRequest:
        """The request checked (42212 for what Confluent refuses) and with the default
        subject filled in; :attr:`subjects` then lists every subject it touches."""
        for name, value in (
            ("resourceName", self.resource_name),
            ("resourceNamespace", self.resource_namespace),
        ):
            if not value or any(ord(c) < 32 for c in value):
                _invalid(name, "cannot be null or empty")
        if not dry_run and not self.resource_id:
            _invalid("resourceId", "cannot be null or empty")
        if self.resource_type != TOPIC:
            _invalid("resourceType", f"must be '{TOPIC}'")
        if not self.specs:
            _invalid("associations", "cannot be null or empty")
        types = [spec.association_type for spec in self.specs]
        if len(set(types)) != len(types):
            _invalid("associationType", "each type may appear once")
        if len({spec.frozen for spec in self.specs if spec.frozen is not None}) > 1:
            _invalid("frozen", "all associations for a resource must be consistently frozen")
        return replace(self, specs=tuple(self._resolved(spec) for spec in self.specs))

    def _resolved(self, spec: AssociationSpec) -> AssociationSpec:
        if spec.association_type not in ASSOCIATION_TYPES:
            _invalid("associationType", "must be 'key' or 'value'")
        default = f"{self.resource_name}-{spec.association_type}"
        subject = spec.subject if spec.subject is not None else default
        try:
            validate_subject(subject)
        except errors.InvalidSubject as exc:
            _invalid("subject", exc.message)
        if spec.frozen and subject != default:
            _invalid("subject", f"frozen associations must use subject '{default}'")
        if spec.frozen and spec.lifecycle is Lifecycle.WEAK:
            _invalid("frozen", "a WEAK association cannot be frozen")
        return replace(spec, subject=subject)

    @property
    def subjects(self) -> list[str]:
        """The subjects a resolved request names."""
        return [str(spec.subject) for spec in self.specs]


@dataclass(frozen=True, slots=True)
class AssociationResult:
    """An association as created or updated, with the version its schema got (if any)."""

    association: Association
    version: SubjectVersion | None = None


def _invalid(field: str, detail: str) -> None:
    raise errors.InvalidAssociation(f"Invalid association: {field} {detail}")


class AssociationUseCases:
    """Create, update, read and delete associations; one transaction each."""

    db: Database

    def _register_in(
        self,
        session: Session,
        subject: str,
        schema: SchemaInput,
        *,
        normalize: bool | None = None,
        schema_id: int | None = None,
        version: int | None = None,
        guid: str | None = None,
        caller: Caller = ANONYMOUS,
    ) -> Registration:
        raise NotImplementedError  # RegistryService's

    def registered(self, registration: Registration) -> None:
        raise NotImplementedError  # RegistryService's

    # --- reads ------------------------------------------------------------------------------

    def associations_by_resource_name(
        self,
        name: str,
        namespace: str,
        resource_type: str = TOPIC,
        association_types: Sequence[str] = (),
        lifecycle: Lifecycle | None = None,
    ) -> list[Association]:
        """Associations of a resource by name; the namespace ``-`` (or ``*``) is any."""
        with self.db.read() as session:
            found = assoc.by_resource_name(
                session, name, None if namespace in ANY_NAMESPACE else namespace, resource_type
            )
        return _filtered(found, association_types, lifecycle)

    def associations_by_resource_id(
        self,
        resource_id: str,
        resource_type: str = TOPIC,
        association_types: Sequence[str] = (),
        lifecycle: Lifecycle | None = None,
    ) -> list[Association]:
        """Associations of a resource by its id."""
        with self.db.read() as session:
            found = assoc.by_resource_id(session, resource_id, resource_type)
        return _filtered(found, association_types, lifecycle)

    def associations_by_subject(
        self,
        subject: str,
        resource_type: str = TOPIC,
        association_types: Sequence[str] = (),
        lifecycle: Lifecycle | None = None,
    ) -> list[Association]:
        """Associations that use a subject."""
        with self.db.read() as session:
            found = assoc.by_subject(session, subject, resource_type)
        return _filtered(found, association_types, lifecycle)

    # --- writes -----------------------------------------------------------------------------

    def put_associations(
        self,
        request: AssociationRequest,
        *,
        update: bool = False,
        dry_run: bool = False,
        caller: Caller = ANONYMOUS,
    ) -> list[AssociationResult]:
        """Create the associations of a resolved request (``update``: or change existing
        ones), registering the schemas they carry; nothing at all when one is refused, and
        nothing but the checks with ``dry_run``."""
        registrations: list[Registration] = []
        with self.db.write() as session:
            existing = assoc.by_resource_name(
                session, request.resource_name, request.resource_namespace, request.resource_type
            )
            results = []
            for spec in request.specs:
                old = next(
                    (a for a in existing if a.association_type == spec.association_type), None
                )
                result, registration = self._put_one(
                    session, request, spec, old, update=update, caller=caller
                )
                results.append(result)
                if registration is not None:
                    registrations.append(registration)
            if dry_run:
                session.rollback()
                return results
            repo.record(
                session,
                AuditEntry(
                    "put_associations",
                    None,
                    None,
                    None,
                    caller.actor,
                    caller.remote,
                    {
                        "resourceName": request.resource_name,
                        "resourceNamespace": request.resource_namespace,
                        "associations": {
                            r.association.association_type: r.association.subject for r in results
                        },
                    },
                ),
            )
        for registration in registrations:
            self.registered(registration)
        return results

    def _put_one(
        self,
        session: Session,
        request: AssociationRequest,
        spec: AssociationSpec,
        old: Association | None,
        *,
        update: bool,
        caller: Caller,
    ) -> tuple[AssociationResult, Registration | None]:
        subject = str(spec.subject)
        if old is not None and not _equivalent(old, spec):
            if not update:
                raise errors.AssociationForResourceExists(
                    f"An association of type '{spec.association_type}' already exists for "
                    f"resource '{request.resource_name}'"
                )
            if old.subject != subject:
                _invalid("subject", f"cannot change from '{old.subject}'; delete the association")
            if old.frozen and spec.frozen is not False:
                raise _frozen(old)
        lifecycle = spec.lifecycle or (old.lifecycle if old else Lifecycle.WEAK)
        frozen = spec.frozen if spec.frozen is not None else (old.frozen if old else False)
        if frozen and lifecycle is Lifecycle.WEAK:
            _invalid("frozen", "a WEAK association cannot be frozen")
        self._check_subject(session, subject, lifecycle, old)
        registration = None
        if spec.schema is not None:
            registration = self._register_in(
                session, subject, spec.schema, normalize=spec.normalize, caller=caller
            )
            if registration.created and old is not None and old.frozen and spec.frozen is not False:
                raise _frozen(old)  # a frozen association takes no new schema
        elif not repo.has_versions(session, subject):
            raise errors.NoActiveSubjectVersion(
                f"No active (non-deleted) version exists for subject '{subject}'"
            )
        association = Association(
            subject=subject,
            guid=old.guid if old else str(uuid.uuid4()),
            resource_name=request.resource_name,
            resource_namespace=request.resource_namespace,
            resource_id=request.resource_id or (old.resource_id if old else ""),
            resource_type=request.resource_type,
            association_type=spec.association_type,
            lifecycle=lifecycle,
            frozen=frozen,
        )
        if association != old:
            assoc.put(session, association)
        version = None
        if registration is not None:
            version = SubjectVersion(subject, registration.version, registration.schema)
        return AssociationResult(association, version), registration

    @staticmethod
    def _check_subject(
        session: Session, subject: str, lifecycle: Lifecycle, old: Association | None
    ) -> None:
        others = [
            a for a in assoc.by_subject(session, subject) if old is None or a.guid != old.guid
        ]
        if any(a.lifecycle is Lifecycle.STRONG for a in others):
            raise errors.StrongAssociationForSubjectExists(
                f"A strong association already exists for subject '{subject}'"
            )
        if lifecycle is Lifecycle.STRONG and others:
            raise errors.AssociationForSubjectExists(
                f"An association already exists for subject '{subject}'"
            )

    def delete_associations(
        self,
        resource_id: str,
        *,
        resource_type: str = TOPIC,
        association_types: Sequence[str] = (),
        cascade: bool = False,
        dry_run: bool = False,
        caller: Caller = ANONYMOUS,
    ) -> list[Association]:
        """Delete a resource's associations (of the types given, else all): 40410 when it has
        none. With ``cascade``, the subjects of STRONG ones go too, for good (soft, then
        permanent delete); a frozen association goes only that way (40908)."""
        with self.db.write() as session:
            found = [
                a
                for a in assoc.by_resource_id(session, resource_id, resource_type)
                if not association_types or a.association_type in association_types
            ]
            if not found:
                raise errors.AssociationNotFound(f"Association for '{resource_id}' not found.")
            for association in found:
                if association.frozen and not cascade:
                    raise _frozen(association)
            assoc.remove(session, [a.guid for a in found])
            if cascade:
                for association in found:
                    if association.lifecycle is Lifecycle.STRONG:
                        self._remove_subject(session, association.subject)
            if dry_run:
                session.rollback()
                return found
            repo.record(
                session,
                AuditEntry(
                    "delete_associations",
                    None,
                    None,
                    None,
                    caller.actor,
                    caller.remote,
                    {
                        "resourceId": resource_id,
                        "cascade": cascade,
                        "subjects": [a.subject for a in found],
                    },
                ),
            )
            return found

    @staticmethod
    def _remove_subject(session: Session, subject: str) -> None:
        rows = repo.version_rows(session, subject)
        targets = [r.version for r in rows]
        for number in targets:
            ids = repo.referencing_schema_ids(session, subject, number)
            if ids:
                raise errors.ReferenceExists(
                    f"Version {number} of subject '{subject}' is referenced by schema ids {ids}"
                )
        repo.hard_delete_versions(session, subject, targets)
        repo.delete_config(session, subject)
        repo.delete_mode(session, subject)


def _filtered(
    found: list[Association], types: Sequence[str], lifecycle: Lifecycle | None
) -> list[Association]:
    return [
        a
        for a in found
        if (not types or a.association_type in types)
        and (lifecycle is None or a.lifecycle is lifecycle)
    ]


def _equivalent(old: Association, spec: AssociationSpec) -> bool:
    """Whether a request says nothing new of an association (Confluent's ``isEquivalent``)."""
    return (
        old.subject == spec.subject
        and (spec.lifecycle is None or spec.lifecycle is old.lifecycle)
        and (spec.frozen is None or spec.frozen is old.frozen)
    )


def _frozen(association: Association) -> errors.AssociationFrozen:
    return errors.AssociationFrozen(
        f"The association of type '{association.association_type}' is frozen for subject "
        f"'{association.subject}'"
    )
