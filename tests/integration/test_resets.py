"""channel.reset() through SG_SCSI_RESET, and the UNIT ATTENTION that follows.

scsi_debug (Linux 6.1) reports a LOGICAL UNIT RESET as 29h/00h (POWER ON, RESET, OR BUS
DEVICE RESET OCCURRED) on that logical unit only, and target, bus and host resets as
29h/02h (SCSI BUS RESET OCCURRED) on every logical unit they reach. Linux passes the
UNIT ATTENTION through to sg users: the midlayer never retries a passthrough CHECK
CONDITION.
"""
from __future__ import annotations

import pytest

from sgframe import Channel, errors, handler
from sgframe.retry import RetryPolicy

ASCQ = {"device": 0x00, "target": 0x02, "bus": 0x02, "host": 0x02}


def clear_unit_attentions(devices) -> None:
    for device in devices:
        with Channel.from_path(device.sg) as channel:
            for _ in range(3):
                channel.cmd.TestUnitReady(verify_handler=handler.might_fail(errors.UnitAttention))


@pytest.fixture
def devices(scsi_debug_devices):
    clear_unit_attentions(scsi_debug_devices)
    yield scsi_debug_devices
    clear_unit_attentions(scsi_debug_devices)


@pytest.mark.parametrize("kind", ["device", "target", "bus", "host"])
def test_reset_is_followed_by_a_unit_attention(devices, kind):
    with Channel.from_path(devices[0].sg) as channel:
        channel.reset(kind)
        with pytest.raises(errors.UnitAttention) as raised:
            channel.cmd.TestUnitReady()
        failure = raised.value
        assert (failure.sense_key, failure.asc, failure.ascq) == (6, 0x29, ASCQ[kind])
        text = {0x00: "Power on, reset, or bus device reset occurred", 0x02: "SCSI bus reset occurred"}[ASCQ[kind]]
        assert str(failure) == (
            f"TEST UNIT READY on {devices[0].sg}: CHECK CONDITION, UNIT ATTENTION, {text} [29h/{ASCQ[kind]:02X}h]"
        )
        # Reported once: the next command runs normally.
        assert channel.cmd.TestUnitReady().ok


def test_device_reset_reaches_only_that_logical_unit(devices):
    with Channel.from_path(devices[0].sg) as channel:
        channel.reset("device")
    with Channel.from_path(devices[1].sg) as neighbour:
        assert neighbour.cmd.TestUnitReady().ok
    with Channel.from_path(devices[0].sg) as channel:
        assert channel.cmd.TestUnitReady(verify_handler=handler.must_fail(errors.UnitAttention, asc=0x29)).ok


def test_bus_reset_reaches_every_logical_unit(devices):
    with Channel.from_path(devices[0].sg) as channel:
        channel.reset("bus")
    for device in devices:
        with Channel.from_path(device.sg) as each:
            each.cmd.TestUnitReady(verify_handler=handler.must_fail(errors.UnitAttention, asc=0x29, ascq=0x02))


def test_a_retry_policy_absorbs_the_unit_attention(devices):
    with Channel.from_path(devices[0].sg) as channel:
        channel.reset("device")
        io = channel.cmd.TestUnitReady(retry=RetryPolicy(conditions=(errors.UnitAttention,)))
        assert io.ok and io.attempts == 2


def test_a_channel_retry_policy_absorbs_it_for_reads(devices):
    with Channel.from_path(devices[0].sg, block_size=512) as channel:
        channel.retry_policy = RetryPolicy()
        channel.reset("device")
        io = channel.cmd.Read10(lba=0, transfer_length=1, async_=True)
        io.wait(10)
        assert io.ok and io.attempts == 2 and len(io.data) == 512


def test_reset_kind_is_checked(devices):
    with Channel.from_path(devices[0].sg) as channel:
        with pytest.raises(errors.UsageError, match="reset kind 'lun'"):
            channel.reset("lun")


def test_lio_logical_unit_reset(lio_devices):
    with Channel.from_path(lio_devices[0].sg) as channel:
        channel.cmd.TestUnitReady(verify_handler=handler.might_fail(errors.UnitAttention))
        channel.reset("device")
        # LIO reports the reset to the initiator port that did not ask for it only; through
        # tcm_loop the initiator is the one that asked, so a UNIT ATTENTION may or may not come.
        channel.cmd.TestUnitReady(verify_handler=handler.might_fail(errors.UnitAttention, asc=0x29))
        assert channel.cmd.TestUnitReady().ok
