"""Channels over iSCSI against tgtd: the reactor, asyncio, the judge, the hang-up path and
the command line, the same code paths sg takes."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest

from sgframe import Channel, Reactor
from sgframe.cli import main
from sgframe.command.rw import Read16, Write16
from sgframe.command.spc import Inquiry, TestUnitReady
from sgframe.decode.inquiry import decode_inquiry
from sgframe.errors import CommandTimeout, DeviceGone, IllegalRequest, ReservationConflict, TaskFailed, UnitAttention
from sgframe.iscsi.blocking import BlockingSession
from sgframe.iscsi.errors import CommandTimedOut, ConnectionLost
from sgframe.judge import exception_for
from sgframe.reactor import default_reactor
from sgframe.retry import RetryPolicy
from sgframe.transport.iscsi import IscsiTransport
from tgt_target import DISK, HAVE_TGT, SIZE, Tgt, open_fds

pytestmark = pytest.mark.skipif(not HAVE_TGT, reason="tgt (tgtd, tgtadm) is not installed")
BLOCKS = SIZE // 512


@pytest.fixture(scope="module")
def tgt(tmp_path_factory):
    target = Tgt(tmp_path_factory.mktemp("tgt"))
    try:
        target.image = target.add_target(1, DISK)
        yield target
    finally:
        target.stop()


@pytest.fixture(autouse=True)
def no_fd_left_open():
    default_reactor()  # the process's own (the command line's) is no leak
    before = open_fds()
    yield
    assert open_fds() == before, "a file descriptor was left open"


@pytest.fixture
def channel(tgt, reactor):
    with Channel.open(tgt.url(), reactor=reactor) as channel:
        yield channel


def pattern(lba: int, blocks: int) -> bytes:
    return b"".join(lba_block.to_bytes(8, "big") * 64 for lba_block in range(lba, lba + blocks))


def test_open_gives_an_iscsi_transport_with_its_two_descriptors(channel, tgt):
    transport = channel.transport
    assert isinstance(transport, IscsiTransport)
    assert channel.name == "iscsi://127.0.0.1:%d/%s/1" % (tgt.port, DISK)
    assert len(transport.fds()) == 2 and transport.depth == 32
    assert transport.login.parameters.error_recovery_level == 0  # tgt keeps InitialR2T=Yes


def test_inquiry_and_read_capacity(channel):
    inquiry = channel.cmd.Inquiry().result
    assert (inquiry.vendor_identification, inquiry.product_identification) == ("IET", "VIRTUAL-DISK")
    assert inquiry.peripheral_device_type == 0
    capacity = channel.cmd.ReadCapacity16().result
    assert (capacity.returned_lba, capacity.block_length) == (BLOCKS - 1, 512)
    assert channel.block_size is None or channel.block_size == 512


def test_write_through_r2t_and_read_back(channel, tgt):
    # 1 MiB: beyond tgt's FirstBurstLength (65536), so most of it goes on R2Ts.
    assert channel.transport.login.parameters.first_burst_length < 1 << 20
    data = os.urandom(1 << 20)
    channel.cmd.Write16(lba=4096, transfer_length=2048, data=data)
    io = channel.cmd.Read16(lba=4096, transfer_length=2048)
    assert io.data == data and io.hdr.resid == 0 and io.hdr.status == 0
    with open(tgt.image, "rb") as f:
        f.seek(4096 * 512)
        assert f.read(1 << 20) == data


def test_short_transfer_reports_the_residual(channel):
    # INQUIRY with 255 bytes allowed: tgt sends its 66 and says underflow.
    io = channel.cmd.Inquiry(allocation_length=255)
    assert io.hdr.resid == 255 - len(io.data) and len(io.data) == 66
    assert decode_inquiry(io.data).additional_length == 61


def test_check_condition_raises_what_sg_raises(channel):
    command = Read16(lba=BLOCKS, transfer_length=1)
    with pytest.raises(IllegalRequest) as caught:
        channel.execute(command)
    error = caught.value
    io = error.io
    # The header an sg completion has: CHECK CONDITION, DRIVER_SENSE, host byte 0.
    assert (io.hdr.status, io.hdr.host_status, io.hdr.driver_status, io.hdr.info) == (0x02, 0, 0x08, 1)
    assert (error.sense_key, error.asc, error.ascq) == (0x5, 0x21, 0x00)
    # The judge's answer for these bytes, and the emulated disk's for the same command.
    expected = exception_for(0x02, driver_status=0x08, sense=io.hdr.sense, command="READ(16)", device=channel.name)
    assert type(error) is type(expected) and str(error) == str(expected)
    with Channel.open(f"emu:disk?blocks={BLOCKS}", reactor=channel.reactor) as emu:
        with pytest.raises(IllegalRequest) as emulated:
            emu.execute(command)
    assert (emulated.value.sense_key, emulated.value.asc, emulated.value.ascq) == (0x5, 0x21, 0x00)


def test_32_in_flight_and_the_backlog(channel):
    channel.cmd.Write16(lba=0, transfer_length=256, data=pattern(0, 256))
    ios = [channel.execute(Read16(lba=i, transfer_length=1), async_=True) for i in range(256)]
    assert channel.transport.in_flight == 32  # the queue depth; the rest wait in the backlog
    assert channel.outstanding == 256
    channel.wait(30)
    assert [io.data for io in ios] == [pattern(i, 1) for i in range(256)]


def test_queue_depth_option(tgt, reactor):
    with Channel.open(tgt.url(), reactor=reactor, queue_depth=4) as channel:
        ios = [channel.execute(Read16(lba=i, transfer_length=1), async_=True) for i in range(10)]
        assert channel.transport.in_flight == 4
        channel.wait(10)
        assert all(io.ok for io in ios)


def test_failures_of_async_commands_are_judged(channel):
    good = channel.execute(Read16(lba=0, transfer_length=1), async_=True)
    bad = channel.execute(Read16(lba=BLOCKS + 5, transfer_length=1), async_=True)
    with pytest.raises(IllegalRequest):
        bad.wait(10)
    good.wait(10)
    assert good.ok and len(good.data) == 512


def test_synchronous_command_while_async_ones_are_in_flight(channel):
    # execute() reads the socket itself: the answers of the async commands it finds are
    # handed to the reactor through the timer, none is lost.
    ios = [channel.execute(Read16(lba=i * 8, transfer_length=8), async_=True) for i in range(16)]
    assert channel.cmd.TestUnitReady().ok
    channel.wait(10)
    assert all(io.ok and len(io.data) == 4096 for io in ios)


def test_handlers_and_retries(tgt, reactor):
    seen = []
    with Channel.open(tgt.url(), reactor=reactor, block_size=512) as channel:
        channel.handlers.append(lambda io: seen.append((io.command.NAME, io.hdr.status)))
        channel.cmd.TestUnitReady()
        with pytest.raises(IllegalRequest):
            channel.execute(Read16(lba=BLOCKS, transfer_length=1))
    assert seen == [("TEST UNIT READY", 0), ("READ(16)", 2)]
    # A new nexus with the reset unit attention left in place: a retry policy gets past it.
    transport = IscsiTransport(tgt.url(query="?initiator_name=iqn.2026-12.test:retry"), absorb_reset=False)
    with Channel(transport, reactor=reactor) as channel:
        io = channel.execute(TestUnitReady(), retry=RetryPolicy(conditions=(UnitAttention,), attempts=3))
        assert io.ok and io.attempts == 2


def test_unit_attention_is_left_when_asked(tgt, reactor):
    transport = IscsiTransport(tgt.url(query="?initiator_name=iqn.2026-12.test:ua"), absorb_reset=False)
    with Channel(transport, reactor=reactor) as channel:
        with pytest.raises(UnitAttention) as caught:
            channel.cmd.TestUnitReady()
        assert (caught.value.asc, caught.value.ascq) == (0x29, 0x00)


def test_aexecute_under_asyncio(tgt, reactor):
    async def run():
        with Channel.open(tgt.url(), reactor=reactor) as channel:
            await channel.aexecute(Write16(lba=512, transfer_length=64), data=pattern(512, 64))
            ios = await asyncio.gather(*(channel.aexecute(Read16(lba=512 + i, transfer_length=1))
                                         for i in range(64)))
            with pytest.raises(IllegalRequest):
                await channel.aexecute(Read16(lba=BLOCKS, transfer_length=1))
            return [io.data for io in ios]

    assert asyncio.run(run()) == [pattern(512 + i, 1) for i in range(64)]


def test_reactor_in_a_background_thread(tgt):
    with Reactor() as reactor:
        reactor.start()
        with Channel.open(tgt.url(), reactor=reactor) as channel:
            ios = [channel.execute(Read16(lba=i, transfer_length=8), async_=True) for i in range(64)]
            sync = [channel.cmd.Inquiry().result.vendor_identification for _ in range(8)]
            channel.wait(10)
        assert sync == ["IET"] * 8 and all(io.ok for io in ios)


def test_two_initiators_in_one_reactor_are_two_nexuses(tgt, reactor):
    first = Channel.open(tgt.url(query="?initiator_name=iqn.2026-12.test:one"), reactor=reactor)
    second = Channel.open(tgt.url(query="?initiator_name=iqn.2026-12.test:two"), reactor=reactor)
    try:
        first.cmd.Reserve6()
        try:
            with pytest.raises(ReservationConflict):
                second.cmd.TestUnitReady()
            # Both in flight at once, on one reactor: one passes, one conflicts.
            a = first.execute(Read16(lba=0, transfer_length=1), async_=True)
            b = second.execute(Read16(lba=0, transfer_length=1), async_=True)
            reactor.wait_for(lambda: a.returned and b.returned, 10)
            assert a.ok and isinstance(b.exception, ReservationConflict)
        finally:
            first.cmd.Release6()
        second.cmd.TestUnitReady()
    finally:
        first.close()
        second.close()


def test_device_reset_is_a_logical_unit_reset(channel):
    channel.reset("device")
    # tgt reports the reset to the nexus with a unit attention (29h/03h or 29h/00h).
    with pytest.raises(UnitAttention) as caught:
        channel.cmd.TestUnitReady()
    assert caught.value.asc == 0x29
    channel.cmd.TestUnitReady()


def test_tgtd_killed_with_commands_in_flight(tmp_path, reactor):
    target = Tgt(tmp_path)
    try:
        target.add_target(1, DISK)
        before = open_fds()
        channel = Channel.open(target.url(), reactor=reactor, block_size=512)
        channel.cmd.TestUnitReady()
        # Stopped, tgtd leaves the commands unread in its socket; killed, its kernel
        # resets the connection: every command fails at once, none hangs.
        os.kill(target.proc.pid, signal.SIGSTOP)
        ios = [channel.execute(Read16(lba=i, transfer_length=8), async_=True) for i in range(40)]
        os.kill(target.proc.pid, signal.SIGKILL)
        target.proc.wait(5)
        start = time.monotonic()
        reactor.wait_for(lambda: all(io.returned for io in ios), 10)
        assert time.monotonic() - start < 5
        assert all(isinstance(io.exception, TaskFailed) for io in ios)
        # In flight on the connection: ConnectionLost; in the channel's backlog: DeviceGone.
        assert {type(io.exception) for io in ios[:32]} == {ConnectionLost}
        assert {type(io.exception) for io in ios[32:]} == {DeviceGone}
        assert channel.transport.fds() == ()
        with pytest.raises(DeviceGone):
            channel.cmd.TestUnitReady()
        channel.close()
        assert open_fds() == before
    finally:
        target.stop()


def test_a_command_past_its_timeout_fails_and_drops_the_connection(tmp_path, reactor):
    target = Tgt(tmp_path)
    try:
        target.add_target(1, DISK)
        channel = Channel.open(target.url(), reactor=reactor, block_size=512)
        os.kill(target.proc.pid, signal.SIGSTOP)
        try:
            slow = channel.execute(Read16(lba=0, transfer_length=1), async_=True, timeout=60000)
            start = time.monotonic()
            with pytest.raises(CommandTimedOut) as caught:
                channel.execute(TestUnitReady(), timeout=300)
            took = time.monotonic() - start
            assert 0.25 < took < 2
            assert isinstance(caught.value, CommandTimeout) and caught.value.host_status == 0x03
            reactor.wait_for(lambda: slow.returned, 5)
            assert isinstance(slow.exception, ConnectionLost)
            # An asynchronous command times out through the reactor's timer fd.
        finally:
            os.kill(target.proc.pid, signal.SIGCONT)
        channel.close()
        channel = Channel.open(target.url(), reactor=reactor)
        os.kill(target.proc.pid, signal.SIGSTOP)
        try:
            io = channel.execute(TestUnitReady(), async_=True, timeout=200)
            # The timer fails it; the shut socket then hangs up, and the channel drops it.
            reactor.wait_for(lambda: io.returned and not channel.transport.fds(), 5)
            assert isinstance(io.exception, CommandTimedOut)
            assert channel.transport.fds() == ()
            with pytest.raises(DeviceGone):
                channel.cmd.TestUnitReady()
        finally:
            os.kill(target.proc.pid, signal.SIGCONT)
        channel.close()
    finally:
        target.stop()


def test_a_deadline_after_one_that_completed_is_still_kept(tmp_path, reactor):
    # The timer is set for the earliest deadline only, never per command: a command that
    # completes leaves it set for its own deadline, and when it fires there the next
    # deadline is found. The command sent later, with a later deadline, times out then.
    target = Tgt(tmp_path)
    try:
        target.add_target(1, DISK)
        with Channel.open(target.url(), reactor=reactor, block_size=512) as channel:
            assert channel.execute(Read16(lba=0, transfer_length=1), timeout=200).ok
            os.kill(target.proc.pid, signal.SIGSTOP)
            try:
                start = time.monotonic()
                late = channel.execute(TestUnitReady(), async_=True, timeout=700)
                reactor.wait_for(lambda: late.returned, 5)
                took = time.monotonic() - start
            finally:
                os.kill(target.proc.pid, signal.SIGCONT)
            assert isinstance(late.exception, CommandTimedOut)
            assert 0.65 < took < 2.5
    finally:
        target.stop()


def test_the_timer_is_not_set_per_command(channel, monkeypatch):
    from sgframe.linux.timerfd import Timer

    settings = []
    real = Timer.set
    monkeypatch.setattr(Timer, "set", lambda timer, deadline: (settings.append(deadline), real(timer, deadline)))
    io = channel.execute(Read16(lba=0, transfer_length=8))
    for lba in range(1, 100):
        channel.execute(Read16(lba=lba, transfer_length=8), io=io)
    assert len(settings) == 1  # the first command's deadline; the others' are later
    done = []

    def again(io):
        done.append(io)
        if len(done) < 100:
            channel.execute(Read16(lba=len(done), transfer_length=8), async_=True, io=io).add_done_callback(again)

    channel.execute(Read16(lba=0, transfer_length=8), async_=True).add_done_callback(again)
    channel.wait(10)
    assert len(done) == 100 and all(io.ok for io in done)
    assert len(settings) == 1


class _CountingSocket:
    """The transport's socket, counting receives that found nothing."""

    def __init__(self, sock):
        self.sock = sock
        self.empty = 0
        self.reads = 0

    def recv_into(self, view):
        self.reads += 1
        try:
            return self.sock.recv_into(view)
        except BlockingIOError:
            self.empty += 1
            raise

    def __getattr__(self, name):
        return getattr(self.sock, name)


def test_a_synchronous_command_waits_for_its_answer_before_reading(channel):
    # A read straight after the send finds nothing (the target has not answered yet):
    # a system call and an exception per command for nothing.
    counting = channel.transport._sock = _CountingSocket(channel.transport._sock)
    io = channel.execute(Read16(lba=0, transfer_length=8))
    for lba in range(1, 50):
        channel.execute(Read16(lba=lba, transfer_length=8), io=io)
    assert counting.reads >= 50 and counting.empty == 0


def test_a_good_completion_after_a_check_condition_clears_the_header(channel):
    io = channel.execute(Read16(lba=BLOCKS, transfer_length=1), verify_handler=lambda io: None)
    assert (io.hdr.status, io.hdr.driver_status, io.hdr.info) == (0x02, 0x08, 1) and io.hdr.sense
    channel.execute(Read16(lba=0, transfer_length=1), io=io)
    hdr = io.hdr
    assert (hdr.status, hdr.host_status, hdr.driver_status, hdr.info, hdr.resid, hdr.sense) == (0, 0, 0, 0, 0, b"")
    assert hdr.duration.__class__ is int and 0 <= hdr.duration < 5000


def test_close_logs_out(tgt, reactor):
    channel = Channel.open(tgt.url(query="?initiator_name=iqn.2026-12.test:bye"), reactor=reactor)
    session = channel.transport.session
    channel.close()
    assert session.state.value == "closed" and channel.transport.fds() == ()
    # tgt lists no session for that initiator once it logged out.
    deadline = time.monotonic() + 5
    while "iqn.2026-12.test:bye" in tgt.adm("--mode", "target", "--op", "show") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "iqn.2026-12.test:bye" not in tgt.adm("--mode", "target", "--op", "show")


def test_a_portal_uri_is_not_a_device(tgt):
    from sgframe.errors import UsageError

    with pytest.raises(UsageError, match="the target name and LUN are missing"):
        Channel.open("iscsi://127.0.0.1:%d" % tgt.port)


# --- the command line --------------------------------------------------------------------


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, out


def test_cli_inq_readcap_read(tgt, capsys):
    code, out = run_cli(capsys, "inq", "--json", tgt.url())
    assert code == 0 and json.loads(out)["vendor_identification"] == "IET"
    code, out = run_cli(capsys, "readcap", "--json", tgt.url())
    assert code == 0 and json.loads(out)["returned_lba"] == BLOCKS - 1
    code, out = run_cli(capsys, "read", "--json", tgt.url(), "--lba", "0", "--count", "16")
    report = json.loads(out)
    assert code == 0 and report["blocks_done"] == 16 and report["error"] is None
    code, out = run_cli(capsys, "tur", tgt.url())
    assert code == 0 and out.strip() == "ready"


def test_cli_scan_portal(tgt, capsys):
    code, out = run_cli(capsys, "scan", "--json", "iscsi://127.0.0.1:%d" % tgt.port)
    assert code == 0
    assert json.loads(out) == [{
        "target": DISK, "addresses": ["127.0.0.1:%d,1" % tgt.port],
        "luns": [
            {"lun": 0, "scsi_type": 12, "type_name": "storage", "vendor": "IET", "model": "Controller", "rev": "0001"},
            {"lun": 1, "scsi_type": 0, "type_name": "disk", "vendor": "IET", "model": "VIRTUAL-DISK", "rev": "0001"},
        ],
    }]
    code, out = run_cli(capsys, "scan", "iscsi://127.0.0.1:%d" % tgt.port)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["target", "portal", "LUN", "type", "vendor", "model", "rev"]
    assert lines[2].split() == [DISK, "127.0.0.1:%d,1" % tgt.port, "1", "disk", "IET", "VIRTUAL-DISK", "0001"]


def test_cli_scan_agrees_with_iscsi_ls(tgt, capsys):
    import shutil
    import subprocess

    if shutil.which("iscsi-ls") is None:
        pytest.skip("libiscsi-bin is not installed")
    listed = subprocess.run(["iscsi-ls", "-s", "iscsi://127.0.0.1:%d" % tgt.port], capture_output=True,
                            text=True, timeout=30).stdout
    code, out = run_cli(capsys, "scan", "--json", "iscsi://127.0.0.1:%d" % tgt.port)
    for target in json.loads(out):
        assert "Target:%s" % target["target"] in listed
        for lun in target["luns"]:
            assert "Lun:%d" % lun["lun"] in listed


def test_cli_bad_portal_and_unreachable(capsys):
    code = main(["scan", "emu:disk"])
    assert code == 1
    code = main(["scan", "--timeout", "2", "iscsi://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code != 0 and "cannot connect to 127.0.0.1:1" in err


def test_blocking_session_still_sees_the_reset_unit_attention(tgt):
    # The transport absorbs it; the protocol-level driver leaves it for negative tests.
    with BlockingSession(tgt.url(query="?initiator_name=iqn.2026-12.test:raw")) as s:
        done = s.execute(bytes(TestUnitReady()))
        assert done.status == 0x02


def test_vpd_page_through_channel_cmd(channel):
    # tgt's unit serial number is "beaf" + tid + lun.
    assert channel.execute(Inquiry(evpd=True, page_code=0x80)).result.product_serial_number == "beaf11"


def test_a_whole_sense_buffer_is_cut_as_sg_cuts_it(tgt, reactor):
    # LIO sends its whole 96-byte sense buffer; sg reports 8 + ADDITIONAL SENSE LENGTH.
    import attrs

    from sgframe.iscsi.pdu import ScsiResponse

    def pad(direction, pdu):
        if direction == "in" and isinstance(pdu, ScsiResponse) and pdu.data:
            sense = pdu.data[2:]
            return attrs.evolve(pdu, data=(96).to_bytes(2, "big") + sense + bytes(96 - len(sense)))
        return None

    with Channel(IscsiTransport(tgt.url(), hook=pad), reactor=reactor) as channel:
        with pytest.raises(IllegalRequest) as caught:
            channel.execute(Read16(lba=BLOCKS, transfer_length=1), timeout=5000)
    sense = caught.value.io.hdr.sense
    assert len(sense) == 8 + sense[7] == 18 and sense[12:14] == b"\x21\x00"
