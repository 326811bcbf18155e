"""The UI's pages over the app on SQLite and PostgreSQL: the catalogue's filters and pages,
error pages with the API's statuses, subject permissions, and the UI switched off."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import Settings
from registry.domain import Role

ROW = re.compile(r'<tr(?: class="deleted")?>\s*<th scope="row"><a href="/ui/subjects/([^"]+)"')


def avro(name: str, *fields: str) -> str:
    return json.dumps(
        {"type": "record", "name": name, "fields": [{"name": f, "type": "string"} for f in fields]}
    )


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url, warm_cache=False))
    with TestClient(app, raise_server_exceptions=False) as found:
        for n in range(60):
            subject = f"team{n % 3}.Event{n:03d}"
            body = {"schema": avro(f"E{n}", "id", f"field{n}")}
            assert found.post(f"/subjects/{subject}/versions", json=body).status_code == 200
        json_schema = {"type": "object", "properties": {"couponCode": {"type": "string"}}}
        body = {"schema": json.dumps(json_schema), "schemaType": "JSON"}
        assert found.post("/subjects/shop.Json/versions", json=body).status_code == 200
        assert found.put("/config/team1.Event001", json={"compatibility": "FULL"}).status_code
        assert found.delete("/subjects/team2.Event002").status_code == 200
        yield found


def subjects(html: str) -> list[str]:
    return ROW.findall(html)


def test_pages_of_fifty_in_name_order(client: TestClient) -> None:
    first = client.get("/ui/")
    assert first.status_code == 200
    assert "60 subjects, page 1 of 2" in first.text
    names = subjects(first.text)
    assert len(names) == 50 and names == sorted(names)
    second = subjects(client.get("/ui/?page=2").text)
    assert len(second) == 10 and second[-1] == "team2.Event059"
    assert subjects(client.get("/ui/?page=99").text) == second  # past the end: the last page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=Event00", {f"team{n % 3}.Event00{n}" for n in range(10) if n != 2}),
        ("field=field57", {"team0.Event057"}),
        ("field=couponCode&type=JSON", {"shop.Json"}),
        ("type=JSON", {"shop.Json"}),
        ("level=FULL", {"team1.Event001"}),
        ("prefix=team1.Event04", {f"team1.Event04{n}" for n in (0, 3, 6, 9)}),
        ("deleted=only", {"team2.Event002"}),
    ],
)
def test_filters(client: TestClient, query: str, expected: set[str]) -> None:
    answer = client.get(f"/ui/?{query}")
    assert answer.status_code == 200
    assert set(subjects(answer.text)) == expected


def test_every_row_says_type_version_level_and_mode(client: TestClient) -> None:
    html = client.get("/ui/?q=team1.Event001").text
    row = html[html.index("team1.Event001") :]
    assert "AVRO" in row and ">v1<" in row and "FULL" in row and "READWRITE" in row


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ui/subjects/nope", 404),
        ("/ui/subjects/team0.Event000/versions/7", 404),
        ("/ui/subjects/team0.Event000/versions/x", 422),
        ("/ui/?type=XML", 422),
        ("/ui/?level=SOMETIMES", 422),
        ("/ui/?page=two", 422),
        ("/ui/subjects/team0.Event000/diff?from=x", 422),
    ],
)
def test_bad_input_is_an_error_page_with_the_api_status(
    client: TestClient, path: str, status: int
) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in answer.text


def test_a_form_without_its_token_writes_nothing(client: TestClient) -> None:
    answer = client.post(
        "/ui/subjects/team0.Event000/diff", data={"schema": avro("E0", "id"), "csrf": "x"}
    )
    assert answer.status_code == 403


def test_a_reader_limited_to_some_subjects_sees_only_those(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, warm_cache=False, auth_refresh_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        for n, team in enumerate(("billing", "orders")):
            body = {"schema": avro(f"E{n}", "id")}
            client.post(f"/subjects/{team}.Event/versions", json=body)
        auth = app.state.authenticator
        auth.add_user("admin", "admin-password-1", Role.ADMIN)
        auth.add_user("bob", "bob-password-12", Role.READER, subjects=("orders.*",))
        login = {"user": "bob", "password": "bob-password-12", "next": "/ui/"}
        assert client.post("/ui/login", data=login, follow_redirects=False).status_code == 303
        assert subjects(client.get("/ui/").text) == ["orders.Event"]
        assert client.get("/ui/subjects/billing.Event").status_code == 403
        assert client.get("/ui/admin/").status_code == 403


def test_the_ui_can_be_switched_off(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, ui=False))
    with TestClient(app) as client:
        assert client.get("/ui/").status_code == 404


def test_references_both_ways(client: TestClient) -> None:
    money = {"type": "record", "name": "Money", "namespace": "shop", "fields": [
        {"name": "amount", "type": "string"}]}  # fmt: skip
    assert client.post("/subjects/shop.Money/versions", json={"schema": json.dumps(money)})
    order = {"type": "record", "name": "Order", "namespace": "shop", "fields": [
        {"name": "total", "type": "shop.Money"}]}  # fmt: skip
    body = {
        "schema": json.dumps(order),
        "references": [{"name": "shop.Money", "subject": "shop.Money", "version": 1}],
    }
    assert client.post("/subjects/shop.Order/versions", json=body).status_code == 200
    money_page = client.get("/ui/subjects/shop.Money").text
    assert 'href="/ui/subjects/shop.Order/versions/1"' in money_page
    order_page = client.get("/ui/subjects/shop.Order").text
    assert "<code>shop.Money</code>" in order_page
    assert 'href="/ui/subjects/shop.Money/versions/1"' in order_page
