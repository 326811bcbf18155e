"""The web UI in a real Chromium (Debian's package, driven by Playwright) against ``esr serve``.

The registry holds the example catalogue (``esr push schemas``), a breaking second version of
``orders.OrderPlaced``, and published contracts of two services deployed to ``prod``. Every page
is opened, used and photographed; screenshots go to the run's temporary directory (and to
``ESR_SCREENSHOTS`` when set: ``ESR_SCREENSHOTS=docs/images`` refreshes the README's). With
users, the login form, the session, logout and the reader/admin split are exercised.

Chromium comes from Debian (``apt-get install chromium``; ``.ci/run`` installs it): Playwright
cannot download its own browsers here. Without it these tests skip, saying so, except in CI
(``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.server import ESR, ServerProcess, running_server

ROOT = Path(__file__).parents[3]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

if not Path(CHROMIUM).exists():
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("Chromium is missing in CI: .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip("no Chromium: apt-get install chromium (CI installs it)", allow_module_level=True)

PASSWORDS = {"ada": "ada-admin-password", "rita": "rita-reader-password"}
HOSTILE_SUBJECT = 'x<script>alert("subject")</script>'
HOSTILE_DOC = '<img src=x onerror=alert("doc")>'
HOSTILE_DEFAULT = "<script>alert('default')</script>"


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def _esr(*args: str, stdin: str | None = None, **env: str) -> None:
    done = subprocess.run(
        [str(ESR), *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _fill(server: ServerProcess) -> None:
    """The example catalogue, a breaking v2 of orders.OrderPlaced, two services in prod."""
    url = server.url
    _esr("push", "schemas", "--registry", url)
    subject = f"{url}/subjects/orders.OrderPlaced"
    v1 = _ok(httpx.get(f"{subject}/versions/1"))["schema"]
    document = json.loads(v1)
    document["required"] = [*document["required"], "channel"]
    _ok(httpx.put(f"{url}/config/orders.OrderPlaced", json={"compatibility": "NONE"}))
    body = {"schema": json.dumps(document), "schemaType": "JSON"}
    _ok(httpx.post(f"{subject}/versions", json=body))
    _ok(httpx.put(f"{url}/api/environments/prod"))
    for service, role, version in (("orders", "produces", "o1"), ("payments", "consumes", "p1")):
        contract = {
            "role": role,
            "subject": "orders.OrderPlaced",
            "transport": "sqs" if role == "consumes" else "eventbridge",
            "destination": f"{service}-orders",
            "schemaType": "JSON",
            "schema": v1,
        }
        path = f"{url}/api/services/{service}/versions/{version}/contracts"
        _ok(httpx.put(path, json={"contracts": [contract]}))
        deployment = {"service": service, "version": version, "environment": "prod"}
        _ok(httpx.post(f"{url}/api/deployments", json=deployment))


@pytest.fixture(scope="module")
def open_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``esr serve`` with no users (the local default), filled."""
    database = tmp_path_factory.mktemp("ui-open") / "registry.db"
    with running_server(f"sqlite:///{database}") as server:
        _fill(server)
        yield server


@pytest.fixture(scope="module")
def glue() -> Iterator[str]:
    """moto's Glue on 127.0.0.1 with an empty registry ``shop``: the sync target."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "glue",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_registry(RegistryName="shop")
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def secured_registry(
    tmp_path_factory: pytest.TempPathFactory, glue: str
) -> Iterator[ServerProcess]:
    """``esr serve`` with an admin (ada) and a reader (rita), filled by the admin, syncing to
    Glue (moto) when asked."""
    database = f"sqlite:///{tmp_path_factory.mktemp('ui-secured') / 'registry.db'}"
    for name, role in (("ada", "admin"), ("rita", "reader")):
        _esr(
            "users", "add", name, "--role", role, "--password-stdin", "--database-url", database,
            stdin=PASSWORDS[name] + "\n",
        )  # fmt: skip
    sync = {
        "REGISTRY_SYNC__GLUE__REGISTRY": "shop",
        "REGISTRY_SYNC__GLUE__REGION": "us-east-1",
        "REGISTRY_SYNC__GLUE__ENDPOINT_URL": glue,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    with running_server(database, REGISTRY_AUTH_REFRESH_SECONDS="0.2", **sync) as server:
        _esr("push", "schemas", "--registry", server.url, ESR_REGISTRY_USER=_user("ada"))
        yield server


def _user(name: str) -> str:
    return f"{name}:{PASSWORDS[name]}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        found = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield found
        found.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: the run's temporary directory, or ``ESR_SCREENSHOTS``."""
    wanted = os.environ.get("ESR_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) whose page fails the test on any dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", refuse)
    yield opened
    context.close()
    assert not dialogs, f"a script ran: {dialogs}"


def test_search_a_subject_and_a_breaking_diff(
    page: Any, open_registry: ServerProcess, shots: Path
) -> None:
    url = open_registry.url
    page.goto(f"{url}/ui/")
    assert page.locator("main h1").inner_text() == "Event catalogue"
    assert page.locator("table.catalogue tbody tr").count() == 10
    page.screenshot(path=shots / "catalogue.png", full_page=True)
    page.get_by_label("Subject name").fill("orders")
    page.get_by_role("button", name="Search").click()
    assert page.locator("table.catalogue tbody tr").count() == 3
    page.get_by_label("Subject name").fill("")
    page.get_by_label("Field or content").fill("couponCode")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table.catalogue tbody tr")
    assert rows.count() == 1 and "orders.OrderPlaced" in rows.inner_text()
    assert "orders" in rows.inner_text() and "payments" in rows.inner_text()

    rows.get_by_role("link", name="orders.OrderPlaced").click()
    assert page.locator("main h1").inner_text() == "orders.OrderPlaced"
    assert page.get_by_role("link", name="Version 2", exact=True).is_visible()
    assert "payments" in page.locator("#contracts-h + table").inner_text()
    page.screenshot(path=shots / "subject.png", full_page=True)

    page.get_by_role("link", name="diff the last two versions").click()
    assert "version 1 → 2" in page.locator("main h1").inner_text()
    finding = page.locator("li.finding").first
    assert "json.required-added" in finding.inner_text()
    assert "An event that breaks" in finding.inner_text()
    example = json.loads(finding.locator("pre code").inner_text())
    assert "channel" not in example and "orderId" in example
    levels = page.locator("table.levels")
    assert "BACKWARD" in levels.inner_text() and "breaking" in levels.inner_text()
    assert page.locator("table.diff tr.changed, table.diff tr.added").count() >= 1
    page.screenshot(path=shots / "diff.png")

    page.goto(f"{url}/ui/subjects/orders.OrderPlaced/versions/1")
    assert "orderId" in page.locator("table.fields").inner_text()
    assert page.locator("#example-h ~ pre code").count() == 1
    assert page.get_by_role("link", name="Download the schema").get_attribute("download")
    page.screenshot(path=shots / "version.png")

    page.goto(f"{url}/ui/services")
    assert page.locator("figure.graph svg").count() == 1
    table = page.locator("main table").inner_text()
    assert "orders" in table and "payments" in table and "prod: p1" in table
    page.screenshot(path=shots / "services.png", full_page=True)

    page.goto(f"{url}/ui/admin/audit")
    assert "register" in page.locator("main table").inner_text()
    page.screenshot(path=shots / "audit.png")


def test_a_pasted_candidate_is_compared_and_nothing_written(
    page: Any, open_registry: ServerProcess
) -> None:
    url = open_registry.url
    before = _ok(httpx.get(f"{url}/subjects/orders.OrderShipped/versions"))
    page.goto(f"{url}/ui/subjects/orders.OrderShipped")
    latest = _ok(httpx.get(f"{url}/subjects/orders.OrderShipped/versions/latest"))["schema"]
    document = json.loads(latest)
    document["properties"]["orderId"] = {"type": "integer"}
    page.get_by_label("Paste a schema").fill(json.dumps(document, indent=2))
    page.get_by_role("button", name="Compare").click()
    assert "candidate against version" in page.locator("main h1").inner_text()
    assert "Nothing was written" in page.locator("main").inner_text()
    assert "json.type-changed" in page.locator("ol.findings").inner_text()
    assert _ok(httpx.get(f"{url}/subjects/orders.OrderShipped/versions")) == before


def test_reading_works_without_javascript(browser: Any, open_registry: ServerProcess) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{open_registry.url}/ui/")
        page.get_by_label("Type").select_option("AVRO")
        page.get_by_role("button", name="Search").click()
        assert page.locator("table.catalogue tbody tr").count() == 4
        assert "type=AVRO" in page.url
    finally:
        context.close()


def test_every_form_control_has_a_label_and_pages_have_landmarks(
    page: Any, open_registry: ServerProcess
) -> None:
    url = open_registry.url
    for path in ("/ui/", "/ui/subjects/orders.OrderPlaced", "/ui/admin/", "/ui/admin/audit"):
        page.goto(url + path)
        assert page.locator("header nav, main, footer").count() == 3, path
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                 .map(e => e.name)"""
        )
        assert unlabelled == [], (path, unlabelled)
    page.goto(url + "/ui/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_hostile_names_docs_and_defaults_are_shown_as_text(
    page: Any, open_registry: ServerProcess
) -> None:
    url = open_registry.url
    schema = {
        "type": "object",
        "description": HOSTILE_DOC,
        "properties": {"note": {"type": "string", "default": HOSTILE_DEFAULT}},
    }
    body = {"schema": json.dumps(schema), "schemaType": "JSON"}
    # The subject travels as one percent-encoded segment, as clients send it.
    _ok(httpx.post(f"{url}/subjects/{quote(HOSTILE_SUBJECT, safe='')}/versions", json=body))
    page.goto(f"{url}/ui/?q=script")
    assert HOSTILE_SUBJECT in page.locator("table.catalogue").inner_text()
    page.get_by_role("link", name=HOSTILE_SUBJECT).click()
    assert page.locator("main h1").inner_text() == HOSTILE_SUBJECT
    page.get_by_role("link", name="Version 1", exact=True).click()
    assert json.dumps(HOSTILE_DOC) in page.locator("#schema-h + pre").inner_text()
    assert json.dumps(HOSTILE_DEFAULT) in page.locator("table.fields").inner_text()
    assert page.locator("img[src=x]").count() == 0


def test_login_roles_and_logout(page: Any, secured_registry: ServerProcess, shots: Path) -> None:
    url = secured_registry.url
    page.goto(f"{url}/ui/subjects/orders.OrderPlaced")
    assert "/ui/login" in page.url
    page.get_by_label("User").fill("rita")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert "Unknown user or wrong password" in page.locator("main").inner_text()
    page.screenshot(path=shots / "login.png")
    page.get_by_label("Password").fill(PASSWORDS["rita"])
    page.get_by_role("button", name="Log in").click()
    assert page.locator("main h1").inner_text() == "orders.OrderPlaced"  # back where she was
    cookie = next(c for c in page.context.cookies() if c["name"] == "esr_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.get_by_role("link", name="Admin").count() == 0
    assert page.get_by_role("button", name="Revoke").count() == 0
    response = page.goto(f"{url}/ui/admin/")
    assert response.status == 403
    assert "needs the admin role" in page.locator("main").inner_text()
    page.get_by_role("button", name="Log out").click()
    assert "/ui/login" in page.url
    assert page.goto(f"{url}/ui/").url.startswith(f"{url}/ui/login")

    page.get_by_label("User").fill("ada")
    page.get_by_label("Password").fill(PASSWORDS["ada"])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Admin").click()
    assert "rita" in page.locator("main table").first.inner_text()
    page.get_by_label("Description").fill("ci")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("code.secret").inner_text()
    assert (
        token
        and httpx.get(f"{url}/subjects", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    page.screenshot(path=shots / "admin.png")
    page.goto(f"{url}/ui/admin/")  # a token is shown once, on the page that created it
    assert page.locator("code.secret").count() == 0
    page.get_by_role("button", name="Revoke").first.click()
    assert page.get_by_role("button", name="Revoke").count() == 0

    # Every page works for the admin with auth on.
    for path, heading in (
        ("/ui/", "Event catalogue"),
        ("/ui/subjects/payments.PaymentRefunded", "payments.PaymentRefunded"),
        ("/ui/subjects/payments.PaymentRefunded/versions/1", "payments.PaymentRefunded"),
        ("/ui/subjects/payments.PaymentRefunded/diff", "payments.PaymentRefunded"),
        ("/ui/services", "Services"),
        ("/ui/admin/audit?action=create_token", "Admin"),
    ):
        assert page.goto(url + path).status == 200, path
        assert page.locator("main h1").inner_text().startswith(heading), path
    assert "create_token" in page.locator("main table").inner_text()
    page.goto(f"{url}/ui/admin/sync")
    page.get_by_role("button", name="Sync glue now").click()
    assert "Synced glue: 10 subject(s)" in page.locator("main").inner_text()
    states = page.locator("#states-h ~ div table").inner_text()
    assert "payments.PaymentRefunded" in states


def test_a_write_without_the_form_token_is_refused(secured_registry: ServerProcess) -> None:
    with httpx.Client(base_url=secured_registry.url) as client:
        login = client.post(
            "/ui/login", data={"user": "ada", "password": PASSWORDS["ada"], "next": "/ui/"}
        )
        assert login.status_code == 303 and "esr_session" in client.cookies
        forged = client.post("/ui/admin/tokens", data={"user": "rita", "csrf": "forged"})
        assert forged.status_code == 403
        assert "did not come from this site" in forged.text
        assert "<script" not in forged.text.split("</head>")[1]
