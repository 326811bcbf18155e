"""Who produces and who consumes each subject, from the contract files in ``contracts/``.

The gate reads them with the contract tests' own loader (:mod:`registry.contract_testing`), so
a folder ``esr gate`` accepts is one the pytest plugin accepts, and the other way round: the same
files (hidden folders such as ``.github/`` skipped), the same refusals with the same
``file:line:`` messages (``InvalidInput``, so ``esr gate`` exits 2 on a malformed contract). Of a
contract the gate keeps only which services produce and consume which subject, to name whom a
breaking change hurts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from registry.contract_testing import ContractSet, Role
from registry.contract_testing import load_contracts as load_contract_set


@dataclass(frozen=True, slots=True)
class ContractIndex:
    """Services by subject, for naming whom a breaking change hurts."""

    producers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    consumers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, contracts: ContractSet) -> ContractIndex:
        """The producers and consumers of every subject the contracts name."""
        services: dict[Role, dict[str, set[str]]] = {role: defaultdict(set) for role in Role}
        for binding in contracts.bindings():
            services[binding.role][binding.subject].add(binding.service)
        producers, consumers = (
            {subject: tuple(sorted(names)) for subject, names in services[role].items()}
            for role in (Role.PRODUCES, Role.CONSUMES)
        )
        return cls(producers, consumers)

    def services(self, subject: str, breaks: Iterable[str]) -> tuple[str, ...]:
        """The services a finding breaking ``producers`` and/or ``consumers`` names, sorted."""
        found: set[str] = set()
        for who in breaks:
            table = self.producers if who == "producers" else self.consumers
            found.update(table.get(subject, ()))
        return tuple(sorted(found))


def load_contracts(directory: Path | None, *, relative_to: Path | None = None) -> ContractIndex:
    """The index of every contract under ``directory``; an absent directory: an empty index.

    Messages name files relative to ``relative_to`` (default: the working directory), as the
    plugin names them relative to its root directory.
    """
    if directory is None or not directory.is_dir():
        return ContractIndex()
    base = Path.cwd() if relative_to is None else relative_to
    return ContractIndex.of(load_contract_set(directory, relative_to=base))
