"""Min-heap job scheduler: jobs wait in a heap ordered by due time, and each
due job is claimed by exactly one of many concurrent workers. The clock is
injected.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from algorithms._checks import callable_, instance, number, text, whole

Clock = Callable[[], float]


@dataclass(frozen=True, order=True)
class Job:
    due_at: float
    sequence: int  # among jobs due at once, the first scheduled runs first
    name: str = field(compare=False)

    def __post_init__(self) -> None:
        number("due_at", self.due_at, accepted="a finite time")
        whole("sequence", self.sequence, 0)
        text("name", self.name)


def _now(clock: Clock) -> float:
    """The clock's reading: a NaN would make every job look not yet due."""
    now = clock()
    number("clock()", now, accepted="a finite time")
    return now


# --8<-- [start:scheduler]
class JobScheduler:
    def __init__(self, clock: Clock = time.time) -> None:
        callable_("clock", clock)
        self._clock = clock
        self._heap: list[Job] = []
        self._sequence = itertools.count()
        # "Is the earliest job due?" and "remove it" must be one step, or two
        # workers can both take the same job. Across machines an atomic claim
        # in the database (an UPDATE only one worker can win) plays this role.
        self._lock = threading.Lock()

    def schedule(self, name: str, due_at: float) -> Job:
        text("name", name)
        # NaN compares false with everything: at the top of the heap it is
        # never due, and it blocks every job behind it.
        number("due_at", due_at, accepted="a finite time")
        job = Job(due_at, next(self._sequence), name)
        with self._lock:
            heapq.heappush(self._heap, job)
        return job

    def claim_due(self) -> Job | None:
        """Remove and return the earliest job if it is due, else None."""
        with self._lock:
            if self._heap and self._heap[0].due_at <= _now(self._clock):
                return heapq.heappop(self._heap)
            return None
# --8<-- [end:scheduler]

    def next_due_at(self) -> float | None:
        with self._lock:
            return self._heap[0].due_at if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)


# --8<-- [start:worker]
def run_worker(scheduler: JobScheduler, run: Callable[[Job], None],
               should_stop: Callable[[], bool], idle_sleep: float = 0.05,
               sleep: Callable[[float], None] = time.sleep) -> None:
    """Claim and run due jobs until told to stop; nap when nothing is due."""
    _check_worker(scheduler, run, should_stop, idle_sleep, sleep)
    while not should_stop():
        job = scheduler.claim_due()
        if job is None:
            sleep(idle_sleep)
        else:
            run(job)
# --8<-- [end:worker]


def _check_worker(scheduler, run, should_stop, idle_sleep, sleep) -> None:
    instance("scheduler", scheduler, JobScheduler)
    callable_("run", run)
    callable_("should_stop", should_stop)
    # A nap of 0 would spin a core while nothing is due.
    number("idle_sleep", idle_sleep, 0, low_open=True)
    callable_("sleep", sleep)
