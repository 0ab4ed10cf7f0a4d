"""The min-heap scheduler runs jobs in due-time order, never early, and each due job is
claimed by exactly one of several concurrent workers."""

import sys
import threading
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from algorithms.job_scheduler import JobScheduler, run_worker


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=50))
def test_jobs_come_out_in_due_time_order_ties_first_come_first_served(due_times):
    scheduler = JobScheduler(clock=FakeClock(now=100))
    for number, due_at in enumerate(due_times):
        scheduler.schedule(f"job-{number}", due_at)
    claimed = []
    while (job := scheduler.claim_due()) is not None:
        claimed.append(job.name)
    expected = sorted(range(len(due_times)), key=lambda number: (due_times[number], number))
    assert claimed == [f"job-{number}" for number in expected]


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=50), st.integers(min_value=0, max_value=20))
def test_nothing_runs_before_it_is_due(due_times, now):
    clock = FakeClock(now)
    scheduler = JobScheduler(clock)
    for number, due_at in enumerate(due_times):
        scheduler.schedule(f"job-{number}", due_at)
    claimed = []
    while (job := scheduler.claim_due()) is not None:
        claimed.append(job)
    assert len(claimed) == sum(1 for due_at in due_times if due_at <= now)
    assert all(job.due_at <= now for job in claimed)
    assert scheduler.next_due_at() == min((d for d in due_times if d > now), default=None)


def test_each_due_job_is_claimed_by_exactly_one_of_eight_concurrent_workers():
    clock = FakeClock(now=1_000)
    scheduler = JobScheduler(clock)
    due = [scheduler.schedule(f"due-{i}", due_at=i % 1_000) for i in range(20_000)]
    later = [scheduler.schedule(f"later-{i}", due_at=2_000 + i) for i in range(1_000)]
    claimed_by: dict[int, list[str]] = {worker: [] for worker in range(8)}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(number: int) -> None:
        start.wait()
        try:
            while (job := scheduler.claim_due()) is not None:
                claimed_by[number].append(job.name)
        except Exception as error:  # a race inside the heap shows up here
            errors.append(error)

    # Switch threads as often as possible, so that an unlocked check-then-pop would race.
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous_interval)

    assert errors == []
    claims = Counter(name for names in claimed_by.values() for name in names)
    assert claims == Counter(job.name for job in due)  # every due job exactly once
    assert len(scheduler) == len(later)  # and nothing that was not due
    assert sum(1 for names in claimed_by.values() if names) > 1  # the work was shared


def test_a_worker_runs_due_jobs_and_waits_when_idle():
    clock = FakeClock()
    scheduler = JobScheduler(clock)
    scheduler.schedule("send report", due_at=5)
    scheduler.schedule("rotate logs", due_at=2)
    ran, sleeps = [], []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += 1  # time passes while the worker sleeps

    run_worker(scheduler, run=lambda job: ran.append((clock.now, job.name)), should_stop=lambda: clock.now > 6, sleep=sleep)
    assert ran == [(2, "rotate logs"), (5, "send report")]
    assert sleeps == [0.05] * 7
