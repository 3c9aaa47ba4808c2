"""The handler chain and the verifiers of sgframe.handler, on the emulated disk."""
from __future__ import annotations

import logging

import pytest

from sgframe.judge import exception_for
from sgframe import Channel, command, errors, handler

URI = "emu:disk?blocks=4096&block_size=512"


@pytest.fixture
def channel(reactor):
    with Channel.open(URI, reactor=reactor) as channel:
        yield channel


def out_of_range(channel, **options):
    return channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1, **options)


# --- the issue's example, line by line ------------------------------------------------

def test_the_issue_example(channel, capsys):
    def print_duration(io):
        print(f"{io!r} took {io.hdr.duration} milliseconds")

    cmd = command.Read10(lba=0, transfer_length=1)
    assert cmd.add_handler(print_duration) is None
    channel.execute(cmd)
    assert capsys.readouterr().out == "Input(timeout=60000, returned=True) took 0 milliseconds\n"
    with pytest.raises(errors.IllegalRequest) as raised:
        out_of_range(channel)
    assert str(raised.value) == (
        f"READ(16) on {URI}: CHECK CONDITION, ILLEGAL REQUEST, Logical block address out of range [21h/00h]"
    )
    assert out_of_range(channel, verify_handler=handler.must_fail).ok
    assert out_of_range(channel, verify_handler=handler.must_fail(errors.IllegalRequest, asc=0x21, ascq=0x00)).ok
    with pytest.raises(errors.ExpectationFailed) as failed:
        channel.cmd.TestUnitReady(verify_handler=handler.must_fail)
    assert str(failed.value) == f"TEST UNIT READY on {URI}: expected a failure; it succeeded"


def test_print_duration_is_shipped(channel, capsys):
    cmd = command.TestUnitReady()
    cmd.add_handler(handler.print_duration)
    channel.execute(cmd)
    assert capsys.readouterr().out == "NoDirectionIo(timeout=60000, returned=True) took 0 milliseconds\n"


def test_log_duration(channel, caplog):
    log = logging.getLogger("test.sgframe.duration")
    channel.handlers.append(handler.log_duration(log, logging.WARNING))
    with caplog.at_level(logging.WARNING, logger="test.sgframe.duration"):
        channel.cmd.TestUnitReady()
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, f"TEST UNIT READY on {URI} took 0 milliseconds")
    ]


# --- must_fail -------------------------------------------------------------------------

@pytest.mark.parametrize("expectation", [
    dict(),
    dict(sense_key=0x5),
    dict(asc=0x21),
    dict(asc=0x21, ascq=0x00),
    dict(status=0x02),
    dict(host_status=0),
])
def test_must_fail_matching_expectations_pass(channel, expectation):
    io = out_of_range(channel, verify_handler=handler.must_fail(**expectation))
    assert io.ok and io.exception is None
    assert io.hdr.status == 0x02  # the failure happened; it was expected


def test_must_fail_takes_several_classes_and_base_classes(channel):
    assert out_of_range(channel, verify_handler=handler.must_fail(errors.MediumError, errors.IllegalRequest)).ok
    assert out_of_range(channel, verify_handler=handler.must_fail(errors.CheckCondition)).ok
    assert out_of_range(channel, verify_handler=handler.must_fail(errors.TaskFailed, sense_key=5)).ok


@pytest.mark.parametrize("expectation, wanted", [
    ((errors.MediumError,), "MediumError"),
    ((errors.IllegalRequest,), None),
    ((), "a failure with sense key MEDIUM ERROR"),
    ((errors.IllegalRequest,), "IllegalRequest with ASC/ASCQ 24h/00h"),
    ((), "a failure with ASC/ASCQ 21h/01h"),
    ((), "a failure with status BUSY"),
    ((), "a failure with host status DID_TIME_OUT"),
])
def test_must_fail_wrong_failure_says_what_was_expected_and_what_happened(channel, expectation, wanted):
    parts = {
        "MediumError": {},
        "a failure with sense key MEDIUM ERROR": dict(sense_key=3),
        "IllegalRequest with ASC/ASCQ 24h/00h": dict(asc=0x24, ascq=0),
        "a failure with ASC/ASCQ 21h/01h": dict(asc=0x21, ascq=1),
        "a failure with status BUSY": dict(status=0x08),
        "a failure with host status DID_TIME_OUT": dict(host_status=3),
    }
    if wanted is None:
        assert out_of_range(channel, verify_handler=handler.must_fail(*expectation)).ok
        return
    with pytest.raises(errors.ExpectationFailed) as failed:
        out_of_range(channel, verify_handler=handler.must_fail(*expectation, **parts[wanted]))
    assert str(failed.value) == (
        f"READ(16) on {URI}: expected {wanted}; it failed with IllegalRequest: CHECK CONDITION, "
        "ILLEGAL REQUEST, Logical block address out of range [21h/00h]"
    )
    assert type(failed.value.__cause__) is errors.IllegalRequest
    assert failed.value.io.command.NAME == "READ(16)"


def test_must_fail_on_success_names_the_expectation(channel):
    with pytest.raises(errors.ExpectationFailed) as failed:
        channel.cmd.TestUnitReady(verify_handler=handler.must_fail(errors.UnitAttention, asc=0x29))
    assert str(failed.value) == f"TEST UNIT READY on {URI}: expected UnitAttention with ASC/ASCQ 29h/xx; it succeeded"


def test_must_fail_asynchronously(channel):
    io = out_of_range(channel, async_=True, verify_handler=handler.must_fail(errors.IllegalRequest))
    io.wait()
    assert io.ok
    io = channel.cmd.TestUnitReady(async_=True, verify_handler=handler.must_fail)
    with pytest.raises(errors.ExpectationFailed):
        io.wait()


def test_must_fail_recovered_error_is_seen_although_it_counts_as_success(channel):
    disk = channel.transport.device
    disk.inject(0x00, sense=(0x1, 0x5D, 0x00))
    assert channel.cmd.TestUnitReady(verify_handler=handler.must_fail(errors.RecoveredError, asc=0x5D)).ok
    disk.inject(0x00, sense=(0x1, 0x5D, 0x00))
    assert channel.cmd.TestUnitReady(verify_handler=handler.must_fail(sense_key=1)).ok
    disk.inject(0x00, sense=(0x1, 0x5D, 0x00))
    with pytest.raises(errors.ExpectationFailed) as failed:
        channel.cmd.TestUnitReady(verify_handler=handler.must_fail)
    assert str(failed.value) == (
        f"TEST UNIT READY on {URI}: expected a failure; it succeeded with CHECK CONDITION, "
        "RECOVERED ERROR, Failure prediction threshold exceeded [5Dh/00h]"
    )


# --- might_fail ------------------------------------------------------------------------

def test_might_fail_bare_accepts_anything(channel):
    assert channel.cmd.TestUnitReady(verify_handler=handler.might_fail).ok
    assert out_of_range(channel, verify_handler=handler.might_fail).ok


def test_might_fail_with_expectation(channel):
    expectation = handler.might_fail(errors.IllegalRequest, asc=0x21)
    assert channel.cmd.TestUnitReady(verify_handler=expectation).ok
    assert out_of_range(channel, verify_handler=expectation).ok
    with pytest.raises(errors.ExpectationFailed) as failed:
        out_of_range(channel, verify_handler=handler.might_fail(errors.UnitAttention))
    assert str(failed.value).startswith(
        f"READ(16) on {URI}: expected success or UnitAttention; it failed with IllegalRequest: CHECK CONDITION"
    )


# --- the expectation's own checks ----------------------------------------------------

@pytest.mark.parametrize("args, kwargs, message", [
    ((int,), {}, "expected failures are exception classes"),
    (("IllegalRequest",), {}, "expected failures are exception classes"),
    ((), dict(asq=1), "unknown expectation asq="),
    ((), dict(sense_key=16), "sense_key=16: give an int 0..0xf"),
    ((), dict(asc=-1), "asc=-1: give an int 0..0xff"),
    ((), dict(ascq=True), "ascq=True"),
    ((), dict(status="busy"), "status='busy'"),
])
def test_bad_expectations_are_usage_errors(args, kwargs, message):
    with pytest.raises(errors.UsageError, match=message.replace("(", r"\(").replace(".", r"\.")):
        handler.must_fail(*args, **kwargs)


def test_an_expectation_is_not_extended_twice():
    with pytest.raises(errors.UsageError, match="already has an expectation"):
        handler.must_fail(errors.IllegalRequest)(asc=0x21)


def test_reprs():
    assert repr(handler.must_fail) == "handler.must_fail"
    assert repr(handler.might_fail) == "handler.might_fail"
    assert repr(handler.must_fail(errors.IllegalRequest, asc=0x21, ascq=0x00)) == \
        "handler.must_fail(IllegalRequest, asc=0x21, ascq=0x00)"
    assert repr(handler.expect_data(b"ab")) == "handler.expect_data(2 bytes 6162)"


def test_expectation_matches_only_given_parts():
    expectation = handler.Expectation.build(errors.IllegalRequest, asc=0x21)
    failure = exception_for(2, sense=bytes.fromhex("700005000000000a00000000210000000000"))
    assert expectation.matches(failure)
    assert not expectation.matches(None)
    assert not expectation.matches(errors.Busy())
    assert not handler.Expectation.build(asc=0x21, ascq=1).matches(failure)
    assert handler.Expectation().anything and not expectation.anything


# --- expect_data -----------------------------------------------------------------------

def test_expect_data_bytes(channel):
    channel.cmd.Write10(lba=3, transfer_length=1, data=b"x" * 512)
    assert channel.cmd.Read10(lba=3, transfer_length=1, verify_handler=handler.expect_data(b"x" * 512)).ok
    with pytest.raises(errors.ExpectationFailed) as failed:
        channel.cmd.Read10(lba=3, transfer_length=1, verify_handler=handler.expect_data(b"x" * 10 + b"y" * 502))
    assert str(failed.value) == (
        f"READ(10) on {URI}: data differs from the expected 512 bytes at offset 10: "
        "expected 7979797979797979, got 7878787878787878"
    )
    with pytest.raises(errors.ExpectationFailed) as failed:
        channel.cmd.Read10(lba=3, transfer_length=1, verify_handler=handler.expect_data(b"x" * 513))
    assert str(failed.value) == (
        f"READ(10) on {URI}: data differs from the expected 513 bytes at offset 512 (512 bytes came back)"
    )


def test_expect_data_callable(channel):
    def all_zero(data):
        return data == bytes(len(data))

    assert channel.cmd.Read10(lba=9, transfer_length=1, verify_handler=handler.expect_data(all_zero)).ok
    channel.cmd.Write10(lba=9, transfer_length=1, data=b"z" * 512)
    with pytest.raises(errors.ExpectationFailed) as failed:
        channel.cmd.Read10(lba=9, transfer_length=1, verify_handler=handler.expect_data(all_zero))
    assert str(failed.value) == f"READ(10) on {URI}: all_zero rejected the 512 bytes that came back"
    # A callable that returns None (assert-style) accepts; one that raises rejects with its exception.
    assert channel.cmd.Read10(lba=9, transfer_length=1, verify_handler=handler.expect_data(lambda d: None)).ok

    def must_be_empty(data):
        raise ValueError(f"{len(data)} bytes")

    with pytest.raises(ValueError, match="512 bytes"):
        channel.cmd.Read10(lba=9, transfer_length=1, verify_handler=handler.expect_data(must_be_empty))


def test_expect_data_as_an_observer_on_the_command(channel):
    cmd = command.Read10(lba=11, transfer_length=1)
    cmd.add_handler(handler.expect_data(b"\0" * 512))
    assert channel.execute(cmd).ok
    channel.cmd.Write10(lba=11, transfer_length=1, data=b"q" * 512)
    with pytest.raises(errors.ExpectationFailed):
        channel.execute(cmd)


def test_expect_data_keeps_the_device_failure(channel):
    with pytest.raises(errors.IllegalRequest):
        out_of_range(channel, verify_handler=handler.expect_data(b""))


def test_expect_data_rejects_other_types():
    with pytest.raises(errors.UsageError, match="bytes or a callable, not int"):
        handler.expect_data(3)


# --- the chain -------------------------------------------------------------------------

def test_handlers_run_command_then_channel_then_reactor(channel):
    order = []
    cmd = command.TestUnitReady()
    cmd.add_handler(lambda io: order.append("command 1"))
    cmd.add_handler(lambda io: order.append("command 2"))
    channel.handlers.append(lambda io: order.append("channel"))
    channel.reactor.handlers.append(lambda io: order.append("reactor"))
    channel.execute(cmd)
    assert order == ["command 1", "command 2", "channel", "reactor"]


def test_observers_see_the_verdict_after_verification(channel):
    seen = []
    channel.block_size = 512  # no READ CAPACITY to observe
    channel.handlers.append(lambda io: seen.append((io.returned, type(io.exception).__name__)))
    out_of_range(channel, verify_handler=handler.must_fail)
    with pytest.raises(errors.IllegalRequest):
        out_of_range(channel)
    assert seen == [(True, "NoneType"), (True, "IllegalRequest")]


def test_the_same_cdb_value_with_and_without_handlers(channel):
    calls = []
    with_handler = command.TestUnitReady()
    with_handler.add_handler(calls.append)
    plain = command.TestUnitReady()
    assert with_handler == plain and hash(with_handler) == hash(plain)
    channel.execute(plain)
    assert calls == []
    channel.execute(with_handler)
    assert len(calls) == 1


def test_a_raising_handler_fails_its_command_only(channel):
    boom = RuntimeError("handler bug")

    def broken(io):
        raise boom

    bad = command.Read10(lba=0, transfer_length=1)
    bad.add_handler(broken)
    after = []
    bad.add_handler(lambda io: after.append(io.exception))
    ios = [channel.execute(command.Read10(lba=i, transfer_length=1), async_=True) for i in range(4)]
    failing = channel.execute(bad, async_=True)
    ios += [channel.execute(command.Read10(lba=i, transfer_length=1), async_=True) for i in range(4)]
    with pytest.raises(RuntimeError):
        failing.wait()
    for io in ios:
        io.wait()
        assert io.ok
    assert after == [boom]  # later handlers still ran, and saw the failure
    assert channel.cmd.TestUnitReady().ok  # the reactor carries on
    with pytest.raises(RuntimeError):
        channel.execute(bad)


def test_a_raising_reactor_handler_does_not_stop_other_channels(reactor):
    with Channel.open(URI, reactor=reactor) as first, Channel.open(URI, reactor=reactor) as second:
        def picky(io):
            if io.channel is first:
                raise ValueError("no")

        reactor.handlers.append(picky)
        a = first.cmd.TestUnitReady(async_=True)
        b = second.cmd.TestUnitReady(async_=True)
        reactor.wait_for(lambda: a.returned and b.returned, 5)
        assert type(a.exception) is ValueError
        assert b.ok
