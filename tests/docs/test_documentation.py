"""What the documentation shows works as written: its commands, its settings, its examples.

Every runnable block of README.md and docs/ says how it is checked (``tests/docs/markdown.py``):

* ``run`` blocks run in a sandbox (a temporary folder with the example ``schemas/``,
  ``contracts/`` and ``examples/``, the project's ``esr`` on PATH, no ``REGISTRY_*``
  variables) against real ``esr serve`` processes; ``127.0.0.1:8081`` and the example hosts
  become those servers' addresses, and output documented under a command
  (``# {"id":1,"version":1}``, where ``...`` stands for anything) must be what the command
  prints, and a command ending in ``# exits N`` must exit with N;
* ``parse`` blocks need a cloud or a remote host: each ``esr`` command must parse with the real
  CLI, and each ``REGISTRY_*`` assignment must be a setting with a valid value;
* ``tool.esr`` blocks load as the gate's configuration, waivers not about to expire;
* ``workflow`` blocks use only inputs the composite action declares.

Every ``REGISTRY_*`` name anywhere in the documentation must be a setting (or one of the test
and benchmark variables listed here), the tables of ``docs/configuration.md`` must list every
setting, nested ones included, with its real default, and the README's links into the
repository must lead somewhere (mkdocs --strict checks the links between pages of docs/).
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.core
import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from registry.config import Settings
from tests.docs.markdown import ROOT, Block, assignments, blocks, commands, documents, shell_words
from tests.support.server import ESR, ServerProcess

BLOCKS = blocks()
ACTIONS = {"run", "parse", "skip", "tool.esr", "workflow", "make-run", "contract"}
NOT_SETTINGS = {
    "REGISTRY_TEST_POSTGRES_URL",  # the tests' PostgreSQL
    "REGISTRY_BENCH_POSTGRES_URL",  # the benchmarks' PostgreSQL
    "REGISTRY_FUZZ_EXAMPLES",  # the fuzz test's examples per operation
    "REGISTRY_FUZZ_SEED",  # the fuzz test's seed
}
PLUGIN_VARIABLES = {"ESR_REGISTRY_URL", "ESR_REGISTRY_USER", "ESR_REGISTRY_PASSWORD"} | {
    "ESR_REGISTRY_TOKEN",
    "REGISTRY_SERVICE_VERSION",  # the pytest plugin's service version (issue 13 names it so)
}


def _ids(selected: list[Block]) -> list[str]:
    return [block.where for block in selected]


def _of(*actions: str) -> list[Block]:
    return [block for block in BLOCKS if block.action in actions]


def test_every_runnable_block_says_how_it_is_checked() -> None:
    undecided = [b.where for b in BLOCKS if b.action not in ACTIONS]
    assert not undecided, f"add a <!-- doc-test: ... --> directive before: {undecided}"
    skipped = [
        b.where for b in BLOCKS if b.action == "skip" and not (b.directive or "").partition(":")[2]
    ]
    assert not skipped, f"a skipped block must say why: {skipped}"


# --- settings -------------------------------------------------------------------------------


def _setting_names(model: type[BaseModel], prefix: str = "REGISTRY_") -> dict[str, Any]:
    """Every environment variable of Settings, nested sections included, with its field."""
    found: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        variable = prefix + name.upper()
        found[variable] = field
        annotation = field.annotation
        for candidate in getattr(annotation, "__args__", (annotation,)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found |= _setting_names(candidate, variable + "__")
    return found


SETTINGS = _setting_names(Settings)


def test_every_documented_variable_is_a_setting() -> None:
    unknown = []
    for path in documents():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\b(?:REGISTRY|ESR_REGISTRY)_[A-Z0-9_]*[A-Z0-9]\b", text):
            name = match.group(0)
            if name in SETTINGS or name in NOT_SETTINGS or name in PLUGIN_VARIABLES:
                continue
            line = text[: match.start()].count("\n") + 1
            unknown.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert not unknown, "documented but not a setting:\n" + "\n".join(unknown)


CONFIGURATION = ROOT / "docs" / "configuration.md"


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readmes_links_lead_somewhere() -> None:
    """README.md is read on GitHub, outside the site: its links are files of the repository."""
    broken = []
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path, _, anchor = target.partition("#")
        if not (ROOT / path).exists():
            broken.append(target)
        elif anchor:
            page = (ROOT / path).read_text(encoding="utf-8")
            prose = re.sub(r"^```.*?^```", "", page, flags=re.S | re.M)
            headings = re.findall(r"^#+ (.+)$", prose, re.M)
            if anchor not in {_github_anchor(heading) for heading in headings}:
                broken.append(target)
    assert not broken, f"README.md links to nothing: {broken}"


def _configuration_table() -> dict[str, str]:
    """``| `REGISTRY_X` | default | meaning |`` rows of the Configuration page's tables."""
    text = CONFIGURATION.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(REGISTRY_[A-Z0-9_]+)(?:\.\.\.)?`[^|]*\| ([^|]*) \|", text, re.M)
    assert len(rows) == len(dict(rows)), "a setting is listed twice"
    return {name: default.strip() for name, default in rows}


def _default_text(value: Any) -> str:
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if hasattr(value, "value"):
        return f"`{value.value}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def _is_section(field: Any) -> bool:
    """A nested group of settings (``REGISTRY_SYNC__GLUE``), not a setting of its own."""
    return any(
        isinstance(candidate, type) and issubclass(candidate, BaseModel)
        for candidate in getattr(field.annotation, "__args__", (field.annotation,))
    )


def test_the_configuration_table_lists_every_setting_with_its_default() -> None:
    table = _configuration_table()
    assert "REGISTRY_SYNC__" in table, "the main table points at the sync settings"
    for variable, field in SETTINGS.items():
        if _is_section(field):
            continue
        assert variable in table, (
            f"{CONFIGURATION.relative_to(ROOT)} lacks {variable} ({field.description})"
        )
        default = field.get_default(call_default_factory=True)
        assert table[variable] == _default_text(default), variable
    listed = {name for name in table if not name.endswith("__")}
    assert listed <= set(SETTINGS), f"not settings: {listed - set(SETTINGS)}"


# --- parse ----------------------------------------------------------------------------------


def _parse_esr(words: list[str]) -> None:
    """Parse an ``esr`` command line with the real CLI, down to the leaf command, running
    nothing: unknown commands and options and bad values fail here."""
    from registry.cli.main import app

    # typer vendors its own click: its groups are TyperGroup, not click.Group (checking for
    # click.Group stopped at the top and let every subcommand's options through unparsed).
    command = typer.main.get_command(app)
    context = command.make_context("esr", list(words[1:]), resilient_parsing=False)
    while isinstance(command, typer.core.TyperGroup):
        remaining = [*context._protected_args, *context.args]
        if not remaining:
            break
        name, sub, rest = command.resolve_command(context, remaining)
        assert sub is not None and name is not None, f"unknown command in {words}"
        command, context = sub, sub.make_context(name, rest, parent=context)


def _check_assignments(command: str) -> None:
    variables = assignments(command)
    for name in variables:
        assert name in SETTINGS, f"{name} is not a setting"
    registry = {k: v for k, v in variables.items() if k.startswith("REGISTRY_")}
    if registry:
        saved = {k: os.environ.get(k) for k in registry}
        os.environ.update(registry)
        try:
            Settings()  # names and types, nested sections included
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _embedded_commands(text: str) -> list[str]:
    """``esr ...`` commands inside another CI system's YAML: the lines of its shell steps
    (``script:`` and ``run:`` values, folded scalars read as YAML reads them) that start with
    ``esr``. A title such as ``displayName: esr gate`` is not a command."""
    found: list[str] = []

    def walk(node: Any, key: str | None = None) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, str(name))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in ("script", "run"):
            joined = re.sub(r"\\\n\s*", " ", node)
            lines = (line.strip() for line in joined.splitlines())
            found.extend(line for line in lines if line.startswith("esr "))

    walk(yaml.safe_load(text))
    return found


def test_parsing_reaches_the_leaf_command() -> None:
    _parse_esr(["esr", "serve", "--port", "9000"])
    with pytest.raises(Exception, match="No such option: --no-such-option"):
        _parse_esr(["esr", "serve", "--no-such-option"])
    assert _embedded_commands(
        "steps:\n  - script: esr gate s --against a\n    displayName: esr gate"
    ) == ["esr gate s --against a"]


@pytest.mark.parametrize("block", _of("parse", "run"), ids=_ids(_of("parse", "run")))
def test_documented_commands_parse(block: Block) -> None:
    if block.language == "python":
        compile(block.body, block.where, "exec")
        return
    if block.language == "yaml":
        found = _embedded_commands(block.body)
        assert found, f"{block.where}: no esr command in this block"
        for text in found:
            _parse_esr(shell_words(text))
        return
    for command in commands(block.body):
        _check_assignments(command.text)
        words = shell_words(command.text)
        if words and words[0] == "esr":
            _parse_esr(words)


# --- run ------------------------------------------------------------------------------------


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A folder like a fresh clone's, and the environment of a fresh shell with ``esr``."""
    for name in ("schemas", "contracts"):  # copies: a block may edit them
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "ESR_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    yield tmp_path, env


#: A command ending in ``# exits 1`` must exit with that code (the block's ``exit`` otherwise).
_EXIT = re.compile(r"#\s*exits\s+(\d+)\b[^\n]*$")


def _matches(documented: str, printed: str) -> bool:
    pattern = re.escape(documented).replace(re.escape("..."), ".*")
    return re.fullmatch(pattern, printed.strip(), re.S) is not None


@pytest.mark.slow
@pytest.mark.parametrize("block", _of("run"), ids=_ids(_of("run")))
def test_documented_commands_run(block: Block, sandbox: tuple[Path, dict[str, str]]) -> None:
    folder, env = sandbox
    status = int(block.option("exit") or 0)
    names = [n.strip() for n in (block.option("servers") or "").split(",") if n.strip()]
    with ExitStack() as stack:
        addresses = {"127.0.0.1:8081": "", "localhost:8081": ""}
        for name in ["local", *names]:
            database = f"sqlite:///{folder}/{name}.db" if name != "local" else None
            server = ServerProcess(database or f"sqlite:///{folder}/registry.db").start()
            stack.callback(server.stop)
            if name == "local":
                addresses["127.0.0.1:8081"] = addresses["localhost:8081"] = (
                    f"127.0.0.1:{server.port}"
                )
            else:
                addresses[f"{name}:8081"] = f"127.0.0.1:{server.port}"
        setup = block.option("setup")
        if setup:
            for address, actual in addresses.items():
                setup = setup.replace(address, actual)
            subprocess.run(["bash", "-c", setup], cwd=folder, env=env, check=True, timeout=120)
        if block.language == "python":
            source = block.body
            for address, actual in addresses.items():
                source = source.replace(address, actual)
            (folder / "snippet.py").write_text(source, encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "snippet.py"],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            assert done.returncode == status, (done.stdout[-2000:], done.stderr[-2000:])
            return
        for command in commands(block.body):
            if command.text.startswith("make run"):
                continue  # the server above stands in for it (make run itself: make-run test)
            text = command.text
            for address, actual in addresses.items():
                text = text.replace(address, actual)
            done = subprocess.run(
                ["bash", "-o", "pipefail", "-c", text],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            expected = _EXIT.search(text)
            wanted = int(expected.group(1)) if expected else status
            assert done.returncode == wanted, (text, done.stdout[-2000:], done.stderr[-2000:])
            if command.expected is not None:
                assert _matches(command.expected, done.stdout), (text, done.stdout[-2000:])


@pytest.mark.slow
@pytest.mark.parametrize("block", _of("make-run"), ids=_ids(_of("make-run")))
def test_make_run_serves_the_registry(block: Block, tmp_path: Path) -> None:
    from tests.support.server import free_port

    port = free_port()
    with subprocess.Popen(  # the with closes the stderr pipe
        ["make", "-s", "run", f"PORT={port}", f"DATABASE_URL=sqlite:///{tmp_path}/registry.db"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as process:
        try:
            import httpx

            deadline = datetime.datetime.now() + datetime.timedelta(seconds=120)
            while True:
                assert process.poll() is None, process.stderr.read() if process.stderr else b""
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert datetime.datetime.now() < deadline, "make run did not serve in time"
        finally:
            process.terminate()
            process.wait(30)
    assert (tmp_path / "registry.db").is_file()


# --- configuration and workflow examples ----------------------------------------------------


@pytest.mark.parametrize("block", _of("tool.esr"), ids=_ids(_of("tool.esr")))
def test_documented_gate_configuration_loads(block: Block, tmp_path: Path) -> None:
    from registry.cli.gate.config import load_config

    path = tmp_path / "pyproject.toml"
    path.write_text(block.body, encoding="utf-8")
    config = load_config(path)
    soon = datetime.date.today() + datetime.timedelta(days=180)
    for waiver in config.waivers:
        assert waiver.expires > soon, f"the waiver example expires on {waiver.expires}"
    assert tomllib.loads(block.body)["tool"]["esr"]


@pytest.mark.parametrize("block", _of("contract"), ids=_ids(_of("contract")))
def test_documented_contracts_load(block: Block, tmp_path: Path) -> None:
    from registry.contract_testing import LocalTreeSource, load_contracts

    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "example.yaml").write_text(block.body, encoding="utf-8")
    contracts = load_contracts(tmp_path / "contracts")
    known = set(LocalTreeSource(ROOT / "schemas").subjects())
    bindings = contracts.bindings()
    assert bindings and {b.subject for b in bindings} <= known


@pytest.mark.parametrize("block", _of("workflow"), ids=_ids(_of("workflow")))
def test_documented_workflows_use_the_actions_inputs(block: Block) -> None:
    action = yaml.safe_load((ROOT / ".github/actions/esr-gate/action.yml").read_text())
    inputs = set(action["inputs"])
    workflow = yaml.safe_load(block.body)
    used = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "esr-gate" in str(step.get("uses", ""))
    ]
    assert used, "the workflow does not use the esr-gate action"
    for step in used:
        assert set(step.get("with", {})) <= inputs, set(step.get("with", {})) - inputs


def test_documented_workflows_guard_the_sarif_upload_as_ours_does() -> None:
    ours = yaml.safe_load((ROOT / ".github/workflows/schema-gate.yml").read_text())
    [guard] = [
        step["if"]
        for step in ours["jobs"]["gate"]["steps"]
        if "upload-sarif" in str(step.get("uses", ""))
    ]
    for block in _of("workflow"):
        steps = [s for job in yaml.safe_load(block.body)["jobs"].values() for s in job["steps"]]
        for step in steps:
            if "upload-sarif" in str(step.get("uses", "")):
                assert step.get("if") == guard, f"{block.where}: unguarded SARIF upload"


def test_esr_is_what_the_sandbox_runs() -> None:
    assert shutil.which("esr", path=str(Path(sys.executable).parent)) == str(ESR)
