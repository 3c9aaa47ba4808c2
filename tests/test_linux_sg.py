"""sgframe.linux.sg and .bsg without a kernel driver: layouts, header filling, checks."""
from __future__ import annotations

import ctypes
import errno
import os

import pytest

from sgframe.errors import UsageError
from sgframe.linux import bsg, sg

# Offsets of struct sg_io_hdr on LP64 (include/scsi/sg.h), and of struct sg_io_v4.
SG_OFFSETS = {
    "interface_id": 0, "dxfer_direction": 4, "cmd_len": 8, "mx_sb_len": 9,
    "iovec_count": 10, "dxfer_len": 12, "dxferp": 16, "cmdp": 24, "sbp": 32,
    "timeout": 40, "flags": 44, "pack_id": 48, "usr_ptr": 56, "status": 64,
    "masked_status": 65, "msg_status": 66, "sb_len_wr": 67, "host_status": 68,
    "driver_status": 70, "resid": 72, "duration": 76, "info": 80,
}
V4_OFFSETS = {
    "guard": 0, "protocol": 4, "subprotocol": 8, "request_len": 12, "request": 16,
    "request_tag": 24, "request_attr": 32, "request_priority": 36, "request_extra": 40,
    "max_response_len": 44, "response": 48, "dout_iovec_count": 56, "dout_xfer_len": 60,
    "din_iovec_count": 64, "din_xfer_len": 68, "dout_xferp": 72, "din_xferp": 80,
    "timeout": 88, "flags": 92, "usr_ptr": 96, "spare_in": 104, "driver_status": 108,
    "transport_status": 112, "device_status": 116, "retry_delay": 120, "info": 124,
    "duration": 128, "response_len": 132, "din_resid": 136, "dout_resid": 140,
    "generated_tag": 144, "spare_out": 152, "padding": 156,
}

needs_lp64 = pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="64-bit layout")


@needs_lp64
def test_sg_io_hdr_layout():
    assert ctypes.sizeof(sg.SgIoHdr) == 88
    assert {name: getattr(sg.SgIoHdr, name).offset for name, _ in sg.SgIoHdr._fields_} \
        == SG_OFFSETS


def test_sg_io_v4_layout():
    assert ctypes.sizeof(bsg.SgIoV4) == 160
    assert {name: getattr(bsg.SgIoV4, name).offset for name, _ in bsg.SgIoV4._fields_} \
        == V4_OFFSETS


@needs_lp64
def test_auxiliary_struct_sizes():
    assert ctypes.sizeof(sg._ScsiIdStruct) == 32
    assert ctypes.sizeof(sg._ReqInfoStruct) == 24


def test_constants_match_the_header():
    assert (sg.SG_DXFER_NONE, sg.SG_DXFER_TO_DEV, sg.SG_DXFER_FROM_DEV,
            sg.SG_DXFER_TO_FROM_DEV, sg.SG_DXFER_UNKNOWN) == (-1, -2, -3, -4, -5)
    assert (sg.SG_IO, sg.SG_GET_VERSION_NUM, sg.SG_SCSI_RESET, sg.SG_GET_SCSI_ID) == (
        0x2285, 0x2282, 0x2284, 0x2276)
    assert (sg.SG_SET_FORCE_PACK_ID, sg.SG_GET_PACK_ID, sg.SG_GET_NUM_WAITING) == (
        0x227B, 0x227C, 0x227D)
    assert (sg.SG_SET_RESERVED_SIZE, sg.SG_GET_RESERVED_SIZE, sg.SG_GET_REQUEST_TABLE,
            sg.SG_GET_ACCESS_COUNT, sg.SG_GET_LOW_DMA, sg.SG_GET_SG_TABLESIZE) == (
        0x2275, 0x2272, 0x2286, 0x2289, 0x227A, 0x227F)
    assert (sg.SG_GET_TIMEOUT, sg.SG_SET_COMMAND_Q, sg.SG_GET_COMMAND_Q) == (
        0x2202, 0x2271, 0x2270)
    assert sg.RESET_KINDS == {"nothing": 0, "device": 1, "target": 4, "bus": 2, "host": 3}
    assert (sg.SG_SCSI_RESET_NO_ESCALATE, sg.SG_FLAG_DIRECT_IO, sg.SG_FLAG_NO_DXFER,
            sg.SG_FLAG_Q_AT_TAIL, sg.SG_INFO_CHECK, sg.SG_MAX_QUEUE) == (
        0x100, 1, 0x10000, 0x10, 1, 16)


def slot(cdb: bytes, data_len: int = 0):
    cdb_buf = sg.pin(bytearray(cdb))
    sense = (ctypes.c_char * 32)()
    data = (ctypes.c_char * data_len)() if data_len else None
    return cdb_buf, sense, data


def test_prepare_points_at_the_buffers_and_clears_outputs():
    cdb, sense, data = slot(bytes([0x12, 0, 0, 0, 96, 0]), 96)
    hdr = sg.SgIoHdr()
    hdr.status, hdr.resid, hdr.info, hdr.sb_len_wr = 2, 5, 1, 18
    sg.prepare(hdr, cdb, sense, data, dxfer_direction=sg.SG_DXFER_FROM_DEV,
               timeout=1234, pack_id=77, flags=sg.SG_FLAG_Q_AT_TAIL, usr_ptr=0x1000)
    assert (hdr.interface_id, hdr.dxfer_direction, hdr.cmd_len, hdr.mx_sb_len, hdr.dxfer_len) \
        == (ord("S"), -3, 6, 32, 96)
    assert (hdr.cmdp, hdr.sbp, hdr.dxferp) == (
        ctypes.addressof(cdb), ctypes.addressof(sense), ctypes.addressof(data))
    assert (hdr.timeout, hdr.pack_id, hdr.flags, hdr.usr_ptr) == (1234, 77, 0x10, 0x1000)
    assert (hdr.status, hdr.resid, hdr.info, hdr.sb_len_wr) == (0, 0, 0, 0)


def test_prepare_without_data():
    cdb, sense, _ = slot(bytes(16))
    hdr = sg.prepare(sg.SgIoHdr(), cdb, sense, cmd_len=6)
    assert (hdr.cmd_len, hdr.dxfer_len, hdr.dxferp, hdr.dxfer_direction) == (6, 0, None, -1)


def test_pin_shares_memory_and_stops_resizing():
    buf = bytearray(b"abc")
    arr = sg.pin(buf)
    arr[0] = b"x"
    assert buf == bytearray(b"xbc")
    with pytest.raises(BufferError):
        buf.extend(b"more")          # the address handed to the kernel stays valid
    same = (ctypes.c_char * 4)()
    assert sg.pin(same) is same


@pytest.mark.parametrize("bad", [b"bytes", "text", memoryview(b"ro")])
def test_pin_refuses_read_only_buffers(bad):
    with pytest.raises(UsageError, match="must be writable and contiguous"):
        sg.pin(bad)


@pytest.mark.parametrize("kwargs, message", [
    (dict(cmd_len=5), "cmd_len 5: a CDB is 6..252"),
    (dict(cmd_len=17), "cmd_len 17"),
    (dict(dxfer_direction=3), "dxfer_direction 3"),
    (dict(dxfer_len=600), "dxfer_len 600 exceeds the data buffer"),
    (dict(timeout=-1), "timeout -1 ms"),
])
def test_prepare_rejects(kwargs, message):
    cdb, sense, data = slot(bytes(16), 512)
    with pytest.raises(UsageError, match=message):
        sg.prepare(sg.SgIoHdr(), cdb, sense, data, **kwargs)


@pytest.mark.parametrize("kind", ["lun", "everything", 7, -1])
def test_reset_kind_is_checked_before_any_syscall(kind):
    with pytest.raises(UsageError, match="use one of nothing, device, target, bus, host"):
        sg.reset(-1, kind)


def test_set_reserved_size_checks_sign():
    with pytest.raises(UsageError, match="reserved size -1"):
        sg.set_reserved_size(-1, -1)


def test_submit_and_read_completion_move_whole_headers():
    # A pipe stands in for the driver: write() gets 88 bytes, read() returns 88 bytes.
    r, w = os.pipe()
    try:
        cdb, sense, _ = slot(bytes(6))
        out = sg.prepare(sg.SgIoHdr(), cdb, sense, pack_id=42)
        sg.submit(w, out)
        back = sg.SgIoHdr()
        back.dxfer_direction = 5            # not a v3 value: read_completion fixes it
        assert sg.read_completion(r, back) == 42
        assert bytes(back) == bytes(out)
    finally:
        os.close(r)
        os.close(w)


def test_read_completion_sets_wanted_pack_id_and_maps_eagain_to_none():
    r, w = os.pipe()
    os.set_blocking(r, False)
    try:
        hdr = sg.SgIoHdr()
        assert sg.read_completion(r, hdr, want=9) is None
        assert (hdr.pack_id, hdr.dxfer_direction) == (9, sg.SG_DXFER_NONE)
    finally:
        os.close(r)
        os.close(w)


def test_short_read_is_an_error():
    r, w = os.pipe()
    try:
        os.write(w, b"x" * 10)
        with pytest.raises(OSError) as info:
            sg.read_completion(r, sg.SgIoHdr())
        assert info.value.errno == errno.EIO
    finally:
        os.close(r)
        os.close(w)


def test_ioctls_on_a_non_sg_fd_raise_oserror(tmp_path):
    path = tmp_path / "plain"
    path.write_bytes(b"")
    fd = os.open(path, os.O_RDONLY)
    try:
        with pytest.raises(OSError) as info:
            sg.version(fd)
        assert info.value.errno == errno.ENOTTY
    finally:
        os.close(fd)


def test_bsg_prepare_for_data_in():
    cdb = sg.pin(bytearray([0x12, 0, 0, 0, 36, 0]))
    sense = (ctypes.c_char * 96)()
    data = (ctypes.c_char * 36)()
    hdr = bsg.SgIoV4()
    hdr.duration = 99
    bsg.prepare(hdr, cdb, sense, data_in=data, timeout=8000, usr_ptr=5)
    assert (hdr.guard, hdr.protocol, hdr.subprotocol, hdr.request_len) == (ord("Q"), 0, 0, 6)
    assert (hdr.request, hdr.response, hdr.max_response_len) == (
        ctypes.addressof(cdb), ctypes.addressof(sense), 96)
    assert (hdr.din_xfer_len, hdr.din_xferp, hdr.dout_xfer_len, hdr.dout_xferp) == (
        36, ctypes.addressof(data), 0, 0)
    assert (hdr.timeout, hdr.usr_ptr, hdr.duration) == (8000, 5, 0)


def test_bsg_prepare_for_data_out_and_result_mapping():
    cdb = sg.pin(bytearray(10))
    sense = (ctypes.c_char * 32)()
    data = (ctypes.c_char * 512)()
    hdr = bsg.prepare(bsg.SgIoV4(), cdb, sense, data_out=data, dout_len=256)
    assert (hdr.dout_xfer_len, hdr.din_xfer_len) == (256, 0)
    hdr.device_status, hdr.transport_status, hdr.driver_status = 0x02, 0, 0x08
    hdr.dout_resid, hdr.din_resid, hdr.info, hdr.response_len = 6, 0, 1, 18
    assert bsg.result(hdr) == bsg.BsgResult(status=2, host_status=0, driver_status=8,
                                            resid=6, din_resid=0, dout_resid=6, duration=0,
                                            info=1, sb_len_wr=18)
    assert bsg.result(hdr).check


def test_bsg_result_uses_din_resid_for_reads():
    hdr = bsg.prepare(bsg.SgIoV4(), sg.pin(bytearray(6)), (ctypes.c_char * 8)(),
                      data_in=(ctypes.c_char * 8)())
    hdr.din_resid = 3
    assert (bsg.result(hdr).resid, bsg.result(hdr).check) == (3, False)


@pytest.mark.parametrize("kwargs, message", [
    (dict(data_in=(ctypes.c_char * 4)(), data_out=(ctypes.c_char * 4)()), "one direction"),
    (dict(cmd_len=0), "cmd_len 0"),
    (dict(din_len=5), "din_len 5 exceeds"),
    (dict(dout_len=1), "dout_len 1 exceeds"),
    (dict(timeout=1 << 32), "timeout"),
])
def test_bsg_prepare_rejects(kwargs, message):
    with pytest.raises(UsageError, match=message):
        bsg.prepare(bsg.SgIoV4(), sg.pin(bytearray(6)), (ctypes.c_char * 8)(), **kwargs)


def test_scsi_id_hctl():
    sid = sg.ScsiId(host_no=2, channel=0, scsi_id=5, lun=1, scsi_type=0, h_cmd_per_lun=1,
                    d_queue_depth=32)
    assert sid.hctl == "2:0:5:1"


def test_one_declaration_of_sg_io_hdr_gives_both_views():
    import ctypes
    import struct

    from sgframe.linux import sg as sgdev
    from sgframe.transport import sg as sg_transport

    assert [name for name, _ in sgdev.SgIoHdr._fields_] == [name for name, _ in sgdev.SG_IO_HDR_FIELDS]
    assert sg_transport._HEADER.format == sgdev.SG_IO_HDR_FORMAT
    assert sgdev.SG_IO_HDR_SIZE == ctypes.sizeof(sgdev.SgIoHdr) == 88
    # The struct view puts status where the ctypes view does (what read() parses).
    packed = bytearray(sgdev.SG_IO_HDR_SIZE)
    values = [0] * len(sgdev.SG_IO_HDR_FIELDS)
    values[[n for n, _ in sgdev.SG_IO_HDR_FIELDS].index("status")] = 0x02
    struct.pack_into(sgdev.SG_IO_HDR_FORMAT, packed, 0, *values)
    assert sgdev.SgIoHdr.from_buffer(packed).status == 0x02
