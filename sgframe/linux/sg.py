"""The sg driver's version 3 interface: ``struct sg_io_hdr``, its constants and ioctls.

Facts here were checked against ``include/scsi/sg.h`` and ``drivers/scsi/sg.c`` of Linux
6.1 (sg 3.5.36, ``SG_GET_VERSION_NUM`` = 30536), the kernel of the User-Mode Linux test
bed, and then measured in it (``tests/integration/test_linux_sg.py``).

How the driver behaves, per open file descriptor:

* **Queue depth.** Each fd holds at most ``SG_MAX_QUEUE`` = 16 requests (a fixed array in
  ``struct sg_fd``), counting both those in flight and those completed but not yet read.
  A 17th ``write()`` fails with **EDOM** (not EAGAIN, whatever O_NONBLOCK says; the same
  for a 17th SG_IO). To go deeper, open more fds on the same node.
* **Queuing is switched on by the v3 header.** Until a ``sg_io_hdr`` has been written on an
  fd, ``cmd_q`` is off and a second outstanding request already gives EDOM; writing a v3
  header sets ``cmd_q`` for good (``SG_SET_COMMAND_Q`` can clear it again).
* **Asynchronous path.** ``write()`` of the 88-byte header queues the command and returns
  at once. ``read()`` of a header buffer returns a completion: the header as submitted,
  with the output fields filled in. With O_NONBLOCK, ``read()`` fails with **EAGAIN** when
  no completion is ready; ``poll()`` reports POLLIN while one is, and POLLOUT while fewer
  than 16 requests are held.
* **pack_id matching.** Completions come back oldest first by default. After
  ``SG_SET_FORCE_PACK_ID(1)`` the driver reads the wanted ``pack_id`` from the buffer given
  to ``read()`` (-1: any) and returns only that one, or EAGAIN. The driver decides how to
  parse that buffer from its second int (``dxfer_direction``): it must be negative, as
  every ``SG_DXFER_*`` value is, or the buffer is taken for the old ``sg_header`` and a
  wrong ``pack_id`` is used.
* **Outputs.** ``status`` is the full SCSI status byte, ``masked_status`` the obsolete
  shifted form (``status >> 1 & 0x7f``), ``host_status`` the ``DID_*`` byte (DID_TIME_OUT
  = 3 when the timeout expires), ``driver_status`` is DRIVER_SENSE (8) whenever sense
  data was copied, ``resid`` = dxfer_len minus the bytes actually moved (as reported by
  the low-level driver), ``sb_len_wr`` the sense bytes written, ``duration`` the time from
  submission to completion in milliseconds (jiffy resolution), and ``info`` has
  ``SG_INFO_CHECK`` set whenever masked_status, host_status or driver_status is nonzero.
* **Timeouts** are in milliseconds, per command (``timeout`` field); the ioctl
  ``SG_GET_TIMEOUT`` only concerns the old interface and counts in USER_HZ ticks.
* **Device removal** (``echo 1 > .../device/delete``). At once, ``poll()`` reports
  POLLHUP (with POLLIN while a completion is ready) and never POLLOUT again; POLLHUP is
  level-triggered, so a reactor must stop watching the fd or epoll_wait spins.
  ``write()`` and SG_IO fail with ENODEV. Commands already in flight are NOT failed by
  sg: the deletion waits for them, they complete as the device answers (or end with
  DID_TIME_OUT at their timeout) and can still be read. With nothing ready, an
  O_NONBLOCK ``read()`` still says EAGAIN (sg checks O_NONBLOCK before the detaching
  flag); a blocking ``read()`` returns ENODEV once no request is left running. So only
  POLLHUP tells a non-blocking reader that the device went away.
  ``SG_GET_REQUEST_TABLE`` still answers, and says which requests are running.
* **Signals.** SG_IO interrupted by a signal fails with EINTR and leaves the command
  running as an orphan, dropped on completion (``SG_SET_KEEP_ORPHAN`` keeps it for
  ``read()``). Re-issuing the ioctl would send the command a second time, so
  :func:`sg_io` does not retry.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import struct
from typing import Union

import attrs

from ..errors import UsageError
from .limits import DEVICE_GONE_ERRNOS, SG_MAX_CDB_SIZE, SG_MAX_QUEUE, SG_MAX_TRANSFER

__all__ = [
    "SgIoHdr", "ScsiId", "RequestInfo",
    "SG_INTERFACE_ID_ORIG",
    "SG_DXFER_NONE", "SG_DXFER_TO_DEV", "SG_DXFER_FROM_DEV", "SG_DXFER_TO_FROM_DEV",
    "SG_DXFER_UNKNOWN",
    "SG_FLAG_DIRECT_IO", "SG_FLAG_UNUSED_LUN_INHIBIT", "SG_FLAG_MMAP_IO",
    "SG_FLAG_NO_DXFER", "SG_FLAG_Q_AT_TAIL", "SG_FLAG_Q_AT_HEAD",
    "SG_INFO_OK_MASK", "SG_INFO_OK", "SG_INFO_CHECK", "SG_INFO_DIRECT_IO_MASK",
    "SG_INFO_INDIRECT_IO", "SG_INFO_DIRECT_IO", "SG_INFO_MIXED_IO",
    "DRIVER_SENSE", "SG_MAX_QUEUE", "SG_MAX_CDB_SIZE", "SG_DEFAULT_TIMEOUT_MS",
    "SG_EMULATED_HOST", "SG_SET_TRANSFORM", "SG_GET_TRANSFORM",
    "SG_SET_RESERVED_SIZE", "SG_GET_RESERVED_SIZE", "SG_GET_SCSI_ID",
    "SG_SET_FORCE_LOW_DMA", "SG_GET_LOW_DMA", "SG_SET_FORCE_PACK_ID", "SG_GET_PACK_ID",
    "SG_GET_NUM_WAITING", "SG_SET_DEBUG", "SG_GET_SG_TABLESIZE", "SG_GET_VERSION_NUM",
    "SG_NEXT_CMD_LEN", "SG_SCSI_RESET", "SG_IO", "SG_GET_REQUEST_TABLE",
    "SG_SET_KEEP_ORPHAN", "SG_GET_KEEP_ORPHAN", "SG_GET_ACCESS_COUNT",
    "SG_SET_TIMEOUT", "SG_GET_TIMEOUT", "SG_GET_COMMAND_Q", "SG_SET_COMMAND_Q",
    "SG_SCSI_RESET_NOTHING", "SG_SCSI_RESET_DEVICE", "SG_SCSI_RESET_BUS",
    "SG_SCSI_RESET_HOST", "SG_SCSI_RESET_TARGET", "SG_SCSI_RESET_NO_ESCALATE",
    "RESET_KINDS", "SCSI_GENERIC_MAJOR",
    "pin", "pin_any", "BufferPin", "allow_dio", "prepare", "sg_io", "submit", "read_completion",
    "version", "scsi_id", "num_waiting", "pack_id", "reset", "reserved_size",
    "set_reserved_size", "set_force_pack_id", "command_q", "set_command_q",
    "keep_orphan", "set_keep_orphan", "sg_tablesize", "access_count", "low_dma",
    "timeout_ticks", "request_table",
]

#: The character-device major of every /dev/sgN (include/uapi/linux/major.h).
SCSI_GENERIC_MAJOR = 21

SG_INTERFACE_ID_ORIG = ord("S")

# Data directions. Negative on purpose: the driver tells a v3 header from the old
# sg_header by the sign of the int at offset 4 (see the module docstring, pack_id).
SG_DXFER_NONE = -1
SG_DXFER_TO_DEV = -2
SG_DXFER_FROM_DEV = -3
# Like FROM_DEV, except that with indirect IO the user buffer is first copied into the
# kernel buffer, so bytes the device does not overwrite keep their old values.
SG_DXFER_TO_FROM_DEV = -4
SG_DXFER_UNKNOWN = -5

SG_FLAG_DIRECT_IO = 0x1          # honoured only if /sys/module/sg/parameters/allow_dio is 1
SG_FLAG_UNUSED_LUN_INHIBIT = 0x2
SG_FLAG_MMAP_IO = 0x4
SG_FLAG_NO_DXFER = 0x10000       # skip the copy between kernel and user buffers (debugging)
SG_FLAG_Q_AT_TAIL = 0x10         # sg's default is the head of the queue
SG_FLAG_Q_AT_HEAD = 0x20

SG_INFO_OK_MASK = 0x1
SG_INFO_OK = 0x0
SG_INFO_CHECK = 0x1
SG_INFO_DIRECT_IO_MASK = 0x6
SG_INFO_INDIRECT_IO = 0x0
SG_INFO_DIRECT_IO = 0x2
SG_INFO_MIXED_IO = 0x4

#: Set in driver_status whenever the driver copied sense data (kept for compatibility).
DRIVER_SENSE = 0x08

SG_DEFAULT_TIMEOUT_MS = 60000

# ioctl numbers (plain numbers, not _IOR/_IOW encodings: sg predates them).
SG_SET_TIMEOUT = 0x2201
SG_GET_TIMEOUT = 0x2202
SG_EMULATED_HOST = 0x2203
SG_SET_TRANSFORM = 0x2204
SG_GET_TRANSFORM = 0x2205
SG_GET_COMMAND_Q = 0x2270
SG_SET_COMMAND_Q = 0x2271
SG_GET_RESERVED_SIZE = 0x2272
SG_SET_RESERVED_SIZE = 0x2275
SG_GET_SCSI_ID = 0x2276
SG_SET_FORCE_LOW_DMA = 0x2279
SG_GET_LOW_DMA = 0x227A
SG_SET_FORCE_PACK_ID = 0x227B
SG_GET_PACK_ID = 0x227C
SG_GET_NUM_WAITING = 0x227D
SG_SET_DEBUG = 0x227E
SG_GET_SG_TABLESIZE = 0x227F
SG_GET_VERSION_NUM = 0x2282
SG_NEXT_CMD_LEN = 0x2283
SG_SCSI_RESET = 0x2284
SG_IO = 0x2285
SG_GET_REQUEST_TABLE = 0x2286
SG_SET_KEEP_ORPHAN = 0x2287
SG_GET_KEEP_ORPHAN = 0x2288
SG_GET_ACCESS_COUNT = 0x2289

SG_SCSI_RESET_NOTHING = 0
SG_SCSI_RESET_DEVICE = 1
SG_SCSI_RESET_BUS = 2
SG_SCSI_RESET_HOST = 3
SG_SCSI_RESET_TARGET = 4
# Without it the midlayer escalates a failed reset: device -> target -> bus -> host
# (scsi_ioctl_reset in drivers/scsi/scsi_error.c).
SG_SCSI_RESET_NO_ESCALATE = 0x100

RESET_KINDS = {
    "nothing": SG_SCSI_RESET_NOTHING,
    "device": SG_SCSI_RESET_DEVICE,
    "target": SG_SCSI_RESET_TARGET,
    "bus": SG_SCSI_RESET_BUS,
    "host": SG_SCSI_RESET_HOST,
}


#: ``struct sg_io_hdr`` (include/scsi/sg.h) field by field, with each field's struct code:
#: the one declaration from which both the ctypes structure and the struct format below
#: are made (checked against each other at import).
SG_IO_HDR_FIELDS = (
    ("interface_id", "i"), ("dxfer_direction", "i"), ("cmd_len", "B"), ("mx_sb_len", "B"),
    ("iovec_count", "H"), ("dxfer_len", "I"), ("dxferp", "P"), ("cmdp", "P"), ("sbp", "P"),
    ("timeout", "I"), ("flags", "I"), ("pack_id", "i"), ("usr_ptr", "P"), ("status", "B"),
    ("masked_status", "B"), ("msg_status", "B"), ("sb_len_wr", "B"), ("host_status", "H"),
    ("driver_status", "H"), ("resid", "i"), ("duration", "I"), ("info", "I"),
)
_CTYPE_OF = {"i": ctypes.c_int, "I": ctypes.c_uint, "B": ctypes.c_ubyte, "H": ctypes.c_ushort, "P": ctypes.c_void_p}

#: The same header as a native struct format. struct pads like the C compiler except at
#: the end: the kernel wants all of sizeof(struct sg_io_hdr), so buffers use SG_IO_HDR_SIZE.
SG_IO_HDR_FORMAT = "@" + "".join(code for _, code in SG_IO_HDR_FIELDS)



class SgIoHdr(ctypes.Structure):
    """``struct sg_io_hdr`` (include/scsi/sg.h), native layout: 88 bytes on 64-bit Linux.

    One header serves one in-flight slot for its whole life: :func:`prepare` points it at
    the slot's CDB, data and sense buffers once, and the hot path only rewrites the few
    fields that change per command.
    """

    _fields_ = [(name, _CTYPE_OF[code]) for name, code in SG_IO_HDR_FIELDS]

    def __repr__(self) -> str:
        return (
            f"SgIoHdr(dxfer_direction={self.dxfer_direction}, cmd_len={self.cmd_len}, "
            f"dxfer_len={self.dxfer_len}, pack_id={self.pack_id}, status=0x{self.status:02x}, "
            f"host_status=0x{self.host_status:x}, driver_status=0x{self.driver_status:x}, "
            f"resid={self.resid}, duration={self.duration}, info=0x{self.info:x}, "
            f"sb_len_wr={self.sb_len_wr})"
        )


def _check_header_layout() -> None:
    # Each field where the C compiler puts it, in both views: a mismatch is a wrong
    # sg_io_hdr handed to the kernel, so it stops the import.
    codes = ""
    for name, code in SG_IO_HDR_FIELDS:
        offset = struct.calcsize("@" + codes + code) - struct.calcsize("@" + code)
        assert getattr(SgIoHdr, name).offset == offset, (name, offset)
        codes += code
    assert struct.calcsize(SG_IO_HDR_FORMAT) <= ctypes.sizeof(SgIoHdr)


_check_header_layout()
SG_IO_HDR_SIZE = ctypes.sizeof(SgIoHdr)


class _ScsiIdStruct(ctypes.Structure):
    _fields_ = [
        ("host_no", ctypes.c_int),
        ("channel", ctypes.c_int),
        ("scsi_id", ctypes.c_int),
        ("lun", ctypes.c_int),
        ("scsi_type", ctypes.c_int),
        ("h_cmd_per_lun", ctypes.c_short),
        ("d_queue_depth", ctypes.c_short),
        ("unused", ctypes.c_int * 2),
    ]


class _ReqInfoStruct(ctypes.Structure):
    _fields_ = [
        ("req_state", ctypes.c_char),
        ("orphan", ctypes.c_char),
        ("sg_io_owned", ctypes.c_char),
        ("problem", ctypes.c_char),
        ("pack_id", ctypes.c_int),
        ("usr_ptr", ctypes.c_void_p),
        ("duration", ctypes.c_uint),
        ("unused", ctypes.c_int),
    ]


@attrs.frozen
class ScsiId:
    """What ``SG_GET_SCSI_ID`` says about the device behind an sg fd."""

    host_no: int
    channel: int
    scsi_id: int
    lun: int
    scsi_type: int
    h_cmd_per_lun: int
    d_queue_depth: int

    @property
    def hctl(self) -> str:
        return f"{self.host_no}:{self.channel}:{self.scsi_id}:{self.lun}"


@attrs.frozen
class RequestInfo:
    """One entry of ``SG_GET_REQUEST_TABLE``: a request the fd holds.

    ``req_state`` is 1 while the command runs and 2 when its completion waits for
    ``read()``; ``duration`` is the time so far (running) or the command's time (done), ms.
    """

    req_state: int
    orphan: bool
    sg_io_owned: bool
    problem: bool
    pack_id: int
    usr_ptr: int
    duration: int


Buffer = Union[bytearray, memoryview, ctypes.Array]


def pin(buf: Buffer) -> ctypes.Array:
    """A ctypes array sharing the memory of a writable buffer, for its address.

    Hold the returned object for as long as the kernel may use the address: while it
    lives a bytearray cannot be resized (its buffer is exported), so the address stays
    valid. A ctypes array is returned as it is.

    :param buf: a bytearray, a writable C-contiguous memoryview or a ctypes array.
    :raises UsageError: for read-only or non-contiguous buffers (bytes, for instance).
    """
    if isinstance(buf, ctypes.Array):
        return buf
    try:
        return (ctypes.c_char * len(buf)).from_buffer(buf)
    except (TypeError, ValueError) as exc:
        raise UsageError(
            f"a buffer handed to the kernel must be writable and contiguous "
            f"(bytearray, memoryview of one, or a ctypes array), not {type(buf).__name__}: {exc}"
        ) from None


class _PyBuffer(ctypes.Structure):
    """CPython's ``Py_buffer`` (Include/pybuffer.h), only to read ``buf``."""

    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = (ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int)
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = (ctypes.POINTER(_PyBuffer),)
_release_buffer.restype = None
_PyBUF_C_CONTIGUOUS = 0x0020 | 0x0008  # PyBUF_C_CONTIGUOUS (includes PyBUF_STRIDES)


class BufferPin:
    """A buffer export held open, for the address of a read-only buffer (bytes, a
    read-only memoryview): ctypes' ``from_buffer`` only takes writable ones.

    While the pin lives the exporter keeps its memory where it is (a bytearray cannot be
    resized); the export is released when the pin is dropped.
    """

    __slots__ = ("_view", "address", "__weakref__")

    def __init__(self, buf: object) -> None:
        view = _PyBuffer()
        if _get_buffer(buf, ctypes.byref(view), _PyBUF_C_CONTIGUOUS) != 0:
            raise UsageError(f"a buffer handed to the kernel must be contiguous, not {type(buf).__name__}")
        self._view = view
        self.address = view.buf or 0

    def __del__(self) -> None:
        view = self._view
        if view is not None:
            self._view = None
            _release_buffer(ctypes.byref(view))


def pin_any(buf: object) -> tuple[object, int]:
    """(an object that pins ``buf``'s memory while it lives, the address of its first byte)
    for any C-contiguous buffer, writable or not; (None, 0) for an empty one."""
    if isinstance(buf, ctypes.Array):
        return buf, ctypes.addressof(buf)
    if not len(buf):  # type: ignore[arg-type]
        return None, 0
    try:
        pinned = (ctypes.c_char * len(memoryview(buf).cast("B"))).from_buffer(buf)  # type: ignore[arg-type]
        return pinned, ctypes.addressof(pinned)
    except (TypeError, ValueError):
        holder = BufferPin(buf)  # read-only: the sg driver only reads it (data-out)
        return holder, holder.address


def allow_dio() -> bool:
    """Whether the sg driver honours SG_FLAG_DIRECT_IO: /sys/module/sg/parameters/allow_dio
    is 1 (0 by default; the driver then quietly moves the data indirectly, and ``info``
    says so: SG_INFO_DIRECT_IO_MASK)."""
    try:
        with open("/sys/module/sg/parameters/allow_dio") as f:
            return f.read().strip() == "1"
    except OSError:
        return False


def prepare(
    hdr: SgIoHdr,
    cdb: ctypes.Array,
    sense: ctypes.Array,
    data: ctypes.Array | None = None,
    *,
    cmd_len: int | None = None,
    dxfer_direction: int = SG_DXFER_NONE,
    dxfer_len: int | None = None,
    timeout: int = SG_DEFAULT_TIMEOUT_MS,
    flags: int = 0,
    pack_id: int = 0,
    usr_ptr: int = 0,
) -> SgIoHdr:
    """Fill ``hdr`` for one command: pointers to the buffers and the input fields.

    The buffers are ctypes arrays (see :func:`pin`) the caller keeps alive while the
    command is outstanding; reusing them and the header for the next command on the same
    slot allocates nothing. Output fields are zeroed so stale results cannot be read.

    :param cdb: the CDB buffer; ``cmd_len`` defaults to its length.
    :param sense: the sense buffer; ``mx_sb_len`` is its length (at most 255).
    :param data: the data buffer, or None for no data; ``dxfer_len`` defaults to its length.
    :param dxfer_direction: one of the ``SG_DXFER_*`` values.
    :param timeout: milliseconds; the kernel fails the command with DID_TIME_OUT after it.
    """
    n = len(cdb) if cmd_len is None else cmd_len
    if not 6 <= n <= min(SG_MAX_CDB_SIZE, len(cdb)):
        raise UsageError(f"cmd_len {n}: a CDB is 6..{SG_MAX_CDB_SIZE} bytes and within its buffer")
    if dxfer_direction not in (SG_DXFER_NONE, SG_DXFER_TO_DEV, SG_DXFER_FROM_DEV,
                               SG_DXFER_TO_FROM_DEV, SG_DXFER_UNKNOWN):
        raise UsageError(f"dxfer_direction {dxfer_direction}: use one of the SG_DXFER_* values")
    length = (0 if data is None else len(data)) if dxfer_len is None else dxfer_len
    if length and (data is None or length > len(data)):
        raise UsageError(f"dxfer_len {length} exceeds the data buffer")
    if not 0 <= timeout <= 0xFFFFFFFF:
        raise UsageError(f"timeout {timeout} ms: must be 0..4294967295")
    hdr.interface_id = SG_INTERFACE_ID_ORIG
    hdr.dxfer_direction = dxfer_direction
    hdr.cmd_len = n
    hdr.mx_sb_len = min(len(sense), 255)
    hdr.iovec_count = 0
    hdr.dxfer_len = length
    hdr.dxferp = ctypes.addressof(data) if data is not None else None
    hdr.cmdp = ctypes.addressof(cdb)
    hdr.sbp = ctypes.addressof(sense)
    hdr.timeout = timeout
    hdr.flags = flags
    hdr.pack_id = pack_id
    hdr.usr_ptr = usr_ptr or None
    hdr.status = hdr.masked_status = hdr.msg_status = hdr.sb_len_wr = 0
    hdr.host_status = hdr.driver_status = 0
    hdr.resid = 0
    hdr.duration = 0
    hdr.info = 0
    return hdr


def sg_io(fd: int, hdr: SgIoHdr) -> None:
    """Run one command synchronously: ``ioctl(fd, SG_IO, hdr)``; outputs land in ``hdr``.

    The GIL is released during the ioctl (CPython's fcntl.ioctl copies the 88 bytes of the
    header in and out around the call; data and sense go straight to their buffers).

    :raises OSError: as the driver says: ENODEV (device removed), EDOM (16 requests
        already held by this fd), EMSGSIZE (cmd_len), EINTR (a signal: the command keeps
        running as an orphan; do not resend blindly), EPERM (read-only fd and a command
        that modifies the device), ENOMEM, EINVAL ...
    """
    fcntl.ioctl(fd, SG_IO, hdr, True)


def submit(fd: int, hdr: SgIoHdr) -> None:
    """Queue a command on the asynchronous path: ``write()`` of the whole header.

    :raises OSError: EDOM when the fd already holds 16 requests; ENODEV after removal.
    """
    n = os.write(fd, hdr)
    if n != ctypes.sizeof(SgIoHdr):   # the driver returns the full count or an error
        raise OSError(errno.EIO, f"sg write() took {n} of {ctypes.sizeof(SgIoHdr)} bytes")


def read_completion(fd: int, hdr: SgIoHdr, want: int | None = None) -> int | None:
    """Read one completion into ``hdr`` (a reusable buffer) and return its ``pack_id``.

    With ``want`` given, ``hdr.pack_id`` is set to it first, which picks that request if
    the fd has ``SG_SET_FORCE_PACK_ID`` on (``-1``: any); otherwise the oldest completion
    comes back. On an O_NONBLOCK fd with nothing ready, returns None (the driver's EAGAIN).

    :raises OSError: ENODEV when the device was removed and nothing is left to read
        (blocking fds only; see the module docstring).
    """
    if want is not None:
        hdr.pack_id = want
    # Must be negative, or force_pack_id reads the wrong bytes as the pack_id.
    if hdr.dxfer_direction >= 0:
        hdr.dxfer_direction = SG_DXFER_NONE
    try:
        n = os.readv(fd, (hdr,))
    except BlockingIOError:
        return None
    if n != ctypes.sizeof(SgIoHdr):
        raise OSError(errno.EIO, f"sg read() gave {n} of {ctypes.sizeof(SgIoHdr)} bytes")
    return hdr.pack_id


# --- small ioctls -------------------------------------------------------------------

_INT = struct.Struct("i")


def _get_int(fd: int, request: int) -> int:
    buf = bytearray(4)
    fcntl.ioctl(fd, request, buf, True)
    return _INT.unpack(buf)[0]


def _set_int(fd: int, request: int, value: int) -> None:
    # The driver reads the value through a pointer (get_user), never from the argument.
    fcntl.ioctl(fd, request, bytearray(_INT.pack(value)), True)


def version(fd: int) -> int:
    """``SG_GET_VERSION_NUM``: 30536 for sg 3.5.36; bsg nodes answer 30527."""
    return _get_int(fd, SG_GET_VERSION_NUM)


def scsi_id(fd: int) -> ScsiId:
    """``SG_GET_SCSI_ID``: host, channel, target, LUN, peripheral type and queue depths."""
    raw = _ScsiIdStruct()
    fcntl.ioctl(fd, SG_GET_SCSI_ID, raw, True)
    return ScsiId(raw.host_no, raw.channel, raw.scsi_id, raw.lun, raw.scsi_type,
                  raw.h_cmd_per_lun, raw.d_queue_depth)


def num_waiting(fd: int) -> int:
    """``SG_GET_NUM_WAITING``: completions ready for ``read()`` (not those still running)."""
    return _get_int(fd, SG_GET_NUM_WAITING)


def pack_id(fd: int) -> int:
    """``SG_GET_PACK_ID``: the pack_id of the oldest completion ready to read, or -1."""
    return _get_int(fd, SG_GET_PACK_ID)


def reset(fd: int, kind: str | int, *, escalate: bool = True) -> None:
    """``SG_SCSI_RESET``: ask the midlayer for a reset.

    :param kind: "nothing", "device" (LOGICAL UNIT RESET), "target", "bus" or "host", or
        one of the ``SG_SCSI_RESET_*`` numbers.
    :param escalate: when False, only the named reset is tried (``NO_ESCALATE``);
        otherwise a failed reset escalates device -> target -> bus -> host.
    :raises OSError: EIO when the reset failed, EACCES without CAP_SYS_ADMIN and
        CAP_SYS_RAWIO, EAGAIN (O_NONBLOCK fd, host in error recovery), ENODEV.
    """
    if isinstance(kind, str):
        try:
            value = RESET_KINDS[kind]
        except KeyError:
            raise UsageError(
                f"reset kind {kind!r}: use one of {', '.join(RESET_KINDS)}") from None
    elif kind in RESET_KINDS.values():
        value = kind
    else:
        raise UsageError(f"reset kind {kind!r}: use one of {', '.join(RESET_KINDS)}")
    if not escalate and value != SG_SCSI_RESET_NOTHING:
        value |= SG_SCSI_RESET_NO_ESCALATE
    _set_int(fd, SG_SCSI_RESET, value)


def reserved_size(fd: int) -> int:
    """``SG_GET_RESERVED_SIZE``: bytes of the fd's reserved buffer (32 KiB by default)."""
    return _get_int(fd, SG_GET_RESERVED_SIZE)


def set_reserved_size(fd: int, size: int) -> None:
    """``SG_SET_RESERVED_SIZE``; the driver caps it at the queue's max_sectors in bytes.

    :raises OSError: EBUSY while the reserved buffer is in use or mmap()ed.
    """
    if size < 0:
        raise UsageError(f"reserved size {size}: must be >= 0")
    _set_int(fd, SG_SET_RESERVED_SIZE, size)


def set_force_pack_id(fd: int, on: bool = True) -> None:
    """``SG_SET_FORCE_PACK_ID``: make ``read()`` return only the pack_id asked for."""
    _set_int(fd, SG_SET_FORCE_PACK_ID, 1 if on else 0)


def command_q(fd: int) -> bool:
    """``SG_GET_COMMAND_Q``: whether more than one request may be outstanding."""
    return bool(_get_int(fd, SG_GET_COMMAND_Q))


def set_command_q(fd: int, on: bool = True) -> None:
    """``SG_SET_COMMAND_Q``; writing a v3 header switches it on again."""
    _set_int(fd, SG_SET_COMMAND_Q, 1 if on else 0)


def keep_orphan(fd: int) -> bool:
    """``SG_GET_KEEP_ORPHAN``."""
    return bool(_get_int(fd, SG_GET_KEEP_ORPHAN))


def set_keep_orphan(fd: int, on: bool = True) -> None:
    """``SG_SET_KEEP_ORPHAN``: keep an interrupted SG_IO's completion for ``read()``."""
    _set_int(fd, SG_SET_KEEP_ORPHAN, 1 if on else 0)


def sg_tablesize(fd: int) -> int:
    """``SG_GET_SG_TABLESIZE``: the host's maximum scatter-gather segments."""
    return _get_int(fd, SG_GET_SG_TABLESIZE)


def access_count(fd: int) -> int:
    """``SG_GET_ACCESS_COUNT``: faked by the 6.1 driver, always 1 while the device exists."""
    return _get_int(fd, SG_GET_ACCESS_COUNT)


def low_dma(fd: int) -> int:
    """``SG_GET_LOW_DMA``: always 0 in the 6.1 driver."""
    return _get_int(fd, SG_GET_LOW_DMA)


def timeout_ticks(fd: int) -> int:
    """``SG_GET_TIMEOUT``: the old interface's default timeout, in USER_HZ ticks.

    The driver returns it as the ioctl's return value, not through the pointer.
    """
    return fcntl.ioctl(fd, SG_GET_TIMEOUT, 0)


def request_table(fd: int) -> list[RequestInfo]:
    """``SG_GET_REQUEST_TABLE``: the requests the fd holds (running or awaiting read)."""
    table = (_ReqInfoStruct * SG_MAX_QUEUE)()
    fcntl.ioctl(fd, SG_GET_REQUEST_TABLE, table, True)
    return [
        RequestInfo(
            req_state=ord(r.req_state), orphan=bool(ord(r.orphan)),
            sg_io_owned=bool(ord(r.sg_io_owned)), problem=bool(ord(r.problem)),
            pack_id=r.pack_id, usr_ptr=r.usr_ptr or 0, duration=r.duration,
        )
        for r in table
        if ord(r.req_state) != 0
    ]
