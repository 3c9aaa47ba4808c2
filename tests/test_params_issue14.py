"""REASSIGN BLOCKS, SET TARGET PORT GROUPS and EXTENDED COPY parameter lists: bytes worked
out from the SBC-4 / SPC-5 tables, and the errors a malformed list gets."""
from __future__ import annotations

import pytest

from sgframe import command as c
from sgframe import params as p
from sgframe.errors import UsageError

H = bytes.fromhex

NAA = "01 13 00 10 6001405abcdef0123456789abcdef012"  # code set 1, LU association, NAA, 16 bytes


def test_reassign_blocks_short_list_of_short_lbas():
    assert p.reassign_blocks_parameters([0x1000, 0x2000]) == H("0000 0008 00001000 00002000")


def test_reassign_blocks_long_lbas_and_long_list():
    assert p.reassign_blocks_parameters([1 << 40], longlba=True) == H("0000 0008 0000010000000000")
    assert p.reassign_blocks_parameters([5], longlba=True, longlist=True) == H("00000008 0000000000000005")


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ([[1 << 32]], {}, r"lbas\[0\]=4294967296 is out of range 0..0xffffffff"),
        ([[]], {}, "at least one LBA"),
        ([b"\x00\x01"], {}, "sequence of LBAs"),
        ([range(16384)], {}, "do not fit a 16-bit DEFECT LIST LENGTH: give longlist=True"),
        ([[1]], {"longlba": 1}, "longlba must be True or False"),
    ],
)
def test_reassign_blocks_errors(args, kwargs, message):
    with pytest.raises(UsageError, match=message):
        p.reassign_blocks_parameters(*args, **kwargs)


def test_set_target_port_groups():
    assert p.set_target_port_groups_parameters([(1, 0x0), (2, 0xE)]) == H("00000000 00 00 0001 0e 00 0002")
    data = p.set_target_port_groups_parameters([(7, 2)])
    assert bytes(c.SetTargetPortGroups(parameter_list_length=len(data)))[6:10] == H("00000008")


@pytest.mark.parametrize(
    "groups, message",
    [
        ([(1, 0xF)], r"asymmetric_access_state 15 cannot be set; allowed: 0h \(active/optimized\)"),
        ([(1, 0x4)], "cannot be set"),
        ([(70000, 0)], r"groups\[0\] target_port_group=70000 is out of range"),
        ([(1,)], "pair"),
        ([], "at least one"),
    ],
)
def test_set_target_port_groups_errors(groups, message):
    with pytest.raises(UsageError, match=message):
        p.set_target_port_groups_parameters(groups)


def test_identification_cscd_descriptor():
    got = p.identification_cscd_descriptor(H("61 93 00 10 6001405abcdef0123456789abcdef012"), block_length=512)
    # PROTOCOL IDENTIFIER (6h, SAS) and PIV are cleared; DISK BLOCK LENGTH in bytes 29-31.
    assert got == H("e4 00 0000" + NAA + "00000000 00 000200")
    got = p.identification_cscd_descriptor(H(NAA), block_length=4096, lu_id_type=1, nul=True, pad=True,
                                           relative_initiator_port_identifier=2)
    assert got == H("e4 60 0002" + NAA + "00000000 04 001000")


@pytest.mark.parametrize(
    "designator, kwargs, message",
    [
        (H("01 03 00 08 0011223344556677"), {"block_length": 1 << 24}, "block_length=16777216 is out of range"),
        (H("01 03 00 09 0011223344556677"), {"block_length": 512}, "not a 4-byte header plus its DESIGNATOR LENGTH"),
        (H("01 08 00 14") + bytes(20), {"block_length": 512}, "does not fit the 20 bytes"),
        ("6001405", {"block_length": 512}, "must be the bytes of a designation descriptor"),
    ],
)
def test_identification_cscd_descriptor_errors(designator, kwargs, message):
    with pytest.raises(UsageError, match=message):
        p.identification_cscd_descriptor(designator, **kwargs)


SEGMENT = "02 01 0018 0000 0001 0000 0008 0000000000000100 0000000000000200"


def test_block_to_block_segment_descriptor():
    assert p.block_to_block_segment_descriptor(0, 1, 8, 0x100, 0x200, cat=True) == H(SEGMENT)
    assert p.block_to_block_segment_descriptor(0xFFFF, 0, 1, 0, 0, dc=True)[:8] == H("02 02 0018 ffff 0000")
    with pytest.raises(UsageError, match="source_cscd_descriptor_id=0x0800 is reserved"):
        p.block_to_block_segment_descriptor(0x800, 0, 1, 0, 0)
    with pytest.raises(UsageError, match="number_of_blocks=65536 is out of range"):
        p.block_to_block_segment_descriptor(0, 1, 0x10000, 0, 0)


def _cscds():
    return [p.identification_cscd_descriptor(H(NAA), block_length=512)] * 2


def test_extended_copy_lid1_parameters():
    data = p.extended_copy_lid1_parameters(_cscds(), [H(SEGMENT)], list_identifier=5, list_id_usage=2, priority=1)
    assert data[:16] == H("05 11 0040 00000000 0000001c 00000000")
    assert data[16:80] == b"".join(_cscds()) and data[80:] == H(SEGMENT)
    assert len(data) == 108 == c.ExtendedCopyLid1(parameter_list_length=len(data)).data_length()


def test_extended_copy_lid4_parameters():
    data = p.extended_copy_lid4_parameters(_cscds(), [H(SEGMENT)], list_identifier=5, list_id_usage=2, priority=1,
                                           str_bit=True, g_sense=True, immed=True, inline_data=b"ab")
    header = "01 31 0020" + "00" * 11 + "03" + "ff 000000 00000005" + "00" * 18 + "0040 001c 0002"
    assert data[:48] == H(header)
    assert data[48:112] == b"".join(_cscds()) and data[112:] == H(SEGMENT) + b"ab"


@pytest.mark.parametrize(
    "cscds, segments, kwargs, message",
    [
        ([bytes(31)], [H(SEGMENT)], {}, r"cscd_descriptors\[0\] must be a 32- or 64-byte CSCD descriptor"),
        ([bytes(32)], [H(SEGMENT)[:-1]], {}, r"segment_descriptors\[0\] must be a segment descriptor"),
        ([bytes(32)], [], {}, "at least one segment descriptor"),
        ([bytes(32)], [H(SEGMENT)], {"list_id_usage": 3, "list_identifier": 5}, "list_id_usage 11b"),
        ([bytes(32)], [H(SEGMENT)], {"priority": 8}, "priority=8 is out of range"),
    ],
)
def test_extended_copy_lid1_errors(cscds, segments, kwargs, message):
    with pytest.raises(UsageError, match=message):
        p.extended_copy_lid1_parameters(cscds, segments, **kwargs)


def test_extended_copy_lid4_list_identifier_range():
    with pytest.raises(UsageError, match="list_identifier=4294967296 is out of range"):
        p.extended_copy_lid4_parameters([bytes(32)], [H(SEGMENT)], list_identifier=1 << 32)
