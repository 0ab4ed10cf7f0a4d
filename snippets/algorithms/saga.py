"""A saga as a small model: the marketplace purchase as four local transactions, each with a
compensation, run by an orchestrator over a network that loses requests, loses replies and
delivers messages twice. Failures are injected by a service's `reject` flag and by the
network's schedule of fates; nothing is random and nothing runs in parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from algorithms._checks import callable_, distinct, instance, listed, one_of, text, whole

PRICE = 50
FATES = ("ok", "lost", "no_reply", "duplicate")


class Rejected(Exception):
    """A business "no" (seat taken, card declined): retrying will not change it."""


class Timeout(Exception):
    """No reply: the request may or may not have been carried out."""


# --8<-- [start:service]
class Service:
    """A participant with its own database. Every request carries the saga's key, which
    makes it idempotent: an action runs at most once, its compensation at most once, and a
    compensation that arrives first leaves a tombstone so that a late action is refused."""

    def __init__(self, name: str, *, reject: bool = False) -> None:
        text("name", name)
        instance("reject", reject, bool)
        self.name = name
        self.reject = reject
        self.keys: dict[str, str] = {}  # key -> "done" or "compensated"
        self.effects: list[tuple[str, str]] = []  # what really happened: ("do" | "undo", key)

    def do(self, key: str) -> None:
        text("key", key)
        state = self.keys.get(key)
        if state == "done":
            return  # a retry or a duplicate: already applied
        if state == "compensated":
            raise Rejected(f"{self.name}: {key} was compensated; a late request changes nothing")
        if self.reject:
            raise Rejected(f"{self.name} refuses {key}")
        self.keys[key] = "done"
        self.effects.append(("do", key))
        self.apply(key)

    def undo(self, key: str) -> None:
        text("key", key)
        state = self.keys.get(key)
        self.keys[key] = "compensated"
        if state == "done":  # only what was done is undone, once
            self.effects.append(("undo", key))
            self.revert(key)

    def apply(self, key: str) -> None: ...
    def revert(self, key: str) -> None: ...
# --8<-- [end:service]


class Inventory(Service):
    def __init__(self, **flags: bool) -> None:
        super().__init__("reserve seat", **flags)
        self.holder: str | None = None

    def apply(self, key: str) -> None:
        self.holder = key

    def revert(self, key: str) -> None:
        self.holder = None


class Payments(Service):
    def __init__(self, **flags: bool) -> None:
        super().__init__("charge card", **flags)
        self.ledger: list[int] = []  # charges positive, refunds negative

    def apply(self, key: str) -> None:
        self.ledger.append(PRICE)

    def revert(self, key: str) -> None:
        self.ledger.append(-PRICE)


class Orders(Service):
    def __init__(self, **flags: bool) -> None:
        super().__init__("confirm order", **flags)
        self.status = "pending"

    def apply(self, key: str) -> None:
        self.status = "confirmed"

    def revert(self, key: str) -> None:
        self.status = "cancelled"


class Tickets(Service):
    def __init__(self, **flags: bool) -> None:
        super().__init__("issue ticket", **flags)
        self.valid: set[str] = set()

    def apply(self, key: str) -> None:
        self.valid.add(key)

    def revert(self, key: str) -> None:
        self.valid.discard(key)


# --8<-- [start:network]
@dataclass
class Network:
    """Delivers each message according to the next fate in the schedule, then "ok"."""

    fates: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fates = listed("fates", self.fates)
        for fate in self.fates:
            one_of("each fate", fate, FATES)  # an unknown fate is not an "ok"

    def deliver(self, operation: Callable[[str], None], key: str) -> None:
        callable_("operation", operation)
        fate = self.fates.pop(0) if self.fates else "ok"
        one_of("fate", fate, FATES)  # also one added to the list later
        if fate == "lost":
            raise Timeout()   # the request never arrived
        operation(key)
        if fate == "duplicate":
            operation(key)    # a retry by some proxy: the request arrives twice
        if fate == "no_reply":
            raise Timeout()   # it arrived and ran, but the reply was lost
# --8<-- [end:network]


# --8<-- [start:orchestrator]
class Saga:
    """Runs the steps in order; when one fails, compensates every step started, newest first."""

    def __init__(self, services: Iterable[Service], network: Network, *, attempts: int = 3) -> None:
        self.services = _check_services(services)
        instance("network", network, Network)
        whole("attempts", attempts, 1)
        self.network = network
        self.attempts = attempts
        self.log: list[tuple[str, str]] = []  # the orchestrator's own durable log

    def run(self, key: str) -> str:
        text("key", key)
        started: list[Service] = []
        for service in self.services:
            # Logged before it is sent: after a timeout nobody knows whether it ran, so a
            # failed step is compensated too (its compensation is a no-op if it never ran).
            started.append(service)
            self.log.append(("do", service.name))
            try:
                self._send(service.do, key, self.attempts)
            except (Rejected, Timeout):
                self._compensate(started, key)
                return "compensated"
        return "completed"

    def _compensate(self, started: list[Service], key: str) -> None:
        for service in reversed(started):
            self.log.append(("undo", service.name))
            # A compensation may not fail for business reasons; retry it until it lands.
            self._send(service.undo, key, attempts=None)

    def _send(self, operation: Callable[[str], None], key: str, attempts: int | None) -> None:
        tried = 0
        while True:
            try:
                self.network.deliver(operation, key)
                return
            except Timeout:
                tried += 1
                if attempts is not None and tried >= attempts:
                    raise
# --8<-- [end:orchestrator]


def purchase(*, fail_at: int | None = None, fates: Iterable[str] = (),
             attempts: int = 3) -> tuple[Saga, list[Service]]:
    """The marketplace purchase; the step at index `fail_at` refuses."""
    services: list[Service] = [Inventory(), Payments(), Orders(), Tickets()]
    if fail_at is not None:
        whole("fail_at", fail_at, 0, len(services) - 1)
        services[fail_at].reject = True
    return Saga(services, Network(list(listed("fates", fates))), attempts=attempts), services


# --8<-- [start:business]
def business_state(services: list[Service], key: str) -> str:
    """What the buyer and the seller would see: all done, nothing done, or a mess."""
    inventory, payments, orders, tickets = _check_purchase(services, key)
    facts = (inventory.holder == key, sum(payments.ledger) == PRICE,
             orders.status == "confirmed", key in tickets.valid)
    if all(facts):
        return "all done"
    if not any(facts) and sum(payments.ledger) == 0:
        return "nothing done"
    return f"inconsistent: seat {inventory.holder}, paid {sum(payments.ledger)}, " \
           f"order {orders.status}, ticket {key in tickets.valid}"
# --8<-- [end:business]


def _check_services(services: object) -> list[Service]:
    services = listed("services", services)
    if not services:
        raise ValueError("services must hold at least one Service, got none")
    for service in services:
        instance("each of services", service, Service)
    distinct("the names of services", [service.name for service in services])
    return list(services)  # the saga's own copy


def _check_purchase(services: object, key: object) -> tuple[Inventory, Payments, Orders, Tickets]:
    text("key", key)
    services = listed("services", services)
    kinds = (Inventory, Payments, Orders, Tickets)
    if len(services) != len(kinds) or not all(map(isinstance, services, kinds)):
        raise ValueError("services must be the purchase's [Inventory, Payments, Orders, Tickets], "
                         f"got {[type(service).__name__ for service in services]}")
    return tuple(services)  # type: ignore[return-value]
