"""``esr serve`` and ``esr db upgrade``."""

from __future__ import annotations

import ipaddress
import json
import logging
import logging.config
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from registry.cli.options import DatabaseUrl
from registry.config import LogFormat, Settings
from registry.errors import InvalidInput

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


# Context that ``registry.observability.logs.ContextFilter`` puts on records, when there is any.
CONTEXT_FIELDS = ("request_id", "trace_id", "span_id")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per log line, with the request id (and trace and span ids when tracing
    is on) of the request being handled."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialize a record."""
        data: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data)


def log_config(settings: Settings) -> dict[str, Any]:
    """A logging dictConfig for the server (also handed to uvicorn)."""
    formatter: dict[str, Any] = (
        {"()": JsonLogFormatter}
        if settings.log_format is LogFormat.JSON
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "filters": {"context": {"()": "registry.observability.logs.ContextFilter"}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["context"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "registry": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }


def _settings(**overrides: Any) -> Settings:
    return Settings.load(**overrides)


def serve(
    host: str = typer.Option(None, help="Address to bind [env REGISTRY_HOST; default 127.0.0.1]"),
    port: int = typer.Option(None, help="Port [env REGISTRY_PORT or PORT; default 8081]"),
    database_url: DatabaseUrl = None,
    workers: int = typer.Option(None, help="Worker processes [env REGISTRY_WORKERS; default 1]"),
    allow_anonymous: bool = typer.Option(
        None,
        "--allow-anonymous",
        help="Serve on a non-loopback address although no user is configured",
    ),
) -> None:
    """Start the registry's REST API (Confluent-compatible) on HOST:PORT."""
    import uvicorn

    if port is None and "REGISTRY_PORT" not in os.environ and os.environ.get("PORT", "").isdigit():
        port = int(os.environ["PORT"])
    flags = {
        "host": host,
        "port": port,
        "database_url": database_url,
        "workers": workers,
        "allow_anonymous": allow_anonymous,
    }
    given = {name: value for name, value in flags.items() if value is not None}
    settings = _settings(**given)
    logging.config.dictConfig(log_config(settings))
    _refuse_open_registry(settings)
    # The server process builds its settings from the environment again (so do several
    # workers): hand down the flags given here, and only those. Everything else reaches it as
    # it reached us, nested sections and secrets included.
    for name, value in given.items():
        os.environ[f"REGISTRY_{name.upper()}"] = str(value)
    with worker_metrics(settings):
        uvicorn.run("registry.api.app:app_from_env", factory=True, **uvicorn_options(settings))


@contextmanager
def worker_metrics(settings: Settings) -> Iterator[None]:
    """Under several workers: prometheus_client's multiprocess directory (made before the
    workers start, removed after they stop), and the metrics port, served by this process
    from every worker's files. A single worker serves its metrics port itself."""
    if settings.workers <= 1 or not (settings.metrics or settings.metrics_port):
        yield
        return
    from registry.observability.inventory import Inventory
    from registry.observability.prometheus import (
        prepare_multiprocess_dir,
        remove_multiprocess_dir,
        serve_collector,
        supervisor_collector,
    )
    from registry.storage.engine import Database

    directory, made = prepare_multiprocess_dir()
    db = server = None
    try:
        if settings.metrics_port is not None:
            db = Database(settings.database_url, pool_size=1)
            collector = supervisor_collector(
                Inventory(db, list(settings.sync.targets()), settings.sync.subjects)
            )
            server = serve_collector(collector, settings.host, settings.metrics_port)
        yield
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if db is not None:
            db.dispose()
        if made:
            remove_multiprocess_dir(directory)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How ``esr serve`` runs uvicorn (the benchmarks run their baseline app the same way).

    The event loop and HTTP parser are uvicorn's ``auto`` choices: uvloop and httptools when
    they are installed (they are dependencies on Linux and macOS), asyncio and h11 otherwise.
    """
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers if settings.workers > 1 else None,
        "log_config": log_config(settings),
        "access_log": settings.access_log,
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
        "loop": "auto",
        "http": "auto",
    }


def _refuse_open_registry(settings: Settings) -> None:
    """Serving beyond loopback with no users would let anyone rewrite every subject."""
    if settings.allow_anonymous or _is_loopback(settings.host):
        return
    from registry.security import Authenticator
    from registry.storage.engine import Database
    from registry.storage.migrate import upgrade

    db = Database(settings.database_url)
    upgrade(db)
    authenticator = Authenticator(db, settings)
    if authenticator.bootstrap_from_settings():
        logging.getLogger("registry").warning(
            "created the first admin '%s': authentication is on", settings.bootstrap_admin
        )
    enabled = authenticator.enabled()
    db.dispose()
    if not enabled:
        raise InvalidInput(
            f"Refusing to serve on {settings.host} with no users configured: anyone could "
            "change every subject. Add a user (esr users add NAME --role admin), set "
            "REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE (a container's first admin) or "
            "REGISTRY_AUTH_USERS_FILE, or pass --allow-anonymous."
        )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@db_app.command("upgrade")
def db_upgrade(
    database_url: DatabaseUrl = None,
    revision: str = typer.Option("head", help="Target revision"),
) -> None:
    """Apply the database migrations (the server also does this on start)."""
    from registry.storage.engine import Database
    from registry.storage.migrate import upgrade

    settings = _settings(database_url=database_url)
    db = Database(settings.database_url)
    before, after = upgrade(db, revision)
    db.dispose()
    typer.echo(f"database at {after} (was {before or 'empty'})")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``db`` to the CLI."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")
