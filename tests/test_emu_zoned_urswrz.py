"""A zoned emulated disk with URSWRZ=0 (``urswrz=False``): reads past a write pointer end in
ILLEGAL REQUEST, ATTEMPT TO READ INVALID DATA (ZBC-2 4.4.3.3)."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Reply
from sgframe.emu.uri import parse_emu_uri
from sgframe.errors import UsageError

from test_emu_core import fixed

H = bytes.fromhex


def ok(reply: Reply) -> bytes:
    assert (reply.status, reply.sense) == (0, b""), reply
    return reply.data


def read16(lba: int, count: int) -> bytes:
    return bytes((0x88, 0)) + lba.to_bytes(8, "big") + count.to_bytes(4, "big") + bytes(2)


def write16(lba: int, count: int) -> bytes:
    return bytes((0x8A, 0)) + lba.to_bytes(8, "big") + count.to_bytes(4, "big") + bytes(2)


@pytest.fixture
def disk() -> EmulatedDisk:
    # zone 0 conventional, zones 1..3 sequential write required, 64 blocks each
    return EmulatedDisk(blocks=256, zoned=True, zone_size=64, conventional_zones=1, urswrz=False)


def test_vpd_b6_says_urswrz_0(disk):
    assert ok(disk.respond(H("12 01 b6 00 40 00"), None, 64))[4] == 0x00
    zoned = EmulatedDisk(blocks=256, zoned=True, zone_size=64)
    assert ok(zoned.respond(H("12 01 b6 00 40 00"), None, 64))[4] == 0x01


def test_reads_below_the_write_pointer_and_in_conventional_zones_work(disk):
    assert len(ok(disk.respond(read16(0, 64), None, 64 * 512))) == 64 * 512
    ok(disk.respond(write16(64, 2), bytes(1024)))
    assert len(ok(disk.respond(read16(64, 2), None, 1024))) == 1024


@pytest.mark.parametrize("lba, count", [(66, 1), (65, 2), (63, 4), (64, 3), (70, 1)])
def test_reads_reaching_the_write_pointer_are_refused(disk, lba, count):
    ok(disk.respond(write16(64, 2), bytes(1024)))  # the write pointer of zone 1 is now 66
    reply = disk.respond(read16(lba, count), None, count * 512)
    assert (reply.status, reply.sense) == (2, fixed(0x5, 0x21, 0x06))


def test_an_empty_zone_is_unreadable_and_a_full_one_readable(disk):
    reply = disk.respond(read16(128, 1), None, 512)
    assert (reply.status, reply.sense) == (2, fixed(0x5, 0x21, 0x06))
    ok(disk.respond(H("94 02 0000000000000080 00000000 00 00")))  # FINISH ZONE at LBA 128
    assert len(ok(disk.respond(read16(128, 64), None, 64 * 512))) == 64 * 512


def test_urswrz_only_with_zoned():
    with pytest.raises(UsageError, match="zoned"):
        EmulatedDisk(blocks=8, urswrz=False)
    assert parse_emu_uri("emu:zoned?urswrz=0") == ("zoned", {"urswrz": False})
