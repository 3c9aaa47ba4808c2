"""The host-managed zoned emulated disk (ZBC-2)."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Reply, create

from test_emu_core import fixed
from test_emu_spc import invalid_cdb, ok

H = bytes.fromhex


@pytest.fixture
def disk() -> EmulatedDisk:
    # 4 zones of 64 blocks, the first conventional; at most 2 open zones.
    return EmulatedDisk(blocks=256, zoned=True, zone_size=64, conventional_zones=1, max_open_zones=2, serial="Z")


def write(lba: int, count: int) -> bytes:
    return H("8a 00") + lba.to_bytes(8, "big") + count.to_bytes(4, "big") + H("00 00")


def report(lba: int = 0, allocation: int = 4096, options: int = 0) -> bytes:
    return H("95 00") + lba.to_bytes(8, "big") + allocation.to_bytes(4, "big") + bytes((options, 0))


def zone_out(action: int, lba: int, all_: bool = False) -> bytes:
    return bytes((0x94, action)) + lba.to_bytes(8, "big") + bytes(4) + bytes((int(all_), 0))


def descriptor(kind: int, condition: int, start: int, wp: int, length: int = 64) -> bytes:
    return (
        bytes((kind, condition << 4)) + bytes(6) + length.to_bytes(8, "big") + start.to_bytes(8, "big")
        + wp.to_bytes(8, "big") + bytes(32)
    )


def test_inquiry_and_vpd_of_a_zoned_disk(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(H("12 00 00 00 60 00"), None, 96))
    assert data[0] == 0x14 and data[58:66] == H("00a0 05c0 0600 0620")
    assert ok(disk.respond(H("12 01 00 00 ff 00"), None, 255)) == H(
        "14 00 001a 00 80 83 84 85 86 87 88 8a 8b 8c 8d 8f 90 91 92 b0 b1 b2 b3 b4 b5 b6 b7 b8 b9")
    b6 = ok(disk.respond(H("12 01 b6 00 ff 00"), None, 255))
    assert b6[:20] == H("14 b6 003c 01 000000 ffffffff ffffffff 00000002")
    assert ok(disk.respond(H("9e 10 0000000000000000 00000020 00 00"), None, 32))[12] == 0x10


def test_report_zones_fresh(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(report(), None, 4096))
    assert data[:64] == H("00000100 00000000 00000000000000ff") + bytes(48)
    assert data[64:] == (
        descriptor(1, 0, 0, 0xFFFFFFFFFFFFFFFF)
        + descriptor(2, 1, 64, 64)
        + descriptor(2, 1, 128, 128)
        + descriptor(2, 1, 192, 192)
    )


def test_sequential_write_moves_the_write_pointer(disk: EmulatedDisk) -> None:
    assert disk.respond(write(64, 2), bytes(1024)) == Reply(0)
    assert disk.respond(write(66, 1), bytes(512)) == Reply(0)
    data = ok(disk.respond(report(64, 128), None, 128))
    assert data[64:] == descriptor(2, 2, 64, 67)  # implicitly opened


def test_unaligned_and_boundary_writes(disk: EmulatedDisk) -> None:
    assert disk.respond(write(65, 1), bytes(512)).sense == fixed(0x5, 0x21, 0x04)
    assert disk.respond(write(0, 65), bytes(65 * 512)).sense == fixed(0x5, 0x21, 0x05)
    assert disk.respond(write(64, 65), bytes(65 * 512)).sense == fixed(0x5, 0x21, 0x05)
    # Conventional zone: anywhere.
    assert disk.respond(write(10, 3), bytes(1536)) == Reply(0)


def test_full_zone_rejects_writes(disk: EmulatedDisk) -> None:
    ok(disk.respond(zone_out(0x02, 64)))  # FINISH
    assert disk.respond(write(128, 1), bytes(512)).status == 0
    assert disk.respond(write(64, 1), bytes(512)).sense == invalid_cdb(2)
    data = ok(disk.respond(report(0, 4096, 0x05), None, 4096))
    assert data[:4] == H("00000040") and data[64:] == descriptor(2, 0xE, 64, 128)


def test_reset_write_pointer_discards_data(disk: EmulatedDisk) -> None:
    ok(disk.respond(write(64, 1), b"\x55" * 512))
    ok(disk.respond(zone_out(0x04, 64)))
    assert ok(disk.respond(H("28 00 00000040 00 0001 00"), None, 512)) == bytes(512)
    assert ok(disk.respond(report(64, 128), None, 128))[64:] == descriptor(2, 1, 64, 64)


def test_open_close_and_resources(disk: EmulatedDisk) -> None:
    ok(disk.respond(zone_out(0x03, 64)))
    ok(disk.respond(zone_out(0x03, 128)))
    assert disk.respond(zone_out(0x03, 192)).sense == fixed(0x7, 0x55, 0x0E)
    assert disk.respond(write(192, 1), bytes(512)).sense == fixed(0x7, 0x55, 0x0E)
    ok(disk.respond(zone_out(0x01, 128)))  # close an empty explicitly opened zone: back to empty
    assert ok(disk.respond(report(128, 128), None, 128))[64:] == descriptor(2, 1, 128, 128)
    ok(disk.respond(write(192, 1), bytes(512)))


def test_implicit_open_zone_is_closed_to_make_room(disk: EmulatedDisk) -> None:
    ok(disk.respond(write(64, 1), bytes(512)))
    ok(disk.respond(write(128, 1), bytes(512)))
    ok(disk.respond(write(192, 1), bytes(512)))
    conditions = [d[1] >> 4 for d in _descriptors(ok(disk.respond(report(64), None, 4096)))]
    assert conditions == [4, 2, 2]  # zone 1 closed, zones 2 and 3 implicitly open


def _descriptors(data: bytes) -> "list[bytes]":
    return [data[i : i + 64] for i in range(64, len(data), 64)]


def test_zone_out_all(disk: EmulatedDisk) -> None:
    ok(disk.respond(write(64, 1), bytes(512)))
    ok(disk.respond(zone_out(0x02, 0, all_=True)))  # finish all open/closed zones
    assert [d[1] >> 4 for d in _descriptors(ok(disk.respond(report(64), None, 4096)))] == [0xE, 1, 1]
    ok(disk.respond(zone_out(0x04, 0, all_=True)))
    assert [d[1] >> 4 for d in _descriptors(ok(disk.respond(report(64), None, 4096)))] == [1, 1, 1]


def test_zone_out_errors(disk: EmulatedDisk) -> None:
    assert disk.respond(zone_out(0x03, 65)).sense == invalid_cdb(2)  # not a zone start
    assert disk.respond(zone_out(0x03, 0)).sense == invalid_cdb(2)  # conventional
    assert disk.respond(zone_out(0x03, 256)).sense == fixed(0x5, 0x21, 0x00)
    assert disk.respond(zone_out(0x05, 64)).sense == invalid_cdb(1, 4)


def test_report_zones_partial_and_options(disk: EmulatedDisk) -> None:
    data = ok(disk.respond(report(0, 128), None, 128))
    assert data[:4] == H("00000100") and len(data) == 128
    data = ok(disk.respond(report(0, 128, 0x80), None, 128))
    assert data[:4] == H("00000040")
    data = ok(disk.respond(report(0, 4096, 0x3F), None, 4096))
    assert data[:4] == H("00000040") and data[64] == 1
    assert disk.respond(report(0, 4096, 0x09), None, 4096).sense == invalid_cdb(14, 5)
    assert disk.respond(report(256), None, 4096).sense == fixed(0x5, 0x21, 0x00)


def test_zoned_disk_has_no_unmap_and_format_resets_zones(disk: EmulatedDisk) -> None:
    assert disk.respond(H("42 00 00 00 00 00 00 0000 00")).sense == fixed(0x5, 0x20, 0x00)
    ok(disk.respond(write(64, 3), bytes(1536)))
    ok(disk.respond(H("04 00 00 00 00 00")))
    assert ok(disk.respond(report(64, 128), None, 128))[64:] == descriptor(2, 1, 64, 64)


def test_zone_commands_absent_on_a_plain_disk() -> None:
    plain = EmulatedDisk(blocks=64)
    assert plain.respond(report(), None, 4096).sense == fixed(0x5, 0x20, 0x00)


def test_zoned_uri_and_short_last_zone() -> None:
    disk = create("emu:zoned?blocks=100&zone_size=64")
    data = ok(disk.respond(report(), None, 4096))
    assert _descriptors(data)[1] == descriptor(2, 1, 64, 64, length=36)


def test_full_zone_field_pointer_names_the_lba_field(disk: EmulatedDisk) -> None:
    ok(disk.respond(zone_out(0x02, 64)))
    write32 = H("7f 00 00 00 00 00 00 18 000b 00 00 0000000000000040") + bytes(8) + H("00000001")
    assert disk.respond(write32, bytes(512)).sense == invalid_cdb(12)
