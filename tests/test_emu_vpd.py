"""The VPD pages the emulated disk answers beyond the original seven: exact bytes, and the
decoder agreeing with them."""
from __future__ import annotations

import pytest

from sgframe.decode.vpd import decode_vpd
from sgframe.emu import EmulatedDisk
from sgframe.emu.vpd import port_identifier

H = bytes.fromhex


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, serial="EMU-TEST-1")


def page(disk: EmulatedDisk, code: int) -> bytes:
    reply = disk.respond(bytes((0x12, 0x01, code, 0x00, 0xFF, 0x00)), None, 255)
    assert (reply.status, reply.sense) == (0, b""), reply
    return reply.data


def test_every_listed_page_is_answered_and_decodes_cleanly(disk: EmulatedDisk) -> None:
    listed = decode_vpd(page(disk, 0x00)).supported_pages
    assert listed == (0x00, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x8A, 0x8B, 0x8C, 0x8D, 0x8F, 0x90, 0x91, 0x92,
                      0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB7, 0xB8, 0xB9)
    for code in listed:
        decoded = decode_vpd(page(disk, code))
        assert (decoded.page_code, decoded.problems) == (code, ()), hex(code)


def test_mode_page_policy(disk: EmulatedDisk) -> None:
    assert page(disk, 0x87) == H("00 87 0004 3f ff 80 00")


def test_scsi_ports(disk: EmulatedDisk) -> None:
    data = page(disk, 0x88)
    name = port_identifier(disk)
    assert data == H("00 88 0020 0000 0001 0000 0000 0000 0014 01 13 00 10") + name
    assert name[0] >> 4 == 6 and name != EmulatedDisk(blocks=8, serial="other").respond(
        H("12 01 88 00 ff 00"), None, 255).data[16:32]
    port = decode_vpd(data).scsi_port_designation_descriptors[0]
    assert (port.relative_port_identifier, port.initiator_port_transportid) == (1, None)
    assert port.target_port_descriptors[0].wwn == "0x" + name.hex()


def test_power_condition_and_consumption(disk: EmulatedDisk) -> None:
    assert page(disk, 0x8A) == H("00 8a 000e 01 01") + bytes(12)
    pc = decode_vpd(page(disk, 0x8A))
    assert (pc.standby_z, pc.standby_y, pc.idle_a, pc.idle_b, pc.idle_c) == (True, False, True, False, False)
    assert page(disk, 0x8D) == H("00 8d 0004 00 03 0006")
    assert decode_vpd(page(disk, 0x8D)).power_consumption_descriptors[0].watts == 6.0


def test_feature_sets_follow_provisioning_and_zoning() -> None:
    thin = EmulatedDisk(blocks=64)
    assert page(thin, 0x92) == H("00 92 000a 00000000 0001 0101 0103")
    thick = EmulatedDisk(blocks=64, lbpu=False)
    assert decode_vpd(page(thick, 0x92)).feature_set_names == ("Discovery 2016", "SBC Base 2016")
    zoned = EmulatedDisk(blocks=1 << 16, zoned=True, zone_size=1 << 12)
    assert page(zoned, 0x92) == H("14 92 000a 00000000 0001 0101 0301")


def test_supported_block_lengths_follow_the_block_size() -> None:
    assert page(EmulatedDisk(blocks=64), 0xB4) == H("00 b4 0008 00000200 00 01 0000")
    four_k = decode_vpd(page(EmulatedDisk(blocks=64, block_size=4096), 0xB4))
    (only,) = four_k.logical_block_length_descriptors
    assert (only.logical_block_length, only.t0ps, only.t1ps, only.p_i_i_sup) == (4096, True, False, False)


def test_block_device_characteristics_extension(disk: EmulatedDisk) -> None:
    assert page(disk, 0xB5) == H("00 b5 000c 00 01 04 0e 00000000 00000226")
    d = decode_vpd(page(disk, 0xB5))
    assert (d.utilization_type_name, d.utilization_units_name, d.utilization_interval_name, d.utilization_a) == (
        "combined writes and reads", "terabytes", "per year", 550)
