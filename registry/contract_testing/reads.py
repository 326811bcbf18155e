"""What a consumer reads: JSON pointers recorded by tracking proxies handed to its handler.

A handler is given the event with the payload replaced by :class:`TrackedDict` /
:class:`TrackedList` proxies (``dict`` and ``list`` subclasses, so ``isinstance`` checks and
ordinary code keep working). Each lookup, ``get``, ``in``, ``len`` and iteration is recorded as a
JSON pointer (RFC 6901) relative to the payload, the schema's root, with ``*`` for any array
item: ``/lines/*/sku``.

The meaning of a read set: each pointer is read *whole*, its ancestors are implied. A container
the handler reached but never looked inside (passed to native code, a library, ``bool()``) counts
as read whole, and so does anything the handler copies (``dict(x)``, ``{**x}``, ``copy``),
serializes (``json.dumps``, ``repr``), validates with pydantic (``model_validate``,
``TypeAdapter.validate_python``: native code that reads past the proxy), compares or iterates
as a mapping. Unknown means "reads
everything", never "reads nothing": if the payload never reached the handler as a proxy (it
decoded Avro, or loaded the JSON with a ``loads`` we did not patch), the read set is ``{""}``,
the whole event.

Payloads delivered as strings or bytes (SQS ``body``, SNS ``Message``, Kinesis ``data``, Service
Bus and Event Hubs bodies, API Gateway ``body``) are tracked through the handler's
``json.loads``: while the handler runs, ``json.loads`` of exactly the delivered payload text
returns a proxy rooted at the payload; any other text loads as usual (an SQS body holding an
EventBridge event loads with its ``detail`` tracked).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, SupportsIndex

from registry.contract_testing.model import Transport
from registry.contract_testing.payloads import to_json
from registry.contract_testing.pointers import ReadSet
from registry.reads.pointers import ITEM, ROOT, escape, within


class Recorder:
    """The pointers a handler touched, and the subtrees it read whole."""

    def __init__(self) -> None:
        self.touched: set[str] = set()
        self.whole: set[str] = set()
        self.containers: set[str] = set()  # pointers whose value is an object or an array
        self.reached = False  # did the payload reach the handler as a proxy at all?

    def touch(self, pointer: str) -> None:
        self.touched.add(pointer)

    def read_whole(self, pointer: str) -> None:
        self.whole.add(pointer)

    def reads(self) -> ReadSet:
        """The read set: pointers read whole (containers never looked inside are whole)."""
        if not self.reached:
            return ReadSet.everything()
        seen = self.touched | self.whole
        looked_into = {p for p in self.touched if any(q != p and within(q, p) for q in seen)}
        unopened = {p for p in self.touched - looked_into if p in self.containers}
        return ReadSet.of(self.touched | self.whole, self.whole | unopened)


def track(value: Any, pointer: str, recorder: Recorder) -> Any:
    """``value`` as a proxy recording reads at ``pointer`` (scalars are returned as they are)."""
    if isinstance(value, TrackedDict | TrackedList):
        return value
    if isinstance(value, dict):
        return TrackedDict(value, pointer, recorder)
    if isinstance(value, list):
        return TrackedList(value, pointer, recorder)
    return value


def _plain(value: Any) -> Any:
    """A deep copy of ``value`` without proxies (recording nothing)."""
    if isinstance(value, dict):
        return {k: _plain(dict.__getitem__(value, k)) for k in dict.keys(value)}
    if isinstance(value, list):
        return [_plain(list.__getitem__(value, i)) for i in range(list.__len__(value))]
    return value


class TrackedDict(dict[Any, Any]):
    """A JSON object that records what is read of it; children are tracked eagerly.

    The children are stored as proxies so that code reading the storage directly (C
    extensions) still meets proxies below.
    """

    __slots__ = ("_pointer", "_recorder")

    def __init__(self, value: dict[Any, Any], pointer: str, recorder: Recorder) -> None:
        self._pointer = pointer
        self._recorder = recorder
        recorder.containers.add(pointer)
        super().__init__(
            (k, track(v, f"{pointer}/{escape(str(k))}", recorder)) for k, v in value.items()
        )

    def _child(self, key: Any) -> str:
        pointer = f"{self._pointer}/{escape(str(key))}"
        self._recorder.touch(pointer)
        return pointer

    def _everything(self) -> None:
        self._recorder.read_whole(self._pointer)

    def __getitem__(self, key: Any) -> Any:
        __tracebackhide__ = True  # a KeyError is the handler's, shown from its own line
        self._child(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._child(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._child(key)
        return super().__contains__(key)

    def pop(self, key: Any, *default: Any) -> Any:
        self._child(key)
        return super().pop(key, *default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._child(key)
        return super().setdefault(key, default)

    def popitem(self) -> tuple[Any, Any]:
        self._everything()
        return super().popitem()

    def __len__(self) -> int:
        self._recorder.touch(self._pointer)
        return super().__len__()

    def __iter__(self) -> Iterator[Any]:
        self._everything()
        return super().__iter__()

    def keys(self) -> Any:
        self._everything()
        return super().keys()

    def values(self) -> Any:
        self._everything()
        return super().values()

    def items(self) -> Any:
        self._everything()
        return super().items()

    def __eq__(self, other: object) -> bool:
        self._everything()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        self._everything()
        return repr(_plain(self))

    def copy(self) -> dict[Any, Any]:
        self._everything()
        return _plain(self)  # type: ignore[no-any-return]

    def __copy__(self) -> dict[Any, Any]:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return self.copy()

    def __reduce_ex__(self, protocol: Any) -> Any:
        self._everything()
        return (dict, (_plain(self),))

    def __or__(self, other: Any) -> Any:
        return self.copy() | other

    def __ror__(self, other: Any) -> Any:
        return other | self.copy()


class TrackedList(list[Any]):
    """A JSON array that records what is read of it: any item is ``<pointer>/*``."""

    __slots__ = ("_pointer", "_recorder")

    def __init__(self, value: list[Any], pointer: str, recorder: Recorder) -> None:
        self._pointer = pointer
        self._recorder = recorder
        recorder.containers.add(pointer)
        super().__init__(track(v, f"{pointer}/{ITEM}", recorder) for v in value)

    def _items(self) -> None:
        self._recorder.touch(f"{self._pointer}/{ITEM}")

    def _everything(self) -> None:
        self._recorder.read_whole(self._pointer)

    def __getitem__(self, index: Any) -> Any:
        __tracebackhide__ = True
        self._items()
        found = super().__getitem__(index)
        return list(found) if isinstance(index, slice) else found

    def __iter__(self) -> Iterator[Any]:
        self._items()
        return super().__iter__()

    def __reversed__(self) -> Iterator[Any]:
        self._items()
        return super().__reversed__()

    def __len__(self) -> int:
        self._recorder.touch(self._pointer)
        return super().__len__()

    def __contains__(self, item: object) -> bool:
        self._everything()
        return super().__contains__(item)

    def pop(self, index: SupportsIndex = -1) -> Any:
        self._items()
        return super().pop(index)

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._everything()
        super().sort(*args, **kwargs)

    def index(self, *args: Any) -> int:
        self._everything()
        return super().index(*args)

    def count(self, value: Any) -> int:
        self._everything()
        return super().count(value)

    def __eq__(self, other: object) -> bool:
        self._everything()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        self._everything()
        return repr(_plain(self))

    def copy(self) -> list[Any]:
        self._everything()
        return _plain(self)  # type: ignore[no-any-return]

    def __copy__(self) -> list[Any]:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return self.copy()

    def __reduce_ex__(self, protocol: Any) -> Any:
        self._everything()
        return (list, (_plain(self),))

    def __add__(self, other: Any) -> Any:
        return self.copy() + other


def _mark_all(value: Any) -> None:
    """Record every proxy in ``value`` (an argument of ``json.dumps``, say) as read whole."""
    if isinstance(value, TrackedDict | TrackedList):
        value._everything()
    elif isinstance(value, dict):
        for item in dict.values(value):
            _mark_all(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _mark_all(item)


def _text(value: Any) -> str | None:
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    return value if isinstance(value, str) else None


@contextlib.contextmanager
def tracking(payload: Any, texts: Iterable[str]) -> Iterator[tuple[Recorder, Callable[..., Any]]]:
    """Record what is read of ``payload`` while the block runs.

    Yields the recorder and a function making the payload's proxy (calling it counts the
    payload as reached). ``texts`` are the serialized forms the envelope carries (the payload's
    JSON, an EventBridge event's JSON): ``json.loads`` of one of them returns a tracked object.
    ``json.dumps`` and ``json.dump`` of a proxy read it whole.
    """
    recorder = Recorder()
    known = set(texts)
    loads, dumps, dump = json.loads, json.dumps, json.dump

    def root(value: Any = payload) -> Any:
        recorder.reached = True
        recorder.touch(ROOT)  # reached but never looked inside: read whole
        return track(value, ROOT, recorder)

    def tracked_loads(s: Any, *args: Any, **kwargs: Any) -> Any:
        # What loads returned is tracked, so parse_float=Decimal and the like keep working.
        loaded = loads(s, *args, **kwargs)
        if _text(s) not in known:
            return loaded
        if loaded == payload:
            return root(loaded)
        if isinstance(loaded, dict) and loaded.get("detail") == payload:
            loaded["detail"] = root(loaded["detail"])
        return loaded

    def tracked_dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
        _mark_all(obj)
        return dumps(_plain(obj), *args, **kwargs)

    def tracked_dump(obj: Any, *args: Any, **kwargs: Any) -> None:
        _mark_all(obj)
        dump(_plain(obj), *args, **kwargs)

    json.loads, json.dumps, json.dump = tracked_loads, tracked_dumps, tracked_dump
    try:
        with _opaque_validators():
            yield recorder, root
    finally:
        json.loads, json.dumps, json.dump = loads, dumps, dump


# Validators in native code that read a dict's storage directly, past the proxy's methods:
# (module, class, method) of those patched while a handler runs, if the handler's code loaded them.
_OPAQUE = (
    ("pydantic", "BaseModel", "model_validate"),
    ("pydantic", "TypeAdapter", "validate_python"),
)


@contextlib.contextmanager
def _opaque_validators() -> Iterator[None]:
    """While the block runs, what the validators of :data:`_OPAQUE` are given is read whole."""
    restore: list[tuple[type, str, Any]] = []
    for module_name, class_name, method in _OPAQUE:
        owner = getattr(sys.modules.get(module_name), class_name, None)
        original = owner.__dict__.get(method) if isinstance(owner, type) else None
        if owner is None or original is None:
            continue
        restore.append((owner, method, original))
        setattr(owner, method, _reading_whole(original))
    try:
        yield
    finally:
        for owner, method, original in reversed(restore):
            setattr(owner, method, original)


def _reading_whole(original: Any) -> Any:
    """``original`` (a method or classmethod) marking its first argument read whole."""
    function = original.__func__ if isinstance(original, classmethod) else original

    @functools.wraps(function)
    def call(self: Any, obj: Any, *args: Any, **kwargs: Any) -> Any:
        _mark_all(obj)
        return function(self, obj, *args, **kwargs)

    return classmethod(call) if isinstance(original, classmethod) else call


def _texts(event: Any, payload: Any) -> Iterator[str]:
    """Strings of the envelope holding an EventBridge event of ``payload`` (SQS fed by a rule)."""
    if isinstance(event, dict):
        for value in event.values():
            yield from _texts(value, payload)
    elif isinstance(event, list):
        for value in event:
            yield from _texts(value, payload)
    elif isinstance(event, str) and event.startswith("{") and '"detail"' in event:
        with contextlib.suppress(ValueError):
            loaded = json.loads(event)
            if isinstance(loaded, dict) and loaded.get("detail") == payload:
                yield event


@contextlib.contextmanager
def observe(payload: Any, event: Any, transport: Transport) -> Iterator[tuple[Recorder, Any]]:
    """The envelope ``event`` to hand a handler, and the recorder of what it reads of ``payload``.

    EventBridge's ``detail`` and a Step Functions input are objects in the event and are
    replaced by the proxy; every other transport carries the payload as text or bytes, which
    the handler's ``json.loads`` turns into the proxy.
    """
    with tracking(payload, {to_json(payload), *_texts(event, payload)}) as (recorder, root):
        if transport is Transport.EVENTBRIDGE and isinstance(event, dict) and "detail" in event:
            event = {**event, "detail": root()}
        elif transport is Transport.STEPFUNCTIONS:
            event = root()
        yield recorder, event
