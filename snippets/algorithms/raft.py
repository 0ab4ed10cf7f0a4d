"""Raft: leader election and log replication, in a deterministic simulation.

Nodes talk only through a simulated network driven by one seeded random generator:
messages are lost, delayed, reordered and duplicated, nodes crash and restart, and the
network splits into partitions. The same seed always replays the same run, so a failing
schedule found by a property test can be replayed and read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from algorithms._checks import WrongType, callable_, instance, number, whole

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"


# --8<-- [start:messages]
@dataclass(frozen=True)
class Entry:
    term: int  # the term of the leader that created it
    command: str


@dataclass(frozen=True)
class RequestVote:
    term: int
    candidate: int
    last_log_index: int
    last_log_term: int


@dataclass(frozen=True)
class Vote:
    term: int
    voter: int
    granted: bool


@dataclass(frozen=True)
class AppendEntries:  # also the heartbeat, with no entries
    term: int
    leader: int
    prev_index: int  # the entry just before the new ones...
    prev_term: int  # ...and its term: the follower must hold exactly that
    entries: tuple[Entry, ...]
    leader_commit: int


@dataclass(frozen=True)
class AppendReply:
    term: int
    follower: int
    success: bool
    match_index: int  # success: last index now known to match; failure: a hint
# --8<-- [end:messages]


Message = RequestVote | Vote | AppendEntries | AppendReply
Outbox = list[tuple[int, Message]]  # (destination node, message)


# --8<-- [start:node]
class Node:
    """One Raft server. It reacts to ticks and messages by returning messages to send."""

    def __init__(self, node_id: int, cluster_size: int, rng: random.Random,
                 election_timeout: tuple[int, int] = (10, 20),
                 heartbeat_interval: int = 3) -> None:
        _check_node(node_id, cluster_size, rng, election_timeout, heartbeat_interval)
        if cluster_size < 1 or not 0 <= node_id < cluster_size:
            raise ValueError(
                f"need 0 <= node_id < cluster_size, got {node_id} of {cluster_size}"
            )
        low, high = election_timeout
        if not 0 < heartbeat_interval < low <= high:
            raise ValueError(
                "need 0 < heartbeat_interval < election timeout, got "
                f"{heartbeat_interval} and {election_timeout}"
            )
        self.id, self.size, self.rng = node_id, cluster_size, rng
        self.peers = [i for i in range(cluster_size) if i != node_id]
        self.election_timeout, self.heartbeat_interval = election_timeout, heartbeat_interval
        # Persistent state: on disk before any reply is sent, so it survives a crash.
        self.term = 0
        self.voted_for: int | None = None
        self.log: list[Entry] = []  # log[0] is index 1
        self.restart(now=0)

    def restart(self, now: int) -> None:
        """Volatile state, lost in a crash; the state machine is rebuilt from the log."""
        whole("now", now, 0)
        self.role = FOLLOWER
        self.commit_index = 0
        self.applied: list[str] = []  # the state machine: commands in log order
        self.votes: set[int] = set()
        self.next_index: dict[int, int] = {}
        self.match_index: dict[int, int] = {}
        self.reset_election_timer(now)

    def reset_election_timer(self, now: int) -> None:
        whole("now", now, 0)
        self.election_deadline = now + self.rng.randint(*self.election_timeout)

    def last_index(self) -> int:
        return len(self.log)

    def term_at(self, index: int) -> int:
        whole("index", index, 0, self.last_index())
        return self.log[index - 1].term if index > 0 else 0

    def tick(self, now: int) -> Outbox:
        whole("now", now, 0)
        if self.role == LEADER:
            return self.broadcast(now) if now >= self.heartbeat_due else []
        if now >= self.election_deadline:
            return self.start_election(now)
        return []

    def submit(self, command: str, now: int) -> Outbox | None:
        """A client's command: only a leader accepts it (None means "ask the leader")."""
        instance("command", command, str)
        whole("now", now, 0)
        if self.role != LEADER:
            return None
        self.log.append(Entry(self.term, command))
        self.advance_commit_index()  # a one-node cluster commits at once
        return self.broadcast(now)

    def receive(self, message: Message, now: int) -> Outbox:
        instance("message", message, (RequestVote, Vote, AppendEntries, AppendReply))
        whole("now", now, 0)
        if message.term > self.term:  # a newer term: adopt it and step down
            if self.role == LEADER:
                self.reset_election_timer(now)
            self.term, self.voted_for, self.role = message.term, None, FOLLOWER
        if isinstance(message, RequestVote):
            return self.on_request_vote(message, now)
        if isinstance(message, Vote):
            return self.on_vote(message, now)
        if isinstance(message, AppendEntries):
            return self.on_append_entries(message, now)
        return self.on_append_reply(message, now)
# --8<-- [end:node]

    # --8<-- [start:election]
    def start_election(self, now: int) -> Outbox:
        self.term += 1
        self.role, self.voted_for, self.votes = CANDIDATE, self.id, {self.id}
        self.reset_election_timer(now)  # a split vote retries after a new random wait
        if self.has_majority(self.votes):
            return self.become_leader(now)
        last = self.last_index()
        request = RequestVote(self.term, self.id, last, self.term_at(last))
        return [(peer, request) for peer in self.peers]

    def on_request_vote(self, request: RequestVote, now: int) -> Outbox:
        instance("request", request, RequestVote)
        granted = (request.term == self.term
                   and self.may_vote_for(request.candidate)
                   and self.log_is_up_to_date(request.last_log_index,
                                              request.last_log_term))
        if granted:
            self.voted_for = request.candidate
            self.reset_election_timer(now)
        return [(request.candidate, Vote(self.term, self.id, granted))]

    def may_vote_for(self, candidate: int) -> bool:
        """One vote per term: the first candidate asking gets it (again, if it asks again)."""
        whole("candidate", candidate, 0, self.size - 1)
        return self.voted_for in (None, candidate)

    def log_is_up_to_date(self, last_index: int, last_term: int) -> bool:
        """The election restriction: vote only for a log at least as up to date as
        ours (a later last term, or the same last term and at least as long)."""
        _check_position(last_index, last_term)
        mine = self.last_index()
        return (last_term, last_index) >= (self.term_at(mine), mine)

    def on_vote(self, vote: Vote, now: int) -> Outbox:
        instance("vote", vote, Vote)
        if self.role == CANDIDATE and vote.term == self.term and vote.granted:
            self.votes.add(vote.voter)
            if self.has_majority(self.votes):
                return self.become_leader(now)
        return []

    def has_majority(self, nodes: set[int]) -> bool:
        instance("nodes", nodes, (set, frozenset))
        return 2 * len(nodes) > self.size

    def become_leader(self, now: int) -> Outbox:
        self.role = LEADER
        self.next_index = {peer: self.last_index() + 1 for peer in self.peers}
        self.match_index = {peer: 0 for peer in self.peers}
        return self.broadcast(now)  # the first heartbeat tells the others
    # --8<-- [end:election]

    # --8<-- [start:replication]
    def broadcast(self, now: int) -> Outbox:
        whole("now", now, 0)
        self.heartbeat_due = now + self.heartbeat_interval
        return [(peer, self.append_entries_for(peer)) for peer in self.peers]

    def append_entries_for(self, peer: int) -> AppendEntries:
        _check_peer(self, peer)
        prev = self.next_index[peer] - 1
        return AppendEntries(self.term, self.id, prev, self.term_at(prev),
                             tuple(self.log[prev:]), self.commit_index)

    def on_append_entries(self, request: AppendEntries, now: int) -> Outbox:
        instance("request", request, AppendEntries)
        if request.term < self.term:  # a deposed leader: tell it the new term
            return [(request.leader, AppendReply(self.term, self.id, False, 0))]
        self.role = FOLLOWER  # a candidate of this term yields to its leader
        self.reset_election_timer(now)
        prev = request.prev_index
        if prev > self.last_index() or self.term_at(prev) != request.prev_term:
            hint = min(prev - 1, self.last_index())  # retry from further back
            return [(request.leader, AppendReply(self.term, self.id, False, hint))]
        for offset, entry in enumerate(request.entries):
            index = prev + 1 + offset
            if index <= self.last_index() and self.term_at(index) != entry.term:
                del self.log[index - 1:]  # a conflict: drop it and everything after
            if index > self.last_index():
                self.log.append(entry)
        # Entries past the ones just checked may be stale: never commit beyond them.
        last_checked = prev + len(request.entries)
        self.commit_index = max(self.commit_index,
                                min(request.leader_commit, last_checked))
        self.apply()
        return [(request.leader, AppendReply(self.term, self.id, True, last_checked))]

    def on_append_reply(self, reply: AppendReply, now: int) -> Outbox:
        instance("reply", reply, AppendReply)
        if self.role != LEADER or reply.term != self.term:
            return []  # stale: from an older term, or we are no longer leader
        peer = reply.follower
        if reply.success:  # replies can arrive late and out of order: only move forward
            self.match_index[peer] = max(self.match_index[peer], reply.match_index)
            self.next_index[peer] = max(self.next_index[peer], reply.match_index + 1)
            self.advance_commit_index()
            return []
        self.next_index[peer] = max(1, min(self.next_index[peer], reply.match_index + 1))
        return [(peer, self.append_entries_for(peer))]

    def advance_commit_index(self) -> None:
        """Commit the highest entry of the *current* term stored on a majority.
        Earlier entries are committed with it, never by counting their own replicas."""
        for index in range(self.last_index(), self.commit_index, -1):
            if self.term_at(index) != self.term:
                break  # older terms only below this point (Figure 8 of the paper)
            stored = {self.id} | {p for p, m in self.match_index.items() if m >= index}
            if self.has_majority(stored):
                self.commit_index = index
                break
        self.apply()

    def apply(self) -> None:
        while len(self.applied) < self.commit_index:
            self.applied.append(self.log[len(self.applied)].command)
    # --8<-- [end:replication]


# --8<-- [start:cluster]
class Cluster:
    """N nodes and an unreliable network, all driven by one seeded generator."""

    def __init__(self, size: int = 5, seed: int = 0, loss: float = 0.0,
                 duplication: float = 0.0, max_delay: int = 3,
                 node_class: type[Node] = Node) -> None:
        _check_cluster(size, seed, loss, duplication, max_delay, node_class)
        if not (0 <= loss < 1 and 0 <= duplication < 1 and max_delay >= 1):
            raise ValueError(
                "need 0 <= loss < 1, 0 <= duplication < 1 and max_delay >= 1, got "
                f"{loss}, {duplication} and {max_delay}"
            )
        self.rng = random.Random(seed)
        self.loss, self.duplication, self.max_delay = loss, duplication, max_delay
        self.nodes = [node_class(i, size, self.rng) for i in range(size)]
        self.now = 0
        self.crashed: set[int] = set()
        self.side = [0] * size  # nodes on different sides of a partition cannot talk
        self.in_flight: list[tuple[int, int, int, Message]] = []  # (due, to, from, msg)
        # What happened, for the tests and the plots:
        self.leaders: dict[int, set[int]] = {}  # term -> the nodes that led in it
        self.elections: list[tuple[int, int, int, tuple[Entry, ...]]] = []
        self.commits: list[tuple[int, int, int, Entry]] = []  # (node, term, index, entry)
        self._commit_seen = [0] * size

    def partition(self, *groups: set[int]) -> None:
        _check_groups(groups, len(self.nodes))
        self.side = [next((g for g, members in enumerate(groups) if n in members),
                          len(groups)) for n in range(len(self.nodes))]

    def heal(self) -> None:
        self.side = [0] * len(self.nodes)

    def crash(self, node: int) -> None:
        whole("node", node, 0, len(self.nodes) - 1)
        self.crashed.add(node)

    def restart(self, node: int) -> None:
        whole("node", node, 0, len(self.nodes) - 1)
        if node in self.crashed:
            self.crashed.discard(node)
            self.nodes[node].restart(self.now)

    def submit(self, node: int, command: str) -> bool:
        """A client sends a command to one node; False if that node cannot take it."""
        whole("node", node, 0, len(self.nodes) - 1)
        if node in self.crashed:
            return False
        outbox = self.nodes[node].submit(command, self.now)
        if outbox is None:
            return False
        self._send(node, outbox)
        return True

    def step(self) -> None:
        """One tick: deliver the messages due, in random order, then tick every node."""
        self.now += 1
        due = [m for m in self.in_flight if m[0] <= self.now]
        self.in_flight = [m for m in self.in_flight if m[0] > self.now]
        self.rng.shuffle(due)
        for _, to, sender, message in due:
            if to not in self.crashed and self.side[to] == self.side[sender]:
                self._send(to, self.nodes[to].receive(message, self.now))
        for node in self.nodes:
            if node.id not in self.crashed:
                self._send(node.id, node.tick(self.now))

    def _send(self, sender: int, outbox: Outbox) -> None:
        self._observe(self.nodes[sender])
        for to, message in outbox:
            if self.side[to] != self.side[sender] or self.rng.random() < self.loss:
                continue
            copies = 2 if self.rng.random() < self.duplication else 1
            for _ in range(copies):
                due = self.now + self.rng.randint(1, self.max_delay)
                self.in_flight.append((due, to, sender, message))
# --8<-- [end:cluster]

    def _observe(self, node: Node) -> None:
        """Record leaders and commits as they happen (the tests judge them)."""
        if node.role == LEADER and node.id not in self.leaders.get(node.term, set()):
            self.leaders.setdefault(node.term, set()).add(node.id)
            self.elections.append((self.now, node.term, node.id, tuple(node.log)))
        for index in range(self._commit_seen[node.id] + 1, node.commit_index + 1):
            self.commits.append((node.id, node.term, index, node.log[index - 1]))
        self._commit_seen[node.id] = node.commit_index

    def leader(self) -> Node | None:
        """The live leader of the highest term, if any."""
        live = [n for n in self.nodes if n.id not in self.crashed and n.role == LEADER]
        return max(live, key=lambda n: n.term, default=None)

    def random_faults(self, crash: float = 0.01, restart: float = 0.05,
                      partition: float = 0.02, isolate_leader: float = 0.02,
                      heal: float = 0.05) -> None:
        """Maybe crash a node, restart one, split the network (at random, or around
        the leader, the cruellest cut) or heal it."""
        for name, chance in (("crash", crash), ("restart", restart), ("partition", partition),
                             ("isolate_leader", isolate_leader), ("heal", heal)):
            number(name, chance, 0, 1, accepted="a probability from 0 to 1")
        rng, size = self.rng, len(self.nodes)
        if rng.random() < crash:
            self.crash(rng.randrange(size))
        if self.crashed and rng.random() < restart:
            self.restart(rng.choice(sorted(self.crashed)))
        roll, leader = rng.random(), self.leader()
        if roll < partition:
            self.partition(set(rng.sample(range(size), rng.randint(1, size - 1))))
        elif roll < partition + isolate_leader and leader is not None:
            self.partition({leader.id})
        elif roll < partition + isolate_leader + heal:
            self.heal()



def _check_node(node_id, cluster_size, rng, election_timeout, heartbeat_interval) -> None:
    """Types; the ranges are checked where they are explained, in the constructor."""
    whole("cluster_size", cluster_size)
    whole("node_id", node_id)
    callable_("rng.randint", getattr(rng, "randint", None))
    if not (isinstance(election_timeout, tuple) and len(election_timeout) == 2):
        raise WrongType(f"election_timeout must be a (low, high) pair of ticks, got {election_timeout!r}")
    whole("election_timeout[0]", election_timeout[0])
    whole("election_timeout[1]", election_timeout[1])
    whole("heartbeat_interval", heartbeat_interval)


def _check_cluster(size, seed, loss, duplication, max_delay, node_class) -> None:
    """Types and the size; the network's ranges are checked in the constructor."""
    whole("size", size, 1)
    whole("seed", seed)
    number("loss", loss)
    number("duplication", duplication)
    whole("max_delay", max_delay)
    if not (isinstance(node_class, type) and issubclass(node_class, Node)):
        raise WrongType(f"node_class must be Node or a subclass of it, got {node_class!r}")


def _check_groups(groups: tuple[set[int], ...], size: int) -> None:
    seen: set[int] = set()
    for group in groups:
        instance("each group", group, (set, frozenset))
        for node in group:
            whole("a node in a group", node, 0, size - 1)
            if node in seen:
                raise ValueError(f"node {node} is in two groups of the partition")
            seen.add(node)


def _check_position(last_index: int, last_term: int) -> None:
    whole("last_index", last_index, 0)
    whole("last_term", last_term, 0)


def _check_peer(node: Node, peer: int) -> None:
    if peer not in node.next_index:
        raise ValueError(f"peer must be a peer this leader tracks, one of {sorted(node.next_index)}, got {peer!r}")
