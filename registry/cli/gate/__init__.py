"""``esr gate``: the CI gate that rejects breaking schema changes in pull requests.

* ``command``: the typer command; gathers the inputs and writes the reports;
* ``config``: ``[tool.esr]`` (levels, policies, severities, waivers) from ``pyproject.toml``;
* ``contracts``: who produces and consumes each subject, read with the contract tests' loader;
* ``git``: the changes between a git ref and the working tree;
* ``judging``: the one compatibility engine's findings turned into located gate findings, and
  the walk of a git ref; ``registry_walk``: the same against a running registry;
* ``lines``: JSON pointers mapped to lines of the schema files;
* ``model``: the report (subjects, findings, severities, exit code);
* ``render``: the report for people (text, Markdown) and machines (GitHub annotations, JUnit,
  SARIF, JSON).

Nothing here is imported until ``esr gate`` runs (see ``registry.cli.main``).
"""
