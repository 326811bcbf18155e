"""What consumers read, and how compatibility findings are weighed by it.

:mod:`~registry.reads.pointers` defines read pointers (JSON pointers into an event, ``*`` for
any array item), :mod:`~registry.reads.touched` maps a finding's schema paths to the event
pointers it touches, and :mod:`~registry.reads.advice` judges a change by what the consumers
deployed in an environment read. Pure: no web, database or terminal library.
"""

from registry.reads.advice import (
    AdvisedFinding,
    ConsumerAdvice,
    ConsumerBreak,
    ConsumerView,
    DeployedConsumer,
    LevelAdvice,
    ReaderFinding,
    advise,
    judge_reader,
)
from registry.reads.pointers import check_reads, parse_pointer, reads_any
from registry.reads.touched import touched_pointers

__all__ = [
    "AdvisedFinding",
    "ConsumerAdvice",
    "ConsumerBreak",
    "ConsumerView",
    "DeployedConsumer",
    "LevelAdvice",
    "ReaderFinding",
    "advise",
    "check_reads",
    "judge_reader",
    "parse_pointer",
    "reads_any",
    "touched_pointers",
]
