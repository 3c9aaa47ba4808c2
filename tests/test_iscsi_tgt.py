"""sgframe's iSCSI initiator against a real target: tgt's tgtd, started here as an
ordinary process on 127.0.0.1 (its own IPC socket, a free port, file-backed LUNs in
tmp), with libiscsi's tools as a second opinion, and fake targets for the faults."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import socketserver
import subprocess
import threading
import time

import attrs
import pytest

from sgframe.command.rw import Read16, Write16
from sgframe.command.sbc import ReadCapacity16
from sgframe.command.spc import Inquiry
from sgframe.decode.capacity import decode_read_capacity16
from sgframe.decode.inquiry import decode_inquiry
from sgframe.errors import IllegalRequest, UnitAttention
from sgframe.iscsi import (
    DROP, AuthenticationFailed, ConnectionLost, LoginFailed, RemoteProtocolError, TmfFunction, error_for,
)
from sgframe.iscsi.blocking import BlockingSession, discover
from sgframe.iscsi.errors import (
    IscsiTimeout, LocalProtocolError, TargetClosedConnection, TargetUnreachable,
)
from sgframe.iscsi.pdu import R2T, DataIn, DataOut, NopIn, NopOut, ScsiCommand

from tgt_target import CHAP, DISK, SECRET, SIZE, TSECRET, TUSER, USER, HAVE_TGT, Tgt, free_port, open_fds  # noqa: F401

pytestmark = pytest.mark.skipif(not HAVE_TGT, reason="tgt (tgtd, tgtadm) is not installed")


@pytest.fixture(scope="module")
def tgt(tmp_path_factory):
    target = Tgt(tmp_path_factory.mktemp("tgt"))
    try:
        target.image = target.add_target(1, DISK)
        for key in ("HeaderDigest", "DataDigest"):
            target.adm("--mode", "target", "--op", "update", "--tid", "1", "--name", key, "--value", "CRC32C,None")
        target.add_target(2, CHAP)
        target.adm("--mode", "account", "--op", "new", "--user", USER, "--password", SECRET)
        target.adm("--mode", "account", "--op", "bind", "--tid", "2", "--user", USER)
        target.adm("--mode", "account", "--op", "new", "--user", TUSER, "--password", TSECRET)
        target.adm("--mode", "account", "--op", "bind", "--tid", "2", "--user", TUSER, "--outgoing")
        yield target
    finally:
        target.stop()


@pytest.fixture(autouse=True)
def no_fd_left_open():
    before = open_fds()
    yield
    assert open_fds() == before, "a file descriptor was left open"


def clear_unit_attention(s: BlockingSession) -> None:
    # tgt reports POWER ON OCCURRED to each new I_T nexus once; take it out of the way.
    for _ in range(3):
        done = s.execute(bytes(6))
        if done.status == 0:
            return


def test_discovery_matches_iscsi_ls(tgt):
    targets = discover("iscsi://127.0.0.1:%d" % tgt.port)
    portal = "127.0.0.1:%d,1" % tgt.port
    assert sorted(targets) == [(CHAP, [portal]), (DISK, [portal])]
    if shutil.which("iscsi-ls") is None:
        pytest.skip("libiscsi-bin is not installed")
    listed = subprocess.run(["iscsi-ls", "iscsi://127.0.0.1:%d" % tgt.port], capture_output=True,
                            text=True, check=True).stdout
    assert sorted(listed.splitlines()) == ["Target:%s Portal:%s" % (name, portal) for name, _ in sorted(targets)]


def test_inquiry_and_read_capacity_agree_with_libiscsi(tgt):
    with BlockingSession(tgt.url()) as s:
        inq = decode_inquiry(s.execute(bytes(Inquiry(allocation_length=96)), data_in_length=96).data)
        clear_unit_attention(s)
        cap = decode_read_capacity16(s.execute(bytes(ReadCapacity16(allocation_length=32)), data_in_length=32).data)
    assert (cap.returned_lba, cap.block_length) == (SIZE // 512 - 1, 512)
    if shutil.which("iscsi-inq") is None:
        pytest.skip("libiscsi-bin is not installed")
    out = subprocess.run(["iscsi-inq", tgt.url()], capture_output=True, text=True, check=True).stdout
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    assert lines["Vendor"].strip() == inq.vendor_identification.strip()
    assert lines["Product"].strip() == inq.product_identification.strip()
    assert lines["Revision"].strip() == inq.product_revision_level.strip()
    assert lines["Version"].split()[0] == str(inq.version)
    assert lines["CmdQue"] == str(int(inq.cmdque)) and lines["HiSup"] == str(int(inq.hisup))
    out = subprocess.run(["iscsi-readcapacity16", tgt.url()], capture_output=True, text=True, check=True).stdout
    assert "RETURNED LOGICAL BLOCK ADDRESS:%d" % cap.returned_lba in out
    assert "LOGICAL BLOCK LENGTH IN BYTES:%d" % cap.block_length in out


def test_write_and_read_beyond_first_and_max_burst(tgt):
    seen = []

    def watch(direction, pdu):
        if isinstance(pdu, (R2T, DataOut, DataIn, ScsiCommand)):
            seen.append((direction, type(pdu).__name__, len(pdu.data)))

    data = os.urandom(1 << 20)  # 1 MiB: four MaxBurstLength sequences of 256 KiB
    with BlockingSession(tgt.url(), hook=watch,
                         offer={"InitialR2T": False, "FirstBurstLength": 16384}) as s:
        clear_unit_attention(s)
        p = s.login.parameters
        assert p.max_burst_length == 262144 and p.first_burst_length <= 16384
        seen.clear()
        done = s.execute(bytes(Write16(lba=2048, transfer_length=2048)), data_out=data)
        assert (done.status, done.response) == (0, 0)
        writes = [n for d, kind, n in seen if kind in ("ScsiCommand", "DataOut")]
        r2ts = [1 for d, kind, n in seen if kind == "R2T"]
        assert sum(writes) == len(data)
        assert max(writes) <= p.target_max_recv_data_segment_length
        assert len(r2ts) >= (len(data) - p.first_burst_length) // p.max_burst_length
        seen.clear()
        done = s.execute(bytes(Read16(lba=2048, transfer_length=2048)), data_in_length=len(data))
        assert done.status == 0 and done.data == data
        assert sum(1 for _, kind, _ in seen if kind == "DataIn") > 1
    with open(tgt.image, "rb") as f:
        f.seek(2048 * 512)
        assert f.read(len(data)) == data  # on the target's disk, where we put it


def test_many_commands_in_flight(tgt):
    with BlockingSession(tgt.url(query="?queue_depth=8")) as s:
        clear_unit_attention(s)
        s.execute(bytes(Write16(lba=0, transfer_length=64)), data_out=bytes(range(256)) * 128)
        tags = [s.submit(bytes(Read16(lba=i, transfer_length=1)), data_in_length=512) for i in range(32)]
        results = {tag: s.wait(tag) for tag in reversed(tags)}
        for i, tag in enumerate(tags):
            assert results[tag].status == 0 and results[tag].data == (bytes(range(256)) * 2)


def test_check_condition_carries_sense(tgt):
    with BlockingSession(tgt.url()) as s:
        clear_unit_attention(s)
        done = s.execute(bytes(Read16(lba=SIZE // 512, transfer_length=1)), data_in_length=512)
    assert done.status == 2 and done.sense
    error = error_for(done, command="READ(16)", device=tgt.url())
    assert isinstance(error, IllegalRequest)
    assert (error.asc, error.ascq) == (0x21, 0x00)  # LOGICAL BLOCK ADDRESS OUT OF RANGE


def test_first_command_of_a_session_sees_unit_attention(tgt):
    # Each session is a new I_T nexus: tgt reports POWER ON, RESET OR BUS DEVICE RESET
    # OCCURRED once, and the check raises what it raises over sg.
    with BlockingSession(tgt.url()) as s:
        error = error_for(s.execute(bytes(6)))
        assert isinstance(error, UnitAttention) and (error.asc, error.ascq) == (0x29, 0x00)
        assert s.execute(bytes(6)).status == 0


def test_digests(tgt):
    data = os.urandom(300 * 1024)
    with BlockingSession(tgt.url(query="?header_digest=crc32c&data_digest=crc32c")) as s:
        assert (s.login.parameters.header_digest, s.login.parameters.data_digest) == ("CRC32C", "CRC32C")
        clear_unit_attention(s)
        assert s.execute(bytes(Write16(lba=8192, transfer_length=600)), data_out=data).status == 0
        assert s.execute(bytes(Read16(lba=8192, transfer_length=600)), data_in_length=len(data)).data == data


def test_bad_data_digest_from_us_is_noticed_by_the_target(tgt):
    """A PDU hook sends immediate data with a broken data digest: tgt drops the
    connection (ERL 0), and the command fails with ConnectionLost instead of hanging."""
    from sgframe.iscsi.framing import encode_pdu

    def corrupt(direction, pdu):
        if direction == "out" and isinstance(pdu, ScsiCommand) and pdu.data:
            raw = bytearray(encode_pdu(pdu, True, True))
            raw[-1] ^= 0xFF
            return bytes(raw)
        return None

    s = BlockingSession(tgt.url(query="?header_digest=crc32c&data_digest=crc32c"), hook=corrupt, timeout=5)
    s.connect()
    try:
        clear_unit_attention(s)
        with pytest.raises(ConnectionLost):
            s.execute(bytes(Write16(lba=0, transfer_length=1)), data_out=bytes(512))
        assert s.sock is None
    finally:
        s.close()


def test_command_outside_the_cmdsn_window_times_out_and_fails(tgt):
    """A hook moves a command's CmdSN far past MaxCmdSN: RFC 7143 4.2.2.1 has the target
    ignore it, so no answer comes; the driver times out, closes the connection, and the
    command fails with ConnectionLost."""
    def wrong_cmdsn(direction, pdu):
        if direction == "out" and isinstance(pdu, ScsiCommand) and pdu.cdb[0] == 0x88:
            return attrs.evolve(pdu, cmd_sn=(pdu.cmd_sn + 100000) & 0xFFFFFFFF)
        return None

    s = BlockingSession(tgt.url(), hook=wrong_cmdsn, timeout=1.0)
    s.connect()
    try:
        clear_unit_attention(s)
        tag = s.submit(bytes(Read16(lba=0, transfer_length=1)), data_in_length=512)
        start = time.monotonic()
        with pytest.raises(IscsiTimeout, match="did not answer within 1 s"):
            s.wait(tag)
        assert 0.9 < time.monotonic() - start < 3
        assert isinstance(s.wait(tag).error, ConnectionLost)
    finally:
        s.close()


def test_tgt_completes_a_write_whose_data_out_sequence_has_a_gap(tgt):
    """Negative test of the target: a hook swallows the Data-Out with DataSN 1 of the
    first R2T sequence. RFC 7143 would have the target notice the missing bytes; tgt
    1.0.85 (measured) ends the WRITE with GOOD status, and the swallowed bytes never reach
    its disk."""
    dropped = []

    def drop_one(direction, pdu):
        if direction == "out" and isinstance(pdu, DataOut) and pdu.data_sn == 1 and not dropped:
            dropped.append(pdu)
            return DROP
        return None

    lba = 20000
    with BlockingSession(tgt.url(), hook=drop_one) as s:
        clear_unit_attention(s)
        done = s.execute(bytes(Write16(lba=lba, transfer_length=512)), data_out=b"\xab" * (256 * 1024))
    assert dropped and done.status == 0
    hole = dropped[0]
    with open(tgt.image, "rb") as f:
        f.seek(lba * 512 + hole.buffer_offset)
        assert f.read(len(hole.data)) != hole.data
        f.seek(lba * 512)
        assert f.read(hole.buffer_offset) == b"\xab" * hole.buffer_offset


def test_tgt_accepts_an_oversized_immediate_data_segment(tgt):
    """Negative test of the target: a hook grows a WRITE's immediate data to 16 KiB, past
    the MaxRecvDataSegmentLength of 8192 tgt declared. RFC 7143 13.12 forbids sending it;
    tgt 1.0.85 (measured) takes it and writes all of it."""
    pattern = bytes(range(256)) * 64  # 16 KiB

    def grow(direction, pdu):
        if direction == "out" and isinstance(pdu, ScsiCommand) and pdu.write:
            return attrs.evolve(pdu, data=pattern, final=True)
        return None

    lba = 30000
    with BlockingSession(tgt.url(), hook=grow, offer={"ImmediateData": True}) as s:
        clear_unit_attention(s)
        assert s.login.parameters.target_max_recv_data_segment_length == 8192
        done = s.execute(bytes(Write16(lba=lba, transfer_length=32)), data_out=pattern)
    assert done.status == 0
    with open(tgt.image, "rb") as f:
        f.seek(lba * 512)
        assert f.read(len(pattern)) == pattern


def test_ping_and_task_management(tgt):
    with BlockingSession(tgt.url()) as s:
        assert s.ping(b"ping-data").data == b"ping-data"
        assert s.task_management(TmfFunction.LOGICAL_UNIT_RESET).response == 0
        assert s.task_management(TmfFunction.ABORT_TASK_SET).response in (0, 5)


def test_chap_one_way_and_mutual(tgt):
    one_way = tgt.url(CHAP, userinfo="%s%%%s@" % (USER, SECRET))
    with BlockingSession(one_way) as s:
        assert s.execute(bytes(Inquiry(allocation_length=36)), data_in_length=36).status == 0
        assert s.session._login.chap.algorithm == 5  # tgt knows MD5 of our default 8,5
    mutual = tgt.url(CHAP, "?target_user=%s&target_password=%s" % (TUSER, TSECRET), "%s%%%s@" % (USER, SECRET))
    with BlockingSession(mutual) as s:
        assert s.session.state.value == "full feature phase"
    if shutil.which("iscsi-inq"):
        done = subprocess.run(["iscsi-inq", one_way], capture_output=True, text=True)
        assert done.returncode == 0 and "DIRECT_ACCESS" in done.stdout


def test_wrong_chap_secrets(tgt):
    with pytest.raises(AuthenticationFailed, match="authentication failure"):
        BlockingSession(tgt.url(CHAP, userinfo="%s%%wrong-secret-9@" % USER)).connect()
    wrong_target = tgt.url(CHAP, "?target_user=%s&target_password=not-the-secret" % TUSER,
                           "%s%%%s@" % (USER, SECRET))
    with pytest.raises(AuthenticationFailed, match="mutual CHAP"):
        BlockingSession(wrong_target).connect()
    with pytest.raises(LoginFailed):
        BlockingSession(tgt.url(CHAP)).connect()  # no credentials for a CHAP target


def test_target_not_listening():
    start = time.monotonic()
    with pytest.raises(TargetUnreachable, match="cannot connect to 127.0.0.1:%d" % 1):
        BlockingSession("iscsi://127.0.0.1:1/%s/1" % DISK, timeout=5).connect()
    assert time.monotonic() - start < 5


def test_tgtd_killed_with_commands_in_flight(tmp_path):
    target = Tgt(tmp_path)
    try:
        target.add_target(1, DISK)
        s = BlockingSession(target.url(), timeout=10)
        s.connect()
        clear_unit_attention(s)
        # Stop tgtd so the commands sit unread in its socket, then kill it: the kernel
        # resets the connection, and every command must fail, none hang.
        os.kill(target.proc.pid, signal.SIGSTOP)
        tags = [s.submit(bytes(Read16(lba=i, transfer_length=8)), data_in_length=4096) for i in range(6)]
        os.kill(target.proc.pid, signal.SIGKILL)
        target.proc.wait(5)
        for tag in tags:
            event = s.wait(tag)
            assert isinstance(event.error, ConnectionLost), event
        assert s.sock is None
    finally:
        target.stop()


class _FakeTarget:
    """A TCP server on 127.0.0.1 whose handler does one bad thing."""

    def __init__(self, behaviour):
        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.recv(4096)
                behaviour(self.request)

        self.server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.mark.parametrize("behaviour, error, message", [
    (lambda sock: sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(40)), RemoteProtocolError,
     "unknown iSCSI opcode 07h"),
    (lambda sock: sock.sendall(bytes([0x23, 0x87]) + bytes(3) + b"\xff\xff\xff" + bytes(40)),
     RemoteProtocolError, "16777215-byte data segment"),
    (lambda sock: None, TargetClosedConnection, "closed the connection during login"),
    (lambda sock: time.sleep(1.5), IscsiTimeout, "did not answer within 0.5 s"),
])
def test_fake_targets(behaviour, error, message):
    fake = _FakeTarget(behaviour)
    try:
        start = time.monotonic()
        with pytest.raises(error, match=message):
            BlockingSession("iscsi://127.0.0.1:%d/%s/1" % (fake.port, DISK), timeout=0.5).connect()
        assert time.monotonic() - start < 3
    finally:
        fake.close()


def test_target_pings_are_answered_and_an_idle_reader_is_dropped(tmp_path):
    """tgtd sends a NOP-In ping every second (nop_interval=1) and drops a connection after
    three unanswered (nop_count=3). A session that reads answers each ping; one that
    stops reading for longer is dropped, and its next command fails with ConnectionLost."""
    target = Tgt(tmp_path, ",nop_interval=1,nop_count=3")
    try:
        target.add_target(1, DISK)
        seen = []

        def watch(direction, pdu):
            if isinstance(pdu, (NopIn, NopOut)):
                seen.append((direction, pdu.target_transfer_tag))

        with BlockingSession(target.url(), hook=watch, timeout=5) as s:
            start = time.monotonic()
            while time.monotonic() - start < 3.5:
                s.execute(bytes(6))
                time.sleep(0.2)
        pings = [ttt for direction, ttt in seen if direction == "in"]
        assert len(pings) >= 2 and [ttt for direction, ttt in seen if direction == "out"] == pings
        idle = BlockingSession(target.url(), timeout=5)
        idle.connect()
        try:
            time.sleep(5.5)
            with pytest.raises(ConnectionLost):
                idle.execute(bytes(6))
        finally:
            idle.close()
    finally:
        target.stop()


def test_reconnect_reinstates_the_session(tgt):
    s = BlockingSession(tgt.url())
    s.connect()
    try:
        isid = s.session.isid
        clear_unit_attention(s)
        s.close()  # the connection goes away without a logout
        with pytest.raises(LocalProtocolError, match="the session is closed"):
            s.execute(bytes(6))
        s.reconnect()
        assert s.session.isid == isid and s.login.tsih != 0
        clear_unit_attention(s)
        assert s.execute(bytes(6)).status == 0
        s.logout()
    finally:
        s.close()


def test_two_initiator_names_are_two_nexuses(tgt):
    """Two sessions with different initiator names: RESERVE(6) from one makes the other's
    READ fail with RESERVATION CONFLICT, raised as it is over sg."""
    from sgframe.errors import ReservationConflict
    a = BlockingSession(tgt.url(query="?initiator_name=iqn.2026-12.test:host-a"))
    b = BlockingSession(tgt.url(query="?initiator_name=iqn.2026-12.test:host-b"))
    with a, b:
        clear_unit_attention(a)
        clear_unit_attention(b)
        read = bytes(Read16(lba=0, transfer_length=1))
        assert a.execute(bytes.fromhex("160000000000")).status == 0  # RESERVE(6)
        try:
            assert isinstance(error_for(b.execute(read, data_in_length=512)), ReservationConflict)
            assert a.execute(read, data_in_length=512).status == 0
        finally:
            assert a.execute(bytes.fromhex("170000000000")).status == 0  # RELEASE(6)
        assert b.execute(read, data_in_length=512).status == 0


def test_unknown_target_is_refused_with_the_targets_reason(tgt):
    with pytest.raises(LoginFailed, match=r"refused: target not found \(Status-Class 02h, Status-Detail 03h\)") as info:
        BlockingSession(tgt.url("iqn.2026-12.test:nosuch")).connect()
    assert (info.value.status_class, info.value.status_detail) == (2, 3)


def test_large_reads_in_flight_land_straight_in_their_buffers(tgt):
    """1 MiB reads, eight in flight on a Channel: each Io gets exactly its bytes of the
    target's disk, and most of the bytes were received straight into the Ios' buffers
    (counted where the reader handed out views of something other than its own buffer)."""
    from sgframe import Channel, Reactor

    blocks = 2048
    data = os.urandom(8 * blocks * 512)
    with open(tgt.image, "r+b") as f:  # tgt's rdwr backing store reads the file through the page cache
        f.seek(4096 * 512)
        f.write(data)
    with Reactor() as reactor, Channel.open(tgt.url(), reactor=reactor, queue_depth=8, block_size=512) as channel:
        reader = channel.transport.session._reader
        own, last, straight = reader._buffer, [False], []
        receive, received = reader.receive_buffer, reader.received

        def watched_buffer(size):
            view = receive(size)
            last[0] = view.obj is not own
            return view

        def watched_count(count):
            if last[0]:
                straight.append(count)
            received(count)

        reader.receive_buffer, reader.received = watched_buffer, watched_count
        ios = [channel.execute(Read16(lba=4096 + i * blocks, transfer_length=blocks), async_=True)
               for i in range(8)]
        channel.wait(timeout=30)
        for i, io in enumerate(ios):
            assert io.exception is None and io.hdr.resid == 0
            assert bytes(io.data) == data[i * blocks * 512:(i + 1) * blocks * 512], i
    # All but what came with the first headers, before a receive could be cut to one header.
    assert sum(straight) > len(data) * 3 // 4, (sum(straight), len(data))
