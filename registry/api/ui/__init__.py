"""The web UI at ``/ui/``: server-rendered pages over the same service layer as the REST API.

Jinja2 templates, one stylesheet and a small script of progressive enhancement; every page
reads without JavaScript. The pages:

* ``/ui/``: the catalogue (search by name or by field and content; filters; pages);
* ``/ui/subjects/{subject}``: versions, settings, references, sync state, contracts;
* ``/ui/subjects/{subject}/versions/{version}``: the schema, its fields, an example event;
* ``/ui/subjects/{subject}/diff``: two versions, or a pasted candidate, side by side;
* ``/ui/services``: who produces and consumes what, and where it runs;
* ``/ui/admin/``, ``/ui/admin/audit``, ``/ui/admin/sync``: for admins;
* ``/ui/login`` and ``/ui/logout`` once the registry has users.

The UI has no logic of its own: it reads through :class:`~registry.service.catalogue.
CatalogueService` and the registry's use cases, and writes only through the authenticator and
the sync worker the admin API uses.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from registry.api.ui import admin, views
from registry.api.ui.pages import Ui
from registry.api.ui.render import STATIC
from registry.api.ui.session import UiAuth
from registry.config import Settings
from registry.security import Authenticator
from registry.service.catalogue import CatalogueService
from registry.service.core import RegistryService
from registry.service.deploys import DeployService

SUBJECT = "/subjects/{subject:segment}"


def routes() -> Router:
    """Every UI route, relative to ``/ui``."""
    return Router(
        [
            Route("/", views.catalogue, name="catalogue"),
            Route(SUBJECT, views.subject, name="subject"),
            Route(SUBJECT + "/versions/{version}", views.version, name="version"),
            Route(SUBJECT + "/diff", views.diff, methods=["GET", "POST"], name="diff"),
            Route("/services", views.services, name="services"),
            Route("/admin/", admin.users, name="admin"),
            Route("/admin/tokens", admin.create_token, methods=["POST"]),
            Route("/admin/tokens/revoke", admin.revoke_token, methods=["POST"]),
            Route("/admin/audit", admin.audit, name="audit"),
            Route("/admin/sync", admin.sync, name="sync"),
            Route("/admin/sync/{target}", admin.sync_now, methods=["POST"]),
            Route("/login", admin.login_form, methods=["GET"]),
            Route("/login", admin.login, methods=["POST"]),
            Route("/logout", admin.logout, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )


def install(
    app: Starlette,
    settings: Settings,
    registry: RegistryService,
    deploys: DeployService,
    authenticator: Authenticator,
) -> None:
    """Serve the UI under ``/ui`` (``/ui`` itself redirects to ``/ui/``)."""
    app.state.ui = Ui(
        registry=registry,
        deploys=deploys,
        catalogue=CatalogueService(registry, deploys),
        auth=UiAuth(authenticator, settings),
    )
    app.router.routes.append(Route("/ui", views.root))
    app.router.routes.append(Mount("/ui", app=routes()))
