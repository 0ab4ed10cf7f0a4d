"""Checks shared by the tests of individual system pages."""

from __future__ import annotations

CACHE_KINDS = {"cache", "redis", "memcached", "cdn"}


def cache_reads_without_miss_path(system, path, writes: set[int] = frozenset()) -> list[str]:
    """Steps that read a cache with no conditional step that reads what the cache stands in front of.

    A read of cache C by X is covered when another step of the path is conditional on a miss and goes
    from X or from C to a component that is not a cache. `writes` are the numbers of steps
    that write to or delete from a cache rather than read it."""
    kinds = {c.id: c.kind for c in system.components.values()}
    missing = []
    for step in path.steps:
        for target in step.targets:
            if kinds[target] not in CACHE_KINDS or kinds[step.source] in CACHE_KINDS or step.number in writes:
                continue
            covered = any(
                later.when is not None
                and "miss" in later.when.lower()
                and later.source in (step.source, target)
                and any(kinds[t] not in CACHE_KINDS for t in later.targets)
                for later in path.steps if later is not step
            )
            if not covered:
                missing.append(f"step {step.number}: {step.source} -> {target}")
    return missing
