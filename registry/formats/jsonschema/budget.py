"""Work budgets: every search over a JSON Schema stops after a bounded amount of work.

A schema is data from strangers, and some shapes make naive work explode: forty ``$defs``
each an ``anyOf`` of two ``$ref`` to the next one describe 2**40 paths, an instance checked
against them can take as long, and so can generating one. The compatibility engine, the
validators of this format, the example generator and the counterexample search therefore
spend *steps* from a :class:`Budget` and stop with :class:`BudgetExceeded` when it runs out.
Steps are counted, not timed, so an answer never depends on the speed of the machine.

The budget in force is kept in a :class:`~contextvars.ContextVar`, so each thread (and each
asyncio task) has its own; the validator classes of :mod:`drafts` charge one step per keyword
they evaluate, in whatever code runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jsonschema import validators

# One comparison of two schemas: the engine, then the counterexample search.
CHECK_STEPS = 400_000
# Validating one instance when no other budget is in force.
VALIDATION_STEPS = 300_000
# Generating examples (the generator's steps and the validation of what it made).
EXAMPLE_STEPS = 100_000


class BudgetExceeded(Exception):
    """The work budget ran out; the caller answers "too large or complex to decide"."""


class Budget:
    """A number of steps that may still be spent."""

    __slots__ = ("remaining", "steps")

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.remaining = steps

    def tick(self, cost: int = 1) -> None:
        """Spend ``cost`` steps; raise :class:`BudgetExceeded` when none are left."""
        self.remaining -= cost
        if self.remaining < 0:
            raise BudgetExceeded(f"more than {self.steps} steps")

    @property
    def spent(self) -> int:
        """Steps spent so far."""
        return self.steps - self.remaining


_CURRENT: ContextVar[Budget | None] = ContextVar("esr_jsonschema_budget", default=None)


def current() -> Budget | None:
    """The budget in force in this context, if any."""
    return _CURRENT.get()


@contextmanager
def spending(steps: int, *, reuse: bool = False) -> Iterator[Budget]:
    """Run the block under a fresh budget of ``steps``.

    With ``reuse``, a budget already in force is kept instead (so many small calls made inside
    one bounded search cannot each start afresh).
    """
    active = _CURRENT.get()
    if reuse and active is not None:
        yield active
        return
    budget = Budget(steps)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def tick(cost: int = 1) -> None:
    """Charge the budget in force (nothing when there is none)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.tick(cost)


def bounded_validator_class(
    cls: Any, *, type_checker: Any = None, format_checker: Any = None
) -> Any:
    """``cls`` (a jsonschema validator class) charging the budget for every keyword it runs.

    ``$ref`` costs more (a lookup and a new scope), and ``enum`` in proportion to its values,
    so a schema with a huge ``enum`` cannot make validation quadratic unnoticed. A
    ``type_checker`` or ``format_checker`` given replaces the class's own.
    """
    wrapped = {name: _charged(name, fn) for name, fn in cls.VALIDATORS.items()}
    bounded = validators.extend(
        cls, validators=wrapped, type_checker=type_checker, format_checker=format_checker
    )
    bounded.__name__ = f"Bounded{cls.__name__}"
    bounded.__qualname__ = bounded.__name__
    return bounded


# Keywords that cost more than one step: a reference lookup and a new validator scope.
_COSTS = {"$ref": 10, "$dynamicRef": 10, "$recursiveRef": 10}


def _charged(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    get = _CURRENT.get
    cost = _COSTS.get(name, 1)

    if name == "enum":

        def keyword(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
            budget = get()
            if budget is not None:
                budget.tick(1 + (len(value) // 8 if isinstance(value, list) else 0))
            return fn(validator, value, instance, schema)

    else:

        def keyword(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
            budget = get()
            if budget is not None:
                budget.tick(cost)
            return fn(validator, value, instance, schema)

    keyword.__name__ = getattr(fn, "__name__", name)
    return keyword
