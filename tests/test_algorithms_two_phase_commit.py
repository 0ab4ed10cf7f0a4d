"""Two-phase commit, as a specification: everyone commits or everyone aborts whatever fails,
a participant that crashes after voting yes learns the outcome from the coordinator's log,
and a coordinator that crashes between the phases blocks every participant that voted yes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from algorithms.two_phase_commit import ABORT, COMMIT, NO, PREPARED, YES, Coordinator, Down, Participant

TX = "t1"


def cluster(*participants: Participant, crash: str | None = None) -> Coordinator:
    return Coordinator(participants, crash=crash)


def statuses(coordinator: Coordinator) -> list[str]:
    return [participant.status(TX) for participant in coordinator.participants]


def test_all_yes_commits_everywhere_and_releases_the_locks():
    coordinator = cluster(Participant("orders"), Participant("stock"), Participant("payments"))
    assert coordinator.run(TX) == COMMIT
    assert statuses(coordinator) == [COMMIT] * 3
    assert not any(p.holds_locks(TX) for p in coordinator.participants)


def test_one_no_vote_aborts_everyone():
    coordinator = cluster(Participant("orders"), Participant("stock", vote=NO), Participant("payments"))
    assert coordinator.run(TX) == ABORT
    assert statuses(coordinator) == [ABORT] * 3
    assert not any(p.holds_locks(TX) for p in coordinator.participants)


def test_a_participant_that_dies_before_voting_aborts_everyone():
    stock = Participant("stock", crash="before_vote")
    coordinator = cluster(Participant("orders"), stock, Participant("payments"))
    assert coordinator.run(TX) == ABORT  # the missing vote timed out
    assert [p.status(TX) for p in coordinator.participants if p is not stock] == [ABORT, ABORT]
    stock.recover(coordinator)
    assert stock.status(TX) == ABORT  # it never promised; its work died with its memory
    assert not stock.holds_locks(TX)


def test_a_participant_that_dies_after_voting_yes_learns_the_outcome_on_recovery():
    stock = Participant("stock", crash="after_vote")
    coordinator = cluster(Participant("orders"), stock, Participant("payments"))
    assert coordinator.run(TX) == COMMIT  # its yes arrived before it died
    assert stock.status(TX) == PREPARED   # its log holds the promise, not the outcome
    stock.recover(coordinator)
    assert stock.in_doubt() == []
    assert statuses(coordinator) == [COMMIT] * 3


def test_a_coordinator_that_dies_after_prepare_blocks_everyone_who_voted_yes():
    coordinator = cluster(Participant("orders"), Participant("stock"), Participant("payments"),
                          crash="after_prepare")
    assert coordinator.run(TX) is None
    participants = coordinator.participants
    assert statuses(coordinator) == [PREPARED] * 3
    for _ in range(3):  # however long they wait and whoever they ask
        for participant in participants:
            participant.recover(coordinator)  # asking the coordinator times out
            peers = [peer for peer in participants if peer is not participant]
            assert participant.terminate(TX, peers) is None
            assert participant.holds_locks(TX)  # the rows stay locked for everyone else
    coordinator.recover()  # nothing was logged: presumed abort, and it tells them
    assert statuses(coordinator) == [ABORT] * 3
    assert not any(p.holds_locks(TX) for p in participants)


def test_the_log_decides_even_if_nobody_heard_it():
    coordinator = cluster(Participant("orders"), Participant("stock"), crash="after_decision")
    assert coordinator.run(TX) is None
    assert statuses(coordinator) == [PREPARED] * 2  # blocked: the outcome is on one disk only
    coordinator.recover()
    assert statuses(coordinator) == [COMMIT] * 2


def test_a_peer_that_voted_no_unblocks_the_others():
    coordinator = cluster(Participant("orders"), Participant("stock", vote=NO), Participant("payments"),
                          crash="after_prepare")
    coordinator.run(TX)
    orders, stock, payments = coordinator.participants
    assert orders.terminate(TX, [stock, payments]) == ABORT  # the outcome cannot be commit
    assert orders.status(TX) == ABORT and not orders.holds_locks(TX)


def test_a_message_to_a_crashed_node_times_out():
    node = Participant("orders")
    node.crash()
    try:
        node.prepare(TX)
    except Down:
        pass
    else:
        raise AssertionError("a crashed node answered")


votes = st.sampled_from([YES, NO])
participant_crashes = st.sampled_from([None, "before_vote", "after_vote"])


@given(st.lists(st.tuples(votes, participant_crashes), min_size=1, max_size=5),
       st.sampled_from([None, "after_prepare", "after_decision"]),
       st.randoms(use_true_random=False))
def test_atomicity_whatever_fails(specs, coordinator_crash, random):
    participants = [Participant(f"p{i}", vote=vote, crash=crash) for i, (vote, crash) in enumerate(specs)]
    coordinator = Coordinator(participants, crash=coordinator_crash)
    coordinator.run(TX)

    def never_mixed() -> None:
        done = {p.status(TX) for p in participants} & {COMMIT, ABORT}
        assert len(done) <= 1, [p.status(TX) for p in participants]

    never_mixed()
    # Recover everything, in any order; in-doubt participants retry after the coordinator.
    crashed = [p for p in participants if not p.up]
    order = crashed + ([coordinator] if not coordinator.up else [])
    random.shuffle(order)
    for node in order:
        node.recover() if node is coordinator else node.recover(coordinator)
        never_mixed()
    for participant in participants:
        participant.recover(coordinator)
    never_mixed()
    outcomes = {p.status(TX) for p in participants}
    everyone_promised = all(vote == YES and crash != "before_vote" for vote, crash in specs)
    expected = COMMIT if everyone_promised and coordinator_crash != "after_prepare" else ABORT
    assert outcomes == {expected}
    assert coordinator.outcome(TX) == expected
    assert not any(p.holds_locks(TX) for p in participants)
