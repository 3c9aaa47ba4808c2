"""Parameter data builders: exact bytes from the SBC-4/SPC-5 layouts and refused input."""
from __future__ import annotations

import pytest

from sgframe import command as c
from sgframe.errors import UsageError
from sgframe.params import (
    MAX_UNMAP_DESCRIPTORS, mode_select_parameters, pr_out_parameters, pr_out_register_and_move,
    unmap_parameters,
)

# A 24-byte TransportID: SAS (protocol 6), SAS address 5000c50012345678.
SAS_TID = bytes.fromhex("06 000000 5000c50012345678") + bytes(12)


def test_unmap_two_descriptors():
    assert unmap_parameters([(0x1000, 8), (0x0102030405060708, 0xFFFFFFFF)]) == bytes.fromhex(
        "0026 0020 00000000"
        "0000000000001000 00000008 00000000"
        "0102030405060708 ffffffff 00000000"
    )


def test_unmap_empty_list_is_the_header():
    assert unmap_parameters([]) == bytes.fromhex("0006 0000 00000000")


def test_unmap_takes_any_iterable_and_fits_the_cdb():
    data = unmap_parameters((lba, 1) for lba in range(3))
    assert len(data) == 8 + 3 * 16
    assert c.Unmap(parameter_list_length=len(data)).data_length() == 56


def test_unmap_largest_list_fits_16_bits():
    data = unmap_parameters([(i, 1) for i in range(MAX_UNMAP_DESCRIPTORS)])
    assert MAX_UNMAP_DESCRIPTORS == 4095
    assert len(data) == 65528
    assert data[:4] == (65526).to_bytes(2, "big") + (65520).to_bytes(2, "big")


def test_unmap_too_many_descriptors():
    with pytest.raises(UsageError, match="at most 4095 block descriptors"):
        unmap_parameters([(i, 1) for i in range(MAX_UNMAP_DESCRIPTORS + 1)])


@pytest.mark.parametrize(
    "descriptor, message",
    [
        ((1 << 64, 1), r"UNMAP descriptor 0 lba=18446744073709551616 is out of range 0..0xffffffffffffffff"),
        ((-1, 1), r"UNMAP descriptor 0 lba=-1 is out of range"),
        ((0, 1 << 32), r"UNMAP descriptor 0 number_of_logical_blocks=4294967296 is out of range 0..0xffffffff"),
        ((0, 1.5), r"UNMAP descriptor 0 number_of_logical_blocks must be an int"),
        ((True, 1), r"UNMAP descriptor 0 lba must be an int"),
        ((1, 2, 3), r"UNMAP descriptor 0 must be an \(lba, number_of_logical_blocks\) pair"),
        (5, r"UNMAP descriptor 0 must be an \(lba, number_of_logical_blocks\) pair"),
    ],
)
def test_unmap_bad_descriptor(descriptor, message):
    with pytest.raises(UsageError, match=message):
        unmap_parameters([descriptor])


def test_pr_out_register():
    assert pr_out_parameters(0, 0x1122334455667788, aptpl=True) == bytes.fromhex(
        "0000000000000000 1122334455667788 00000000 01 00 0000"
    )


def test_pr_out_reserve_all_target_ports():
    assert pr_out_parameters(0xABCD, all_tg_pt=True) == bytes.fromhex(
        "000000000000abcd 0000000000000000 00000000 04 00 0000"
    )


def test_pr_out_spec_i_pt_with_transport_ids():
    data = pr_out_parameters(0, 0x99, spec_i_pt=True, transport_ids=[SAS_TID, SAS_TID])
    assert data == bytes.fromhex("0000000000000000 0000000000000099 00000000 08 00 0000 00000030") + SAS_TID * 2
    assert c.PersistentReserveOut(service_action=0, parameter_list_length=len(data)).data_length() == 76


def test_pr_out_spec_i_pt_without_ids_has_zero_length():
    assert pr_out_parameters(spec_i_pt=True)[20:] == bytes.fromhex("08 00 0000 00000000")


def test_pr_out_transport_ids_need_spec_i_pt():
    with pytest.raises(UsageError, match="only sent with spec_i_pt=True"):
        pr_out_parameters(transport_ids=[SAS_TID])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reservation_key": 1 << 64}, r"reservation_key=18446744073709551616 is out of range 0..0xffffffffffffffff"),
        ({"service_action_reservation_key": -1}, r"service_action_reservation_key=-1 is out of range"),
        ({"aptpl": 1}, r"aptpl must be True or False, got 1"),
        ({"spec_i_pt": True, "transport_ids": [bytes(20)]}, r"transport_ids\[0\] must be at least 24 bytes and a multiple of 4, got 20"),
        ({"spec_i_pt": True, "transport_ids": [bytes(26)]}, r"got 26 bytes"),
        ({"spec_i_pt": True, "transport_ids": ["06"]}, r"transport_ids\[0\] must be bytes"),
        ({"spec_i_pt": True, "transport_ids": SAS_TID}, r"a sequence of TransportIDs, not one bytes object"),
    ],
)
def test_pr_out_bad_input(kwargs, message):
    with pytest.raises(UsageError, match=message):
        pr_out_parameters(**kwargs)


def test_pr_out_register_and_move():
    data = pr_out_register_and_move(0x10, 0x20, SAS_TID, relative_target_port_identifier=2, unreg=True, aptpl=True)
    assert data == bytes.fromhex(
        "0000000000000010 0000000000000020 00 03 0002 00000018"
    ) + SAS_TID


def test_pr_out_register_and_move_bad_input():
    with pytest.raises(UsageError, match=r"relative_target_port_identifier=65536 is out of range 0..0xffff"):
        pr_out_register_and_move(1, 2, SAS_TID, relative_target_port_identifier=0x10000)
    with pytest.raises(UsageError, match=r"transport_id must be at least 24 bytes"):
        pr_out_register_and_move(1, 2, b"", relative_target_port_identifier=1)
    with pytest.raises(UsageError, match=r"unreg must be True or False"):
        pr_out_register_and_move(1, 2, SAS_TID, relative_target_port_identifier=1, unreg="yes")


def test_mode_select6_with_a_block_descriptor():
    from sgframe.decode.mode import ShortLbaBlockDescriptor

    data = mode_select_parameters(
        block_descriptors=[ShortLbaBlockDescriptor(number_of_logical_blocks=0, density_code=0, logical_block_length=4096)],
        ten=False,
    )
    # 4-byte header (MODE DATA LENGTH reserved as 0, BLOCK DESCRIPTOR LENGTH 8), then the descriptor.
    assert data == bytes.fromhex("00 00 00 08 00000000 00 001000")
    assert c.ModeSelect6(pf=True, parameter_list_length=len(data)).data_length() == 12


def test_mode_select10_header_only():
    assert mode_select_parameters(ten=True) == bytes.fromhex("0000 00 00 00 00 0000")


def test_mode_select_needs_ten():
    with pytest.raises(UsageError, match="ten is required"):
        mode_select_parameters()
