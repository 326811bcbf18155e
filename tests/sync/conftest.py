"""Fixtures for the sync tests: emulators on 127.0.0.1, moto for Glue, an in-memory source.

Nothing leaves 127.0.0.1: boto3 gets dummy credentials and a region (tests/conftest.py sets
``AWS_EC2_METADATA_DISABLED=true``), Azure gets a static bearer token (so
``DefaultAzureCredential`` is never built) and a certificate generated here, passed as
``connection_verify``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from registry.domain import CompatibilityLevel, Reference, SchemaType
from registry.sync.azure import AzureOptions, AzureTarget
from registry.sync.base import SourceVersion, SyncTarget
from registry.sync.eventbridge import EventBridgeOptions, EventBridgeTarget
from registry.sync.glue import GlueOptions, GlueTarget
from registry.sync.runner import RetryPolicy
from tests.sync.emulators._http import Emulator
from tests.sync.emulators.azure import AzureSchemaRegistryEmulator
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator
from tests.sync.emulators.proxy import GlueFaultProxy

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "schemas"
AZURE_TOKEN = "test-token"
NO_WAIT = RetryPolicy(attempts=4, base_delay=0.0, sleep=lambda _: None)


@dataclass
class MemorySource:
    """A :class:`~registry.sync.base.SchemaSource` held in memory (subject -> texts)."""

    subjects_: dict[str, list[tuple[str, SchemaType, tuple[Reference, ...]]]] = field(
        default_factory=dict
    )
    levels: dict[str, CompatibilityLevel] = field(default_factory=dict)
    default_level: CompatibilityLevel = CompatibilityLevel.BACKWARD

    def add(
        self,
        subject: str,
        schema: str,
        schema_type: SchemaType,
        references: tuple[Reference, ...] = (),
    ) -> None:
        """Register one more version."""
        self.subjects_.setdefault(subject, []).append((schema, schema_type, references))

    def subjects(self, prefix: str | None = None) -> list[str]:
        """Sorted names with the prefix."""
        return sorted(s for s in self.subjects_ if prefix is None or s.startswith(prefix))

    def versions(self, subject: str) -> list[SourceVersion]:
        """Versions 1..n."""
        return [
            SourceVersion(subject, number, text, kind, refs)
            for number, (text, kind, refs) in enumerate(self.subjects_[subject], 1)
        ]

    def compatibility(self, subject: str) -> CompatibilityLevel:
        """The subject's level or the default."""
        return self.levels.get(subject, self.default_level)


def catalogue_files() -> list[Path]:
    """The example catalogue's schema files (``schemas/**``), sorted."""
    return sorted(p for p in CATALOGUE.rglob("*") if p.suffix in (".avsc", ".json"))


def subject_of(path: Path) -> str:
    """``schemas/orders/OrderPlaced.json`` -> ``orders.OrderPlaced`` (as ``esr push`` does)."""
    return ".".join(path.relative_to(CATALOGUE).with_suffix("").parts)


def catalogue_source() -> MemorySource:
    """The example catalogue as a source; each subject gets a second, evolved version."""
    if not catalogue_files():
        pytest.skip("the example catalogue schemas/ is absent")
    source = MemorySource()
    for path in catalogue_files():
        kind = SchemaType.AVRO if path.suffix == ".avsc" else SchemaType.JSON
        text = path.read_text(encoding="utf-8")
        source.add(subject_of(path), text, kind)
        source.add(subject_of(path), evolve(text, kind), kind)
    return source


def evolve(text: str, kind: SchemaType) -> str:
    """A second version: one more optional field (with a default for Avro)."""
    document = json.loads(text)
    if kind is SchemaType.AVRO:
        document["fields"].append({"name": "syncNote", "type": ["null", "string"], "default": None})
    else:
        document.setdefault("properties", {})["syncNote"] = {"type": "string"}
    return json.dumps(document, indent=2)


# --- emulators ------------------------------------------------------------------------------------


@pytest.fixture
def eventbridge() -> Iterator[EventBridgeSchemasEmulator]:
    """An EventBridge Schemas emulator with small pages (so paging is exercised)."""
    emulator = EventBridgeSchemasEmulator(page_size=2)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def tls_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, and its key, made now."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def azure(tls_pair: tuple[Path, Path]) -> Iterator[AzureSchemaRegistryEmulator]:
    """An Azure Schema Registry emulator over HTTPS with group ``events`` (Backward)."""
    emulator = AzureSchemaRegistryEmulator(
        cert=tls_pair[0],
        key=tls_pair[1],
        groups={"events": "Backward", "other": "None"},
        token=AZURE_TOKEN,
        page_size=1,
    )
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto in server mode on 127.0.0.1 (for Glue); yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def glue_endpoint(moto_server: str) -> str:
    """The moto endpoint, reset to an empty state."""
    import httpx

    httpx.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    return moto_server


# --- one harness per target -----------------------------------------------------------------------


@dataclass
class Harness:
    """A target kind with its emulator: build targets, inject faults, look and tamper directly."""

    kind: str
    make: Callable[..., SyncTarget]
    faults: Emulator
    stored: Callable[[str], list[str]]
    tamper: Callable[[str, str], None]
    built: dict[tuple[tuple[str, Any], ...], SyncTarget] = field(default_factory=dict)

    def build(self, **options: Any) -> SyncTarget:
        """A target with these options (built once: SDK clients are slow to make)."""
        key = tuple(sorted(options.items()))
        if key not in self.built:
            self.built[key] = self.make(**options)
        return self.built[key]


def _eventbridge_harness(emulator: EventBridgeSchemasEmulator) -> Harness:
    def build(**options: Any) -> SyncTarget:
        settings: dict[str, Any] = {"registry": "shop", "region": "us-east-1"}
        settings["avro_as_jsonschema"] = True
        settings.update(options)
        settings.setdefault("endpoint_url", emulator.endpoint_url)
        return EventBridgeTarget(EventBridgeOptions(**settings))

    target = EventBridgeTarget(EventBridgeOptions("shop", "us-east-1", emulator.endpoint_url))

    def stored(name: str) -> list[str]:
        registry = emulator.registries.get("shop")
        return emulator.contents("shop", name) if registry and name in registry.schemas else []

    def tamper(name: str, content: str) -> None:
        client = target.client
        client.update_schema(
            RegistryName="shop", SchemaName=name, Content=content, Type="JSONSchemaDraft4"
        )

    return Harness("eventbridge", build, emulator, stored, tamper)


def _azure_harness(emulator: AzureSchemaRegistryEmulator, cert: Path) -> Harness:
    def build(**options: Any) -> SyncTarget:
        settings: dict[str, Any] = {"namespace": emulator.namespace, "group": "events"}
        settings["ca_cert"] = str(cert)
        settings.update({"token": AZURE_TOKEN, "group_compatibility": "Backward"})
        settings.update(options)
        return AzureTarget(AzureOptions(**settings))

    def tamper(name: str, content: str) -> None:
        emulator.put_directly("events", name, content, "Json")

    return Harness("azure", build, emulator, lambda n: emulator.contents("events", n), tamper)


def _glue_harness(proxy: GlueFaultProxy) -> Harness:
    def build(**options: Any) -> SyncTarget:
        settings: dict[str, Any] = {"registry": "shop", "region": "us-east-1"}
        settings["endpoint_url"] = proxy.endpoint_url
        settings.update(options)
        return GlueTarget(GlueOptions(**settings))

    target = GlueTarget(GlueOptions("shop", "us-east-1", proxy.endpoint_url))

    def stored(name: str) -> list[str]:
        remote = target.read(name)
        return [v.content for v in remote.versions] if remote else []

    def tamper(name: str, content: str) -> None:
        target.client.register_schema_version(
            SchemaId={"RegistryName": "shop", "SchemaName": name}, SchemaDefinition=content
        )

    return Harness("glue", build, proxy, stored, tamper)


@pytest.fixture(params=["eventbridge", "azure", "glue"])
def harness(
    request: pytest.FixtureRequest, tls_pair: tuple[Path, Path], moto_server: str
) -> Iterator[Harness]:
    """Each target kind in turn, on a fresh emulator (moto is reset)."""
    kind = request.param
    if kind == "eventbridge":
        emulator = EventBridgeSchemasEmulator(page_size=2).start()
        yield _eventbridge_harness(emulator)  # type: ignore[arg-type]
        emulator.stop()
    elif kind == "azure":
        azure_emulator = AzureSchemaRegistryEmulator(
            cert=tls_pair[0], key=tls_pair[1], groups={"events": "Backward"}, token=AZURE_TOKEN,
            page_size=1,
        )  # fmt: skip
        azure_emulator.start()
        yield _azure_harness(azure_emulator, tls_pair[0])
        azure_emulator.stop()
    else:
        import httpx

        httpx.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
        proxy = GlueFaultProxy(moto_server)
        proxy.start()
        yield _glue_harness(proxy)
        proxy.close()
