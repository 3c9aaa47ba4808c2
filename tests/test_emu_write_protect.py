"""A write-protected emulated disk (``write_protect=True``): WP=1 in the mode parameter
header, DATA PROTECT, WRITE PROTECTED (27h/00h) for every command that changes the
medium, reads unchanged (SBC-4 4.11, 6.5.1)."""
from __future__ import annotations

import pytest

from sgframe.emu import EmulatedDisk, Reply
from sgframe.emu.uri import parse_emu_uri

from test_emu_core import fixed

H = bytes.fromhex
PROTECTED = fixed(0x7, 0x27, 0x00)


def ok(reply: Reply) -> bytes:
    assert (reply.status, reply.sense) == (0, b""), reply
    return reply.data


@pytest.fixture
def disk() -> EmulatedDisk:
    return EmulatedDisk(blocks=1024, write_protect=True)


def test_mode_headers_say_wp(disk):
    assert ok(disk.respond(H("1a 08 3f 00 04 00"), None, 4))[2] == 0x90  # WP, DPOFUA
    assert ok(disk.respond(H("5a 08 3f 00 00 00 00 00 08 00"), None, 8))[3] == 0x90
    assert ok(EmulatedDisk(blocks=8).respond(H("1a 08 3f 00 04 00"), None, 4))[2] == 0x10


@pytest.mark.parametrize("cdb, data", [
    (H("2a 00 00000000 00 0001 00"), bytes(512)),                       # WRITE(10)
    (H("8a 00 0000000000000000 00000001 00 00"), bytes(512)),          # WRITE(16)
    (H("0a 00 00 00 01 00"), bytes(512)),                               # WRITE(6)
    (H("93 00 0000000000000000 00000001 00 00"), bytes(512)),          # WRITE SAME(16)
    (H("42 00 00 00 00 00 00 00 18 00"), H("0016 0010 00000000 0000000000000000 00000001 00000000")),  # UNMAP
    (H("89 00 0000000000000000 000000 01 00 00"), bytes(1024)),        # COMPARE AND WRITE
    (H("7f 00 00 00 00 00 00 18 000b 00 00 0000000000000000 00000000 0000 0000 00000001"), bytes(512)),  # WRITE(32)
    (H("04 00 00 00 00 00"), None),                                     # FORMAT UNIT
])
def test_commands_that_change_the_medium_are_refused(disk, cdb, data):
    reply = disk.respond(cdb, data)
    assert (reply.status, reply.sense) == (2, PROTECTED)


def test_nothing_was_written_and_reads_work(disk):
    disk.respond(H("2a 00 00000000 00 0001 00"), b"\xaa" * 512)
    assert ok(disk.respond(H("28 00 00000000 00 0001 00"), None, 512)) == bytes(512)
    assert ok(disk.respond(H("7f 00 00 00 00 00 00 18 0009 00 00 0000000000000000 00000000 0000 0000 00000001"),
                           None, 512)) == bytes(512)  # READ(32): a service action of 7Fh that is not a write
    ok(disk.respond(H("35 00 00000000 00 0000 00")))  # SYNCHRONIZE CACHE changes no data


def test_uri_takes_write_protect():
    assert parse_emu_uri("emu:disk?write_protect=1") == ("disk", {"write_protect": True})
