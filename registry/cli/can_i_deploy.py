"""``esr can-i-deploy``: may this service version join what runs in an environment?

The registry answers (``GET /api/can-i-deploy``); this module prints the answer as text, JSON
or Markdown and turns it into the exit code: 0 yes, 1 no, 2 unknown. The table has one row per
pair (consumer and producer versions of a subject), Pact's columns plus the subject; each
blocking pair is followed by its rule ids, the JSON pointers the consumer reads that break and
a counterexample event where the engine found one.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from registry.cli.deploys import EXITS, Format, ServiceName, ServiceVersion, table
from registry.cli.errors import exit_on_registry_error
from registry.cli.options import DEFAULT_REGISTRY, Registry, Timeout, Token, User, basic_auth
from registry.client import open_client

HEADER = ["CONSUMER", "C.VERSION", "PRODUCER", "P.VERSION", "SUBJECT", "OK?"]


def _example(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _details(verdict: dict[str, Any]) -> list[str]:
    lines = []
    for row in verdict["matrix"]:
        for f in row["findings"]:
            pointers = ", ".join(p or "(the whole event)" for p in f["pointers"])
            line = (
                f"{row['consumer']} {row['consumerVersion']} <- {row['producer']} "
                f"{row['producerVersion']} on {row['subject']}: [{f['rule']}] at {pointers}: "
                f"{f['message']}"
            )
            if "example" in f and f["example"] is not None:
                line += f"; counterexample event: {_example(f['example'])}"
            lines.append(line)
    return lines


def render(verdict: dict[str, Any], output: Format) -> str:
    """The verdict for people (text, Markdown) or machines (JSON)."""
    if output is Format.JSON:
        return json.dumps(verdict, indent=2, sort_keys=True) + "\n"
    markdown = output is Format.MARKDOWN
    rows = [
        [
            r["consumer"],
            r["consumerVersion"],
            r["producer"],
            r["producerVersion"],
            r["subject"],
            {"yes": "true", "no": "false"}.get(r["answer"], "unknown"),
        ]
        for r in verdict["matrix"]
    ]
    parts = [table(HEADER, rows, markdown=markdown)] if rows else []
    bullet = "- " if markdown else "  "
    for title, items in (
        ("Blocking", _details(verdict)),
        ("Why", verdict["reasons"]),
        ("Warnings", verdict["warnings"]),
    ):
        if items:
            heading = f"**{title}**" if markdown else f"{title}:"
            parts.append(heading + "\n" + "".join(f"{bullet}{i}\n" for i in items))
    answer = verdict["answer"]
    summary = (
        f"can-i-deploy {verdict['service']} {verdict['version']} to "
        f"{verdict['environment']}: {answer}"
    )
    parts.append(f"**{summary}**\n" if markdown else summary + "\n")
    return "\n".join(parts)


def can_i_deploy(
    service: ServiceName,
    version: ServiceVersion,
    to: Annotated[str, typer.Option("--to", help="The environment to deploy to.")],
    output: Annotated[Format, typer.Option("--format", help="text, json or markdown.")] = (
        Format.TEXT
    ),
    registry: Registry = DEFAULT_REGISTRY,
    user: User = None,
    token: Token = None,
    timeout: Timeout = 10.0,
) -> None:
    """Can VERSION of SERVICE be deployed to TO? Exit 0 yes, 1 no, 2 unknown."""
    with (
        exit_on_registry_error(),
        open_client(registry, timeout=timeout, auth=basic_auth(user), token=token) as client,
    ):
        verdict = client.can_i_deploy(service, version, to)
    typer.echo(render(verdict, output), nl=False)
    raise typer.Exit(EXITS[verdict["answer"]])
