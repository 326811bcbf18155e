"""Data-contract metadata as Confluent merges and reads it (Confluent 7.4+).

* A registration without metadata (or without a ruleSet) takes the latest live version's, and
  the subject's config wraps it: ``defaultMetadata`` under it, ``overrideMetadata`` over it,
  and the same for rule sets (``AbstractSchemaRegistry.maybeSetMetadataRuleSet``).
* Merging follows ``Metadata.mergeMetadata`` and ``RuleSet.mergeRuleSets``: tags and properties
  are maps where the newer key wins, ``sensitive`` is a union, and a newer rule replaces the
  older one of the same name.
* A ``compatibilityGroup`` names a metadata property; a new schema is judged only against the
  versions whose property has the same value, an absent property being a value of its own
  (``AbstractSchemaRegistry.isCompatibleWithPrevious`` compares with ``Objects.equals``).
* ``GET /subjects/{s}/metadata`` finds the latest version whose properties hold every pair
  asked for; a version without metadata never matches (``getLatestWithMetadata``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RULE_KINDS = ("migrationRules", "domainRules", "encodingRules")


def merge_metadata(
    older: Mapping[str, Any] | None, newer: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """``newer`` over ``older``: maps merged key by key (newer wins), ``sensitive`` united."""
    if older is None:
        return None if newer is None else dict(newer)
    if newer is None:
        return dict(older)
    merged: dict[str, Any] = {**older, **newer}
    for key in ("tags", "properties"):
        old, new = older.get(key) or {}, newer.get(key) or {}
        if old or new:
            merged[key] = {**old, **new}
    old_sensitive, new_sensitive = older.get("sensitive") or [], newer.get("sensitive") or []
    if old_sensitive or new_sensitive:
        merged["sensitive"] = sorted({*old_sensitive, *new_sensitive})
    return merged


def merge_rule_sets(
    older: Mapping[str, Any] | None, newer: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """``newer`` over ``older``, per kind of rule: older rules named again by newer ones go."""
    if older is None:
        return None if newer is None else dict(newer)
    if newer is None:
        return dict(older)
    merged: dict[str, Any] = {**older, **newer}
    for kind in RULE_KINDS:
        old, new = older.get(kind) or [], newer.get(kind) or []
        if old and new:
            names = {rule.get("name") for rule in new}
            merged[kind] = [rule for rule in old if rule.get("name") not in names] + list(new)
        elif old or new:
            merged[kind] = list(old or new)
    return merged


def wrapped(
    default: Mapping[str, Any] | None,
    specific: Mapping[str, Any] | None,
    override: Mapping[str, Any] | None,
    *,
    rules: bool = False,
) -> dict[str, Any] | None:
    """``specific`` with the config's default under it and its override over it."""
    merge = merge_rule_sets if rules else merge_metadata
    return merge(merge(default, specific), override)


def properties(metadata: Mapping[str, Any] | None) -> dict[str, str] | None:
    """A schema's metadata properties; None when it has no metadata at all."""
    if metadata is None:
        return None
    found = metadata.get("properties")
    return dict(found) if isinstance(found, Mapping) else {}


def group_value(metadata: Mapping[str, Any] | None, group: str) -> str | None:
    """The value of the compatibility group's property (None when the schema has none)."""
    found = properties(metadata)
    return None if found is None else found.get(group)


def has_properties(metadata: Mapping[str, Any] | None, wanted: Mapping[str, str]) -> bool:
    """Whether the metadata holds every pair of ``wanted`` (never, without metadata)."""
    found = properties(metadata)
    return found is not None and all(found.get(k) == v for k, v in wanted.items())
