"""The reading pages: catalogue, subject, version, diff and services.

Every view reads through the registry's use cases (``Ui``) and renders a template; the only
form here (a pasted candidate on the diff page) writes nothing.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from registry import errors
from registry.api.ui.diffview import (
    FindingView,
    LevelVerdict,
    finding_views,
    pretty,
    side_by_side,
    verdicts,
)
from registry.api.ui.graph import Edge, services_svg
from registry.api.ui.pages import checked_form, page, render, subject_url, threaded, ui_of
from registry.api.ui.render import field_rows
from registry.compatibility import check_compatibility
from registry.domain import (
    Action,
    CompatibilityLevel,
    Principal,
    Role,
    SchemaInput,
    SchemaType,
)
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from registry.service.catalogue import CatalogueQuery

LEVELS = [level.value for level in CompatibilityLevel]
EXAMPLES = 1


def _subject(request: Request) -> str:
    return str(request.path_params["subject"])


@page()
async def catalogue(request: Request, principal: Principal) -> Response:
    """``/ui/``: every subject, searchable and filtered, one page at a time."""
    params = request.query_params
    schema_type = params.get("type") or None
    if schema_type not in (None, "AVRO", "JSON"):
        raise errors.InvalidInput(f"Unknown schema type '{schema_type}': use AVRO or JSON")
    deleted = params.get("deleted") or "live"
    if deleted not in ("live", "all", "only"):
        raise errors.InvalidInput(f"Unknown deleted filter '{deleted}': use live, all or only")
    level = params.get("level") or None
    try:
        number = int(params.get("page") or 1)
    except ValueError:
        raise errors.InvalidInput("The page must be a number") from None
    query = CatalogueQuery(
        name=params.get("q", "").strip(),
        text=params.get("field", "").strip(),
        schema_type=schema_type,
        prefix=params.get("prefix", ""),
        level=level,
        deleted=deleted,
        page=number,
    )
    ui = ui_of(request)
    restricted = principal.subjects and principal.role is not Role.ADMIN
    found = await threaded(ui.catalogue.page)(query, principal.subjects if restricted else None)
    kept = {k: v for k, v in params.items() if k != "page" and v}
    return render(
        request,
        "catalogue.html",
        principal,
        catalogue=found,
        query=query,
        levels=LEVELS,
        page_url=lambda n: "/ui/?" + urlencode({**kept, "page": n}),
    )


@page()
async def subject(request: Request, principal: Principal) -> Response:
    """``/ui/subjects/{subject}``: versions, settings, references, sync state, contracts."""
    name = _subject(request)
    _may_read(principal, name)
    view = await threaded(ui_of(request).catalogue.subject)(name)
    return render(request, "subject.html", principal, view=view)


@page()
async def version(request: Request, principal: Principal) -> Response:
    """``/ui/subjects/{subject}/versions/{version}``: the schema, its fields and an example."""
    name = _subject(request)
    _may_read(principal, name)
    registry = ui_of(request).registry
    found = await threaded(registry.get_version)(name, request.path_params["version"], deleted=True)
    parsed = await threaded(registry.parsed_schema)(found.schema.id)
    try:
        examples = get_format(parsed.schema_type).examples(parsed, EXAMPLES)
    except errors.RegistryError:
        examples = []
    numbers = await threaded(registry.list_versions)(name, deleted=True)
    segment = quote(name, safe="")
    return render(
        request,
        "version.html",
        principal,
        subject=name,
        found=found,
        numbers=numbers,
        text=pretty(found.schema.schema),
        fields=field_rows(parsed.schema_type.value, parsed.document),
        example=json.dumps(examples[0], indent=2, ensure_ascii=False) if examples else None,
        api_url=f"/subjects/{segment}/versions/{found.version}",
        raw_url=f"/subjects/{segment}/versions/{found.version}/schema",
        id_url=f"/schemas/ids/{found.schema.id}",
    )


@page()
async def diff(request: Request, principal: Principal) -> Response:
    """``/ui/subjects/{subject}/diff?from=N&to=M``, or a pasted candidate (POST) against the
    latest version: the texts side by side, every finding at its lines in both (checked both
    ways, so each says who it breaks), and the verdict of every level at once.
    """
    name = _subject(request)
    _may_read(principal, name)
    registry = ui_of(request).registry
    numbers = await threaded(registry.list_versions)(name)
    candidate: str | None = None
    schema_type: str | None = None
    if request.method == "POST":
        fields = await checked_form(request)
        candidate = fields.get("schema", "")
        if not candidate.strip():
            raise errors.InvalidInput("Paste a schema to check against the latest version")
        schema_type = fields.get("schemaType") or None
    params = request.query_params
    new_number: int | None
    if candidate is None:
        old_number = _number(params.get("from"), numbers[-2] if len(numbers) > 1 else numbers[0])
        new_number = _number(params.get("to"), numbers[-1])
    else:
        old_number, new_number = numbers[-1], None
    parsed = threaded(registry.parsed_schema)
    version_of = threaded(registry.get_version)
    old_parsed: ParsedSchema = await parsed((await version_of(name, old_number)).schema.id)
    if new_number is None:
        kind = SchemaType.parse(schema_type) if schema_type else old_parsed.schema_type
        text = candidate or ""
        new_parsed: ParsedSchema = await threaded(registry.parse_candidate)(SchemaInput(text, kind))
    else:
        new_parsed = await parsed((await version_of(name, new_number)).schema.id)
    history: list[tuple[int, ParsedSchema]] = []
    for number in numbers:
        if new_number is None or number < new_number:
            history.append((number, await parsed((await version_of(name, number)).schema.id)))
    config = await threaded(registry.get_config)(name, default_to_global=True)
    same_type = new_parsed.schema_type is old_parsed.schema_type
    findings: list[FindingView] = []
    all_levels: list[LevelVerdict] = []
    if same_type:
        pair = check_compatibility(
            get_format(new_parsed.schema_type),
            new_parsed,
            [(old_number, old_parsed)],
            CompatibilityLevel.FULL,
            config.policy,
        )
        findings = finding_views(old_parsed.text, new_parsed.text, pair.findings)
        all_levels = verdicts(new_parsed, history or [(old_number, old_parsed)], config.policy)
    return render(
        request,
        "diff.html",
        principal,
        subject=name,
        numbers=numbers,
        old_number=old_number,
        new_number=new_number,
        rows=side_by_side(old_parsed.text, new_parsed.text),
        findings=findings,
        verdicts=all_levels,
        level=CompatibilityLevel(config.compatibility).value,
        type_changed=not same_type,
        candidate=candidate,
    )


def _number(value: str | None, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise errors.InvalidInput(f"'{value}' is not a version number") from None


@page()
async def services(request: Request, principal: Principal) -> Response:
    """``/ui/services``: who produces and consumes what, and where it runs."""
    parties = await threaded(ui_of(request).deploys.parties)()
    visible = [p for p in parties if principal.allows(Action.READ, p.subject)]
    deployed = {p.service: list(p.deployed) for p in visible}
    svg = services_svg(
        [Edge(p.service, p.role, p.subject) for p in visible], deployed, link=subject_url
    )
    environments = await threaded(ui_of(request).deploys.environments)()
    return render(
        request,
        "services.html",
        principal,
        parties=visible,
        graph=svg,
        environments=environments,
    )


def _may_read(principal: Principal, subject: str) -> None:
    if not principal.allows(Action.READ, subject):
        raise errors.AccessDenied(f"Forbidden: you may not read subject '{subject}'")


async def root(request: Request) -> Response:
    """``/ui`` to ``/ui/``."""
    return RedirectResponse("/ui/", status_code=308)
