"""Raft keeps its safety properties on thousands of random schedules (loss, delay,
reordering, duplication, crashes, partitions), makes progress once the network calms down,
and each safety check catches a plausible bug planted in the protocol."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.raft import (
    LEADER,
    AppendEntries,
    Cluster,
    Entry,
    Node,
    RequestVote,
)

ROOT = Path(__file__).resolve().parents[1]

# --- The judges: each returns what it found wrong, so that a test can say which rule broke.


def election_safety(cluster: Cluster) -> list[str]:
    return [f"term {term} had leaders {sorted(ids)}" for term, ids in cluster.leaders.items() if len(ids) > 1]


def log_matching(cluster: Cluster) -> list[str]:
    """Two logs with the same term at an index hold the same entries up to it."""
    found = []
    logs = [node.log for node in cluster.nodes]
    for a in range(len(logs)):
        for b in range(a + 1, len(logs)):
            for index in range(min(len(logs[a]), len(logs[b])), 0, -1):
                if logs[a][index - 1].term == logs[b][index - 1].term:
                    if logs[a][:index] != logs[b][:index]:
                        found.append(f"nodes {a} and {b} agree on the term at {index}, not before")
                    break
    return found


def committed_entries(cluster: Cluster) -> tuple[dict[int, set[Entry]], dict[int, int]]:
    """Every entry any node ever counted as committed, and the earliest term it was known in."""
    entries: dict[int, set[Entry]] = defaultdict(set)
    first_term: dict[int, int] = {}
    for _node, term, index, entry in cluster.commits:
        entries[index].add(entry)
        first_term[index] = min(term, first_term.get(index, term))
    return entries, first_term


def state_machine_safety(cluster: Cluster) -> list[str]:
    """No two nodes commit (and so apply) different commands at one index."""
    entries, _ = committed_entries(cluster)
    found = [f"index {index} committed as {sorted(e.command for e in es)}" for index, es in entries.items() if len(es) > 1]
    for node in cluster.nodes:
        for index, command in enumerate(node.applied, start=1):
            if {e.command for e in entries[index]} != {command}:
                found.append(f"node {node.id} applied {command!r} at {index}")
    return found


def leader_completeness(cluster: Cluster) -> list[str]:
    """An entry committed in a term is in the log of every leader of a later term."""
    entries, first_term = committed_entries(cluster)
    found = []
    for _time, term, leader, log in cluster.elections:
        for index, committed_in in first_term.items():
            if term > committed_in and (len(log) < index or log[index - 1] not in entries[index]):
                found.append(f"leader {leader} of term {term} lacks entry {index} committed in term {committed_in}")
    return found


# Two nemeses: every kind of fault, or one that keeps cutting the leader off (which is what
# it takes to leave entries of old terms half-replicated, as in Figure 8 of the paper).
MIXED = {"crash": 0.02, "restart": 0.1, "partition": 0.03, "isolate_leader": 0.1, "heal": 0.1}
LEADER_HUNTER = {"crash": 0.0, "restart": 0.0, "partition": 0.0, "isolate_leader": 0.2, "heal": 0.1}


def chaotic_run(cluster: Cluster, ticks: int, check_each_tick: list[str] | None = None, faults=MIXED) -> int:
    """Faults, and a client that keeps sending numbered commands; returns how many it sent."""
    sent = 0
    for _ in range(ticks):
        cluster.random_faults(**faults)
        if cluster.rng.random() < 0.1:
            leader = cluster.leader()
            target = leader.id if leader and cluster.rng.random() < 0.8 else cluster.rng.randrange(len(cluster.nodes))
            sent += cluster.submit(target, f"cmd-{sent}")
        cluster.step()
        if check_each_tick is not None:
            check_each_tick.extend(log_matching(cluster))
    return sent


def violations(cluster: Cluster, log_problems: list[str]) -> dict[str, list[str]]:
    found = {
        "election safety": election_safety(cluster),
        "log matching": log_problems,
        "leader completeness": leader_completeness(cluster),
        "state machine safety": state_machine_safety(cluster),
    }
    return {rule: problems for rule, problems in found.items() if problems}


schedules = st.fixed_dictionaries(
    {
        "size": st.sampled_from([3, 4, 5, 6]),
        "seed": st.integers(min_value=0, max_value=2**32 - 1),
        "loss": st.sampled_from([0.0, 0.05, 0.2, 0.4]),
        "duplication": st.sampled_from([0.0, 0.1]),
        "max_delay": st.integers(min_value=1, max_value=8),
    }
)

# --- Safety on random schedules.


@settings(max_examples=2000)
@given(schedules, st.sampled_from([MIXED, LEADER_HUNTER]))
def test_safety_holds_on_random_schedules(schedule, faults):
    cluster = Cluster(**schedule)
    log_problems: list[str] = []
    chaotic_run(cluster, ticks=150, check_each_tick=log_problems, faults=faults)
    assert violations(cluster, log_problems) == {}


def test_safety_holds_on_a_long_run_and_it_does_real_work():
    cluster = Cluster(size=5, seed=2026, loss=0.1, duplication=0.05, max_delay=4)
    log_problems: list[str] = []
    sent = chaotic_run(cluster, ticks=20_000, check_each_tick=log_problems)
    assert violations(cluster, log_problems) == {}
    # Not vacuous: many terms, many leaders, most commands committed despite the faults.
    entries, _ = committed_entries(cluster)
    assert len(cluster.leaders) > 50 and len(set().union(*cluster.leaders.values())) == 5
    assert len(entries) > sent / 2, (len(entries), sent)
    # The page quotes this run.
    page = re.sub(r"\s+", " ", (ROOT / "docs" / "concepts" / "consensus.md").read_text(encoding="utf-8"))
    assert f"went through {len(cluster.leaders)} terms" in page
    assert f"{len(entries)} of the {sent:,} commands" in page


# --- Liveness once the network is calm.

# Raft needs a round trip (here at most 2 × 3 ticks once calm) well under the shortest
# election timeout (10 ticks). Over 3,000 schedules the slowest calm period took 53 ticks
# to elect a leader and apply a command everywhere; the bound leaves room for bad luck.
CALM_BOUND = 150


@settings(max_examples=400)
@given(schedules, st.sampled_from([MIXED, LEADER_HUNTER]))
def test_a_calm_period_elects_a_leader_and_commits_a_command(schedule, faults):
    cluster = Cluster(**schedule)
    chaotic_run(cluster, ticks=80, faults=faults)
    # Calm: the partition heals, every node is up, nothing is lost, delays are short
    # (reordering stays, and the messages already in flight still arrive late).
    cluster.heal()
    for node in range(len(cluster.nodes)):
        cluster.restart(node)
    cluster.loss, cluster.max_delay = 0.0, min(cluster.max_delay, 3)
    start, accepted = cluster.now, False
    while not all("calm" in node.applied for node in cluster.nodes):
        assert cluster.now - start < CALM_BOUND, f"no progress {CALM_BOUND} ticks into the calm"
        leader = cluster.leader()
        if leader and not accepted:  # a client retries until a leader takes the command
            accepted = cluster.submit(leader.id, "calm")
        elif leader is None or "calm" not in leader.log:
            accepted = False  # the leader that took it was deposed before replicating it
        cluster.step()
    assert violations(cluster, log_matching(cluster)) == {}


# --- Figure 8 of the Raft paper, step by step.


def deliver(outbox, to: int, kind: type):
    """The one message of `kind` addressed to `to` in an outbox."""
    (message,) = [m for dest, m in outbox if dest == to and isinstance(m, kind)]
    return message


def figure_8(node_class: type[Node]) -> list[Node]:
    """Node 0 led term 2 and wrote `b` only to itself; node 2 led term 3 and wrote `c` only
    to itself. Node 0 is elected again, in term 4, and copies `b` to node 1: a majority
    (nodes 0 and 1) now holds `b`, an entry of an older term."""
    rng = random.Random(0)
    nodes = [node_class(i, 3, rng) for i in range(3)]
    nodes[0].log = [Entry(1, "a"), Entry(2, "b")]
    nodes[1].log = [Entry(1, "a")]
    nodes[2].log = [Entry(1, "a"), Entry(3, "c")]
    for node in nodes:
        node.term, node.commit_index = 3, 1
        node.apply()
    request = deliver(nodes[0].start_election(now=0), 1, RequestVote)
    vote = nodes[1].receive(request, now=0)
    heartbeats = nodes[0].receive(vote[0][1], now=0)
    assert nodes[0].role == LEADER and nodes[0].term == 4
    refused = nodes[1].receive(deliver(heartbeats, 1, AppendEntries), now=0)  # lacks index 2
    retry = nodes[0].receive(refused[0][1], now=0)
    accepted = nodes[1].receive(deliver(retry, 1, AppendEntries), now=0)
    nodes[0].receive(accepted[0][1], now=0)
    assert nodes[1].log == nodes[0].log
    return nodes


def test_figure_8_an_old_entry_on_a_majority_is_not_yet_committed():
    nodes = figure_8(Node)
    assert nodes[0].commit_index == 1  # `b` is on a majority but from term 2: not committed
    # Why: node 2 (last term 3) can still win term 5 with node 1's vote and overwrite `b`.
    nodes[2].term = 4
    request = deliver(nodes[2].start_election(now=1), 1, RequestVote)
    assert nodes[1].receive(request, now=1)[0][1].granted
    # Once an entry of the leader's own term is on a majority, both commit together.
    nodes = figure_8(Node)
    heartbeats = nodes[0].submit("d", now=1)
    accepted = nodes[1].receive(deliver(heartbeats, 1, AppendEntries), now=1)
    nodes[0].receive(accepted[0][1], now=1)
    assert nodes[0].commit_index == 3 and nodes[0].applied == ["a", "b", "d"]


# --- Planted bugs: each one must be caught.


class VotesTwice(Node):
    def may_vote_for(self, candidate):
        return True  # forgets it already voted in this term


class SkipsLogCheck(Node):
    def log_is_up_to_date(self, last_index, last_term):
        return True  # votes for a candidate with a stale log


class CountsOldReplicas(Node):
    def advance_commit_index(self):
        for index in range(self.last_index(), self.commit_index, -1):
            stored = {self.id} | {p for p, m in self.match_index.items() if m >= index}
            if self.has_majority(stored):  # no check of the entry's term
                self.commit_index = index
                break
        self.apply()


class CountsHalfAsMajority(Node):
    def has_majority(self, nodes):
        return 2 * len(nodes) >= self.size  # a tie is not a majority: wrong for even sizes


@pytest.mark.parametrize(
    ("bug", "caught_by"),
    [
        (VotesTwice, "election safety"),
        (SkipsLogCheck, "leader completeness"),
        (CountsOldReplicas, "leader completeness"),
        (CountsHalfAsMajority, "election safety"),
    ],
)
def test_each_planted_bug_is_caught_by_the_random_schedules(bug, caught_by):
    caught: set[str] = set()
    for seed in range(1000):
        cluster = Cluster(size=3 + seed % 4, seed=seed, loss=0.2, duplication=0.1, max_delay=3, node_class=bug)
        log_problems: list[str] = []
        chaotic_run(cluster, ticks=150, check_each_tick=log_problems, faults=[MIXED, LEADER_HUNTER][seed // 2 % 2])
        caught |= set(violations(cluster, log_problems))
        if caught_by in caught:
            print(f"{bug.__name__}: caught by {caught_by} at seed {seed}")
            return
    pytest.fail(f"{bug.__name__} broke only {sorted(caught)} in 1,000 schedules, never {caught_by}")


def test_the_figure_8_bug_commits_an_entry_that_is_then_overwritten():
    nodes = figure_8(CountsOldReplicas)
    assert nodes[0].commit_index == 2 and nodes[0].applied == ["a", "b"]  # too early
    nodes[2].term = 4  # node 2 stands in term 5, with node 1's vote (last term 3 > 2)
    request = deliver(nodes[2].start_election(now=1), 1, RequestVote)
    heartbeats = nodes[2].receive(nodes[1].receive(request, now=1)[0][1], now=1)
    refused = nodes[1].receive(deliver(heartbeats, 1, AppendEntries), now=1)
    retry = nodes[2].receive(refused[0][1], now=1)
    nodes[1].receive(deliver(retry, 1, AppendEntries), now=1)
    assert nodes[1].log[1] == Entry(3, "c")  # the "committed" `b` is gone from a majority


# --- Bad input.


@pytest.mark.parametrize("kwargs", [{"loss": 1.0}, {"loss": -0.1}, {"duplication": 1.0}, {"max_delay": 0}])
def test_the_network_rejects_impossible_settings(kwargs):
    with pytest.raises(ValueError, match="need 0 <= loss < 1"):
        Cluster(3, **kwargs)


@pytest.mark.parametrize(("timeout", "heartbeat"), [((10, 20), 10), ((20, 10), 3), ((0, 5), 0)])
def test_a_heartbeat_must_come_before_an_election_timeout(timeout, heartbeat):
    with pytest.raises(ValueError, match="heartbeat_interval < election timeout"):
        Node(0, 3, random.Random(0), election_timeout=timeout, heartbeat_interval=heartbeat)


def test_a_node_id_must_be_in_the_cluster():
    with pytest.raises(ValueError, match="need 0 <= node_id < cluster_size"):
        Node(3, 3, random.Random(0))


# --- Deterministic schedules that cut the leader off, on odd and even cluster sizes.
# Random schedules reach these states only now and then; these reach them every time.


def run_until(cluster: Cluster, condition, what: str, limit: int = 400) -> None:
    for _ in range(limit):
        if condition():
            return
        cluster.step()
    raise AssertionError(f"{limit} ticks without {what}")


def leader_in(cluster: Cluster, group: set[int], above_term: int) -> Node | None:
    found = [n for n in cluster.nodes if n.id in group and n.role == LEADER and n.term > above_term]
    return max(found, key=lambda n: n.term, default=None)


def figure_8_through_partitions(size: int, node_class: type[Node] = Node, seed: int = 7) -> Cluster:
    """Figure 8 played on a whole cluster, only by cutting leaders off at the wrong moment:
    leader A writes `b` and is cut off at once; X is elected by the others, writes `c` and
    is cut off at once; A, with a minority of the others, is elected again and copies `b` to
    a majority; then X, with that same minority, is elected again. Only X can win each time:
    the other members of its side have logs behind its own."""
    cluster = Cluster(size=size, seed=seed, max_delay=2, node_class=node_class)
    everyone, majority = set(range(size)), size // 2 + 1
    run_until(cluster, lambda: cluster.leader() is not None, "a first leader")
    a = cluster.leader()
    assert cluster.submit(a.id, "a")
    run_until(cluster, lambda: all(n.applied == ["a"] for n in cluster.nodes), "`a` applied everywhere")
    assert cluster.submit(a.id, "b")
    cluster.partition({a.id})  # before `b` reaches anyone
    others = everyone - {a.id}
    run_until(cluster, lambda: leader_in(cluster, others, a.term) is not None, "a leader without A")
    x = leader_in(cluster, others, a.term)
    assert cluster.submit(x.id, "c")
    rest = sorted(others - {x.id})
    with_a, alone = set(rest[:majority - 1]), set(rest[majority - 1:])
    cluster.partition({a.id} | with_a, {x.id})  # `alone` cannot elect anyone
    run_until(cluster, lambda: leader_in(cluster, {a.id} | with_a, x.term) is not None, "A elected again")
    assert leader_in(cluster, {a.id} | with_a, x.term).id == a.id
    run_until(cluster, lambda: all(a.match_index[i] == 2 for i in with_a), "A knowing `b` is on a majority")
    cluster.partition({x.id} | with_a, {a.id} | alone)
    run_until(cluster, lambda: leader_in(cluster, {x.id} | with_a, a.term) is not None, "X elected again")
    new = leader_in(cluster, {x.id} | with_a, a.term)
    assert new.id == x.id
    assert cluster.submit(new.id, "d")
    run_until(cluster, lambda: new.commit_index == 3, "`d` committed")
    return cluster


@pytest.mark.parametrize("size", [3, 4, 5, 6])
def test_figure_8_through_partitions_commits_nothing_that_is_later_lost(size):
    cluster = figure_8_through_partitions(size)
    assert violations(cluster, log_matching(cluster)) == {}
    x = cluster.leader()
    assert [e.command for e in x.log] == ["a", "c", "d"] and x.applied == ["a", "c", "d"]
    # `b` reached a majority but was never committed, by anyone.
    assert all(entry.command != "b" for _node, _term, _index, entry in cluster.commits)
    # After the heal every server converges on the leader's log.
    cluster.heal()
    run_until(cluster, lambda: all(n.applied == ["a", "c", "d"] for n in cluster.nodes), "convergence")


@pytest.mark.parametrize("size", [3, 4, 5, 6])
def test_figure_8_through_partitions_catches_counting_old_replicas(size):
    cluster = figure_8_through_partitions(size, node_class=CountsOldReplicas)
    found = violations(cluster, log_matching(cluster))
    # A committed `b` by counting its replicas; X then overwrote it with `c`.
    assert "index 2 committed as ['b', 'c']" in found.get("state machine safety", []), found


@pytest.mark.parametrize("size", [4, 6])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_even_cluster_split_in_half_elects_no_one_until_it_heals(size, seed, node_class=Node):
    cluster = Cluster(size=size, seed=seed, max_delay=2, node_class=node_class)
    run_until(cluster, lambda: cluster.leader() is not None, "a first leader")
    old = cluster.leader()
    term = old.term
    cluster.partition(set(range(size // 2)))
    for _ in range(300):  # many election timeouts on both sides
        cluster.step()
    assert max(cluster.leaders) == term, f"a half of {size} elected a leader"
    assert cluster.submit(old.id, "lost") and "lost" not in {c for n in cluster.nodes for c in n.applied}
    cluster.heal()
    run_until(cluster, lambda: leader_in(cluster, set(range(size)), term) is not None, "a leader after the heal")
    assert violations(cluster, log_matching(cluster)) == {}


@pytest.mark.parametrize("size", [4, 6])
def test_counting_half_as_a_majority_elects_two_leaders_in_an_even_split(size):
    with pytest.raises(AssertionError, match=f"a half of {size} elected a leader"):
        test_an_even_cluster_split_in_half_elects_no_one_until_it_heals(size, 0, CountsHalfAsMajority)


# --- Which of the two replication details takes effect here (the page says).


class CountsGuards(Node):
    """Counts the messages on which each guard of the replication code changes the outcome."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.appends = self.commit_capped = self.replies = self.late_replies = 0

    def on_append_entries(self, request, now):
        self.appends += request.leader_commit > 0
        # The `min` in the follower's commit binds only if the leader's commit index lies
        # beyond the entries the message carries.
        self.commit_capped += request.leader_commit > request.prev_index + len(request.entries)
        return super().on_append_entries(request, now)

    def on_append_reply(self, reply, now):
        if self.role == LEADER and reply.term == self.term and reply.success:
            self.replies += 1
            self.late_replies += reply.match_index < self.match_index[reply.follower]
        return super().on_append_reply(reply, now)


def test_the_follower_commit_cap_never_binds_here_but_late_replies_do_arrive():
    """Our leader sends every entry from prev_index to the end of its log, and its commit
    index never passes its log's end: so `min(leader_commit, last_checked)` is always
    leader_commit. The cap would matter to a leader that sends empty heartbeats or caps a
    batch; the page says so. Moving match_index only forward does matter: late replies
    describing an older state arrive all the time."""
    nodes: list[CountsGuards] = []
    for seed in range(40):
        cluster = Cluster(size=3 + seed % 4, seed=seed, loss=0.2, duplication=0.1, max_delay=6, node_class=CountsGuards)
        chaotic_run(cluster, ticks=1000, faults=[MIXED, LEADER_HUNTER][seed % 2])
        nodes += cluster.nodes
    # Thousands of messages carried a commit index, none beyond its own entries.
    assert sum(n.appends for n in nodes) > 2_000 and sum(n.commit_capped for n in nodes) == 0
    # About one successful reply in 14 arrives after a newer one (the page says so).
    assert sum(n.replies for n in nodes) > 1_000 and sum(n.late_replies for n in nodes) > 50
    page = re.sub(r"\s+", " ", (ROOT / "docs" / "concepts" / "consensus.md").read_text(encoding="utf-8"))
    replies, late = sum(n.replies for n in nodes), sum(n.late_replies for n in nodes)
    assert f"about one successful reply in {round(replies / late)} arrives after a newer one" in page
    assert "In this code the cap never takes effect" in page


def test_the_follower_commit_cap_holds_for_a_message_that_carries_fewer_entries():
    """The cap is right where it could bind: a follower with a stale tail from an old leader
    gets a heartbeat with no entries and a commit index past its tail. It must not commit
    the tail, which it has not checked against the leader."""
    follower = Node(1, 3, random.Random(0))
    follower.term = 2
    follower.log = [Entry(1, "a"), Entry(1, "stale")]
    heartbeat = AppendEntries(term=2, leader=0, prev_index=1, prev_term=1, entries=(), leader_commit=2)
    [(_, reply)] = follower.receive(heartbeat, now=0)
    assert reply.success and follower.commit_index == 1 and follower.applied == ["a"]
