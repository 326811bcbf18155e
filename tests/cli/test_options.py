"""Shared options: one spelling of each everywhere, old spellings accepted but not shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from typer.core import TyperGroup
from typer.testing import CliRunner

from registry.cli.main import COMMANDS, app, load_module_commands
from registry.cli.options import HIDDEN_ALIASES, AliasedCommand

if TYPE_CHECKING:  # typer vendors click; only its types are needed here
    from typer._click import Command

URL = "http://registry.example:8081"

#: Each command taking --registry, with the other arguments it needs to parse.
TAKING_REGISTRY: dict[tuple[str, ...], list[str]] = {
    ("push",): ["schemas"],
    ("export",): ["backup.json"],
    ("import",): ["backup.json"],
    ("sync", "eventbridge"): ["--eb-registry", "shop"],
    ("sync", "azure"): ["--namespace", "ns.servicebus.windows.net", "--group", "events"],
    ("sync", "glue"): ["--glue-registry", "shop"],
}
# Commands born after the rename: --registry only, no old spelling to keep.
NEW_TAKING_REGISTRY = {("contracts", "publish"), ("deployments", "record")} | {
    ("deployments", "list"),
    ("can-i-deploy",),
    ("gate",),  # --registry asked for deployed consumers (--consumers)
    ("codegen",),  # models of a registered subject/version
}


def every_command() -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every leaf command of ``esr``, by its path of names."""
    for module in sorted({entry.module for entry in COMMANDS.values()}):
        for name, command in load_module_commands(module).items():
            if isinstance(command, TyperGroup):
                for sub, leaf in command.commands.items():
                    yield (name, sub), leaf
            else:
                yield (name,), command


def leaf(path: tuple[str, ...]) -> Command:
    return dict(every_command())[path]


def test_every_command_names_the_registry_url_option_registry() -> None:
    found = {}
    for path, command in every_command():
        for param in command.params:
            if param.envvar == "ESR_REGISTRY_URL":
                found[path] = param.opts
    expected = {*TAKING_REGISTRY, *NEW_TAKING_REGISTRY}
    assert found == {path: ["--registry", "-r"] for path in expected}


def test_commands_with_an_aliased_option_accept_its_old_spellings() -> None:
    for path, command in every_command():
        names = {name for param in command.params for name in param.opts}
        if names & HIDDEN_ALIASES.keys():
            assert isinstance(command, AliasedCommand), path


@pytest.mark.parametrize("path", TAKING_REGISTRY, ids=" ".join)
@pytest.mark.parametrize(
    "spelling",
    [["--registry", URL], ["-r", URL], ["--registry-url", URL], [f"--registry-url={URL}"]],
    ids=["new", "short", "old", "old-equals"],
)
def test_every_spelling_of_the_registry_option_is_read(
    path: tuple[str, ...], spelling: list[str]
) -> None:
    command = leaf(path)
    context = command.make_context(path[-1], [*spelling, *TAKING_REGISTRY[path]])
    assert context.params["registry"] == URL


@pytest.mark.parametrize("path", TAKING_REGISTRY, ids=" ".join)
def test_the_registry_comes_from_the_environment_when_not_given(
    path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESR_REGISTRY_URL", URL)
    context = leaf(path).make_context(path[-1], TAKING_REGISTRY[path])
    assert context.params["registry"] == URL


@pytest.mark.parametrize("path", TAKING_REGISTRY, ids=" ".join)
def test_help_shows_the_registry_option_and_not_its_old_spelling(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert "--registry " in result.stdout
    assert "--registry-url" not in result.stdout


def test_an_old_spelling_without_a_value_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["push", "schemas", "--registry-url"])

    assert result.exit_code == 2
    assert "'--registry-url' requires an argument" in result.output
