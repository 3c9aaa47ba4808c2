"""The TCMU ring (sgframe.lab.ring) and the serving of one device (sgframe.lab.serve),
on a region built here byte by byte from the kernel's include/uapi/linux/target_core_user.h:
mailbox (version u16, flags u16, cmdr_off u32, cmdr_size u32, cmd_head u32; cmd_tail u32 at
byte 64), entries (len_op u32, cmd_id u16, kflags u8, uflags u8; iov_cnt, iov_bidi_cnt,
iov_dif_cnt u32 at 8, 12, 16; cdb_off u64 at 24; iovecs of two u64 from byte 48; the
response: scsi_status u8 at 8, read_len u32 at 12, sense_buffer[96] at 16)."""
from __future__ import annotations

import struct

import pytest

from sgframe.emu import EmulatedDisk
from sgframe.errors import SgframeError, UsageError
from sgframe.lab.ring import (
    CAP_OOOC,
    CAP_READ_LEN,
    UFLAG_READ_LEN,
    Mailbox,
    Ring,
    RingError,
    cdb_length,
)
from sgframe.lab.serve import ServedDevice

CMDR_OFF = 128
CMDR_SIZE = 1024
DATA_OFF = CMDR_OFF + CMDR_SIZE
REGION = DATA_OFF + 16384


class FakeKernel:
    """The kernel's side of a ring, in a bytearray: queue entries, read completions."""

    def __init__(self, flags: int = CAP_OOOC | CAP_READ_LEN, version: int = 2) -> None:
        self.mem = bytearray(REGION)
        struct.pack_into("<HHIII", self.mem, 0, version, flags, CMDR_OFF, CMDR_SIZE, 0)
        self.head = 0
        self.next_data = DATA_OFF

    def _set_head(self, head: int) -> None:
        self.head = head
        struct.pack_into("<I", self.mem, 12, head)

    @property
    def tail(self) -> int:
        return struct.unpack_from("<I", self.mem, 64)[0]

    def pad_to_end(self) -> None:
        length = CMDR_SIZE - self.head
        struct.pack_into("<IHBB", self.mem, CMDR_OFF + self.head, length | 0, 0, 0, 0)
        self._set_head(0)

    def tmr(self) -> None:
        struct.pack_into("<IHBB", self.mem, CMDR_OFF + self.head, 24 | 2, 0, 0, 0)
        self._set_head(self.head + 24)

    def queue(self, cmd_id: int, cdb: bytes, buffers=(), data: bytes = b"") -> int:
        """A CMD entry; ``buffers`` are the lengths of its iovecs, filled with ``data``."""
        where = CMDR_OFF + self.head
        iovecs = []
        for length in buffers:
            iovecs.append((self.next_data, length))
            self.next_data += length
        offset = 0
        for base, length in iovecs:
            chunk = data[offset : offset + length]
            self.mem[base : base + len(chunk)] = chunk
            offset += length
        # The kernel makes every entry at least sizeof(struct tcmu_cmd_entry), 112 bytes,
        # so that the response (sense_buffer up to byte 112) fits; the CDB follows.
        cdb_at = max(48 + 16 * len(iovecs), 112)
        length = (cdb_at + len(cdb) + 7) & ~7
        struct.pack_into("<IHBB", self.mem, where, length | 1, cmd_id, 0, 0)
        struct.pack_into("<IIIIQ", self.mem, where + 8, len(iovecs), 0, 0, 0, CMDR_OFF + self.head + cdb_at)
        for index, (base, size) in enumerate(iovecs):
            struct.pack_into("<QQ", self.mem, where + 48 + 16 * index, base, size)
        self.mem[where + cdb_at : where + cdb_at + len(cdb)] = cdb
        position = self.head
        self._set_head(self.head + length)
        return position

    def response(self, position: int):
        """(cmd_id, uflags, scsi_status, read_len, sense) written at a ring position."""
        where = CMDR_OFF + position
        _, cmd_id, _, uflags = struct.unpack_from("<IHBB", self.mem, where)
        status, _, _, read_len = struct.unpack_from("<BBHI", self.mem, where + 8)
        return cmd_id, uflags, status, read_len, bytes(self.mem[where + 16 : where + 112])


INQUIRY = bytes.fromhex("120000006000")
TUR = bytes(6)


def test_mailbox_fields():
    kernel = FakeKernel()
    struct.pack_into("<I", kernel.mem, 64, 40)
    assert Mailbox.read(kernel.mem) == Mailbox(2, CAP_OOOC | CAP_READ_LEN, 128, 1024, 0, 40)


def test_ring_refuses_another_version():
    with pytest.raises(RingError, match="version 1: only version 2"):
        Ring(FakeKernel(version=1).mem)


def test_ring_refuses_a_ring_outside_the_region():
    kernel = FakeKernel()
    struct.pack_into("<I", kernel.mem, 8, REGION)
    with pytest.raises(RingError, match="does not fit"):
        Ring(kernel.mem)
    assert issubclass(RingError, SgframeError)


@pytest.mark.parametrize(
    "start, length",
    [("00", 6), ("12", 6), ("28", 10), ("5a", 10), ("88", 16), ("a0", 12), ("c0", 10)],
)
def test_cdb_length_from_group_code(start, length):
    assert cdb_length(bytes.fromhex(start) + bytes(7)) == length


def test_cdb_length_variable():
    assert cdb_length(bytes.fromhex("7f00000000000018")) == 32


def test_take_parses_cdb_and_iovecs():
    kernel = FakeKernel()
    position = kernel.queue(7, INQUIRY, buffers=[96])
    ring = Ring(kernel.mem)
    (command,) = ring.take()
    assert command.cmd_id == 7
    assert command.cdb == INQUIRY
    assert command.iovecs == ((DATA_OFF, 96),)
    assert command.length == 96
    assert command.position == position == 0
    assert ring.take() == []  # nothing new


def test_take_steps_over_pad_and_tmr_and_wraps():
    kernel = FakeKernel()
    kernel.head = 960  # near the end: the kernel pads rather than wrap an entry
    struct.pack_into("<I", kernel.mem, 12, 960)
    struct.pack_into("<I", kernel.mem, 64, 960)
    ring = Ring(kernel.mem)
    kernel.pad_to_end()
    kernel.tmr()
    kernel.queue(3, TUR)
    (command,) = ring.take()
    assert (command.cmd_id, command.position) == (3, 24)
    ring.complete(3, 0)
    # The tail moved over the PAD and the TMR to the entry it answered, then past it.
    assert kernel.tail == kernel.head
    assert kernel.response(24)[:3] == (3, 0, 0)


def test_complete_writes_status_sense_and_tail():
    kernel = FakeKernel()
    kernel.queue(9, TUR)
    ring = Ring(kernel.mem)
    ring.take()
    sense = bytes.fromhex("7000020000000000 0a00000000040100 0000".replace(" ", ""))
    ring.complete(9, 0x02, sense)
    cmd_id, uflags, status, read_len, sense_buffer = kernel.response(0)
    assert (cmd_id, uflags, status, read_len) == (9, 0, 0x02, 0)
    assert sense_buffer == sense + bytes(96 - len(sense))
    assert kernel.tail == kernel.head == 120


def test_complete_read_len_sets_the_flag():
    kernel = FakeKernel()
    kernel.queue(1, INQUIRY, buffers=[96])
    ring = Ring(kernel.mem)
    ring.take()
    ring.complete(1, 0, b"", read_len=36)
    assert kernel.response(0)[:4] == (1, UFLAG_READ_LEN, 0, 36)


def test_complete_read_len_needs_the_capability():
    kernel = FakeKernel(flags=CAP_OOOC)
    kernel.queue(1, INQUIRY, buffers=[96])
    ring = Ring(kernel.mem)
    ring.take()
    ring.complete(1, 0, b"", read_len=36)
    assert kernel.response(0)[:4] == (1, 0, 0, 0)


def test_completions_out_of_order_go_to_the_tail():
    kernel = FakeKernel()
    first = kernel.queue(1, TUR)
    second = kernel.queue(2, TUR)
    ring = Ring(kernel.mem)
    assert [c.cmd_id for c in ring.take()] == [1, 2]
    ring.complete(2, 0x08)  # BUSY for the second, first
    assert kernel.response(first)[:3] == (2, 0, 0x08)
    assert kernel.tail == second
    ring.complete(1, 0)
    assert kernel.response(second)[:3] == (1, 0, 0)
    assert kernel.tail == kernel.head


def test_complete_unknown_command():
    kernel = FakeKernel()
    kernel.queue(1, TUR)
    ring = Ring(kernel.mem)
    ring.take()
    ring.complete(1, 0)
    with pytest.raises(RingError, match="command 1 is not in flight"):
        ring.complete(1, 0)


def test_entry_of_length_zero_is_an_error():
    kernel = FakeKernel()
    struct.pack_into("<IHBB", kernel.mem, CMDR_OFF, 0 | 1, 1, 0, 0)
    struct.pack_into("<I", kernel.mem, 12, 64)
    with pytest.raises(RingError, match="length 0"):
        Ring(kernel.mem).take()


def test_data_out_and_in_span_iovecs():
    kernel = FakeKernel()
    kernel.queue(4, bytes.fromhex("2a00000000000000 0200".replace(" ", "")), buffers=[512, 512], data=b"a" * 512 + b"b" * 512)
    ring = Ring(kernel.mem)
    (command,) = ring.take()
    assert ring.data_out(command) == b"a" * 512 + b"b" * 512
    assert ring.data_in(command, b"x" * 600) == 600
    assert bytes(kernel.mem[DATA_OFF : DATA_OFF + 1024]) == b"x" * 600 + b"b" * 424


# --- ServedDevice: the emulator behind the ring ---------------------------------------------


class Timers:
    def __init__(self) -> None:
        self.calls = []

    def __call__(self, seconds, callback) -> None:
        self.calls.append((seconds, callback))

    def fire(self) -> None:
        calls, self.calls = self.calls, []
        for _, callback in calls:
            callback()


def _served(kernel, disk=None):
    notes = []
    timers = Timers()
    disk = disk or EmulatedDisk(blocks=64, serial="LAB1")
    served = ServedDevice(disk, Ring(kernel.mem), lambda: notes.append(1), timers, "emu:disk")
    return served, notes, timers, disk


def test_inquiry_is_answered_with_data_and_read_len():
    kernel = FakeKernel()
    kernel.queue(5, INQUIRY, buffers=[96])
    served, notes, _, disk = _served(kernel)
    assert served.serve() == 1
    assert notes == [1]  # one notification for the batch
    expected = disk.respond(INQUIRY, b"", 96)
    cmd_id, uflags, status, read_len, _ = kernel.response(0)
    assert (cmd_id, uflags, status, read_len) == (5, UFLAG_READ_LEN, 0, len(expected.data))
    assert bytes(kernel.mem[DATA_OFF : DATA_OFF + read_len]) == expected.data
    assert bytes(kernel.mem[DATA_OFF + 8 : DATA_OFF + 16]) == b"SGFRAME "


def test_unknown_opcode_gets_the_emulators_check_condition():
    kernel = FakeKernel()
    kernel.queue(6, bytes.fromhex("ff0000000000"))
    served, _, _, _ = _served(kernel)
    served.serve()
    cmd_id, uflags, status, _, sense = kernel.response(0)
    assert (cmd_id, uflags, status) == (6, 0, 0x02)
    # fixed format: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20h/00h)
    assert (sense[0] & 0x7F, sense[2] & 0x0F, sense[12], sense[13]) == (0x70, 0x05, 0x20, 0x00)


def test_write_stores_data_and_sets_no_read_len():
    kernel = FakeKernel()
    write10 = bytes.fromhex("2a000000000300000100")
    kernel.queue(7, write10, buffers=[512], data=b"\x5a" * 512)
    served, _, _, disk = _served(kernel)
    served.serve()
    assert kernel.response(0)[:4] == (7, 0, 0, 0)
    assert disk.respond(bytes.fromhex("28000000000300000100"), b"", 512).data == b"\x5a" * 512


def test_mode_sense_with_no_data_says_zero_bytes():
    # An allocation length of 0 is not an error (SPC-5 4.2.5.6): GOOD, no data.
    kernel = FakeKernel()
    kernel.queue(8, bytes.fromhex("1a003f000000"), buffers=[64])
    served, _, _, _ = _served(kernel)
    served.serve()
    assert kernel.response(0)[:4] == (8, UFLAG_READ_LEN, 0, 0)


def test_medium_error_reaches_the_ring():
    kernel = FakeKernel()
    kernel.queue(9, bytes.fromhex("28000000000400000100"), buffers=[512])
    served, _, _, disk = _served(kernel)
    disk.inject_medium_error(4)
    served.serve()
    _, _, status, _, sense = kernel.response(0)
    assert status == 0x02
    assert (sense[2] & 0x0F, sense[12], sense[13]) == (0x03, 0x11, 0x00)
    assert sense[3:7] == (4).to_bytes(4, "big")  # INFORMATION: the bad LBA


def test_injected_busy_and_task_set_full():
    kernel = FakeKernel()
    kernel.queue(1, TUR)
    kernel.queue(2, TUR)
    served, _, _, disk = _served(kernel)
    disk.inject(0x00, 0x08)
    disk.inject(0x00, 0x28)
    served.serve()
    assert kernel.response(0)[:3] == (1, 0, 0x08)
    assert kernel.response(120)[:3] == (2, 0, 0x28)


def test_delay_lets_later_commands_pass():
    kernel = FakeKernel()
    first = kernel.queue(1, TUR)
    second = kernel.queue(2, TUR)
    served, notes, timers, _ = _served(kernel)
    served.delay(2.5, opcode=0x00)
    assert served.serve() == 1
    assert [s for s, _ in timers.calls] == [2.5]
    assert kernel.response(first)[:3] == (2, 0, 0)  # the second answered first, at the tail
    assert kernel.tail == second
    timers.fire()
    assert kernel.response(second)[:3] == (1, 0, 0)
    assert kernel.tail == kernel.head
    assert notes == [1, 1]


def test_drop_withholds_the_answer():
    kernel = FakeKernel()
    kernel.queue(1, TUR)
    served, notes, timers, _ = _served(kernel)
    served.drop()
    assert served.serve() == 0
    assert notes == []
    assert served.dropped == 1
    assert kernel.tail == 0
    assert timers.calls[0][0] == 60.0  # given back long after any cmd_time_out


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: s.delay(0), "delay must be a number of seconds"),
        (lambda s: s.delay(True), "delay must be a number of seconds"),
        (lambda s: s.drop(opcode=256), "opcode must be 0..255"),
        (lambda s: s.drop(count=0), "count must be a positive integer"),
    ],
)
def test_fault_arguments_are_checked(call, message):
    served, _, _, _ = _served(FakeKernel())
    with pytest.raises(UsageError, match=message):
        call(served)


def test_an_emulator_exception_becomes_hardware_error():
    class Broken:
        def respond(self, cdb, data_out, allocation_length):
            raise RuntimeError("bug")

    kernel = FakeKernel()
    kernel.queue(3, TUR)
    served, _, _, _ = _served(kernel, Broken())
    served.serve()
    _, _, status, _, sense = kernel.response(0)
    assert status == 0x02
    assert (sense[2] & 0x0F, sense[12], sense[13]) == (0x04, 0x44, 0x00)
