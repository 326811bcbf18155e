"""The one exception hierarchy of the registry.

Every error the registry raises on purpose is a :class:`RegistryError`. Each leaf carries the
Confluent Schema Registry ``error_code`` it maps to; the HTTP status is decided in exactly one
place (``registry.api.errors``) by walking the MRO to the category, and the CLI maps the same
tree to exit codes in one table (``registry.cli.errors``)::

    RegistryError (50001)
    ├── NotFound
    │   ├── SubjectNotFound (40401)        ├── VersionNotFound (40402)
    │   ├── SchemaNotFound (40403)         ├── SubjectSoftDeleted (40404)
    │   ├── SubjectNotSoftDeleted (40405)  ├── VersionSoftDeleted (40406)
    │   ├── VersionNotSoftDeleted (40407)  ├── SubjectConfigNotFound (40408)
    │   ├── SubjectModeNotFound (40409)    ├── AssociationNotFound (40410)
    │   ├── KeyNotFound (40470)            ├── KeyNotSoftDeleted (40471)
    │   └── KeySoftDeleted (40472)
    ├── Conflict
    │   ├── IncompatibleSchema (409)
    │   ├── AssociationForResourceExists (40903)
    │   ├── AssociationForSubjectExists (40904)
    │   ├── StrongAssociationForSubjectExists (40905)
    │   ├── NoActiveSubjectVersion (40907) ├── AssociationFrozen (40908)
    │   └── KeyAlreadyExists (40971)
    ├── InvalidInput
    │   ├── MalformedRequest (400)         ├── UnprocessableRequest (422)
    │   ├── InvalidSchema (42201)          ├── InvalidVersion (42202)
    │   ├── InvalidCompatibilityLevel (42203) ├── InvalidMode (42204)
    │   ├── IdMismatch (42207)             ├── InvalidSubject (42208)
    │   ├── SchemaTooLarge (42209)         ├── InvalidRuleSet (42210)
    │   ├── RequestTooLarge (41301)        ├── NotAcceptable (406)
    │   ├── UnsupportedMediaType (415)     ├── NotConvertible (42211)
    │   ├── InvalidAssociation (42212)     ├── InvalidKey (42271)
    │   └── TargetMisconfigured (42281)
    ├── OperationNotPermitted (42205)
    │   ├── ReferenceExists (42206)
    │   └── KeyReferenceExists (42272)
    ├── AuthenticationRequired (40101)
    ├── AccessDenied (40301)
    │   └── DekGenerationForbidden (40370)
    ├── UpstreamError (50003)
    │   ├── RegistryUnreachable (50003)
    │   │   └── TargetUnreachable (50006)
    │   └── TargetError (50004)
    │       └── TargetThrottled (50005)
    ├── StoreError (50001)
    │   └── OperationTimeout (50002)
    └── RemoteError (50007; the remote's own code kept as remote_code)

Deploy safety (``registry.service.deploys``) adds ServiceNotFound (40480),
ServiceVersionNotFound (40481) and EnvironmentNotFound (40482) under NotFound, and
InvalidPublication (42290) under InvalidInput.
"""

from __future__ import annotations

from typing import ClassVar


class RegistryError(Exception):
    """Root of every error the registry raises deliberately."""

    error_code: ClassVar[int] = 50001
    default_message: ClassVar[str] = "Internal error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


# --- categories -----------------------------------------------------------------------------


class NotFound(RegistryError):
    """Something named in the request does not exist."""

    error_code = 40400
    default_message = "Not found"


class Conflict(RegistryError):
    """The request conflicts with what is stored."""

    error_code = 40900
    default_message = "Conflict"


class InvalidInput(RegistryError):
    """The request, a schema or a file is malformed or invalid."""

    error_code = 42200
    default_message = "Invalid input"


class OperationNotPermitted(RegistryError):
    """The operation is not allowed in the current mode or state."""

    error_code = 42205
    default_message = "Operation not permitted"


class AuthenticationRequired(RegistryError):
    """No or wrong credentials were presented."""

    error_code = 40101
    default_message = "Unauthorized: credentials are required"


class AccessDenied(RegistryError):
    """The caller is known but lacks the role or subject permission."""

    error_code = 40301
    default_message = "Forbidden: your role does not allow this operation"


class UpstreamError(RegistryError):
    """A system we depend on (another registry, a cloud API) failed."""

    error_code = 50003
    default_message = "Upstream service failed"


class StoreError(RegistryError):
    """The database failed."""

    error_code = 50001
    default_message = "Error in the backend data store"


# --- leaves: not found ----------------------------------------------------------------------


class SubjectNotFound(NotFound):
    """The subject has no versions (or none that are visible)."""

    error_code = 40401
    default_message = "Subject not found."

    def __init__(self, subject: str | None = None) -> None:
        super().__init__(f"Subject '{subject}' not found." if subject is not None else None)


class VersionNotFound(NotFound):
    """The subject exists but not this version."""

    error_code = 40402
    default_message = "Version not found."


class SchemaNotFound(NotFound):
    """No schema with this id, or no such schema under the subject."""

    error_code = 40403
    default_message = "Schema not found"


class SubjectSoftDeleted(NotFound):
    """The subject was soft-deleted."""

    error_code = 40404
    default_message = "Subject was soft deleted."


class SubjectNotSoftDeleted(NotFound):
    """A permanent delete needs a soft delete first."""

    error_code = 40405
    default_message = "Subject was not deleted first before being permanently deleted"


class VersionSoftDeleted(NotFound):
    """The version was soft-deleted."""

    error_code = 40406
    default_message = "Version was soft deleted."


class VersionNotSoftDeleted(NotFound):
    """A permanent delete of a version needs a soft delete first."""

    error_code = 40407
    default_message = "Version was not deleted first before being permanently deleted"


class SubjectConfigNotFound(NotFound):
    """The subject has no subject-level compatibility configured."""

    error_code = 40408
    default_message = "Subject does not have subject-level compatibility configured"


class SubjectModeNotFound(NotFound):
    """The subject has no subject-level mode."""

    error_code = 40409
    default_message = "Subject does not have subject-level mode configured"


class AssociationNotFound(NotFound):
    """The resource has no association (of the types asked for)."""

    error_code = 40410
    default_message = "Association not found."


# --- leaves: conflict -----------------------------------------------------------------------


class IncompatibleSchema(Conflict):
    """The schema breaks the subject's compatibility level."""

    error_code = 409
    default_message = "Schema being registered is incompatible with an earlier schema"


class AssociationForResourceExists(Conflict):
    """Creating an association of a type the resource already has (for another subject)."""

    error_code = 40903
    default_message = "An association of this type already exists for the resource"


class AssociationForSubjectExists(Conflict):
    """A STRONG association for a subject that has an association already, or a delete of a
    subject whose lifecycle a STRONG association owns."""

    error_code = 40904
    default_message = "An association already exists for the subject"


class StrongAssociationForSubjectExists(Conflict):
    """A second association for a subject that a STRONG association owns."""

    error_code = 40905
    default_message = "A strong association already exists for the subject"


class NoActiveSubjectVersion(Conflict):
    """An association without a schema to a subject that has no live version."""

    error_code = 40907
    default_message = "No active (non-deleted) version exists for the subject"


class AssociationFrozen(Conflict):
    """A change to a frozen association that does not unfreeze it."""

    error_code = 40908
    default_message = "The association is frozen"


# --- leaves: invalid input ------------------------------------------------------------------


class MalformedRequest(InvalidInput):
    """The request body is not JSON, or not the JSON this endpoint takes."""

    error_code = 400
    default_message = "Malformed request"


class UnprocessableRequest(InvalidInput):
    """The request is well-formed JSON but a field has the wrong shape."""

    error_code = 422
    default_message = "Unprocessable request"


class InvalidSchema(InvalidInput):
    """The schema text does not parse or violates its format's rules."""

    error_code = 42201
    default_message = "Invalid schema"

    def __init__(self, message: str | None = None) -> None:
        # Confluent's messages start so (RestInvalidSchemaException), and clients and users
        # search for it: every message of this class does too, whoever raises it.
        if message and not message.startswith("Invalid schema"):
            message = f"Invalid schema: {message}"
        super().__init__(message)


class InvalidVersion(InvalidInput):
    """The version is not a positive integer, 'latest' or -1."""

    error_code = 42202
    default_message = "The specified version is not a valid version id."


class InvalidCompatibilityLevel(InvalidInput):
    """Unknown compatibility level or policy."""

    error_code = 42203
    default_message = "Invalid compatibility level."


class InvalidMode(InvalidInput):
    """Unknown mode, or a mode change that is not allowed."""

    error_code = 42204
    default_message = "Invalid mode."


class IdMismatch(InvalidInput):
    """IMPORT mode: the id asked for is already taken by a different schema."""

    error_code = 42207
    default_message = "Schema id does not match"


class InvalidSubject(InvalidInput):
    """The subject name is empty, too long or contains forbidden characters."""

    error_code = 42208
    default_message = "Invalid subject"


class SchemaTooLarge(InvalidInput):
    """The schema text exceeds the configured maximum size."""

    error_code = 42209
    default_message = "Schema is too large"


class InvalidAssociation(InvalidInput):
    """An association request names no resource, an unknown type or lifecycle, and so on."""

    error_code = 42212
    default_message = "Invalid association"


class InvalidRuleSet(InvalidInput):
    """The ruleSet does not have the documented shape."""

    error_code = 42210
    default_message = "Invalid ruleSet"


class NotAcceptable(InvalidInput):
    """The ``Accept`` header allows none of the media types the registry answers with."""

    error_code = 406
    default_message = (
        "Not Acceptable: this registry answers with application/vnd.schemaregistry.v1+json, "
        "application/vnd.schemaregistry+json or application/json"
    )


class UnsupportedMediaType(InvalidInput):
    """The request body is not in a media type the registry reads."""

    error_code = 415
    default_message = (
        "Unsupported Media Type: send the body as JSON with Content-Type "
        "application/vnd.schemaregistry.v1+json (or application/json)"
    )


class RequestTooLarge(InvalidInput):
    """The request body exceeds the configured limit."""

    error_code = 41301
    default_message = "Request body is too large"


# --- leaves: others -------------------------------------------------------------------------


class ReferenceExists(OperationNotPermitted):
    """The version is referenced by another schema and cannot be deleted."""

    error_code = 42206
    default_message = "One or more references exist to the schema"


class RegistryUnreachable(UpstreamError):
    """A remote registry (for the CLI, the gate, sync) could not be reached."""

    error_code = 50003
    default_message = "Registry unreachable"


class OperationTimeout(StoreError):
    """The database did not answer in time."""

    error_code = 50002
    default_message = "Operation timed out"


# --- leaves: cloud sync targets and remote registries ---------------------------------------


class TargetError(UpstreamError):
    """A sync target answered a call with an error; the subject is reported as failed."""

    error_code = 50004
    default_message = "The sync target refused the request"


class TargetThrottled(TargetError):
    """A sync target asked us to slow down (HTTP 429 or a throttling code)."""

    error_code = 50005
    default_message = "The sync target is throttling requests"


class TargetUnreachable(RegistryUnreachable):
    """A sync target did not answer (connection refused, DNS, TLS, timeout)."""

    error_code = 50006
    default_message = "The sync target is unreachable"


class NotConvertible(InvalidInput):
    """A schema has no form a sync target accepts; the subject is skipped with this reason."""

    error_code = 42211
    default_message = "The schema cannot be converted for this target"


class TargetMisconfigured(InvalidInput):
    """A sync target's options or credentials are wrong, or something it needs is missing.

    Not 42212: that is Confluent's invalid association (:class:`InvalidAssociation`)."""

    error_code = 42281
    default_message = "The sync target is not configured correctly"


class RemoteError(RegistryError):
    """An error answer from a remote registry whose code we do not know (``status`` and
    ``remote_code`` are the remote's)."""

    error_code = 50007
    default_message = "The remote registry answered with an error"

    def __init__(self, status: int, error_code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.remote_code = error_code


# --- leaves: the DEK registry (Confluent's dek-registry module, DekRegistryErrors.java) --------


class KeyNotFound(NotFound):
    """No KEK with this name, or no DEK for this subject, version and algorithm."""

    error_code = 40470
    default_message = "Key not found"


class KeyNotSoftDeleted(NotFound):
    """A permanent delete of a KEK or DEK needs a soft delete first."""

    error_code = 40471
    default_message = "Key was not deleted first before being permanently deleted"


class KeySoftDeleted(NotFound):
    """The KEK of a DEK to undelete is itself soft-deleted."""

    error_code = 40472
    default_message = "Key must be undeleted first"


class KeyAlreadyExists(Conflict):
    """A different KEK or DEK already exists under this name or subject and version."""

    error_code = 40971
    default_message = "Key already exists; use a different value"


class InvalidKey(InvalidInput):
    """A KEK or DEK field is missing or invalid (name, subject, kmsType, kmsKeyId...)."""

    error_code = 42271
    default_message = "Invalid or missing key info"


class KeyReferenceExists(OperationNotPermitted):
    """A KEK still has DEKs and cannot be deleted."""

    error_code = 42272
    default_message = "One or more references exist to the key"


class DekGenerationForbidden(AccessDenied):
    """The registry may not generate (or rewrap) a DEK: it has no KMS access configured."""

    error_code = 40370
    default_message = "DEK generation is not enabled on this registry"


# --- leaves: deploy safety (services, versions, environments; see registry.service.deploys) --


class ServiceNotFound(NotFound):
    """No service of that name has published anything."""

    error_code = 40480
    default_message = "Service not found"


class ServiceVersionNotFound(NotFound):
    """The service has no such version."""

    error_code = 40481
    default_message = "Service version not found"


class EnvironmentNotFound(NotFound):
    """No environment of that name (create it first)."""

    error_code = 40482
    default_message = "Environment not found"


class InvalidPublication(InvalidInput):
    """A published contract, read pointer, verification result or name is malformed."""

    error_code = 42290
    default_message = "Invalid contract publication"
