"""Channel, Io and Reactor on the real kernel sg driver (scsi_debug and LIO targets)."""
from __future__ import annotations

import asyncio
import random
import subprocess

import pytest

from sgframe import Channel, Input, NoDirectionIo, Output, command, errors


@pytest.fixture
def disk(scsi_debug_devices):
    return scsi_debug_devices[0]


def test_the_seed_api_on_scsi_debug(disk, reactor, no_fd_leak):
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        io = channel.cmd.TestUnitReady()
        assert isinstance(io, NoDirectionIo) and repr(io) == "NoDirectionIo(timeout=60000, returned=True)"
        io = channel.cmd.Write10(lba=0, transfer_length=1, data=b"a" * 512)
        assert isinstance(io, Output) and repr(io) == "Output(timeout=60000, returned=True)"
        io = channel.cmd.Read10(lba=0, transfer_length=1, async_=True)
        assert isinstance(io, Input) and repr(io) == "Input(timeout=60000, returned=False)"
        io.wait()
        assert io.poll() is True
        assert io.data[:3] == b"aaa"
        ios = channel.execute_many([command.Inquiry(allocation_length=96), command.ReadCapacity10()], async_=True)
        channel.wait()
        assert channel.poll() is True
        assert ios[0].data[8:16] == b"Linux   "
        assert channel.cmd.Inquiry().result.vendor_identification.strip() == "Linux"
        assert io.hdr.status == 0 and io.hdr.host_status == 0 and io.hdr.resid == 0


def test_inquiry_bytes_equal_sg_inq_raw(disk, reactor):
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        ours = channel.cmd.Inquiry(allocation_length=36).data
    theirs = subprocess.run(["sg_inq", "--raw", "--len=36", disk.sg], capture_output=True, check=True).stdout
    assert ours == theirs


def test_read_capacity_agrees_with_sg_readcap(disk, reactor):
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        capacity = channel.cmd.ReadCapacity16(allocation_length=32).result
        assert channel.cmd.Read10(lba=0, transfer_length=1).data is not None
        assert channel.block_size == capacity.block_length
    text = subprocess.run(["sg_readcap", "--long", disk.sg], capture_output=True, text=True, check=True).stdout
    assert f"Last LBA={capacity.returned_lba} " in text
    assert f"Logical block length={capacity.block_length} bytes" in text


def test_block_device_and_hctl_resolve_to_the_same_sg_node(disk, reactor):
    with Channel.from_path(disk.block, reactor=reactor) as by_block, Channel.open(disk.hctl, reactor=reactor) as by_hctl:
        assert by_block.name == by_hctl.name == disk.sg
        assert by_block.cmd.Inquiry(allocation_length=36).data == by_hctl.cmd.Inquiry(allocation_length=36).data


def test_64_commands_in_flight_on_one_device(disk, reactor, no_fd_leak):
    with Channel.from_path(disk.sg, queue_depth=64, reactor=reactor) as channel:
        assert len(channel.transport.fds()) == 4  # 16 requests per sg fd
        ios = [channel.cmd.Read10(lba=lba, transfer_length=1, async_=True) for lba in range(64)]
        assert channel.transport.in_flight == 64
        channel.wait(timeout=30)
        assert all(io.returned and io.exception is None and len(io.data) == 512 for io in ios)


def test_random_write_read_back_at_qd32_nothing_lost_or_duplicated(disk, reactor):
    rng = random.Random(1234)
    completions: dict[int, int] = {}

    def count(io):
        completions[id(io)] = completions.get(id(io), 0) + 1

    with Channel.from_path(disk.sg, queue_depth=32, reactor=reactor) as channel:
        blocks = channel.cmd.ReadCapacity10().result.returned_lba + 1
        lbas = rng.sample(range(blocks), 256)
        patterns = {lba: rng.randbytes(512) for lba in lbas}
        writes = [channel.cmd.Write10(lba=lba, transfer_length=1, data=patterns[lba], async_=True) for lba in lbas]
        for io in writes:
            io.add_done_callback(count)
        channel.wait(timeout=60)
        reads = [channel.cmd.Read10(lba=lba, transfer_length=1, async_=True) for lba in lbas]
        for io in reads:
            io.add_done_callback(count)
        channel.wait(timeout=60)
    assert sorted(completions.values()) == [1] * 512
    assert [io.data for io in reads] == [patterns[lba] for lba in lbas]


def test_four_devices_through_one_reactor(scsi_debug_devices, reactor, no_fd_leak):
    channels = [Channel.from_path(d.sg, queue_depth=16, reactor=reactor) for d in scsi_debug_devices[:4]]
    try:
        ios = [ch.cmd.Read10(lba=lba, transfer_length=8, async_=True) for ch in channels for lba in range(0, 256, 8)]
        assert sum(ch.transport.in_flight for ch in channels) + sum(len(ch._backlog) for ch in channels) == len(ios)
        for ch in channels:
            ch.wait(timeout=30)
        assert all(io.returned and io.exception is None and len(io.data) == 4096 for io in ios)
    finally:
        for ch in channels:
            ch.close()


def test_threaded_reactor_on_two_devices(scsi_debug_devices, reactor):
    channels = [Channel.from_path(d.sg, reactor=reactor) for d in scsi_debug_devices[:2]]
    reactor.start()
    try:
        ios = [ch.cmd.Read10(lba=lba, transfer_length=1, async_=True) for ch in channels for lba in range(100)]
        for ch in channels:
            ch.wait(timeout=30)
        assert all(io.returned and io.exception is None for io in ios)
    finally:
        reactor.stop()
        for ch in channels:
            ch.close()


def test_asyncio_on_two_devices(scsi_debug_devices, reactor):
    async def main():
        channels = [Channel.from_path(d.sg, reactor=reactor) for d in scsi_debug_devices[:2]]
        try:
            ios = await asyncio.gather(*(
                ch.aexecute(command.Read10(lba=lba, transfer_length=1)) for ch in channels for lba in range(50)
            ))
            return [len(io.data) for io in ios]
        finally:
            for ch in channels:
                ch.close()

    assert asyncio.run(main()) == [512] * 100


def test_lba_out_of_range_raises_illegal_request(disk, reactor):
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        with pytest.raises(errors.IllegalRequest) as raised:
            channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1)
        assert (raised.value.asc, raised.value.ascq) == (0x21, 0x00)
        assert str(raised.value).startswith(f"READ(16) on {disk.sg}: CHECK CONDITION, ILLEGAL REQUEST")
        io = channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1, async_=True)
        with pytest.raises(errors.IllegalRequest):
            io.wait()


def test_kernel_timeout_surfaces_as_command_timeout(disk, reactor, sdebug_params):
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        channel.cmd.TestUnitReady()
        # MAC_TIMEOUT (0x80): scsi_debug ignores reads and writes, which time out, while the
        # error handler's own TEST UNIT READY still gets through (opts=4 would ignore it
        # too and make the kernel escalate through every reset, a minute of it).
        sdebug_params(every_nth=1, opts=0x80)
        try:
            with pytest.raises(errors.CommandTimeout):
                channel.cmd.Read10(lba=0, transfer_length=1, timeout=1000)
        finally:
            sdebug_params(opts=0, every_nth=0)


def _clear_unit_attentions(channel):
    """What a device owes its new initiator (LIO: REPORTED LUNS DATA HAS CHANGED) once."""
    for _ in range(4):
        try:
            channel.cmd.TestUnitReady()
            return
        except errors.UnitAttention:
            continue
    raise AssertionError(f"{channel.name} keeps reporting UNIT ATTENTION")


def test_the_same_api_on_lio(lio_devices, reactor, no_fd_leak):
    lio = lio_devices[0]
    with Channel.from_path(lio.sg, queue_depth=32, reactor=reactor) as channel:
        _clear_unit_attentions(channel)
        assert channel.cmd.Inquiry().result.vendor_identification.strip() == "LIO-ORG"
        channel.cmd.Write10(lba=10, transfer_length=1, data=b"L" * 512)
        ios = [channel.cmd.Read10(lba=10, transfer_length=1, async_=True) for _ in range(32)]
        channel.wait(timeout=30)
        assert {io.data for io in ios} == {b"L" * 512}


def test_bsg_gives_the_same_answers_as_sg(disk, reactor, no_fd_leak):
    with Channel.open(disk.bsg, reactor=reactor) as via_bsg, Channel.from_path(disk.sg, reactor=reactor) as via_sg:
        assert via_bsg.transport.__class__.__name__ == "BsgTransport"
        assert via_bsg.cmd.Inquiry(allocation_length=36).data == via_sg.cmd.Inquiry(allocation_length=36).data
        via_bsg.cmd.Write10(lba=20, transfer_length=1, data=b"B" * 512)
        assert via_sg.cmd.Read10(lba=20, transfer_length=1).data == b"B" * 512
        ios = [via_bsg.cmd.Read10(lba=20, transfer_length=1, async_=True) for _ in range(40)]
        via_bsg.wait(timeout=30)
        assert {io.data for io in ios} == {b"B" * 512}
        with pytest.raises(errors.IllegalRequest) as raised:
            via_bsg.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1)
        assert raised.value.asc == 0x21


def test_from_fd_uses_the_callers_descriptor_and_leaves_it_open(disk, reactor):
    import os

    fd = os.open(disk.sg, os.O_RDWR | os.O_NONBLOCK)
    try:
        channel = Channel.from_fd(fd, reactor=reactor)
        io = channel.cmd.Inquiry(allocation_length=36)
        assert io.data[8:16] == b"Linux   "
        ios = [channel.cmd.Read10(lba=lba, transfer_length=1, async_=True) for lba in range(16)]
        channel.wait(timeout=30)
        assert all(len(i.data) == 512 for i in ios)
        channel.close()
        os.fstat(fd)  # still open: the caller owns it
    finally:
        os.close(fd)


def test_completion_header_fields_on_a_check_condition(disk, reactor):
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        io = channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1, async_=True)
        with pytest.raises(errors.IllegalRequest):
            io.wait()
        hdr = io.hdr
        assert hdr.status == 0x02 and hdr.masked_status == 0x01
        assert hdr.host_status == 0 and hdr.driver_status == 0x08  # DRIVER_SENSE
        assert hdr.info & 1  # SG_INFO_CHECK
        assert hdr.sense[0] & 0x7F in (0x70, 0x72) and io.sense.asc == 0x21
        # scsi_debug leaves resid at 0 on a CHECK CONDITION; data is what the kernel says.
        assert hdr.resid == 0 and len(io.data) == 512


def test_a_transfer_the_driver_would_refuse_is_refused_before_anything_is_allocated(disk, reactor):
    # sg.c (sg_common_write) refuses a data transfer of 256 MiB or more with EINVAL; the
    # channel says so itself, naming the limit, before allocating 256 MiB (issue 10).
    read_16 = bytes.fromhex("88 00 0000000000000000 00080000 00 00")  # 512 Ki blocks: 256 MiB
    with Channel.from_path(disk.sg, reactor=reactor) as channel:
        limit = channel.transport.max_transfer
        assert 0 < limit <= (256 << 20) - 1
        with pytest.raises(errors.UsageError, match=rf"takes at most {limit} bytes per command"):
            channel.execute_raw(read_16, request=256 << 20)
        with pytest.raises(errors.UsageError, match="split the transfer"):
            channel.execute_raw(read_16, request=256 << 20, async_=True)
        assert channel.poll() is True  # nothing is left outstanding
        assert channel.cmd.TestUnitReady().ok
