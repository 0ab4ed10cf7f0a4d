"""The saga, as a specification: whichever step fails, and whatever the network does to the
messages, the purchase ends all done or nothing done; compensations run newest first; and
retried or duplicated messages never apply an action or a compensation twice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algorithms.saga import FATES, PRICE, Payments, business_state, purchase

KEY = "order-101"
STEPS = ["reserve seat", "charge card", "confirm order", "issue ticket"]


def test_with_no_failure_everything_is_done():
    saga, services = purchase()
    assert saga.run(KEY) == "completed"
    assert business_state(services, KEY) == "all done"
    assert [name for kind, name in saga.log if kind == "undo"] == []


@pytest.mark.parametrize("k", range(len(STEPS)))
def test_when_step_k_fails_the_steps_before_it_are_undone_newest_first(k):
    saga, services = purchase(fail_at=k)
    assert saga.run(KEY) == "compensated"
    assert business_state(services, KEY) == "nothing done"
    assert [name for kind, name in saga.log if kind == "do"] == STEPS[:k + 1]
    assert [name for kind, name in saga.log if kind == "undo"] == STEPS[k::-1]
    # What really happened in the services: steps before k done then undone; k and later untouched.
    for index, service in enumerate(services):
        expected = [("do", KEY), ("undo", KEY)] if index < k else []
        assert service.effects == expected, service.name


def test_a_compensation_delivered_twice_refunds_once():
    payments = Payments()
    payments.do(KEY)
    payments.undo(KEY)
    payments.undo(KEY)
    assert payments.ledger == [PRICE, -PRICE]


def test_a_charge_that_arrives_after_its_refund_is_refused():
    payments = Payments()
    payments.undo(KEY)  # the charge timed out, the saga compensated, the charge was still in flight
    with pytest.raises(Exception, match="compensated"):
        payments.do(KEY)
    assert payments.ledger == []


def test_a_lost_reply_is_retried_and_applied_once():
    # The charge runs but its reply is lost; the retry finds it done.
    saga, services = purchase(fates=["ok", "no_reply"])
    assert saga.run(KEY) == "completed"
    assert services[1].ledger == [PRICE]


def test_a_step_that_never_answers_is_compensated_as_if_it_had_run():
    # Every charge attempt runs but never answers: the saga gives up and refunds it too.
    saga, services = purchase(fates=["ok", "no_reply", "no_reply", "no_reply"])
    assert saga.run(KEY) == "compensated"
    assert services[1].ledger == [PRICE, -PRICE]
    assert business_state(services, KEY) == "nothing done"


@given(st.one_of(st.none(), st.integers(min_value=0, max_value=len(STEPS) - 1)),
       st.lists(st.sampled_from(FATES), max_size=30),
       st.integers(min_value=1, max_value=4))
def test_all_or_nothing_whatever_fails_and_whatever_the_network_does(k, fates, attempts):
    saga, services = purchase(fail_at=k, fates=fates, attempts=attempts)
    result = saga.run(KEY)
    state = business_state(services, KEY)
    assert state == ("all done" if result == "completed" else "nothing done")
    if k is not None:
        assert result == "compensated"
    done = [name for kind, name in saga.log if kind == "do"]
    undone = [name for kind, name in saga.log if kind == "undo"]
    assert undone in ([], done[::-1])  # every started step, newest first
    for service in services:  # idempotent: each action and each compensation applied at most once
        assert service.effects.count(("do", KEY)) <= 1
        assert service.effects.count(("undo", KEY)) <= 1
