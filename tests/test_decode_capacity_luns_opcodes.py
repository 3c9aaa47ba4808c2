"""READ CAPACITY, REPORT LUNS and REPORT SUPPORTED OPERATION CODES: vectors from SBC-4/SAM-5/SPC-5."""
from __future__ import annotations

import pytest

from sgframe.decode import (
    AllCommandsData,
    OneCommandData,
    decode_lun,
    decode_read_capacity10,
    decode_read_capacity16,
    decode_report_luns,
    decode_supported_opcodes,
    scsilun_to_int,
)


def test_read_capacity10_overflow_marker():
    d = decode_read_capacity10(bytes.fromhex("ffffffff00000200"))
    assert (d.returned_lba, d.block_length, d.needs_read_capacity16) == (0xFFFFFFFF, 512, True)


def test_read_capacity16_every_field():
    raw = bytes.fromhex("000000074706ffff 00001000 1d 83 bfff") + bytes(16)
    d = decode_read_capacity16(raw)
    assert (d.returned_lba, d.block_length) == (0x74706FFFF, 4096)
    assert (d.rc_basis, d.p_type, d.prot_en, d.protection_type) == (1, 6, True, 7)
    assert (d.p_i_exponent, d.logical_blocks_per_physical_block_exponent) == (8, 3)
    assert (d.lbpme, d.lbprz, d.lowest_aligned_lba) == (True, False, 0x3FFF)
    assert d.size_bytes == (0x74706FFFF + 1) * 4096
    assert d.problems == ()


def test_read_capacity_short_data():
    old = decode_read_capacity16(bytes.fromhex("0000000000001000 00000200"))
    assert (old.blocks, old.prot_en, old.problems) == (0x1001, None, ())
    bad = decode_read_capacity10(b"\x00\x00")
    assert (bad.returned_lba, bad.blocks, bad.size_bytes) == (None, None, None)
    assert bad.problems == ("READ CAPACITY (10): truncated, byte 3 needed but only 2 bytes present",)


@pytest.mark.parametrize("raw_hex, linux, method, fields", [
    ("0005000000000000", 5, "peripheral device addressing", dict(bus_identifier=0, lun=5)),
    ("4123000000000000", 0x4123, "flat space addressing", dict(lun=0x123)),
    ("8a45000000000000", 0x8A45, "logical unit addressing", dict(target=0x0A, bus_number=2, lun=5)),
    ("c101000000000000", 0xC101, "extended logical unit addressing",
     dict(extended_address_method_name="well known logical unit", well_known_lun_name="REPORT LUNS", lun=1)),
    ("d2abcdef00000000", 0xCDEF_D2AB, "extended logical unit addressing",
     dict(extended_address_method_name="extended flat space", lun=0xABCDEF, length=1)),
    ("e20102030405" "0000", 0x0405_0203_E201, "extended logical unit addressing",
     dict(extended_address_method_name="long extended flat space", lun=0x0102030405)),
    ("ffffffffffffffff", 0xFFFFFFFFFFFFFFFF, "extended logical unit addressing",
     dict(extended_address_method_name="logical unit not specified")),
])
def test_lun_address_methods(raw_hex, linux, method, fields):
    lun = decode_lun(bytes.fromhex(raw_hex))
    assert lun.linux_lun == linux
    assert len(lun.levels) == 1
    level = lun.levels[0]
    assert level.address_method_name == method
    for key, value in fields.items():
        assert getattr(level, key) == value, key
    assert lun.problems == ()


def test_multi_level_lun_and_linux_integer():
    lun = decode_lun(bytes.fromhex("0102 0003 0000 0000"))
    assert [(l.bus_identifier, l.target, l.lun) for l in lun.levels] == [(1, 2, None), (0, None, 3)]
    # scsilun_to_int: each two-byte level lands 16 bits higher, bytes kept in order.
    assert lun.linux_lun == 0x0003_0102
    assert scsilun_to_int(bytes.fromhex("0001020304050607")) == 0x0607_0405_0203_0001


def test_reserved_extended_method_is_a_problem():
    lun = decode_lun(bytes.fromhex("c300000000000000"))
    assert lun.levels[0].extended_address_method_name == "reserved"
    assert lun.problems == ("extended address method 0x3 with length code 0 is reserved",)


def test_report_luns_truncated_list():
    raw = bytes.fromhex("00000018 00000000" "0000000000000000" "0001000000000000")
    d = decode_report_luns(raw)
    assert [l.linux_lun for l in d.luns] == [0, 1]
    assert d.problems == ("REPORT LUNS: LUN list length is 24 bytes, 16 received",)
    assert decode_report_luns(b"\x00\x00").problems == (
        "REPORT LUNS: truncated, byte 3 needed but only 2 bytes present",)


def test_all_commands_with_flags_and_timeouts():
    raw = bytes.fromhex(
        "0000001c"
        "28 00 0000 00 74 000a"                      # RWCDLP, MLU 3, CDLP 1, no CTDP
        "9e 00 0010 00 03 0010 000a 00 07 0000003c 00000078"  # SERVACTV, CTDP
    )
    d = decode_supported_opcodes(raw, 0)
    assert isinstance(d, AllCommandsData)
    read10, rc16 = d.command_descriptors
    assert (read10.operation_code, read10.service_action, read10.rwcdlp, read10.mlu, read10.cdlp) == (
        0x28, None, True, 3, 1)
    assert (read10.ctdp, read10.cdb_length, read10.command_timeouts_descriptor) == (False, 10, None)
    assert (rc16.service_action, rc16.servactv, rc16.ctdp, rc16.cdb_length) == (0x10, True, True, 16)
    t = rc16.command_timeouts_descriptor
    assert (t.descriptor_length, t.command_specific, t.nominal_command_processing_timeout,
            t.recommended_command_timeout) == (10, 7, 60, 120)
    assert d.find(0x9E, 0x10) is rc16 and d.find(0x9E) is None
    assert d.problems == ()


def test_all_commands_truncated_descriptor():
    d = decode_supported_opcodes(bytes.fromhex("00000014" "9e 00 0010 00 03 0010 000a"), 0)
    assert d.command_descriptors == ()
    assert d.problems == (
        "REPORT SUPPORTED OPERATION CODES (all commands): command data length 20, 10 bytes received",
        "REPORT SUPPORTED OPERATION CODES (all commands): command descriptor at byte 4 lacks its timeouts descriptor",
    )


def test_one_command_bits():
    d = decode_supported_opcodes(bytes.fromhex("01 d5 0006 12 e3 ff ff ff 07"), 1)
    assert isinstance(d, OneCommandData)
    assert (d.rwcdlp, d.ctdp, d.mlu, d.cdlp, d.support, d.support_name) == (
        True, True, 2, 2, 5, "supported in a vendor specific manner")
    assert d.cdb_usage_data == bytes.fromhex("12e3ffffff07")
    # CTDP set but the timeouts descriptor is missing
    assert d.problems == (
        "REPORT SUPPORTED OPERATION CODES (one command): truncated, byte 11 needed but only 10 bytes present",)
    not_supported = decode_supported_opcodes(bytes.fromhex("0001 0000"), 3)
    assert (not_supported.support_name, not_supported.cdb_usage_data, not_supported.problems) == (
        "not supported", b"", ())
    odd = decode_supported_opcodes(bytes.fromhex("0001 0000"), 6)
    assert odd.problems == ("reporting options 6 is reserved; decoded as the one-command format",)
