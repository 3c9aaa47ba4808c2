"""The data path without copies, on the emulated disk: io.view, io.data, readinto, buffer=,
data lent without copying, and pooled buffers (no allocation per command once warm).

The sg driver's mmap'd and direct modes are in tests/integration/test_datapath_sg.py.
"""
from __future__ import annotations

import array
import gc
import mmap
import tracemalloc

import pytest

from sgframe import Channel, command, errors
from sgframe.io import BufferPool, allocate
from sgframe.linux import sg as sgdev

BLOCK = 512


@pytest.fixture
def channel(reactor):
    with Channel.open(f"emu:disk?blocks=4096&block_size={BLOCK}", reactor=reactor) as channel:
        yield channel


def _pattern(lba: int, blocks: int) -> bytes:
    return b"".join(bytes([(lba + i) & 0xFF]) * BLOCK for i in range(blocks))


def test_view_is_a_read_only_view_of_the_received_bytes(channel):
    channel.cmd.Write10(lba=5, transfer_length=6, data=_pattern(5, 6))
    io = channel.cmd.Read10(lba=5, transfer_length=2)
    view = io.view
    assert isinstance(view, memoryview) and view.readonly and view.format == "B"
    assert len(view) == 2 * BLOCK and view == _pattern(5, 2)
    with pytest.raises(TypeError):
        view[0] = 1
    # A view, not a copy: it shows the Io's buffer, so reusing the Io changes it.
    channel.execute(command.Read10(lba=9, transfer_length=2), io=io)
    assert view[0] == 9 and view[BLOCK] == 10


def test_data_is_one_immutable_copy(channel):
    channel.cmd.Write10(lba=0, transfer_length=1, data=b"q" * BLOCK)
    io = channel.cmd.Read10(lba=0, transfer_length=1)
    data = io.data
    assert type(data) is bytes and data == b"q" * BLOCK
    channel.cmd.Write10(lba=0, transfer_length=1, data=b"r" * BLOCK)
    channel.execute(command.Read10(lba=0, transfer_length=1), io=io)
    assert data == b"q" * BLOCK and io.data == b"r" * BLOCK


def test_view_is_trimmed_by_the_residual_count(channel):
    # INQUIRY returns fewer bytes than the allocation length: resid says how many fewer.
    io = channel.cmd.Inquiry(allocation_length=255)
    assert io.hdr.resid > 0
    assert len(io.view) == 255 - io.hdr.resid == len(io.data)
    assert bytes(io.view[8:16]).rstrip() == b"SGFRAME"


def test_readinto_copies_into_any_writable_buffer(channel):
    channel.cmd.Write10(lba=3, transfer_length=1, data=b"z" * BLOCK)
    io = channel.cmd.Read10(lba=3, transfer_length=1)
    target = bytearray(BLOCK + 10)
    assert io.readinto(target) == BLOCK
    assert target == b"z" * BLOCK + bytes(10)
    words = array.array("I", bytes(BLOCK))
    assert io.readinto(words) == BLOCK and words.tobytes() == b"z" * BLOCK
    with pytest.raises(errors.UsageError, match="the data has 512 bytes, the buffer only 100"):
        io.readinto(bytearray(100))
    with pytest.raises(errors.UsageError, match="read-only"):
        io.readinto(bytes(BLOCK))
    with pytest.raises(errors.UsageError, match="writable buffer"):
        io.readinto("text")


def test_buffer_receives_the_data_in_place(channel):
    channel.cmd.Write10(lba=20, transfer_length=4, data=_pattern(20, 4))
    target = bytearray(8 * BLOCK)
    io = channel.cmd.Read10(lba=20, transfer_length=4, buffer=target)
    assert target[: 4 * BLOCK] == _pattern(20, 4) and target[4 * BLOCK:] == bytes(4 * BLOCK)
    assert io.view == _pattern(20, 4)
    # The Io reads the caller's buffer: what the caller writes there, the view shows.
    target[0] = 0xEE
    assert io.view[0] == 0xEE
    # A part of a larger buffer: a memoryview slice, and an mmap.
    region = mmap.mmap(-1, 16 * BLOCK)
    channel.execute(command.Read10(lba=21, transfer_length=1), buffer=memoryview(region)[BLOCK:2 * BLOCK])
    assert region[BLOCK:2 * BLOCK] == _pattern(21, 1) and region[:BLOCK] == bytes(BLOCK)


def test_buffer_is_checked(channel):
    with pytest.raises(errors.UsageError, match="has 100 bytes; the command moves 512"):
        channel.cmd.Read10(lba=0, transfer_length=1, buffer=bytearray(100))
    with pytest.raises(errors.UsageError, match="must be writable"):
        channel.cmd.Read10(lba=0, transfer_length=1, buffer=bytes(BLOCK))
    with pytest.raises(errors.UsageError, match="give data= to send"):
        channel.cmd.Write10(lba=0, transfer_length=1, data=bytes(BLOCK), buffer=bytearray(BLOCK))
    with pytest.raises(errors.UsageError, match="must be bytes-like"):
        channel.cmd.Read10(lba=0, transfer_length=1, buffer=[0] * BLOCK)
    strided = memoryview(bytearray(2 * BLOCK))[::2]
    with pytest.raises(errors.UsageError, match="must be contiguous"):
        channel.cmd.Read10(lba=0, transfer_length=1, buffer=strided)


def test_reusing_an_io_after_buffer_never_writes_into_the_callers_buffer(channel):
    channel.cmd.Write10(lba=0, transfer_length=1, data=b"a" * BLOCK)
    channel.cmd.Write10(lba=1, transfer_length=1, data=b"b" * BLOCK)
    mine = bytearray(BLOCK)
    io = channel.cmd.Read10(lba=0, transfer_length=1, buffer=mine)
    channel.execute(command.Read10(lba=1, transfer_length=1), io=io)
    assert mine == b"a" * BLOCK and io.data == b"b" * BLOCK


@pytest.mark.parametrize("make", [bytes, bytearray, lambda b: memoryview(b).toreadonly(),
                                  lambda b: array.array("H", b), lambda b: _mmap_of(b)])
def test_writes_take_any_buffer_without_copying(channel, make):
    payload = make(_pattern(40, 2))
    io = channel.cmd.Write10(lba=40, transfer_length=2, data=payload)
    # Lent, not copied: the Io sends from the caller's memory.
    assert io.borrowed and sgdev.pin_any(io.buffer)[1] == sgdev.pin_any(memoryview(payload).cast("B"))[1]
    assert channel.cmd.Read10(lba=40, transfer_length=2).data == _pattern(40, 2)


def _mmap_of(data: bytes) -> mmap.mmap:
    region = mmap.mmap(-1, len(data))
    region[:] = data
    return region


def test_fresh_ios_reuse_pooled_buffers(channel):
    pool = channel._exchange.pool
    first = channel.cmd.Read10(lba=0, transfer_length=8)
    assert pool.spare == []
    del first  # nothing else refers to its buffer: back to the pool
    [(buffer, _)] = pool.spare
    second = channel.cmd.Read10(lba=0, transfer_length=8)
    assert second.buffer is buffer and pool.spare == []
    # A smaller transfer takes the same buffer: every pooled buffer fits the largest seen.
    del second
    third = channel.cmd.Read10(lba=0, transfer_length=1)
    assert third.buffer is buffer and len(third.view) == BLOCK


def test_a_buffer_with_a_view_kept_is_not_reused(channel):
    channel.cmd.Write10(lba=0, transfer_length=1, data=b"k" * BLOCK)
    kept = channel.cmd.Read10(lba=0, transfer_length=1).view
    channel.cmd.Write10(lba=0, transfer_length=1, data=b"n" * BLOCK)
    again = channel.cmd.Read10(lba=0, transfer_length=1)
    assert kept == b"k" * BLOCK and again.view == b"n" * BLOCK
    assert again.buffer is not kept.obj and channel._exchange.pool.spare == []


def test_a_view_taken_before_completion_keeps_the_buffer_out_of_the_pool(channel):
    io = channel.cmd.Read10(lba=0, transfer_length=1, async_=True)
    early = io.view  # before the reactor ran: the buffer is never recycled
    io.wait()
    assert io.pool is None
    del io, early
    assert channel._exchange.pool.spare == []


@pytest.mark.parametrize("blocks", [8, 128])  # 4 KiB (a bytearray), 64 KiB (an mmap)
def test_no_allocation_per_command_in_steady_state(channel, blocks):
    """tracemalloc: once the pool is warm, no command's buffer was allocated while tracing."""
    for _ in range(20):  # warm up the way the loop below runs: two Ios alive at a time
        io = channel.cmd.Read10(lba=0, transfer_length=blocks)
    gc.collect()
    tracemalloc.start()
    try:
        fresh = 0
        for lba in range(1000):
            io = channel.cmd.Read10(lba=lba, transfer_length=blocks)
            # None: allocated before tracing began, so reused from the pool.
            fresh += tracemalloc.get_object_traceback(io.buffer) is not None
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fresh == 0 and len(io.view) == blocks * BLOCK
    assert current < 64 << 10  # nothing accumulates either


def test_without_the_pool_every_command_allocates(channel):
    # The other side of the test above: it does see a fresh buffer when there is one.
    channel._exchange.pool.keep = 0
    tracemalloc.start()
    try:
        fresh = sum(tracemalloc.get_object_traceback(channel.cmd.Read10(lba=0, transfer_length=8).buffer)
                    is not None for _ in range(10))
    finally:
        tracemalloc.stop()
    assert fresh == 10


def test_pool_sizes_buffers_by_the_largest_transfer():
    pool = BufferPool(keep=2)
    small, state = pool.take(100)
    assert len(small) == 100 and state is None
    pool.give(small, "pin")
    assert pool.take(50) == (small, "pin")
    pool.give(small, None)
    big, _ = pool.take(1 << 20)
    assert len(big) == 1 << 20 and pool.spare == []  # the small one is dropped
    pool.give(small, None)  # too small now: not kept
    pool.give(big, None)
    assert pool.spare == [(big, None)]


def test_large_buffers_are_page_aligned():
    small, large = allocate(4096), allocate(1 << 20)
    assert isinstance(small, bytearray) and isinstance(large, mmap.mmap)
    _, address = sgdev.pin_any(large)
    assert address % mmap.PAGESIZE == 0


def test_pin_any_gives_the_address_of_read_only_buffers():
    import ctypes

    data = b"0123456789"
    holder, address = sgdev.pin_any(memoryview(data)[4:].toreadonly())
    assert ctypes.string_at(address, 6) == b"456789"
    writable = bytearray(b"abc")
    holder, address = sgdev.pin_any(writable)
    with pytest.raises(BufferError):
        writable.append(1)  # pinned: the kernel's address stays valid
    del holder
    writable.append(1)
    assert sgdev.pin_any(b"") == (None, 0)


def test_io_mode_is_checked(channel):
    with pytest.raises(errors.UsageError, match="io_mode='fast': use one of indirect, mmap, direct"):
        channel.cmd.Read10(lba=0, transfer_length=1, io_mode="fast")
    with pytest.raises(errors.UsageError, match="the sg transport's"):
        channel.cmd.Read10(lba=0, transfer_length=1, io_mode="mmap")
    assert channel.cmd.Read10(lba=0, transfer_length=1, io_mode="indirect").view == bytes(BLOCK)


def test_buffer_allocates_no_buffer_of_the_ios_own(channel, monkeypatch):
    import sgframe.io

    channel.cmd.ReadCapacity10()  # the block size, learnt once (8 bytes from the pool)
    made = []
    real = sgframe.io.allocate
    monkeypatch.setattr(sgframe.io, "allocate", lambda n: made.append(n) or real(n))
    mine = bytearray(16 * BLOCK)
    for lba in range(20):
        io = channel.cmd.Read10(lba=lba, transfer_length=16, buffer=mine)
        assert io.buffer.obj is mine
    assert made == []  # the kernel (here the emulator) fills the caller's buffer, nothing else
    channel.cmd.Read10(lba=0, transfer_length=16)
    assert made == [16 * BLOCK]  # without buffer=, the pool's first buffer


def test_channel_open_refuses_sg_data_modes_on_a_one_way_transport(reactor):
    for options, named in (({"io_mode": "mmap"}, "io_mode='mmap'"), ({"io_mode": "direct"}, "io_mode='direct'"),
                           ({"mmap_size": 4096}, "mmap_size=4096")):
        with pytest.raises(errors.UsageError, match=f"emu:disk: {named} is the sg transport's"):
            Channel.open("emu:disk", reactor=reactor, **options)
    # What it does anyway, or nothing said, is accepted.
    for mode in ("indirect", None):
        with Channel.open("emu:disk", reactor=reactor, io_mode=mode) as channel:
            assert channel.transport.io_mode is None
            assert channel.cmd.Read10(lba=0, transfer_length=1).view == bytes(BLOCK)
    with pytest.raises(errors.UsageError, match="allowed: reactor, block_size, timeout, queue_depth, io_mode, mmap_size"):
        Channel.open("emu:disk", reactor=reactor, io_mod="mmap")


def test_channel_open_passes_io_mode_and_mmap_size_to_the_sg_transport(reactor, monkeypatch):
    import sgframe.linux.sysfs
    import sgframe.transport.sg
    from sgframe.transport.base import Transport

    opened = []

    class Recorder(Transport):
        def __init__(self, path, **options):
            super().__init__()
            opened.append((path, options))
            self.name = path
            self.io_mode = options.get("io_mode", "indirect")

    class Nodes:
        sg = "/dev/sg7"

    monkeypatch.setattr(sgframe.linux.sysfs, "resolve", lambda rest: Nodes)
    monkeypatch.setattr(sgframe.transport.sg, "SgTransport", Recorder)
    with Channel.open("/dev/sg7", reactor=reactor, io_mode="mmap", mmap_size=1 << 20, queue_depth=8):
        pass
    with Channel.open("sg:/dev/sg7", reactor=reactor, io_mode="direct"):
        pass
    with Channel.open("/dev/sg7", reactor=reactor, io_mode=None, mmap_size=None):
        pass
    assert opened == [("/dev/sg7", {"io_mode": "mmap", "mmap_size": 1 << 20, "queue_depth": 8}),
                      ("/dev/sg7", {"io_mode": "direct"}), ("/dev/sg7", {})]
