"""Two-phase commit as a small model: a coordinator and participants are objects, every
message is a method call, and failures are injected by flags.

Each node has a durable log (a list that survives `crash()`) and volatile state (lost by
it). A message to a crashed node raises `Down`, which the sender sees as a timeout.
"""

from __future__ import annotations

from collections.abc import Sequence

from algorithms._checks import distinct, instance, listed, one_of, text

YES, NO = "yes", "no"
COMMIT, ABORT = "commit", "abort"
PREPARED = "prepared"
PARTICIPANT_CRASHES = (None, "before_vote", "after_vote")
COORDINATOR_CRASHES = (None, "after_prepare", "after_decision")


class Down(Exception):
    """The node is crashed: the message is lost and the sender times out."""


# --8<-- [start:participant]
class Participant:
    """A resource manager: does local work under locks, votes, then obeys the outcome.

    crash: None, "before_vote" (dies on receiving prepare) or "after_vote" (votes yes,
    then dies before hearing the outcome)."""

    def __init__(self, name: str, *, vote: str = YES, crash: str | None = None) -> None:
        _check_participant(name, vote, crash)
        self.name = name
        self.vote = vote
        self.crash_point = crash
        self.up = True
        self.log: list[tuple[str, str]] = []  # durable: (record, txid)
        self.working: set[str] = set()        # volatile: local work done, locks held, no vote yet

    def begin(self, txid: str) -> None:
        """The client's work: rows written, locks taken, nothing promised yet."""
        _check_new_txid(txid, self)
        self._reachable()
        self.working.add(txid)

    def prepare(self, txid: str) -> str:
        """Phase 1. A yes is a promise: it is logged (forced to disk) before it is sent."""
        text("txid", txid)
        one_of("vote", self.vote, (YES, NO))  # also when changed after construction
        self._reachable()
        if self.crash_point == "before_vote":
            self.crash()
            raise Down(self.name)
        if txid not in self.working or self.vote == NO:
            self._record(txid, ABORT)  # a no may abort at once: the outcome cannot be commit
            return NO
        self.working.discard(txid)
        self.log.append((PREPARED, txid))
        if self.crash_point == "after_vote":
            self.crash()  # the yes is on its way; the node dies before phase 2
        return YES

    def finish(self, txid: str, outcome: str) -> None:
        """Phase 2: commit or abort as the coordinator decided. Repeats are harmless."""
        text("txid", txid)
        one_of("outcome", outcome, (COMMIT, ABORT))
        self._reachable()
        self._record(txid, outcome)

    def status(self, txid: str) -> str:
        text("txid", txid)
        if txid in self.working:
            return "working"
        records = [record for record, logged in self.log if logged == txid]
        if not records:
            return ABORT  # work that was never promised and is gone from memory
        return records[-1]

    def holds_locks(self, txid: str) -> bool:
        # A prepared participant keeps its locks even across a crash: it promised to be
        # able to commit, so nobody may change those rows until it learns the outcome.
        return self.up and self.status(txid) in ("working", PREPARED)

    def crash(self) -> None:
        self.up = False
        self.working.clear()  # unprepared work is lost, and with it its locks
        self.crash_point = None  # a restarted node behaves

    def recover(self, coordinator: Coordinator) -> None:
        """Restart: read the log; for every transaction in doubt, ask the coordinator."""
        instance("coordinator", coordinator, Coordinator)
        self.up = True
        for txid in self.in_doubt():
            try:
                outcome = coordinator.outcome(txid)
            except Down:
                continue  # still in doubt: keep the locks, ask again later
            if outcome is not None:
                self._record(txid, outcome)

    def in_doubt(self) -> list[str]:
        txids = dict.fromkeys(txid for _, txid in self.log)
        return [txid for txid in txids if self.status(txid) == PREPARED]

    def ask(self, txid: str) -> str | None:
        """A peer asks what happened. One that has not voted yet may abort on its own."""
        text("txid", txid)
        self._reachable()
        if txid in self.working:
            self.working.discard(txid)
            self._record(txid, ABORT)
        status = self.status(txid)
        return status if status in (COMMIT, ABORT) else None

    def terminate(self, txid: str, peers: Sequence[Participant]) -> str | None:
        """Cooperative termination: an in-doubt participant asks the other participants.

        Any peer that knows the outcome, or that never voted yes, settles it. If every
        peer it reaches is in doubt too, nobody can decide: that is 2PC's blocking."""
        text("txid", txid)
        peers = _check_peers("peers", peers)
        if self.status(txid) != PREPARED:
            return self.status(txid)
        for peer in peers:
            try:
                answer = peer.ask(txid)
            except Down:
                continue
            if answer is not None:
                self._record(txid, answer)
                return answer
        return None

    def _record(self, txid: str, outcome: str) -> None:
        if self.status(txid) not in (COMMIT, ABORT):
            self.working.discard(txid)
            self.log.append((outcome, txid))

    def _reachable(self) -> None:
        if not self.up:
            raise Down(self.name)
# --8<-- [end:participant]


# --8<-- [start:coordinator]
class Coordinator:
    """Runs both phases. crash: None, "after_prepare" (votes collected, nothing decided)
    or "after_decision" (outcome logged, nobody told)."""

    def __init__(self, participants: Sequence[Participant], *, crash: str | None = None) -> None:
        self.participants = _check_peers("participants", participants, at_least_one=True)
        one_of("crash", crash, COORDINATOR_CRASHES)
        self.crash_point = crash
        self.up = True
        self.started: list[str] = []        # durable
        self.decisions: dict[str, str] = {}  # durable: the outcome of each transaction

    def run(self, txid: str) -> str | None:
        """One transaction: the outcome, or None if the coordinator crashed mid-way."""
        _check_new_txid(txid, self)
        self.started.append(txid)
        votes = []
        for participant in self.participants:
            try:
                participant.begin(txid)
                votes.append(participant.prepare(txid))
            except Down:
                votes.append(None)  # no answer before the timeout: counts as no
        if self.crash_point == "after_prepare":
            self.crash()
            return None
        outcome = COMMIT if all(vote == YES for vote in votes) else ABORT
        self.decisions[txid] = outcome  # the commit point: logged before anyone is told
        if self.crash_point == "after_decision":
            self.crash()
            return None
        self._tell(txid, outcome)
        return outcome

    def outcome(self, txid: str) -> str | None:
        """A participant asks; None means not decided yet."""
        text("txid", txid)
        if not self.up:
            raise Down("coordinator")
        return self.decisions.get(txid)

    def crash(self) -> None:
        self.up = False
        self.crash_point = None

    def recover(self) -> None:
        """Restart: a transaction with no logged outcome is aborted (no participant can have
        committed it: commit needs the coordinator's word); every outcome is sent again."""
        self.up = True
        for txid in self.started:
            self.decisions.setdefault(txid, ABORT)
            self._tell(txid, self.decisions[txid])

    def _tell(self, txid: str, outcome: str) -> None:
        for participant in self.participants:
            try:
                participant.finish(txid, outcome)
            except Down:
                pass  # it will ask when it recovers
# --8<-- [end:coordinator]


def _check_participant(name: object, vote: object, crash: object) -> None:
    text("name", name)
    one_of("vote", vote, (YES, NO))  # "maybe" or None is not a yes
    one_of("crash", crash, PARTICIPANT_CRASHES)


def _check_new_txid(txid: object, node: Participant | Coordinator) -> None:
    """A transaction ID names one transaction: reused, its second run would rewrite the
    first one's log (a committed participant would record an abort)."""
    text("txid", txid)
    if isinstance(node, Coordinator):  # checked before anything is logged or sent
        if txid in node.started:
            raise ValueError(f"txid {txid!r} was already used by the coordinator: "
                             "a transaction ID must be new")
        for participant in node.participants:
            _check_new_txid(txid, participant)
    elif txid in node.working or any(logged == txid for _, logged in node.log):
        raise ValueError(f"txid {txid!r} was already used by participant {node.name!r}: "
                         "a transaction ID must be new")


def _check_peers(name: str, peers: object, at_least_one: bool = False) -> list[Participant]:
    peers = listed(name, peers)
    if at_least_one and not peers:
        raise ValueError(f"{name} must hold at least one Participant, got none")
    for peer in peers:
        instance(f"each of {name}", peer, Participant)
    distinct(f"the names of {name}", [peer.name for peer in peers])
    return list(peers)  # a copy: the caller may change its own list
