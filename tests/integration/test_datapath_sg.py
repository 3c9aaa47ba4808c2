"""The data path on the real sg driver: mmap'd and direct I/O, buffer=, lent data, pooling.

What sg.c (Linux 6.1) promises and these tests hold: SG_FLAG_MMAP_IO moves the data
through the fd's reserved buffer, mapped once; SG_FLAG_DIRECT_IO is honoured only with
allow_dio=1 and an aligned buffer, and ``info`` says which way the data went.
"""
from __future__ import annotations

import mmap

import pytest

from sgframe import Channel, command, errors
from sgframe.io import allocate
from sgframe.linux import sg as sgdev
from sgframe.transport.sg import SgTransport

BLOCK = 512
MIB = 1 << 20
ALLOW_DIO = "/sys/module/sg/parameters/allow_dio"


@pytest.fixture
def disk(scsi_debug_devices):
    return scsi_debug_devices[0]


@pytest.fixture
def allow_dio():
    """Set sg's allow_dio for one test: ``allow_dio(1)``; restored afterwards."""
    with open(ALLOW_DIO) as f:
        saved = f.read().strip()

    def set_it(value: int) -> None:
        with open(ALLOW_DIO, "w") as f:
            f.write(str(value))

    yield set_it
    set_it(int(saved))


def _pattern(lba: int, blocks: int) -> bytes:
    return b"".join(lba.to_bytes(4, "big") * (BLOCK // 4) for lba in range(lba, lba + blocks))


def _direct(io) -> int:
    return io.hdr.info & sgdev.SG_INFO_DIRECT_IO_MASK


def _write_pattern(channel, lba: int, blocks: int) -> None:
    channel.cmd.Write10(lba=lba, transfer_length=blocks, data=_pattern(lba, blocks))


def test_mmap_read_shows_the_reserved_buffer_without_copying(disk, reactor, no_fd_leak):
    with Channel(SgTransport(disk.sg), reactor=reactor, block_size=BLOCK) as channel:
        _write_pattern(channel, 100, 512)
        io = channel.cmd.Read10(lba=100, transfer_length=512, io_mode="mmap")
        assert isinstance(io.view.obj, mmap.mmap)  # the mapping itself, not a copy
        assert io.view == _pattern(100, 512) and _direct(io) == sgdev.SG_INFO_INDIRECT_IO
        [lane] = channel.transport._mmap_sync
        # 1 MiB asked; the driver caps it at the queue's max_sectors_kb (512 KiB here).
        assert sgdev.reserved_size(lane.fd) == len(lane.map) >= 256 << 10


def test_mmap_larger_than_max_sectors_says_what_to_raise(disk, reactor):
    with Channel(SgTransport(disk.sg), reactor=reactor, block_size=BLOCK) as channel:
        limit = sgdev.reserved_size(channel.transport._lanes[0].fd)
        with open(f"/sys/class/scsi_generic/{disk.sg[5:]}/device/block/{disk.block[5:]}/queue/max_sectors_kb") as f:
            max_sectors = int(f.read()) * 1024
        if max_sectors >= 4 * MIB:
            pytest.skip("max_sectors_kb allows 4 MiB here")
        with pytest.raises(errors.UsageError, match="max_sectors_kb"):
            channel.cmd.Read10(lba=0, transfer_length=4 * MIB // BLOCK, io_mode="mmap")
        assert limit > 0


def test_mmap_write_reaches_the_medium(disk, reactor):
    with Channel(SgTransport(disk.sg), reactor=reactor, block_size=BLOCK) as channel:
        payload = _pattern(7000, 256)
        channel.cmd.Write10(lba=7000, transfer_length=256, data=payload, io_mode="mmap")
        assert channel.cmd.Read10(lba=7000, transfer_length=256).data == payload


def test_mmap_read_into_a_callers_buffer(disk, reactor):
    with Channel(SgTransport(disk.sg), reactor=reactor, block_size=BLOCK) as channel:
        _write_pattern(channel, 300, 8)
        mine = bytearray(8 * BLOCK)
        io = channel.cmd.Read10(lba=300, transfer_length=8, io_mode="mmap", buffer=mine)
        assert mine == _pattern(300, 8) and io.view == mine


def test_an_mmap_transport_keeps_one_mmapd_command_per_fd(disk, reactor, no_fd_leak):
    with Channel(SgTransport(disk.sg, queue_depth=4, io_mode="mmap"), reactor=reactor, block_size=BLOCK) as channel:
        assert len(channel.transport.fds()) == 4
        for lba in range(0, 64 * 16, 64):
            _write_pattern(channel, lba, 64)
        seen = {}

        def keep(io):
            # The view is the fd's mapping: the next mmap'd command on that fd reuses it.
            seen[io.command.lba] = io.data

        ios = [channel.execute(command.Read10(lba=lba, transfer_length=64), async_=True)
               for lba in range(0, 64 * 16, 64)]
        for io in ios:
            io.add_done_callback(keep)
        channel.wait(timeout=30)
        assert all(io.ok for io in ios)
        assert seen == {lba: _pattern(lba, 64) for lba in range(0, 64 * 16, 64)}
        assert all(not lane.map_busy and lane.map is not None for lane in channel.transport._lanes)


def test_an_mmapd_command_larger_than_the_mapping_is_refused(disk, reactor):
    with Channel(SgTransport(disk.sg, mmap_size=64 << 10), reactor=reactor, block_size=BLOCK) as channel:
        assert channel.cmd.Read10(lba=0, transfer_length=128, io_mode="mmap").ok
        with pytest.raises(errors.UsageError, match=r"moves at most 65536 bytes here .* this one moves 131072"):
            channel.cmd.Read10(lba=0, transfer_length=256, io_mode="mmap")


def test_direct_io_when_allowed_and_aligned(disk, reactor, allow_dio):
    allow_dio(1)
    assert sgdev.allow_dio()
    with Channel(SgTransport(disk.sg), reactor=reactor, block_size=BLOCK) as channel:
        payload = allocate(MIB)  # page-aligned
        payload[:] = _pattern(4096, 2048)
        io = channel.cmd.Write10(lba=4096, transfer_length=2048, data=payload, io_mode="direct")
        assert _direct(io) == sgdev.SG_INFO_DIRECT_IO
        io = channel.cmd.Read10(lba=4096, transfer_length=2048, io_mode="direct")
        assert _direct(io) == sgdev.SG_INFO_DIRECT_IO and io.view == _pattern(4096, 2048)
        # Per channel: every command of a transport opened with io_mode="direct".
    with Channel(SgTransport(disk.sg, io_mode="direct", queue_depth=4), reactor=reactor, block_size=BLOCK) as channel:
        ios = [channel.cmd.Read10(lba=4096 + 512 * i, transfer_length=512, async_=True) for i in range(4)]
        channel.wait(timeout=30)
        assert [_direct(io) for io in ios] == [sgdev.SG_INFO_DIRECT_IO] * 4
        assert b"".join(io.data for io in ios) == _pattern(4096, 2048)


def test_direct_io_falls_back_to_indirect_on_a_misaligned_buffer(disk, reactor, allow_dio):
    allow_dio(1)
    with Channel(SgTransport(disk.sg), reactor=reactor, block_size=BLOCK) as channel:
        _write_pattern(channel, 50, 16)
        region = allocate(MIB)
        io = channel.cmd.Read10(lba=50, transfer_length=16, io_mode="direct",
                                buffer=memoryview(region)[1:1 + 16 * BLOCK])
        assert _direct(io) == sgdev.SG_INFO_INDIRECT_IO
        assert region[1:1 + 16 * BLOCK] == _pattern(50, 16)


def test_direct_io_is_indirect_while_allow_dio_is_0(disk, reactor, allow_dio):
    allow_dio(0)
    assert not sgdev.allow_dio()
    with Channel(SgTransport(disk.sg), reactor=reactor, block_size=BLOCK) as channel:
        io = channel.cmd.Read10(lba=0, transfer_length=2048, io_mode="direct")
        assert io.ok and _direct(io) == sgdev.SG_INFO_INDIRECT_IO


def test_buffer_and_lent_data_on_sg(disk, reactor):
    with Channel.from_path(disk.sg, reactor=reactor, block_size=BLOCK) as channel:
        channel.cmd.Write10(lba=900, transfer_length=4, data=bytes(_pattern(900, 4)))  # read-only: pinned, sent
        mine = bytearray(4 * BLOCK)
        io = channel.cmd.Read10(lba=900, transfer_length=4, buffer=mine)
        assert mine == _pattern(900, 4) and io.view == mine
        target = bytearray(4 * BLOCK)
        assert channel.cmd.Read10(lba=900, transfer_length=4).readinto(target) == 4 * BLOCK
        assert target == mine


def test_fresh_ios_reuse_pooled_pinned_buffers_on_sg(disk, reactor):
    with Channel.from_path(disk.sg, reactor=reactor, block_size=BLOCK) as channel:
        pool = channel._exchange.pool
        channel.cmd.Read10(lba=0, transfer_length=256)
        [(buffer, state)] = pool.spare
        assert state is not None and state[0] is buffer  # the pin travels with the buffer
        io = channel.cmd.Read10(lba=0, transfer_length=256)
        assert io.buffer is buffer and io.transport_state is state


def test_channel_open_passes_io_mode_and_mmap_size_to_sg(disk, reactor, allow_dio, no_fd_leak):
    allow_dio(1)
    # Direct: every command of the channel asks for it, and sg says it did it (info bits).
    with Channel.open(disk.sg, io_mode="direct", queue_depth=4, reactor=reactor, block_size=BLOCK) as channel:
        assert channel.transport.io_mode == "direct"
        _write_pattern(channel, 2048, 512)
        ios = [channel.cmd.Read10(lba=2048 + 64 * i, transfer_length=64, async_=True) for i in range(4)]
        channel.wait(timeout=30)
        assert [_direct(io) for io in ios] == [sgdev.SG_INFO_DIRECT_IO] * 4
        assert b"".join(io.data for io in ios) == _pattern(2048, 256)
        # A command may still ask for the copy: then info says indirect.
        io = channel.cmd.Read10(lba=2048, transfer_length=64, io_mode="indirect")
        assert _direct(io) == sgdev.SG_INFO_INDIRECT_IO and io.view == _pattern(2048, 64)
    # mmap: one fd per queue slot, each maps a reserved buffer of mmap_size; the data is
    # read in that mapping (no buffer of the Io's own), and sg does not count it as direct.
    with Channel.open("sg:" + disk.sg, io_mode="mmap", mmap_size=256 << 10, queue_depth=2, reactor=reactor,
                      block_size=BLOCK) as channel:
        transport = channel.transport
        assert transport.io_mode == "mmap" and transport.mmap_size == 256 << 10 and len(transport.fds()) == 2
        io = channel.cmd.Read10(lba=2048, transfer_length=512)
        assert _direct(io) == sgdev.SG_INFO_INDIRECT_IO and io.view == _pattern(2048, 512)
        [lane] = [lane for lane in transport._mmap_sync if lane.map is not None]
        assert io.buffer.obj is lane.map and len(lane.map) >= 256 << 10
        ios = [channel.cmd.Read10(lba=2048 + 128 * i, transfer_length=128, async_=True) for i in range(2)]
        channel.wait(timeout=30)
        assert [io.view.tobytes() for io in ios] == [_pattern(2048 + 128 * i, 128) for i in range(2)]
        assert all(lane.map is not None and len(lane.map) >= 256 << 10 for lane in transport._lanes)
