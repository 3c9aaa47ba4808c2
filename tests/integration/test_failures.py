"""Faults injected into real devices, surfacing as the right exceptions.

scsi_debug facts these tests rest on (Linux 6.1, checked in this test bed):

* ``opts`` bit 2 (medium error) fails READs that touch ``medium_error_start`` ..
  ``+ medium_error_count`` with MEDIUM ERROR 11h/00h. Its fixed-format INFORMATION field is
  the larger of the READ's LBA and 1234h, so with the range at 1234h it is the first bad
  LBA; its descriptor-format sense carries no INFORMATION descriptor at all.
* Recovered (8), DIF (20h) and DIX (40h) errors fire on READ, every ``every_nth`` command.
  DIF and DIX come with host byte DID_ABORT beside CHECK CONDITION, as HBAs report
  protection errors; the judge goes by the sense.
* The transport error (10h) and TASK SET FULL (800h) are only injected on scsi_debug's
  deferred-response path: they need ``delay`` > 0.
* An injected timeout (4) makes scsi_debug drop the command; the kernel aborts it after
  the sg timeout and reports DID_TIME_OUT.
* Host busy (8000h) is SCSI_MLQUEUE_HOST_BUSY from queuecommand: the midlayer requeues the
  command, so an sg user never sees it (with every_nth=1 it requeues forever and hangs).
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from sgframe import Channel, command, errors, handler
from sgframe.judge import informational
from sgframe.status import HostStatus

BAD = 0x1234


@pytest.fixture
def disk(scsi_debug_devices, reactor):
    with Channel.from_path(scsi_debug_devices[0].sg, block_size=512, reactor=reactor) as channel:
        yield channel


def settle(channel):
    """Take the UNIT ATTENTIONs a device may still hold (LIO: REPORTED LUNS DATA HAS CHANGED)."""
    for _ in range(3):
        channel.cmd.TestUnitReady(verify_handler=handler.might_fail(errors.UnitAttention))


def answer(failure):
    return type(failure), failure.sense_key, failure.asc, failure.ascq


# --- medium errors ---------------------------------------------------------------------

def test_medium_error_names_the_first_bad_lba(disk, sdebug_params):
    sdebug_params(medium_error_start=BAD, medium_error_count=10, opts=2)
    with pytest.raises(errors.MediumError) as raised:
        disk.cmd.Read10(lba=BAD - 4, transfer_length=8)
    failure = raised.value
    assert (failure.sense_key, failure.asc, failure.ascq, failure.information) == (3, 0x11, 0x00, BAD)
    assert str(failure) == (
        f"READ(10) on {disk.name}: CHECK CONDITION, MEDIUM ERROR, Unrecovered read error [11h/00h], "
        f"information 0x{BAD:x}"
    )
    with pytest.raises(errors.MediumError) as raised:
        disk.cmd.Read16(lba=BAD + 3, transfer_length=1)
    assert raised.value.information == BAD + 3
    # Outside the range the same device reads fine.
    assert disk.cmd.Read10(lba=BAD - 4, transfer_length=4).ok
    assert disk.cmd.Read10(lba=BAD + 3, transfer_length=1,
                           verify_handler=handler.must_fail(errors.MediumError, asc=0x11, ascq=0x00)).ok


def test_medium_error_in_descriptor_format(disk, sdebug_params):
    sdebug_params(medium_error_start=BAD, medium_error_count=10, opts=2)
    with pytest.raises(errors.MediumError) as fixed:
        disk.cmd.Read10(lba=BAD, transfer_length=1)
    sdebug_params(dsense=1)
    with pytest.raises(errors.MediumError) as descriptor:
        disk.cmd.Read10(lba=BAD, transfer_length=1)
    assert fixed.value.sense.format == "fixed" and descriptor.value.sense.format == "descriptor"
    assert answer(fixed.value) == answer(descriptor.value) == (errors.MediumError, 3, 0x11, 0x00)
    assert fixed.value.information == BAD
    assert descriptor.value.information is None  # scsi_debug adds no INFORMATION descriptor


# --- faults every nth command ----------------------------------------------------------

FAULTS = [
    # opts, needs delay, expected class, sense key, ASC, ASCQ
    pytest.param(0x10, True, errors.AbortedCommand, 0xB, 0x4B, 0x03, id="transport"),
    pytest.param(0x20, False, errors.AbortedCommand, 0xB, 0x10, 0x01, id="dif"),
    pytest.param(0x40, False, errors.IllegalRequest, 0x5, 0x10, 0x01, id="dix"),
]


@pytest.mark.parametrize("dsense", [0, 1], ids=["fixed", "descriptor"])
@pytest.mark.parametrize("opts, delay, cls, key, asc, ascq", FAULTS)
def test_injected_faults_give_their_class(disk, sdebug_params, opts, delay, cls, key, asc, ascq, dsense):
    sdebug_params(dsense=dsense, delay=1 if delay else 0, opts=opts, every_nth=1)
    with pytest.raises(cls) as raised:
        disk.cmd.Read10(lba=0, transfer_length=1, timeout=5000)
    failure = raised.value
    assert type(failure) is cls
    assert answer(failure) == (cls, key, asc, ascq)
    assert failure.sense.format == ("descriptor" if dsense else "fixed")
    assert failure.status == 0x02
    if opts in (0x20, 0x40):
        assert failure.host_status == HostStatus.DID_ABORT
        assert str(failure).endswith("; host status DID_ABORT (the command was aborted)")
    assert disk.cmd.Read10(lba=0, transfer_length=1, timeout=5000,
                           verify_handler=handler.must_fail(cls, asc=asc, ascq=ascq)).ok


@pytest.mark.parametrize("dsense", [0, 1], ids=["fixed", "descriptor"])
def test_recovered_error_succeeds_but_is_visible(disk, sdebug_params, dsense):
    sdebug_params(dsense=dsense, opts=8, every_nth=1)
    io = disk.cmd.Read10(lba=0, transfer_length=1)
    assert io.ok and len(io.data) == 512
    assert io.hdr.status == 0x02
    seen = informational(io)
    assert answer(seen) == (errors.RecoveredError, 1, 0x5D, 0x00)
    assert disk.cmd.Read10(lba=0, transfer_length=1, verify_handler=handler.must_fail(errors.RecoveredError)).ok
    disk.recovered_error_policy = "raise"
    with pytest.raises(errors.RecoveredError) as raised:
        disk.cmd.Read10(lba=0, transfer_length=1)
    assert str(raised.value) == (
        f"READ(10) on {disk.name}: CHECK CONDITION, RECOVERED ERROR, Failure prediction threshold exceeded [5Dh/00h]"
    )


def test_task_set_full(scsi_debug_devices, reactor, sdebug_params):
    device = scsi_debug_devices[0]
    depth = Path(device.sysfs, "queue_depth")
    saved = depth.read_text().strip()
    sdebug_params(delay=2, opts=0x800, every_nth=1)
    depth.write_text("4\n")
    try:
        with Channel.from_path(device.sg, block_size=512, queue_depth=32, reactor=reactor) as channel:
            ios = [channel.cmd.Read10(lba=i, transfer_length=1, timeout=2000, async_=True) for i in range(32)]
            assert reactor.wait_for(lambda: all(io.returned for io in ios), 30)
            failed = [io.exception for io in ios if io.exception is not None]
            for io in ios:
                io.exception and setattr(io.exception, "observed", True)
    finally:
        depth.write_text(saved + "\n")
    assert failed, "scsi_debug injected no TASK SET FULL"
    assert {type(f) for f in failed} == {errors.TaskSetFull}
    assert str(failed[0]) == (
        f"READ(10) on {device.sg}: TASK SET FULL; host status DID_ABORT (the command was aborted)"
    )


def test_host_busy_is_requeued_by_linux_and_never_seen(disk, sdebug_params):
    sdebug_params(opts=0x8000, every_nth=3)
    ios = [disk.cmd.Read10(lba=i, transfer_length=1, timeout=5000) for i in range(6)]
    assert all(io.ok for io in ios)


# --- timeouts --------------------------------------------------------------------------

def test_timeout_while_other_devices_keep_completing(scsi_debug_devices, lio_devices, reactor):
    from sgframe.testbed import guest

    victim, *others = scsi_debug_devices
    channels = [Channel.from_path(d.sg, block_size=512, reactor=reactor) for d in [victim, *others, *lio_devices]]
    try:
        for channel in channels:
            settle(channel)
        stuck_channel, rest = channels[0], channels[1:]
        with guest.sdebug_params(opts=4, every_nth=1):
            started = time.monotonic()
            stuck = stuck_channel.cmd.Read10(lba=0, transfer_length=1, timeout=1000, async_=True)
            time.sleep(0.05)  # scsi_debug has dropped it; the next commands are not touched
        completed = 0
        while not stuck.returned:
            batch = [c.cmd.Read10(lba=completed % 64, transfer_length=1, async_=True) for c in rest]
            for io in batch:
                io.wait(10)
            completed += len(batch)
            assert time.monotonic() - started < 30
        took = time.monotonic() - started
        with pytest.raises(errors.CommandTimeout) as raised:
            stuck.wait()
        assert raised.value.host_status == HostStatus.DID_TIME_OUT
        assert str(raised.value) == f"READ(10) on {victim.sg}: host status DID_TIME_OUT (the command timed out)"
        assert took >= 1.0
        assert completed >= 10 * len(rest)
        # The device works again afterwards.
        assert stuck_channel.cmd.TestUnitReady(verify_handler=handler.might_fail(errors.UnitAttention)).ok
        assert stuck_channel.cmd.Read10(lba=0, transfer_length=1).ok
    finally:
        for channel in channels:
            channel.close()


def test_timeout_matches_must_fail_by_class_and_host_status(disk, sdebug_params):
    sdebug_params(opts=4, every_nth=1)
    io = disk.cmd.Read10(lba=0, transfer_length=1, timeout=500, async_=True)
    sdebug_params(opts=0, every_nth=0)
    io.verify_handler = handler.must_fail(errors.CommandTimeout, host_status=HostStatus.DID_TIME_OUT)
    io.wait(30)
    assert io.ok


# --- LIO -------------------------------------------------------------------------------

def test_lio_rejects_report_supported_operation_codes(lio_devices):
    with Channel.from_path(lio_devices[0].sg) as channel:
        settle(channel)
        with pytest.raises(errors.IllegalRequest) as raised:
            channel.cmd.ReportSupportedOperationCodes(allocation_length=4096)
        assert (raised.value.asc, raised.value.ascq) == (0x20, 0x00)
        assert str(raised.value).startswith(
            f"REPORT SUPPORTED OPERATION CODES on {lio_devices[0].sg}: CHECK CONDITION, ILLEGAL REQUEST, "
            "Invalid command operation code [20h/00h]"
        )
        io = channel.cmd.ReportSupportedOperationCodes(
            allocation_length=4096, verify_handler=handler.must_fail(errors.IllegalRequest, asc=0x20, ascq=0x00))
        assert io.ok


def test_lio_lba_out_of_range(lio_devices):
    with Channel.from_path(lio_devices[0].sg) as channel:
        settle(channel)
        with pytest.raises(errors.IllegalRequest) as raised:
            channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1)
        assert (raised.value.asc, raised.value.ascq) == (0x21, 0x00)


def test_commands_still_work_after_the_faults(scsi_debug_devices):
    # The sdebug_params fixture restored everything: nothing here is injected any more.
    with Channel.from_path(scsi_debug_devices[0].sg, block_size=512) as channel:
        assert channel.cmd.Read10(lba=BAD, transfer_length=1).ok
        assert channel.execute(command.TestUnitReady()).ok
