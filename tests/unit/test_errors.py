"""Every error class, wherever it is defined, has an explicit HTTP status, exit code and code.

The table is written out by hand: a new error class fails here until someone decides what it
means to an HTTP client and to a shell script, and a category change that would silently move a
class to another status or exit code shows up as a diff of this table. The status and code are
read from the response the API's handler builds and the exit code from the CLI's handler, so a
special case added in either cannot drift from the table.

Every module of the package is imported to find the classes. An exception class of the package
outside the ``RegistryError`` tree must be listed in ``OUTSIDE_THE_TREE`` with the reason it
never reaches a client or a shell (today: contract-test failures and internal signals that
their own module catches).
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from types import ModuleType

import pytest
import typer

import registry
from registry import errors
from registry.api.errors import registry_error_response
from registry.cli.errors import exit_on_registry_error

# class name -> (HTTP status, CLI exit code, error code)
EXPECTED: dict[str, tuple[int, int, int]] = {
    "RegistryError": (500, 2, 50001),
    "NotFound": (404, 2, 40400),
    "SubjectNotFound": (404, 2, 40401),
    "VersionNotFound": (404, 2, 40402),
    "SchemaNotFound": (404, 2, 40403),
    "SubjectSoftDeleted": (404, 2, 40404),
    "SubjectNotSoftDeleted": (404, 2, 40405),
    "VersionSoftDeleted": (404, 2, 40406),
    "VersionNotSoftDeleted": (404, 2, 40407),
    "SubjectConfigNotFound": (404, 2, 40408),
    "SubjectModeNotFound": (404, 2, 40409),
    "AssociationNotFound": (404, 2, 40410),
    "Conflict": (409, 1, 40900),
    "IncompatibleSchema": (409, 1, 409),
    "AssociationForResourceExists": (409, 1, 40903),
    "AssociationForSubjectExists": (409, 1, 40904),
    "StrongAssociationForSubjectExists": (409, 1, 40905),
    "NoActiveSubjectVersion": (409, 1, 40907),
    "AssociationFrozen": (409, 1, 40908),
    "InvalidInput": (422, 2, 42200),
    "MalformedRequest": (400, 2, 400),
    "UnprocessableRequest": (422, 2, 422),
    "InvalidSchema": (422, 2, 42201),
    "InvalidVersion": (422, 2, 42202),
    "InvalidCompatibilityLevel": (422, 2, 42203),
    "InvalidMode": (422, 2, 42204),
    "IdMismatch": (422, 2, 42207),
    "InvalidSubject": (422, 2, 42208),
    "SchemaTooLarge": (422, 2, 42209),
    "InvalidRuleSet": (422, 2, 42210),
    "NotConvertible": (422, 2, 42211),
    "InvalidAssociation": (422, 2, 42212),
    "TargetMisconfigured": (422, 2, 42281),
    "RequestTooLarge": (413, 2, 41301),
    "NotAcceptable": (406, 2, 406),
    "UnsupportedMediaType": (415, 2, 415),
    "OperationNotPermitted": (422, 2, 42205),
    "ReferenceExists": (422, 2, 42206),
    "AuthenticationRequired": (401, 2, 40101),
    "AccessDenied": (403, 2, 40301),
    "UpstreamError": (502, 3, 50003),
    "RegistryUnreachable": (502, 3, 50003),
    "TargetError": (502, 3, 50004),
    "TargetThrottled": (502, 3, 50005),
    "TargetUnreachable": (502, 3, 50006),
    "StoreError": (500, 2, 50001),
    "OperationTimeout": (500, 2, 50002),
    "RemoteError": (500, 2, 50007),
    "KeyNotFound": (404, 2, 40470),
    "KeyNotSoftDeleted": (404, 2, 40471),
    "KeySoftDeleted": (404, 2, 40472),
    "KeyAlreadyExists": (409, 1, 40971),
    "InvalidKey": (422, 2, 42271),
    "KeyReferenceExists": (422, 2, 42272),
    "DekGenerationForbidden": (403, 2, 40370),
    "ServiceNotFound": (404, 2, 40480),
    "ServiceVersionNotFound": (404, 2, 40481),
    "EnvironmentNotFound": (404, 2, 40482),
    "InvalidPublication": (422, 2, 42290),
}


# Exception classes of the package that are not RegistryErrors, and why that is right.
_ASSERTION = "an AssertionError: pytest reports it as a broken contract, no API or CLI sees it"
_SIGNAL = "an internal signal, caught where it is raised"
OUTSIDE_THE_TREE: dict[str, str] = {
    "registry.contract_testing.capture.ContractViolation": _ASSERTION,
    "registry.contract_testing.verify.ConsumerFailed": _ASSERTION,
    "registry.contract_testing.discovery._NotJson": _SIGNAL,
    "registry.contract_testing.payloads.PayloadError": (
        "an undecodable captured payload, reported as a contract violation"
    ),
    "registry.formats.avro.examples.NoExample": _SIGNAL,
    "registry.formats.jsonschema.budget.BudgetExceeded": (
        "caught by validation, compatibility and counterexamples: too complex to decide"
    ),
    "registry.formats.jsonschema.examples.Unsatisfiable": _SIGNAL,
    "registry.formats.jsonschema.reach.Untrusted": (
        "caught by the fast validator, which falls back to jsonschema"
    ),
    "registry.formats.jsonschema.patterns._Unportable": _SIGNAL,
    "registry.formats.jsonschema.regex_gen._Unsupported": _SIGNAL,
}


def _every_module() -> list[ModuleType]:
    return [
        importlib.import_module(module.name)
        for module in pkgutil.walk_packages(registry.__path__, "registry.")
        if ".migrations" not in module.name
    ]


MODULES = _every_module()


def _every_error_class() -> list[type[errors.RegistryError]]:
    found: list[type[errors.RegistryError]] = []
    stack = [errors.RegistryError]
    while stack:
        cls = stack.pop()
        if cls not in found:
            found.append(cls)
            stack.extend(cls.__subclasses__())
    return found


CLASSES = _every_error_class()


def test_every_error_class_is_in_the_table() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert names == set(EXPECTED), (names - set(EXPECTED), set(EXPECTED) - names)


def test_error_classes_live_in_registry_errors() -> None:
    elsewhere = [f"{c.__module__}.{c.__name__}" for c in CLASSES if c.__module__ != errors.__name__]
    assert not elsewhere


def test_exceptions_outside_the_tree_are_listed_with_a_reason() -> None:
    outside = {
        f"{obj.__module__}.{obj.__qualname__}"
        for module in MODULES
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and not issubclass(obj, errors.RegistryError)
        and obj.__module__.split(".")[0] == "registry"
    }
    assert outside == set(OUTSIDE_THE_TREE), (
        outside - set(OUTSIDE_THE_TREE),
        set(OUTSIDE_THE_TREE) - outside,
    )


def _instance(cls: type[errors.RegistryError]) -> errors.RegistryError:
    """An instance whatever the constructor's signature (only the class decides the mapping)."""
    instance = cls.__new__(cls)
    instance.message = "message"
    return instance


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_status_exit_code_and_error_code(cls: type[errors.RegistryError]) -> None:
    status, exit_code, error_code = EXPECTED[cls.__name__]
    response = registry_error_response(_instance(cls))
    body = json.loads(bytes(response.body))
    with pytest.raises(typer.Exit) as exited, exit_on_registry_error():
        raise _instance(cls)
    assert (response.status_code, exited.value.exit_code, body["error_code"]) == (
        status,
        exit_code,
        error_code,
    )
    assert cls.error_code == error_code


def test_error_codes_are_distinct_except_the_categories_aliases() -> None:
    by_code: dict[int, list[str]] = {}
    for name, (_, _, code) in EXPECTED.items():
        by_code.setdefault(code, []).append(name)
    shared = {code: names for code, names in by_code.items() if len(names) > 1}
    # The root and the store share 50001, and an unreachable registry is the upstream failure
    # Confluent reports: the only codes two classes carry.
    assert shared == {
        50001: ["RegistryError", "StoreError"],
        50003: ["UpstreamError", "RegistryUnreachable"],
    }
