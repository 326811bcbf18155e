"""event-schema-registry: a schema registry and contract-testing service for event-driven systems.

The package is layered (see ARCHITECTURE.md): formats -> compatibility/storage -> service ->
api, cli, sync and the pytest plugin. Importing this module is cheap: it pulls in nothing heavy.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
