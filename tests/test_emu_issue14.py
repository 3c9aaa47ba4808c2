"""The emulated disk's answers to the issue-14 commands, byte for byte: sense with ILI,
reserved bits, defect list headers, SECURITY PROTOCOL IN and the copy manager's checks."""
from __future__ import annotations

import pytest

from sgframe import params
from sgframe.emu import EmulatedDisk, Reply
from sgframe.emu import vpd

from test_emu_core import fixed
from test_emu_spc import invalid_cdb, invalid_param, ok

H = bytes.fromhex


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, serial="EMU-TEST-14")


def test_read_long_wrong_length_fixed_sense_has_ili_and_the_difference(disk: EmulatedDisk) -> None:
    reply = disk.respond(H("3e 00 00000001 00 0200 00"), None, 1024)
    expected = bytearray(fixed(0x5, 0x24, 0x00, sks=H("c0 00 07"), info=0xFFFFFFF8))
    expected[2] |= 0x20  # ILI
    assert (reply.status, reply.sense) == (0x02, bytes(expected))


def test_read_long_wrong_length_descriptor_sense() -> None:
    disk = EmulatedDisk(blocks=1024, dsense=True)
    reply = disk.respond(H("9e 11 0000000000000001 0000 0210 00 00"), None, 1024)
    # Information (00h), sense key specific (02h) and block commands (05h, ILI) descriptors.
    assert reply.sense == H("72 05 24 00 00 00 00 18"
                            "00 0a 80 00 0000000000000008"
                            "02 06 00 00 c0 00 0c 00"
                            "05 02 00 20")


def test_reserved_bits_of_the_new_cdbs_are_refused(disk: EmulatedDisk) -> None:
    assert disk.respond(H("8b 04 0000000000000000 00000001 00 00"), bytes(512)).sense == invalid_cdb(1, 2)
    assert disk.respond(H("37 00 20 00 00 00 00 00 04 00"), None, 4).sense == invalid_cdb(2, 5)
    assert disk.respond(H("a2 00 0000 40 00 00000200 00 00"), None, 512).sense == invalid_cdb(4, 6)
    assert disk.respond(H("7f 00 0000000000 18 0012 04 00" + "00" * 20), None, 64).sense == invalid_cdb(10, 2)


def test_read_defect_data_headers(disk: EmulatedDisk) -> None:
    assert ok(disk.respond(H("37 00 18 00 00 00 00 00 04 00"), None, 4)) == H("00 18 0000")
    assert ok(disk.respond(H("b7 0c 00000000 00000008 00 00"), None, 8)) == H("00 0b 0000 00000000")
    ok(disk.respond(H("07 00 00 00 00 00"), params.reassign_blocks_parameters([9])))
    assert ok(disk.respond(H("37 00 08 00 00 00 00 00 10 00"), None, 16)) == H("00 08 0004 00000009")
    # The allocation length cuts the list, never the header's length.
    assert ok(disk.respond(H("37 00 0b 00 00 00 00 00 0a 00"), None, 64)) == H("00 0b 0008 000000000000")


def test_reassign_blocks_list_length_not_a_multiple_of_the_lba(disk: EmulatedDisk) -> None:
    assert disk.respond(H("07 00 00 00 00 00"), H("0000 0006 000000010000")).sense == invalid_param(2)
    assert disk.respond(H("07 00 00 00 00 00"), H("0000 0008 00000001")).sense == fixed(0xB, 0x4B, 0x00)


def test_security_protocol_in_answers(disk: EmulatedDisk) -> None:
    # Protocols 00h and 02h (TCG ComID management).
    assert ok(disk.respond(H("a2 00 0000 00 00 00000100 00 00"), None, 256)) == H("000000000000 0002 00 02")
    assert ok(disk.respond(H("a2 00 0002 00 00 00000100 00 00"), None, 256)) == H("00000000")
    assert disk.respond(H("a2 00 0003 00 00 00000100 00 00"), None, 256).sense == invalid_cdb(2)
    assert disk.respond(H("a2 ee 0000 00 00 00000100 00 00"), None, 256).sense == invalid_cdb(1)


def test_get_stream_status_from_a_starting_identifier(disk: EmulatedDisk) -> None:
    for _ in range(3):
        ok(disk.respond(H("9e 34 0000 0000 00000000 00000008 00 00"), None, 8))
    assert ok(disk.respond(H("9e 16 0000 0002 00000000 00000100 00 00"), None, 256)) == H(
        "00000010 0000 0003 0000 0002 00000000 0000 0003 00000000")


def _cscd(disk: EmulatedDisk) -> bytes:
    naa = vpd.naa_identifier(disk)
    return params.identification_cscd_descriptor(bytes((1, 3, 0, 16)) + naa, block_length=512)


def _xcopy(disk: EmulatedDisk, data: bytes) -> Reply:
    cdb = H("83 00 0000000000000000") + len(data).to_bytes(4, "big") + H("00 00")
    return disk.respond(cdb, data)


def test_extended_copy_parameter_checks(disk: EmulatedDisk) -> None:
    segment = params.block_to_block_segment_descriptor(0, 0, 1, 0, 1)
    good = params.extended_copy_lid1_parameters([_cscd(disk)], [segment])
    assert _xcopy(disk, good) == Reply(0)
    wrong_type = bytearray(good)
    wrong_type[48] = 0x0A  # a segment type the copy manager does not implement
    assert _xcopy(disk, bytes(wrong_type)).sense == fixed(0x5, 0x26, 0x09, sks=H("80 00 30"))
    wrong_cscd = bytearray(good)
    wrong_cscd[16] = 0xE5
    assert _xcopy(disk, bytes(wrong_cscd)).sense == fixed(0x5, 0x26, 0x07, sks=H("80 00 10"))
    too_many = params.extended_copy_lid1_parameters([_cscd(disk)] * 3, [segment])
    assert _xcopy(disk, too_many).sense == fixed(0x5, 0x26, 0x06)
    bad_index = params.extended_copy_lid1_parameters([_cscd(disk)], [params.block_to_block_segment_descriptor(0, 1, 1, 0, 1)])
    assert _xcopy(disk, bad_index).sense == invalid_param(54)
    inline = params.extended_copy_lid1_parameters([_cscd(disk)], [segment], inline_data=b"x")
    assert _xcopy(disk, inline).sense == invalid_param(12)
    wrong_block = params.extended_copy_lid1_parameters(
        [params.identification_cscd_descriptor(bytes((1, 3, 0, 16)) + vpd.naa_identifier(disk), block_length=4096)],
        [segment])
    assert _xcopy(disk, wrong_block).sense == invalid_param(45)
    assert _xcopy(disk, good[:20]).sense == fixed(0x5, 0x1A, 0x00)


def test_receive_copy_operating_parameters_bytes(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("84 03 0000000000000000 00000100 00 00"), None, 256))
    assert data == H("0000002a 01 000000 0002 0010 00000200 01fffe00 00000000 00000000 00000000"
                     " 0000 0001 01 09 00 00 000000 02 02 e4")
