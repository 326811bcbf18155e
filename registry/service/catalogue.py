"""Read models for the web UI: the catalogue of subjects and everything about one subject.

Thin on purpose: each answer is assembled from the same use cases and reads as the REST API
(:class:`~registry.service.core.RegistryService`, :class:`~registry.service.deploys.
DeployService`), so the UI has no logic of its own. The catalogue is filtered and paged from
:mod:`registry.storage.catalogue`, whose cost does not grow with history.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from registry import errors
from registry.domain import (
    CompatibilityLevel,
    EffectiveConfig,
    Mode,
    SubjectConfig,
    SubjectVersion,
)
from registry.service.core import RegistryService
from registry.service.deploys import DeployService, Party
from registry.storage import catalogue as store

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """What the catalogue page asks for (every field optional)."""

    name: str = ""
    text: str = ""
    schema_type: str | None = None
    prefix: str = ""
    level: str | None = None
    deleted: str = "live"
    page: int = 1


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One subject as the catalogue lists it."""

    subject: str
    schema_type: str
    version: int
    schema_id: int
    level: str
    level_is_own: bool
    mode: str
    updated: datetime | None
    deleted: bool
    producers: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CataloguePage:
    """One page of the catalogue, and how many subjects match in all."""

    entries: tuple[CatalogueEntry, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class SubjectView:
    """Everything the subject page shows."""

    subject: str
    versions: tuple[SubjectVersion, ...]
    history: tuple[dict[str, Any], ...]
    config: SubjectConfig | EffectiveConfig
    own_config: SubjectConfig | EffectiveConfig | None
    mode: Mode
    references: tuple[tuple[str, str, int], ...]
    referenced_by: tuple[tuple[str, int], ...]
    sync: tuple[dict[str, Any], ...]
    parties: tuple[Party, ...] = field(default=())


class CatalogueService:
    """The UI's reads, over the registry's use cases."""

    def __init__(self, registry: RegistryService, deploys: DeployService) -> None:
        self.registry = registry
        self.deploys = deploys

    def page(self, query: CatalogueQuery, patterns: tuple[str, ...] | None = None) -> CataloguePage:
        """The subjects matching ``query`` that the caller may see (``patterns``, as a
        principal's subjects; None: all), one page of :data:`PAGE_SIZE`."""
        level = CompatibilityLevel.parse(query.level).value if query.level else None
        with self.registry.db.read() as session:
            levels = store.explicit_levels(session)
            modes = store.explicit_modes(session)
            default_level = levels.get("") or self.registry.settings.default_compatibility.value
            wanted = store.CatalogueFilter(
                deleted=query.deleted,
                prefix=query.prefix,
                schema_type=query.schema_type,
                name=query.name,
                text=query.text,
                level=level,
                default_level=default_level,
                patterns=patterns,
            )
            page = max(1, query.page)
            rows, total = store.catalogue_page(session, wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE)
            pages = max(1, math.ceil(total / PAGE_SIZE))
            if page > pages:
                page = pages
                rows, total = store.catalogue_page(
                    session, wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE
                )
        default_mode = modes.get("", Mode.READWRITE.value)
        roles = self._roles()
        entries = tuple(
            CatalogueEntry(
                subject=r.subject,
                schema_type=r.schema_type,
                version=r.version,
                schema_id=r.schema_id,
                level=r.level or default_level,
                level_is_own=r.level is not None,
                mode=modes.get(r.subject, default_mode),
                updated=r.updated,
                deleted=r.live_versions == 0,
                producers=tuple(sorted(roles[r.subject]["produces"])),
                consumers=tuple(sorted(roles[r.subject]["consumes"])),
            )
            for r in rows
        )
        return CataloguePage(entries, total, page, pages)

    def _roles(self) -> defaultdict[str, dict[str, set[str]]]:
        found: defaultdict[str, dict[str, set[str]]] = defaultdict(
            lambda: {"produces": set(), "consumes": set()}
        )
        for party in self.deploys.parties():
            found[party.subject][party.role].add(party.service)
        return found

    def subject(self, subject: str) -> SubjectView:
        """A subject's versions (deleted ones too), history, settings, references, sync state
        and contracts; :class:`~registry.errors.SubjectNotFound` when it has no version."""
        registry = self.registry
        numbers = registry.list_versions(subject, deleted=True)
        versions = tuple(registry.get_version(subject, n, deleted=True) for n in numbers)
        latest = versions[-1]
        with registry.db.read() as session:
            referenced_by = store.referrers(session, subject)
        try:
            own: SubjectConfig | EffectiveConfig | None = registry.get_config(subject)
        except errors.SubjectConfigNotFound:
            own = None
        return SubjectView(
            subject=subject,
            versions=versions,
            history=tuple(registry.audit(subject=subject, limit=200)),
            config=registry.get_config(subject, default_to_global=True),
            own_config=own,
            mode=registry.get_mode(subject, default_to_global=True),
            references=tuple((r.name, r.subject, r.version) for r in latest.schema.references),
            referenced_by=tuple(referenced_by),
            sync=tuple(s for s in registry.sync_states() if s["subject"] == subject),
            parties=tuple(p for p in self.deploys.parties() if p.subject == subject),
        )
