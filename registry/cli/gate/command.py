"""``esr gate``: fail a build when a schema change would break a producer or a consumer.

The command gathers its inputs (``[tool.esr]`` from the nearest ``pyproject.toml``, contracts,
``--fail-on``), lets :mod:`~registry.cli.gate.judging` (git ref) or
:mod:`~registry.cli.gate.registry_walk` (registry URL) judge the schema files with the one
compatibility engine, and writes the report in every requested format. Exit codes: 0 no
breaking change, 1 breaking changes, 2 usage, parse or configuration error, 3 registry
unreachable.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import typer

from registry.cli.errors import exit_on_registry_error
from registry.cli.gate.config import find_pyproject, load_config
from registry.cli.gate.contracts import load_contracts
from registry.cli.gate.git import GitRepo, registry_address
from registry.cli.gate.judging import GateContext, check_config_rules, gate_against_git
from registry.cli.gate.model import GateReport, Severity
from registry.cli.gate.render import FORMATS, render
from registry.cli.options import AliasedCommand, Timeout, Token, User, basic_auth
from registry.errors import InvalidInput
from registry.reads import ConsumerView, DeployedConsumer

_URL = re.compile(r"^https?://", re.IGNORECASE)

HELP = """Check schema changes against a git ref or a registry and fail on breaking ones.

Against a git ref (--against origin/main, --against HEAD~1) every schema file changed, added,
renamed or deleted since the ref is checked with its subject's level. Against a registry URL
(--against http://registry:8081) every file is checked against the subject's registered versions,
as registering it would be.

Levels, policies, rule severities and waivers come from [tool.esr] in pyproject.toml.
Outputs: --format text|json|github|markdown|junit|sarif, repeatable; the n-th --output FILE
goes with the n-th --format ('-' is standard output), or write --format sarif=esr.sarif.

With --consumers ENV (or [tool.esr] consumers) every finding is also weighed by what the
consumers deployed in ENV read, as the registry (--registry, [tool.esr] registry, or the
--against URL) knows from published contracts: a finding no deployed consumer reads is
downgraded to a warning, and what a deployed consumer cannot read of the new schema is added,
naming it. The registry is asked only for deployments and read sets.

Exit codes: 0 no breaking change, 1 breaking changes, 2 usage, parse or configuration error,
3 registry unreachable.
"""


def register(app: typer.Typer) -> None:
    """Add ``esr gate`` to the CLI."""
    app.command(name="gate", help=HELP, cls=AliasedCommand)(gate)


def gate(
    schemas_dir: Path | None = typer.Argument(
        None,
        help="Schemas directory (default: [tool.esr] schemas, else ./schemas).",
        show_default=False,
    ),
    against: str = typer.Option(
        ..., "--against", "-a", help="A git ref (origin/main, HEAD~1) or a registry URL."
    ),
    formats: list[str] | None = typer.Option(
        None, "--format", "-f", help=f"Output format, repeatable: {', '.join(FORMATS)}."
    ),
    outputs: list[str] | None = typer.Option(
        None, "--output", "-o", help="File for the format in the same position; '-' is stdout."
    ),
    fail_on: str | None = typer.Option(
        None, "--fail-on", help="Lowest severity that fails: error (default) or warning."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="pyproject.toml holding [tool.esr] (default: the nearest one)."
    ),
    contracts: Path | None = typer.Option(
        None, "--contracts", help="Contracts directory (default: contracts/ when it exists)."
    ),
    consumers: str | None = typer.Option(
        None,
        "--consumers",
        help="An environment: weigh findings by what the consumers deployed there read.",
    ),
    registry: str | None = typer.Option(
        None,
        "--registry",
        "-r",
        envvar="ESR_REGISTRY_URL",
        help="Registry asked for deployments and read sets (default: [tool.esr] registry, "
        "else the --against URL).",
    ),
    timeout: Timeout = 10.0,
    user: User = None,
    token: Token = None,
) -> None:
    """Run the gate; see ``HELP``."""
    with exit_on_registry_error():
        _refuse_bare_address(against)
        targets = output_targets(formats or ["text"], outputs or [])
        ctx = _context(schemas_dir, fail_on, config, contracts)
        auth = basic_auth(user)
        environment = consumers or ctx.config.consumers
        url = registry or ctx.config.registry or (against if _URL.match(against) else None)
        if environment is not None:
            if url is None:
                raise InvalidInput(
                    f"--consumers {environment}: say which registry knows the deployments "
                    "(--registry URL, ESR_REGISTRY_URL or [tool.esr] registry)"
                )
            ctx = replace(ctx, consumers=_deployed(url, environment, timeout, auth, token))
        if _URL.match(against):
            from registry.cli.gate.registry_walk import gate_against_registry

            report = gate_against_registry(ctx, against, timeout=timeout, auth=auth, token=token)
        else:
            report = gate_against_git(ctx, against)
        if environment is not None:
            report.consumers, report.consumers_registry = environment, url
        for fmt, destination in targets:
            _write(report, fmt, destination)
        if "github" in {fmt for fmt, _ in targets}:
            _append_step_summary(report)
    raise typer.Exit(report.exit_code)


def _deployed(
    url: str, environment: str, timeout: float, auth: tuple[str, str] | None, token: str | None
) -> ConsumerView:
    """The consumers deployed in ``environment``, from the registry at ``url``."""
    from registry.client import RegistryClient  # only when asked: a git-only gate needs no HTTP

    if not _URL.match(url):
        raise InvalidInput(f"--registry {url}: give the registry's URL (http:// or https://)")
    with RegistryClient(url, timeout=timeout, auth=auth, token=token) as client:
        found = client.deployed_consumers(environment)
    return ConsumerView(environment, tuple(DeployedConsumer.from_dict(c) for c in found))


def _refuse_bare_address(against: str) -> None:
    """``host:port`` is no git ref (refs cannot contain ':'): say what was probably meant."""
    address = registry_address(against) if ":" in against else None
    if address is not None:
        raise InvalidInput(
            f"'{against}' is not a git ref: it looks like a registry address; for a registry, "
            f"give its URL: --against {address}"
        )


def output_targets(formats: list[str], outputs: list[str]) -> list[tuple[str, str]]:
    """Pair each format with its destination (``-`` for stdout)."""
    if len(outputs) > len(formats):
        raise InvalidInput("more --output than --format options: give a format for each output")
    targets = []
    for index, item in enumerate(formats):
        fmt, _, inline = item.partition("=")
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown --format '{fmt}'; use one of {', '.join(FORMATS)}")
        destination = inline or (outputs[index] if index < len(outputs) else "-")
        targets.append((fmt, destination))
    return targets


def _context(
    schemas_dir: Path | None, fail_on: str | None, config_path: Path | None, contracts: Path | None
) -> GateContext:
    cwd = Path.cwd()
    try:
        base = GitRepo.discover((schemas_dir or cwd).absolute()).root
    except InvalidInput:
        base = cwd
    config = load_config(config_path or find_pyproject(cwd, stop=base))
    check_config_rules(config)
    root = config.root or cwd
    if schemas_dir is None:
        schemas_dir = root / (config.schemas or "schemas")
    if contracts is None:
        contracts = root / config.contracts if config.contracts else base / "contracts"
    elif not contracts.is_dir():
        raise InvalidInput(f"{contracts}: not a directory")
    level = Severity.parse(fail_on, "--fail-on") if fail_on else config.fail_on or Severity.ERROR
    if level not in (Severity.ERROR, Severity.WARNING):
        raise InvalidInput("--fail-on: use 'error' or 'warning'")
    return GateContext(
        schemas_dir=schemas_dir.absolute(),
        base_dir=base,
        config=config,
        contracts=load_contracts(contracts),
        fail_on=level,
        today=date.today(),
    )


def _write(report: GateReport, fmt: str, destination: str) -> None:
    if destination == "-":
        color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        typer.echo(render(report, fmt, color=color), nl=False)
        return
    path = Path(destination)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(report, fmt), encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write ({exc.strerror})") from None


def _append_step_summary(report: GateReport) -> None:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(render(report, "markdown") + "\n")
    except OSError as exc:
        raise InvalidInput(
            f"GITHUB_STEP_SUMMARY {summary}: cannot write ({exc.strerror})"
        ) from None
