"""The TCMU command ring, sans-IO: parse command entries and write completions in a buffer.

``target_core_user`` shares one region with its user-space handler (the kernel's
include/uapi/linux/target_core_user.h and Documentation/target/tcmu-design.rst):

* the **mailbox** at offset 0: ``version`` (u16, 2), ``flags`` (u16), ``cmdr_off`` and
  ``cmdr_size`` (u32: where the command ring lies and how long it is), ``cmd_head`` (u32,
  written by the kernel) and, on its own 64-byte cache line at offset 64, ``cmd_tail``
  (u32, written by user space);
* the **command ring**: entries of ``len_op`` (u32: the entry's length, a multiple of 8,
  with the opcode in the low three bits: PAD 0, CMD 1, TMR 2), ``cmd_id`` (u16),
  ``kflags`` and ``uflags`` (u8); a CMD entry then holds ``iov_cnt``, ``iov_bidi_cnt``,
  ``iov_dif_cnt`` (u32), ``cdb_off`` (u64) and, at byte 48, ``struct iovec`` pairs whose
  ``iov_base`` is an offset into the region (the inner struct of the union is not packed,
  so ``cdb_off`` sits at byte 24, 8-aligned);
* the **data area** after the ring, where those iovecs point.

The kernel appends entries at ``cmd_head``; a PAD entry fills the ring's end so that no
entry wraps.  User space answers in place of the request, the response overlaying it:
``scsi_status`` at byte 8, ``read_len`` at byte 12, ``sense_buffer`` (96 bytes) at byte 16,
and moves ``cmd_tail`` past the entry.  With ``TCMU_MAILBOX_FLAG_CAP_OOOC`` (every kernel
since 4.x) completions may come in any order: the kernel reads the ``cmd_id`` of each entry
between its last cleaned position and ``cmd_tail``, so a completion is written into the
entry *at the tail* with the finished command's ``cmd_id`` (what libtcmu does).  That is
what lets a delayed command wait without holding up the ones behind it.

Nothing here makes a syscall: :class:`Ring` works on any writable buffer (an ``mmap`` of
/dev/uioN, or a ``bytearray`` in the unit tests).
"""
from __future__ import annotations

import struct
from typing import List, Optional, Tuple

import attrs

from sgframe.errors import SgframeError

__all__ = [
    "MAILBOX_VERSION",
    "CAP_OOOC",
    "CAP_READ_LEN",
    "CAP_TMR",
    "OP_PAD",
    "OP_CMD",
    "OP_TMR",
    "UFLAG_UNKNOWN_OP",
    "UFLAG_READ_LEN",
    "SENSE_BUFFERSIZE",
    "CMD_TAIL_OFFSET",
    "IOV_OFFSET",
    "RingError",
    "Mailbox",
    "Command",
    "Ring",
    "cdb_length",
]

MAILBOX_VERSION = 2
CAP_OOOC = 1 << 0
CAP_READ_LEN = 1 << 1
CAP_TMR = 1 << 2

OP_PAD = 0
OP_CMD = 1
OP_TMR = 2
OP_MASK = 0x7

UFLAG_UNKNOWN_OP = 0x1
UFLAG_READ_LEN = 0x2

SENSE_BUFFERSIZE = 96

#: version, flags, cmdr_off, cmdr_size, cmd_head (native order: the kernel's own).
_MAILBOX = struct.Struct("=HHIII")
CMD_TAIL_OFFSET = 64
_U32 = struct.Struct("=I")
#: len_op, cmd_id, kflags, uflags
_HEADER = struct.Struct("=IHBB")
#: iov_cnt, iov_bidi_cnt, iov_dif_cnt, (4 bytes of alignment), cdb_off
_REQUEST = struct.Struct("=III4xQ")
_REQUEST_OFFSET = 8
IOV_OFFSET = 48
#: iov_base (an offset into the region), iov_len
_IOVEC = struct.Struct("=QQ")
#: scsi_status, __pad1, __pad2, read_len
_RESPONSE = struct.Struct("=BBHI")
_RESPONSE_OFFSET = 8
_SENSE_OFFSET = 16
_CMD_ID_OFFSET = 4
_UFLAGS_OFFSET = 7

if struct.calcsize("P") != 8:  # pragma: no cover - the layout above is the 64-bit one
    raise ImportError("sgframe.lab reads the 64-bit TCMU layout (struct iovec of two u64)")


class RingError(SgframeError):
    """The shared region does not hold a TCMU ring this code understands, or the ring is
    inconsistent (an entry running off the ring, a completion with no entry to carry it)."""


def cdb_length(cdb_start: bytes) -> int:
    """The length of the CDB that starts with these bytes (SPC-5 4.3.2 group codes;
    variable length CDBs carry their ADDITIONAL CDB LENGTH in byte 7).

    The kernel copies exactly ``scsi_command_size()`` bytes into the ring, which is this.
    """
    opcode = cdb_start[0]
    if opcode == 0x7F:
        return 8 + cdb_start[7]
    return {0: 6, 1: 10, 2: 10, 4: 16, 5: 12}.get(opcode >> 5, 10)


@attrs.frozen
class Mailbox:
    """The mailbox fields, as read at one moment."""

    version: int
    flags: int
    cmdr_off: int
    cmdr_size: int
    cmd_head: int
    cmd_tail: int

    @classmethod
    def read(cls, mem: object) -> "Mailbox":
        version, flags, cmdr_off, cmdr_size, head = _MAILBOX.unpack_from(mem, 0)
        (tail,) = _U32.unpack_from(mem, CMD_TAIL_OFFSET)
        return cls(version, flags, cmdr_off, cmdr_size, head, tail)


@attrs.frozen
class Command:
    """One SCSI command taken from the ring.

    :param cmd_id: the kernel's tag, echoed in the completion.
    :param cdb: the CDB bytes (copied out: the entry is overwritten by completions).
    :param iovecs: (offset into the region, length) of each data buffer, data-out or
        data-in (the entry does not say which: the CDB does).
    :param bidi_iovecs: the data-in buffers of a bidirectional command (XDWRITEREAD).
    :param position: where the entry lay in the ring, for diagnostics.
    """

    cmd_id: int
    cdb: bytes
    iovecs: Tuple[Tuple[int, int], ...]
    bidi_iovecs: Tuple[Tuple[int, int], ...] = ()
    position: int = 0

    @property
    def length(self) -> int:
        """The data buffer's size: the data-out length or the allocation the initiator gave."""
        return sum(length for _, length in self.iovecs)


class Ring:
    """A TCMU ring in ``mem`` (a writable buffer that is the whole shared region).

    :raises RingError: the mailbox's version is not 2 or its ring does not fit ``mem``.
    """

    def __init__(self, mem: object) -> None:
        self.mem = mem
        self.size = len(mem)  # type: ignore[arg-type]
        box = Mailbox.read(mem)
        if box.version != MAILBOX_VERSION:
            raise RingError(
                f"TCMU mailbox version {box.version}: only version {MAILBOX_VERSION} is understood"
            )
        if box.cmdr_off < CMD_TAIL_OFFSET + 4 or box.cmdr_size < 8 or box.cmdr_off + box.cmdr_size > self.size:
            raise RingError(
                f"TCMU command ring at {box.cmdr_off} of {box.cmdr_size} bytes does not fit "
                f"a region of {self.size} bytes after the mailbox"
            )
        self.flags = box.flags
        self.cmdr_off = box.cmdr_off
        self.cmdr_size = box.cmdr_size
        # Entries before the tail are answered; from ``_next`` on they are not yet read.
        self._next = box.cmd_tail
        #: Commands taken and not yet completed, by cmd_id.
        self.pending: dict = {}

    # --- the two indexes ----------------------------------------------------------------

    @property
    def head(self) -> int:
        return _U32.unpack_from(self.mem, _MAILBOX.size - 4)[0]

    @property
    def tail(self) -> int:
        return _U32.unpack_from(self.mem, CMD_TAIL_OFFSET)[0]

    def _set_tail(self, value: int) -> None:
        _U32.pack_into(self.mem, CMD_TAIL_OFFSET, value)

    def _entry(self, position: int) -> Tuple[int, int, int]:
        """(opcode, length, absolute offset) of the entry at ring position ``position``."""
        where = self.cmdr_off + position
        len_op = _U32.unpack_from(self.mem, where)[0]
        length = len_op & ~OP_MASK
        if length == 0 or position + length > self.cmdr_size:
            raise RingError(
                f"TCMU ring entry at {position} has length {length}: it must be a non-zero "
                f"multiple of 8 ending within the ring of {self.cmdr_size} bytes"
            )
        return len_op & OP_MASK, length, where

    # --- taking commands ----------------------------------------------------------------

    def take(self) -> List[Command]:
        """Every command the kernel added since the last call, in ring order.

        PAD entries (the ring's end) and TMR notifications (which ask nothing of a handler
        that completes every command) are stepped over.
        """
        head = self.head
        commands = []
        while self._next != head:
            op, length, where = self._entry(self._next)
            if op == OP_CMD:
                command = self._parse(where, self._next)
                self.pending[command.cmd_id] = command
                commands.append(command)
            self._next = (self._next + length) % self.cmdr_size
        return commands

    def _parse(self, where: int, position: int) -> Command:
        _, cmd_id, _, _ = _HEADER.unpack_from(self.mem, where)
        iov_cnt, bidi_cnt, dif_cnt, cdb_off = _REQUEST.unpack_from(self.mem, where + _REQUEST_OFFSET)
        iovecs = []
        offset = where + IOV_OFFSET
        for _ in range(iov_cnt + bidi_cnt + dif_cnt):
            base, length = _IOVEC.unpack_from(self.mem, offset)
            if base + length > self.size:
                raise RingError(
                    f"TCMU command {cmd_id}: a data buffer at {base} of {length} bytes lies "
                    f"outside the region of {self.size} bytes"
                )
            iovecs.append((base, length))
            offset += _IOVEC.size
        if not 0 < cdb_off < self.size:
            raise RingError(f"TCMU command {cmd_id}: cdb_off {cdb_off} is outside the region")
        cdb = bytes(self.mem[cdb_off : cdb_off + cdb_length(bytes(self.mem[cdb_off : cdb_off + 8]))])  # type: ignore[index]
        return Command(
            cmd_id, cdb, tuple(iovecs[:iov_cnt]), tuple(iovecs[iov_cnt : iov_cnt + bidi_cnt]), position
        )

    # --- data ---------------------------------------------------------------------------

    def data_out(self, command: Command) -> bytes:
        """The bytes in the command's buffers (what the initiator sent, for a write)."""
        mem = self.mem
        if len(command.iovecs) == 1:
            base, length = command.iovecs[0]
            return bytes(mem[base : base + length])  # type: ignore[index]
        return b"".join(bytes(mem[base : base + length]) for base, length in command.iovecs)  # type: ignore[index]

    def data_in(self, command: Command, data: bytes) -> int:
        """Scatter ``data`` into the command's data-in buffers; returns how many bytes fit."""
        buffers = command.bidi_iovecs or command.iovecs
        done = 0
        view = memoryview(data)
        for base, length in buffers:
            if done >= len(data):
                break
            piece = view[done : done + length]
            self.mem[base : base + len(piece)] = piece  # type: ignore[index]
            done += len(piece)
        return done

    # --- completing ---------------------------------------------------------------------

    def complete(self, cmd_id: int, status: int, sense: bytes = b"", read_len: Optional[int] = None) -> None:
        """Write one completion into the entry at the tail and move the tail past it.

        :param read_len: how many data-in bytes are valid, when fewer than the buffers
            hold (the kernel reports the rest as residual); needs CAP_READ_LEN.
        :raises RingError: ``cmd_id`` was not taken or is already completed.
        """
        if self.pending.pop(cmd_id, None) is None:
            raise RingError(f"TCMU command {cmd_id} is not in flight: it cannot be completed")
        tail = self.tail
        while True:
            if tail == self._next:
                raise RingError("TCMU ring: a completion but no entry left before the head to carry it")
            op, length, where = self._entry(tail)
            if op == OP_CMD:
                break
            tail = (tail + length) % self.cmdr_size
        uflags = 0
        if read_len is not None and self.flags & CAP_READ_LEN:
            uflags = UFLAG_READ_LEN
        else:
            read_len = 0
        sense = bytes(sense[:SENSE_BUFFERSIZE])
        struct.pack_into("=H", self.mem, where + _CMD_ID_OFFSET, cmd_id)
        self.mem[where + _UFLAGS_OFFSET] = uflags  # type: ignore[index]
        _RESPONSE.pack_into(self.mem, where + _RESPONSE_OFFSET, status, 0, 0, read_len)
        self.mem[where + _SENSE_OFFSET : where + _SENSE_OFFSET + SENSE_BUFFERSIZE] = sense.ljust(  # type: ignore[index]
            SENSE_BUFFERSIZE, b"\0"
        )
        self._set_tail(self._past_non_commands((tail + length) % self.cmdr_size))

    def _past_non_commands(self, tail: int) -> int:
        # PAD and TMR entries need no answer: stepping over them at once returns their
        # ring space to the kernel without waiting for the next completion.
        while tail != self._next:
            op, length, _ = self._entry(tail)
            if op == OP_CMD:
                break
            tail = (tail + length) % self.cmdr_size
        return tail
