"""Failure rules: what a system's declarations say happens under a crash, checked at build.

Computations on the model (like `capacity` and `load`); the Deep dive section
(`blueprint/deep_dive.py`) shows what they read. Every message names the file, the
path and the step (`locate()`), and says what to declare to fix it.

1. A write reached from an at-least-once delivery names `idempotent_by`.
2. Two writes to different stateful components in a row (reads and deliveries between
   them do not count), not inside one transaction or saga, need `after_crash` on the first.
3. A transaction writes to one database at most; across databases it is a `saga`.
4. A stateful component declares `fails(...)`.
"""

from __future__ import annotations

import re

from blueprint.kinds import DATABASE_KINDS, DELIVERIES, DELIVERY, STATEFUL_KINDS
from blueprint.model import Path, Step, System, locate, text_problems

EFFECTS = ("write", "read", "deliver")  # what a step does to the state it touches
REPAIRS = ("outbox", "saga", "reconciliation", "idempotent retry", "accepted")  # after_crash=(repair, text)

# A bound an accepted inconsistency states: a duration ("for up to 30 s") or a count ("at most 3 times").
_BOUND = re.compile(
    r"\d[\d,.]*\s*(ms|milliseconds?|s|secs?|seconds?|min|minutes?|h|hours?|days?|weeks?)\b"
    r"|\b(at most|up to|no more than|fewer than)\s+\d",
    re.I,
)


def is_stateful(system: System, component_id: str) -> bool:
    return system.components[component_id].kind in STATEFUL_KINDS


def delivery(system: System, component_id: str) -> str | None:
    """How often a queue delivers a message ("at least once"), or None if it is no queue."""
    component = system.components[component_id]
    if component.kind not in DELIVERY:
        return None
    return component.delivery or DELIVERY[component.kind]


def problems(system: System) -> list[str]:
    """Every broken failure rule of one system (whose steps and components are sound)."""
    found = _component_problems(system)
    for path in system.paths.values():
        found.extend(_declaration_problems(system, path))
        found.extend(_transaction_rule(system, path))
        found.extend(_effect_required(system, path))
        found.extend(_idempotency_rule(system, path))
        found.extend(_crash_rule(system, path))
        found.extend(_saga_compensations(system, path))
    return found


# --- What is declared must make sense ------------------------------------------------


def _component_problems(system: System) -> list[str]:
    found = []
    for component in system.components.values():
        where = f"{system.source}, component '{component.id}'"
        if component.delivery is not None:
            if component.kind not in DELIVERY:
                found.append(f"{where}: 'delivery' is for queues, logs and pub-sub; a {component.kind} delivers nothing")
            elif component.delivery not in DELIVERIES:
                found.append(f"{where}: delivery={component.delivery!r} is not one of {', '.join(map(repr, DELIVERIES))}")
        failure = component.failure
        if failure is None:
            if component.kind in STATEFUL_KINDS:  # rule 4
                found.append(
                    f"{where}: a {component.kind} holds state, but its failure behaviour is not declared; add "
                    f'{component.id}.fails(down="…", slow="…", loses_data="…", handling="…", redundant=True or False)'
                )
            continue
        for name in ("down", "slow", "loses_data", "handling"):
            text = getattr(failure, name)
            found.extend(f"{where}: {problem}" for problem in text_problems(f"fails({name}=…)", text))
            if isinstance(text, str) and not text.strip():
                found.append(f"{where}: fails({name}=…) is empty; say what a user sees, or what the design does")
        if not isinstance(failure.redundant, bool):
            found.append(f"{where}: fails(redundant=…) is True or False, not {failure.redundant!r}")
    return found


def _declaration_problems(system: System, path: Path) -> list[str]:
    from blueprint.load import size_in_bytes  # the size syntax lives with its only reader

    file, found = system.source, []
    where_path = locate(file, path.id)
    if path.per is not None and path.rate is not None:
        found.append(f"{where_path}: declare per= or rate=, not both")
    if path.per is not None:
        if path.per not in ("write", "read", "summary"):
            found.append(f'{where_path}: per={path.per!r}: a path runs per "write" or per "read" request, or is a '
                         '"summary" of steps drawn elsewhere; use rate=(…) for a background path')
        elif not system.assumptions:
            found.append(f'{where_path}: per="{path.per}" needs the capacity assumptions: declare system.capacity(...)')
    if path.times != 1 or path.size is not None:
        if path.per not in ("write", "read"):
            found.append(f'{where_path}: times= and size= go with per="write" or per="read"; a rate=(…) says both itself')
        elif isinstance(path.times, bool) or not isinstance(path.times, (int, float)) or not 0 < path.times < 1e6:
            found.append(f"{where_path}: times={path.times!r} is how many runs each request makes, a number above 0")
        elif path.size is not None and size_in_bytes(path.size) is None:
            found.append(f"{where_path}: size={path.size!r} is what one run moves, written like '200 B' or '4 kB'")
    if path.rate is not None:

        rate = path.rate
        shape = isinstance(rate, tuple) and len(rate) == 3
        if not shape or isinstance(rate[0], bool) or not isinstance(rate[0], (int, float)) or not rate[0] > 0 \
                or size_in_bytes(rate[1]) is None or not isinstance(rate[2], str) or not rate[2].strip():
            found.append(
                f'{where_path}: write rate=(peak runs per second, size of one such as "2 kB", "why"), '
                f"e.g. rate=(50, \"100 kB\", \"The crawler fetches 50 pages a second at peak\"); got {rate!r}"
            )
    elif path.per is None and system.assumptions:
        # with capacity assumptions, every path counts towards the hot spots
        found.append(
            f'{where_path}: say what drives the path, for the hot spots: per="write", per="read", '
            'or rate=(peak runs per second, "size of one", "why")'
        )
    for step in path.steps:
        where = locate(file, path.id, step.number)
        if step.effect is not None:
            if step.effect not in EFFECTS:
                found.append(f"{where}: effect={step.effect!r} is not one of {', '.join(map(repr, EFFECTS))}")
            elif step.effect == "deliver" and delivery(system, step.source) is None:
                found.append(f"{where}: effect=\"deliver\" is a message handed over by a queue, log or pub-sub; "
                             f"'{step.source}' is a {system.components[step.source].kind}")
            elif step.effect in ("write", "read") and not any(is_stateful(system, t) for t in step.targets):
                found.append(f"{where}: effect=\"{step.effect}\" needs a target that holds state; "
                             f"{', '.join(repr(t) for t in step.targets)} hold none (leave effect out)")
        if step.share is not None and (isinstance(step.share, bool) or not isinstance(step.share, (int, float))
                                       or not 0 < step.share <= 1):
            found.append(f"{where}: share={step.share!r} is the part of the path's requests that take this step, "
                         "a number above 0 and at most 1 (0.2: one in five)")
        if step.size is not None:
            from blueprint.load import size_in_bytes

            if size_in_bytes(step.size) is None:
                found.append(f"{where}: size={step.size!r} is what one run of this step moves, written like "
                             "'200 B', '4 kB' or '2 MB'")
        rated = path.per not in (None, "summary") or path.rate is not None  # only then does a share change a figure
        if rated and step.when is not None and step.share is None:
            found.append(f"{where}: a conditional step ('{step.when}') declares the share of requests that take it, "
                         "e.g. share=0.2 for one in five")
        if step.idempotent_by is not None:
            found.extend(f"{where}: {problem}" for problem in text_problems("idempotent_by", step.idempotent_by))
            if isinstance(step.idempotent_by, str) and not step.idempotent_by.strip():
                found.append(f"{where}: idempotent_by is empty; name the key that stays the same across redeliveries")
        if step.after_crash is not None:
            found.extend(f"{where}: {problem}" for problem in _after_crash_problems(step.after_crash))
    for title, compensations in path.sagas.items():
        numbers = {step.number for step in path.steps if step.transaction == title}
        for number, text in compensations.items():
            if number not in numbers:
                found.append(f"{where_path}: saga '{title}' compensates step {number!r}, which is not one of its steps {sorted(numbers)}")
            found.extend(f"{where_path}: saga '{title}': {p}" for p in text_problems(f"the compensation of step {number}", text))
            if isinstance(text, str) and not text.strip():
                found.append(f"{where_path}: saga '{title}': the compensation of step {number} is empty")
    return found


def _after_crash_problems(after_crash) -> list[str]:
    if not (isinstance(after_crash, tuple) and len(after_crash) == 2 and all(isinstance(p, str) for p in after_crash)):
        return [f"after_crash is (repair, \"what a crash right after this step leaves and how it is repaired\"), "
                f"the repair one of {', '.join(map(repr, REPAIRS))}; got {after_crash!r}"]
    repair, text = after_crash
    found = text_problems("after_crash's text", text)
    if repair not in REPAIRS:
        found.append(f"after_crash names the repair {repair!r}; it is one of {', '.join(map(repr, REPAIRS))}")
    if not text.strip():
        found.append("after_crash's text is empty; say what a crash leaves and how it is repaired")
    elif repair == "accepted" and not _BOUND.search(text):
        found.append("an accepted inconsistency states its bound: how long it lasts (\"up to 30 s\") "
                     "or how often it happens (\"at most 3 times\")")
    return found


# --- The rules ---------------------------------------------------------------------------


def _effect_required(system: System, path: Path) -> list[str]:
    """A step that touches state says what it does to it."""
    found = []
    for step in path.steps:
        stateful = [t for t in step.targets if is_stateful(system, t)]
        if step.effect is None and (stateful or delivery(system, step.source)):
            touched = stateful[0] if stateful else step.source
            found.append(
                f"{locate(system.source, path.id, step.number)}: '{touched}' holds state "
                f"({system.components[touched].kind}); say what the step does to it: "
                'effect="write", effect="read", or effect="deliver" for a message a queue hands over'
            )
    return found


def written(system: System, step: Step) -> list[str]:
    """The stateful components a step changes, in the order it names them."""
    if step.effect != "write":
        return []
    return [t for t in step.targets if is_stateful(system, t)]


def _idempotency_rule(system: System, path: Path) -> list[str]:
    """Rule 1: whatever runs because of an at-least-once delivery may run twice."""
    found = []
    on_delivery: dict[str, str] = {}  # component -> the queue whose delivery it is acting on
    for step in path.steps:
        queue = on_delivery.get(step.source)
        if delivery(system, step.source) == "at least once":
            queue = step.source
        if written(system, step) and queue is not None and not step.idempotent_by:
            found.append(
                f"{locate(system.source, path.id, step.number)}: this write acts on a message from '{queue}', which "
                "delivers at least once, so it can run twice; name what makes it idempotent: "
                'idempotent_by="a key that stays the same across redeliveries and retries"'
            )
        if queue is not None:  # the delivery travels on to every service this step calls
            for target in step.targets:
                if not is_stateful(system, target):
                    on_delivery.setdefault(target, queue)
    return found


def _crash_rule(system: System, path: Path) -> list[str]:
    """Rule 2: a crash between two writes to different stores leaves one without the other."""
    found, flagged = [], set()
    writes = [(step, target) for step in path.steps for target in written(system, step)]
    for (first, a), (second, b) in zip(writes, writes[1:]):
        together = first.transaction is not None and first.transaction == second.transaction
        if a == b or together or first.after_crash or first.number in flagged:
            continue
        flagged.add(first.number)
        then = f"then step {second.number} writes '{b}'" if second is not first else f"and '{b}'"
        found.append(
            f"{locate(system.source, path.id, first.number)}: this step writes '{a}' {then}, outside one "
            "transaction; say what a crash between them leaves and how it is repaired: "
            f"after_crash=(repair, \"…\") on step {first.number}, the repair one of {', '.join(map(repr, REPAIRS))}"
        )
    return found


def _transaction_rule(system: System, path: Path) -> list[str]:
    """Rule 3: one transaction, one database."""
    found = []
    touched: dict[str, list[str]] = {}
    for step in path.steps:
        if step.transaction is None or step.transaction in path.sagas:
            continue
        for target in step.targets:
            if step.effect == "write" and system.components[target].kind in DATABASE_KINDS:
                touched.setdefault(step.transaction, [])
                if target not in touched[step.transaction]:
                    touched[step.transaction].append(target)
    for title, databases in touched.items():
        if len(databases) > 1:
            found.append(
                f"{locate(system.source, path.id)}: transaction '{title}' writes to {len(databases)} databases "
                f"({', '.join(map(repr, databases))}); a transaction runs in one database. Declare the steps as "
                f'a saga: with {path.id}.saga("{title}", compensations={{step: "how it is undone"}}):'
            )
    return found


def _saga_compensations(system: System, path: Path) -> list[str]:
    """Every write of a saga but its last is undone by a compensation if a later step fails."""
    found = []
    for title, compensations in path.sagas.items():
        writes = [step for step in path.steps if step.transaction == title and written(system, step)]
        for step in writes[:-1]:
            if step.number not in compensations:
                found.append(
                    f"{locate(system.source, path.id, step.number)}: saga '{title}' writes here and a later step can "
                    f'still fail; add {step.number}: "how it is undone" to its compensations'
                )
    return found
