"""sgframe.linux.sg and .bsg on the real sg and bsg drivers of the test bed (Linux 6.1).

These tests pin down what the driver does, so the layers above can rely on it: the queue
limit and its errno, pack_id matching, what a reset leaves behind, and what an fd sees when
its device is deleted while commands are in flight.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import select
import struct
import threading
import time

import pytest

from sgframe.linux import bsg, sg
from sgframe.testbed import guest

DID_TIME_OUT = 0x03
CHECK_CONDITION = 0x02
BLOCK = 512


class Slot:
    """One in-flight slot: a header and the buffers it points at, kept alive together."""

    def __init__(self, data_len: int = 0) -> None:
        self.cdb = (ctypes.c_char * 16)()
        self.sense = (ctypes.c_char * 96)()
        self.data = (ctypes.c_char * data_len)() if data_len else None
        self.hdr = sg.SgIoHdr()

    def prepare(self, cdb: bytes, direction: int = sg.SG_DXFER_NONE, **kw) -> sg.SgIoHdr:
        ctypes.memmove(self.cdb, cdb, len(cdb))
        return sg.prepare(self.hdr, self.cdb, self.sense, self.data, cmd_len=len(cdb),
                          dxfer_direction=direction, **kw)

    @property
    def sense_bytes(self) -> bytes:
        return bytes(self.sense)[: self.hdr.sb_len_wr]


def inquiry_cdb(length: int = 96) -> bytes:
    return bytes([0x12, 0, 0, 0, length, 0])


def read10(lba: int, blocks: int = 1) -> bytes:
    return struct.pack(">BBIBHB", 0x28, 0, lba, 0, blocks, 0)


def write10(lba: int, blocks: int = 1) -> bytes:
    return struct.pack(">BBIBHB", 0x2A, 0, lba, 0, blocks, 0)


TUR = bytes(6)


@contextlib.contextmanager
def opened(path: str, flags: int = os.O_RDWR):
    fd = os.open(path, flags)
    try:
        yield fd
    finally:
        os.close(fd)


def run(fd: int, cdb: bytes, data_len: int = 0, direction: int = sg.SG_DXFER_NONE,
        data: bytes = b"", **kw) -> Slot:
    slot = Slot(data_len)
    if data:
        ctypes.memmove(slot.data, data, len(data))
    slot.prepare(cdb, direction, **kw)
    sg.sg_io(fd, slot.hdr)
    return slot


def clear_unit_attentions(path: str) -> None:
    """TEST UNIT READY until GOOD, so later tests on this device see no stale UA."""
    with opened(path) as fd:
        for _ in range(8):
            if run(fd, TUR).hdr.status == 0:
                return
    raise AssertionError(f"{path} still reports CHECK CONDITION after 8 TEST UNIT READYs")


def test_inquiry_built_by_hand(scsi_debug_devices):
    dev = scsi_debug_devices[0]
    with opened(dev.sg) as fd:
        slot = run(fd, inquiry_cdb(96), 96, sg.SG_DXFER_FROM_DEV)
    hdr = slot.hdr
    assert (hdr.status, hdr.masked_status, hdr.host_status, hdr.driver_status) == (0, 0, 0, 0)
    assert (hdr.info, hdr.sb_len_wr, hdr.resid) == (sg.SG_INFO_OK, 0, 0)
    data = bytes(slot.data)
    assert data[0] & 0x1F == 0                      # direct-access block device
    assert data[8:16] == b"Linux   "
    assert data[16:32] == b"scsi_debug      "
    assert data[32:36] == b"0191"


def test_version_and_identity_ioctls(scsi_debug_devices):
    dev = scsi_debug_devices[1]
    with opened(dev.sg) as fd:
        assert sg.version(fd) == 30536
        sid = sg.scsi_id(fd)
        assert (sid.hctl, sid.scsi_type) == (dev.hctl, 0)
        assert sg.access_count(fd) == 1             # faked by the 6.1 driver
        assert sg.low_dma(fd) == 0
        assert sg.timeout_ticks(fd) == 6000         # 60 s in USER_HZ (100) ticks
        assert sg.reserved_size(fd) == 32768        # SG_DEF_RESERVED_SIZE
        sg.set_reserved_size(fd, 65536)
        assert sg.reserved_size(fd) == 65536
        assert sg.sg_tablesize(fd) > 0
        assert sg.keep_orphan(fd) is False
    with opened(dev.bsg) as fd:
        assert sg.version(fd) == 30527              # bsg answers its own number


def test_command_queuing_starts_with_the_first_v3_header(scsi_debug_devices):
    with opened(scsi_debug_devices[0].sg, os.O_RDWR | os.O_NONBLOCK) as fd:
        assert sg.command_q(fd) is False
        run(fd, TUR)
        assert sg.command_q(fd) is True


def test_nothing_to_read_is_eagain_on_a_nonblocking_fd(scsi_debug_devices):
    with opened(scsi_debug_devices[0].sg, os.O_RDWR | os.O_NONBLOCK) as fd:
        assert sg.read_completion(fd, sg.SgIoHdr()) is None
        assert select.select([fd], [], [], 0)[0] == []
        assert sg.num_waiting(fd) == 0
        assert sg.pack_id(fd) == -1


def test_sixteen_in_flight_pack_id_matching_and_edom_for_the_17th(
        scsi_debug_devices, sdebug_params):
    dev = scsi_debug_devices[2]
    lbas = [3 * i + 100 for i in range(sg.SG_MAX_QUEUE)]
    with opened(dev.sg) as fd:
        for lba in lbas:   # a distinct pattern per block, to prove each slot got its own data
            run(fd, write10(lba), BLOCK, sg.SG_DXFER_TO_DEV, data=bytes([lba % 251]) * BLOCK)
    sdebug_params(delay=20)   # 200 ms per command: all 16 are in flight together
    with opened(dev.sg, os.O_RDWR | os.O_NONBLOCK) as fd:
        slots = [Slot(BLOCK) for _ in lbas]
        for i, (slot, lba) in enumerate(zip(slots, lbas)):
            slot.prepare(read10(lba), sg.SG_DXFER_FROM_DEV, pack_id=1000 + i)
            sg.submit(fd, slot.hdr)
        extra = Slot(BLOCK)
        extra.prepare(read10(0), sg.SG_DXFER_FROM_DEV, pack_id=9999)
        with pytest.raises(OSError) as info:
            sg.submit(fd, extra.hdr)
        assert info.value.errno == errno.EDOM          # not EAGAIN, despite O_NONBLOCK
        with pytest.raises(OSError) as info:
            sg.sg_io(fd, extra.hdr)
        assert info.value.errno == errno.EDOM
        table = sg.request_table(fd)
        assert sorted(r.pack_id for r in table) == list(range(1000, 1016))
        # Not writable while 16 are held (POLLOUT only below SG_MAX_QUEUE).
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLOUT)
        assert all(not ev & select.POLLOUT for _, ev in poller.poll(0))
        guest.wait_for(lambda: sg.num_waiting(fd) == 16, 10, "16 completions")
        # Completed but unread requests still count against the 16: POLLIN, no POLLOUT.
        assert poller.poll(0) == [(fd, select.POLLIN)]
        sg.set_force_pack_id(fd, True)
        reply = sg.SgIoHdr()
        for i in reversed(range(sg.SG_MAX_QUEUE)):     # newest first: only matching works
            assert sg.read_completion(fd, reply, 1000 + i) == 1000 + i
            assert (reply.status, reply.host_status, reply.resid) == (0, 0, 0)
            assert reply.dxferp == ctypes.addressof(slots[i].data)
            assert 150 <= reply.duration < 5000        # ms, at least the injected delay
            assert bytes(slots[i].data) == bytes([lbas[i] % 251]) * BLOCK
        assert sg.read_completion(fd, reply, -1) is None
        assert sg.request_table(fd) == []


def test_completions_come_back_oldest_first_without_force_pack_id(scsi_debug_devices):
    with opened(scsi_debug_devices[3].sg, os.O_RDWR | os.O_NONBLOCK) as fd:
        slots = [Slot() for _ in range(5)]
        for i, slot in enumerate(slots):
            slot.prepare(TUR, pack_id=i * 7)
            sg.submit(fd, slot.hdr)
        guest.wait_for(lambda: sg.num_waiting(fd) == 5, 10, "5 completions")
        assert sg.pack_id(fd) == 0
        reply = sg.SgIoHdr()
        assert [sg.read_completion(fd, reply) for _ in range(5)] == [0, 7, 14, 21, 28]


@pytest.mark.parametrize("kind", ["scsi_debug_devices", "lio_devices"])
def test_bsg_inquiry_equals_sg_inquiry(request, kind):
    for dev in request.getfixturevalue(kind)[:1]:
        with opened(dev.sg) as fd:
            by_sg = bytes(run(fd, inquiry_cdb(96), 96, sg.SG_DXFER_FROM_DEV).data)
        cdb = sg.pin(bytearray(inquiry_cdb(96)))
        sense = (ctypes.c_char * 96)()
        data = (ctypes.c_char * 96)()
        hdr = bsg.prepare(bsg.SgIoV4(), cdb, sense, data_in=data)
        with opened(dev.bsg) as fd:
            bsg.bsg_io(fd, hdr)
        assert bsg.result(hdr) == bsg.BsgResult(
            status=0, host_status=0, driver_status=0, resid=0, din_resid=0, dout_resid=0,
            duration=0, info=0, sb_len_wr=0)
        assert bytes(data) == by_sg
        assert bytes(data)[8:16].decode().strip() == dev.vendor


def test_bsg_check_condition_maps_sense(scsi_debug_devices):
    dev = scsi_debug_devices[0]
    cdb = sg.pin(bytearray(read10(0xFFFFFFF0)))
    sense = (ctypes.c_char * 96)()
    data = (ctypes.c_char * BLOCK)()
    hdr = bsg.prepare(bsg.SgIoV4(), cdb, sense, data_in=data)
    with opened(dev.bsg) as fd:
        bsg.bsg_io(fd, hdr)
    res = bsg.result(hdr)
    assert (res.status, res.host_status, res.driver_status, res.check) == (
        CHECK_CONDITION, 0, sg.DRIVER_SENSE, True)
    raw = bytes(sense)[: res.sb_len_wr]
    assert (raw[2] & 0x0F, raw[12], raw[13]) == (0x05, 0x21, 0x00)   # LBA out of range


def test_sg_check_condition_fields(scsi_debug_devices):
    with opened(scsi_debug_devices[0].sg) as fd:
        slot = run(fd, read10(0xFFFFFFF0), BLOCK, sg.SG_DXFER_FROM_DEV)
    hdr = slot.hdr
    assert (hdr.status, hdr.masked_status, hdr.driver_status, hdr.info) == (
        CHECK_CONDITION, 0x01, sg.DRIVER_SENSE, sg.SG_INFO_CHECK)
    assert hdr.sb_len_wr == 18 and slot.sense_bytes[0] == 0x70
    assert (slot.sense_bytes[2], slot.sense_bytes[12]) == (0x05, 0x21)


@pytest.mark.parametrize("kind, ascq, luns", [("device", 0x00, 1), ("target", 0x02, 2)])
def test_reset_leaves_a_unit_attention(scsi_debug_devices, kind, ascq, luns):
    # scsi_debug: a LU reset sets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h);
    # target, bus and host resets set SCSI BUS RESET OCCURRED (29h/02h) on every LU hit.
    dev = scsi_debug_devices[0]
    same_target = [d for d in scsi_debug_devices
                   if (d.host, d.channel, d.target) == (dev.host, dev.channel, dev.target)]
    assert len(same_target) == 2
    try:
        with opened(dev.sg) as fd:
            sg.reset(fd, kind, escalate=False)
        for other in same_target[:luns]:
            with opened(other.sg) as fd:
                slot = run(fd, TUR)
                assert slot.hdr.status == CHECK_CONDITION
                assert (slot.sense_bytes[2] & 0x0F, slot.sense_bytes[12],
                        slot.sense_bytes[13]) == (0x06, 0x29, ascq)
                assert run(fd, TUR).hdr.status == 0   # reported once
    finally:
        for other in same_target:
            clear_unit_attentions(other.sg)


def test_reset_nothing_succeeds(scsi_debug_devices):
    with opened(scsi_debug_devices[0].sg) as fd:
        sg.reset(fd, "nothing")
        assert run(fd, TUR).hdr.status == 0


def test_timeout_gives_did_time_out(scsi_debug_devices, sdebug_params):
    dev = scsi_debug_devices[3]
    sdebug_params(every_nth=1, opts=4)       # scsi_debug ignores every command
    try:
        with opened(dev.sg) as fd:
            t0 = time.monotonic()
            slot = run(fd, TUR, timeout=1000)
            elapsed = time.monotonic() - t0
        assert slot.hdr.host_status == DID_TIME_OUT
        assert slot.hdr.info & sg.SG_INFO_CHECK
        assert 0.9 < elapsed < 30
        assert slot.hdr.duration >= 1000
    finally:
        guest.set_sdebug_params(opts=0)
        clear_unit_attentions(dev.sg)        # error handling may have reset the device


def test_device_deleted_with_commands_in_flight(testbed, scsi_debug_devices, sdebug_params,
                                                no_fd_leak):
    """What an fd sees when its device is deleted through sysfs mid-flight (Linux 6.1).

    * poll() reports POLLHUP at once (and POLLIN with it once a completion is ready);
      never POLLOUT again. POLLHUP is level-triggered: a reactor must stop watching the fd
      or its epoll_wait spins.
    * write() and SG_IO fail with ENODEV.
    * Commands already in flight are not failed by the driver: the deletion waits for
      them, and they complete as the device answers (here GOOD; a hung one ends with
      DID_TIME_OUT at its timeout). Each can still be read().
    * With nothing ready, an O_NONBLOCK read() still says EAGAIN (the driver checks
      O_NONBLOCK before the detaching flag); a blocking read() says ENODEV once no
      request is left running.
    """
    new = guest.add_sdebug_hosts(1)
    victim = new[0]
    sdebug_params(delay=50)                    # 500 ms per command
    try:
        fd = os.open(victim.sg, os.O_RDWR | os.O_NONBLOCK)
        fd_blocking = os.open(victim.sg, os.O_RDWR)
        try:
            slots = [Slot(BLOCK) for _ in range(sg.SG_MAX_QUEUE)]
            for i, slot in enumerate(slots):
                slot.prepare(read10(i), sg.SG_DXFER_FROM_DEV, pack_id=i)
                sg.submit(fd, slot.hdr)
            one = Slot()
            one.prepare(TUR, pack_id=77)
            sg.submit(fd_blocking, one.hdr)

            deleter = threading.Thread(
                target=guest.delete_device, args=(victim,), kwargs={"wait": False})
            deleter.start()
            poller = select.poll()
            poller.register(fd, select.POLLIN | select.POLLOUT)
            events = guest.wait_for(lambda: poller.poll(100), 5, "an event after delete")
            assert events == [(fd, select.POLLHUP)]
            reply = sg.SgIoHdr()
            assert sg.read_completion(fd, reply) is None            # EAGAIN, not ENODEV
            for target in (fd, fd_blocking):
                with pytest.raises(OSError) as info:
                    sg.submit(target, Slot().prepare(TUR))
                assert info.value.errno == errno.ENODEV
                with pytest.raises(OSError) as info:
                    sg.sg_io(target, Slot().prepare(TUR))
                assert info.value.errno == errno.ENODEV

            got = {}
            deadline = time.monotonic() + 20
            while len(got) < sg.SG_MAX_QUEUE and time.monotonic() < deadline:
                for _, ev in poller.poll(200):
                    assert ev & select.POLLHUP and not ev & select.POLLOUT
                while (pid := sg.read_completion(fd, reply)) is not None:
                    got[pid] = (reply.status, reply.host_status)
            assert got == {i: (0, 0) for i in range(sg.SG_MAX_QUEUE)}
            assert sg.read_completion(fd, reply) is None            # still EAGAIN
            assert poller.poll(0) == [(fd, select.POLLHUP)]

            assert sg.read_completion(fd_blocking, reply) == 77     # in flight: delivered
            with pytest.raises(OSError) as info:
                sg.read_completion(fd_blocking, reply)
            assert info.value.errno == errno.ENODEV                 # nothing left
            deleter.join(20)
            assert not deleter.is_alive()
            assert not os.path.exists(victim.sg)
        finally:
            os.close(fd)
            os.close(fd_blocking)
    finally:
        guest.set_sdebug_params(delay=0)
        guest.remove_sdebug_host(1)
        guest.wait_for(lambda: not any(os.path.exists(d.sg) for d in new), 10,
                       "removal of the added host")
