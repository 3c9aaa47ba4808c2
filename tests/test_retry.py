"""Retry policies: opt-in, per command, channel or reactor; on the emulated disk."""
from __future__ import annotations

import time

import pytest

from sgframe import Channel, command, errors, handler
from sgframe.retry import TRANSIENT, RetryPolicy

URI = "emu:disk?blocks=4096&block_size=512"


@pytest.fixture
def channel(reactor):
    with Channel.open(URI, reactor=reactor, block_size=512) as channel:
        yield channel


def test_nothing_is_retried_by_default(channel):
    channel.transport.device.reset()
    with pytest.raises(errors.UnitAttention) as raised:
        channel.cmd.TestUnitReady()
    assert (raised.value.asc, raised.value.ascq) == (0x29, 0x00)
    assert raised.value.io.attempts == 1
    channel.transport.device.inject(0x00, 0x08)
    with pytest.raises(errors.Busy):
        channel.cmd.TestUnitReady()


def test_a_retried_unit_attention_succeeds(channel):
    channel.transport.device.reset()
    io = channel.cmd.TestUnitReady(retry=RetryPolicy())
    assert io.ok and io.attempts == 2


def test_a_retried_busy_succeeds_after_the_backoff(channel):
    channel.transport.device.inject(0x28, 0x08, count=2)
    started = time.monotonic()
    io = channel.cmd.Read10(lba=0, transfer_length=1, retry=RetryPolicy(attempts=3, backoff=0.05, factor=2))
    took = time.monotonic() - started
    assert io.ok and io.attempts == 3
    assert took >= 0.05 + 0.1 - 0.01


def test_attempts_bound_the_retries(channel):
    channel.transport.device.inject(0x00, 0x08, count=5)
    with pytest.raises(errors.Busy) as raised:
        channel.cmd.TestUnitReady(retry=RetryPolicy(attempts=3))
    assert raised.value.io.attempts == 3


def test_failures_not_named_are_not_retried(channel):
    channel.transport.device.inject(0x00, sense=(0x3, 0x11, 0x00))
    with pytest.raises(errors.MediumError) as raised:
        channel.cmd.TestUnitReady(retry=RetryPolicy())
    assert raised.value.io.attempts == 1


def test_predicate_conditions(channel):
    policy = RetryPolicy(conditions=(lambda failure: failure.asc == 0x04,), attempts=2)
    channel.transport.device.inject(0x00, sense=(0x2, 0x04, 0x01))
    assert channel.cmd.TestUnitReady(retry=policy).attempts == 2
    channel.transport.device.inject(0x00, sense=(0x2, 0x3A, 0x00))
    with pytest.raises(errors.NotReady):
        channel.cmd.TestUnitReady(retry=policy)


def test_channel_policy(channel):
    channel.retry_policy = RetryPolicy(conditions=(errors.TaskSetFull,))
    channel.transport.device.inject(0x00, 0x28)
    assert channel.cmd.TestUnitReady().attempts == 2


def test_reactor_policy_and_precedence(channel):
    channel.reactor.retry_policy = RetryPolicy(conditions=(errors.Busy,))
    channel.transport.device.inject(0x00, 0x08)
    assert channel.cmd.TestUnitReady().attempts == 2
    # The channel's policy is asked first, and it does not name BUSY.
    channel.retry_policy = RetryPolicy(conditions=(errors.UnitAttention,))
    channel.transport.device.inject(0x00, 0x08)
    with pytest.raises(errors.Busy):
        channel.cmd.TestUnitReady()
    # The command's policy is asked before the channel's.
    channel.transport.device.inject(0x00, 0x08)
    assert channel.cmd.TestUnitReady(retry=RetryPolicy(conditions=(errors.Busy,))).attempts == 2


def test_asynchronous_retries_with_backoff_complete_through_the_reactor(channel):
    disk = channel.transport.device
    disk.inject(0x28, 0x08, count=4)
    policy = RetryPolicy(attempts=3, backoff=0.01)
    ios = channel.execute_many([command.Read10(lba=i, transfer_length=1) for i in range(6)], retry=policy)
    channel.wait(5)
    assert all(io.ok for io in ios)
    # The emulated disk answers at submission: the first four sent met the four BUSYs.
    assert [io.attempts for io in ios] == [2, 2, 2, 2, 1, 1]


def test_only_the_last_attempt_reaches_the_handlers(channel):
    seen = []
    cmd = command.TestUnitReady()
    cmd.add_handler(lambda io: seen.append((io.attempts, io.ok, io.exception)))
    channel.transport.device.inject(0x00, 0x08, count=2)
    channel.execute(cmd, retry=RetryPolicy(attempts=5))
    assert seen == [(3, True, None)]


def test_retry_combines_with_a_verify_handler(channel):
    channel.transport.device.inject(0x00, 0x08, count=9)
    io = channel.cmd.TestUnitReady(retry=RetryPolicy(attempts=2), verify_handler=handler.must_fail(errors.Busy))
    assert io.ok and io.attempts == 2


def test_should_retry_directly():
    policy = RetryPolicy(conditions=(errors.Busy,), attempts=4, backoff=0.5, factor=3, max_backoff=2)

    class FakeIo:
        attempts = 1

    io = FakeIo()
    assert policy.should_retry(io, None) is None
    assert policy.should_retry(io, errors.MediumError()) is None
    assert policy.should_retry(io, errors.Busy()) == 0.5
    io.attempts = 2
    assert policy.should_retry(io, errors.Busy()) == 1.5
    io.attempts = 3
    assert policy.should_retry(io, errors.Busy()) == 2  # capped
    io.attempts = 4
    assert policy.should_retry(io, errors.Busy()) is None


def test_defaults():
    policy = RetryPolicy()
    assert policy.conditions == TRANSIENT == (errors.UnitAttention, errors.Busy, errors.TaskSetFull)
    assert (policy.attempts, policy.backoff, policy.factor, policy.max_backoff) == (3, 0.0, 2.0, None)


@pytest.mark.parametrize("kwargs, message", [
    (dict(conditions=()), "at least one condition"),
    (dict(conditions=(int,)), "int is not an exception class"),
    (dict(conditions=(3,)), "an exception class or a predicate"),
    (dict(attempts=0), "attempts must be an int >= 1"),
    (dict(attempts=2.5), "attempts must be an int >= 1"),
    (dict(backoff=-1), "backoff must be a number of seconds >= 0"),
    (dict(factor=0.5), "factor must be a number >= 1"),
    (dict(max_backoff=-0.1), "max_backoff must be a number of seconds >= 0"),
])
def test_bad_policies_are_usage_errors(kwargs, message):
    with pytest.raises(errors.UsageError, match=message):
        RetryPolicy(**kwargs)


def test_policies_are_frozen_values():
    assert RetryPolicy() == RetryPolicy()
    with pytest.raises(AttributeError):
        RetryPolicy().attempts = 5


@pytest.mark.parametrize("kind", ["device", "target", "bus", "host"])
def test_a_reset_is_reported_as_a_unit_attention_and_a_policy_absorbs_it(channel, kind):
    channel.reset(kind)
    with pytest.raises(errors.UnitAttention) as raised:
        channel.cmd.TestUnitReady()
    assert (raised.value.asc, raised.value.ascq) == (0x29, 0x00)
    assert channel.cmd.TestUnitReady().ok
    channel.reset(kind)
    assert channel.cmd.TestUnitReady(retry=RetryPolicy(conditions=(errors.UnitAttention,))).attempts == 2


def test_reset_kind_is_checked(channel):
    with pytest.raises(errors.UsageError, match="reset kind 'lun'"):
        channel.reset("lun")
