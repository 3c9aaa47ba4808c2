"""The issue's example session and the handler chain, on the real sg driver."""
from __future__ import annotations

import re

import pytest

from sgframe import Channel, Reactor, command, errors, handler


@pytest.fixture
def sg_path(scsi_debug_devices):
    return scsi_debug_devices[0].sg


def test_the_issue_example_on_scsi_debug(sg_path, capsys):
    channel = Channel.from_path(sg_path)
    try:
        def print_duration(io):
            print(f"{io!r} took {io.hdr.duration} milliseconds")

        cmd = command.Read10(lba=0, transfer_length=1)
        cmd.add_handler(print_duration)
        channel.execute(cmd)
        out = capsys.readouterr().out
        assert re.fullmatch(r"Input\(timeout=60000, returned=True\) took \d+ milliseconds\n", out), out
        with pytest.raises(errors.IllegalRequest) as raised:
            channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1)
        assert str(raised.value).startswith(
            f"READ(16) on {sg_path}: CHECK CONDITION, ILLEGAL REQUEST, Logical block address out of range [21h/00h]"
        )
        assert channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1, verify_handler=handler.must_fail).ok
        assert channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1,
                                  verify_handler=handler.must_fail(errors.IllegalRequest, asc=0x21, ascq=0x00)).ok
        with pytest.raises(errors.ExpectationFailed) as failed:
            channel.cmd.TestUnitReady(verify_handler=handler.must_fail)
        assert str(failed.value) == f"TEST UNIT READY on {sg_path}: expected a failure; it succeeded"
    finally:
        channel.close()


def test_the_example_on_lio(lio_devices, capsys):
    with Channel.from_path(lio_devices[0].sg) as channel:
        for _ in range(3):  # LIO may still hold REPORTED LUNS DATA HAS CHANGED from the boot
            channel.cmd.TestUnitReady(verify_handler=handler.might_fail(errors.UnitAttention))
        cmd = command.Read10(lba=0, transfer_length=1)
        cmd.add_handler(handler.print_duration)
        channel.execute(cmd)
        assert re.fullmatch(r"Input\(timeout=60000, returned=True\) took \d+ milliseconds\n", capsys.readouterr().out)
        with pytest.raises(errors.ExpectationFailed, match=r"expected MediumError; it failed with IllegalRequest"):
            channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1, verify_handler=handler.must_fail(errors.MediumError))


def test_expect_data_after_write(sg_path):
    with Channel.from_path(sg_path, block_size=512) as channel:
        channel.cmd.Write10(lba=40, transfer_length=1, data=b"\xa5" * 512)
        assert channel.cmd.Read10(lba=40, transfer_length=1, verify_handler=handler.expect_data(b"\xa5" * 512)).ok
        with pytest.raises(errors.ExpectationFailed, match="at offset 0: expected 0000000000000000, got a5a5a5a5a5a5a5a5"):
            channel.cmd.Read10(lba=40, transfer_length=1, verify_handler=handler.expect_data(bytes(512)))


def test_a_raising_handler_spares_the_reactor_and_other_devices(scsi_debug_devices):
    with Reactor() as reactor:
        channels = [Channel.from_path(d.sg, block_size=512, reactor=reactor) for d in scsi_debug_devices]
        try:
            def broken(io):
                raise RuntimeError("handler bug")

            seen = []
            reactor.handlers.append(lambda io: seen.append(io.channel.name))
            bad = command.Read10(lba=0, transfer_length=1)
            bad.add_handler(broken)
            failing = channels[0].execute(bad, async_=True)
            good = [c.cmd.Read10(lba=i, transfer_length=1, async_=True) for c in channels for i in range(8)]
            reactor.wait_for(lambda: failing.returned and all(io.returned for io in good), 10)
            with pytest.raises(RuntimeError, match="handler bug"):
                failing.wait()
            assert all(io.ok for io in good)
            assert len(seen) == 1 + len(good)  # the reactor's handler still saw every completion
            assert channels[0].cmd.TestUnitReady().ok
        finally:
            for channel in channels:
                channel.close()


def test_handler_order_on_sg(sg_path):
    with Reactor() as reactor, Channel.from_path(sg_path, reactor=reactor) as channel:
        order = []
        cmd = command.TestUnitReady()
        cmd.add_handler(lambda io: order.append("command"))
        channel.handlers.append(lambda io: order.append("channel"))
        reactor.handlers.append(lambda io: order.append("reactor"))
        channel.execute(cmd, async_=True).wait(5)
        channel.execute(cmd)
        assert order == ["command", "channel", "reactor"] * 2
