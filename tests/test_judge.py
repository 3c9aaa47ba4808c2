"""Every failure class, judged from a completion: through the emulated disk (what it can
answer) and through a transport that returns a chosen header (host and driver bytes,
which only a kernel sets)."""
from __future__ import annotations

import pytest

from sgframe import Channel, command, errors
from sgframe.judge import device_verdict, informational, judge
from sgframe.sense import build_descriptor_sense, build_fixed_sense
from sgframe.status import HostStatus
from sgframe.transport.base import Transport


@pytest.fixture
def channel(reactor):
    with Channel.open("emu:disk?blocks=4096&block_size=512", reactor=reactor) as channel:
        yield channel


class HeaderTransport(Transport):
    """Completes every command inline with the next header given (status, host, driver, sense)."""

    inline = True
    name = "/dev/sg9"

    def __init__(self) -> None:
        super().__init__()
        self.headers: list = []

    def execute(self, io) -> None:
        status, host, driver, sense = self.headers.pop(0) if self.headers else (0, 0, 0, b"")
        hdr = io.hdr
        hdr.status, hdr.host_status, hdr.driver_status, hdr.sense = status, host, driver, sense
        hdr.duration = 7


@pytest.fixture
def fake(reactor):
    with Channel(HeaderTransport(), reactor=reactor, block_size=512) as channel:
        yield channel


SENSE_KEY_CLASSES = [
    (0x0, errors.NoSense), (0x2, errors.NotReady), (0x3, errors.MediumError),
    (0x4, errors.HardwareError), (0x5, errors.IllegalRequest), (0x6, errors.UnitAttention),
    (0x7, errors.DataProtect), (0x8, errors.BlankCheck), (0x9, errors.VendorSpecific),
    (0xA, errors.CopyAborted), (0xB, errors.AbortedCommand), (0xC, errors.ReservedSenseKey),
    (0xD, errors.VolumeOverflow), (0xE, errors.Miscompare),
]


@pytest.mark.parametrize("descriptor", [False, True], ids=["fixed", "descriptor"])
@pytest.mark.parametrize("deferred", [False, True], ids=["current", "deferred"])
@pytest.mark.parametrize("key, cls", SENSE_KEY_CLASSES)
def test_check_condition_raises_the_sense_key_class(channel, key, cls, descriptor, deferred):
    build = build_descriptor_sense if descriptor else build_fixed_sense
    channel.transport.device.inject(0x00, sense=build(key, 0x44, 0x00, deferred=deferred))
    with pytest.raises(cls) as raised:
        channel.cmd.TestUnitReady()
    failure = raised.value
    assert type(failure) is cls
    assert (failure.sense_key, failure.asc, failure.ascq) == (key, 0x44, 0x00)
    assert failure.sense.deferred is deferred
    assert failure.status == 0x02
    assert failure.io.hdr.status == 0x02


def test_message_names_command_device_status_key_asc_text_codes_and_information(channel):
    channel.transport.device.inject_medium_error(100, 4)
    with pytest.raises(errors.MediumError) as raised:
        channel.cmd.Read10(lba=98, transfer_length=8)
    assert str(raised.value) == (
        "READ(10) on emu:disk?blocks=4096&block_size=512: CHECK CONDITION, MEDIUM ERROR, "
        "Unrecovered read error [11h/00h], information 0x64"
    )
    assert raised.value.information == 100


def test_deferred_error_says_so(channel):
    channel.transport.device.inject(0x00, sense=build_fixed_sense(0x3, 0x0C, 0x00, deferred=True))
    with pytest.raises(errors.MediumError, match=r"MEDIUM ERROR \(deferred error\), Write error \[0Ch/00h\]"):
        channel.cmd.TestUnitReady()


@pytest.mark.parametrize("status, cls, text", [
    (0x08, errors.Busy, "BUSY"),
    (0x28, errors.TaskSetFull, "TASK SET FULL"),
    (0x18, errors.ReservationConflict, "RESERVATION CONFLICT"),
    (0x30, errors.AcaActive, "ACA ACTIVE"),
    (0x40, errors.TaskAborted, "TASK ABORTED"),
])
def test_statuses_raise_their_class(channel, status, cls, text):
    channel.transport.device.inject(0x00, status)
    with pytest.raises(cls) as raised:
        channel.cmd.TestUnitReady()
    assert type(raised.value) is cls
    assert str(raised.value) == f"TEST UNIT READY on emu:disk?blocks=4096&block_size=512: {text}"


def test_recovered_error_succeeds_and_stays_visible(channel):
    channel.transport.device.inject(0x00, sense=(0x1, 0x5D, 0x00))
    io = channel.cmd.TestUnitReady()
    assert io.exception is None and io.ok
    assert io.sense.sense_key == 0x1 and (io.sense.asc, io.sense.ascq) == (0x5D, 0x00)
    seen = informational(io)
    assert type(seen) is errors.RecoveredError
    assert "RECOVERED ERROR, Failure prediction threshold exceeded [5Dh/00h]" in str(seen)


def test_completed_sense_key_succeeds_too(channel):
    channel.transport.device.inject(0x00, sense=(0xF, 0x00, 0x00))
    assert channel.cmd.TestUnitReady().ok
    channel.transport.device.inject(0x00, sense=(0xF, 0x00, 0x00))
    channel.recovered_error_policy = "raise"
    with pytest.raises(errors.Completed):
        channel.cmd.TestUnitReady()


@pytest.mark.parametrize("owner", ["channel", "reactor"])
def test_recovered_error_policy_raise(channel, owner):
    target = channel if owner == "channel" else channel.reactor
    target.recovered_error_policy = "raise"
    try:
        channel.transport.device.inject(0x00, sense=(0x1, 0x5D, 0x00))
        with pytest.raises(errors.RecoveredError):
            channel.cmd.TestUnitReady()
    finally:
        target.recovered_error_policy = None


def test_channel_policy_wins_over_the_reactor(channel):
    channel.reactor.recovered_error_policy = "raise"
    channel.recovered_error_policy = "succeed"
    try:
        channel.transport.device.inject(0x00, sense=(0x1, 0x5D, 0x00))
        assert channel.cmd.TestUnitReady().ok
    finally:
        channel.reactor.recovered_error_policy = None


def test_informational_is_none_without_sense(channel):
    assert informational(channel.cmd.TestUnitReady()) is None
    channel.transport.device.inject(0x00, sense=(0x5, 0x24, 0x00))
    io = channel.cmd.TestUnitReady(verify_handler=lambda io: None)
    assert informational(io) is None


HOST = [
    (HostStatus.DID_TIME_OUT, errors.CommandTimeout, "DID_TIME_OUT (the command timed out)"),
    (HostStatus.DID_ABORT, errors.HostError, "DID_ABORT (the command was aborted)"),
    (HostStatus.DID_RESET, errors.HostError, "DID_RESET (the command was lost to a reset)"),
    (HostStatus.DID_BAD_TARGET, errors.HostError, "DID_BAD_TARGET (the target is not there or not usable)"),
    (HostStatus.DID_BUS_BUSY, errors.HostError, "DID_BUS_BUSY (the bus stayed busy)"),
    (HostStatus.DID_ERROR, errors.HostError, "DID_ERROR (internal error in the host adapter driver)"),
    (HostStatus.DID_TRANSPORT_DISRUPTED, errors.HostError,
     "DID_TRANSPORT_DISRUPTED (the transport was disrupted while the link recovers)"),
    (HostStatus.DID_TRANSPORT_FAILFAST, errors.HostError,
     "DID_TRANSPORT_FAILFAST (the transport failed the command fast)"),
    (HostStatus.DID_TRANSPORT_MARGINAL, errors.HostError, "DID_TRANSPORT_MARGINAL (the transport path is marginal)"),
]


@pytest.mark.parametrize("host, cls, text", HOST)
def test_host_bytes_raise_their_class(fake, host, cls, text):
    fake.transport.headers.append((0, host, 0, b""))
    with pytest.raises(cls) as raised:
        fake.cmd.Read10(lba=0, transfer_length=1)
    assert type(raised.value) is cls
    assert raised.value.host_status == host
    assert str(raised.value) == f"READ(10) on /dev/sg9: host status {text}"


def test_did_no_connect_is_device_gone(fake):
    fake.transport.headers.append((0, HostStatus.DID_NO_CONNECT, 0, b""))
    with pytest.raises(errors.DeviceGone) as raised:
        fake.cmd.TestUnitReady()
    assert raised.value.host_status == HostStatus.DID_NO_CONNECT
    assert str(raised.value) == (
        "TEST UNIT READY on /dev/sg9: the device is gone (host status DID_NO_CONNECT (could not connect to the device))"
    )


def test_did_abort_with_sense_is_judged_by_the_sense(fake):
    # How scsi_debug (and HBAs) report a protection information error: DID_ABORT, CHECK CONDITION.
    fake.transport.headers.append((0x02, HostStatus.DID_ABORT, 0x08, build_fixed_sense(0xB, 0x10, 0x01)))
    with pytest.raises(errors.AbortedCommand) as raised:
        fake.cmd.Read10(lba=0, transfer_length=1)
    assert raised.value.host_status == HostStatus.DID_ABORT
    assert (raised.value.asc, raised.value.ascq) == (0x10, 0x01)
    assert str(raised.value) == (
        "READ(10) on /dev/sg9: CHECK CONDITION, ABORTED COMMAND, Logical block guard check failed [10h/01h]; "
        "host status DID_ABORT (the command was aborted)"
    )


def test_did_abort_with_task_set_full_is_task_set_full(fake):
    fake.transport.headers.append((0x28, HostStatus.DID_ABORT, 0, b""))
    with pytest.raises(errors.TaskSetFull):
        fake.cmd.TestUnitReady()


def test_did_abort_with_check_condition_but_no_sense_stays_a_host_error(fake):
    fake.transport.headers.append((0x02, HostStatus.DID_ABORT, 0, b""))
    with pytest.raises(errors.HostError) as raised:
        fake.cmd.TestUnitReady()
    assert type(raised.value) is errors.HostError


def test_did_time_out_with_a_status_is_still_a_timeout(fake):
    fake.transport.headers.append((0x02, HostStatus.DID_TIME_OUT, 0x08, build_fixed_sense(0x6, 0x29, 0x00)))
    with pytest.raises(errors.CommandTimeout):
        fake.cmd.TestUnitReady()


@pytest.mark.parametrize("driver, cls", [(0x06, errors.CommandTimeout), (0x01, errors.DriverError),
                                          (0x04, errors.DriverError)])
def test_driver_bytes(fake, driver, cls):
    fake.transport.headers.append((0, 0, driver, b""))
    with pytest.raises(cls) as raised:
        fake.cmd.TestUnitReady()
    assert type(raised.value) is cls


def test_driver_sense_alone_is_not_a_failure(fake):
    fake.transport.headers.append((0, 0, 0x08, b""))
    assert fake.cmd.TestUnitReady().ok


def test_device_verdict_and_judge_without_handlers(fake):
    fake.transport.headers.append((0x08, 0, 0, b""))
    io = fake.cmd.TestUnitReady(verify_handler=lambda io: None)
    assert type(device_verdict(io)) is errors.Busy
    io.verify_handler = None
    assert type(judge(io)) is errors.Busy


def test_good_completion_has_no_verdict(channel):
    io = channel.cmd.TestUnitReady()
    assert device_verdict(io) is None and judge(io) is None


def test_asynchronous_failure_comes_from_wait(channel):
    channel.transport.device.inject(0x00, 0x08)
    io = channel.cmd.TestUnitReady(async_=True)
    with pytest.raises(errors.Busy):
        io.wait()
    assert type(io.exception) is errors.Busy and io.exception.io is io


def test_descriptor_format_sense_gives_the_same_answer(reactor):
    answers = []
    for dsense in (0, 1):
        with Channel.open(f"emu:disk?blocks=4096&dsense={dsense}", reactor=reactor) as channel:
            channel.transport.device.inject_medium_error(7)
            with pytest.raises(errors.MediumError) as raised:
                channel.cmd.Read10(lba=5, transfer_length=4)
            failure = raised.value
            answers.append((failure.sense.format, type(failure), failure.sense_key, failure.asc,
                            failure.ascq, failure.information))
    assert answers == [("fixed", errors.MediumError, 3, 0x11, 0x00, 7),
                       ("descriptor", errors.MediumError, 3, 0x11, 0x00, 7)]


def test_read16_out_of_range_message_is_the_readme_line(channel):
    with pytest.raises(errors.IllegalRequest) as raised:
        channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1)
    assert str(raised.value).startswith(
        "READ(16) on emu:disk?blocks=4096&block_size=512: CHECK CONDITION, ILLEGAL REQUEST, "
        "Logical block address out of range [21h/00h]"
    )
    assert command.Read16(lba=0, transfer_length=1).NAME == "READ(16)"
