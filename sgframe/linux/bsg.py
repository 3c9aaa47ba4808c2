"""The block layer's SCSI pass-through, bsg: ``struct sg_io_v4`` through ``ioctl(SG_IO)``.

Checked against ``include/uapi/linux/bsg.h``, ``block/bsg.c`` and
``drivers/scsi/scsi_bsg.c`` of Linux 6.1:

* Only ``protocol`` BSG_PROTOCOL_SCSI with ``subprotocol`` BSG_SUB_PROTOCOL_SCSI_CMD is
  accepted (else EINVAL), and only one data direction: both ``dout_xfer_len`` and
  ``din_xfer_len`` nonzero gives EOPNOTSUPP (bidirectional support was removed).
* There is no asynchronous path: bsg's ``write()``/``read()`` were removed in 5.x, so
  every command blocks in the ioctl (run it on a worker thread for concurrency).
* ``device_status`` is the full SCSI status byte (not shifted), ``transport_status`` the
  host byte (``DID_*``), ``driver_status`` DRIVER_SENSE (8) on CHECK CONDITION, ``info``
  has SG_INFO_CHECK when any of the three is nonzero, ``response_len`` is the number of
  sense bytes written, ``din_resid``/``dout_resid`` the residual of the direction used.
* ``duration`` is NOT filled in by 6.1: the kernel copies back whatever the caller left
  there. :func:`prepare` zeroes it, so it reads 0.
* The timeout is in milliseconds; 0 means the node's default (60 s) and anything below
  ``BLK_MIN_SG_TIMEOUT`` (7 s) is raised to 7 s, unlike sg which honours short timeouts.
* ``SG_GET_VERSION_NUM`` on a bsg node answers 30527.
"""
from __future__ import annotations

import ctypes
import fcntl

import attrs

from ..errors import UsageError
from .sg import SG_INFO_CHECK, SG_IO

__all__ = [
    "SgIoV4", "BsgResult", "BSG_PROTOCOL_SCSI", "BSG_SUB_PROTOCOL_SCSI_CMD",
    "BSG_SUB_PROTOCOL_SCSI_TMF", "BSG_SUB_PROTOCOL_SCSI_TRANSPORT", "BSG_FLAG_Q_AT_TAIL",
    "BSG_FLAG_Q_AT_HEAD", "BSG_GUARD", "BSG_MIN_TIMEOUT_MS", "prepare", "bsg_io", "result",
]

BSG_PROTOCOL_SCSI = 0
BSG_SUB_PROTOCOL_SCSI_CMD = 0
BSG_SUB_PROTOCOL_SCSI_TMF = 1
BSG_SUB_PROTOCOL_SCSI_TRANSPORT = 2
BSG_FLAG_Q_AT_TAIL = 0x10   # bsg's default is the head of the queue
BSG_FLAG_Q_AT_HEAD = 0x20
BSG_GUARD = ord("Q")        # tells a v4 header from sg's v3 ('S')
BSG_MIN_TIMEOUT_MS = 7000


class SgIoV4(ctypes.Structure):
    """``struct sg_io_v4`` (include/uapi/linux/bsg.h): 160 bytes, same on 32 and 64 bit."""

    _fields_ = [
        ("guard", ctypes.c_int32),
        ("protocol", ctypes.c_uint32),
        ("subprotocol", ctypes.c_uint32),
        ("request_len", ctypes.c_uint32),
        ("request", ctypes.c_uint64),
        ("request_tag", ctypes.c_uint64),
        ("request_attr", ctypes.c_uint32),
        ("request_priority", ctypes.c_uint32),
        ("request_extra", ctypes.c_uint32),
        ("max_response_len", ctypes.c_uint32),
        ("response", ctypes.c_uint64),
        ("dout_iovec_count", ctypes.c_uint32),
        ("dout_xfer_len", ctypes.c_uint32),
        ("din_iovec_count", ctypes.c_uint32),
        ("din_xfer_len", ctypes.c_uint32),
        ("dout_xferp", ctypes.c_uint64),
        ("din_xferp", ctypes.c_uint64),
        ("timeout", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("usr_ptr", ctypes.c_uint64),
        ("spare_in", ctypes.c_uint32),
        ("driver_status", ctypes.c_uint32),
        ("transport_status", ctypes.c_uint32),
        ("device_status", ctypes.c_uint32),
        ("retry_delay", ctypes.c_uint32),
        ("info", ctypes.c_uint32),
        ("duration", ctypes.c_uint32),
        ("response_len", ctypes.c_uint32),
        ("din_resid", ctypes.c_int32),
        ("dout_resid", ctypes.c_int32),
        ("generated_tag", ctypes.c_uint64),
        ("spare_out", ctypes.c_uint32),
        ("padding", ctypes.c_uint32),
    ]


@attrs.frozen
class BsgResult:
    """The outputs of one bsg command, named as the sg v3 header names them.

    ``status`` is the SCSI status byte, ``host_status`` the transport status (DID_*),
    ``resid`` the residual count of the direction used, ``sb_len_wr`` the sense length.
    """

    status: int
    host_status: int
    driver_status: int
    resid: int
    din_resid: int
    dout_resid: int
    duration: int
    info: int
    sb_len_wr: int

    @property
    def check(self) -> bool:
        """True when the kernel flagged anything abnormal (SG_INFO_CHECK)."""
        return bool(self.info & SG_INFO_CHECK)


def prepare(
    hdr: SgIoV4,
    cdb: ctypes.Array,
    sense: ctypes.Array,
    *,
    cmd_len: int | None = None,
    data_in: ctypes.Array | None = None,
    data_out: ctypes.Array | None = None,
    din_len: int | None = None,
    dout_len: int | None = None,
    timeout: int = 60000,
    flags: int = 0,
    usr_ptr: int = 0,
) -> SgIoV4:
    """Fill ``hdr`` for one SCSI command; the buffers must outlive the call to :func:`bsg_io`.

    Buffers are ctypes arrays (:func:`sgframe.linux.sg.pin` makes one from a bytearray).
    Output fields, ``duration`` included, are zeroed.

    :param data_in: buffer for data from the device (READ, INQUIRY ...).
    :param data_out: buffer for data to the device (WRITE ...); not both.
    :param timeout: milliseconds (the kernel raises anything below 7000 to 7000).
    """
    if data_in is not None and data_out is not None:
        raise UsageError("bsg carries data in one direction only: give data_in or data_out")
    n = len(cdb) if cmd_len is None else cmd_len
    if not 1 <= n <= len(cdb) or n > 32:
        raise UsageError(f"cmd_len {n}: a bsg CDB is 1..32 bytes and within its buffer")
    din = (0 if data_in is None else len(data_in)) if din_len is None else din_len
    dout = (0 if data_out is None else len(data_out)) if dout_len is None else dout_len
    if din and (data_in is None or din > len(data_in)):
        raise UsageError(f"din_len {din} exceeds the data_in buffer")
    if dout and (data_out is None or dout > len(data_out)):
        raise UsageError(f"dout_len {dout} exceeds the data_out buffer")
    if not 0 <= timeout <= 0xFFFFFFFF:
        raise UsageError(f"timeout {timeout} ms: must be 0..4294967295")
    ctypes.memset(ctypes.addressof(hdr), 0, ctypes.sizeof(hdr))
    hdr.guard = BSG_GUARD
    hdr.protocol = BSG_PROTOCOL_SCSI
    hdr.subprotocol = BSG_SUB_PROTOCOL_SCSI_CMD
    hdr.request_len = n
    hdr.request = ctypes.addressof(cdb)
    hdr.max_response_len = len(sense)
    hdr.response = ctypes.addressof(sense)
    hdr.din_xfer_len = din
    hdr.din_xferp = ctypes.addressof(data_in) if data_in is not None else 0
    hdr.dout_xfer_len = dout
    hdr.dout_xferp = ctypes.addressof(data_out) if data_out is not None else 0
    hdr.timeout = timeout
    hdr.flags = flags
    hdr.usr_ptr = usr_ptr
    return hdr


def bsg_io(fd: int, hdr: SgIoV4) -> None:
    """Run one command: ``ioctl(fd, SG_IO, hdr)``, blocking, with the GIL released.

    :raises OSError: EINVAL (guard, protocol or CDB length), EOPNOTSUPP (both
        directions), EPERM (command not allowed on a read-only fd), ENXIO/ENODEV ...
    """
    fcntl.ioctl(fd, SG_IO, hdr, True)


def result(hdr: SgIoV4) -> BsgResult:
    """The outputs of a completed header, mapped to the names the sg v3 header uses."""
    resid = hdr.dout_resid if hdr.dout_xfer_len else hdr.din_resid
    return BsgResult(
        status=hdr.device_status & 0xFF,
        host_status=hdr.transport_status,
        driver_status=hdr.driver_status,
        resid=resid,
        din_resid=hdr.din_resid,
        dout_resid=hdr.dout_resid,
        duration=hdr.duration,
        info=hdr.info,
        sb_len_wr=hdr.response_len,
    )
