"""PDU layouts, framing and digests of sgframe.iscsi, against bytes worked out from
RFC 7143 chapter 11 and the CRC32C examples of RFC 3720 appendix B.4."""
from __future__ import annotations

import pytest

from sgframe.iscsi import digest
from sgframe.iscsi.errors import LocalProtocolError, RemoteProtocolError
from sgframe.iscsi.framing import PduReader, encode_pdu
from sgframe.iscsi.pdu import (
    AsyncMessage, DataIn, DataOut, LoginRequest, LoginResponse, LogoutRequest, LogoutResponse,
    NopIn, NopOut, R2T, Reject, ScsiCommand, ScsiResponse, SnackRequest, TaskManagementRequest,
    TaskManagementResponse, TextRequest, TextResponse, decode_bhs,
)
from sgframe.iscsi.text import decode_binary, decode_text, encode_binary, encode_text


def roundtrip(pdu, *hex_words):
    """The PDU's BHS is these bytes, and these bytes decode to the PDU."""
    raw = bytes.fromhex("".join(hex_words).replace(" ", ""))
    assert len(raw) == 48
    assert pdu.encode_bhs() == raw
    assert decode_bhs(raw, pdu.ahs, pdu.data) == pdu


# RFC 3720 B.4: "An iSCSI - SCSI Read (10) Command PDU" and its CRC32C.
RFC3720_READ10 = ("01c00000 00000000 00000000 00000000 14000000 00000400 00000014 00000018"
                  "28000000 00000000 02000000 00000000")


def test_scsi_command_matches_the_rfc3720_example():
    pdu = ScsiCommand(final=True, read=True, attr=0, initiator_task_tag=0x14000000,
                      expected_data_transfer_length=0x400, cmd_sn=0x14, exp_stat_sn=0x18,
                      cdb=bytes.fromhex("28000000000000000200"))
    roundtrip(pdu, RFC3720_READ10)
    assert digest.digest_bytes(pdu.encode_bhs()) == bytes.fromhex("563a96d9")


@pytest.mark.parametrize("implementation", [digest.crc32c, digest.crc32c_pure])
@pytest.mark.parametrize("data, wire", [
    (bytes(32), "aa36918a"),                      # 32 bytes of zeroes
    (b"\xff" * 32, "43aba862"),                   # 32 bytes of ones
    (bytes(range(32)), "4e79dd46"),               # incrementing 00..1f
    (bytes(range(31, -1, -1)), "5cdb3f11"),       # decrementing 1f..00
])
def test_crc32c_rfc3720_vectors(implementation, data, wire):
    assert implementation(data).to_bytes(4, "little") == bytes.fromhex(wire)


def test_crc32c_check_value_and_continuation():
    assert digest.crc32c_pure(b"123456789") == 0xE3069283  # the CRC catalogue's check value
    assert digest.crc32c_pure(b"6789", digest.crc32c_pure(b"12345")) == 0xE3069283


def test_nop_out():
    roundtrip(NopOut(immediate=True, lun=0x0001000000000000, initiator_task_tag=1, cmd_sn=5,
                     exp_stat_sn=7, data=b"ping"),
              "40800000 00000004 00010000 00000000 00000001 ffffffff 00000005 00000007",
              "00000000 00000000 00000000 00000000")


def test_scsi_command_write_with_immediate_data():
    roundtrip(ScsiCommand(immediate=False, final=False, write=True, attr=1, lun=1 << 48,
                          initiator_task_tag=0x10, expected_data_transfer_length=0x20000,
                          cmd_sn=0x100, exp_stat_sn=0x200, cdb=bytes.fromhex("2a00000000000000ff00"),
                          data=bytes(512)),
              "01210000 00000200 00010000 00000000 00000010 00020000 00000100 00000200",
              "2a000000 00000000 ff000000 00000000")


def test_task_management_request():
    roundtrip(TaskManagementRequest(function=5, lun=2 << 48, initiator_task_tag=9, cmd_sn=3,
                                    exp_stat_sn=4, ref_cmd_sn=3),
              "42850000 00000000 00020000 00000000 00000009 ffffffff 00000003 00000004",
              "00000003 00000000 00000000 00000000")


def test_login_request():
    roundtrip(LoginRequest(transit=True, csg=0, nsg=1, isid=0x80123456789A, tsih=0,
                           initiator_task_tag=0, cid=0, cmd_sn=1, exp_stat_sn=0,
                           data=b"InitiatorName=iqn.x\0"),
              "43810000 00000014 80123456 789a0000 00000000 00000000 00000001 00000000",
              "00000000 00000000 00000000 00000000")


def test_text_request_and_response():
    roundtrip(TextRequest(initiator_task_tag=2, cmd_sn=7, exp_stat_sn=3, data=b"SendTargets=All\0"),
              "04800000 00000010 00000000 00000000 00000002 ffffffff 00000007 00000003",
              "00000000 00000000 00000000 00000000")
    roundtrip(TextResponse(final=False, cont=True, initiator_task_tag=2, target_transfer_tag=0x55,
                           stat_sn=3, exp_cmd_sn=8, max_cmd_sn=0x27),
              "24400000 00000000 00000000 00000000 00000002 00000055 00000003 00000008",
              "00000027 00000000 00000000 00000000")


def test_data_out():
    roundtrip(DataOut(final=True, lun=1 << 48, initiator_task_tag=0x21, target_transfer_tag=0x77,
                      exp_stat_sn=9, data_sn=3, buffer_offset=0x6000, data=bytes(8192)),
              "05800000 00002000 00010000 00000000 00000021 00000077 00000000 00000009",
              "00000000 00000003 00006000 00000000")


def test_logout_request_and_snack():
    roundtrip(LogoutRequest(reason_code=0, initiator_task_tag=0x30, cid=0, cmd_sn=0x40, exp_stat_sn=0x41),
              "46800000 00000000 00000000 00000000 00000030 00000000 00000040 00000041",
              "00000000 00000000 00000000 00000000")
    roundtrip(SnackRequest(type=1, initiator_task_tag=0xffffffff, exp_stat_sn=5, beg_run=2, run_length=0),
              "10810000 00000000 00000000 00000000 ffffffff ffffffff 00000000 00000005",
              "00000000 00000000 00000002 00000000")


def test_nop_in_target_ping():
    roundtrip(NopIn(initiator_task_tag=0xffffffff, target_transfer_tag=0x1234, stat_sn=10,
                    exp_cmd_sn=11, max_cmd_sn=42),
              "20800000 00000000 00000000 00000000 ffffffff 00001234 0000000a 0000000b",
              "0000002a 00000000 00000000 00000000")


def test_scsi_response_with_underflow():
    roundtrip(ScsiResponse(underflow=True, response=0, status=2, initiator_task_tag=5, stat_sn=1,
                           exp_cmd_sn=6, max_cmd_sn=37, exp_data_sn=1, residual_count=0x1000),
              "21820002 00000000 00000000 00000000 00000005 00000000 00000001 00000006",
              "00000025 00000001 00000000 00001000")
    roundtrip(ScsiResponse(overflow=True, bidi_overflow=True, bidi_underflow=True, response=1,
                           initiator_task_tag=5),
              "219c0100 00000000 00000000 00000000 00000005 00000000 00000000 00000000",
              "00000000 00000000 00000000 00000000")


def test_task_management_response():
    roundtrip(TaskManagementResponse(response=5, initiator_task_tag=3, stat_sn=2, exp_cmd_sn=3, max_cmd_sn=4),
              "22800500 00000000 00000000 00000000 00000003 00000000 00000002 00000003",
              "00000004 00000000 00000000 00000000")


def test_login_response():
    pdu = LoginResponse(transit=True, csg=1, nsg=3, version_max=0, version_active=0,
                        isid=0x80123456789A, tsih=0x0102, initiator_task_tag=0, stat_sn=0x33,
                        exp_cmd_sn=1, max_cmd_sn=1, status_class=2, status_detail=1)
    roundtrip(pdu, "23870000 00000000 80123456 789a0102 00000000 00000000 00000033 00000001",
              "00000001 02010000 00000000 00000000")


def test_data_in_phase_collapsed():
    roundtrip(DataIn(final=True, underflow=True, status_present=True, status=0, lun=1 << 48,
                     initiator_task_tag=8, stat_sn=4, exp_cmd_sn=9, max_cmd_sn=40, data_sn=2,
                     buffer_offset=0x2000, residual_count=0x100),
              "25830000 00000000 00010000 00000000 00000008 ffffffff 00000004 00000009",
              "00000028 00000002 00002000 00000100")


def test_r2t_async_reject_logout_response():
    roundtrip(R2T(lun=1 << 48, initiator_task_tag=8, target_transfer_tag=0x99, stat_sn=4,
                  exp_cmd_sn=9, max_cmd_sn=40, r2t_sn=1, buffer_offset=0x40000,
                  desired_data_transfer_length=0x40000),
              "31800000 00000000 00010000 00000000 00000008 00000099 00000004 00000009",
              "00000028 00000001 00040000 00040000")
    roundtrip(AsyncMessage(lun=1 << 48, stat_sn=4, exp_cmd_sn=9, max_cmd_sn=40, async_event=1,
                           parameter3=5),
              "32800000 00000000 00010000 00000000 ffffffff 00000000 00000004 00000009",
              "00000028 01000000 00000005 00000000")
    roundtrip(Reject(reason=4, stat_sn=4, exp_cmd_sn=9, max_cmd_sn=40, data_sn=0),
              "3f800400 00000000 00000000 00000000 ffffffff 00000000 00000004 00000009",
              "00000028 00000000 00000000 00000000")
    roundtrip(LogoutResponse(response=0, initiator_task_tag=0x30, stat_sn=4, exp_cmd_sn=9,
                             max_cmd_sn=40, time2wait=2, time2retain=20),
              "26800000 00000000 00000000 00000000 00000030 00000000 00000004 00000009",
              "00000028 00000000 00020014 00000000")


def test_to_dict_is_json_stable():
    out = NopOut(initiator_task_tag=1, data=b"\x01").to_dict()
    assert out["pdu"] == "NOP-Out" and out["opcode"] == 0 and out["immediate"] is True
    assert out["data"] == "01" and out["target_transfer_tag"] == 0xFFFFFFFF


def test_bad_pdu_values():
    with pytest.raises(LocalProtocolError, match="17 bytes do not fit a 16-byte field"):
        ScsiCommand(cdb=bytes(17))
    with pytest.raises(LocalProtocolError, match="multiple of 4"):
        NopOut(ahs=b"\x00\x01").encode_bhs()
    with pytest.raises(RemoteProtocolError, match="unknown iSCSI opcode 3Eh"):
        decode_bhs(b"\x3e" + bytes(47))
    with pytest.raises(RemoteProtocolError, match="48 bytes"):
        decode_bhs(bytes(47))


# --- framing ---------------------------------------------------------------------------


def test_encode_pads_the_data_segment_and_appends_digests():
    pdu = NopOut(initiator_task_tag=1, data=b"abcde")
    raw = encode_pdu(pdu, header_digest=True, data_digest=True)
    bhs = pdu.encode_bhs()
    assert raw[:48] == bhs
    assert raw[48:52] == digest.digest_bytes(bhs)
    assert raw[52:60] == b"abcde\0\0\0"
    assert raw[60:] == digest.crc32c_pure(b"abcde\0\0\0").to_bytes(4, "little")
    assert len(encode_pdu(NopOut(), True, True)) == 52  # no data: no data digest


def test_reader_reassembles_byte_by_byte_with_digests():
    pdus = [DataIn(initiator_task_tag=1, data_sn=0, data=b"x" * 13), NopIn(stat_sn=3),
            ScsiResponse(initiator_task_tag=1, data=b"\0\x02ab")]
    stream = b"".join(encode_pdu(p, True, True) for p in pdus)
    reader = PduReader()
    reader.header_digest = reader.data_digest = True
    got = []
    for i in range(len(stream)):
        got += reader.feed(stream[i:i + 1])
    assert got == pdus
    assert reader.buffered == 0


@pytest.mark.parametrize("chunk", [1, 7, 48, 100, 4096])
def test_reader_receive_buffer_in_chunks_equals_feed(chunk):
    # What a socket's recv_into writes, in chunks of any size, gives the PDUs feed() gives;
    # the buffer is reused (moved to the front, grown only when a PDU needs it).
    pdus = [DataIn(initiator_task_tag=i, data_sn=0, data=bytes([i]) * (i * 37 % 300)) for i in range(1, 40)]
    stream = b"".join(encode_pdu(p, True, True) for p in pdus)
    reader = PduReader()
    reader.header_digest = reader.data_digest = True
    got, offset = [], 0
    while offset < len(stream):
        with reader.receive_buffer(chunk) as view:
            count = min(chunk, len(stream) - offset)
            view[:count] = stream[offset:offset + count]
        reader.received(count)
        offset += count
        got += reader.pdus()
    assert got == pdus and reader.buffered == 0
    assert len(reader._buffer) <= 2 * (max(len(encode_pdu(p, True, True)) for p in pdus) + chunk)
    with pytest.raises(ValueError, match="the receive buffer has"):
        reader.received(len(reader._buffer) + 1)


def test_reader_refuses_bad_digests_and_oversized_segments():
    raw = bytearray(encode_pdu(NopIn(data=b"1234"), True, True))
    reader = PduReader()
    reader.header_digest = reader.data_digest = True
    bad_header = bytearray(raw)
    bad_header[50] ^= 1
    with pytest.raises(RemoteProtocolError, match="header digest error"):
        reader.feed(bytes(bad_header))
    reader = PduReader()
    reader.header_digest = reader.data_digest = True
    raw[-1] ^= 0x80
    with pytest.raises(RemoteProtocolError, match="data digest error"):
        reader.feed(bytes(raw))
    with pytest.raises(RemoteProtocolError, match="9000-byte data segment.*MaxRecvDataSegmentLength=8192"):
        PduReader(8192).feed(DataIn(data=bytes(9000)).encode_bhs())


def test_text_segments():
    raw = encode_text([("SendTargets", "All"), ("TargetName", "iqn.a")])
    assert raw == b"SendTargets=All\0TargetName=iqn.a\0"
    assert decode_text(raw + b"\0\0") == [("SendTargets", "All"), ("TargetName", "iqn.a")]
    assert decode_text(b"a=\0") == [("a", "")]
    with pytest.raises(RemoteProtocolError, match="malformed"):
        decode_text(b"novalue\0")
    with pytest.raises(ValueError, match="bad text key"):
        encode_text([("a=b", "c")])
    assert encode_binary(b"\x01\xab") == "0x01ab"
    assert decode_binary("0x1ab") == b"\x01\xab"
    assert decode_binary("0bAas=") == b"\x01\xab"
    with pytest.raises(RemoteProtocolError, match="not a binary value"):
        decode_binary("12")


def test_without_the_crc32c_package_the_pure_version_is_used(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_crc32c(name, *args, **kwargs):
        if name == "crc32c":
            raise ImportError("crc32c is not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_crc32c)
    function, name = digest._pick()
    assert (function, name) == (digest.crc32c_pure, "pure-python")
    monkeypatch.setattr(builtins, "__import__", real_import)
    monkeypatch.setenv("SGFRAME_PURE_CRC32C", "1")
    assert digest._pick()[1] == "pure-python"


def test_the_package_keeps_its_layers():
    """sgframe.iscsi imports only sgframe's lowest modules (errors, cdb, status and host_status, the
    decoders' records), the judge (so a completion raises what it raises over sg) and
    itself; below blocking, nothing touches a socket or a clock."""
    import ast
    import pathlib

    import sgframe.iscsi
    root = pathlib.Path(sgframe.iscsi.__file__).parent
    allowed_up = {"errors", "cdb", "status", "host_status", "judge"}
    io_modules = {"socket", "select", "selectors", "asyncio", "time", "threading"}
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                assert (node.module or "").split(".")[0] in allowed_up, (path.name, node.module)
            if path.name != "blocking.py":
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
                assert not io_modules.intersection(n.split(".")[0] for n in names if n), (path.name, names)


from hypothesis import given, settings, strategies as st  # noqa: E402

from sgframe.iscsi import pdu as pdu_module  # noqa: E402

PDU_CLASSES = sorted(pdu_module._BY_OPCODE.values(), key=lambda c: c.OPCODE)


def pdus():
    def fields(cls):
        values = {}
        for name, _, mask, kind in cls._LAYOUT:
            if kind == 1:
                values[name] = st.booleans()
            elif kind == 2:
                values[name] = st.binary(min_size=mask.bit_length() // 8, max_size=mask.bit_length() // 8)
            else:
                values[name] = st.integers(0, mask)
        values["data"] = st.binary(max_size=40)
        values["ahs"] = st.sampled_from([b"", b"\x00\x05\x01\x00", bytes(8)])
        return st.fixed_dictionaries(values).map(lambda kw: cls(**kw))
    return st.one_of([fields(cls) for cls in PDU_CLASSES])


@settings(max_examples=400, deadline=None)
@given(pdus())
def test_compiled_codec_equals_the_reference(pdu):
    raw = pdu.encode_bhs()
    assert raw == pdu.encode_bhs_reference()
    assert pdu_module.decode_bhs(raw, pdu.ahs, pdu.data) == pdu
    assert pdu_module.decode_bhs_reference(raw, pdu.ahs, pdu.data) == pdu


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=48, max_size=48).filter(lambda b: (b[0] & 0x3F) in pdu_module._BY_OPCODE))
def test_any_bhs_decodes_the_same_both_ways(raw):
    assert pdu_module.decode_bhs(raw) == pdu_module.decode_bhs_reference(raw)
