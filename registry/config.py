"""The one Settings object. Environment variables ``REGISTRY_*`` (nested with ``__``).

No instance exists at import time: the CLI, the API factory and tests build one and pass it
explicitly. CLI flags override fields through :meth:`Settings.load`, which also turns a bad
value into :class:`~registry.errors.InvalidInput` naming the variable (exit code 2 on the CLI).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from registry.domain import CompatibilityLevel, CompatibilityPolicy
from registry.errors import InvalidInput


class LogFormat(enum.StrEnum):
    """How the server writes its logs."""

    TEXT = "text"
    JSON = "json"


class EventBridgeSyncSettings(BaseModel):
    """``REGISTRY_SYNC__EVENTBRIDGE__*``: push to an EventBridge schema registry."""

    registry: str
    region: str | None = None
    endpoint_url: str | None = None
    avro_as_jsonschema: bool = False


class AzureSyncSettings(BaseModel):
    """``REGISTRY_SYNC__AZURE__*``: push to an Azure Schema Registry group."""

    namespace: str
    group: str
    ca_cert: str | None = None
    token: SecretStr | None = None
    group_compatibility: str | None = None
    use_managed_identity: bool = False


class GlueSyncSettings(BaseModel):
    """``REGISTRY_SYNC__GLUE__*``: push to an AWS Glue schema registry."""

    registry: str
    region: str | None = None
    endpoint_url: str | None = None


class SyncSettings(BaseModel):
    """Server-side cloud sync: a target is on when its section is set."""

    eventbridge: EventBridgeSyncSettings | None = None
    azure: AzureSyncSettings | None = None
    glue: GlueSyncSettings | None = None
    subjects: str | None = Field(default=None, description="Only subjects with this prefix")
    base_delay: float = Field(default=1.0, gt=0, description="First retry delay (seconds)")
    max_delay: float = Field(default=300.0, gt=0, description="Longest retry delay (seconds)")

    def targets(self) -> dict[str, dict[str, object]]:
        """Options of every configured target, by target kind."""
        found: dict[str, dict[str, object]] = {}
        for kind in ("eventbridge", "azure", "glue"):
            section = getattr(self, kind)
            if section is not None:
                options = section.model_dump()
                if isinstance(options.get("token"), SecretStr):
                    options["token"] = options["token"].get_secret_value()
                found[kind] = options
        return found


class Settings(BaseSettings):
    """Every setting of the registry, with its default."""

    model_config = SettingsConfigDict(
        env_prefix="REGISTRY_",
        env_nested_delimiter="__",
        extra="ignore",
        frozen=True,
    )

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """The settings from the environment, with ``overrides`` (None values ignored); a
        value that does not parse is :class:`InvalidInput` naming its variable (never its
        value, which may be a secret)."""
        given = {name: value for name, value in overrides.items() if value is not None}
        try:
            return cls(**given)
        except ValidationError as exc:
            problems = [
                f"REGISTRY_{'__'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
                for error in exc.errors(include_url=False, include_input=False)
            ]
            raise InvalidInput("Invalid settings: " + "; ".join(problems)) from None
        except SettingsError as exc:
            raise InvalidInput(f"Invalid settings: {exc}") from None

    database_url: str = Field(
        default="sqlite:///./registry.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql://user@host/db",
    )
    host: str = Field(default="127.0.0.1", description="Address `esr serve` binds to")
    port: int = Field(default=8081, ge=0, le=65535, description="Port `esr serve` listens on")
    workers: int = Field(default=1, ge=1, le=64, description="Server worker processes")
    db_pool_size: int = Field(
        default=16,
        ge=1,
        le=1000,
        description="Database connections kept per worker process, and requests that use "
        "the database at once",
    )
    max_schema_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Largest schema text accepted (42209 beyond)"
    )
    max_request_bytes: int = Field(
        default=4 * 1024 * 1024, ge=1, description="Largest request body accepted"
    )
    max_nesting_depth: int = Field(
        default=256, ge=8, description="Deepest JSON nesting accepted in a schema"
    )
    log_format: LogFormat = Field(default=LogFormat.TEXT, description="text or json")
    log_level: str = Field(default="info", description="Log level")
    shutdown_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        description="On SIGTERM, how long in-flight requests may take to finish",
    )
    access_log: bool = Field(
        default=True, description="Log one line per request (uvicorn's access log)"
    )
    default_compatibility: CompatibilityLevel = Field(
        default=CompatibilityLevel.BACKWARD, description="Global compatibility level"
    )
    default_policy: CompatibilityPolicy = Field(
        default=CompatibilityPolicy.STRICT, description="Global JSON Schema compatibility policy"
    )
    schema_cache_size: int = Field(
        default=10_000, ge=0, description="Schemas kept in the in-process id cache"
    )
    answer_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Bytes of pre-serialized immutable answers (schemas by id) kept in memory",
    )
    warm_cache: bool = Field(
        default=True,
        description="Load schemas into the answer cache in the background when a server starts",
    )
    auth_users_file: Path | None = Field(
        default=None, description="Read-only file of users (YAML or JSON), for containers"
    )
    bootstrap_admin: str = Field(
        default="admin",
        description="Name of the admin created from the password file when no user exists",
    )
    bootstrap_admin_password_file: Path | None = Field(
        default=None,
        description="File holding the first admin's password (a mounted secret); used only "
        "while the database has no user",
    )
    auth_refresh_seconds: float = Field(
        default=2.0, ge=0, description="How often a server re-reads users and tokens"
    )
    allow_anonymous: bool = Field(
        default=False, description="Serve on a non-loopback address with no users configured"
    )
    metrics: bool = Field(
        default=True,
        description="Serve /metrics (Prometheus) on the API port; admins only once users exist",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Also serve /metrics, unauthenticated, on this port (in-cluster scraping)",
    )
    azure_live_metrics: bool = Field(
        default=False,
        description="Stream Azure Monitor live metrics (when Azure Monitor is on)",
    )
    ui: bool = Field(default=True, description="Serve the web UI at /ui/")
    ui_session_secret: SecretStr | None = Field(
        default=None,
        description="Key signing the web UI's session cookies and form tokens; give every node "
        "the same one (default: a random key per process)",
    )
    sync: SyncSettings = Field(default_factory=SyncSettings, description="Cloud sync targets")
    migrate_on_start: bool = Field(
        default=True, description="Apply database migrations when the server starts"
    )
