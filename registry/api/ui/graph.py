"""An inline SVG of who produces and consumes what, drawn server-side for the Services page.

Three columns: services that produce a subject on the left, the subjects in the middle, services
that consume one on the right, with arrows producer -> subject -> consumer. A service that both
produces and consumes is drawn in both outer columns. Pure and deterministic: no JavaScript, no
library, the same input gives the same string. Every caller-provided string is escaped (and
characters XML 1.0 cannot carry are replaced), so the result is well-formed XML whatever the
names. Colours come only from ``currentColor`` and classes (``svg.services-graph``, ``.node``,
``.service``, ``.subject``, ``.edge``) so the page's CSS can theme it for light and dark.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

ROLES = ("produces", "consumes")
TITLE = "Producers, subjects and consumers"
ELLIPSIS = "\u2026"

_ID = "services-graph"
_MARGIN = 16
_TOP = 40  # room for the column headings
_NODE_W = 200
_COL_GAP = 120
_ROW_GAP = 14
_NODE_H = 30  # a name only
_NODE_H_META = 44  # a name and a line of deployments
_NAME_CHARS = 26  # about what fits in _NODE_W at 12px
_META_CHARS = 32  # about what fits in _NODE_W at 10px
_COLUMN_X = tuple(_MARGIN + i * (_NODE_W + _COL_GAP) for i in range(3))
_WIDTH = 2 * _MARGIN + 3 * _NODE_W + 2 * _COL_GAP
_STYLE = (
    "svg.services-graph{font-family:sans-serif}"
    "svg.services-graph .heading{fill:currentColor;font-size:12px;font-weight:bold}"
    "svg.services-graph .node rect{fill:currentColor;fill-opacity:.06;stroke:currentColor}"
    "svg.services-graph .node text{fill:currentColor;font-size:12px}"
    "svg.services-graph .node text.meta{font-size:10px;opacity:.75}"
    "svg.services-graph .edge{fill:none;stroke:currentColor;stroke-opacity:.55}"
    "svg.services-graph .arrow{fill:currentColor;fill-opacity:.7}"
    "svg.services-graph a .node rect{stroke-width:1.5}"
    "svg.services-graph .empty{fill:currentColor;font-size:12px}"
)
# Characters XML 1.0 cannot carry even as references (controls, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Edge:
    """One fact to draw: ``service`` produces or consumes ``subject``."""

    service: str
    role: str  # "produces" | "consumes"
    subject: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be 'produces' or 'consumes', not {self.role!r}")


def services_svg(
    edges: Sequence[Edge],
    deployed: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    *,
    link: Callable[[str], str] | None = None,
) -> str:
    """The SVG element (no XML declaration) drawing ``edges``.

    ``deployed`` maps a service to its (environment, version) pairs, shown in their given order
    as a second line under the service's name; services it names that no edge has are ignored.
    ``link`` maps a subject to a URL its node links to. Duplicate edges are drawn once.
    """
    unique = sorted(set(edges), key=_edge_key)
    if not unique:
        return _empty_svg()
    producers = _sorted_names(e.service for e in unique if e.role == "produces")
    consumers = _sorted_names(e.service for e in unique if e.role == "consumes")
    subjects = _sorted_names(e.subject for e in unique)
    meta: dict[str, str] = {}
    for name in (*producers, *consumers):
        line = " \u00b7 ".join(
            f"{env}: {version}" for env, version in (deployed or {}).get(name, ())
        )
        if line:
            meta[name] = line

    node_h = _NODE_H_META if meta else _NODE_H
    pitch = node_h + _ROW_GAP
    rows = max(len(producers), len(subjects), len(consumers))
    height = _TOP + rows * pitch - _ROW_GAP + _MARGIN

    def tops(names: Sequence[str]) -> dict[str, float]:
        offset = (rows - len(names)) * pitch / 2  # a shorter column is centred
        return {name: _TOP + offset + i * pitch for i, name in enumerate(names)}

    producer_y, subject_y, consumer_y = tops(producers), tops(subjects), tops(consumers)
    half = node_h / 2
    produces = sum(1 for e in unique if e.role == "produces")
    consumes = len(unique) - produces
    desc = (
        f"{_plural(len(producers), 'producing service')}, {_plural(len(subjects), 'subject')}, "
        f"{_plural(len(consumers), 'consuming service')}; "
        f"{_plural(produces, 'produces arrow')}, {_plural(consumes, 'consumes arrow')}."
    )

    out = [*_open(_WIDTH, height, desc)]
    for x, heading in zip(_COLUMN_X, ("Producers", "Subjects", "Consumers"), strict=True):
        out.append(f'<text class="heading" x="{_n(x)}" y="{_n(_TOP - 14)}">{heading}</text>')

    out.append('<g class="edges">')
    for edge in unique:
        if edge.role == "produces":
            start = (_COLUMN_X[0] + _NODE_W, producer_y[edge.service] + half)
            end = (_COLUMN_X[1], subject_y[edge.subject] + half)
        else:
            start = (_COLUMN_X[1] + _NODE_W, subject_y[edge.subject] + half)
            end = (_COLUMN_X[2], consumer_y[edge.service] + half)
        mid = (start[0] + end[0]) / 2
        path = (
            f"M{_n(start[0])},{_n(start[1])} C{_n(mid)},{_n(start[1])} "
            f"{_n(mid)},{_n(end[1])} {_n(end[0])},{_n(end[1])}"
        )
        out.append(
            f'<path class="edge {edge.role}" d="{path}" marker-end="url(#{_ID}-arrow)">'
            f"<title>{_text(f'{edge.service} {edge.role} {edge.subject}')}</title></path>"
        )
    out.append("</g>")

    for column, names, ys in (
        ("producers", producers, producer_y),
        ("consumers", consumers, consumer_y),
    ):
        x = _COLUMN_X[0] if column == "producers" else _COLUMN_X[2]
        out.append(f'<g class="column {column}">')
        out.extend(_node("service", name, x, ys[name], node_h, meta.get(name)) for name in names)
        out.append("</g>")

    out.append('<g class="column subjects">')
    for name in subjects:
        node = _node("subject", name, _COLUMN_X[1], subject_y[name], node_h, None)
        if link is not None:
            node = f'<a href="{_attr(link(name))}">{node}</a>'
        out.append(node)
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _node(kind: str, name: str, x: float, y: float, height: float, meta: str | None) -> str:
    """A rounded rectangle with the (maybe shortened) name, the full text in its <title>."""
    tip = name if meta is None else f"{name}\n{meta}"
    parts = [
        f'<g class="node {kind}">',
        f"<title>{_text(tip)}</title>",
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_NODE_W}" height="{_n(height)}" rx="6" ry="6"/>',
    ]
    name_y = y + height / 2 + 4 if meta is None else y + 18  # alone, a 12px line is centred
    parts.append(
        f'<text class="name" x="{_n(x + 8)}" y="{_n(name_y)}">'
        f"{_text(_truncate(name, _NAME_CHARS))}</text>"
    )
    if meta is not None:
        parts.append(
            f'<text class="meta" x="{_n(x + 8)}" y="{_n(y + 34)}">'
            f"{_text(_truncate(meta, _META_CHARS))}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def _open(width: float, height: float, desc: str) -> list[str]:
    """The root element's opening, its title, description, style and arrowhead."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="services-graph" role="img" '
        f'aria-labelledby="{_ID}-title" aria-describedby="{_ID}-desc" '
        f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}">',
        f'<title id="{_ID}-title">{TITLE}</title>',
        f'<desc id="{_ID}-desc">{_text(desc)}</desc>',
        f"<style>{_STYLE}</style>",
        f'<defs><marker id="{_ID}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path class="arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>',
    ]


def _empty_svg() -> str:
    width, height = 320, 48
    return "\n".join(
        [
            *_open(width, height, "Nothing to draw: no service produces or consumes a subject."),
            f'<text class="empty" x="{_MARGIN}" y="{height // 2 + 4}">Nothing to draw yet.</text>',
            "</svg>",
        ]
    )


def _edge_key(edge: Edge) -> tuple[int, tuple[str, str], tuple[str, str]]:
    return ROLES.index(edge.role), _name_key(edge.service), _name_key(edge.subject)


def _name_key(name: str) -> tuple[str, str]:
    """Case-insensitive order, ties broken by the exact name, so it is total."""
    return name.casefold(), name


def _sorted_names(names: Iterable[str]) -> list[str]:
    return sorted(set(names), key=_name_key)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _text(text: str) -> str:
    """``text`` made safe as XML character data."""
    return escape(_NOT_XML.sub("\ufffd", text), quote=False)


def _attr(text: str) -> str:
    """``text`` made safe inside a double-quoted XML attribute."""
    return escape(_NOT_XML.sub("\ufffd", text), quote=True)


def _n(value: float) -> str:
    """A coordinate to a tenth, without trailing zeros (never in exponent notation)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
