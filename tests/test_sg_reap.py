"""How the sg transport hands completions on (SgTransport.reap_each), without a kernel.

The transport's fd is one end of a SOCK_SEQPACKET socket pair: what it writes (a
88-byte sg_io_hdr per command) arrives whole at the other end, and what the test writes
there (a reply header carrying a pack_id) is what the transport's read() gets, message by
message, EAGAIN when there is none: the sg driver's v3 write()/read() protocol as the
transport sees it.
"""
from __future__ import annotations

import socket
import struct

import pytest

from sgframe import Channel, command
from sgframe.linux import sg as sgdev
from sgframe.transport.sg import SgTransport

_PACK_ID = sgdev.SgIoHdr.pack_id.offset


class FakeDriver:
    """The far end of the transport's fd: answers commands by pack_id."""

    def __init__(self) -> None:
        self.ours, self.theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.theirs.setblocking(False)
        self.ours.setblocking(False)

    def sent(self) -> list[int]:
        """The pack_ids of the commands written since the last call."""
        ids = []
        while True:
            try:
                header = self.ours.recv(sgdev.SG_IO_HDR_SIZE)
            except BlockingIOError:
                return ids
            ids.append(struct.unpack_from("@i", header, _PACK_ID)[0])

    def answer(self, pack_id: int) -> None:
        """A GOOD completion of the command with this pack_id (it may be sent later)."""
        reply = bytearray(sgdev.SG_IO_HDR_SIZE)
        struct.pack_into("@ii", reply, 0, sgdev.SG_INTERFACE_ID_ORIG, sgdev.SG_DXFER_FROM_DEV)
        struct.pack_into("@i", reply, _PACK_ID, pack_id)
        self.ours.send(reply)

    def close(self) -> None:
        self.ours.close()
        self.theirs.close()


@pytest.fixture
def driver():
    fake = FakeDriver()
    yield fake
    fake.close()


@pytest.fixture
def channel(driver, reactor):
    transport = SgTransport(fd=driver.theirs.fileno(), queue_depth=16)
    channel = Channel(transport, reactor=reactor, block_size=512)
    yield channel
    channel.close()


def _read(channel):
    return channel.execute(command.Read10(lba=0, transfer_length=1), async_=True)


def test_each_completion_is_handed_on_before_the_next_read(driver, channel, reactor):
    ios = [_read(channel) for _ in range(3)]
    for pack_id in driver.sent():
        driver.answer(pack_id)
    held_when_completed = []
    lane = channel.transport._lanes[0]
    for io in ios:
        io.add_done_callback(lambda done: held_when_completed.append(lane.held))
    assert reactor.run_once(1) == 3
    # The first Io's callback ran while the other two completions were still unread.
    assert held_when_completed == [2, 1, 0]
    assert all(io.ok for io in ios)


def test_a_command_sent_from_a_callback_is_read_in_the_same_pass_when_ready(driver, channel, reactor):
    # The driver has the answers of the next commands before they are sent (scsi_debug
    # with delay=0 completes a command during write()): a loop that refills its slot
    # from the callback is served without another epoll_wait.
    chain = []

    def again(io):
        chain.append(io)
        if len(chain) < 10:
            _read(channel).add_done_callback(again)

    _read(channel).add_done_callback(again)
    (first,) = driver.sent()
    for pack_id in range(first, first + 10):
        driver.answer(pack_id)
    assert reactor.run_once(1) == 10
    assert len(chain) == 10 and all(io.ok for io in chain)
    assert driver.sent() == list(range(first + 1, first + 10))


def test_one_pass_reads_at_most_the_budget_from_one_fd(driver, channel, reactor, monkeypatch):
    monkeypatch.setattr(SgTransport, "REAP_BUDGET", 4)
    done = []

    def again(io):
        done.append(io)
        if len(done) < 6:
            _read(channel).add_done_callback(again)

    _read(channel).add_done_callback(again)
    (first,) = driver.sent()
    for pack_id in range(first, first + 6):
        driver.answer(pack_id)
    assert reactor.run_once(1) == 4
    assert len(done) == 4
    # The fd is still readable: the next pass goes on where the budget stopped.
    assert reactor.run_once(1) == 2
    assert len(done) == 6


def test_a_callback_that_closes_the_channel_stops_the_reading(driver, channel, reactor):
    ios = [_read(channel) for _ in range(3)]
    for pack_id in driver.sent():
        driver.answer(pack_id)
    ios[0].add_done_callback(lambda io: channel.close())
    assert reactor.run_once(1) == 1
    assert ios[0].ok
    # The others were failed by the close (DeviceGone), not read from a closed fd.
    assert all(io.returned and io.exception is not None for io in ios[1:])
    assert type(ios[1].exception).__name__ == "DeviceGone"


def test_a_completion_that_raises_is_raised_after_the_ready_ones(driver, channel, reactor):
    ios = [_read(channel) for _ in range(3)]
    for pack_id in driver.sent():
        driver.answer(pack_id)

    def interrupt(io):
        raise KeyboardInterrupt

    ios[0].add_done_callback(interrupt)
    with pytest.raises(KeyboardInterrupt):
        reactor.run_once(1)
    assert all(io.ok for io in ios)
    assert channel.transport.in_flight == 0


def test_reap_still_gives_a_batch(driver, channel):
    ios = [_read(channel) for _ in range(2)]
    for pack_id in driver.sent():
        driver.answer(pack_id)
    reaped = channel.transport.reap(driver.theirs.fileno())
    assert reaped == ios and not any(io.returned for io in ios)  # filled in, not yet completed
    assert channel.transport.reap(driver.theirs.fileno()) == []


@pytest.mark.parametrize("make", [bytes, bytearray])
def test_an_mmapd_write_copies_the_data_once(driver, reactor, monkeypatch, make):
    import tracemalloc

    from sgframe.transport import sg as sgtransport

    size = 1 << 20
    reserved = bytearray(size)  # stands for the fd's mapped reserved buffer
    monkeypatch.setattr(sgtransport._Lane, "mapped", lambda lane, length, want, name: memoryview(reserved))
    transport = SgTransport(fd=driver.theirs.fileno(), queue_depth=1)
    with Channel(transport, reactor=reactor, block_size=512) as channel:
        data = make(b"\xa5" * size)

        def write():
            return channel.execute(command.Write10(lba=0, transfer_length=size // 512), data=data, async_=True,
                                   io_mode="mmap")

        def answer(io):
            (pack_id,) = driver.sent()
            driver.answer(pack_id)
            io.wait(5)

        answer(write())  # the first command's one-time costs (the codec) are not measured
        reserved[:] = bytes(size)
        tracemalloc.start()
        try:
            io = write()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert reserved == data  # in the reserved buffer...
        assert peak < size // 4  # ...without a copy of the whole on the way
        answer(io)
