"""The GitHub Action's shell step, run for real with bash on a throwaway repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.cli.conftest import ORDER_BREAKING, ORDER_WITH_DEFAULT, Project

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / ".github" / "actions" / "esr-gate" / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "schema-gate.yml"


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def test_action_is_composite_and_declares_what_it_uses() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    text = ACTION.read_text()
    used = {part.split("}")[0].strip() for part in text.split("inputs.")[1:]}
    assert used <= declared, used - declared
    assert all(step.get("shell") == "bash" for step in action["runs"]["steps"] if "run" in step)


def test_workflow_runs_the_local_action_on_schemas() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert "schemas/**" in triggers["pull_request"]["paths"]
    steps = workflow["jobs"]["gate"]["steps"]
    gate = next(step for step in steps if step.get("id") == "gate")
    assert gate["uses"] == "./.github/actions/esr-gate"
    assert gate["with"]["schemas"] == "schemas"
    checkout = steps[0]
    assert checkout["with"]["fetch-depth"] == 0


def _run_step(project: Project, tmp_path: Path, **env: str) -> tuple[int, str, dict[str, str]]:
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "gate")
    runner_temp = tmp_path / "runner"
    (runner_temp / "esr-venv" / "bin").mkdir(parents=True)
    (runner_temp / "esr-venv" / "bin" / "esr").symlink_to(Path(sys.executable).with_name("esr"))
    output = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    variables = {
        **os.environ,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "ESR_SCHEMAS": "schemas",
        "ESR_AGAINST": "",
        "ESR_FAIL_ON": "error",
        "ESR_SARIF": "",
        "ESR_JUNIT": "",
        "ESR_ARGS": "",
        "ESR_BASE_REF": "",
        "ESR_BEFORE": "",
        **env,
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=project.root,
        env=variables,
        capture_output=True,
        text=True,
        timeout=60,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return done.returncode, done.stdout + done.stderr, outputs


def test_action_gates_a_pull_request_against_its_base_branch(
    project: Project, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(project.root), str(origin)], check=True)
    project.git("remote", "add", "origin", str(origin))
    project.git("checkout", "-q", "-b", "feature")
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    project.commit("change Order")

    code, log, outputs = _run_step(
        project, tmp_path, ESR_BASE_REF="main", ESR_SARIF="out/esr.sarif"
    )
    assert code == 1, log
    assert outputs["exit-code"] == "1"
    assert (project.root / "out" / "esr.sarif").is_file()
    assert "::error file=schemas/orders/Order.avsc" in log
    assert "esr gate against origin/main" in (tmp_path / "step_summary").read_text()


def test_action_defaults_to_the_previous_commit_outside_pull_requests(
    project: Project, tmp_path: Path
) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_WITH_DEFAULT)
    project.commit("compatible")
    code, log, outputs = _run_step(project, tmp_path, ESR_JUNIT="esr.xml")
    assert code == 0, log
    assert outputs["exit-code"] == "0"
    assert "esr gate against HEAD~1: no breaking change" in log
    assert (project.root / "esr.xml").read_text().startswith("<?xml")


def _shallow_clone(project: Project, tmp_path: Path) -> Project:
    """A fetch-depth 1 checkout of the project, as actions/checkout makes by default."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(project.root), str(origin)], check=True)
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(shallow)], check=True
    )
    return Project(shallow, project.runner)


def test_action_on_a_push_with_a_shallow_checkout_compares_with_the_commit_before(
    project: Project, tmp_path: Path
) -> None:
    before = project.git("rev-parse", "HEAD").strip()
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    project.commit("breaking")
    shallow = _shallow_clone(project, tmp_path)
    code, log, outputs = _run_step(shallow, tmp_path, ESR_BEFORE=before)
    assert code == 1, log
    assert outputs["exit-code"] == "1"
    assert f"esr gate against {before}" in log


def test_action_deepens_a_shallow_checkout_for_the_previous_commit(
    project: Project, tmp_path: Path
) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_WITH_DEFAULT)
    project.commit("compatible")
    shallow = _shallow_clone(project, tmp_path)
    code, log, _ = _run_step(shallow, tmp_path)
    assert code == 0, log
    assert "esr gate against HEAD~1: no breaking change" in log
