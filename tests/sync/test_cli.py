"""``esr sync`` end to end: a real ``esr serve`` as the source, emulators and moto as targets."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from registry.cli.main import app
from registry.client import RegistryClient
from registry.domain import SchemaInput
from tests.support.server import ServerProcess, free_port, running_server
from tests.sync.conftest import AZURE_TOKEN, catalogue_source
from tests.sync.emulators.azure import AzureSchemaRegistryEmulator
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator

TRANSITIVE_SUBJECT = "orders.OrderCancelled"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``esr serve`` on SQLite holding the example catalogue, two versions per subject."""
    source = catalogue_source()
    database = tmp_path_factory.mktemp("source") / "registry.db"
    with running_server(f"sqlite:///{database}") as server:
        with RegistryClient(server.url) as client:
            client.set_config(None, compatibility="NONE")
            client.set_config(TRANSITIVE_SUBJECT, compatibility="BACKWARD_TRANSITIVE")
            for subject in source.subjects():
                for version in source.versions(subject):
                    client.register(subject, SchemaInput(version.schema, version.schema_type))
        yield server


def esr(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run ``esr ARGS`` in-process."""
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def as_json(result: Result) -> dict[str, Any]:
    """The ``--format json`` report (fails with the output when it is not JSON)."""
    try:
        data: dict[str, Any] = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(result.stdout + result.stderr) from None
    return data


Target = Callable[[], list[str]]


@pytest.fixture
def eventbridge_args(eventbridge: EventBridgeSchemasEmulator) -> Target:
    """Arguments for ``esr sync eventbridge`` against the emulator."""
    return lambda: [
        "eventbridge",
        "--eb-registry",
        "shop",
        "--endpoint-url",
        eventbridge.endpoint_url,
        "--region",
        "us-east-1",
        "--avro-as-jsonschema",
    ]


@pytest.fixture
def azure_args(azure: AzureSchemaRegistryEmulator, tls_pair: tuple[Any, Any]) -> Target:
    """Arguments for ``esr sync azure`` against the HTTPS emulator."""
    return lambda: [
        "azure",
        "--namespace",
        azure.namespace,
        "--group",
        "events",
        "--ca-cert",
        str(tls_pair[0]),
    ]


@pytest.fixture
def glue_args(glue_endpoint: str) -> Target:
    """Arguments for ``esr sync glue`` against moto."""
    return lambda: [
        "glue",
        "--glue-registry",
        "shop",
        "--endpoint-url",
        glue_endpoint,
        "--region",
        "us-east-1",
    ]


@pytest.fixture(params=["eventbridge_args", "azure_args", "glue_args"])
def target_args(request: pytest.FixtureRequest) -> Target:
    """Each target's arguments in turn."""
    args: Target = request.getfixturevalue(request.param)
    return args


AZURE_ENV = {"REGISTRY_SYNC__AZURE__TOKEN": AZURE_TOKEN}


def test_sync_pushes_the_catalogue_and_a_second_run_reports_everything_unchanged(
    registry: ServerProcess, target_args: Target
) -> None:
    common = ["--registry-url", registry.url, "--format", "json"]

    first = esr("sync", *target_args(), *common, env=AZURE_ENV)

    assert first.exit_code == EXIT_OK, first.stdout + first.stderr
    subjects = as_json(first)["subjects"]
    assert len(subjects) >= 10
    assert {(s["outcome"], tuple(s["pushed_versions"])) for s in subjects} == {("created", (1, 2))}

    second = esr("sync", *target_args(), *common, env=AZURE_ENV)

    assert second.exit_code == EXIT_OK
    assert {s["outcome"] for s in as_json(second)["subjects"]} == {"unchanged"}
    check = esr("sync", *target_args(), *common, "--check", env=AZURE_ENV)
    assert check.exit_code == EXIT_OK, check.stdout
    assert as_json(check)["in_step"] is True


def test_text_output_is_a_table_of_subjects_with_a_summary(
    registry: ServerProcess, eventbridge_args: Target
) -> None:
    result = esr(
        "sync", *eventbridge_args(), "--registry-url", registry.url, "--subjects", "orders."
    )

    assert result.exit_code == EXIT_OK, result.stderr
    assert "sync to EventBridge registry 'shop'" in result.stdout
    assert "orders.OrderPlaced" in result.stdout and "created" in result.stdout
    assert result.stdout.rstrip().endswith("3 subjects: 3 created")


def test_check_exits_1_and_lists_the_drift_made_directly_on_the_target(
    registry: ServerProcess, eventbridge: EventBridgeSchemasEmulator, eventbridge_args: Target
) -> None:
    common = ["--registry-url", registry.url, "--subjects", "payments."]
    assert esr("sync", *eventbridge_args(), *common).exit_code == EXIT_OK
    with eventbridge.lock:
        stored = eventbridge.registries["shop"].schemas["payments.PaymentFailed"].versions[0]
        stored.content = json.dumps({"type": "object", "description": "edited in the console"})

    text = esr("sync", *eventbridge_args(), *common, "--check")
    report = esr("sync", *eventbridge_args(), *common, "--check", "--format", "json")

    assert text.exit_code == report.exit_code == EXIT_BREAKING
    assert "different" in text.stdout and "1 differences" in text.stdout
    assert as_json(report)["drift"] == [
        {
            "kind": "different",
            "subject": "payments.PaymentFailed",
            "version": 1,
            "remote_name": "payments.PaymentFailed",
            "remote_version": "1",
            "detail": "the target's content differs from the registry's",
        }
    ]


def test_avro_subjects_are_skipped_on_eventbridge_by_default_with_the_reason(
    registry: ServerProcess, eventbridge: EventBridgeSchemasEmulator
) -> None:
    result = esr(
        "sync", "eventbridge", "--registry-url", registry.url, "--eb-registry", "plain",
        "--endpoint-url", eventbridge.endpoint_url, "--region", "us-east-1", "--format", "json",
    )  # fmt: skip

    assert result.exit_code == EXIT_OK
    outcomes = {s["subject"]: (s["outcome"], s["reason"]) for s in as_json(result)["subjects"]}
    assert outcomes[TRANSITIVE_SUBJECT][0] == "skipped"
    assert "Avro is not supported by EventBridge" in outcomes[TRANSITIVE_SUBJECT][1]
    assert outcomes["orders.OrderPlaced"] == ("created", "")


def test_glue_gets_the_registry_compatibility_with_transitive_as_all(
    registry: ServerProcess, glue_args: Target, glue_endpoint: str
) -> None:
    import boto3

    result = esr("sync", *glue_args(), "--registry-url", registry.url, "--subjects", "orders.")

    assert result.exit_code == EXIT_OK, result.stdout
    glue = boto3.client("glue", endpoint_url=glue_endpoint, region_name="us-east-1")
    level = glue.get_schema(SchemaId={"RegistryName": "shop", "SchemaName": TRANSITIVE_SUBJECT})
    assert level["Compatibility"] == "BACKWARD_ALL"
    assert level["DataFormat"] == "AVRO"


def test_azure_reports_a_group_compatibility_that_differs_from_the_registry(
    registry: ServerProcess, azure_args: Target
) -> None:
    args = [*azure_args(), "--group-compatibility", "Forward", "--registry-url", registry.url]

    synced = esr("sync", *args, "--subjects", "orders.", "--format", "json", env=AZURE_ENV)
    check = esr("sync", *args, "--subjects", "orders.", "--check", env=AZURE_ENV)

    assert synced.exit_code == EXIT_OK
    notes = {s["subject"]: s["notes"] for s in as_json(synced)["subjects"]}
    assert notes[TRANSITIVE_SUBJECT] == [
        "target compatibility is Forward, the registry's level maps to Backward"
    ]
    assert check.exit_code == EXIT_BREAKING
    assert "compatibility" in check.stdout and "target has Forward" in check.stdout


def test_dry_run_writes_nothing_and_does_not_contact_the_target(
    registry: ServerProcess, eventbridge: EventBridgeSchemasEmulator, eventbridge_args: Target
) -> None:
    result = esr("sync", *eventbridge_args(), "--registry-url", registry.url, "--dry-run")

    assert result.exit_code == EXIT_OK, result.stdout + result.stderr
    assert "Dry run" in result.stdout and "would push versions 1, 2" in result.stdout
    summary = next(line for line in result.stdout.splitlines() if " subjects: " in line)
    assert "would push" in summary and "created" not in summary
    assert "does not contact the target" in result.stdout and "--check" in result.stdout
    assert eventbridge.registries == {}
    assert eventbridge.requests == []


NO_CLOUD_CREDENTIALS: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_DEFAULT_REGION": None,
    "AWS_REGION": None,
    "REGISTRY_SYNC__AZURE__TOKEN": None,
    "AZURE_CLIENT_ID": None,
    "AZURE_TENANT_ID": None,
    "AZURE_CLIENT_SECRET": None,
}


@pytest.mark.parametrize(
    "target",
    [
        ["eventbridge", "--eb-registry", "shop", "--avro-as-jsonschema"],
        ["azure", "--namespace", "nowhere.invalid", "--group", "events"],
        ["glue", "--glue-registry", "shop", "--endpoint-url", "http://127.0.0.1:9"],
    ],
    ids=["eventbridge", "azure", "glue"],
)
def test_dry_run_works_offline_without_cloud_credentials(
    registry: ServerProcess, target: list[str]
) -> None:
    result = esr(
        "sync", *target, "--registry-url", registry.url, "--dry-run", "--format", "json",
        env=NO_CLOUD_CREDENTIALS,  # type: ignore[arg-type]
    )  # fmt: skip

    assert result.exit_code == EXIT_OK, result.stdout + result.stderr
    report = as_json(result)
    assert report["dry_run"] is True
    assert any("does not contact the target" in note for note in report["notes"])
    outcomes = {(s["outcome"], tuple(s["pushed_versions"])) for s in report["subjects"]}
    assert outcomes == {("would push", (1, 2))}
    assert all(s["reason"] == "would push versions 1, 2" for s in report["subjects"])


def test_a_failed_subject_exits_1_and_the_rerun_after_the_fault_completes(
    registry: ServerProcess, eventbridge: EventBridgeSchemasEmulator, eventbridge_args: Target
) -> None:
    common = ["--registry-url", registry.url, "--format", "json"]
    eventbridge.fail_writes_after(3)

    broken = esr("sync", *eventbridge_args(), *common)
    eventbridge.fail_writes_after(None)
    healed = esr("sync", *eventbridge_args(), *common)

    assert broken.exit_code == EXIT_BREAKING
    assert "Injected failure" in json.dumps(as_json(broken))
    assert healed.exit_code == EXIT_OK
    assert "failed" not in {s["outcome"] for s in as_json(healed)["subjects"]}


def _unreachable_target(registry: ServerProcess) -> list[str]:
    closed = f"http://127.0.0.1:{free_port()}"
    return ["glue", "--glue-registry", "r", "--endpoint-url", closed, "--region", "us-east-1",
            "--registry-url", registry.url]  # fmt: skip


@pytest.mark.parametrize(
    ("build_args", "code", "message"),
    [
        (lambda r, a: [*a, "--registry-url", f"http://127.0.0.1:{free_port()}"], EXIT_UNREACHABLE,
         "unreachable"),
        (lambda r, a: _unreachable_target(r), EXIT_UNREACHABLE, "Could not connect"),
        (lambda r, a: [*a, "--registry-url", r.url, "--format", "xml"], EXIT_USAGE, "xml"),
        (lambda r, a: [*a, "--registry-url", r.url, "--check", "--dry-run"], EXIT_USAGE, "--check"),
        (lambda r, a: ["eventbridge", "--registry-url", r.url], EXIT_USAGE, "--eb-registry"),
    ],
    ids=["registry-down", "target-down", "bad-format", "check-and-dry-run", "missing-option"],
)  # fmt: skip
def test_exit_codes_for_unreachable_and_bad_arguments(
    registry: ServerProcess,
    eventbridge_args: Target,
    build_args: Callable[[ServerProcess, list[str]], list[str]],
    code: int,
    message: str,
) -> None:
    result = esr("sync", *build_args(registry, eventbridge_args()))

    assert result.exit_code == code, result.stdout + result.stderr
    assert message in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--group": "missing"}, "schema group 'missing' does not exist"),
        ({"--namespace": "https://localhost:1"}, "without a scheme"),
    ],
)
def test_azure_configuration_errors_exit_2_with_what_to_do(
    registry: ServerProcess, azure_args: Target, change: dict[str, str], message: str
) -> None:
    args = azure_args()
    for option, value in change.items():
        args[args.index(option) + 1] = value

    result = esr("sync", *args, "--registry-url", registry.url, env=AZURE_ENV)

    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr


def test_azure_without_a_token_or_any_credential_fails_clearly_with_exit_2(
    registry: ServerProcess, azure_args: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, azd or pwsh to ask for a token

    result = esr(
        "sync", *azure_args(), "--registry-url", registry.url, env={"HOME": "/nonexistent"}
    )

    assert result.exit_code == EXIT_USAGE, result.stdout + result.stderr
    assert "authentication failed" in result.stderr
