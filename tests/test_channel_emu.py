"""Channel, Io and Reactor through the emulated disk: the API without a kernel.

The same API runs on the real sg driver in tests/integration/test_channel_sg.py.
"""
from __future__ import annotations

import asyncio
import os
import threading

import pytest

from sgframe import Channel, Input, NoDirectionIo, Output, Reactor, command, errors
from sgframe.transport.base import Transport


@pytest.fixture
def channel(reactor):
    with Channel.open("emu:disk?blocks=4096&block_size=512", reactor=reactor) as channel:
        yield channel


def test_test_unit_ready_returns_a_returned_no_direction_io(channel):
    io = channel.cmd.TestUnitReady()
    assert isinstance(io, NoDirectionIo)
    assert repr(io) == "NoDirectionIo(timeout=60000, returned=True)"
    assert io.hdr.status == 0 and io.data == b""


def test_write_then_read_back_synchronously(channel):
    io = channel.cmd.Write10(lba=7, transfer_length=2, data=b"a" * 512 + b"b" * 512)
    assert isinstance(io, Output) and repr(io) == "Output(timeout=60000, returned=True)"
    back = channel.cmd.Read10(lba=7, transfer_length=2)
    assert isinstance(back, Input)
    assert back.data == b"a" * 512 + b"b" * 512


def test_block_size_is_learnt_with_read_capacity(reactor):
    with Channel.open("emu:disk?blocks=100&block_size=4096", reactor=reactor) as channel:
        assert channel.block_size is None
        io = channel.cmd.Read16(lba=0, transfer_length=2)
        assert channel.block_size == 4096
        assert len(io.data) == 8192


def test_asynchronous_read_polls_false_until_the_reactor_runs(channel):
    channel.cmd.Write10(lba=0, transfer_length=1, data=b"a" * 512)
    io = channel.cmd.Read10(lba=0, transfer_length=1, async_=True)
    assert repr(io) == "Input(timeout=60000, returned=False)"
    assert io.returned is False
    io.wait()
    assert io.poll() is True
    assert io.data[:3] == b"aaa"


def test_execute_many_and_channel_wait(channel):
    ios = channel.execute_many([command.Inquiry(allocation_length=96), command.ReadCapacity10()], async_=True)
    assert [io.returned for io in ios] == [False, False]
    channel.wait()
    assert channel.poll() is True
    assert all(io.returned for io in ios)
    assert len(ios[1].data) == 8
    assert int.from_bytes(ios[1].data[:4], "big") == 4095


def test_result_decodes_the_response(channel):
    inquiry = channel.cmd.Inquiry(allocation_length=96).result
    assert inquiry.vendor_identification.strip() == "SGFRAME"
    capacity = channel.cmd.ReadCapacity16(allocation_length=32).result
    assert capacity.returned_lba == 4095 and capacity.block_length == 512


def test_a_failed_synchronous_command_raises(channel):
    with pytest.raises(errors.IllegalRequest) as raised:
        channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1)
    assert raised.value.asc == 0x21 and raised.value.ascq == 0x00
    assert str(raised.value).startswith("READ(16) on emu:disk?blocks=4096&block_size=512: CHECK CONDITION, ILLEGAL REQUEST")
    assert raised.value.io.hdr.status == 0x02


def test_a_failed_asynchronous_command_raises_from_wait_and_result(channel):
    io = channel.cmd.Read10(lba=5000, transfer_length=1, async_=True)
    with pytest.raises(errors.IllegalRequest):
        io.wait()
    with pytest.raises(errors.IllegalRequest):
        io.result
    assert io.sense.asc == 0x21


def test_channel_wait_raises_a_failure_nobody_looked_at_once(channel):
    channel.cmd.Read10(lba=5000, transfer_length=1, async_=True)
    good = channel.cmd.TestUnitReady(async_=True)
    with pytest.raises(errors.IllegalRequest):
        channel.wait()
    assert good.returned
    channel.wait()  # reported once, not again


def test_data_length_must_match_the_cdb(channel):
    with pytest.raises(errors.UsageError, match="moves 512 bytes"):
        channel.cmd.Write10(lba=0, transfer_length=1, data=b"short")
    with pytest.raises(errors.UsageError, match="give data="):
        channel.cmd.Write10(lba=0, transfer_length=1)
    with pytest.raises(errors.UsageError, match="drop data="):
        channel.cmd.Read10(lba=0, transfer_length=1, data=b"x" * 512)


def test_unknown_command_name_is_an_attribute_error(channel):
    with pytest.raises(AttributeError, match="NoSuchCommand"):
        channel.cmd.NoSuchCommand()


def test_many_in_flight_complete_in_any_order_with_nothing_lost(channel):
    for lba in range(64):
        channel.cmd.Write10(lba=lba, transfer_length=1, data=bytes([lba]) * 512)
    ios = [channel.cmd.Read10(lba=lba, transfer_length=1, async_=True) for lba in range(64)]
    channel.wait()
    assert [io.data[0] for io in ios] == list(range(64))


def test_queue_depth_backlog_keeps_order_and_completes_everything(reactor):
    with Channel.open("emu:disk?blocks=128", reactor=reactor, queue_depth=4) as channel:
        ios = [channel.cmd.TestUnitReady(async_=True) for _ in range(50)]
        channel.wait()
        assert all(io.returned and io.exception is None for io in ios)


def test_io_reuse_keeps_the_buffer(channel):
    first = channel.cmd.Read10(lba=0, transfer_length=1)
    buffer = first.buffer
    again = channel.execute(command.Read10(lba=1, transfer_length=1), io=first)
    assert again is first and again.buffer is buffer


def test_threaded_reactor_completes_while_the_caller_waits(reactor):
    with Channel.open("emu:disk?blocks=128", reactor=reactor) as channel:
        reactor.start()
        try:
            ios = [channel.cmd.TestUnitReady(async_=True) for _ in range(20)]
            channel.wait(timeout=5)
            assert all(io.returned for io in ios)
            assert reactor.running
        finally:
            reactor.stop()
        assert not reactor.running


def test_asyncio_aexecute(reactor):
    async def main():
        with Channel.open("emu:disk?blocks=128", reactor=reactor) as channel:
            await channel.aexecute(command.Write10(lba=3, transfer_length=1), data=b"z" * 512)
            ios = await asyncio.gather(*(channel.aexecute(command.Read10(lba=3, transfer_length=1)) for _ in range(8)))
            return [io.data[:1] for io in ios]

    assert asyncio.run(main()) == [b"z"] * 8


def test_asyncio_aexecute_raises_the_failure(reactor):
    async def main():
        with Channel.open("emu:disk?blocks=128", reactor=reactor) as channel:
            await channel.aexecute(command.Read10(lba=999, transfer_length=1))

    with pytest.raises(errors.IllegalRequest):
        asyncio.run(main())


class _LostDevice(Transport):
    """A kernel-style transport whose device hangs up with commands in flight."""

    name = "lost"

    def __init__(self):
        super().__init__()
        self.read_end, self.write_end = os.pipe()
        self.held = []

    @property
    def depth(self):
        return 64

    def fds(self):
        return (self.read_end,)

    def submit(self, io):
        self.held.append(io)
        return True

    def detach(self):
        held, self.held = self.held, []
        return held

    def close(self):
        for fd in (self.read_end, self.write_end):
            try:
                os.close(fd)
            except OSError:
                pass


def test_a_hangup_fails_every_pending_io_with_device_gone(reactor):
    transport = _LostDevice()
    channel = Channel(transport, reactor=reactor)
    ios = [channel.execute(command.TestUnitReady(), async_=True) for _ in range(32)]
    os.close(transport.write_end)  # the read end now reports EPOLLHUP, as sg does on removal
    transport.write_end = -1
    with pytest.raises(errors.DeviceGone):
        ios[0].wait(timeout=5)
    assert all(isinstance(io.exception, errors.DeviceGone) for io in ios)
    assert channel.poll() is True
    channel.close()


def test_close_fails_what_is_in_flight(reactor):
    transport = _LostDevice()
    channel = Channel(transport, reactor=reactor)
    io = channel.execute(command.TestUnitReady(), async_=True)
    channel.close()
    assert isinstance(io.exception, errors.DeviceGone)
    with pytest.raises(errors.UsageError, match="closed"):
        channel.execute(command.TestUnitReady())


def test_wait_timeout_raises_timeout_error(reactor):
    transport = _LostDevice()
    channel = Channel(transport, reactor=reactor)
    io = channel.execute(command.TestUnitReady(), async_=True)
    with pytest.raises(TimeoutError):
        io.wait(timeout=0.1)
    with pytest.raises(TimeoutError):
        channel.wait(timeout=0.1)
    channel.close()


def test_process_events_can_be_fed_without_a_kernel(reactor):
    transport = _LostDevice()
    channel = Channel(transport, reactor=reactor)
    channel.execute(command.TestUnitReady(), async_=True)
    import select

    completed = reactor.process_events([(transport.read_end, select.EPOLLHUP)])
    assert completed == 1
    channel.close()


def test_many_threads_share_a_started_reactor(reactor):
    with Channel.open("emu:disk?blocks=1024", reactor=reactor) as channel:
        reactor.start()
        assert reactor.threadsafe
        results = []

        def worker(base):
            ios = [channel.cmd.Write10(lba=base + i, transfer_length=1, data=bytes([base + i]) * 512, async_=True)
                   for i in range(25)]
            for io in ios:
                io.wait(timeout=5)
            reads = [channel.cmd.Read10(lba=base + i, transfer_length=1) for i in range(25)]
            results.append([r.data[0] for r in reads] == [base + i for i in range(25)])

        threads = [threading.Thread(target=worker, args=(base,)) for base in (0, 25, 50, 75)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        reactor.stop()
        assert results == [True] * 4


def test_a_reactor_used_from_one_thread_takes_no_lock(reactor):
    assert not reactor.threadsafe
    assert not hasattr(reactor.lock, "acquire")  # a no-op context manager, not a lock
    with Reactor(threadsafe=True) as shared:
        assert shared.threadsafe


def test_execute_raw_reads_writes_and_is_judged_like_any_command(channel):
    channel.execute_raw(bytes.fromhex("2a 00 00000009 00 0001 00"), data=b"r" * 512)
    io = channel.execute_raw(bytes.fromhex("28 00 00000009 00 0001 00"), request=512)
    assert isinstance(io, Input) and io.data == b"r" * 512
    assert io.command.NAME == "READ(10)"
    with pytest.raises(errors.IllegalRequest, match=r"^opcode C7h on .*Invalid command operation code \[20h/00h\]"):
        channel.execute_raw(bytes.fromhex("c7 00 00 00 00 00"))
    with pytest.raises(errors.UsageError, match="6 to 252 bytes"):
        channel.execute_raw(b"\x00\x00")
    with pytest.raises(errors.UsageError, match="not both"):
        channel.execute_raw(bytes(10), data=b"x", request=4)


def test_raw_commands_compare_and_pickle_by_value():
    import pickle

    from sgframe.cdb import Direction
    from sgframe.raw import RawCommand

    raw = RawCommand(bytes.fromhex("12 00 00 00 24 00"), direction=Direction.IN, length=36)
    assert raw.NAME == "INQUIRY" and bytes(raw) == bytes.fromhex("120000002400")
    assert pickle.loads(pickle.dumps(raw)) == raw
    assert raw != RawCommand(bytes.fromhex("12 00 00 00 24 00"), direction=Direction.IN, length=8)


def test_verify_without_byte_check_needs_no_data(channel):
    io = channel.execute(command.Verify16(lba=0, verification_length=8, bytchk=0))
    assert isinstance(io, Output) and io.length == 0


def test_reset_gives_one_unit_attention(channel):
    channel.reset("device")
    with pytest.raises(errors.UnitAttention) as raised:
        channel.cmd.TestUnitReady()
    assert (raised.value.asc, raised.value.ascq) == (0x29, 0x00)
    channel.cmd.TestUnitReady()
    with pytest.raises(errors.UsageError, match="reset kind"):
        channel.reset("everything")


def test_a_done_callback_that_raises_loses_no_other_completion(channel, caplog):
    ios = [channel.cmd.TestUnitReady(async_=True) for _ in range(3)]

    def broken(io):
        raise RuntimeError("a bug in the caller's callback")

    ios[0].add_done_callback(broken)
    channel.wait(timeout=5)
    assert all(io.returned and io.exception is None for io in ios)
    assert "done callback" in caplog.text and "a bug in the caller's callback" in caplog.text


def test_channel_wait_raises_every_unseen_failure_once(channel):
    bad = [channel.cmd.Read10(lba=5000 + i, transfer_length=1, async_=True) for i in range(3)]
    raised = []
    for _ in range(3):
        with pytest.raises(errors.IllegalRequest) as failure:
            channel.wait()
        raised.append(failure.value.io)
    assert raised == bad
    channel.wait()  # nothing left


def test_failures_already_raised_are_not_kept(channel):
    for _ in range(50):
        with pytest.raises(errors.IllegalRequest):
            channel.cmd.Read16(lba=0xFFFFFFFF, transfer_length=1)
    io = channel.cmd.Read10(lba=5000, transfer_length=1, async_=True)
    with pytest.raises(errors.IllegalRequest):
        io.wait()
    assert channel._unobserved == {}
    channel.wait()


def test_the_reactor_outlives_an_asyncio_loop(reactor):
    with Channel.open("emu:disk?blocks=64", reactor=reactor) as channel:
        async def once():
            await channel.aexecute(command.TestUnitReady())

        asyncio.run(once())
        io = channel.cmd.TestUnitReady(async_=True)  # the loop is closed now
        io.wait(timeout=5)
        assert io.returned and io.exception is None
        asyncio.run(once())  # and a new loop takes over


def test_write_same_learns_the_block_size(reactor):
    with Channel.open("emu:disk?blocks=64&block_size=4096", reactor=reactor) as channel:
        channel.cmd.WriteSame10(lba=0, number_of_logical_blocks=4, data=b"s" * 4096)
        assert channel.block_size == 4096
        assert channel.cmd.Read10(lba=3, transfer_length=1).data == b"s" * 4096


def test_verify_without_byte_check_does_not_ask_for_the_block_size(reactor):
    with Channel.open("emu:disk?blocks=64", reactor=reactor) as channel:
        channel.execute(command.Verify10(lba=0, verification_length=4))
        assert channel.block_size is None


def test_cmd_methods_are_built_once_per_channel(channel):
    assert channel.cmd.Read10 is channel.cmd.Read10
    assert channel.cmd.Read10.__name__ == "Read10"


def test_an_io_in_flight_cannot_be_reused(reactor):
    transport = _LostDevice()
    channel = Channel(transport, reactor=reactor)
    io = channel.execute(command.TestUnitReady(), async_=True)
    with pytest.raises(errors.UsageError, match="still in flight"):
        channel.execute(command.TestUnitReady(), io=io)
    channel.close()


def test_reusing_an_io_forgets_its_unseen_failure(channel):
    io = channel.cmd.Read10(lba=5000, transfer_length=1, async_=True)
    channel.poll()
    assert isinstance(io.exception, errors.IllegalRequest)
    channel.execute(command.Read10(lba=0, transfer_length=1), io=io)  # reused, succeeds
    channel.wait()  # nothing to report: the failure went with the old command


def test_an_io_refused_before_sending_can_be_reused(channel):
    io = channel.cmd.Write10(lba=0, transfer_length=1, data=b"a" * 512)
    with pytest.raises(errors.UsageError, match="moves 512 bytes"):
        channel.execute(command.Write10(lba=0, transfer_length=1), data=b"short", io=io)
    channel.execute(command.Write10(lba=1, transfer_length=1), data=b"b" * 512, io=io)
    assert io.returned and io.exception is None
