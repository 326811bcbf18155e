"""The Services page's SVG of producers, subjects and consumers (registry/api/ui/graph.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from registry.api.ui.graph import ELLIPSIS, TITLE, Edge, services_svg

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def column(root: ET.Element, name: str) -> ET.Element:
    (found,) = [g for g in root.iter(f"{NS}g") if classes(g) == {"column", name}]
    return found


def nodes(root: ET.Element, name: str) -> list[ET.Element]:
    """The node groups of a column, in drawing order."""
    return [g for g in column(root, name).iter(f"{NS}g") if "node" in classes(g)]


def full_name(node: ET.Element) -> str:
    """The node's <title>, its first line being the full name."""
    title = node.find(f"{NS}title")
    assert title is not None and title.text is not None
    return title.text


def label(node: ET.Element, kind: str = "name") -> str:
    (text,) = [t for t in node.iter(f"{NS}text") if classes(t) == {kind}]
    return "".join(text.itertext())


def edges(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{NS}path") if "edge" in classes(p)]


SAMPLE = [
    Edge("orders", "produces", "order-placed"),
    Edge("orders", "produces", "order-cancelled"),
    Edge("billing", "consumes", "order-placed"),
    Edge("billing", "produces", "invoice-issued"),
    Edge("mailer", "consumes", "invoice-issued"),
    Edge("mailer", "consumes", "order-cancelled"),
    Edge("audit", "consumes", "order-placed"),
]


def test_three_columns_sorted_with_an_arrow_per_edge() -> None:
    root = parse(services_svg(SAMPLE))

    assert [full_name(n) for n in nodes(root, "producers")] == ["billing", "orders"]
    assert [full_name(n) for n in nodes(root, "subjects")] == [
        "invoice-issued",
        "order-cancelled",
        "order-placed",
    ]
    assert [full_name(n) for n in nodes(root, "consumers")] == ["audit", "billing", "mailer"]
    assert all(classes(n) == {"node", "service"} for n in nodes(root, "producers"))
    assert all(classes(n) == {"node", "subject"} for n in nodes(root, "subjects"))
    assert all(n.find(f"{NS}rect") is not None for n in root.iter(f"{NS}g") if "node" in classes(n))

    arrows = edges(root)
    assert len(arrows) == 7
    assert sum("produces" in classes(p) for p in arrows) == 3
    assert sum("consumes" in classes(p) for p in arrows) == 4
    marker = root.find(f"{NS}defs/{NS}marker")
    assert marker is not None
    assert all(p.get("marker-end") == f"url(#{marker.get('id')})" for p in arrows)
    assert {"".join(p.itertext()) for p in arrows} == {
        f"{e.service} {e.role} {e.subject}" for e in SAMPLE
    }


def test_arrows_run_producer_to_subject_to_consumer() -> None:
    root = parse(services_svg([Edge("a", "produces", "s"), Edge("b", "consumes", "s")]))
    (rect_a,) = [n.find(f"{NS}rect") for n in nodes(root, "producers")]
    (rect_s,) = [n.find(f"{NS}rect") for n in nodes(root, "subjects")]
    (rect_b,) = [n.find(f"{NS}rect") for n in nodes(root, "consumers")]
    assert rect_a is not None and rect_s is not None and rect_b is not None

    def x(rect: ET.Element, side: str) -> float:
        left = float(rect.get("x", "nan"))
        return left if side == "left" else left + float(rect.get("width", "nan"))

    def ends(path: ET.Element) -> tuple[float, float]:
        d = path.get("d", "").replace("M", "").replace("C", "").split()
        return float(d[0].split(",")[0]), float(d[-1].split(",")[0])

    produces, consumes = edges(root)
    assert ends(produces) == (x(rect_a, "right"), x(rect_s, "left"))
    assert ends(consumes) == (x(rect_s, "right"), x(rect_b, "left"))


def test_a_service_that_produces_and_consumes_is_in_both_columns() -> None:
    root = parse(services_svg(SAMPLE))
    producers = [full_name(n) for n in nodes(root, "producers")]
    consumers = [full_name(n) for n in nodes(root, "consumers")]
    assert "billing" in producers and "billing" in consumers
    assert "orders" not in consumers and "audit" not in producers


def test_size_grows_with_the_rows() -> None:
    small = parse(services_svg([Edge("a", "produces", "s")]))
    many = [Edge("a", "produces", f"s{i:02}") for i in range(10)]
    big = parse(services_svg(many))
    assert float(big.get("height", "0")) > float(small.get("height", "0"))
    assert big.get("viewBox") == f"0 0 {big.get('width')} {big.get('height')}"
    assert len(nodes(big, "subjects")) == 10
    assert nodes(big, "consumers") == []


def test_duplicate_edges_are_drawn_once() -> None:
    root = parse(services_svg([Edge("a", "produces", "s")] * 3))
    assert len(edges(root)) == 1
    assert len(nodes(root, "subjects")) == 1


def test_deployed_versions_under_the_service_name() -> None:
    deployed = {
        "orders": [("prod", "1a2b3c"), ("staging", "9f8e")],
        "billing": [],
        "ghost": [("prod", "0000")],  # no edge: not drawn
    }
    svg = services_svg(SAMPLE, deployed)
    root = parse(svg)
    (orders,) = [n for n in nodes(root, "producers") if full_name(n).startswith("orders")]
    assert label(orders) == "orders"
    assert label(orders, "meta") == "prod: 1a2b3c \u00b7 staging: 9f8e"
    assert full_name(orders) == "orders\nprod: 1a2b3c \u00b7 staging: 9f8e"
    (billing,) = [n for n in nodes(root, "producers") if full_name(n) == "billing"]
    assert [t for t in billing.iter(f"{NS}text") if "meta" in classes(t)] == []
    assert "ghost" not in svg
    assert not any(
        "meta" in classes(t) for n in nodes(root, "subjects") for t in n.iter(f"{NS}text")
    )


def test_long_names_and_deployments_are_shortened_in_the_label_only() -> None:
    service = "a-service-with-a-rather-long-name-indeed"
    subject = "com.example.events.OrderPlacedWithAVeryLongName-value"
    versions = [("production", "0123456789abcdef0123"), ("staging", "fedcba9876543210")]
    meta = "production: 0123456789abcdef0123 \u00b7 staging: fedcba9876543210"
    root = parse(services_svg([Edge(service, "produces", subject)], {service: versions}))
    (node,) = nodes(root, "producers")
    (subject_node,) = nodes(root, "subjects")

    for text, kind, full in (
        (label(node), "name", service),
        (label(node, "meta"), "meta", meta),
        (label(subject_node), "name", subject),
    ):
        assert text.endswith(ELLIPSIS), kind
        assert full.startswith(text[:-1]), kind
        assert len(text) < len(full), kind
    assert full_name(node) == f"{service}\n{meta}"
    assert full_name(subject_node) == subject


def test_link_wraps_subject_nodes_with_an_escaped_href() -> None:
    svg = services_svg(SAMPLE, link=lambda s: f'/ui/subjects/{s}?a=1&b="2"&c=<x>')
    root = parse(svg)
    anchors = list(column(root, "subjects").iter(f"{NS}a"))
    assert len(anchors) == 3
    for anchor in anchors:
        (node,) = list(anchor)
        assert classes(node) == {"node", "subject"}
        assert anchor.get("href") == f'/ui/subjects/{full_name(node)}?a=1&b="2"&c=<x>'
    assert "&amp;b=&quot;2&quot;&amp;c=&lt;x&gt;" in svg
    assert list(column(root, "producers").iter(f"{NS}a")) == []


def test_without_link_there_are_no_anchors() -> None:
    assert list(parse(services_svg(SAMPLE)).iter(f"{NS}a")) == []


HOSTILE = ["<script>alert(1)</script>", 'a"b&c', "x'y<z>", "]]>&amp;"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_escaped(name: str) -> None:
    svg = services_svg(
        [Edge(name, "produces", name), Edge(name, "consumes", name)],
        {name: [(name, name)]},
        link=lambda s: f"/s/{s}",
    )
    assert "<script>" not in svg
    root = parse(svg)
    for col in ("producers", "subjects", "consumers"):
        (node,) = nodes(root, col)
        assert full_name(node).split("\n")[0] == name
    (producer,) = nodes(root, "producers")
    assert label(producer) == name
    assert full_name(producer) == f"{name}\n{name}: {name}"
    (anchor,) = root.iter(f"{NS}a")
    assert anchor.get("href") == f"/s/{name}"
    assert {"".join(p.itertext()) for p in edges(root)} == {
        f"{name} produces {name}",
        f"{name} consumes {name}",
    }


def test_characters_xml_cannot_carry_are_replaced() -> None:
    root = parse(services_svg([Edge("bad\x00\x1bname", "produces", "s\ud800")]))
    (node,) = nodes(root, "producers")
    assert full_name(node) == "bad\ufffd\ufffdname"
    (subject,) = nodes(root, "subjects")
    assert full_name(subject) == "s\ufffd"


def test_accessible_root_with_title_and_counts() -> None:
    root = parse(services_svg(SAMPLE))
    assert root.get("role") == "img"
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert title.text == TITLE
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text == (
        "2 producing services, 3 subjects, 3 consuming services; "
        "3 produces arrows, 4 consumes arrows."
    )


def test_colours_come_from_current_color_and_classes_only() -> None:
    root = parse(services_svg(SAMPLE, {"orders": [("prod", "1")]}, link=lambda s: s))
    for element in root.iter():
        assert element.get("fill") is None and element.get("stroke") is None
        assert element.get("style") is None
    style = root.find(f"{NS}style")
    assert style is not None and style.text is not None
    assert "currentColor" in style.text
    assert "#" not in style.text and "rgb" not in style.text


def test_empty_input_says_there_is_nothing_to_draw() -> None:
    svg = services_svg([])
    root = parse(svg)
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text is not None
    assert "Nothing to draw" in desc.text
    assert edges(root) == [] and root.find(f".//{NS}rect") is None
    assert services_svg([], {"a": [("prod", "1")]}, link=lambda s: s) == svg


def test_output_is_deterministic() -> None:
    deployed = {"orders": [("prod", "1a2b3c"), ("staging", "9f8e")]}
    first = services_svg(SAMPLE, deployed, link=lambda s: f"/s/{s}")
    assert services_svg(list(SAMPLE), dict(deployed), link=lambda s: f"/s/{s}") == first
    assert services_svg(list(reversed(SAMPLE)), deployed, link=lambda s: f"/s/{s}") == first
    assert services_svg(SAMPLE + SAMPLE[:2], deployed, link=lambda s: f"/s/{s}") == first


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        Edge("a", "publishes", "s")
